/*
 * The period report (/report): readiness over a calendar period from the stored series (the
 * tree history.c builds), as planners read, print and quote it. The period and its headline;
 * sentences ready to paste into a written report; a commune × kind-of-target matrix; the
 * equipment each commune has against what its sites' targets require; two charts; each
 * commune's result with the targets it missed; the period's incidents.
 *
 * A kind of target is what the overview's figures count (overview.c): a site type (its sites
 * meeting their targets) or a device class (its devices up in enough numbers), over the
 * critical targets only (a warning is counted apart). Each commune-wide target joins its kind:
 * "site.meeting-room = 1" the meeting rooms', "portal = 1" the portals'.
 */
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "incidents.h"
#include "pages.h"
#include "period.h"
#include "reportchart.h"
#include "texts.h"
#include "wire.h"

#define T(key) i18n_get(c->i18n, l, key)
/* The share of its time a target must be met over a period (history.c's PERIOD_MET_SHARE),
 * drawn as the chart's guide. */
#define REPORT_GUIDE_PCT 99.0

/* A kind of target, over the critical targets of the period's tree. */
struct rkind {
	int cls;              /* a device class; -1: a site type */
	const char *type;     /* the site type's name (the tree's own string) */
	json_object *named;   /* where its words are: a site, or a commune-wide target */
	const char *name_key; /* "type" (a site) or "site_type" (a commune-wide target) */
	int met, missed, nodata; /* communes, by their cell's verdict */
};

/* A commune's targets of one kind, folded: missed if one is, the lowest share and coverage. */
struct rcell {
	int n; /* targets; 0: the commune has none of the kind */
	enum verdict v;
	double share;    /* 0..1; NaN: none had data */
	double coverage; /* 0..1 */
};

struct rp {
	const struct collector *c;
	enum lang l;
	json_object *dist;
	json_object **co; /* the communes the viewer sees, in the tree's order */
	size_t nco;
	struct rkind *kinds;
	size_t nkinds, capkinds;
	struct rcell *cells; /* nco × nkinds */
};

/* A share from the period's JSON in the page's words: "90,5 %", "—" when it has no data. */
static void json_percent(char *dst, size_t n, enum lang l, json_object *o, const char *key,
			 double scale)
{
	json_object *v;
	double x = json_object_object_get_ex(o, key, &v) && v ? json_object_get_double(v) * scale
							     : NAN;
	text_percent(dst, n, l, x);
}

static json_object *member_array(json_object *o, const char *key)
{
	json_object *a;
	return json_object_object_get_ex(o, key, &a) && json_object_is_type(a, json_type_array) ? a
												  : NULL;
}

static size_t array_len(json_object *a)
{
	return a ? json_object_array_length(a) : 0;
}

static int critical(json_object *to)
{
	return strcmp(json_member_str(to, "severity"), "warning") != 0;
}

/* ---- Kinds of target and the matrix's cells ------------------------------------------ */

static long kind_find(const struct rp *r, int cls, const char *type)
{
	for (size_t k = 0; k < r->nkinds; k++)
		if (cls >= 0 ? r->kinds[k].cls == cls
			     : r->kinds[k].cls < 0 && strcmp(r->kinds[k].type, type) == 0)
			return (long)k;
	return -1;
}

static int kind_add(struct rp *r, int cls, const char *type, json_object *named,
		    const char *name_key)
{
	if (kind_find(r, cls, type) >= 0)
		return 0;
	if (r->nkinds == r->capkinds) {
		size_t cap = r->capkinds ? 2 * r->capkinds : 16;
		struct rkind *k = realloc(r->kinds, cap * sizeof(*k));
		if (!k)
			return -1;
		r->kinds = k;
		r->capkinds = cap;
	}
	r->kinds[r->nkinds++] = (struct rkind){.cls = cls, .type = type, .named = named,
					       .name_key = name_key};
	return 0;
}

/* The site type a target counts for (its site's, or the one a commune-wide target counts
 * sites of), NULL for none; *named and *key: where its words are. */
static const char *target_type(json_object *site, json_object *to, json_object **named,
			       const char **key)
{
	*named = site ? site : to;
	*key = site ? "type" : "site_type";
	if (site)
		return json_member_str(site, "type");
	return strcmp(json_member_str(to, "kind"), "sites_met") == 0 ? json_member_str(to, "site_type")
								     : NULL;
}

/* The device class of a class target, -1 for any other. */
static int target_class(json_object *to)
{
	if (strcmp(json_member_str(to, "kind"), "class_min_up") != 0)
		return -1;
	int cls = devclass_parse(json_member_str(to, "class"));
	return cls >= 0 && cls < CLS_COUNT ? cls : -1;
}

typedef int (*target_fn)(struct rp *r, size_t i, json_object *site, json_object *to);

/* fn for each critical target of commune i: its sites', then its own; what they returned
 * or'ed together (-1 stays -1: out of memory; find_class returns a bit per class). */
static int each_target(struct rp *r, size_t i, target_fn fn)
{
	json_object *sites = member_array(r->co[i], "sites"), *own = member_array(r->co[i], "targets");
	int rc = 0;
	for (size_t s = 0; s < array_len(sites); s++) {
		json_object *so = json_object_array_get_idx(sites, s), *ts = member_array(so, "targets");
		for (size_t t = 0; t < array_len(ts); t++)
			if (critical(json_object_array_get_idx(ts, t)))
				rc |= fn(r, i, so, json_object_array_get_idx(ts, t));
	}
	for (size_t t = 0; t < array_len(own); t++)
		if (critical(json_object_array_get_idx(own, t)))
			rc |= fn(r, i, NULL, json_object_array_get_idx(own, t));
	return rc;
}

