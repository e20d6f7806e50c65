/* The dashboard's HTML pages. Every value from a device or a file is escaped on the way out. */
#ifndef HBMON_PAGES_H
#define HBMON_PAGES_H

#include <stddef.h>

#include "collector.h"
#include "strbuf.h"

/* The page's head: doctype, language, viewport, style sheet, title "<title> — <district>";
 * refresh > 0 reloads it every refresh seconds. */
void page_head(struct strbuf *out, const struct collector *c, enum lang l, const char *title,
	       int refresh);

/* Links "<a href=PAGE?period=P>label</a>" for each of the n periods (catalogue period.P). */
void page_period_links(struct strbuf *out, const struct collector *c, enum lang l,
		       const char *page, const char *const *periods, size_t n);

/* The district overview: every commune, its sites and devices, missed targets with reasons. */
int page_dashboard(struct strbuf *out, const struct collector *c, enum lang l);
/* The time range of a device page: a period name, and for "custom" the start and end as the
 * user gave them (already checked by graph_range; either may be NULL). */
struct page_range {
	const char *period;
	const char *start, *end;
};

/* One device (devpage.c): identity, state, graphs for the range, a form to choose dates. */
int page_device(struct strbuf *out, const struct collector *c, size_t dev, enum lang l,
		const struct page_range *r);

/* Readiness over a period (the history JSON) as a page: communes, scores, targets missed. */
struct json_object;
int page_report(struct strbuf *out, const struct collector *c, enum lang l,
		struct json_object *root);

#endif
