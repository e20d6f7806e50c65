/* A device's page: identity, state, graphs over a range, the values its profile polled. */
#include "pages.h"

#include <stdio.h>
#include <string.h>

#include "lanplace.h"
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

/* What a row's value reads: its metric in words, then the value in words (an enumeration's
 * state, with a class for its colour), a number with its unit, or a text as the device gave it. */
struct shown {
	const char *label;
	char value[384]; /* a device text (under 128 bytes) or a catalogue word */
	const char *css; /* "bad", "warn", "" */
	int graph;       /* a number stored in the row's file: the label links to its graph */
};

static void shown_value(struct shown *sh, const struct collector *c, enum lang l,
			const char *group, const struct devrow_val *v)
{
	sh->label = text_metric_label(c->i18n, l, group, v->name);
	sh->css = "";
	sh->graph = 0;
	if (v->label) {
		snprintf(sh->value, sizeof(sh->value), "%s",
			 text_enum(c->i18n, l, group, v->name, v->label, &sh->css));
		sh->graph = v->kind != MV_TEXT;
	} else if (v->kind == MV_TEXT) {
		snprintf(sh->value, sizeof(sh->value), "%s", v->text);
	} else {
		text_measure(sh->value, sizeof(sh->value), c->i18n, l, group, v->name, v->num);
		sh->graph = 1;
	}
}

/* One value; a number stored in the row's file (file non-NULL) links to its graph over the
 * page's range (the data-source name stays in the URL: only what people read is words). */
static void measure_value(struct strbuf *o, const struct collector *c,
			  const struct inv_device *d, const char *file, const char *name,
			  const struct shown *sh, const struct page_range *r, enum lang l)
{
	strbuf_puts(o, "<span class=\"mv\">");
	if (file && sh->graph) {
		device_url(o, "<a href=\"/graph/", c, d, file);
		strbuf_puts(o, ".png");
		range_args(o, r, l, 1);
		strbuf_puts(o, "&amp;ds=");
		strbuf_url(o, name);
		strbuf_puts(o, "\">");
		strbuf_html(o, sh->label);
		strbuf_puts(o, "</a>: ");
	} else {
		strbuf_html(o, sh->label);
		strbuf_puts(o, ": ");
	}
	if (sh->css[0])
		strbuf_printf(o, "<span class=\"%s\">", sh->css);
	strbuf_html(o, sh->value[0] ? sh->value : "—");
	strbuf_puts(o, sh->css[0] ? "</span></span>" : "</span>");
}

/* The values of one row, joined by " · ": gauges, counters, texts (a text that is the row's
 * own name is in the row's column already). */
static void row_values(struct strbuf *o, const struct collector *c, const struct inv_device *d,
		       const struct devrow *row, const char *file, const struct page_range *r,
		       enum lang l)
{
	int first = 1;
	for (size_t k = 0; k < row->nvals; k++) {
		const struct devrow_val *v = &row->vals[k];
		struct shown sh;
		if (v->kind == MV_TEXT && row->label[0] && strcmp(v->text, row->label) == 0)
			continue;
		shown_value(&sh, c, l, row->group, v);
		if (!first)
			strbuf_puts(o, " · ");
		first = 0;
		measure_value(o, c, d, file, v->name, &sh, r, l);
	}
}

/* A row's name: its label (a disk's, a toner's), else its place among its group's rows ("số
 * 2": an SNMP index such as 1.1 or 196608 means nothing to a reader); a lone row needs none.
 * The probe sends a group's rows together: nth and of count within that run. */
static void row_name(struct strbuf *o, const struct collector *c, enum lang l,
		     const struct devrow *row, size_t nth, size_t of)
{
	char n[24];
	if (row->label[0]) {
		strbuf_html(o, row->label);
	} else if (of > 1) {
		snprintf(n, sizeof(n), "%zu", nth);
		const char *const vals[][2] = {{"n", n}};
		text_fill(o, T("device.row"), vals, 1);
	}
}

/* The length of the run of rows of row k's group that starts at k. */
static size_t group_run(const struct devrows *rows, size_t k)
{
	size_t n = 1;
	while (k + n < rows->nrows && strcmp(rows->row[k + n].group, rows->row[k].group) == 0)
		n++;
	return n;
}