static int find_site_kind(struct rp *r, size_t i, json_object *site, json_object *to)
{
	(void)i;
	json_object *named;
	const char *key, *type = target_type(site, to, &named, &key);
	return type && type[0] ? kind_add(r, -1, type, named, key) : 0;
}

static int find_class(struct rp *r, size_t i, json_object *site, json_object *to)
{
	(void)r, (void)i, (void)site;
	return target_class(to) >= 0 ? 1 << target_class(to) : 0;
}

static void cell_add(struct rcell *cell, json_object *to)
{
	json_object *s;
	double share = json_object_object_get_ex(to, "met_share", &s) && s ? json_object_get_double(s)
									     : NAN;
	double cov = json_member_num(to, "coverage");
	enum verdict v = judge_parse(json_member_str(to, "verdict"));
	cell->v = cell->n ? judge_and(cell->v, v) : v;
	if (!isnan(share) && (isnan(cell->share) || share < cell->share))
		cell->share = share;
	if (!cell->n || cov < cell->coverage)
		cell->coverage = cov;
	cell->n++;
}

static int fill_cells(struct rp *r, size_t i, json_object *site, json_object *to)
{
	json_object *named;
	const char *key, *type = target_type(site, to, &named, &key);
	long k = type && type[0] ? kind_find(r, -1, type) : -1;
	int cls = target_class(to);
	if (k >= 0)
		cell_add(&r->cells[i * r->nkinds + (size_t)k], to);
	if (cls >= 0 && (k = kind_find(r, cls, NULL)) >= 0)
		cell_add(&r->cells[i * r->nkinds + (size_t)k], to);
	return 0;
}

/* The kinds (site types as they first appear, then classes in their order) and the cells. */
static int kinds_build(struct rp *r)
{
	int classes = 0;
	for (size_t i = 0; i < r->nco; i++)
		if (each_target(r, i, find_site_kind) < 0)
			return -1;
	for (size_t i = 0; i < r->nco; i++)
		classes |= each_target(r, i, find_class);
	for (int cls = 0; cls < CLS_COUNT; cls++)
		if ((classes & (1 << cls)) && kind_add(r, cls, NULL, NULL, NULL) < 0)
			return -1;
	r->cells = calloc(r->nco * r->nkinds + 1, sizeof(*r->cells));
	if (!r->cells)
		return -1;
	for (size_t i = 0; i < r->nco * r->nkinds; i++)
		r->cells[i].share = NAN;
	for (size_t i = 0; i < r->nco; i++)
		each_target(r, i, fill_cells);
	for (size_t k = 0; k < r->nkinds; k++)
		for (size_t i = 0; i < r->nco; i++) {
			const struct rcell *cell = &r->cells[i * r->nkinds + k];
			r->kinds[k].met += cell->n && cell->v == V_MET;
			r->kinds[k].missed += cell->n && cell->v == V_MISSED;
			r->kinds[k].nodata += cell->n && cell->v == V_NODATA;
		}
	return 0;
}

/* A kind in words: the site type's label, or the class's ("máy quét"). */
static const char *kind_words(const struct rp *r, const struct rkind *k, char *buf, size_t n)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	char key[48];
	if (k->cls < 0)
		return text_tree_site_type(k->named, k->name_key, l);
	snprintf(key, sizeof(key), "class.%s", devclass_name((enum dev_class)k->cls));
	snprintf(buf, n, "%s", T(key));
	return buf;
}

/* ---- Sentences to paste ---------------------------------------------------------------- */

/* The period as a sentence ends: "trong tháng 11/2026", "trong quý 4/2026", "từ 02/11 đến
 * 08/11/2026" (period_label's calendar units, in the catalogue's report.says.* words). */
static void says_period(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	time_t a = (time_t)json_member_num(r->dist, "from_ts"), b = (time_t)json_member_num(r->dist, "end_ts");
	time_t last = b - 1;
	struct tm ta, tb, tl;
	char x[32] = "", y[32] = "";
	const char *key = "report.says.span";
	localtime_r(&a, &ta);
	localtime_r(&b, &tb);
	localtime_r(&last, &tl);
	int months = (tb.tm_year - ta.tm_year) * 12 + tb.tm_mon - ta.tm_mon;
	int midnights = !ta.tm_hour && !ta.tm_min && !ta.tm_sec && !tb.tm_hour && !tb.tm_min && !tb.tm_sec;
	int whole = midnights && ta.tm_mday == 1 && tb.tm_mday == 1;
	if (midnights && a + 86400 >= b) {
		key = "report.says.day";
		strftime(x, sizeof(x), "%d/%m/%Y", &ta);
	} else if (whole && months == 1) {
		key = "report.says.month";
		snprintf(x, sizeof(x), "%d", ta.tm_mon + 1);
	} else if (whole && months == 3 && ta.tm_mon % 3 == 0) {
		key = "report.says.quarter";
		snprintf(x, sizeof(x), "%d", ta.tm_mon / 3 + 1);
	} else if (whole && months == 12 && ta.tm_mon == 0) {
		key = "report.says.year";
	} else if (midnights) {
		strftime(x, sizeof(x), ta.tm_year == tl.tm_year ? "%d/%m" : "%d/%m/%Y", &ta);
		strftime(y, sizeof(y), "%d/%m/%Y", &tl);
	} else {
		strftime(x, sizeof(x), "%d/%m/%Y %H:%M", &ta);
		strftime(y, sizeof(y), ta.tm_yday == tb.tm_yday && ta.tm_year == tb.tm_year
					   ? "%H:%M" : "%d/%m/%Y %H:%M", &tb);
	}
	char year[16];
	snprintf(year, sizeof(year), "%d", ta.tm_year + 1900);
	const char *const vals[][2] = {{"date", x},    {"month", x}, {"quarter", x},
				       {"year", year}, {"from", x},  {"to", y}};
	text_fill(o, T(key), vals, 6);
}

