#include "pages.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "incidents.h"
#include "names.h"
#include "period.h"
#include "readiness.h"
#include "texts.h"
#include "wire.h"

#define T(key) i18n_get(c->i18n, l, key)

void page_head_open(struct strbuf *o, const struct collector *c, enum lang l, const char *title,
		    int refresh)
{
	strbuf_printf(o, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">",
		      lang_code(l));
	strbuf_puts(o, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
	if (refresh)
		strbuf_printf(o, "<meta http-equiv=\"refresh\" content=\"%d\">", refresh);
	strbuf_puts(o, "<link rel=\"stylesheet\" href=\"/static/style.css\"><title>");
	strbuf_html(o, title);
	strbuf_puts(o, " — ");
	strbuf_html(o, c->cfg->district);
	strbuf_puts(o, "</title>");
}

void page_head(struct strbuf *o, const struct collector *c, enum lang l, const char *title,
	       int refresh, const struct viewer *v)
{
	page_head_open(o, c, l, title, refresh);
	strbuf_puts(o, "</head><body>\n");
	page_user_bar(o, c, l, v);
}

/* "<a href=PAGE?period=P[&lang=en]>label</a>" for each period. */
void page_period_links(struct strbuf *o, const struct collector *c, enum lang l,
		       const char *page, const char *const *periods, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		char pk[32];
		snprintf(pk, sizeof(pk), "period.%s", periods[k]);
		strbuf_printf(o, "<a href=\"%s?period=%s%s\">", page, periods[k],
			      l == LANG_VI ? "" : "&amp;lang=en");
		strbuf_html(o, T(pk));
		strbuf_puts(o, "</a> ");
	}
}

/* A share from the period's JSON in the page's words: "90,5 %", "—" when it has no data. */
static void json_percent(char *dst, size_t n, enum lang l, json_object *o, const char *key,
			 double scale)
{
	json_object *v;
	double x = json_object_object_get_ex(o, key, &v) && v ? json_object_get_double(v) * scale
							     : NAN;
	text_percent(dst, n, l, x);
}

/* A value target over the period in words: "máy in: Vật tư in (mực, trống) ≥ 10 (nặng nhất:
 * Máy in — Magenta Cartridge: 5)"; a row the device did not name is left out (its file
 * stem "supply-1.3" means nothing to a reader). */
static void report_value_target(struct strbuf *o, const struct collector *c, enum lang l,
				json_object *to)
{
	static const char *const ops[][2] = {{">=", "≥"}, {"<=", "≤"}, {"==", "="}};
	const char *op = json_member_str(to, "op"), *group = json_member_str(to, "group");
	const char *where = json_member_str(to, "worst_at");
	char key[48], num[32];
	snprintf(key, sizeof(key), "class.%s", json_member_str(to, "class"));
	strbuf_html(o, T(key));
	snprintf(key, sizeof(key), "group.%s", group);
	strbuf_puts(o, ": ");
	strbuf_html(o, T(key));
	for (size_t k = 0; k < 3; k++)
		if (strcmp(op, ops[k][0]) == 0)
			strbuf_printf(o, " %s ", ops[k][1]);
	text_number(num, sizeof(num), l, json_member_num(to, "bound"));
	strbuf_puts(o, num);
	if (!where[0])
		return;
	const char *dash = strstr(where, " — ");
	size_t glen = strlen(group);
	int stem = dash && strncmp(dash + strlen(" — "), group, glen) == 0 &&
		   dash[strlen(" — ") + glen] == '-';
	strbuf_printf(o, " (%s: ", T("report.worst"));
	struct strbuf tmp;
	if (strbuf_init(&tmp, 256) == 0) {
		strbuf_append(&tmp, where, stem ? (size_t)(dash - where) : strlen(where));
		strbuf_html(o, tmp.data ? tmp.data : "");
		strbuf_free(&tmp);
	}
	text_number(num, sizeof(num), l, json_member_num(to, "worst"));
	strbuf_printf(o, ": %s)", num);
}

/* A target missed over the period, in the page's words: "máy quét 90,5 %". */
static void report_target(struct strbuf *o, const struct collector *c, enum lang l,
			  json_object *to)
{
	const char *kind = json_member_str(to, "kind");
	char key[48], pct[24];
	if (strcmp(kind, "class_min_up") == 0) {
		snprintf(key, sizeof(key), "class.%s", json_member_str(to, "class"));
		strbuf_html(o, T(key));
	} else if (strcmp(kind, "sites_met") == 0) {
		const struct site_type *st = config_site_type(c->cfg, json_member_str(to, "site_type"));
		const char *label = st ? (l == LANG_EN ? st->label_en : st->label_vi) : "";
		strbuf_html(o, label[0] ? label : json_member_str(to, "site_type"));
	} else {
		report_value_target(o, c, l, to);
	}
	json_percent(pct, sizeof(pct), l, to, "met_share", 100);
	strbuf_printf(o, " %s", pct);
}

