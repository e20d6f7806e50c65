#include "pages.h"

#include <stdio.h>

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