/* " (tính đến 20/11/2026; 1 xã chưa có dữ liệu)": a period judged up to now, communes
 * without data; "" when neither. */
static void says_note(struct strbuf *o, const struct rp *r, int nodata)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	time_t to = (time_t)json_member_num(r->dist, "to_ts");
	int until = json_member_num(r->dist, "to_ts") < json_member_num(r->dist, "end_ts");
	char date[32], n[16];
	struct tm tm;
	localtime_r(&to, &tm);
	strftime(date, sizeof(date), "%d/%m/%Y", &tm);
	snprintf(n, sizeof(n), "%d", nodata);
	const char *const vals[][2] = {{"date", date}, {"n", n}};
	if (!until && !nodata)
		return;
	strbuf_puts(o, " (");
	if (until)
		text_fill(o, T("report.says.until"), vals, 1);
	strbuf_puts(o, until && nodata ? "; " : "");
	if (nodata)
		text_fill(o, T("report.says.no_data"), vals + 1, 1);
	strbuf_puts(o, ")");
}

/* One sentence, a <p> of plain text: "10/10 xã có Bộ phận một cửa đạt chỉ tiêu …". */
static void say(struct strbuf *o, const struct rp *r, const char *key, const char *what, int met,
		int total, int nodata)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	char n[16], all[16];
	struct strbuf period, note, line;
	snprintf(n, sizeof(n), "%d", met);
	snprintf(all, sizeof(all), "%d", total);
	if (strbuf_init(&period, 512) < 0)
		return;
	if (strbuf_init(&note, 512) == 0) {
		if (strbuf_init(&line, 4096) == 0) {
			says_period(&period, r);
			says_note(&note, r, nodata);
			const char *const vals[][2] = {
			    {"n", n},		     {"total", all}, {"label", what},
			    {"class", what},	     {"period", period.data ? period.data : ""},
			    {"note", note.data ? note.data : ""}};
			text_fill(&line, T(key), vals, 6);
			strbuf_puts(o, "<p>");
			strbuf_html(o, line.data ? line.data : "");
			strbuf_puts(o, "</p>\n");
			strbuf_free(&line);
		}
		strbuf_free(&note);
	}
	strbuf_free(&period);
}

static void section_says(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	int met = 0, nodata = 0;
	char buf[CFG_TEXT_MAX];
	for (size_t i = 0; i < r->nco; i++) {
		enum verdict v = judge_parse(json_member_str(r->co[i], "verdict"));
		met += v == V_MET;
		nodata += v == V_NODATA;
	}
	strbuf_printf(o, "<section id=\"says\" class=\"says\"><h2>%s</h2>\n", T("report.says.title"));
	say(o, r, "report.says.all", "", met, (int)r->nco, nodata);
	for (int pass = 0; pass < 2; pass++) /* site types, then classes */
		for (size_t k = 0; k < r->nkinds; k++) {
			const struct rkind *kd = &r->kinds[k];
			if ((kd->cls < 0) != (pass == 0))
				continue;
			say(o, r, pass ? "report.says.class" : "report.says.site",
			    kind_words(r, kd, buf, sizeof(buf)), kd->met, kd->met + kd->missed + kd->nodata,
			    kd->nodata);
		}
	strbuf_puts(o, "</section>\n");
}

/* ---- The matrix ------------------------------------------------------------------------- */

static void matrix_cell(struct strbuf *o, const struct rp *r, const struct rcell *cell)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	char pct[24];
	if (!cell->n) {
		strbuf_puts(o, "<td class=\"na\"></td>");
		return;
	}
	text_percent(pct, sizeof(pct), l, cell->share * 100);
	strbuf_printf(o, "<td class=\"%s\">%s", page_verdict_class(cell->v), pct);
	if (!isnan(cell->share) && cell->coverage < 1) {
		text_percent(pct, sizeof(pct), l, cell->coverage * 100);
		strbuf_printf(o, " <small class=\"cover\">%s %s</small>", T("report.matrix.data"), pct);
	}
	strbuf_puts(o, "</td>");
}

static void matrix_head(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	char buf[CFG_TEXT_MAX];
	strbuf_printf(o, "<thead><tr><th scope=\"col\" class=\"name\">%s</th>", T("col.commune"));
	for (size_t k = 0; k < r->nkinds; k++) {
		strbuf_printf(o, "<th scope=\"col\" class=\"%s\">", r->kinds[k].cls < 0 ? "site" : "class");
		strbuf_html(o, kind_words(r, &r->kinds[k], buf, sizeof(buf)));
		strbuf_puts(o, "</th>");
	}
	strbuf_printf(o, "<th scope=\"col\" class=\"score\">%s</th></tr></thead>\n", T("headline.score"));
}

