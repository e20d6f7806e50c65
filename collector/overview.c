/*
 * The district overview: one row per commune (a card on a phone) with its verdict, what it
 * misses and since when, the district's figures per kind of target, and a form that filters
 * and sorts the rows. The server filters and sorts from the query, so the page works without
 * its script; dashboards/overview.js applies the same rules in place as one types, and
 * refreshes the page's data in place every minute.
 *
 * A row the query leaves out is still sent, with the hidden attribute: the browser hides it
 * without any script, and the script can show it again as the search changes. Rows of
 * communes the viewer may not see are never sent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "pages.h"
#include "readiness.h"
#include "texts.h"
#include "vnname.h"

#define T(key) i18n_get(c->i18n, l, key)

#define OV_Q_CHARS 100       /* characters the search box takes */
#define OV_Q_MAX 300         /* bytes of a search (100 characters of Vietnamese): more is ignored */
#define OV_REFRESH 60        /* seconds between the script's refreshes */
#define OV_REFRESH_MIN 2     /* ?refresh= is for tests and wall screens, never a busy loop */
#define OV_REFRESH_MAX 3600
#define OV_ACKED_MAX 160     /* who took a commune's faults on, "A, B" */
#define OV_KEY_MAX (4 * OV_Q_MAX + 8)

enum ov_status { ST_ALL, ST_MISSED, ST_MET, ST_NOTJUDGED, ST_NODATA, ST_WARN, ST_COUNT };
static const char *const status_arg[ST_COUNT] = {"all",     "missed", "met",
						 "notjudged", "nodata", "warn"};
static const char *const status_key[ST_COUNT] = {
    "overview.status.all", "target.missed", "target.met", "judging.not_now", "target.no_data",
    "overview.status.warn"};

enum ov_sort { SO_STATUS, SO_NAME, SO_FAULT, SO_DOWN, SO_COUNT };
static const char *const sort_arg[SO_COUNT] = {"status", "name", "fault", "down"};
static const char *const sort_key[SO_COUNT] = {"overview.sort.status", "overview.sort.name",
					       "overview.sort.fault", "overview.sort.down"};

/* severity filter: any, then enum severity + 1 */
static const char *const sev_arg[3] = {"", "critical", "warning"};
static const char *const sev_key[3] = {"overview.sev.all", "overview.sev.critical",
				       "severity.warning"};

/* Per commune and kind of target (a byte each). */
#define KF_APPLIES 1   /* a critical target of the kind is judged now */
#define KF_NOT_MET 2   /* one of them is not met (missed, or no data) */
#define KF_MISS_CRIT 4 /* a critical target of the kind is missed (a reason shown) */
#define KF_MISS_WARN 8 /* a warning of the kind is missed */

/* The query, checked: anything not understood is the default. */
struct ov_query {
	enum ov_status status;
	int sev;  /* 0 any, else enum severity + 1 */
	long kind; /* -1 any, else a kind's number */
	char kind_tok[CFG_NAME_MAX + 8]; /* its name in the query */
	enum ov_sort sort;
	int refresh;
	char q[OV_Q_MAX + 1]; /* as typed, trimmed */
	char qkey[OV_KEY_MAX]; /* folded for matching */
};

/*
 * Kinds of target the figures count: each configured site type (its sites' targets and the
 * commune-wide "site.<type>" ones), numbered first, then each device class a critical class
 * target requires somewhere (a site type's or a commune-wide one).
 */
struct ov_kinds {
	size_t nst, n; /* site types; site types + classes */
	int cls_required[CLS_COUNT];
};

struct ov_row {
	size_t k;            /* commune */
	const char *status;  /* met, missed, notjudged, nodata: its CSS class */
	int rank;            /* missed first, met last */
	int warn, down;      /* warnings missed; devices not up */
	int order;           /* in name order */
	time_t since;        /* its oldest firing fault, 0 none */
	char acked[OV_ACKED_MAX];
	unsigned char *kf; /* KF_ flags per kind */
	char *sortkey;     /* name order: letters, then tones */
	int shown;
};

/* ---- The query ------------------------------------------------------------------------ */

static int pick(const char *arg, const char *const *names, int n, int def)
{
	for (int i = 0; arg && i < n; i++)
		if (names[i][0] && strcmp(arg, names[i]) == 0)
			return i;
	return def;
}

static int kind_class(const struct ov_kinds *kinds, long id)
{
	return id >= (long)kinds->nst ? (int)(id - (long)kinds->nst) : -1;
}

/* 1 when a critical target counts sites of type st: its own, or a commune-wide one. */
static int site_type_required(const struct collector *c, const struct site_type *st)
{
	for (int t = 0; t < st->ntargets; t++)
		if (st->targets[t].sev == SEV_CRITICAL)
			return 1;
	for (int m = 0; m < st->nmtargets; m++)
		if (st->mtargets[m].sev == SEV_CRITICAL)
			return 1;
	for (int t = 0; t < c->cfg->ncommune_targets; t++)
		if (c->cfg->commune_targets[t].kind == CT_SITES &&
		    c->cfg->commune_targets[t].sev == SEV_CRITICAL &&
		    strcmp(c->cfg->commune_targets[t].site_type, st->name) == 0)
			return 1;
	return 0;
}

