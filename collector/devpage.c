/* A device's page: identity, state, graphs over a range, the values its profile polled. */
#include "pages.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "readiness.h"
#include "texts.h"
#include "wire.h"

#define T(key) i18n_get(c->i18n, l, key)

static void ident_row(struct strbuf *o, const char *label, const char *value)
{
	strbuf_puts(o, "<tr><th>");
	strbuf_html(o, label);
	strbuf_puts(o, "</th><td>");
	strbuf_html(o, value && *value ? value : "—");
	strbuf_puts(o, "</td></tr>\n");
}

static void device_url(struct strbuf *o, const char *prefix, const struct collector *c,
		       const struct inv_device *d, const char *group)
{
	strbuf_puts(o, prefix);
	strbuf_url(o, c->inv->communes[d->commune].path);
	strbuf_puts(o, "/");
	strbuf_url(o, d->path);
	strbuf_printf(o, "/%s", group);
}

/* "?period=…[&start=…][&end=…][&lang=…]" for graph and series links, escaped for HTML. */
static void range_args(struct strbuf *o, const struct page_range *r, enum lang l, int with_lang)
{
	strbuf_puts(o, "?period=");
	strbuf_url(o, r->period);
	if (r->start && *r->start) {
		strbuf_puts(o, "&amp;start=");
		strbuf_url(o, r->start);
	}
	if (r->end && *r->end) {
		strbuf_puts(o, "&amp;end=");
		strbuf_url(o, r->end);
	}
	if (with_lang && l != LANG_VI)
		strbuf_printf(o, "&amp;lang=%s", lang_code(l));
}

/* The graph, and links to the same range as SVG and as CSV data for planners' sheets. */
static void graph_img(struct strbuf *o, const struct collector *c, const struct inv_device *d,
		      const char *group, const struct page_range *r, const char *alt, enum lang l)
{
	strbuf_puts(o, "<figure>");
	device_url(o, "<img src=\"/graph/", c, d, group);
	strbuf_puts(o, ".png");
	range_args(o, r, l, 1);
	strbuf_puts(o, "\" alt=\"");
	strbuf_html(o, alt);
	strbuf_puts(o, "\"><figcaption>");
	device_url(o, "<a href=\"/graph/", c, d, group);
	strbuf_puts(o, ".svg");
	range_args(o, r, l, 1);
	strbuf_puts(o, "\">SVG</a> · ");
	device_url(o, "<a href=\"/api/v1/series/", c, d, group);
	range_args(o, r, l, 0);
	strbuf_puts(o, "&amp;format=csv\">");
	strbuf_html(o, T("graph.export_csv"));
	strbuf_puts(o, "</a></figcaption></figure>\n");
}

/* Dates from–to for a custom range; plain GET form, no script. */
static void range_form(struct strbuf *o, const struct collector *c, const struct page_range *r,
		       enum lang l)
{
	strbuf_puts(o, "<form class=\"range\" method=\"get\">");
	if (l != LANG_VI)
		strbuf_printf(o, "<input type=\"hidden\" name=\"lang\" value=\"%s\">", lang_code(l));
	strbuf_puts(o, "<input type=\"hidden\" name=\"period\" value=\"custom\"><label>");
	strbuf_html(o, T("range.from"));
	strbuf_puts(o, " <input type=\"date\" name=\"start\" value=\"");
	strbuf_html(o, r->start ? r->start : "");
	strbuf_puts(o, "\"></label> <label>");
	strbuf_html(o, T("range.to"));
	strbuf_puts(o, " <input type=\"date\" name=\"end\" value=\"");
	strbuf_html(o, r->end ? r->end : "");
	strbuf_puts(o, "\"></label> <button type=\"submit\">");
	strbuf_html(o, T("range.show"));
	strbuf_puts(o, "</button></form>\n");
}

/* One value of a profile group: a number links to its graph over the page's range. */
static void measure_value(struct strbuf *o, const struct collector *c,
			  const struct inv_device *d, const char *file, const char *name,
			  json_object *v, const struct page_range *r, enum lang l)
{
	strbuf_puts(o, "<span class=\"mv\">");
	if (json_object_is_type(v, json_type_string)) {
		strbuf_html(o, name);
		strbuf_puts(o, ": ");
		strbuf_html(o, json_object_get_string(v));
	} else {
		device_url(o, "<a href=\"/graph/", c, d, file);
		strbuf_puts(o, ".png");
		range_args(o, r, l, 1);
		strbuf_puts(o, "&amp;ds=");
		strbuf_url(o, name);
		strbuf_puts(o, "\">");
		strbuf_html(o, name);
		strbuf_printf(o, "</a>: %.6g", json_object_get_double(v));
	}
	strbuf_puts(o, "</span> ");
}

