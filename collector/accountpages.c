/* Pages of access: who is logged in (under every page's head), the log-in form, the audit log. */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "i18n.h"
#include "pages.h"
#include "texts.h"

#define T(key) i18n_get(c->i18n, l, key)
#define AUDIT_PAGE_ROWS 500

void page_csrf(struct strbuf *o, const struct viewer *v)
{
	strbuf_puts(o, "<input type=\"hidden\" name=\"csrf\" value=\"");
	strbuf_html(o, v && v->csrf ? v->csrf : "");
	strbuf_puts(o, "\">");
}

void page_user_bar(struct strbuf *o, const struct collector *c, enum lang l,
		   const struct viewer *v)
{
	char key[32];
	if (!v || !v->user || !v->user[0])
		return;
	snprintf(key, sizeof(key), "role.%s", role_name(v->role));
	strbuf_puts(o, "<nav class=\"user\">");
	strbuf_html(o, T("user.signed_in"));
	strbuf_puts(o, " <strong>");
	strbuf_html(o, v->user);
	strbuf_puts(o, "</strong> (");
	strbuf_html(o, T(key));
	strbuf_puts(o, ")");
	const char *q = l == LANG_VI ? "" : "?lang=en";
	strbuf_printf(o, " · <a href=\"/search%s\">%s</a> · <a href=\"/events%s\">%s</a>", q,
		      T("nav.search"), q, T("nav.events"));
	if (viewer_is_admin(v))
		strbuf_printf(o, " · <a href=\"/audit%s\">%s</a>", q, T("user.audit"));
	strbuf_puts(o, " <form class=\"inline\" method=\"post\" action=\"/logout\">");
	page_csrf(o, v);
	strbuf_puts(o, "<button type=\"submit\">");
	strbuf_html(o, T("user.logout"));
	strbuf_puts(o, "</button></form></nav>\n");
}

int page_login(struct strbuf *o, const struct collector *c, enum lang l, const char *msg_key,
	       const char *user, const char *next)
{
	page_head(o, c, l, T("login.title"), 0, NULL);
	strbuf_puts(o, "<main class=\"login\"><h1>");
	strbuf_html(o, c->cfg->district);
	strbuf_puts(o, "</h1><h2>");
	strbuf_html(o, T("login.title"));
	strbuf_puts(o, "</h2>");
	if (msg_key) {
		strbuf_puts(o, "<p class=\"error\" role=\"alert\">");
		strbuf_html(o, T(msg_key));
		strbuf_puts(o, "</p>");
	}
	strbuf_printf(o, "<form method=\"post\" action=\"/login%s\"><label>",
		      l == LANG_VI ? "" : "?lang=en");
	strbuf_html(o, T("login.user"));
	strbuf_puts(o, " <input name=\"user\" required maxlength=\"63\" autocomplete=\"username\" "
		       "autocapitalize=\"none\" value=\"");
	strbuf_html(o, user ? user : "");
	strbuf_puts(o, "\"></label><label>");
	strbuf_html(o, T("login.password"));
	strbuf_puts(o, " <input type=\"password\" name=\"password\" required maxlength=\"200\" "
		       "autocomplete=\"current-password\"></label><input type=\"hidden\" "
		       "name=\"next\" value=\"");
	strbuf_html(o, next ? next : "/");
	strbuf_puts(o, "\"><button type=\"submit\">");
	strbuf_html(o, T("login.submit"));
	strbuf_printf(o, "</button></form><p class=\"lang\"><a href=\"/login?lang=%s\">%s</a></p>"
			 "</main></body></html>\n",
		      l == LANG_VI ? "en" : "vi", l == LANG_VI ? "English" : "Tiếng Việt");
	return o->overflow ? -1 : 0;
}

struct audit_table {
	struct strbuf *o;
	const struct collector *c;
	enum lang l;
	time_t now;
	int rows;
};

/* An action's words; a detail in the catalogue (a failed log-in's cause) is said in words too,
 * anything else (a commune, a note) is the operator's own text. */
static void audit_row(void *ctx, const struct audit_entry *e)
{
	struct audit_table *t = ctx;
	struct strbuf *o = t->o;
	const struct collector *c = t->c;
	enum lang l = t->l;
	char key[96], when[48];
	text_when(when, sizeof(when), e->ts, t->now);
	snprintf(key, sizeof(key), "audit.action.%s", e->action);
	strbuf_printf(o, "<tr><td>%s</td><td>", when);
	if (strncmp(e->user, "cli:", 4) == 0) { /* the command line on the collector's box */
		strbuf_html(o, e->user + 4);
		strbuf_printf(o, " (%s)", T("audit.cli"));
	} else {
		strbuf_html(o, e->user);
	}
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, strcmp(e->addr, "local") == 0 ? T("audit.local") : e->addr);
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, i18n_has(c->i18n, key) ? T(key) : e->action);
	strbuf_puts(o, "</td><td>");
	snprintf(key, sizeof(key), "audit.detail.%s", e->detail);
	strbuf_html(o, e->detail[0] && i18n_has(c->i18n, key) ? T(key) : e->detail);
	strbuf_puts(o, "</td></tr>\n");
	t->rows++;
}

int page_audit(struct strbuf *o, const struct collector *c, enum lang l,
	       const struct viewer *v, const char *user)
{
	struct audit_table t = {o, c, l, c->now(), 0};
	page_head(o, c, l, T("audit.title"), 0, v);
	strbuf_puts(o, "<header><h1>");
	strbuf_html(o, T("audit.title"));
	strbuf_printf(o, "</h1><p><a href=\"/%s\">%s</a></p></header>\n",
		      l == LANG_VI ? "" : "?lang=en", T("nav.back"));
	strbuf_printf(o, "<table class=\"audit\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
			 "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
		      T("audit.col.time"), T("audit.col.user"), T("audit.col.addr"),
		      T("audit.col.action"), T("audit.col.detail"));
	if (audit_each(c->store, 0, 0, user && *user ? user : NULL, AUDIT_PAGE_ROWS, audit_row,
		       &t) < 0)
		return -1;
	strbuf_puts(o, "</tbody></table>\n");
	if (!t.rows)
		strbuf_printf(o, "<p class=\"none\">%s</p>\n", T("audit.none"));
	strbuf_puts(o, "</body></html>\n");
	return o->overflow ? -1 : 0;
}
