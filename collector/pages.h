/* The dashboard's HTML pages. Every value from a device or a file is escaped on the way out. */
#ifndef HBMON_PAGES_H
#define HBMON_PAGES_H

#include <stddef.h>

#include "collector.h"
#include "judge.h"
#include "strbuf.h"
#include "viewer.h"

/* The page's head: doctype, language, viewport, style sheet, title "<title> — <district>";
 * refresh > 0 reloads it every refresh seconds; then who is logged in (v NULL: nobody). */
void page_head(struct strbuf *out, const struct collector *c, enum lang l, const char *title,
	       int refresh, const struct viewer *v);
/* Its first part, up to the title: a page adds its own head elements, then "</head><body>"
 * and the user bar (page_user_bar). */
void page_head_open(struct strbuf *out, const struct collector *c, enum lang l,
		    const char *title, int refresh);
/* The hidden field that carries the session's token back with a form. */
void page_csrf(struct strbuf *out, const struct viewer *v);

/* Links "<a href=PAGE?period=P>label</a>" for each of the n periods (catalogue period.P). */
void page_period_links(struct strbuf *out, const struct collector *c, enum lang l,
		       const char *page, const char *const *periods, size_t n);

/* The overview's query as the request gave it (NULL where absent): untrusted text, checked by
 * page_dashboard, which ignores what it does not understand.
 *   status  all | missed | met | notjudged | nodata | warn
 *   sev     critical | warning (communes missing a target of that severity)
 *   kind    site.<site type> | <device class> (communes missing a target of that kind)
 *   q       a search in commune names (≤ 300 bytes of clean UTF-8; tones and case ignored)
 *   sort    status (default: the worst first) | name | fault (oldest first) | down
 *   refresh seconds between the script's refreshes (2 to 3600, 60 by default) */
struct page_query {
	const char *status, *sev, *kind, *q, *sort, *refresh;
};

/* overview.c: the district overview: a row per commune the viewer sees (verdict, sites met,
 * devices up, what it misses, its oldest fault and who took it on), the district's figures
 * per kind of target, the filter form, the alerts and the probes. q NULL: the defaults. */
int page_dashboard(struct strbuf *out, const struct collector *c, enum lang l,
		   const struct viewer *v, const struct page_query *q);
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

/* pagebits.c: pieces the pages share. */
struct readiness;
struct commune_result;
struct site_type;
struct target_result;
struct inv_device;
/* A verdict's CSS class and its word on a badge; a commune's or site's class on the overview
 * ("notjudged" when it has targets and none is judged now). */
const char *page_verdict_class(enum verdict v);
const char *page_verdict_text(const struct collector *c, enum lang l, enum verdict v);
const char *page_judged_class(int njudged, int ntargets, enum verdict vj);
/* A commune's badge: its verdict now, or "not judged now" with the last one and when. */
void page_commune_badge(struct strbuf *out, const struct collector *c, enum lang l,
			const struct commune_result *cr, size_t k);
/* A link to the same page in the other language. */
void page_lang_switch(struct strbuf *out, enum lang l, const char *here);
/* Links to commune k's page (/commune/<path>) and to a device's, named by their names. */
void page_commune_link(struct strbuf *out, const struct collector *c, size_t k, enum lang l);
void page_device_link(struct strbuf *out, const struct collector *c, const struct inv_device *d,
		      enum lang l);
/* spark: with its availability over the day as a small line */
void page_device_row(struct strbuf *out, const struct collector *c, size_t dev, enum lang l,
		     time_t now, int spark);
/* A target missed and judged now, in words, after sep: 1 if written. */
int page_reason_item(struct strbuf *out, const struct collector *c, enum lang l,
		     const struct site_type *st, const struct target_result *t, const char *sep);
/* The targets commune k misses now, its own and its sites': critical first, then warnings. */
void page_missing_reasons(struct strbuf *out, const struct collector *c,
			  const struct readiness *r, size_t k, enum lang l);