/* 1 when the figures count kind id: a site type or class some critical target requires. */
static int kind_required(const struct collector *c, const struct ov_kinds *kinds, size_t id)
{
	int cls = kind_class(kinds, (long)id);
	return cls >= 0 ? kinds->cls_required[cls] : site_type_required(c, &c->cfg->site_types[id]);
}

/* "site.<type>" or a class a target requires: its number, -1 when unknown. */
static long kind_parse(const struct collector *c, const struct ov_kinds *kinds, const char *s)
{
	if (!s || strlen(s) >= CFG_NAME_MAX + 8)
		return -1;
	long id = -1;
	if (strncmp(s, "site.", 5) == 0) {
		const struct site_type *st = config_site_type(c->cfg, s + 5);
		for (size_t i = 0; st && i < kinds->nst; i++)
			id = &c->cfg->site_types[i] == st ? (long)i : id;
	} else {
		int cls = devclass_parse(s);
		id = cls >= 0 && cls < CLS_COUNT ? (long)(kinds->nst + (size_t)cls) : -1;
	}
	return id >= 0 && kind_required(c, kinds, (size_t)id) ? id : -1;
}

/* The kind's name in a query and in a row's data-miss: "site.one-stop", "scanner". */
static void kind_token(char *dst, size_t n, const struct collector *c, const struct ov_kinds *kinds,
		       size_t id)
{
	int cls = kind_class(kinds, (long)id);
	if (cls >= 0)
		snprintf(dst, n, "%s", devclass_name((enum dev_class)cls));
	else
		snprintf(dst, n, "site.%s", c->cfg->site_types[id].name);
}

static void query_parse(struct ov_query *q, const struct page_query *in, const struct collector *c,
			const struct ov_kinds *kinds)
{
	static const struct page_query none = {0};
	long refresh;
	if (!in)
		in = &none;
	memset(q, 0, sizeof(*q));
	q->status = (enum ov_status)pick(in->status, status_arg, ST_COUNT, ST_ALL);
	q->sev = pick(in->sev, sev_arg, 3, 0);
	q->sort = (enum ov_sort)pick(in->sort, sort_arg, SO_COUNT, SO_STATUS);
	q->kind = kind_parse(c, kinds, in->kind);
	if (q->kind >= 0)
		kind_token(q->kind_tok, sizeof(q->kind_tok), c, kinds, (size_t)q->kind);
	q->refresh = OV_REFRESH;
	if (in->refresh && parse_long(in->refresh, -1000000000L, 1000000000L, &refresh) == 0)
		q->refresh = refresh < OV_REFRESH_MIN   ? OV_REFRESH_MIN
			     : refresh > OV_REFRESH_MAX ? OV_REFRESH_MAX
							: (int)refresh;
	/* a search is text people type: bounded, valid UTF-8 without controls, else ignored */
	if (in->q && strlen(in->q) <= OV_Q_MAX && utf8_is_clean(in->q)) {
		const char *s = in->q + strspn(in->q, " ");
		size_t len = strlen(s);
		while (len && s[len - 1] == ' ')
			len--;
		memcpy(q->q, s, len);
		q->q[len] = '\0';
		vnname_fold(q->qkey, sizeof(q->qkey), q->q);
	}
}

/* The query in a URL (after "/?"), without lang; skip_filter leaves the filters out (the
 * figures' links set their own). */
static void query_url(struct strbuf *o, const struct ov_query *q, int skip_filter)
{
	const char *sep = "";
	if (!skip_filter && q->status != ST_ALL) {
		strbuf_printf(o, "status=%s", status_arg[q->status]);
		sep = "&";
	}
	if (!skip_filter && q->sev) {
		strbuf_printf(o, "%ssev=%s", sep, sev_arg[q->sev]);
		sep = "&";
	}
	if (!skip_filter && q->kind >= 0) {
		strbuf_printf(o, "%skind=%s", sep, q->kind_tok);
		sep = "&";
	}
	if (!skip_filter && q->q[0]) {
		strbuf_printf(o, "%sq=", sep);
		strbuf_url(o, q->q);
		sep = "&";
	}
	if (q->sort != SO_STATUS) {
		strbuf_printf(o, "%ssort=%s", sep, sort_arg[q->sort]);
		sep = "&";
	}
	if (q->refresh != OV_REFRESH)
		strbuf_printf(o, "%srefresh=%d", sep, q->refresh);
}

/* ---- Each commune's facts -------------------------------------------------------------- */

static void kinds_init(struct ov_kinds *kinds, const struct collector *c)
{
	memset(kinds, 0, sizeof(*kinds));
	kinds->nst = c->cfg->nsite_types;
	kinds->n = kinds->nst + CLS_COUNT;
	for (size_t s = 0; s < c->cfg->nsite_types; s++)
		for (int t = 0; t < c->cfg->site_types[s].ntargets; t++)
			if (c->cfg->site_types[s].targets[t].sev == SEV_CRITICAL)
				kinds->cls_required[c->cfg->site_types[s].targets[t].cls] = 1;
	for (int t = 0; t < c->cfg->ncommune_targets; t++)
		if (c->cfg->commune_targets[t].kind == CT_CLASS &&
		    c->cfg->commune_targets[t].sev == SEV_CRITICAL)
			kinds->cls_required[c->cfg->commune_targets[t].cls] = 1;
}