/* The communes meeting each kind, and the district's score. */
static void matrix_foot(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	char pct[24];
	strbuf_printf(o, "<tfoot><tr><th scope=\"row\" class=\"name\">%s</th>", T("report.matrix.total"));
	for (size_t k = 0; k < r->nkinds; k++) {
		const struct rkind *kd = &r->kinds[k];
		int total = kd->met + kd->missed + kd->nodata;
		strbuf_printf(o, "<td class=\"%s\">%d/%d</td>", kd->met == total ? "met" : "missed",
			      kd->met, total);
	}
	json_percent(pct, sizeof(pct), l, r->dist, "score", 1);
	strbuf_printf(o, "<td class=\"score\">%s</td></tr></tfoot>\n", pct);
}

static void section_matrix(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	char pct[24];
	strbuf_printf(o, "<section id=\"matrix\" class=\"matrix\"><h2>%s</h2>\n<div class=\"scroll\">"
			 "<table class=\"matrix kinds\">",
		      T("report.matrix.title"));
	matrix_head(o, r);
	strbuf_puts(o, "<tbody>\n");
	for (size_t i = 0; i < r->nco; i++) {
		enum verdict v = judge_parse(json_member_str(r->co[i], "verdict"));
		strbuf_printf(o, "<tr class=\"%s\"><th scope=\"row\" class=\"name\">", page_verdict_class(v));
		strbuf_html(o, json_member_str(r->co[i], "name"));
		strbuf_puts(o, "</th>");
		for (size_t k = 0; k < r->nkinds; k++)
			matrix_cell(o, r, &r->cells[i * r->nkinds + k]);
		json_percent(pct, sizeof(pct), l, r->co[i], "score", 1);
		strbuf_printf(o, "<td class=\"score %s\">%s</td></tr>\n", page_verdict_class(v), pct);
	}
	strbuf_puts(o, "</tbody>\n");
	matrix_foot(o, r);
	strbuf_printf(o, "</table></div>\n<p class=\"note\">%s %s %s</p></section>\n",
		      T("report.matrix.note"), T("report.matrix.note_more"), T("report.matrix.note_empty"));
}

/* ---- Equipment: what each commune has against what its sites' targets require --------- */

struct equip {
	int have[CLS_COUNT], need[CLS_COUNT];
	unsigned char short_of[CLS_COUNT]; /* fewer than needed, in the commune or at a site */
};

/* The classes some class target of the configuration requires: a bit each. */
static int equip_classes(const struct hbmon_config *cfg)
{
	int mask = 0;
	for (size_t s = 0; s < cfg->nsite_types; s++)
		for (int t = 0; t < cfg->site_types[s].ntargets; t++)
			if (cfg->site_types[s].targets[t].min_up > 0)
				mask |= 1 << cfg->site_types[s].targets[t].cls;
	for (int t = 0; t < cfg->ncommune_targets; t++)
		if (cfg->commune_targets[t].kind == CT_CLASS && cfg->commune_targets[t].need != 0)
			mask |= 1 << cfg->commune_targets[t].cls;
	return mask;
}

/*
 * Commune k's devices by class (the inventory's) against the sum of its sites' class minimums
 * (a site is short when it has fewer of the class than its type asks); a commune-wide target
 * that asks for more sites of a type than it has adds what those missing sites would need, and
 * one asking for devices of a class anywhere in the commune for at least that many ("all":
 * every one listed, never short). site_cls: devices per site and class; ntype: scratch, one
 * per site type.
 */
static void equip_commune(const struct collector *c, const int (*site_cls)[CLS_COUNT], size_t k,
			  struct equip *e, int *ntype)
{
	const struct hbmon_config *cfg = c->cfg;
	memset(e, 0, sizeof(*e));
	memset(ntype, 0, (cfg->nsite_types ? cfg->nsite_types : 1) * sizeof(int));
	for (size_t s = 0; s < c->inv->nsites; s++) {
		if (c->inv->sites[s].commune != k)
			continue;
		for (int cls = 0; cls < CLS_COUNT; cls++)
			e->have[cls] += site_cls[s][cls];
		const struct site_type *st = config_site_type(cfg, c->inv->sites[s].type);
		if (!st)
			continue;
		ntype[st - cfg->site_types]++;
		for (int t = 0; t < st->ntargets; t++) {
			e->need[st->targets[t].cls] += st->targets[t].min_up;
			e->short_of[st->targets[t].cls] |= site_cls[s][st->targets[t].cls] < st->targets[t].min_up;
		}
	}
	for (int t = 0; t < cfg->ncommune_targets; t++) {
		const struct commune_target *ct = &cfg->commune_targets[t];
		const struct site_type *st = ct->kind == CT_SITES ? config_site_type(cfg, ct->site_type) : NULL;
		int sites = st ? ntype[st - cfg->site_types] : 0;
		for (int u = 0; st && ct->need > sites && u < st->ntargets; u++) {
			e->need[st->targets[u].cls] += (ct->need - sites) * st->targets[u].min_up;
			e->short_of[st->targets[u].cls] |= st->targets[u].min_up > 0;
		}
		if (ct->kind == CT_CLASS && ct->need > e->need[ct->cls])
			e->need[ct->cls] = ct->need;
		if (ct->kind == CT_CLASS && ct->need == CT_NEED_ALL && e->have[ct->cls] > e->need[ct->cls])
			e->need[ct->cls] = e->have[ct->cls];
	}
	for (int cls = 0; cls < CLS_COUNT; cls++)
		e->short_of[cls] |= e->have[cls] < e->need[cls];
}