/* A site: its type, what it misses, its devices' rows (_ex: with sparklines when spark). */
void page_site_block(struct strbuf *out, const struct collector *c, const struct readiness *r,
		     size_t site, enum lang l, time_t now);
void page_site_block_ex(struct strbuf *out, const struct collector *c,
			const struct readiness *r, size_t site, enum lang l, time_t now, int spark);

/* communepage.c: commune k's page, its officer's landing page: its verdict and what it
 * misses, its alerts and maintenance, its sites and devices with a day's line each, its
 * recent events. */
int page_commune(struct strbuf *out, const struct collector *c, size_t k, enum lang l,
		 const struct viewer *v);

/* findpages.c: /search?q= finds devices v sees by name, address, commune, site or SNMP name;
 * /events lists alerts, acknowledgements and maintenance of the communes v sees, newest first,
 * filtered (a field NULL or "": no filter; dates YYYY-MM-DD, the last 30 days by default).
 * page_events: -2 when a date does not parse. */
struct events_query {
	const char *commune, *kind, *from, *to;
};
int page_search(struct strbuf *out, const struct collector *c, enum lang l,
		const struct viewer *v, const char *q);
int page_events(struct strbuf *out, const struct collector *c, enum lang l,
		const struct viewer *v, const struct events_query *q);

/* accountpages.c: the user bar under every page's head (name, role, log-out, audit log),
 * the log-in page (msg_key: a catalogue key of what went wrong, or NULL), the audit log. */
void page_user_bar(struct strbuf *out, const struct collector *c, enum lang l,
		   const struct viewer *v);
int page_login(struct strbuf *out, const struct collector *c, enum lang l, const char *msg_key,
	       const char *user, const char *next);
int page_audit(struct strbuf *out, const struct collector *c, enum lang l,
	       const struct viewer *v, const char *user);

/* alertspage.c: alerts pending, firing, in maintenance or upstream down, with their reasons,
 * who took them on and a form to take one on; then the maintenance block. commune: one
 * commune's, NULL: every commune v sees. */
void page_alerts_block(struct strbuf *out, const struct collector *c, enum lang l,
		       const struct viewer *v, const char *commune);

/* maintpage.c: maintenance windows open and planned, who planned them, a form to plan one
 * and a button to end one (for those the viewer may act for); commune: one commune's (the form
 * for it alone), NULL: every commune v sees. */
void page_maint_block(struct strbuf *out, const struct collector *c, enum lang l,
		      const struct viewer *v, const char *commune);

/* lanpage.c: the hosts seen on commune k's LAN that are in no inventory (nothing when no LAN
 * of it is watched), with a form that adds one to the inventory for an administrator; the text of where device i was last heard on its LAN ("MAC (vendor) ·
 * last active …"): 1, or 0 when it was not seen. */
void page_lan_block(struct strbuf *out, const struct collector *c, size_t k, enum lang l,
		    const struct viewer *v);
int page_lan_device_text(char *dst, size_t n, const struct collector *c, size_t i, enum lang l);
/* The text of where device i is plugged in ("sw-1 cổng 7", plain: escape it): where a switch
 * or router of its commune announces it over LLDP / CDP (lanlink.h, saying so), else from the
 * forwarding tables of its commune's switches (lanplace.h): 1, or 0 when neither knows (no
 * switch learned its MAC: its inventory MAC, else the one the LAN watch matched to it). */
int page_lan_plugged_text(char *dst, size_t n, const struct collector *c, size_t i, enum lang l);
/* nbrpage.c: device i's LLDP / CDP neighbours (lannbr.h), port by port, each linked to its
 * inventory device when it is one (lanlink.h); nothing when its tables announce none. */
void page_nbr_block(struct strbuf *out, const struct collector *c, size_t i, enum lang l,
		    const struct viewer *v);
/* The overview's list: per commune v sees, how many unknown hosts its LAN has (none: nothing). */
void page_lan_summary(struct strbuf *out, const struct collector *c, enum lang l,
		      const struct viewer *v);

#endif
