#include "promexport.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "daytally.h"
#include "readiness.h"
#include "texts.h"

/* district="…",commune="…": both names escaped, each at most twice its size */
#define COMMUNE_LABELS (2 * CFG_TEXT_MAX + 2 * INV_NAME_MAX + 32)
#define TARGET_LABELS (COMMUNE_LABELS + 2 * INV_NAME_MAX + 3 * CFG_NAME_MAX + 64)

struct px {
	struct strbuf *o;
	const struct collector *c;
	const struct readiness *r;
	const struct daytally *today; /* NULL before the first tick */
	char (*cl)[COMMUNE_LABELS];   /* per commune; "" when the viewer does not see it */
};

int promexport_escape(char *dst, size_t dstsz, const char *s)
{
	size_t n = 0;
	for (; *s; s++) {
		const char *e = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
		size_t len = e ? 2 : 1;
		if (n + len >= dstsz) {
			if (dstsz)
				dst[0] = '\0';
			return -1;
		}
		memcpy(dst + n, e ? e : s, len);
		n += len;
	}
	if (n < dstsz)
		dst[n] = '\0';
	return dstsz ? 0 : -1;
}

static void head(struct strbuf *o, const char *name, const char *help)
{
	strbuf_printf(o, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* Each commune's labels, "" for those v does not see: 0, or -1 out of memory. */
static int commune_labels(struct px *p, const struct viewer *v)
{
	char d[2 * CFG_TEXT_MAX], k[2 * INV_NAME_MAX];
	const struct inventory *inv = p->c->inv;
	p->cl = calloc(inv->ncommunes ? inv->ncommunes : 1, sizeof(*p->cl));
	if (!p->cl)
		return -1;
	promexport_escape(d, sizeof(d), p->c->cfg->district);
	for (size_t i = 0; i < inv->ncommunes; i++)
		if (viewer_sees(v, inv->communes[i].name)) {
			promexport_escape(k, sizeof(k), inv->communes[i].name);
			snprintf(p->cl[i], sizeof(p->cl[i]), "district=\"%s\",commune=\"%s\"", d, k);
		}
	return 0;
}

static void commune_families(struct px *p)
{
	const struct readiness *r = p->r;
	head(p->o, "hbmon_commune_ready",
	     "1 when the commune meets every critical target now, 0 when it misses one; absent "
	     "with no data");
	for (size_t k = 0; k < r->ncommunes; k++)
		if (p->cl[k][0] && r->communes[k].v != V_NODATA)
			strbuf_printf(p->o, "hbmon_commune_ready{%s} %d\n", p->cl[k],
				      r->communes[k].v == V_MET);
	head(p->o, "hbmon_commune_judged",
	     "1 when a target of the commune is judged now (working hours, no maintenance, "
	     "uplink up)");
	for (size_t k = 0; k < r->ncommunes; k++)
		if (p->cl[k][0])
			strbuf_printf(p->o, "hbmon_commune_judged{%s} %d\n", p->cl[k],
				      r->communes[k].njudged > 0);
	head(p->o, "hbmon_commune_score", "Critical targets of the commune met now, percent");
	for (size_t k = 0; k < r->ncommunes; k++)
		if (p->cl[k][0])
			strbuf_printf(p->o, "hbmon_commune_score{%s} %.6g\n", p->cl[k],
				      readiness_score(r->communes[k].nmet, r->communes[k].ntargets));
}

void promexport_target_name(const struct target_result *t, char *buf, size_t n)
{
	if (t->kind == TK_SITES_MET)
		snprintf(buf, n, "site.%s", t->site_type ? t->site_type->name : "");
	else if (t->kind == TK_METRIC && t->mt)
		snprintf(buf, n, "%s.%s.%s", devclass_name(t->mt->cls), t->mt->group, t->mt->metric);
	else
		snprintf(buf, n, "%s", devclass_name(t->cls));
}

/* One line per target of a site (site_label "" for a commune's own targets); share: 1 for
 * the share of today, else the verdict now. A name given twice in one site type is told apart
 * by its place ("pc#2"), so no two series collide. */
static void target_lines(struct px *p, const char *cl, const char *site_label,
			 const struct target_result *t, int n, size_t slot, int share)
{
	char name[3 * CFG_NAME_MAX], prev[CLS_COUNT + CFG_MAX_METRIC_TARGETS + 1][3 * CFG_NAME_MAX];
	char esc[6 * CFG_NAME_MAX + 8];
	const char *metric = share ? "hbmon_target_met_share_today" : "hbmon_target_met";
	for (int i = 0; i < n; i++) {
		promexport_target_name(&t[i], name, sizeof(name));
		for (int j = 0; j < i && j < (int)(sizeof(prev) / sizeof(prev[0])); j++)
			if (strcmp(prev[j], name) == 0)
				snprintf(name + strlen(name), sizeof(name) - strlen(name), "#%d", i + 1);
		if (i < (int)(sizeof(prev) / sizeof(prev[0])))
			snprintf(prev[i], sizeof(prev[i]), "%s", name);
		double x = t[i].v == V_MET ? 1 : 0;
		if (share)
			x = !p->today ? NAN
			    : site_label[0] ? daytally_site_share(p->today, slot, i)
					    : daytally_commune_share(p->today, slot, i);
		if ((!share && t[i].v == V_NODATA) || isnan(x))
			continue;
		promexport_escape(esc, sizeof(esc), name);
		strbuf_printf(p->o, "%s{%s%s,target=\"%s\",severity=\"%s\"} %.6g\n", metric, cl,
			      site_label, esc, config_severity_name(t[i].sev), x);
	}
}

static void target_family(struct px *p, int share)
{
	char site[2 * INV_NAME_MAX + 16], esc[2 * INV_NAME_MAX];
	const struct readiness *r = p->r;
	for (size_t s = 0; s < r->nsites; s++) {
		const char *cl = p->cl[p->c->inv->sites[s].commune];
		if (!cl[0])
			continue;
		promexport_escape(esc, sizeof(esc), p->c->inv->sites[s].name);
		snprintf(site, sizeof(site), ",site=\"%s\"", esc);
		target_lines(p, cl, site, r->sites[s].targets, r->sites[s].ntargets, s, share);
	}
	for (size_t k = 0; k < r->ncommunes; k++)
		if (p->cl[k][0])
			target_lines(p, p->cl[k], "", r->communes[k].targets, r->communes[k].nctargets,
				     k, share);
}

size_t *promexport_count_devices(const struct collector *c)
{
	size_t per = (size_t)CLS_COUNT * DEV_STATUS_COUNT;
	size_t *n = calloc(c->inv->ncommunes * per + 1, sizeof(*n));
	time_t now = c->now();
	if (!n)
		return NULL;
	for (size_t i = 0; i < c->inv->ndevices; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		if ((unsigned)d->cls >= CLS_COUNT || d->commune >= c->inv->ncommunes)
			continue; /* the loader makes neither */
		enum dev_status st = state_status(&c->state, i, readiness_polled(d), now,
						  c->cfg->stale_after);
		n[d->commune * per + (size_t)d->cls * DEV_STATUS_COUNT + (size_t)st]++;
	}
	return n;
}

/* Devices of each class present in a commune, per state (zeros included: a graph of "down"
 * has a line at 0, not a gap; "not_polled" only when some are: 150 communes × 9 classes make
 * 1,350 series a state). */
static int device_family(struct px *p)
{
	const struct collector *c = p->c;
	size_t per = (size_t)CLS_COUNT * DEV_STATUS_COUNT;
	size_t *n = promexport_count_devices(c);
	if (!n)
		return -1;
	head(p->o, "hbmon_commune_devices", "Devices of the inventory by commune, class and state");
	for (size_t k = 0; k < c->inv->ncommunes; k++)
		for (int cls = 0; cls < CLS_COUNT && p->cl[k][0]; cls++) {
			const size_t *row = n + k * per + (size_t)cls * DEV_STATUS_COUNT;
			size_t any = 0;
			for (int s = 0; s < DEV_STATUS_COUNT; s++)
				any += row[s];
			for (int s = 0; s < DEV_STATUS_COUNT && any; s++)
				if (s != DEV_NOT_POLLED || row[s])
					strbuf_printf(p->o,
					    "hbmon_commune_devices{%s,class=\"%s\",state=\"%s\"} %zu\n",
					    p->cl[k], devclass_name((enum dev_class)cls),
					    status_name((enum dev_status)s), row[s]);
		}
	free(n);
	return 0;
}

struct firing_ctx {
	const struct inventory *inv;
	size_t *n;
};

static void count_firing(void *ctx, const struct alert_view *v)
{
	struct firing_ctx *f = ctx;
	if (strcmp(v->state, "firing") != 0 || strcmp(v->target, "probe") == 0)
		return; /* a probe's alert is the district's, named by the district */
	long k = alerts_find_commune(f->inv, v->commune);
	if (k >= 0)
		f->n[k]++;
}

size_t *promexport_count_firing(const struct collector *c)
{
	struct firing_ctx f = {c->inv, calloc(c->inv->ncommunes + 1, sizeof(size_t))};
	if (f.n && c->alerts)
		alerts_each(c->alerts, c, LANG_EN, count_firing, &f);
	return f.n;
}

static int alert_family(struct px *p)
{
	const struct collector *c = p->c;
	struct firing_ctx f = {c->inv, promexport_count_firing(c)};
	if (!f.n)
		return -1;
	head(p->o, "hbmon_alerts_firing", "Alerts of the commune firing now (its sites' included)");
	for (size_t k = 0; k < c->inv->ncommunes; k++)
		if (p->cl[k][0])
			strbuf_printf(p->o, "hbmon_alerts_firing{%s} %zu\n", p->cl[k], f.n[k]);
	free(f.n);
	return 0;
}

static void probe_family(struct px *p)
{
	const struct probestat *ps = &p->c->probestat;
	char d[2 * CFG_TEXT_MAX];
	promexport_escape(d, sizeof(d), p->c->cfg->district);
	head(p->o, "hbmon_probe_last_contact_timestamp_seconds",
	     "When the probe last posted to this collector, Unix time");
	for (size_t i = 0; i < ps->n; i++) /* probes_valid_name: nothing to escape */
		strbuf_printf(p->o,
			      "hbmon_probe_last_contact_timestamp_seconds{district=\"%s\","
			      "probe=\"%s\"} %lld\n",
			      d, ps->p[i].name, (long long)ps->p[i].last_contact);
	head(p->o, "hbmon_probe_backlog_batches",
	     "Batches waiting in the probe's spool, as it last said");
	for (size_t i = 0; i < ps->n; i++)
		strbuf_printf(p->o, "hbmon_probe_backlog_batches{district=\"%s\",probe=\"%s\"} %llu\n",
			      d, ps->p[i].name, (unsigned long long)ps->p[i].spool_batches);
}

int promexport_write(struct strbuf *out, const struct collector *c, const struct viewer *v)
{
	struct readiness own = {0};
	struct readiness_input in = {c->cfg, c->inv, &c->state, c->now(), NULL};
	struct px p = {out, c, alerts_now(c->alerts, &in, &own), NULL, NULL};
	int rc = -1;
	if (!p.r || commune_labels(&p, v) < 0)
		goto done;
	if (p.r != &own)
		p.today = alerts_today(c->alerts);
	commune_families(&p);
	head(out, "hbmon_target_met", "1 when the target is met now, 0 when missed; absent with "
				      "no data");
	target_family(&p, 0);
	head(out, "hbmon_target_met_share_today",
	     "Share of today's judged time the target was met, 0..1 (since midnight; kept "
	     "across restarts)");
	target_family(&p, 1);
	if (device_family(&p) < 0 || alert_family(&p) < 0)
		goto done;
	if (viewer_sees_all(v))
		probe_family(&p);
	rc = out->overflow ? -1 : 0;
done:
	free(p.cl);
	if (p.r == &own)
		readiness_free(&own);
	return rc;
}