/* A target judged now, counted for the kind id. */
static void kind_add(unsigned char *kf, size_t id, const struct target_result *t)
{
	if (t->judging != J_JUDGED)
		return;
	if (t->sev == SEV_CRITICAL) {
		kf[id] |= KF_APPLIES;
		kf[id] |= t->v != V_MET ? KF_NOT_MET : 0;
		kf[id] |= t->v == V_MISSED ? KF_MISS_CRIT : 0;
	} else if (t->v == V_MISSED) {
		kf[id] |= KF_MISS_WARN;
	}
}

/* A site type's number in the configuration the page reads, -1 when it is not one of its. */
static long site_type_index(const struct collector *c, const struct site_type *st)
{
	for (size_t i = 0; st && i < c->cfg->nsite_types; i++)
		if (&c->cfg->site_types[i] == st)
			return (long)i;
	return -1;
}

/* The kinds of one target: its site's type (or the type a commune-wide target counts), and
 * for a class target its class. */
static void kinds_of_target(unsigned char *kf, const struct collector *c,
			    const struct ov_kinds *kinds, const struct site_type *st,
			    const struct target_result *t)
{
	long id = site_type_index(c, t->kind == TK_SITES_MET ? t->site_type : st);
	if (id >= 0)
		kind_add(kf, (size_t)id, t);
	if (t->kind == TK_CLASS_MIN_UP && kinds->cls_required[t->cls])
		kind_add(kf, kinds->nst + t->cls, t);
}

static void row_kinds(struct ov_row *row, const struct collector *c, const struct ov_kinds *kinds,
		      const struct readiness *r)
{
	const struct commune_result *cr = &r->communes[row->k];
	for (int t = 0; t < cr->nctargets; t++)
		kinds_of_target(row->kf, c, kinds, NULL, &cr->targets[t]);
	for (size_t s = 0; s < c->inv->nsites; s++) {
		const struct site_result *sr = &r->sites[s];
		if (c->inv->sites[s].commune != row->k)
			continue;
		for (int t = 0; t < sr->ntargets; t++)
			kinds_of_target(row->kf, c, kinds, sr->type, &sr->targets[t]);
	}
}

struct ov_faults {
	const struct collector *c;
	struct ov_row **by_commune; /* NULL: not seen */
};

/* "A, B": who took a commune's firing faults on, each once. */
static void add_name(char *list, size_t n, const char *name)
{
	size_t len = strlen(list), nl = strlen(name);
	for (const char *p = list; (p = strstr(p, name)) != NULL; p += nl)
		if ((p == list || p[-1] == ' ') && (p[nl] == '\0' || p[nl] == ','))
			return;
	if (len + nl + 3 < n)
		snprintf(list + len, n - len, "%s%s", len ? ", " : "", name);
}

/* Its oldest fault: the alert that fired first and still fires (not in maintenance, not
 * behind a commune uplink that is down: the uplink's own alert counts instead). */
static void fault_seen(void *ctx, const struct alert_view *v)
{
	struct ov_faults *f = ctx;
	long k = alerts_find_commune(f->c->inv, v->commune);
	struct ov_row *row = k >= 0 ? f->by_commune[k] : NULL;
	if (!row || strcmp(v->state, "firing") != 0 || v->in_maint || v->suppressed)
		return;
	if (!row->since || (v->since && v->since < row->since))
		row->since = v->since;
	if (v->acked_by && v->acked_by[0])
		add_name(row->acked, sizeof(row->acked), v->acked_by);
}

static int status_rank(const char *status, int warn)
{
	return strcmp(status, "missed") == 0   ? 0
	       : strcmp(status, "nodata") == 0 ? 1
	       : strcmp(status, "notjudged") == 0 ? 2
	       : warn ? 3
		      : 4;
}

static int row_matches(const struct ov_row *row, const struct ov_query *q, const struct ov_kinds *kinds,
		       const struct collector *c)
{
	static const char *const want[ST_COUNT] = {NULL, "missed", "met", "notjudged", "nodata", NULL};
	if (q->status == ST_WARN ? row->warn == 0
				 : want[q->status] && strcmp(row->status, want[q->status]) != 0)
		return 0;
	if (q->sev || q->kind >= 0) {
		unsigned char mask = q->sev == 1 ? KF_MISS_CRIT : q->sev == 2 ? KF_MISS_WARN
									    : KF_MISS_CRIT | KF_MISS_WARN;
		int any = 0;
		for (size_t id = 0; id < kinds->n && !any; id++)
			any = (q->kind < 0 || (size_t)q->kind == id) && (row->kf[id] & mask);
		if (!any)
			return 0;
	}
	if (q->qkey[0]) {
		char key[OV_KEY_MAX];
		vnname_fold(key, sizeof(key), c->inv->communes[row->k].name);
		if (!strstr(key, q->qkey))
			return 0;
	}
	return 1;
}