/* A commune's targets missed over the period: "one-stop: scanner 90.5 %", then its
 * commune-wide ones. */
static void report_missed_one(struct strbuf *o, const struct collector *c, enum lang l,
			      const char *place, json_object *to, int *first)
{
	if (strcmp(json_member_str(to, "verdict"), "missed") != 0)
		return;
	strbuf_puts(o, *first ? "" : "; ");
	if (strcmp(json_member_str(to, "severity"), "warning") == 0)
		strbuf_printf(o, "<span class=\"warn\">%s:</span> ", T("severity.warning"));
	strbuf_html(o, place);
	strbuf_puts(o, ": ");
	report_target(o, c, l, to);
	*first = 0;
}

static void report_missed(struct strbuf *o, const struct collector *c, enum lang l,
			  json_object *co)
{
	json_object *sites, *ts;
	int first = 1;
	if (json_object_object_get_ex(co, "sites", &sites))
		for (size_t s = 0; s < json_object_array_length(sites); s++) {
			json_object *so = json_object_array_get_idx(sites, s);
			for (size_t t = 0; json_object_object_get_ex(so, "targets", &ts) &&
					   t < json_object_array_length(ts); t++)
				report_missed_one(o, c, l, json_member_str(so, "name"),
						  json_object_array_get_idx(ts, t), &first);
		}
	for (size_t t = 0; json_object_object_get_ex(co, "targets", &ts) &&
			   t < json_object_array_length(ts); t++)
		report_missed_one(o, c, l, T("report.commune_wide"), json_object_array_get_idx(ts, t),
				  &first);
}

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
	strbuf_puts(o, "<h2 id=\"incidents\">");
	strbuf_html(o, T("incidents.title"));
	strbuf_puts(o, "</h2>\n");
	if (!in.n) {
		strbuf_printf(o, "<p>%s</p>\n", T("incidents.none"));
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
	strbuf_puts(o, "</tbody></table>\n");
	incidents_free(&in);
}

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

int page_report(struct strbuf *o, const struct collector *c, enum lang l, json_object *root,
		const struct viewer *v)
{
	json_object *dist, *communes;
	if (!json_object_object_get_ex(root, "district", &dist) ||
	    !json_object_object_get_ex(root, "communes", &communes))
		return -1;
	page_head(o, c, l, T("report.title"), 0, v);
	strbuf_printf(o, "<nav><a href=\"/%s\">← %s</a></nav><header><h1>", l == LANG_VI ? "" : "?lang=en",
		      T("nav.back"));
	strbuf_html(o, T("report.title"));
	strbuf_puts(o, " — ");
	strbuf_html(o, c->cfg->district);
	strbuf_puts(o, "</h1>");
	report_period(o, c, l, dist);
	report_headline(o, c, l, dist);
	strbuf_puts(o, "</header>\n<p class=\"periods\">");
	static const char *const periods[] = {"day",     "week",         "month", "last-month",
					      "quarter", "last-quarter", "year"};
	page_period_links(o, c, l, "/report", periods, 7);
	strbuf_printf(o, "<a href=\"/api/v1/readiness?from=%lld&amp;to=%lld&amp;format=csv\">",
		      (long long)json_member_num(dist, "from_ts"), (long long)json_member_num(dist, "to_ts"));
	strbuf_html(o, T("graph.export_csv"));
	strbuf_puts(o, "</a></p>\n");
	report_range_form(o, c, l);
	strbuf_printf(o, "<table class=\"summary\"><thead><tr><th>%s</th><th>%s</th>"
			 "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
		      T("col.commune"), T("col.status"), T("headline.score"), T("report.missed"));
	for (size_t k = 0; k < json_object_array_length(communes); k++)
		report_row(o, c, l, json_object_array_get_idx(communes, k));
	strbuf_puts(o, "</tbody></table>\n");
	report_incidents(o, c, l, (time_t)json_member_num(dist, "from_ts"),
			 (time_t)json_member_num(dist, "to_ts"));
	strbuf_puts(o, "</body></html>\n");
	return o->overflow ? -1 : 0;
}
