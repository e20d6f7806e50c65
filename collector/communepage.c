/* A commune's page: where its officer lands, and where district IT reads one commune whole. */
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "pages.h"
#include "readiness.h"
#include "store.h"
#include "texts.h"

#define T(key) i18n_get(c->i18n, l, key)
/* the events of the last week, the newest this many */
#define EVENTS_DAYS 7
#define EVENTS_SHOWN 50
#define EVENTS_READ 2000

struct events_seen {
	struct strbuf *o;
	const struct collector *c;
	enum lang l;
	const char *commune;
	time_t now;
	int n;
};

static void event_row(void *ctx, const struct event *e)
{
	struct events_seen *s = ctx;
	const struct collector *c = s->c;
	enum lang l = s->l;
	char when[48], key[48];
	if (s->n >= EVENTS_SHOWN || !e->commune || strcmp(e->commune, s->commune) != 0)
		return;
	if (!s->n++)
		strbuf_printf(s->o, "<table class=\"events\"><thead><tr><th>%s</th><th>%s</th>"
				    "<th>%s</th></tr></thead><tbody>\n",
			      T("audit.col.time"), T("col.status"), T("alerts.reason"));
	text_when(when, sizeof(when), e->ts, s->now);
	snprintf(key, sizeof(key), "events.kind.%s", e->kind);
	strbuf_printf(s->o, "<tr class=\"%s\"><td>%s</td><td>", e->kind, when);
	strbuf_html(s->o, T(key));
	strbuf_puts(s->o, "</td><td>");
	strbuf_html(s->o, l == LANG_EN && e->text_en[0] ? e->text_en : e->text);
	strbuf_puts(s->o, "</td></tr>\n");
}

/* What happened to the commune this week, newest first: alerts, who took them on, windows. */
static void events_block(struct strbuf *o, const struct collector *c, size_t k, enum lang l,
			 time_t now)
{
	struct events_seen s = {o, c, l, c->inv->communes[k].name, now, 0};
	strbuf_printf(o, "<section id=\"events\"><h2>%s</h2>\n", T("events.title"));
	store_events_newest(c->store, now - EVENTS_DAYS * 86400, now + 1, NULL, EVENTS_READ,
			    event_row, &s);
	if (s.n)
		strbuf_puts(o, "</tbody></table>");
	else
		strbuf_printf(o, "<p class=\"none\">%s</p>", T("events.none"));
	strbuf_printf(o, "<p><a href=\"/events?commune=");
	strbuf_url(o, c->inv->communes[k].name);
	strbuf_printf(o, "%s\">%s</a></p></section>\n", l == LANG_VI ? "" : "&amp;lang=en",
		      T("events.all"));
}

/* The commune's name, badge, figures and what it misses. */
static void commune_head(struct strbuf *o, const struct collector *c, const struct readiness *r,
			 size_t k, enum lang l)
{
	const struct commune_result *cr = &r->communes[k];
	strbuf_printf(o, "<header class=\"commune %s\" data-commune=\"",
		      page_judged_class(cr->njudged, cr->ntargets, cr->vj));
	strbuf_html(o, c->inv->communes[k].name);
	strbuf_puts(o, "\"><h1>");
	strbuf_html(o, c->inv->communes[k].name);
	strbuf_puts(o, "</h1><p>");
	page_commune_badge(o, c, l, cr, k);
	strbuf_printf(o, " · %s %d/%d · %s %d/%d</p>", T("headline.sites_met"), cr->nsites_met,
		      cr->nsites, T("headline.devices_up"), cr->devices_up, cr->devices);
	struct strbuf why;
	if (strbuf_init(&why, 64 * 1024) == 0) {
		page_missing_reasons(&why, c, r, k, l);
		if (why.len) {
			strbuf_printf(o, "<p class=\"reasons\"><strong>%s:</strong> ", T("summary.missing"));
			strbuf_append(o, why.data, why.len);
			strbuf_puts(o, "</p>");
		}
		strbuf_free(&why);
	}
	strbuf_puts(o, "</header>\n");
}

int page_commune(struct strbuf *o, const struct collector *c, size_t k, enum lang l,
		 const struct viewer *v)
{
	struct readiness own = {0};
	time_t now = c->now();
	struct readiness_input in = {c->cfg, c->inv, &c->state, now, NULL};
	const struct readiness *r = alerts_now(c->alerts, &in, &own);
	struct strbuf here;
	if (!r || strbuf_init(&here, 1024) < 0)
		return -1;
	strbuf_puts(&here, "/commune/");
	strbuf_url(&here, c->inv->communes[k].path);
	page_head(o, c, l, c->inv->communes[k].name, 60, v);
	page_lang_switch(o, l, here.data);
	strbuf_free(&here);
	strbuf_printf(o, "<nav class=\"back\"><a href=\"/%s\">%s</a></nav>\n",
		      l == LANG_VI ? "" : "?lang=en", T("nav.back"));
	commune_head(o, c, r, k, l);
	page_alerts_block(o, c, l, v, c->inv->communes[k].name);
	strbuf_printf(o, "<section id=\"sites\"><h2>%s</h2>\n", T("commune.sites"));
	for (size_t s = 0; s < c->inv->nsites; s++)
		if (c->inv->sites[s].commune == k)
			page_site_block_ex(o, c, r, s, l, now, 1);
	strbuf_puts(o, "</section>\n");
	page_lan_block(o, c, k, l, v);
	events_block(o, c, k, l, now);
	strbuf_puts(o, "</body></html>\n");
	if (r == &own)
		readiness_free(&own);
	return o->overflow ? -1 : 0;
}
