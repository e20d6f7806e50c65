/*
 * Alerts: a state machine per target of every site, and per commune uplink, driven by the
 * readiness evaluation once a second: ok → pending (for `pending` seconds) → firing →
 * resolved (after `recover` seconds met again). Targets are judged in working hours only
 * (unless their site type says always), not in the grace after each opening, and not while
 * the commune's uplink is down (they are "unreachable, upstream down", one uplink alert
 * instead). Changes are gathered per commune into one digest per recipient and interval,
 * queued in the store's outbox and sent by the mail thread.
 */
#ifndef HBMON_ALERTS_H
#define HBMON_ALERTS_H

#include <stdint.h>
#include <time.h>

#include "hours.h"
#include "i18n.h"
#include "judge.h"
#include "strbuf.h"

struct collector;
struct alerts;

/* NULL with err set when the holidays file cannot be read (errors name file and line). */
struct alerts *alerts_new(const struct collector *c, struct errlist *errs);
void alerts_free(struct alerts *a);
/*
 * After a reload: takes over src's states, pending digest changes and mail times for the
 * communes and sites still in the inventory (matched by name), so nothing firing is mailed
 * twice and nothing waiting for a digest is lost.
 */
struct inventory;
void alerts_carry(struct alerts *dst, const struct inventory *dinv, struct alerts *src,
		  const struct inventory *sinv);

/* Evaluates at now, once per second of the collector's clock and again when samples were
 * applied since (or when forced: an acknowledgement posted), and pumps the mail queue. The
 * event loop calls it before answering requests and after applying samples: a GET reads the
 * states, it never steps them. */
void alerts_tick(struct alerts *a, struct collector *c, time_t now, int force);
/* The readiness judged at the last tick, each target's judging set (not judged now: outside
 * its hours, maintenance…), which pages and the API read; before the first tick, a fresh
 * evaluation into own (every target judged; readiness_free it when it is returned). NULL
 * when that fails. */
struct readiness;
struct readiness_input;
const struct readiness *alerts_now(const struct alerts *a, const struct readiness_input *in,
				  struct readiness *own);
/* Each target's verdicts since local midnight (daytally.h), counted at each tick; NULL before
 * the first tick. Valid until the next tick. */
struct daytally;
const struct daytally *alerts_today(const struct alerts *a);
/* The same since the first of the month (local time). Both are kept in the store (every few
 * minutes, at a reload and a stop) and taken back at the first tick after a start. */
const struct daytally *alerts_month(const struct alerts *a);
/* Writes today's and this month's tallies to the store now (the collector stopping); inv is
 * the inventory a was judging. */
void alerts_keep_tallies(struct alerts *a, const struct inventory *inv);

/* A commune falling short (short_now 1: a critical alert of it fired where none did) or
 * recovering (0: none fires any more), at the tick that records it for the digest. The texts
 * and the result are valid during the call only. */
struct commune_result;
struct commune_event {
	size_t commune;
	int short_now;
	time_t at;
	const struct commune_result *result; /* this tick's readiness of the commune */
	const char *reason[LANG_COUNT];      /* its worst alert; "all targets met again" */
};
/* A commune's verdict when a target of it was last judged, and when (0: never). */

time_t alerts_last_judged(const struct alerts *a, size_t commune, enum verdict *v);
/* Judgements made since start and the CPU they took: what /metrics says of the tick. */
void alerts_tick_cost(const struct alerts *a, uint64_t *ticks, double *cpu_seconds);
/* Indexes of a commune, and of a site in it, by name; -1 when not in the inventory. */
struct inventory;
long alerts_find_commune(const struct inventory *inv, const char *name);
long alerts_find_site(const struct inventory *inv, size_t commune, const char *name);
/* One alert as the dashboard shows it (texts in the page's language). */
struct alert_view {
	const char *commune, *site; /* site NULL for the uplink */
	const char *target, *state; /* "scanner" | "uplink"; "pending" | "firing" | "ok" */
	time_t since;
	int suppressed, in_maint;
	const char *acked_by; /* "" when not acknowledged */
	const char *reason;    /* in the language asked for */
	const char *reason_en; /* in English, whatever was asked */
};
typedef void (*alerts_view_fn)(void *ctx, const struct alert_view *v);
/* Every alert not ok, or not judged (maintenance, upstream down). lang: 0 vi, 1 en. */
void alerts_each(const struct alerts *a, const struct collector *c, int lang, alerts_view_fn fn,
		 void *ctx);

/* The working hours and holidays the alerts judge by. */
const struct hours *alerts_hours(const struct alerts *a);
/* The alert states as JSON (/api/v1/alerts). */
struct viewer;
/* /api/v1/alerts: the alerts of the communes v sees. */
int alerts_json(struct strbuf *out, const struct alerts *a, const struct collector *c,
		const struct viewer *v);

#endif