static long inv_commune(const struct collector *c, const char *name)
{
	for (size_t k = 0; k < c->inv->ncommunes; k++)
		if (strcmp(c->inv->communes[k].name, name) == 0)
			return (long)k;
	return -1;
}

static void equip_head(struct strbuf *o, const struct collector *c, enum lang l, int classes)
{
	char key[48];
	strbuf_printf(o, "<thead><tr><th scope=\"col\" class=\"name\">%s</th>", T("col.commune"));
	for (int cls = 0; cls < CLS_COUNT; cls++) {
		if (!(classes & (1 << cls)))
			continue;
		snprintf(key, sizeof(key), "class.%s", devclass_name((enum dev_class)cls));
		strbuf_puts(o, "<th scope=\"col\" class=\"class\">");
		strbuf_html(o, T(key));
		strbuf_puts(o, "</th>");
	}
	strbuf_puts(o, "</tr></thead>\n<tbody>\n");
}

static void equip_row(struct strbuf *o, const char *name, const struct equip *e, int classes)
{
	strbuf_puts(o, "<tr><th scope=\"row\" class=\"name\">");
	strbuf_html(o, name);
	strbuf_puts(o, "</th>");
	for (int cls = 0; cls < CLS_COUNT; cls++) {
		if (!(classes & (1 << cls)))
			continue;
		if (!e)
			strbuf_puts(o, "<td class=\"na\">—</td>");
		else if (!e->have[cls] && !e->need[cls])
			strbuf_puts(o, "<td class=\"na\"></td>");
		else
			strbuf_printf(o, "<td class=\"%s\">%d/%d</td>", e->short_of[cls] ? "short" : "enough",
				      e->have[cls], e->need[cls]);
	}
	strbuf_puts(o, "</tr>\n");
}

/* The district's row: the sums, and how many communes are short of each class. */
static void equip_total(struct strbuf *o, const struct rp *r, const struct equip *sum,
			const int *nshort, int classes)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	strbuf_puts(o, "</tbody>\n<tfoot><tr><th scope=\"row\" class=\"name\">");
	strbuf_html(o, c->cfg->district);
	strbuf_puts(o, "</th>");
	for (int cls = 0; cls < CLS_COUNT; cls++) {
		if (!(classes & (1 << cls)))
			continue;
		strbuf_printf(o, "<td class=\"%s\">%d/%d", nshort[cls] ? "short" : "enough", sum->have[cls],
			      sum->need[cls]);
		if (nshort[cls]) {
			char n[16];
			struct strbuf words;
			snprintf(n, sizeof(n), "%d", nshort[cls]);
			const char *const vals[][2] = {{"n", n}};
			if (strbuf_init(&words, 512) == 0) {
				text_fill(&words, T("report.equipment.short"), vals, 1);
				strbuf_puts(o, " <small>(");
				strbuf_html(o, words.data ? words.data : "");
				strbuf_puts(o, ")</small>");
				strbuf_free(&words);
			}
		}
		strbuf_puts(o, "</td>");
	}
	strbuf_puts(o, "</tr></tfoot>\n");
}

static void section_equipment(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	int classes = equip_classes(c->cfg), nshort[CLS_COUNT] = {0};
	int(*site_cls)[CLS_COUNT] = calloc(c->inv->nsites + 1, sizeof(*site_cls));
	int *ntype = calloc(c->cfg->nsite_types + 1, sizeof(int));
	struct equip e, sum;
	memset(&sum, 0, sizeof(sum));
	if (!classes || !site_cls || !ntype) {
		free(site_cls);
		free(ntype);
		return;
	}
	for (size_t d = 0; d < c->inv->ndevices; d++)
		site_cls[c->inv->devices[d].site][c->inv->devices[d].cls]++;
	strbuf_printf(o, "<section id=\"equipment\" class=\"equipment\"><h2>%s</h2>\n<p class=\"note\">"
			 "%s %s</p>\n<div class=\"scroll\"><table class=\"matrix equipment\">",
		      T("report.equipment.title"), T("report.equipment.note"),
		      T("report.equipment.note_short"));
	equip_head(o, c, l, classes);
	for (size_t i = 0; i < r->nco; i++) {
		const char *name = json_member_str(r->co[i], "name");
		long k = inv_commune(c, name); /* the inventory may have changed since: by name */
		if (k >= 0)
			equip_commune(c, (const int(*)[CLS_COUNT])site_cls, (size_t)k, &e, ntype);
		for (int cls = 0; k >= 0 && cls < CLS_COUNT; cls++) {
			sum.have[cls] += e.have[cls];
			sum.need[cls] += e.need[cls];
			nshort[cls] += e.short_of[cls];
		}
		equip_row(o, name, k >= 0 ? &e : NULL, classes);
	}
	equip_total(o, r, &sum, nshort, classes);
	strbuf_puts(o, "</table></div></section>\n");
	free(site_cls);
	free(ntype);
}

/* ---- Charts ----------------------------------------------------------------------------- */

struct bar_slot {
	size_t i;
	double score; /* NaN: no data */
	char value[24];
};