/* ---- Sorting ----------------------------------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	const struct ov_row *x = *(struct ov_row *const *)a, *y = *(struct ov_row *const *)b;
	int d = x->sortkey && y->sortkey ? strcmp(x->sortkey, y->sortkey) : 0;
	return d ? d : x->k < y->k ? -1 : x->k > y->k;
}

static int cmp_int(long a, long b) { return a < b ? -1 : a > b; }

static int by_status(const void *a, const void *b)
{
	const struct ov_row *x = *(struct ov_row *const *)a, *y = *(struct ov_row *const *)b;
	int d = cmp_int(x->rank, y->rank);
	return d ? d : cmp_int(x->order, y->order);
}

/* oldest fault first, then those without one by status */
static int by_fault(const void *a, const void *b)
{
	const struct ov_row *x = *(struct ov_row *const *)a, *y = *(struct ov_row *const *)b;
	int d = cmp_int(x->since == 0, y->since == 0);
	if (!d && x->since)
		d = cmp_int((long)x->since, (long)y->since);
	return d ? d : by_status(a, b);
}

static int by_down(const void *a, const void *b)
{
	const struct ov_row *x = *(struct ov_row *const *)a, *y = *(struct ov_row *const *)b;
	int d = cmp_int(y->down, x->down);
	return d ? d : by_status(a, b);
}

/* ---- The page's parts -------------------------------------------------------------------- */

struct ov {
	const struct collector *c;
	enum lang l;
	const struct viewer *v;
	const struct readiness *r;
	time_t now;
	struct ov_query q;
	struct ov_kinds kinds;
	struct ov_row *rows;  /* the communes v sees, in inventory order */
	struct ov_row **view; /* the same, in the query's order */
	struct ov_row **by_commune;
	unsigned char *kf;
	size_t n, shown;
};

static void row_free(struct ov *ov)
{
	for (size_t i = 0; ov->rows && i < ov->n; i++)
		free(ov->rows[i].sortkey);
	free(ov->rows);
	free(ov->view);
	free(ov->by_commune);
	free(ov->kf);
}

static int rows_build(struct ov *ov)
{
	const struct collector *c = ov->c;
	size_t nc = c->inv->ncommunes;
	ov->rows = calloc(nc ? nc : 1, sizeof(*ov->rows));
	ov->view = calloc(nc ? nc : 1, sizeof(*ov->view));
	ov->by_commune = calloc(nc ? nc : 1, sizeof(*ov->by_commune));
	ov->kf = calloc((nc ? nc : 1) * ov->kinds.n, 1);
	if (!ov->rows || !ov->view || !ov->by_commune || !ov->kf)
		return -1;
	for (size_t k = 0; k < nc; k++) {
		const struct commune_result *cr = &ov->r->communes[k];
		if (!viewer_sees(ov->v, c->inv->communes[k].name))
			continue;
		struct ov_row *row = &ov->rows[ov->n];
		row->k = k;
		row->status = page_judged_class(cr->njudged, cr->ntargets, cr->vj);
		row->warn = cr->nwarn_judged;
		row->rank = status_rank(row->status, row->warn);
		row->down = cr->devices - cr->devices_up;
		row->kf = ov->kf + ov->n * ov->kinds.n;
		row->sortkey = vnname_sort_key(c->inv->communes[k].name);
		row_kinds(row, c, &ov->kinds, ov->r);
		ov->by_commune[k] = row;
		ov->view[ov->n++] = row;
	}
	struct ov_faults f = {c, ov->by_commune};
	if (c->alerts)
		alerts_each(c->alerts, c, ov->l, fault_seen, &f);
	qsort(ov->view, ov->n, sizeof(*ov->view), by_name);
	for (size_t i = 0; i < ov->n; i++)
		ov->view[i]->order = (int)i;
	static int (*const cmp[SO_COUNT])(const void *, const void *) = {by_status, by_name, by_fault,
									   by_down};
	qsort(ov->view, ov->n, sizeof(*ov->view), cmp[ov->q.sort]);
	for (size_t i = 0; i < ov->n; i++) {
		ov->view[i]->shown = row_matches(ov->view[i], &ov->q, &ov->kinds, c);
		ov->shown += (size_t)ov->view[i]->shown;
	}
	return 0;
}

/* "09:01" today, "04/12 09:01" another day. */
static void clock_time(char *dst, size_t n, time_t t, time_t now)
{
	struct tm tm, today;
	if (!localtime_r(&t, &tm) || !localtime_r(&now, &today) ||
	    strftime(dst, n, tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday ? "%H:%M"
											  : "%d/%m %H:%M",
		     &tm) == 0)
		snprintf(dst, n, "—");
}

/* How long, in its largest unit: "2 giờ", "3 ngày", "5 phút". */
static void short_age(char *dst, size_t n, const struct collector *c, enum lang l, long s)
{
	long m = s < 60 ? 1 : s / 60, h = m / 60, d = h / 24;
	if (d)
		snprintf(dst, n, "%ld %s", d, T(d == 1 ? "duration.day" : "duration.days"));
	else if (h)
		snprintf(dst, n, "%ld %s", h, T("duration.hours"));
	else
		snprintf(dst, n, "%ld %s", m, T("duration.minutes"));
}

