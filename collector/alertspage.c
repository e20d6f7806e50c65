/* The alerts on the overview and a commune's page: state, since when, the reason, who took it
 * on, a form to take it on; then the maintenance windows. */
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "pages.h"
#include "texts.h"

#define T(key) i18n_get(c->i18n, l, key)

struct alerts_table {
	struct strbuf *o;
	const struct collector *c;
	enum lang l;
	const struct viewer *v;
	const char *commune; /* NULL: every commune v sees */
	int rows;
};

static void alert_row(void *ctx, const struct alert_view *v)
{
	struct alerts_table *t = ctx;
	struct strbuf *o = t->o;
	const struct collector *c = t->c;
	enum lang l = t->l;
	char key[48], when[32];
	if (!viewer_sees(t->v, v->commune) || (t->commune && strcmp(t->commune, v->commune) != 0))
		return;
	if (!t->rows++)
		strbuf_printf(o, "<table class=\"alerts\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
				 "<th>%s</th></tr></thead><tbody>\n",
			      T("col.status"), T("col.commune"), T("alerts.since"), T("alerts.reason"));
	const char *state = v->in_maint     ? "maintenance"
			    : v->suppressed ? "upstream"
					    : v->state;
	snprintf(key, sizeof(key), "alerts.state.%s", state);
	text_when(when, sizeof(when), v->since, c->now());
	strbuf_printf(o, "<tr class=\"%s\"><td><span class=\"badge %s\">", state, state);
	strbuf_html(o, T(key));
	strbuf_puts(o, "</span></td><td>");
	strbuf_html(o, v->commune);
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, v->since ? when : "");
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, v->reason);
	if (v->acked_by[0]) {
		strbuf_puts(o, " <em>(");
		strbuf_html(o, T("alert.acked_by"));
		strbuf_puts(o, ": ");
		strbuf_html(o, v->acked_by);
		strbuf_puts(o, ")</em>");
	} else if (strcmp(v->state, "firing") == 0 && strcmp(v->target, "probe") != 0 &&
		   viewer_may_act(t->v, v->commune)) {
		/* district IT takes it on from here: named in the commune's next digest (a probe's
		 * alert is district IT's own) */
		strbuf_puts(o, "<form class=\"ack\" method=\"post\" action=\"/api/v1/ack\">");
		page_csrf(o, t->v);
		strbuf_puts(o, "<input type=\"hidden\" name=\"commune\" value=\"");
		strbuf_html(o, v->commune);
		strbuf_puts(o, "\"><input type=\"hidden\" name=\"site\" value=\"");
		strbuf_html(o, v->site ? v->site : "");
		strbuf_puts(o, "\"><input type=\"hidden\" name=\"target\" value=\"");
		strbuf_html(o, v->target);
		strbuf_puts(o, "\"><input name=\"note\" maxlength=\"200\" placeholder=\"");
		strbuf_html(o, T("alerts.ack_note"));
		strbuf_puts(o, "\"> <button type=\"submit\">");
		strbuf_html(o, T("alerts.ack"));
		strbuf_puts(o, "</button></form>");
	}
	strbuf_puts(o, "</td></tr>\n");
}

void page_alerts_block(struct strbuf *o, const struct collector *c, enum lang l,
		       const struct viewer *v, const char *commune)
{
	struct alerts_table t = {o, c, l, v, commune, 0};
	strbuf_printf(o, "<h2 id=\"alerts\">%s</h2>\n", T("alerts.title"));
	if (c->alerts)
		alerts_each(c->alerts, c, l, alert_row, &t);
	if (t.rows)
		strbuf_puts(o, "</tbody></table>\n");
	else
		strbuf_printf(o, "<p class=\"none\">%s</p>\n", T("alerts.none"));
	page_maint_block(o, c, l, v, commune);
}

