/* Finding things: a device by its name, address or commune (/search), and the events of the
 * communes one sees, with filters (/events). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "alerts.h"
#include "devclass.h"
#include "graph.h"
#include "pages.h"
#include "readiness.h"
#include "state.h"
#include "store.h"
#include "texts.h"
#include "vnname.h"

#define T(key) i18n_get(c->i18n, l, key)
#define SEARCH_SHOWN 200
#define EVENTS_PAGE_ROWS 500
#define EVENTS_PAGE_READ 20000
#define EVENTS_DEFAULT_DAYS 30

/* A device matches when one of its names, its model or its serial number holds q, compared
 * folded (vnname.h): "tan phu" finds "Xã Tân Phú", in any case. fq: q folded. */
static int device_matches(const struct collector *c, size_t i, const char *fq)
{
	const struct inv_device *d = &c->inv->devices[i];
	const struct dev_state *s = &c->state.dev[i];
	const char *fields[] = {d->name,  d->host,	   c->inv->communes[d->commune].name,
				c->inv->sites[d->site].name, s->sys_name, s->model, s->serial};
	char folded[512];
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		if (!fields[f] || !fields[f][0])
			continue;
		vnname_fold(folded, sizeof(folded), fields[f]);
		if (strstr(folded, fq))
			return 1;
	}
	return 0;
}

static void search_form(struct strbuf *o, const struct collector *c, enum lang l, const char *q)
{
	strbuf_printf(o, "<form class=\"search\" method=\"get\" action=\"/search\"><label>%s "
			 "<input type=\"search\" name=\"q\" maxlength=\"100\" value=\"",
		      T("search.label"));
	strbuf_html(o, q);
	strbuf_printf(o, "\"></label>%s<button type=\"submit\">%s</button></form>\n",
		      l == LANG_VI ? "" : "<input type=\"hidden\" name=\"lang\" value=\"en\">",
		      T("search.submit"));
}

int page_search(struct strbuf *o, const struct collector *c, enum lang l, const struct viewer *v,
		const char *q)
{
	time_t now = c->now();
	char key[48];
	int n = 0;
	char fq[512];
	vnname_fold(fq, sizeof(fq), q ? q : "");
	page_head(o, c, l, T("search.title"), 0, v);
	strbuf_printf(o, "<nav class=\"back\"><a href=\"/%s\">%s</a></nav><h1>%s</h1>\n",
		      l == LANG_VI ? "" : "?lang=en", T("nav.back"), T("search.title"));
	search_form(o, c, l, q ? q : "");
	for (size_t i = 0; q && *q && i < c->inv->ndevices && n < SEARCH_SHOWN; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		if (!viewer_sees(v, c->inv->communes[d->commune].name) || !device_matches(c, i, fq))
			continue;
		if (!n++)
			strbuf_printf(o, "<table class=\"found\"><thead><tr><th>%s</th><th>%s</th>"
					 "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>\n",
				      T("col.device"), T("col.commune"), T("col.site"), T("col.class"),
				      T("col.address"), T("col.status"));
		enum dev_status st = state_status(&c->state, i, readiness_polled(d), now,
						  c->cfg->stale_after);
		snprintf(key, sizeof(key), "class.%s", devclass_name(d->cls));
		strbuf_puts(o, "<tr><td>");
		page_device_link(o, c, d, l);
		strbuf_puts(o, "</td><td>");
		page_commune_link(o, c, d->commune, l);
		strbuf_puts(o, "</td><td>");
		strbuf_html(o, c->inv->sites[d->site].name);
		strbuf_printf(o, "</td><td>%s</td><td>", T(key));
		strbuf_html(o, d->host[0] ? d->host : "—");
		strbuf_printf(o, "</td><td><span class=\"status %s\">%s</span></td></tr>\n",
			      status_name(st), text_status(c->i18n, l, st));
	}
	if (n)
		strbuf_puts(o, "</tbody></table>\n");
	else if (q && *q)
		strbuf_printf(o, "<p class=\"none\">%s</p>\n", T("search.none"));
	strbuf_puts(o, "</body></html>\n");
	return o->overflow ? -1 : 0;
}

struct events_table {
	struct strbuf *o;
	const struct collector *c;
	enum lang l;
	const struct viewer *v;
	const char *commune;
	time_t now;
	int n;
};