/* "từ 09:01 · 2 giờ", and who took the faults on. */
static void fault_cell(struct strbuf *o, const struct ov *ov, const struct ov_row *row)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	char at[32], age[48];
	if (!row->since)
		return;
	clock_time(at, sizeof(at), row->since, ov->now);
	short_age(age, sizeof(age), c, l, (long)(ov->now - row->since));
	strbuf_printf(o, "<span class=\"since\">%s %s · %s</span>", T("alert.since"), at, age);
	if (row->acked[0]) {
		strbuf_printf(o, " <span class=\"acked\">%s: ", T("alert.acked_by"));
		strbuf_html(o, row->acked);
		strbuf_puts(o, "</span>");
	}
}

static void label_cell(struct strbuf *o, const struct collector *c, enum lang l, const char *cls,
		       const char *key)
{
	strbuf_printf(o, "<td class=\"%s\" data-label=\"%s\">", cls, T(key));
}

/* A row's data for the script, which filters and sorts by the same rules as query_parse. */
static void row_data(struct strbuf *o, const struct ov *ov, const struct ov_row *row)
{
	char tok[CFG_NAME_MAX + 8];
	const char *sep = "";
	strbuf_printf(o, " data-status=\"%s\" data-warn=\"%d\" data-rank=\"%d\" data-order=\"%d\" "
			 "data-since=\"%lld\" data-down=\"%d\" data-miss=\"",
		      row->status, row->warn, row->rank, row->order, (long long)row->since, row->down);
	for (size_t id = 0; id < ov->kinds.n; id++)
		for (int w = 0; w < 2; w++)
			if (row->kf[id] & (w ? KF_MISS_WARN : KF_MISS_CRIT)) {
				kind_token(tok, sizeof(tok), ov->c, &ov->kinds, id);
				strbuf_printf(o, "%s%s:", sep, w ? "warning" : "critical");
				strbuf_html(o, tok);
				sep = " ";
			}
	strbuf_puts(o, "\"");
}

static void commune_row(struct strbuf *o, const struct ov *ov, const struct ov_row *row)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	const struct commune_result *cr = &ov->r->communes[row->k];
	strbuf_printf(o, "<tr id=\"c%zu\" class=\"commune %s\" data-commune=\"", row->k,
		      row->status);
	strbuf_html(o, c->inv->communes[row->k].name);
	strbuf_puts(o, "\"");
	row_data(o, ov, row);
	strbuf_puts(o, row->shown ? ">" : " hidden>");
	label_cell(o, c, l, "name", "col.commune");
	page_commune_link(o, c, row->k, l);
	strbuf_puts(o, "</td>");
	label_cell(o, c, l, "state", "col.status");
	page_commune_badge(o, c, l, cr, row->k);
	strbuf_puts(o, "</td>");
	label_cell(o, c, l, "num sites", "headline.sites_met");
	strbuf_printf(o, "%d/%d</td>", cr->nsites_met, cr->nsites);
	label_cell(o, c, l, "num devices", "headline.devices_up");
	strbuf_printf(o, "%d/%d</td>", cr->devices_up, cr->devices);
	label_cell(o, c, l, "reasons", "summary.missing");
	page_missing_reasons(o, c, ov->r, row->k, l);
	strbuf_puts(o, "</td>");
	label_cell(o, c, l, "fault", "overview.col.fault");
	fault_cell(o, ov, row);
	strbuf_puts(o, "</td></tr>\n");
}

/* One line per commune, the worst first unless asked otherwise; details on its own page. */
static void communes_table(struct strbuf *o, const struct ov *ov)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	strbuf_printf(o, "<section id=\"communes\"><h2>%s</h2>\n<p class=\"count\" aria-live=\"polite\">%s "
			 "<strong id=\"shown\">%zu</strong>/<span id=\"total\">%zu</span> %s</p>\n",
		      T("summary.title"), T("overview.shown"), ov->shown, ov->n, T("overview.communes"));
	strbuf_printf(o, "<p id=\"none-shown\" class=\"none\"%s>%s</p>\n", ov->shown ? " hidden" : "",
		      T("overview.none_shown"));
	strbuf_printf(o, "<table class=\"summary communes\"><thead><tr><th>%s</th><th>%s</th>"
			 "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
		      T("col.commune"), T("col.status"), T("headline.sites_met"),
		      T("headline.devices_up"), T("summary.missing"), T("overview.col.fault"));
	for (size_t i = 0; i < ov->n; i++)
		commune_row(o, ov, ov->view[i]);
	strbuf_puts(o, "</tbody></table></section>\n");
}

/* A kind's name: a class's word ("máy quét") or a site type's label ("Phòng họp trực
 * tuyến"). */
static const char *kind_label(const struct ov *ov, size_t id)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	char key[48];
	int cls = kind_class(&ov->kinds, (long)id);
	if (cls >= 0) {
		snprintf(key, sizeof(key), "class.%s", devclass_name((enum dev_class)cls));
		return T(key);
	}
	const struct site_type *st = &c->cfg->site_types[id];
	return l == LANG_EN && st->label_en[0] ? st->label_en : st->label_vi;
}