/* The worst first: no data, then the lowest score; the tree's order among equals. */
static int bar_cmp(const void *pa, const void *pb)
{
	const struct bar_slot *a = pa, *b = pb;
	int na = isnan(a->score), nb = isnan(b->score);
	if (na != nb)
		return na ? -1 : 1;
	if (!na && a->score != b->score)
		return a->score < b->score ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void chart_communes(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	struct bar_slot *slot = calloc(r->nco + 1, sizeof(*slot));
	struct chart_bar *bars = calloc(r->nco + 1, sizeof(*bars));
	char guide[24];
	if (slot && bars) {
		for (size_t i = 0; i < r->nco; i++) {
			json_object *s;
			slot[i].i = i;
			slot[i].score = json_object_object_get_ex(r->co[i], "score", &s) && s
					    ? json_object_get_double(s) : NAN;
			text_percent(slot[i].value, sizeof(slot[i].value), l, slot[i].score);
		}
		qsort(slot, r->nco, sizeof(*slot), bar_cmp);
		for (size_t i = 0; i < r->nco; i++)
			bars[i] = (struct chart_bar){
			    .label = json_member_str(r->co[slot[i].i], "name"), .pct = slot[i].score,
			    .value = slot[i].value,
			    .cls = page_verdict_class(judge_parse(json_member_str(r->co[slot[i].i], "verdict")))};
		text_percent(guide, sizeof(guide), l, REPORT_GUIDE_PCT);
		strbuf_printf(o, "<figure class=\"chart\" id=\"chart-communes\"><figcaption>%s</figcaption>\n",
			      T("report.chart.communes"));
		chart_share_bars(o, T("report.chart.communes"), bars, r->nco, REPORT_GUIDE_PCT, guide);
		strbuf_puts(o, "</figure>\n");
	}
	free(slot);
	free(bars);
}

static void chart_kinds(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	struct chart_count *rows = calloc(r->nkinds + 1, sizeof(*rows));
	char(*words)[CFG_TEXT_MAX] = calloc(r->nkinds + 1, sizeof(*words));
	char(*value)[32] = calloc(r->nkinds + 1, sizeof(*value));
	const char *const legend[3] = {T("target.met"), T("target.missed"), T("target.no_data")};
	if (rows && words && value && r->nkinds) {
		for (size_t k = 0; k < r->nkinds; k++) {
			const struct rkind *kd = &r->kinds[k];
			snprintf(value[k], sizeof(value[k]), "%d/%d", kd->met, kd->met + kd->missed + kd->nodata);
			rows[k] = (struct chart_count){.label = kind_words(r, kd, words[k], sizeof(words[k])),
						       .met = kd->met, .missed = kd->missed,
						       .nodata = kd->nodata, .value = value[k]};
		}
		strbuf_printf(o, "<figure class=\"chart\" id=\"chart-kinds\"><figcaption>%s</figcaption>\n",
			      T("report.chart.kinds"));
		chart_count_bars(o, T("report.chart.kinds"), rows, r->nkinds, legend);
		strbuf_puts(o, "</figure>\n");
	}
	free(rows);
	free(words);
	free(value);
}

static void section_charts(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	strbuf_printf(o, "<section id=\"charts\" class=\"charts\"><h2>%s</h2>\n", T("report.charts.title"));
	chart_communes(o, r);
	chart_kinds(o, r);
	strbuf_puts(o, "</section>\n");
}

/* ---- Each commune's result, the targets it missed -------------------------------------- */

/* A commune's target missed over the period: "Một cửa: máy quét 90,5 %" (a warning marked). */
static void report_missed_one(struct strbuf *o, const struct collector *c, enum lang l,
			      const char *place, json_object *to, int *first)
{
	char pct[24];
	struct strbuf words;
	if (strcmp(json_member_str(to, "verdict"), "missed") != 0)
		return;
	strbuf_puts(o, *first ? "" : "; ");
	if (strcmp(json_member_str(to, "severity"), "warning") == 0)
		strbuf_printf(o, "<span class=\"warn\">%s:</span> ", T("severity.warning"));
	strbuf_html(o, place);
	strbuf_puts(o, ": ");
	if (strbuf_init(&words, 4096) == 0) {
		text_period_target(&words, c->i18n, l, to, 1);
		strbuf_html(o, words.data ? words.data : "");
		strbuf_free(&words);
	}
	json_percent(pct, sizeof(pct), l, to, "met_share", 100);
	strbuf_printf(o, " %s", pct);
	*first = 0;
}

/* Its sites' targets missed, then its commune-wide ones. */
static void report_missed(struct strbuf *o, const struct collector *c, enum lang l,
			  json_object *co)
{
	json_object *sites = member_array(co, "sites"), *own = member_array(co, "targets");
	int first = 1;
	for (size_t s = 0; s < array_len(sites); s++) {
		json_object *so = json_object_array_get_idx(sites, s), *ts = member_array(so, "targets");
		for (size_t t = 0; t < array_len(ts); t++)
			report_missed_one(o, c, l, json_member_str(so, "name"),
					  json_object_array_get_idx(ts, t), &first);
	}
	for (size_t t = 0; t < array_len(own); t++)
		report_missed_one(o, c, l, T("report.commune_wide"), json_object_array_get_idx(own, t),
				  &first);
}

/* A commune's line: its verdict, score (with its coverage when data is missing) and the
 * targets it missed. */
static void report_row(struct strbuf *o, const struct collector *c, enum lang l, json_object *co)
{
	enum verdict v = judge_parse(json_member_str(co, "verdict"));
	char pct[24], cover[24];
	json_percent(pct, sizeof(pct), l, co, "score", 1);
	json_percent(cover, sizeof(cover), l, co, "coverage", 100);
	strbuf_printf(o, "<tr class=\"%s\"><td>", page_verdict_class(v));
	strbuf_html(o, json_member_str(co, "name"));
	int warn = (int)json_member_num(co, "warnings");
	strbuf_printf(o, "</td><td><span class=\"badge %s\">%s</span>", page_verdict_class(v),
		      page_verdict_text(c, l, v));
	if (warn > 0)
		strbuf_printf(o, " <span class=\"badge warn\">%d %s</span>", warn,
			      T(warn == 1 ? "severity.warning_one" : "severity.warnings"));
	strbuf_printf(o, "</td><td>%s", pct);
	if (json_member_num(co, "coverage") < 1)
		strbuf_printf(o, " <small class=\"nodata-note\">(%s %s)</small>", T("report.coverage"),
			      cover);
	strbuf_puts(o, "</td><td class=\"reasons\">");
	report_missed(o, c, l, co);
	strbuf_puts(o, "</td></tr>\n");
}

static void section_results(struct strbuf *o, const struct rp *r)
{
	const struct collector *c = r->c;
	enum lang l = r->l;
	strbuf_printf(o, "<section id=\"results\" class=\"results\"><h2>%s</h2>\n"
			 "<table class=\"summary\"><thead><tr><th>%s</th><th>%s</th>"
			 "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
		      T("report.results.title"), T("col.commune"), T("col.status"), T("headline.score"),
		      T("report.missed"));
	for (size_t i = 0; i < r->nco; i++)
		report_row(o, c, l, r->co[i]);
	strbuf_puts(o, "</tbody></table></section>\n");
}

/* ---- Incidents -------------------------------------------------------------------------- */

static void incident_row(struct strbuf *o, const struct collector *c, enum lang l,
			 const struct incident *i, time_t to)
{
	char start[32], end[32], lasted[64];
	text_day_time(start, sizeof(start), i->start);
	text_day_time(end, sizeof(end), i->end);
	text_duration(lasted, sizeof(lasted), c->i18n, l, (long)((i->end ? i->end : to) - i->start));
	strbuf_puts(o, "<tr><td>");
	strbuf_html(o, i->commune);
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, i->start ? start : T("incidents.before"));
	strbuf_printf(o, "</td><td%s>", i->end ? "" : " class=\"missed\"");
	strbuf_html(o, i->end ? end : T("incidents.open"));
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, i->start ? lasted : "");
	strbuf_puts(o, "</td><td class=\"reasons\">");
	strbuf_html(o, l == LANG_EN && i->text_en[0] ? i->text_en : i->text);
	strbuf_puts(o, "</td></tr>\n");
}

