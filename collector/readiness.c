#include "readiness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* A probe checks it: by SNMP with a credential, its web page with a url, by ICMP echo (IPv4)
 * with an address and neither. */
int readiness_polled(const struct inv_device *d)
{
	return d->url[0] || (d->host[0] && (d->cred[0] || !strchr(d->host, ':')));
}

double readiness_score(int nmet, int ntargets)
{
	return ntargets ? 100.0 * nmet / ntargets : 100.0;
}

/* Rows of one device checked against one value target: counted, the worst kept. */
static void check_rows(struct rowcount *rc, const struct metric_target *mt,
		       const struct devrows *rows, const char *device)
{
	for (size_t k = 0; k < rows->nrows; k++) {
		const struct devrow *row = &rows->row[k];
		const struct devrow_val *v =
		    strcmp(row->group, mt->group) == 0 ? devrow_find(row, mt->metric) : NULL;
		if (!v || v->kind != MV_GAUGE)
			continue;
		double x = v->num;
		int ok = judge_within(mt, x);
		rc->rows++;
		rc->out += !ok;
		int worse = !ok && (rc->where[0] == '\0' || (mt->op == MT_GE && x < rc->worst) ||
				    (mt->op == MT_LE && x > rc->worst));
		if (worse) {
			rc->worst = x;
			snprintf(rc->where, sizeof(rc->where), "%s%s%s", device,
				 row->label[0] ? " — " : "", row->label);
		}
	}
}

/* A device's rows counted against each value target of its site's type, once per sample
 * (cached by that sample's time), not once per tick. */
static const struct rowcount *device_rows(const struct readiness_input *in, size_t i,
					  const struct site_type *st, struct rowcount *own)
{
	const struct dev_state *ds = &in->state->dev[i];
	struct rowcache_dev *cd = in->cache && i < in->cache->ndev ? &in->cache->dev[i] : NULL;
	time_t key = ds->last_poll; /* each sample applied is newer than the last */
	struct rowcount *rc = cd ? cd->mt : own;
	if (cd && cd->valid && cd->at == key)
		return rc;
	memset(rc, 0, sizeof(struct rowcount) * CFG_MAX_METRIC_TARGETS);
	for (int m = 0; m < st->nmtargets; m++)
		if (st->mtargets[m].cls == in->inv->devices[i].cls)
			check_rows(&rc[m], &st->mtargets[m], &ds->rows, in->inv->devices[i].name);
	if (cd) {
		cd->valid = 1;
		cd->at = key;
	}
	return rc;
}

/* A device's counts added to its site's value targets, the worst kept. */
static void add_rows(struct target_result *t, const struct rowcount *rc, enum mt_op op)
{
	t->total += rc->rows;
	t->up += rc->rows - rc->out;
	if (rc->out && (t->worst_where[0] == '\0' || (op == MT_GE && rc->worst < t->worst) ||
			(op == MT_LE && rc->worst > t->worst))) {
		t->worst = rc->worst;
		snprintf(t->worst_where, sizeof(t->worst_where), "%s", rc->where);
	}
}

/* Value targets of a site: every row its answering devices of the class report (first[m]
 * for the type's m-th); a device not up has values not known now. */
static void count_rows(struct target_result *first, const struct site_result *sr,
		       const struct readiness_input *in, const size_t *next, size_t head)
{
	const struct site_type *st = sr->type;
	for (size_t i = head; i < in->inv->ndevices; i = next[i]) {
		const struct inv_device *d = &in->inv->devices[i];
		int wanted = 0;
		for (int m = 0; m < st->nmtargets && !wanted; m++)
			wanted = st->mtargets[m].cls == d->cls;
		if (!wanted)
			continue;
		enum dev_status s = state_status(in->state, i, readiness_polled(d), in->now,
						 in->cfg->stale_after);
		if (s == DEV_NOT_POLLED) /* no values ever expected */
			continue;
		if (s != DEV_UP) { /* its values are not known now */
			for (int m = 0; m < st->nmtargets; m++)
				first[m].unknown += st->mtargets[m].cls == d->cls;
			continue;
		}
		struct rowcount own[CFG_MAX_METRIC_TARGETS];
		const struct rowcount *rc = device_rows(in, i, st, own);
		for (int m = 0; m < st->nmtargets; m++)
			if (st->mtargets[m].cls == d->cls)
				add_rows(&first[m], &rc[m], st->mtargets[m].op);
	}
}