/* The kind's words: "xã có Phòng họp trực tuyến đạt chỉ tiêu", "xã đủ máy quét hoạt động". */
static void kind_words(struct strbuf *o, const struct ov *ov, size_t id)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	int cls = kind_class(&ov->kinds, (long)id);
	struct strbuf sb;
	const char *label = kind_label(ov, id);
	const char *const vals[][2] = {{"label", label}, {"class", label}};
	if (strbuf_init(&sb, 1024) == 0 &&
	    text_fill(&sb, T(cls >= 0 ? "overview.kind.class" : "overview.kind.site"), vals, 2) == 0)
		strbuf_html(o, sb.data ? sb.data : "");
	else
		strbuf_html(o, label);
	strbuf_free(&sb);
}

static void kind_link(struct strbuf *o, const struct ov *ov, size_t id, int missed)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	char tok[CFG_NAME_MAX + 8], n[16];
	struct strbuf url, words;
	kind_token(tok, sizeof(tok), c, &ov->kinds, id);
	snprintf(n, sizeof(n), "%d", missed);
	const char *const vals[][2] = {{"n", n}};
	if (strbuf_init(&url, 1024) < 0)
		return;
	strbuf_printf(&url, "/?kind=%s&sev=critical", tok);
	if (ov->q.sort != SO_STATUS || ov->q.refresh != OV_REFRESH) {
		strbuf_puts(&url, "&");
		query_url(&url, &ov->q, 1);
	}
	if (l != LANG_VI)
		strbuf_printf(&url, "&lang=%s", lang_code(l));
	strbuf_puts(o, " · <a href=\"");
	strbuf_html(o, url.data ? url.data : "/");
	strbuf_puts(o, "\">");
	if (strbuf_init(&words, 256) == 0 && text_fill(&words, T("overview.kind.show"), vals, 1) == 0)
		strbuf_html(o, words.data ? words.data : "");
	strbuf_puts(o, "</a>");
	strbuf_free(&words);
	strbuf_free(&url);
}

/* The district's figures per kind of target, over the communes the viewer sees: "142/150 xã
 * có Phòng họp trực tuyến đạt chỉ tiêu", "148/150 xã đủ máy quét hoạt động". */
static void kinds_block(struct strbuf *o, const struct ov *ov)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	char tok[CFG_NAME_MAX + 8];
	int any = 0;
	for (size_t id = 0; id < ov->kinds.n; id++) {
		int cls = kind_class(&ov->kinds, (long)id);
		if (!kind_required(c, &ov->kinds, id))
			continue;
		int judged = 0, met = 0;
		for (size_t i = 0; i < ov->n; i++) {
			judged += (ov->rows[i].kf[id] & KF_APPLIES) != 0;
			met += (ov->rows[i].kf[id] & (KF_APPLIES | KF_NOT_MET)) == KF_APPLIES;
		}
		int has = 0; /* a site of the type, or a commune-wide target, in a commune seen */
		for (size_t s = 0; cls < 0 && !has && s < c->inv->nsites; s++)
			has = ov->r->sites[s].type == &c->cfg->site_types[id] &&
			      viewer_sees(ov->v, c->inv->communes[c->inv->sites[s].commune].name);
		for (int t = 0; cls < 0 && !has && t < c->cfg->ncommune_targets; t++)
			has = c->cfg->commune_targets[t].kind == CT_SITES &&
			      strcmp(c->cfg->commune_targets[t].site_type, c->cfg->site_types[id].name) == 0;
		if (!judged && !has && cls < 0)
			continue;
		if (!any++)
			strbuf_printf(o, "<section id=\"kinds\"><h2>%s</h2>\n<ul class=\"kinds\">\n",
				      T("overview.kinds.title"));
		kind_token(tok, sizeof(tok), c, &ov->kinds, id);
		strbuf_printf(o, "<li class=\"%s\" data-kind=\"%s\" data-met=\"%d\" data-judged=\"%d\">",
			      !judged ? "notjudged" : met < judged ? "missed" : "met", tok, met, judged);
		if (judged)
			strbuf_printf(o, "<strong>%d/%d</strong> ", met, judged);
		else
			strbuf_puts(o, "<strong>—</strong> ");
		kind_words(o, ov, id);
		if (!judged)
			strbuf_printf(o, " <small>(%s)</small>", T("overview.kind.not_judged"));
		if (met < judged)
			kind_link(o, ov, id, judged - met);
		strbuf_puts(o, "</li>\n");
	}
	if (any)
		strbuf_puts(o, "</ul></section>\n");
}

static void option(struct strbuf *o, const char *value, const char *text, int selected)
{
	strbuf_puts(o, "<option value=\"");
	strbuf_html(o, value);
	strbuf_printf(o, "\"%s>", selected ? " selected" : "");
	strbuf_html(o, text);
	strbuf_puts(o, "</option>");
}

static void select_open(struct strbuf *o, const struct collector *c, enum lang l,
			const char *name, const char *key)
{
	strbuf_printf(o, "<label class=\"%s\"><span>%s</span> <select name=\"%s\">", name, T(key),
		      name);
}

static void kind_select(struct strbuf *o, const struct ov *ov)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	char tok[CFG_NAME_MAX + 8];
	select_open(o, c, l, "kind", "overview.filter.kind");
	option(o, "", T("overview.kind.all"), ov->q.kind < 0);
	for (size_t id = 0; id < ov->kinds.n; id++) {
		if (!kind_required(c, &ov->kinds, id))
			continue;
		kind_token(tok, sizeof(tok), c, &ov->kinds, id);
		option(o, tok, kind_label(ov, id), ov->q.kind == (long)id);
	}
	strbuf_puts(o, "</select></label> ");
}

