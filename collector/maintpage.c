/* Maintenance windows on the overview: what is planned, by whom, and the form to plan one. */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "pages.h"
#include "store.h"
#include "texts.h"

#define T(key) i18n_get(c->i18n, l, key)

struct maint_table {
	struct strbuf *o;
	const struct collector *c;
	enum lang l;
	const struct viewer *v;
	const char *commune;
	time_t now;
	int rows;
};

static void maint_row(void *ctx, const struct maint *m)
{
	struct maint_table *t = ctx;
	struct strbuf *o = t->o;
	const struct collector *c = t->c;
	enum lang l = t->l;
	char from[48], to[48];
	if (!viewer_sees(t->v, m->commune) || (t->commune && strcmp(t->commune, m->commune) != 0))
		return;
	if (!t->rows++)
		strbuf_printf(o, "<table class=\"maint\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
				 "<th>%s</th><th>%s</th><th></th></tr></thead><tbody>\n",
			      T("maint.col.place"), T("range.from"), T("range.to"), T("maint.col.by"),
			      T("col.note"));
	text_when(from, sizeof(from), m->start, t->now);
	text_when(to, sizeof(to), m->end, t->now);
	strbuf_puts(o, "<tr><td>");
	strbuf_html(o, m->commune);
	const char *const parts[] = {m->site, m->device};
	for (int i = 0; i < 2; i++)
		if (parts[i] && parts[i][0]) {
			strbuf_puts(o, " / ");
			strbuf_html(o, parts[i]);
		}
	strbuf_printf(o, "</td><td>%s</td><td>%s</td><td>", from, to);
	strbuf_html(o, m->by && m->by[0] ? m->by : T("maint.by_unknown"));
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, m->note ? m->note : "");
	strbuf_puts(o, "</td><td>");
	if (viewer_may_act(t->v, m->commune)) {
		strbuf_puts(o, "<form class=\"inline\" method=\"post\" "
			       "action=\"/api/v1/maintenance/cancel\">");
		page_csrf(o, t->v);
		strbuf_printf(o, "<input type=\"hidden\" name=\"id\" value=\"%ld\"><button "
				 "type=\"submit\">%s</button></form>",
			      m->id, T("maint.cancel"));
	}
	strbuf_puts(o, "</td></tr>\n");
}

/* Planning one: only the communes v may act for, and the longest window v may plan said. */
static void maint_form(struct strbuf *o, const struct collector *c, enum lang l,
		       const struct viewer *v, const char *commune)
{
	strbuf_puts(o, "<form method=\"post\" action=\"/api/v1/maintenance\">");
	page_csrf(o, v);
	strbuf_puts(o, "<select name=\"commune\" required>");
	for (size_t k = 0; k < c->inv->ncommunes; k++) {
		if (!viewer_may_act(v, c->inv->communes[k].name) ||
		    (commune && strcmp(commune, c->inv->communes[k].name) != 0))
			continue;
		strbuf_puts(o, "<option>");
		strbuf_html(o, c->inv->communes[k].name);
		strbuf_puts(o, "</option>");
	}
	strbuf_puts(o, "</select> <input name=\"site\" maxlength=\"120\" placeholder=\"");
	strbuf_html(o, T("maint.site_optional"));
	strbuf_puts(o, "\"> <label>");
	strbuf_html(o, T("range.from"));
	strbuf_puts(o, " <input type=\"datetime-local\" name=\"from\" required></label> <label>");
	strbuf_html(o, T("range.to"));
	strbuf_puts(o, " <input type=\"datetime-local\" name=\"to\" required></label> <input "
		       "name=\"note\" maxlength=\"200\" placeholder=\"");
	strbuf_html(o, T("col.note"));
	strbuf_puts(o, "\"> <button type=\"submit\">");
	strbuf_html(o, T("maint.add"));
	strbuf_printf(o, "</button> <small>%s %ld %s</small></form>", T("maint.longest"),
		      viewer_maint_max(v) / 86400, T("duration.days"));
}

void page_maint_block(struct strbuf *o, const struct collector *c, enum lang l,
		      const struct viewer *v, const char *commune)
{
	struct maint_table t = {o, c, l, v, commune, c->now(), 0};
	strbuf_printf(o, "<section id=\"maint\"><h2>%s</h2>\n", T("maint.title"));
	if (store_maint_each(c->store, t.now, maint_row, &t) > 0 && t.rows)
		strbuf_puts(o, "</tbody></table>\n");
	if (!t.rows)
		strbuf_printf(o, "<p class=\"none\">%s</p>\n", T("maint.none"));
	int may = commune ? viewer_may_act(v, commune) : viewer_is_admin(v);
	for (size_t k = 0; !may && !commune && k < c->inv->ncommunes; k++)
		may = viewer_may_act(v, c->inv->communes[k].name);
	if (may) {
		strbuf_puts(o, "<details><summary>");
		strbuf_html(o, T("maint.add"));
		strbuf_puts(o, "</summary>");
		maint_form(o, c, l, v, commune);
		strbuf_puts(o, "</details>");
	}
	strbuf_puts(o, "</section>\n");
}
