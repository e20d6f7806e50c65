/* Pieces the dashboard's pages share: verdict badges, reasons in words, device rows, a
 * site's block, the language switch. */
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "names.h"
#include "pages.h"
#include "readiness.h"
#include "texts.h"

#define T(key) i18n_get(c->i18n, l, key)

/* A verdict's CSS class and its word on a badge. */
const char *page_verdict_class(enum verdict v)
{
	return v == V_MET ? "met" : v == V_MISSED ? "missed" : "nodata";
}

const char *page_verdict_text(const struct collector *c, enum lang l, enum verdict v)
{
	return T(v == V_MET ? "target.met" : v == V_MISSED ? "target.missed" : "target.no_data");
}

/* The class of a commune or site on the overview: its verdict over the targets judged now,
 * "notjudged" when it has targets and none is judged now. */
const char *page_judged_class(int njudged, int ntargets, enum verdict vj)
{
	return njudged || !ntargets ? page_verdict_class(vj) : "notjudged";
}

/* A commune's badge: its verdict over the targets judged now, or "not judged now (outside
 * working hours)" with the verdict it had when last judged, and when. */
void page_commune_badge(struct strbuf *o, const struct collector *c, enum lang l,
			  const struct commune_result *cr, size_t k)
{
	char key[40], when[32];
	enum verdict last;
	if (cr->njudged || !cr->ntargets) {
		strbuf_printf(o, "<span class=\"badge %s\">%s</span>", page_verdict_class(cr->vj),
			      page_verdict_text(c, l, cr->vj));
		if (cr->nwarn_judged)
			strbuf_printf(o, " <span class=\"badge warn\">%d %s</span>", cr->nwarn_judged,
				      T(cr->nwarn_judged == 1 ? "severity.warning_one"
							      : "severity.warnings"));
		return;
	}
	snprintf(key, sizeof(key), "judging.%s", readiness_judging_name(cr->why));
	strbuf_printf(o, "<span class=\"badge notjudged\">%s</span> <small class=\"notjudged\">%s",
		      T("judging.not_now"), T(key));
	time_t at = alerts_last_judged(c->alerts, k, &last);
	if (at) {
		text_day_time(when, sizeof(when), at);
		strbuf_printf(o, " · %s: %s, %s", T("judging.last"), page_verdict_text(c, l, last), when);
	}
	strbuf_puts(o, "</small>");
}

void page_lang_switch(struct strbuf *o, enum lang l, const char *here)
{
	enum lang other = l == LANG_VI ? LANG_EN : LANG_VI;
	strbuf_puts(o, "<nav class=\"lang\"><a href=\"");
	strbuf_html(o, here);
	strbuf_printf(o, "%slang=%s\">%s</a></nav>", strchr(here, '?') ? "&amp;" : "?",
		      lang_code(other), other == LANG_EN ? "English" : "Tiếng Việt");
}

void page_commune_link(struct strbuf *o, const struct collector *c, size_t k, enum lang l)
{
	strbuf_puts(o, "<a href=\"/commune/");
	strbuf_url(o, c->inv->communes[k].path);
	if (l != LANG_VI)
		strbuf_printf(o, "?lang=%s", lang_code(l));
	strbuf_puts(o, "\">");
	strbuf_html(o, c->inv->communes[k].name);
	strbuf_puts(o, "</a>");
}

void page_device_link(struct strbuf *o, const struct collector *c, const struct inv_device *d,
			enum lang l)
{
	strbuf_puts(o, "<a href=\"/device/");
	strbuf_url(o, c->inv->communes[d->commune].path);
	strbuf_puts(o, "/");
	strbuf_url(o, d->path);
	if (l != LANG_VI)
		strbuf_printf(o, "?lang=%s", lang_code(l));
	strbuf_puts(o, "\">");
	strbuf_html(o, d->name);
	strbuf_puts(o, "</a>");
}

/* Its availability over the day as a line (the commune page's): the device's own graph. */
static void spark_cell(struct strbuf *o, const struct collector *c, const struct inv_device *d)
{
	strbuf_puts(o, "<td class=\"spark\"><img alt=\"\" width=\"120\" height=\"24\" "
		       "loading=\"lazy\" src=\"/graph/");
	strbuf_url(o, c->inv->communes[d->commune].path);
	strbuf_puts(o, "/");
	strbuf_url(o, d->path);
	strbuf_puts(o, "/system.svg?period=day&amp;size=spark\"></td>");
}

/* The figures an officer glances at (the commune page's): what it is, how fast it answers,
 * its ports, how long it has run; for a device down, why. Only what the device reported. */
static void key_cell(struct strbuf *o, const struct collector *c, const struct dev_state *s,
		     enum dev_status st, enum lang l)
{
	char a[32], b[32], dur[160];
	const char *sep = "";
	strbuf_puts(o, "<td class=\"key\">");
	if (s->model[0]) {
		strbuf_puts(o, "<small>");
		strbuf_html(o, s->model);
		strbuf_puts(o, "</small><br>");
	}
	if (st == DEV_DOWN && s->error[0]) {
		text_error(dur, sizeof(dur), c->i18n, l, s->error);
		strbuf_html(o, dur);
	} else if (st == DEV_UP) {
		if (s->rtt_ms >= 0) {
			snprintf(a, sizeof(a), "%d", s->rtt_ms);
			const char *const v[][2] = {{"ms", a}};
			text_fill(o, T("key.rtt"), v, 1);
			sep = " · ";
		}
		if (s->nifs) {
			snprintf(a, sizeof(a), "%zu", s->nifs_up);
			snprintf(b, sizeof(b), "%zu", s->nifs);
			const char *const v[][2] = {{"up", a}, {"total", b}};
			strbuf_puts(o, sep);
			text_fill(o, T("key.ports"), v, 2);
			sep = " · ";
		}
		if (s->has_uptime) {
			text_duration(dur, sizeof(dur), c->i18n, l, (long)(s->uptime_ticks / 100));
			const char *const v[][2] = {{"time", dur}};
			strbuf_puts(o, sep);
			text_fill(o, T("key.uptime"), v, 1);
		}
	}
	strbuf_puts(o, "</td>");
}