/* A site now, by the judge: its class targets over its devices' counts, its value targets
 * over the rows their devices report (a device not up: its values are not known). */
static void eval_site(struct site_result *sr, const struct readiness_input *in,
		      const struct judge_count *cls, const size_t *next, size_t head)
{
	const struct site_type *st = sr->type;
	enum verdict mv[CFG_MAX_METRIC_TARGETS], out[CLS_COUNT + CFG_MAX_METRIC_TARGETS];
	struct target_result *t = sr->targets;
	if (!st) {
		sr->v = V_MET;
		return;
	}
	for (int k = 0; k < st->ntargets; k++, t++) {
		t->kind = TK_CLASS_MIN_UP;
		t->cls = st->targets[k].cls;
		t->sev = st->targets[k].sev;
		t->need = st->targets[k].min_up;
		t->up = (int)cls[t->cls].up;
		t->unknown = (int)cls[t->cls].unknown;
		t->total = cls[t->cls].total;
	}
	for (int m = 0; m < st->nmtargets; m++) {
		t[m].kind = TK_METRIC;
		t[m].cls = st->mtargets[m].cls;
		t[m].mt = &st->mtargets[m];
		t[m].mt_index = m;
		t[m].sev = st->mtargets[m].sev;
	}
	if (st->nmtargets)
		count_rows(t, sr, in, next, head);
	for (int m = 0; m < st->nmtargets; m++) {
		t[m].need = t[m].total;
		mv[m] = judge_rows(t[m].total - t[m].up, t[m].unknown);
	}
	sr->ntargets = st->ntargets + st->nmtargets;
	sr->v = judge_site(st, cls, mv, out);
	for (int k = 0; k < sr->ntargets; k++) {
		int crit = sr->targets[k].sev == SEV_CRITICAL;
		sr->targets[k].v = out[k];
		sr->ncrit += crit;
		sr->nmet += crit && out[k] == V_MET;
		sr->nwarn += !crit && out[k] == V_MISSED;
	}
}

/* A commune-wide target now: the commune's devices of a class, or its sites of a type. */
static void eval_commune_target(struct target_result *tr, const struct commune_target *ct,
				const struct readiness *r, const struct readiness_input *in,
				const struct judge_count *cls, size_t k)
{
	struct judge_count sites = {0};
	tr->sev = ct->sev;
	if (ct->kind == CT_CLASS) {
		tr->kind = TK_CLASS_MIN_UP;
		tr->cls = ct->cls;
	} else {
		tr->kind = TK_SITES_MET;
		tr->site_type = config_site_type(in->cfg, ct->site_type);
		for (size_t s = 0; s < in->inv->nsites; s++)
			if (in->inv->sites[s].commune == k && r->sites[s].type == tr->site_type) {
				sites.total++;
				sites.up += r->sites[s].v == V_MET;
				sites.unknown += r->sites[s].v == V_NODATA;
			}
	}
	struct judge_count c = ct->kind == CT_CLASS ? cls[ct->cls] : sites;
	tr->v = judge_commune(ct, cls, sites, &tr->need);
	tr->up = (int)c.up;
	tr->unknown = (int)c.unknown;
	tr->total = c.total;
}

/* Devices counted per site and class: up now, not known (never heard from, or not lately). */
static void count_devices(struct judge_count (*cnt)[CLS_COUNT], struct readiness *out,
			  const struct readiness_input *in)
{
	for (size_t i = 0; i < in->inv->ndevices; i++) {
		const struct inv_device *d = &in->inv->devices[i];
		enum dev_status s = state_status(in->state, i, readiness_polled(d), in->now,
						 in->cfg->stale_after);
		struct judge_count *c = &cnt[d->site][d->cls];
		c->total++;
		c->up += s == DEV_UP;
		c->unknown += s == DEV_UNKNOWN || s == DEV_STALE;
		out->communes[d->commune].devices++;
		out->communes[d->commune].devices_up += s == DEV_UP;
	}
}

