/* The dashboard's HTML pages. Every value from a device or a file is escaped on the way out. */
#ifndef HBMON_PAGES_H
#define HBMON_PAGES_H

#include <stddef.h>

#include "collector.h"
#include "strbuf.h"
#include "viewer.h"

/* The page's head: doctype, language, viewport, style sheet, title "<title> — <district>";
 * refresh > 0 reloads it every refresh seconds; then who is logged in (v NULL: nobody). */
void page_head(struct strbuf *out, const struct collector *c, enum lang l, const char *title,
	       int refresh, const struct viewer *v);
/* The hidden field that carries the session's token back with a form. */
void page_csrf(struct strbuf *out, const struct viewer *v);

/* Links "<a href=PAGE?period=P>label</a>" for each of the n periods (catalogue period.P). */
void page_period_links(struct strbuf *out, const struct collector *c, enum lang l,
		       const char *page, const char *const *periods, size_t n);

/* The district overview: every commune, its sites and devices, missed targets with reasons. */
int page_dashboard(struct strbuf *out, const struct collector *c, enum lang l,
		   const struct viewer *v);
/* The time range of a device page: a period name, and for "custom" the start and end as the
 * user gave them (already checked by graph_range; either may be NULL). */
struct page_range {
	const char *period;
	const char *start, *end;
};

/* One device (devpage.c): identity, state, graphs for the range, a form to choose dates. */
int page_device(struct strbuf *out, const struct collector *c, size_t dev, enum lang l,
		const struct page_range *r, const struct viewer *v);

/* Readiness over a period (the history JSON) as a page: communes, scores, targets missed. */
struct json_object;
int page_report(struct strbuf *out, const struct collector *c, enum lang l,
		struct json_object *root, const struct viewer *v);

/* accountpages.c: the user bar under every page's head (name, role, log-out, audit log),
 * the log-in page (msg_key: a catalogue key of what went wrong, or NULL), the audit log. */
void page_user_bar(struct strbuf *out, const struct collector *c, enum lang l,
		   const struct viewer *v);
int page_login(struct strbuf *out, const struct collector *c, enum lang l, const char *msg_key,
	       const char *user, const char *next);
int page_audit(struct strbuf *out, const struct collector *c, enum lang l,
	       const struct viewer *v, const char *user);

/* maintpage.c: maintenance windows open and planned, who planned them, a form to plan one
 * and a button to end one (for those the viewer may act for). */
void page_maint_block(struct strbuf *out, const struct collector *c, enum lang l,
		      const struct viewer *v);

#endif