void page_device_row(struct strbuf *o, const struct collector *c, size_t i, enum lang l,
		     time_t now, int spark)
{
	const struct inv_device *d = &c->inv->devices[i];
	const struct dev_state *s = &c->state.dev[i];
	enum dev_status st = state_status(&c->state, i, readiness_polled(d), now,
					  c->cfg->stale_after);
	char seen[32], key[48];
	text_when(seen, sizeof(seen), s->last_seen, now);
	snprintf(key, sizeof(key), "class.%s", devclass_name(d->cls));
	strbuf_printf(o, "<tr class=\"dev %s\" data-device=\"", status_name(st));
	strbuf_html(o, d->name);
	strbuf_puts(o, "\"><td>");
	page_device_link(o, c, d, l);
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, T(key));
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, d->host[0] ? d->host : "—");
	strbuf_printf(o, "</td><td><span class=\"status %s\">", status_name(st));
	strbuf_html(o, text_status(c->i18n, l, st));
	strbuf_puts(o, "</span></td><td>");
	strbuf_html(o, seen);
	strbuf_puts(o, "</td>");
	if (spark) {
		key_cell(o, c, s, st, l);
		spark_cell(o, c, d);
	}
	strbuf_puts(o, "</tr>\n");
}

/* A target missed and judged now, in words: a warning says so ("Cảnh báo: …"). */
int page_reason_item(struct strbuf *o, const struct collector *c, enum lang l,
		       const struct site_type *st, const struct target_result *t, const char *sep)
{
	struct strbuf reason;
	if (t->v != V_MISSED || t->judging != J_JUDGED || strbuf_init(&reason, 4096) < 0)
		return 0;
	text_reason(&reason, c->i18n, l, st, t);
	strbuf_puts(o, sep);
	if (t->sev == SEV_WARNING)
		strbuf_printf(o, "<span class=\"warn\">%s:</span> ", T("severity.warning"));
	strbuf_html(o, reason.data);
	strbuf_free(&reason);
	return 1;
}

/* The targets a commune misses now, its own and its sites': the critical ones, then the
 * warnings. */
void page_missing_reasons(struct strbuf *o, const struct collector *c,
			    const struct readiness *r, size_t k, enum lang l)
{
	int shown = 0;
	const struct commune_result *cr = &r->communes[k];
	for (int sev = SEV_CRITICAL; sev <= SEV_WARNING; sev++) {
		for (int t = 0; t < cr->nctargets; t++)
			if (cr->targets[t].sev == (enum severity)sev)
				shown += page_reason_item(o, c, l, NULL, &cr->targets[t], shown ? "; " : "");
		for (size_t s = 0; s < c->inv->nsites; s++) {
			const struct site_result *sr = &r->sites[s];
			for (int t = 0; c->inv->sites[s].commune == k && t < sr->ntargets; t++)
				if (sr->targets[t].sev == (enum severity)sev)
					shown += page_reason_item(o, c, l, sr->type, &sr->targets[t],
							     shown ? "; " : "");
		}
	}
}

void page_site_block(struct strbuf *o, const struct collector *c, const struct readiness *r,
		     size_t s, enum lang l, time_t now)
{
	page_site_block_ex(o, c, r, s, l, now, 0);
}

void page_site_block_ex(struct strbuf *o, const struct collector *c, const struct readiness *r,
			size_t s, enum lang l, time_t now, int spark)
{
	const struct inv_site *site = &c->inv->sites[s];
	const struct site_result *sr = &r->sites[s];
	strbuf_printf(o, "<div class=\"site %s\"><h3>",
		      page_judged_class(sr->njudged, sr->ntargets, sr->vj));
	strbuf_html(o, site->name);
	strbuf_puts(o, " <small>");
	if (sr->type)
		strbuf_html(o, l == LANG_VI ? sr->type->label_vi : sr->type->label_en);
	strbuf_puts(o, "</small></h3>");
	if (sr->njudged && (sr->vj == V_MISSED || sr->nwarn_judged)) {
		strbuf_puts(o, "<ul class=\"reasons\">");
		for (int sev = SEV_CRITICAL; sev <= SEV_WARNING; sev++)
			for (int k = 0; k < sr->ntargets; k++)
				if (sr->targets[k].sev == (enum severity)sev &&
				    page_reason_item(o, c, l, sr->type, &sr->targets[k], "<li>"))
					strbuf_puts(o, "</li>");
		strbuf_puts(o, "</ul>");
	}
	strbuf_printf(o, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>",
		      T("col.device"), T("col.class"), T("col.address"), T("col.status"),
		      T("col.last_seen"));
	if (spark)
		strbuf_printf(o, "<th>%s</th><th>%s</th>", T("col.key"), T("col.last_day"));
	strbuf_puts(o, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < c->inv->ndevices; i++)
		if (c->inv->devices[i].site == s)
			page_device_row(o, c, i, l, now, spark);
	strbuf_puts(o, "</tbody></table></div>\n");
}