/* A commune-wide target counted: a critical one in its verdict, a warning apart. */
static void add_up(struct commune_result *cr, const struct target_result *tr)
{
	if (tr->sev == SEV_WARNING) {
		cr->nwarn += tr->v == V_MISSED;
		return;
	}
	cr->ntargets++;
	cr->nmet += tr->v == V_MET;
	cr->v = judge_and(cr->v, tr->v);
}

static void eval_commune(struct readiness *out, const struct readiness_input *in,
			 struct judge_count (*cnt)[CLS_COUNT], size_t k)
{
	struct commune_result *cr = &out->communes[k];
	struct judge_count cls[CLS_COUNT] = {{0}};
	for (size_t s = 0; s < in->inv->nsites; s++) {
		const struct site_result *sr = &out->sites[s];
		if (in->inv->sites[s].commune != k)
			continue;
		for (int c = 0; c < CLS_COUNT; c++) {
			cls[c].up += cnt[s][c].up;
			cls[c].unknown += cnt[s][c].unknown;
			cls[c].total += cnt[s][c].total;
		}
		cr->nsites++;
		cr->nsites_met += sr->v == V_MET;
		cr->ntargets += sr->ncrit;
		cr->nmet += sr->nmet;
		cr->nwarn += sr->nwarn;
		cr->v = judge_and(cr->v, sr->v);
	}
	for (int t = 0; t < in->cfg->ncommune_targets; t++) {
		struct target_result *tr = &cr->targets[cr->nctargets++];
		eval_commune_target(tr, &in->cfg->commune_targets[t], out, in, cls, k);
		cr->nctargets_met += tr->v == V_MET;
		add_up(cr, tr);
	}
}

static int alloc_results(struct readiness *out, const struct readiness_input *in)
{
	const struct inventory *inv = in->inv;
	size_t nct = (size_t)in->cfg->ncommune_targets;
	out->sites = calloc(inv->nsites ? inv->nsites : 1, sizeof(*out->sites));
	out->communes = calloc(inv->ncommunes ? inv->ncommunes : 1, sizeof(*out->communes));
	if (!out->sites || !out->communes)
		return -1;
	/* each site's own targets only: a tick allocates this for every site of the district */
	for (size_t s = 0; s < inv->nsites; s++) {
		const struct site_type *st = config_site_type(in->cfg, inv->sites[s].type);
		size_t n = st ? (size_t)(st->ntargets + st->nmtargets) : 0;
		if (!(out->sites[s].targets = calloc(n ? n : 1, sizeof(struct target_result))))
			return -1;
	}
	for (size_t k = 0; k < inv->ncommunes && nct; k++)
		if (!(out->communes[k].targets = calloc(nct, sizeof(struct target_result))))
			return -1;
	return 0;
}