/* Filters and sorting: a plain GET form, so it works without the script, which applies it
 * as one types. */
static void filter_form(struct strbuf *o, const struct ov *ov)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	strbuf_puts(o, "<form id=\"filter\" class=\"filter\" method=\"get\" action=\"/\" role=\"search\">");
	if (l != LANG_VI)
		strbuf_printf(o, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", lang_code(l));
	if (ov->q.refresh != OV_REFRESH)
		strbuf_printf(o, "<input type=\"hidden\" name=\"refresh\" value=\"%d\">", ov->q.refresh);
	strbuf_printf(o, "<label class=\"q\"><span>%s</span> <input type=\"search\" name=\"q\" "
			 "maxlength=\"%d\" autocomplete=\"off\" placeholder=\"%s\" value=\"",
		      T("overview.filter.search"), OV_Q_CHARS, T("overview.filter.search_hint"));
	strbuf_html(o, ov->q.q);
	strbuf_puts(o, "\"></label> ");
	select_open(o, c, l, "status", "col.status");
	for (int i = 0; i < ST_COUNT; i++)
		option(o, i ? status_arg[i] : "", T(status_key[i]), (int)ov->q.status == i);
	strbuf_puts(o, "</select></label> ");
	select_open(o, c, l, "sev", "overview.filter.sev");
	for (int i = 0; i < 3; i++)
		option(o, sev_arg[i], T(sev_key[i]), ov->q.sev == i);
	strbuf_puts(o, "</select></label> ");
	kind_select(o, ov);
	select_open(o, c, l, "sort", "overview.filter.sort");
	for (int i = 0; i < SO_COUNT; i++)
		option(o, i ? sort_arg[i] : "", T(sort_key[i]), (int)ov->q.sort == i);
	strbuf_printf(o, "</select></label> <button type=\"submit\">%s</button> <a class=\"reset\" "
			 "href=\"/%s\">%s</a></form>\n",
		      T("overview.filter.apply"), l == LANG_VI ? "" : "?lang=en",
		      T("overview.filter.reset"));
}

struct probes_table {
	struct strbuf *o;
	const struct collector *c;
	enum lang l;
	time_t now;
};

/* "5 phút trước (14:02)", or "chưa liên lạc". */
static void contact_cell(struct strbuf *o, const struct collector *c, enum lang l,
			 const struct probe_status *p, time_t now)
{
	char ago[64], when[32];
	if (!p || !p->last_contact) {
		strbuf_html(o, T("probes.never"));
		return;
	}
	text_duration(ago, sizeof(ago), c->i18n, l, (long)(now - p->last_contact));
	text_day_time(when, sizeof(when), p->last_contact);
	strbuf_printf(o, "%s %s (%s)", ago, T("probes.ago"), when);
}

static void probe_row(void *ctx, const struct probe_entry *e)
{
	struct probes_table *t = ctx;
	struct strbuf *o = t->o;
	const struct collector *c = t->c;
	enum lang l = t->l;
	const struct probe_status *p = probestat_find(&c->probestat, e->name);
	char when[32];
	strbuf_puts(o, "<tr>");
	label_cell(o, c, l, "name", "probes.name");
	strbuf_html(o, e->name);
	if (e->revoked) {
		strbuf_printf(o, " <span class=\"badge missed\">%s</span>", T("probes.revoked"));
	}
	strbuf_puts(o, "</td>");
	label_cell(o, c, l, "addr", "probes.address");
	strbuf_html(o, p && p->peer[0] ? p->peer : "—");
	strbuf_puts(o, "</td>");
	label_cell(o, c, l, "contact", "probes.contact");
	contact_cell(o, c, l, p, t->now);
	strbuf_puts(o, "</td>");
	label_cell(o, c, l, "spool", "probes.waiting");
	if (p && p->spool_batches && p->spool_oldest > 0) {
		text_day_time(when, sizeof(when), (time_t)p->spool_oldest);
		strbuf_printf(o, "%llu %s, %s %s", (unsigned long long)p->spool_batches,
			      T("probes.batches"), T("probes.oldest"), when);
	} else {
		strbuf_html(o, T("probes.nothing"));
	}
	strbuf_puts(o, "</td>");
	label_cell(o, c, l, "lost", "probes.lost");
	strbuf_printf(o, "%llu %s</td></tr>\n", (unsigned long long)(p ? p->spool_lost : 0),
		      T("probes.batches"));
}

/* Each probe: when it last posted, what waits in its spool, what it lost (district IT's view
 * of the data path, below the communes). */
static void probes_block(struct strbuf *o, const struct collector *c, enum lang l, time_t now)
{
	struct probes_table t = {o, c, l, now};
	if (!c->probes)
		return;
	strbuf_printf(o, "<section id=\"probes\"><h2>%s</h2>\n<table class=\"probes\"><thead><tr>"
			 "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
		      T("probes.title"), T("probes.name"), T("probes.address"), T("probes.contact"),
		      T("probes.waiting"), T("probes.lost"));
	probes_each(c->probes, probe_row, &t);
	strbuf_printf(o, "</tbody></table>\n<p class=\"note\">%s: %llu</p></section>\n",
		      T("probes.refused"), (unsigned long long)c->ingest.st.batches_unauthorized);
}