/* What the device's profile polled (toner, disks, battery …), from its latest answer. */
static void measurements(struct strbuf *o, const struct collector *c, const struct inv_device *d,
			 const struct dev_state *s, const struct page_range *r, enum lang l)
{
	const struct devrows *rows = &s->rows;
	size_t shown = 0;
	for (size_t k = 0; k < rows->nrows; k++)
		shown += !lanplace_group_hidden(rows->row[k].group);
	if (!shown)
		return;
	strbuf_puts(o, "<h2>");
	strbuf_html(o, T("measure.title"));
	strbuf_puts(o, "</h2>\n<table class=\"measures\"><tr><th>");
	strbuf_html(o, T("measure.group"));
	strbuf_puts(o, "</th><th>");
	strbuf_html(o, T("measure.row"));
	strbuf_puts(o, "</th><th>");
	strbuf_html(o, T("measure.values"));
	strbuf_puts(o, "</th></tr>\n");
	size_t nth = 0, of = 0;
	for (size_t k = 0; k < rows->nrows; k++) {
		const struct devrow *row = &rows->row[k];
		if (lanplace_group_hidden(row->group))
			continue; /* a switch's forwarding tables: where hosts are, not measures */
		if (nth == of) { /* a new group begins */
			nth = 0;
			of = group_run(rows, k);
		}
		nth++;
		char key[WIRE_METRIC_MAX + 8], file[ROW_FILE_STEM_MAX];
		snprintf(key, sizeof(key), "group.%s", row->group);
		/* the row's file as ingest names it (none: no graph); rows the probe does not
		 * store (printer alerts) have no file either */
		int stored = !row->nostore &&
			     name_row_file(file, sizeof(file), row->group, row->index) == 0;
		strbuf_puts(o, "<tr><td>");
		strbuf_html(o, T(key));
		strbuf_puts(o, "</td><td>");
		row_name(o, c, l, row, nth, of);
		strbuf_puts(o, "</td><td>");
		row_values(o, c, d, row, stored ? file : NULL, r, l);
		strbuf_puts(o, "</td></tr>\n");
	}
	strbuf_puts(o, "</table>\n");
}

/* Where the device is reached: an SNMP device by its address (the port is in the technical
 * details), a ping-only one saying so ("127.77.1.11 (kiểm tra bằng ping)"). */
static void address_row(struct strbuf *o, const struct collector *c, const struct inv_device *d,
			enum lang l)
{
	char buf[160];
	if (!d->host[0])
		return;
	if (d->cred[0])
		snprintf(buf, sizeof(buf), "%s", d->host);
	else
		snprintf(buf, sizeof(buf), "%s (%s)", d->host, T("device.ping_only"));
	ident_row(o, T("col.address"), buf);
}

/* Its state now: how long up, when last heard, since when down and why, its ports. */
static void state_rows(struct strbuf *o, const struct collector *c, const struct dev_state *s,
		       enum dev_status st, time_t now, enum lang l)
{
	char buf[160];
	if (s->has_uptime && st == DEV_UP) {
		text_duration_full(buf, sizeof(buf), c->i18n, l, (long)(s->uptime_ticks / 100));
		ident_row(o, T("device.uptime"), buf);
	}
	text_when_ago(buf, sizeof(buf), c->i18n, l, s->last_seen, now);
	ident_row(o, T("device.last_seen"), buf);
	if (s->files_refused || s->rows_dropped) {
		char q[200];
		snprintf(q, sizeof(q), "%llu %s; %zu %s", (unsigned long long)s->files_refused,
			 T("quota.files_refused"), s->rows_dropped, T("quota.rows_dropped"));
		ident_row(o, T("quota.title"), q);
	}
	if (st == DEV_DOWN) {
		text_when_ago(buf, sizeof(buf), c->i18n, l, s->down_since, now);
		ident_row(o, T("col.down_since"), buf);
		text_error(buf, sizeof(buf), c->i18n, l, s->error);
		ident_row(o, T("col.error"), buf);
	}
	if (s->nifs) { /* none: the device has no interface table, nothing to say */
		struct strbuf ports;
		char up[24], total[24];
		snprintf(up, sizeof(up), "%zu", s->nifs_up);
		snprintf(total, sizeof(total), "%zu", s->nifs);
		const char *const vals[][2] = {{"up", up}, {"total", total}};
		if (strbuf_init(&ports, 0) == 0 && text_fill(&ports, T("device.ports"), vals, 2) == 0)
			ident_row(o, T("device.ports_label"), ports.data);
		strbuf_free(&ports);
	}
}