int readiness_eval(struct readiness *out, const struct readiness_input *in)
{
	const struct inventory *inv = in->inv;
	memset(out, 0, sizeof(*out));
	out->at = in->now;
	out->nsites = inv->nsites;
	out->ncommunes = inv->ncommunes;
	struct judge_count(*cnt)[CLS_COUNT] = calloc(inv->nsites ? inv->nsites : 1, sizeof(*cnt));
	/* each site's devices, listed once: a site's value targets read only its own */
	size_t *head = malloc((inv->nsites ? inv->nsites : 1) * sizeof(size_t));
	size_t *next = malloc((inv->ndevices ? inv->ndevices : 1) * sizeof(size_t));
	if (!cnt || !head || !next || alloc_results(out, in) < 0) {
		free(cnt);
		free(head);
		free(next);
		readiness_free(out);
		return -1;
	}
	for (size_t s = 0; s < inv->nsites; s++)
		head[s] = inv->ndevices;
	for (size_t i = inv->ndevices; i-- > 0;) {
		next[i] = head[inv->devices[i].site];
		head[inv->devices[i].site] = i;
	}
	count_devices(cnt, out, in);
	for (size_t s = 0; s < inv->nsites; s++) {
		out->sites[s].site = s;
		out->sites[s].commune = inv->sites[s].commune;
		out->sites[s].type = config_site_type(in->cfg, inv->sites[s].type);
		eval_site(&out->sites[s], in, cnt[s], next, head[s]);
	}
	free(head);
	free(next);
	for (size_t k = 0; k < inv->ncommunes; k++) {
		out->communes[k].commune = k;
		out->communes[k].v = V_MET;
		eval_commune(out, in, cnt, k);
		out->ncommunes_met += out->communes[k].v == V_MET;
		out->ncommunes_nodata += out->communes[k].v == V_NODATA;
		out->ntargets += out->communes[k].ntargets;
		out->nmet += out->communes[k].nmet;
		out->nwarn += out->communes[k].nwarn;
	}
	free(cnt);
	readiness_judged(out);
	return 0;
}

const char *readiness_judging_name(enum judging j)
{
	static const char *const name[] = {"judged", "off_hours", "grace", "maintenance",
					   "upstream"};
	return j >= J_JUDGED && j <= J_UPSTREAM ? name[j] : "judged";
}

/* Folds the verdicts of the targets judged now (counted in r): the critical ones into *v,
 * the warnings missed into *warn; *why gets the first other's reason. */
static int fold_judged(struct readiness *r, const struct target_result *t, int n, enum verdict *v,
		       int *warn, enum judging *why)
{
	int judged = 0;
	for (int k = 0; k < n; k++) {
		if (t[k].judging != J_JUDGED) {
			if (*why == J_JUDGED)
				*why = t[k].judging;
			continue;
		}
		judged++;
		if (t[k].sev == SEV_WARNING) {
			*warn += t[k].v == V_MISSED;
			continue;
		}
		r->ntargets_judged++;
		r->nmet_judged += t[k].v == V_MET;
		*v = judge_and(*v, t[k].v);
	}
	return judged;
}

void readiness_judged(struct readiness *r)
{
	r->ncommunes_judged = r->ncommunes_judged_met = r->ntargets_judged = r->nmet_judged = 0;
	r->nwarn_judged = 0;
	for (size_t k = 0; k < r->ncommunes; k++) {
		struct commune_result *cr = &r->communes[k];
		cr->vj = V_MET;
		cr->why = J_JUDGED;
		cr->nwarn_judged = 0;
		cr->njudged = fold_judged(r, cr->targets, cr->nctargets, &cr->vj, &cr->nwarn_judged,
					  &cr->why);
	}
	for (size_t s = 0; s < r->nsites; s++) {
		struct site_result *sr = &r->sites[s];
		struct commune_result *cr = &r->communes[sr->commune];
		sr->vj = V_MET;
		sr->nwarn_judged = 0;
		sr->njudged = fold_judged(r, sr->targets, sr->ntargets, &sr->vj, &sr->nwarn_judged,
					  &cr->why);
		cr->njudged += sr->njudged;
		cr->nwarn_judged += sr->nwarn_judged;
		cr->vj = judge_and(cr->vj, sr->vj);
	}
	for (size_t k = 0; k < r->ncommunes; k++) {
		r->nwarn_judged += r->communes[k].nwarn_judged;
		r->ncommunes_judged += r->communes[k].njudged > 0;
		r->ncommunes_judged_met += r->communes[k].njudged > 0 && r->communes[k].vj == V_MET;
	}
}

void readiness_free(struct readiness *r)
{
	for (size_t s = 0; r->sites && s < r->nsites; s++)
		free(r->sites[s].targets);
	for (size_t k = 0; r->communes && k < r->ncommunes; k++)
		free(r->communes[k].targets);
	free(r->sites);
	free(r->communes);
	memset(r, 0, sizeof(*r));
}