/* "Cập nhật lúc 03:26 ngày 05/12/2026": when the page was made. */
static void updated_line(char *dst, size_t n, const struct collector *c, enum lang l, time_t now)
{
	char hm[8], day[16];
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(hm, sizeof(hm), "%H:%M", &tm);
	strftime(day, sizeof(day), "%d/%m/%Y", &tm);
	struct strbuf sb;
	const char *const vals[][2] = {{"time", hm}, {"date", day}};
	if (strbuf_init(&sb, n) == 0 && text_fill(&sb, T("headline.updated"), vals, 2) == 0)
		snprintf(dst, n, "%s", sb.data);
	else
		snprintf(dst, n, "%s %s", hm, day);
	strbuf_free(&sb);
}

/* The district's figures at a glance, when they were made, and the way to the report. */
static void headline(struct strbuf *o, const struct collector *c, enum lang l,
		     const struct readiness *r, time_t now, const struct viewer *v)
{
	char when[96], pct[24];
	updated_line(when, sizeof(when), c, l, now);
	text_percent(pct, sizeof(pct), l, readiness_score(r->nmet_judged, r->ntargets_judged));
	if (!viewer_sees_all(v)) { /* district figures are not an officer's to read */
		strbuf_printf(o, "<p class=\"headline\"><span class=\"updated\">%s</span></p></header>\n",
			      when);
		return;
	}
	strbuf_printf(o, "<p class=\"headline\"><strong id=\"communes-met\">%d/%d</strong> %s · %s: %s (%d/%d %s)",
		      r->ncommunes_judged_met, r->ncommunes_judged, T("headline.communes_met"),
		      T("headline.score"), pct, r->nmet_judged, r->ntargets_judged, T("headline.targets"));
	if (r->nwarn_judged)
		strbuf_printf(o, " · <span class=\"warn\">%d %s</span>", r->nwarn_judged,
			      T(r->nwarn_judged == 1 ? "severity.warning_one" : "severity.warnings"));
	if (r->ncommunes_judged < (int)r->ncommunes)
		strbuf_printf(o, " · <span id=\"not-judged\">%d %s</span>",
			      (int)r->ncommunes - r->ncommunes_judged, T("judging.communes_not_now"));
	strbuf_printf(o, " · <span class=\"updated\">%s</span></p></header>\n", when);
	strbuf_printf(o, "<p class=\"periods\"><a href=\"/report?period=month%s\">",
		      l == LANG_VI ? "" : "&amp;lang=en");
	strbuf_html(o, T("report.link"));
	strbuf_puts(o, "</a></p>\n");
}

/* The head: the script (deferred, from this site: no inline script anywhere), and for a
 * browser without it a plain reload every refresh seconds. */
static void overview_head(struct strbuf *o, const struct ov *ov)
{
	const struct collector *c = ov->c;
	enum lang l = ov->l;
	struct strbuf here;
	page_head_open(o, c, l, T("title"), 0);
	strbuf_printf(o, "<script src=\"/static/overview.js\" defer></script><noscript><meta "
			 "http-equiv=\"refresh\" content=\"%d\"></noscript></head>\n"
			 "<body class=\"overview\" data-refresh=\"%d\">\n",
		      ov->q.refresh, ov->q.refresh);
	page_user_bar(o, c, l, ov->v);
	if (strbuf_init(&here, 1024) < 0)
		return;
	strbuf_puts(&here, "/?");
	query_url(&here, &ov->q, 0);
	page_lang_switch(o, l, here.len > 2 && here.data ? here.data : "/");
	strbuf_free(&here);
}

int page_dashboard(struct strbuf *o, const struct collector *c, enum lang l,
		   const struct viewer *v, const struct page_query *query)
{
	struct readiness own = {0};
	time_t now = c->now();
	struct readiness_input in = {c->cfg, c->inv, &c->state, now, NULL};
	const struct readiness *rp = alerts_now(c->alerts, &in, &own);
	if (!rp)
		return -1;
	struct ov ov = {.c = c, .l = l, .v = v, .r = rp, .now = now};
	kinds_init(&ov.kinds, c);
	query_parse(&ov.q, query, c, &ov.kinds);
	int rc = rows_build(&ov);
	if (rc == 0) {
		overview_head(o, &ov);
		strbuf_puts(o, "<header id=\"top\"><h1>");
		strbuf_html(o, T("title"));
		strbuf_puts(o, " — ");
		strbuf_html(o, c->cfg->district);
		strbuf_puts(o, "</h1>");
		headline(o, c, l, rp, now, v);
		kinds_block(o, &ov);
		filter_form(o, &ov);
		communes_table(o, &ov);
		strbuf_puts(o, "<div id=\"alerts-area\">");
		page_alerts_block(o, c, l, v, NULL);
		strbuf_puts(o, "</div>\n");
		page_lan_summary(o, c, l, v);
		if (viewer_sees_all(v))
			probes_block(o, c, l, now);
		strbuf_puts(o, "</body></html>\n");
	}
	row_free(&ov);
	if (rp == &own)
		readiness_free(&own);
	return rc < 0 || o->overflow ? -1 : 0;
}