/* What went wrong in the period and for how long, newest first: the alert history. */
static void report_incidents(struct strbuf *o, const struct collector *c, enum lang l,
			     time_t from, time_t to)
{
	struct incidents in;
	incidents_load(&in, c->store, from, to);
	strbuf_puts(o, "<section id=\"period-incidents\" class=\"period-incidents\"><h2 id=\"incidents\">");
	strbuf_html(o, T("incidents.title"));
	strbuf_puts(o, "</h2>\n");
	if (!in.n) {
		strbuf_printf(o, "<p>%s</p></section>\n", T("incidents.none"));
		incidents_free(&in);
		return;
	}
	if (in.truncated)
		strbuf_printf(o, "<p>%s</p>\n", T("incidents.truncated"));
	strbuf_printf(o, "<table class=\"incidents\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
			 "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
		      T("col.commune"), T("incidents.started"), T("incidents.resolved"),
		      T("incidents.lasted"), T("incidents.what"));
	for (size_t k = in.n; k-- > 0;)
		incident_row(o, c, l, &in.v[k], to);
	strbuf_puts(o, "</tbody></table></section>\n");
	incidents_free(&in);
}

/* ---- The head of the report ------------------------------------------------------------- */

/* "Tháng 11/2026 (01/11–30/11/2026) · 21 ngày làm việc", and up to when a period not over
 * yet is judged. */
static void report_period(struct strbuf *o, const struct collector *c, enum lang l,
			  json_object *dist)
{
	char label[128], until[32];
	int64_t to = (int64_t)json_member_num(dist, "to_ts"), end = (int64_t)json_member_num(dist, "end_ts");
	period_label(label, sizeof(label), c->i18n, l, (int64_t)json_member_num(dist, "from_ts"), end);
	strbuf_puts(o, "<p class=\"period\" id=\"period\">");
	strbuf_html(o, label);
	strbuf_printf(o, " · %d %s", (int)json_member_num(dist, "working_days"),
		      T("report.working_days"));
	if (to < end) {
		text_day_time(until, sizeof(until), (time_t)to);
		strbuf_printf(o, " · %s %s", T("report.until"), until);
	}
	strbuf_puts(o, "</p>");
}

/* The period's headline: communes met, the score, how much of the time had data, and each
 * class's availability. */
