/*
 * The collector's event store and outgoing mail queue, in SQLite (<data_dir>/hbmon.db):
 * every alert transition and every message sent or failed is an event; a queued message
 * survives restarts and SMTP outages and is marked sent exactly once. Event loop only.
 */
#ifndef HBMON_STORE_H
#define HBMON_STORE_H

#include <stddef.h>
#include <time.h>

struct store;

struct store *store_open(const char *path, char *err, size_t errsz);
void store_close(struct store *s);
/* The SQLite handle, for modules that keep their own tables in the same file (probes.c). */
struct sqlite3;
struct sqlite3 *store_db(struct store *s);

/* kind: "firing", "resolved", "suppressed", "mail_sent", "mail_failed", ...; text in
 * Vietnamese, text_en its English (NULL: the same text serves both). */
int store_event(struct store *s, time_t ts, const char *commune, const char *subject,
		const char *kind, const char *text, const char *text_en);
/* Events a failing database could not take wait in memory (in order, 1,024 at most) and go
 * first at the next store_event; this writes them now: 0 when none wait any more. */
int store_retry_events(struct store *s);

/* Alert transitions ("firing", "resolved") with from <= ts < to, oldest first, at most limit. */
struct event {
	time_t ts;
	const char *commune, *subject, *kind, *text;
	const char *text_en; /* "" when the event has no English text (then text serves) */
};
typedef void (*store_event_fn)(void *ctx, const struct event *e);
int store_alert_events(struct store *s, time_t from, time_t to, int limit, store_event_fn fn,
		       void *ctx);

/* What people read of a commune's history, newest first: alerts firing and resolved,
 * acknowledgements ("ack"), maintenance planned and ended ("maintenance"), devices the probe
 * re-classed ("class_changed", classnote.h); kind NULL: all of them. from <= ts < to, at most limit. Returns how many, or -1. */
int store_events_newest(struct store *s, time_t from, time_t to, const char *kind, int limit,
			store_event_fn fn, void *ctx);

long store_outbox_add(struct store *s, time_t now, const char *rcpt, const char *data);
/* Calls fn for up to limit messages due at now (oldest first); fn returns 0 to go on. */
typedef int (*store_due_fn)(void *ctx, long id, const char *rcpt, const char *data, int attempts);
int store_outbox_due(struct store *s, time_t now, int limit, store_due_fn fn, void *ctx);
int store_outbox_sent(struct store *s, long id, time_t now);
/* Counts the attempt and schedules the next one: 1 min, doubling, at most 1 h apart. */
int store_outbox_failed(struct store *s, long id, time_t now, const char *err);
/* Messages not yet sent. */
long store_outbox_pending(struct store *s);

/*
 * Maintenance windows: a commune, a site of it, or one device (site and device "" when wider),
 * from start to end. Written by the command line or the dashboard, read by the alerts.
 */
struct maint {
	long id;
	const char *commune, *site, *device;
	time_t start, end;
	const char *note;
	const char *by; /* who planned it (NULL: the command line before authors were kept) */
};
long store_maint_add(struct store *s, const struct maint *m, time_t now);
/* Windows not yet over at now (current and future). Returns how many, or -1. */
typedef void (*store_maint_fn)(void *ctx, const struct maint *m);
int store_maint_each(struct store *s, time_t now, store_maint_fn fn, void *ctx);
/* Ends a window that is not over (one not begun ends before it begins): 1, 0 when no such
 * window is open, -1 on a store error. */
int store_maint_cancel(struct store *s, long id, time_t now);

/* Acknowledgements of a firing alert: target is a device class or "uplink". */
struct ack {
	long id;
	const char *commune, *site, *target;
	time_t at;
	const char *by, *note;
};
long store_ack_add(struct store *s, const struct ack *a);
/* Calls fn for acknowledgements with id > after; returns the last id seen. */
typedef void (*store_ack_fn)(void *ctx, const struct ack *a);
long store_acks_after(struct store *s, long after, store_ack_fn fn, void *ctx);

#endif