/* How long the device page still says that the probe re-classed a device (the commune page
 * lists the week's events too; /events keeps it after). */
#define CLASS_CHANGE_SHOWN (7 * 86400)

/* A class in a sentence: its catalogue word; "other" (or a class the catalogue lacks: the
 * key itself would be returned, and it lives here) as a device of no known class. */
static const char *class_word(const struct collector *c, enum lang l, const char *cls)
{
	char key[48];
	snprintf(key, sizeof(key), "class.%s", cls);
	if (strcmp(cls, "other") == 0 || !i18n_has(c->i18n, key))
		return T("device.class_unknown");
	return T(key);
}

/* The device's class. One the probe recognised (the inventory left it empty) says so and how
 * sure, "other" with its maker when the rule files know it: "Máy in — tự nhận biết, chắc chắn
 * 92 %", "Khác (HP) — …". The inventory's class is shown as the inventory gives it. */
static void class_row(struct strbuf *o, const struct collector *c, const struct inv_device *d,
		      const struct dev_state *s, enum lang l)
{
	const struct dev_class_seen *k = &s->auto_cls;
	int recognised = d->cls_auto && k->cls[0];
	char key[48], cap[300], pct[32];
	struct strbuf w = {0}, v = {0};
	snprintf(key, sizeof(key), "class.%s", recognised ? k->cls : devclass_name(d->cls));
	if (strbuf_init(&w, 0) < 0 || strbuf_init(&v, 0) < 0)
		goto out;
	if (recognised && strcmp(k->cls, "other") == 0 && k->vendor[0]) {
		const char *const vals[][2] = {{"vendor", k->vendor}};
		text_fill(&w, T("device.class_other_vendor"), vals, 1);
	} else {
		strbuf_puts(&w, T(key));
	}
	i18n_capitalised(cap, sizeof(cap), w.data);
	if (recognised) {
		text_percent(pct, sizeof(pct), l, k->confidence);
		const char *const vals[][2] = {{"class", cap}, {"pct", pct}};
		text_fill(&v, T("device.class_auto"), vals, 2);
	}
	ident_row(o, T("col.class"), recognised ? v.data : cap);
out:
	strbuf_free(&w);
	strbuf_free(&v);
}

/* A paragraph that stands out, from a catalogue template, escaped. */
static void notice(struct strbuf *o, const char *tpl, const char *const vals[][2], int n)
{
	struct strbuf v;
	if (strbuf_init(&v, 0) == 0 && text_fill(&v, tpl, vals, n) == 0) {
		strbuf_puts(o, "<p class=\"notice\">");
		strbuf_html(o, v.data);
		strbuf_puts(o, "</p>\n");
	}
	strbuf_free(&v);
}

/* Possibly a replaced device: the probe sees a different class and is confirming it ("2 of
 * 3"), or confirmed one lately. The probe re-profiles it only once confirmed (clsmem.h). */
static void class_notice(struct strbuf *o, const struct collector *c, const struct inv_device *d,
			 const struct dev_state *s, time_t now, enum lang l)
{
	const struct dev_class_seen *k = &s->auto_cls;
	char n[16], of[16], when[48];
	if (!d->cls_auto || !k->cls[0])
		return;
	if (k->seen[0] && k->seen_polls > 0) {
		snprintf(n, sizeof(n), "%d", k->seen_polls);
		snprintf(of, sizeof(of), "%d", WIRE_CLASS_CONFIRM);
		const char *const vals[][2] = {{"class", class_word(c, l, k->seen)}, {"n", n},
					       {"of", of}};
		notice(o, T("device.class_seen"), vals, 3);
	}
	if (k->was[0] && k->changed && now - k->changed < CLASS_CHANGE_SHOWN) {
		text_when_minute(when, sizeof(when), k->changed, now);
		const char *const vals[][2] = {{"class", class_word(c, l, k->cls)}, {"when", when},
					       {"was", class_word(c, l, k->was)}};
		notice(o, T("device.class_changed"), vals, 3);
	}
}