static void report_headline(struct strbuf *o, const struct collector *c, enum lang l,
			    json_object *dist)
{
	json_object *avail;
	char pct[24], cover[24];
	json_percent(pct, sizeof(pct), l, dist, "score", 1);
	json_percent(cover, sizeof(cover), l, dist, "coverage", 100);
	strbuf_printf(o, "<p class=\"headline\"><strong id=\"communes-met\">%d/%d</strong> %s · %s %s</p>",
		      (int)json_member_num(dist, "communes_met"), (int)json_member_num(dist, "communes"),
		      T("report.communes_met"), T("headline.score"), pct);
	strbuf_printf(o, "<p class=\"coverage\" id=\"coverage\">%s %s %s", T("report.coverage"),
		      cover, T("report.coverage_of"));
	if (json_member_num(dist, "communes_no_data") > 0)
		strbuf_printf(o, " · %d %s", (int)json_member_num(dist, "communes_no_data"),
			      T("report.communes_no_data"));
	strbuf_puts(o, "</p>");
	if (!json_object_object_get_ex(dist, "class_availability", &avail))
		return;
	strbuf_printf(o, "<p class=\"availability\">%s: ", T("report.availability"));
	int first = 1;
	json_object_object_foreach(avail, cls, v)
	{
		char key[48];
		snprintf(key, sizeof(key), "class.%s", cls);
		text_percent(pct, sizeof(pct), l, json_object_get_double(v));
		strbuf_puts(o, first ? "" : " · ");
		strbuf_html(o, T(key));
		strbuf_printf(o, " %s", pct);
		first = 0;
	}
	strbuf_puts(o, "</p>");
}

static void report_range_form(struct strbuf *o, const struct collector *c, enum lang l)
{
	strbuf_puts(o, "<form class=\"range\" method=\"get\" action=\"/report\">");
	if (l != LANG_VI)
		strbuf_puts(o, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
	strbuf_puts(o, "<label>");
	strbuf_html(o, T("range.from"));
	strbuf_puts(o, " <input type=\"date\" name=\"from\" required></label> <label>");
	strbuf_html(o, T("range.to"));
	strbuf_puts(o, " <input type=\"date\" name=\"to\" required></label> <button type=\"submit\">");
	strbuf_html(o, T("range.show"));
	strbuf_puts(o, "</button></form>\n");
}

/* Other periods, and the period's sheets (CSV, XLSX) in the page's language. */
static void report_links(struct strbuf *o, const struct collector *c, enum lang l,
			 json_object *dist)
{
	static const char *const periods[] = {"day",	 "week",	 "month", "last-month",
					      "quarter", "last-quarter", "year",  "last-year"};
	static const char *const sheets[][2] = {{"csv", "graph.export_csv"},
						{"xlsx", "report.export_xlsx"}};
	strbuf_puts(o, "<p class=\"periods\">");
	page_period_links(o, c, l, "/report", periods, sizeof(periods) / sizeof(periods[0]));
	for (size_t k = 0; k < 2; k++) {
		strbuf_printf(o, "%s<a href=\"/api/v1/readiness?from=%lld&amp;to=%lld&amp;format=%s%s\">",
			      k ? " · " : "", (long long)json_member_num(dist, "from_ts"),
			      (long long)json_member_num(dist, "to_ts"), sheets[k][0],
			      l == LANG_VI ? "" : "&amp;lang=en");
		strbuf_html(o, T(sheets[k][1]));
		strbuf_puts(o, "</a>");
	}
	strbuf_puts(o, "</p>\n");
}

static void report_head(struct strbuf *o, const struct collector *c, enum lang l,
			const struct viewer *v, json_object *dist)
{
	page_head_open(o, c, l, T("report.title"), 0);
	strbuf_puts(o, "</head><body class=\"report\">\n");
	page_user_bar(o, c, l, v);
	strbuf_printf(o, "<nav class=\"back\"><a href=\"/%s\">← %s</a></nav><header><h1>",
		      l == LANG_VI ? "" : "?lang=en", T("nav.back"));
	strbuf_html(o, T("report.title"));
	strbuf_puts(o, " — ");
	strbuf_html(o, c->cfg->district);
	strbuf_puts(o, "</h1>");
	report_period(o, c, l, dist);
	report_headline(o, c, l, dist);
	strbuf_puts(o, "</header>\n");
	report_links(o, c, l, dist);
	report_range_form(o, c, l);
}

int page_report(struct strbuf *o, const struct collector *c, enum lang l, json_object *root,
		const struct viewer *v)
{
	json_object *dist, *communes;
	if (!json_object_object_get_ex(root, "district", &dist) ||
	    !(communes = member_array(root, "communes")))
		return -1;
	struct rp r = {.c = c, .l = l, .dist = dist};
	r.co = calloc(array_len(communes) + 1, sizeof(*r.co));
	int rc = r.co ? 0 : -1;
	for (size_t k = 0; r.co && k < array_len(communes); k++) {
		json_object *co = json_object_array_get_idx(communes, k);
		if (viewer_sees(v, json_member_str(co, "name")))
			r.co[r.nco++] = co;
	}
	if (rc == 0)
		rc = kinds_build(&r);
	if (rc == 0) {
		report_head(o, c, l, v, dist);
		section_says(o, &r);
		section_matrix(o, &r);
		section_equipment(o, &r);
		section_charts(o, &r);
		section_results(o, &r);
		report_incidents(o, c, l, (time_t)json_member_num(dist, "from_ts"),
				 (time_t)json_member_num(dist, "to_ts"));
		strbuf_puts(o, "</body></html>\n");
	}
	free(r.co);
	free(r.kinds);
	free(r.cells);
	return rc < 0 || o->overflow ? -1 : 0;
}