static void events_row(void *ctx, const struct event *e)
{
	struct events_table *t = ctx;
	const struct collector *c = t->c;
	enum lang l = t->l;
	char when[48], key[48];
	long k = e->commune ? alerts_find_commune(c->inv, e->commune) : -1;
	if (t->n >= EVENTS_PAGE_ROWS || k < 0 || !viewer_sees(t->v, e->commune) ||
	    (t->commune && strcmp(t->commune, e->commune) != 0))
		return;
	if (!t->n++)
		strbuf_printf(t->o, "<table class=\"events\"><thead><tr><th>%s</th><th>%s</th>"
				    "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
			      T("audit.col.time"), T("col.commune"), T("col.status"), T("alerts.reason"));
	text_when(when, sizeof(when), e->ts, t->now);
	snprintf(key, sizeof(key), "events.kind.%s", e->kind);
	strbuf_printf(t->o, "<tr class=\"%s\"><td>%s</td><td>", e->kind, when);
	page_commune_link(t->o, c, (size_t)k, l);
	strbuf_printf(t->o, "</td><td>%s</td><td>", T(key));
	strbuf_html(t->o, l == LANG_EN && e->text_en[0] ? e->text_en : e->text);
	strbuf_puts(t->o, "</td></tr>\n");
}

/* The filters: the communes v sees, the kinds, the days; what was asked stays chosen. */
static void events_form(struct strbuf *o, const struct collector *c, enum lang l,
			const struct viewer *v, const struct events_query *q)
{
	static const char *const kinds[] = {"firing", "resolved", "ack", "maintenance",
					    "class_changed"};
	char key[48];
	strbuf_printf(o, "<form class=\"range\" method=\"get\" action=\"/events\"><select "
			 "name=\"commune\"><option value=\"\">%s</option>",
		      T("events.every_commune"));
	for (size_t k = 0; k < c->inv->ncommunes; k++) {
		if (!viewer_sees(v, c->inv->communes[k].name))
			continue;
		int chosen = q->commune && strcmp(q->commune, c->inv->communes[k].name) == 0;
		strbuf_printf(o, "<option%s>", chosen ? " selected" : "");
		strbuf_html(o, c->inv->communes[k].name);
		strbuf_puts(o, "</option>");
	}
	strbuf_printf(o, "</select> <select name=\"kind\"><option value=\"\">%s</option>",
		      T("events.every_kind"));
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(key, sizeof(key), "events.kind.%s", kinds[i]);
		strbuf_printf(o, "<option value=\"%s\"%s>%s</option>", kinds[i],
			      q->kind && strcmp(q->kind, kinds[i]) == 0 ? " selected" : "", T(key));
	}
	strbuf_printf(o, "</select> <label>%s <input type=\"date\" name=\"from\" value=\"",
		      T("range.from"));
	strbuf_html(o, q->from ? q->from : "");
	strbuf_printf(o, "\"></label> <label>%s <input type=\"date\" name=\"to\" value=\"",
		      T("range.to"));
	strbuf_html(o, q->to ? q->to : "");
	strbuf_printf(o, "\"></label>%s <button type=\"submit\">%s</button></form>\n",
		      l == LANG_VI ? "" : "<input type=\"hidden\" name=\"lang\" value=\"en\">",
		      T("search.submit"));
}

int page_events(struct strbuf *o, const struct collector *c, enum lang l, const struct viewer *v,
		const struct events_query *q)
{
	time_t now = c->now();
	int64_t from = now - EVENTS_DEFAULT_DAYS * 86400, to = now + 1;
	if (q->from && *q->from && graph_parse_time(q->from, &from, 0) < 0)
		return -2;
	if (q->to && *q->to && graph_parse_time(q->to, &to, 1) < 0)
		return -2;
	const char *kind = q->kind && *q->kind ? q->kind : NULL;
	struct events_table t = {o, c, l, v, q->commune && *q->commune ? q->commune : NULL, now, 0};
	page_head(o, c, l, T("events.page_title"), 0, v);
	strbuf_printf(o, "<nav class=\"back\"><a href=\"/%s\">%s</a></nav><h1>%s</h1>\n",
		      l == LANG_VI ? "" : "?lang=en", T("nav.back"), T("events.page_title"));
	events_form(o, c, l, v, q);
	if (store_events_newest(c->store, (time_t)from, (time_t)to, kind, EVENTS_PAGE_READ,
				events_row, &t) < 0)
		return -1;
	if (t.n)
		strbuf_puts(o, "</tbody></table>\n");
	else
		strbuf_printf(o, "<p class=\"none\">%s</p>\n", T("events.none_found"));
	strbuf_puts(o, "</body></html>\n");
	return o->overflow ? -1 : 0;
}