/* What only a technician reads, collapsed: the SNMP identity's OID, the port, the profile. */
static void tech_details(struct strbuf *o, const struct collector *c, const struct inv_device *d,
			 const struct dev_state *s, enum lang l)
{
	char buf[32];
	if (!d->cred[0] && !s->sys_objectid[0] && !s->error[0])
		return;
	strbuf_puts(o, "<details class=\"tech\"><summary>");
	strbuf_html(o, T("device.technical"));
	strbuf_puts(o, "</summary>\n<table class=\"ident\">\n");
	ident_row(o, T("device.sys_objectid"), s->sys_objectid);
	if (d->cred[0]) {
		snprintf(buf, sizeof(buf), "%d", d->port);
		ident_row(o, T("device.snmp_port"), buf);
	}
	ident_row(o, T("device.profile"), s->cls);
	/* the rules' own words (MIB names, OIDs): why the probe chose the class it did */
	if (d->cls_auto && s->auto_cls.cls[0] && s->auto_cls.why[0])
		ident_row(o, T("device.class_why"), s->auto_cls.why);
	if (s->error[0]) /* the probe's own message, for whoever fixes it */
		ident_row(o, T("device.probe_error"), s->error);
	strbuf_puts(o, "</table></details>\n");
}

int page_device(struct strbuf *o, const struct collector *c, size_t i, enum lang l,
		const struct page_range *r, const struct viewer *v)
{
	const struct inv_device *d = &c->inv->devices[i];
	const struct dev_state *s = &c->state.dev[i];
	time_t now = c->now();
	enum dev_status st = state_status(&c->state, i, readiness_polled(d), now,
					  c->cfg->stale_after);
	char buf[300];

	page_head(o, c, l, d->name, 60, v);
	strbuf_printf(o, "<nav><a href=\"/%s\">← %s</a></nav>", l == LANG_VI ? "" : "?lang=en",
		      T("nav.back"));
	strbuf_puts(o, "<header><h1>");
	strbuf_html(o, d->name);
	strbuf_printf(o, " <span class=\"status %s\">", status_name(st));
	strbuf_html(o, text_status(c->i18n, l, st));
	strbuf_puts(o, "</span></h1></header>\n");
	class_notice(o, c, d, s, now, l);
	strbuf_puts(o, "<table class=\"ident\">\n");
	ident_row(o, T("col.commune"), c->inv->communes[d->commune].name);
	ident_row(o, T("col.site"), c->inv->sites[d->site].name);
	class_row(o, c, d, s, l);
	address_row(o, c, d, l);
	if (d->url[0])
		ident_row(o, T("col.url"), d->url);
	if (d->cred[0]) {
		ident_row(o, T("device.sys_name"), s->sys_name);
		ident_row(o, T("device.model"), s->model);
		if (s->serial[0]) /* most devices publish none: no row of dashes for them */
			ident_row(o, T("device.serial"), s->serial);
		ident_row(o, T("device.sys_descr"), s->sys_descr);
	}
	state_rows(o, c, s, st, now, l);
	if (page_lan_device_text(buf, sizeof(buf), c, i, l))
		ident_row(o, T("device.lan"), buf);
	if (page_lan_plugged_text(buf, sizeof(buf), c, i, l))
		ident_row(o, T("lan.plugged"), buf);
	ident_row(o, T("col.contact"), d->contact);
	strbuf_puts(o, "</table>\n");
	tech_details(o, c, d, s, l);
	strbuf_puts(o, "<p class=\"periods\">");
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
		page_nbr_block(o, c, i, l, v);
	}
	strbuf_puts(o, "</body></html>\n");
	return o->overflow ? -1 : 0;
}