/* What the device's profile polled (toner, disks, battery …), from its latest answer. */
static void measurements(struct strbuf *o, const struct collector *c, const struct inv_device *d,
			 const struct dev_state *s, const struct page_range *r, enum lang l)
{
	json_object *rows = s->groups ? json_tokener_parse(s->groups) : NULL;
	if (!rows || !json_object_is_type(rows, json_type_array) ||
	    !json_object_array_length(rows)) {
		json_object_put(rows);
		return;
	}
	strbuf_puts(o, "<h2>");
	strbuf_html(o, T("measure.title"));
	strbuf_puts(o, "</h2>\n<table class=\"measures\"><tr><th>");
	strbuf_html(o, T("measure.group"));
	strbuf_puts(o, "</th><th>");
	strbuf_html(o, T("measure.row"));
	strbuf_puts(o, "</th><th>");
	strbuf_html(o, T("measure.values"));
	strbuf_puts(o, "</th></tr>\n");
	for (size_t k = 0; k < json_object_array_length(rows); k++) {
		json_object *row = json_object_array_get_idx(rows, k), *part;
		const char *g = json_member_str(row, "g"), *idx = json_member_str(row, "i");
		char key[WIRE_METRIC_MAX + 8], file[ROW_FILE_STEM_MAX];
		snprintf(key, sizeof(key), "group.%s", g);
		/* the row's file as ingest names it; a row it cannot name has no graph */
		int named = name_row_file(file, sizeof(file), g, idx) == 0;
		strbuf_puts(o, "<tr><td>");
		strbuf_html(o, T(key));
		strbuf_puts(o, "</td><td>");
		strbuf_html(o, json_member_str(row, "l")[0] ? json_member_str(row, "l") : idx);
		strbuf_puts(o, "</td><td>");
		/* rows the probe marks rrd=false (alerts) have no graph: numbers shown plain */
		int stored = named && (!json_object_object_get_ex(row, "rrd", &part) ||
				       json_object_get_boolean(part));
		static const char *const parts[] = {"v", "c", "s"};
		for (size_t p = 0; p < 3; p++) {
			if (!json_object_object_get_ex(row, parts[p], &part) ||
			    !json_object_is_type(part, json_type_object))
				continue;
			json_object_object_foreach(part, name, v) {
				if (!stored && !json_object_is_type(v, json_type_string)) {
					strbuf_puts(o, "<span class=\"mv\">");
					strbuf_html(o, name);
					strbuf_printf(o, ": %.6g</span> ", json_object_get_double(v));
				} else {
					measure_value(o, c, d, file, name, v, r, l);
				}
			}
		}
		strbuf_puts(o, "</td></tr>\n");
	}
	strbuf_puts(o, "</table>\n");
	json_object_put(rows);
}

int page_device(struct strbuf *o, const struct collector *c, size_t i, enum lang l,
		const struct page_range *r)
{
	const struct inv_device *d = &c->inv->devices[i];
	const struct dev_state *s = &c->state.dev[i];
	time_t now = c->now();
	enum dev_status st = state_status(&c->state, i, readiness_polled(d), now,
					  c->cfg->stale_after);
	char buf[96], key[48];

	page_head(o, c, l, d->name, 60);
	strbuf_printf(o, "<nav><a href=\"/%s\">← %s</a></nav>", l == LANG_VI ? "" : "?lang=en",
		      T("nav.back"));
	strbuf_puts(o, "<header><h1>");
	strbuf_html(o, d->name);
	strbuf_printf(o, " <span class=\"status %s\">", status_name(st));
	strbuf_html(o, text_status(c->i18n, l, st));
	strbuf_puts(o, "</span></h1></header>\n<table class=\"ident\">\n");
	ident_row(o, T("col.commune"), c->inv->communes[d->commune].name);
	ident_row(o, T("col.site"), c->inv->sites[d->site].name);
	snprintf(key, sizeof(key), "class.%s", devclass_name(d->cls));
	ident_row(o, T("col.class"), T(key));
	snprintf(buf, sizeof(buf), "%s:%d", d->host, d->port);
	ident_row(o, T("col.address"), d->host[0] ? buf : NULL);
	if (d->url[0])
		ident_row(o, T("col.url"), d->url);
	ident_row(o, "sysName", s->sys_name);
	ident_row(o, "sysDescr", s->sys_descr);
	ident_row(o, "sysObjectID", s->sys_objectid);
	if (s->has_uptime) {
		unsigned long secs = s->uptime_ticks / 100;
		snprintf(buf, sizeof(buf), "%lu d %02lu:%02lu", secs / 86400, secs / 3600 % 24,
			 secs / 60 % 60);
		ident_row(o, T("col.uptime"), buf);
	}
	text_time(buf, sizeof(buf), s->last_seen);
	ident_row(o, T("col.last_seen"), buf);
	if (s->files_refused || s->rows_dropped) {
		char q[200];
		snprintf(q, sizeof(q), "%llu %s; %zu %s", (unsigned long long)s->files_refused,
			 T("quota.files_refused"), s->rows_dropped, T("quota.rows_dropped"));
		ident_row(o, T("quota.title"), q);
	}
	if (st == DEV_DOWN) {
		text_time(buf, sizeof(buf), s->down_since);
		ident_row(o, T("col.down_since"), buf);
		ident_row(o, T("col.error"), s->error);
	}
	snprintf(buf, sizeof(buf), "%zu / %zu", s->nifs_up, s->nifs);
	ident_row(o, T("col.interfaces_up"), buf);
	ident_row(o, T("col.contact"), d->contact);
	strbuf_puts(o, "</table>\n<p class=\"periods\">");
	static const char *const periods[] = {"hour", "day", "week", "month", "year"};
	page_period_links(o, c, l, "", periods, 5);
	strbuf_puts(o, "</p>\n");
	range_form(o, c, r, l);
	if (readiness_polled(d)) {
		graph_img(o, c, d, "system", r, T("graph.availability"), l);
		if (s->main_if) {
			snprintf(buf, sizeof(buf), "if-%u", s->main_if);
			graph_img(o, c, d, buf, r, T("graph.traffic"), l);
		}
		measurements(o, c, d, s, r, l);
	}
	strbuf_puts(o, "</body></html>\n");
	return o->overflow ? -1 : 0;
}
