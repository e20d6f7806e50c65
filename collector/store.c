#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Events the database could not take (a full disk): kept in order and written first at the
 * next event or retry, so the alert history keeps its "firing" before its "resolved". */
#define EVENT_BACKLOG 1024

struct held_event {
	time_t ts;
	char *commune, *subject, *kind, *text, *text_en;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins_maint, *active_maint, *ins_ack, *new_acks;
	sqlite3_stmt *ins_event, *alert_events, *ins_mail, *due, *sent, *failed, *pending;
	struct held_event held[EVENT_BACKLOG];
	size_t nheld;
	unsigned long events_dropped; /* the backlog was full */
	int failing; /* the last write failed: told once */
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS events ("
    " id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, commune TEXT, subject TEXT,"
    " kind TEXT NOT NULL, text TEXT, text_en TEXT);"
    "CREATE INDEX IF NOT EXISTS events_ts ON events(ts);"
    "CREATE TABLE IF NOT EXISTS outbox ("
    " id INTEGER PRIMARY KEY, created INTEGER NOT NULL, rcpt TEXT NOT NULL, data TEXT NOT NULL,"
    " attempts INTEGER NOT NULL DEFAULT 0, next_try INTEGER NOT NULL, sent INTEGER,"
    " last_error TEXT);"
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(sent, next_try);"
    "CREATE TABLE IF NOT EXISTS maintenance ("
    " id INTEGER PRIMARY KEY, commune TEXT NOT NULL, site TEXT, device TEXT,"
    " starts INTEGER NOT NULL, ends INTEGER NOT NULL, note TEXT, created INTEGER NOT NULL,"
    " by TEXT);"
    "CREATE TABLE IF NOT EXISTS acks ("
    " id INTEGER PRIMARY KEY, commune TEXT NOT NULL, site TEXT, target TEXT NOT NULL,"
    " at INTEGER NOT NULL, by TEXT NOT NULL, note TEXT);";

static int add_column(sqlite3 *db, const char *probe_sql, const char *alter_sql)
{
	sqlite3_stmt *probe = NULL;
	int has = sqlite3_prepare_v2(db, probe_sql, -1, &probe, NULL) == SQLITE_OK;
	sqlite3_finalize(probe);
	return has ? SQLITE_OK : sqlite3_exec(db, alter_sql, NULL, NULL, NULL);
}

/* A store made before events had an English text gets the column (existing rows: none,
 * their Vietnamese text serves), one made before windows had an author gets that (older
 * windows: no author named). */
static int migrate(sqlite3 *db)
{
	int rc = add_column(db, "SELECT text_en FROM events LIMIT 0",
			    "ALTER TABLE events ADD COLUMN text_en TEXT");
	return rc != SQLITE_OK ? rc
			       : add_column(db, "SELECT by FROM maintenance LIMIT 0",
					    "ALTER TABLE maintenance ADD COLUMN by TEXT");
}

/* sqlite's reason, in an operator's words with the fix: a damaged file and a file the daemon
 * may not write call for different hands. */
static void open_failed(sqlite3 *db, const char *path, const char *msg, char *err, size_t errsz)
{
	int code = db ? sqlite3_errcode(db) & 0xff : SQLITE_NOMEM;
	int os = db ? sqlite3_system_errno(db) : 0;
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int n = slash && slash != path ? (int)(slash - path) : 1;
	snprintf(dir, sizeof(dir), "%.*s", n, slash ? path : ".");
	if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
		snprintf(err, errsz, "%s: the event store is damaged or not hbmon's (%s): restore it "
			 "from a backup, or move it aside to start an empty one (probes then need new "
			 "secrets: hbmon-collector probe add)", path, msg);
	else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		snprintf(err, errsz, "%s: the event store is locked by another process (%s): stop it, "
			 "then start again", path, msg);
	else if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_PERM ||
		 code == SQLITE_AUTH || code == SQLITE_IOERR)
		snprintf(err, errsz, "%s: cannot open the event store: %s%s%s: make the user %s "
			 "runs as the owner of it and its folder (as a service: chown -R hbmon %s)",
			 path, msg, os ? ": " : "", os ? strerror(os) : "",
			 program_invocation_short_name, dir);
	else
		snprintf(err, errsz, "%s: cannot open the event store: %s", path, msg);
}

struct store *store_open(const char *path, char *err, size_t errsz)
{
	struct store *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	char *msg = NULL;
	if (sqlite3_open(path, &s->db) != SQLITE_OK ||
	    sqlite3_busy_timeout(s->db, 2000) != SQLITE_OK ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK || migrate(s->db) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO events(ts, commune, subject, kind, text, text_en) "
			       "VALUES(?,?,?,?,?,?)",
			       -1, &s->ins_event, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "SELECT ts, commune, subject, kind, text, text_en FROM events WHERE kind IN "
			       "('firing', 'resolved') AND ts >= ? AND ts < ? ORDER BY ts, id LIMIT ?",
			       -1, &s->alert_events, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO outbox(created, rcpt, data, next_try) VALUES(?,?,?,?)", -1,
			       &s->ins_mail, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "SELECT id, rcpt, data, attempts FROM outbox WHERE sent IS NULL AND "
			       "next_try <= ? ORDER BY id LIMIT ?",
			       -1, &s->due, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE outbox SET sent = ? WHERE id = ?", -1, &s->sent,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_try = "
			       "? + min(3600, 60 << min(attempts, 6)) WHERE id = ?",
			       -1, &s->failed, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT count(*) FROM outbox WHERE sent IS NULL", -1,
			       &s->pending, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO maintenance(commune, site, device, starts, ends, note, created, "
			       "by) VALUES(?,?,?,?,?,?,?,?)",
			       -1, &s->ins_maint, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "SELECT id, commune, site, device, starts, ends, note, by FROM maintenance "
			       "WHERE ends > ? AND ends > starts ORDER BY starts",
			       -1, &s->active_maint, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "INSERT INTO acks(commune, site, target, at, by, note) VALUES(?,?,?,?,?,?)",
			       -1, &s->ins_ack, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db,
			       "SELECT id, commune, site, target, at, by, note FROM acks WHERE id > ? "
			       "ORDER BY id",
			       -1, &s->new_acks, NULL) != SQLITE_OK) {
		open_failed(s->db, path, msg ? msg : sqlite3_errmsg(s->db), err, errsz);
		sqlite3_free(msg);
		store_close(s);
		return NULL;
	}
	return s;
}

static void held_free(struct held_event *e)
{
	free(e->commune);
	free(e->subject);
	free(e->kind);
	free(e->text);
	free(e->text_en);
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->nheld)
		log_warnx("store", "%zu events the database would not take are lost at stop",
			  s->nheld);
	for (size_t i = 0; i < s->nheld; i++)
		held_free(&s->held[i]);
	sqlite3_finalize(s->ins_event);
	sqlite3_finalize(s->alert_events);
	sqlite3_finalize(s->ins_mail);
	sqlite3_finalize(s->due);
	sqlite3_finalize(s->sent);
	sqlite3_finalize(s->failed);
	sqlite3_finalize(s->pending);
	sqlite3_finalize(s->ins_maint);
	sqlite3_finalize(s->active_maint);
	sqlite3_finalize(s->ins_ack);
	sqlite3_finalize(s->new_acks);
	sqlite3_close(s->db);
	free(s);
}

sqlite3 *store_db(struct store *s) { return s->db; }

static const char *col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* A failing database (a full disk) is told once, and again when it writes again: every alert
 * tick tries it, which would otherwise be a line a second. */
static int step_done(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		if (!s->failing)
			log_warnx("store", "cannot write: %s", sqlite3_errmsg(s->db));
		s->failing = 1;
		return -1;
	}
	if (s->failing)
		log_info("store", "the event store writes again");
	s->failing = 0;
	return 0;
}

static int insert_event(struct store *s, time_t ts, const char *commune, const char *subject,
			const char *kind, const char *text, const char *text_en)
{
	sqlite3_bind_int64(s->ins_event, 1, (sqlite3_int64)ts);
	sqlite3_bind_text(s->ins_event, 2, commune, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->ins_event, 3, subject, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->ins_event, 4, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->ins_event, 5, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->ins_event, 6, text_en, -1, SQLITE_TRANSIENT);
	return step_done(s, s->ins_event);
}

static char *dup_or_null(const char *t) { return t ? strdup(t) : NULL; }

static int hold_event(struct store *s, time_t ts, const char *commune, const char *subject,
		      const char *kind, const char *text, const char *text_en)
{
	if (s->nheld == EVENT_BACKLOG) {
		s->events_dropped++;
		log_warnx("store", "%lu events lost: %d waiting for the database already",
			  s->events_dropped, EVENT_BACKLOG);
		return -1;
	}
	struct held_event *h = &s->held[s->nheld];
	*h = (struct held_event){ts, dup_or_null(commune), dup_or_null(subject), strdup(kind),
				 dup_or_null(text), dup_or_null(text_en)};
	if (!h->kind) {
		held_free(h);
		return -1;
	}
	s->nheld++;
	return 0;
}

int store_retry_events(struct store *s)
{
	size_t done = 0;
	for (; done < s->nheld; done++) {
		const struct held_event *h = &s->held[done];
		if (insert_event(s, h->ts, h->commune, h->subject, h->kind, h->text, h->text_en) < 0)
			break;
		held_free(&s->held[done]);
	}
	memmove(s->held, s->held + done, (s->nheld - done) * sizeof(*s->held));
	s->nheld -= done;
	if (done && !s->nheld)
		log_info("store", "the events held while the database failed are written");
	return s->nheld ? -1 : 0;
}

int store_event(struct store *s, time_t ts, const char *commune, const char *subject,
		const char *kind, const char *text, const char *text_en)
{
	if ((s->nheld && store_retry_events(s) < 0) ||
	    insert_event(s, ts, commune, subject, kind, text, text_en) < 0)
		return hold_event(s, ts, commune, subject, kind, text, text_en);
	return 0;
}

/* Each row of a statement selecting ts, commune, subject, kind, text, text_en: how many, or
 * -1 when the step failed. */
static int each_event(sqlite3_stmt *st, store_event_fn fn, void *ctx)
{
	int rc, n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct event e = {(time_t)sqlite3_column_int64(st, 0), col(st, 1), col(st, 2),
				  col(st, 3), col(st, 4), col(st, 5)};
		fn(ctx, &e);
		n++;
	}
	return rc == SQLITE_DONE ? n : -1;
}

int store_alert_events(struct store *s, time_t from, time_t to, int limit, store_event_fn fn,
		       void *ctx)
{
	sqlite3_stmt *st = s->alert_events;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	sqlite3_bind_int(st, 3, limit);
	int n = each_event(st, fn, ctx);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return n;
}

long store_outbox_add(struct store *s, time_t now, const char *rcpt, const char *data)
{
	sqlite3_bind_int64(s->ins_mail, 1, (sqlite3_int64)now);
	sqlite3_bind_text(s->ins_mail, 2, rcpt, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s->ins_mail, 3, data, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s->ins_mail, 4, (sqlite3_int64)now);
	if (step_done(s, s->ins_mail) < 0)
		return -1;
	return (long)sqlite3_last_insert_rowid(s->db);
}

int store_outbox_due(struct store *s, time_t now, int limit, store_due_fn fn, void *ctx)
{
	sqlite3_bind_int64(s->due, 1, (sqlite3_int64)now);
	sqlite3_bind_int(s->due, 2, limit);
	int rc, n = 0;
	while ((rc = sqlite3_step(s->due)) == SQLITE_ROW) {
		n++;
		if (fn(ctx, (long)sqlite3_column_int64(s->due, 0),
		       (const char *)sqlite3_column_text(s->due, 1),
		       (const char *)sqlite3_column_text(s->due, 2), sqlite3_column_int(s->due, 3)))
			break;
	}
	sqlite3_reset(s->due);
	sqlite3_clear_bindings(s->due);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? n : -1;
}

int store_outbox_sent(struct store *s, long id, time_t now)
{
	sqlite3_bind_int64(s->sent, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(s->sent, 2, id);
	return step_done(s, s->sent);
}

int store_outbox_failed(struct store *s, long id, time_t now, const char *err)
{
	sqlite3_bind_text(s->failed, 1, err, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s->failed, 2, (sqlite3_int64)now);
	sqlite3_bind_int64(s->failed, 3, id);
	return step_done(s, s->failed);
}

long store_outbox_pending(struct store *s)
{
	long n = -1;
	if (sqlite3_step(s->pending) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(s->pending, 0);
	sqlite3_reset(s->pending);
	return n;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

long store_maint_add(struct store *s, const struct maint *m, time_t now)
{
	bind_opt(s->ins_maint, 1, m->commune);
	bind_opt(s->ins_maint, 2, m->site);
	bind_opt(s->ins_maint, 3, m->device);
	sqlite3_bind_int64(s->ins_maint, 4, (sqlite3_int64)m->start);
	sqlite3_bind_int64(s->ins_maint, 5, (sqlite3_int64)m->end);
	bind_opt(s->ins_maint, 6, m->note);
	sqlite3_bind_int64(s->ins_maint, 7, (sqlite3_int64)now);
	bind_opt(s->ins_maint, 8, m->by);
	if (step_done(s, s->ins_maint) < 0)
		return -1;
	return (long)sqlite3_last_insert_rowid(s->db);
}

int store_maint_each(struct store *s, time_t now, store_maint_fn fn, void *ctx)
{
	sqlite3_bind_int64(s->active_maint, 1, (sqlite3_int64)now);
	int rc, n = 0;
	while ((rc = sqlite3_step(s->active_maint)) == SQLITE_ROW) {
		struct maint m = {sqlite3_column_int64(s->active_maint, 0), col(s->active_maint, 1),
				  col(s->active_maint, 2), col(s->active_maint, 3),
				  (time_t)sqlite3_column_int64(s->active_maint, 4),
				  (time_t)sqlite3_column_int64(s->active_maint, 5),
				  col(s->active_maint, 6), col(s->active_maint, 7)};
		fn(ctx, &m);
		n++;
	}
	sqlite3_reset(s->active_maint);
	sqlite3_clear_bindings(s->active_maint);
	return rc == SQLITE_DONE ? n : -1;
}

int store_events_newest(struct store *s, time_t from, time_t to, const char *kind, int limit,
			store_event_fn fn, void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT ts, commune, subject, kind, text, text_en FROM events WHERE "
			       "kind IN ('firing', 'resolved', 'ack', 'maintenance', 'class_changed') "
			       "AND (?3 IS NULL "
			       "OR kind = ?3) AND ts >= ?1 AND ts < ?2 ORDER BY ts DESC, id DESC "
			       "LIMIT ?4",
			       -1, &st, NULL) != SQLITE_OK) {
		log_warnx("store", "events: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)to);
	if (kind)
		sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, limit);
	int n = each_event(st, fn, ctx);
	sqlite3_finalize(st);
	return n;
}

int store_maint_cancel(struct store *s, long id, time_t now)
{
	sqlite3_stmt *st = NULL;
	/* ended now, not deleted: what it covered stays explained in the period report; one not
	 * begun ends where it begins, an empty window */
	if (sqlite3_prepare_v2(s->db,
			       "UPDATE maintenance SET ends = max(starts, ?1) WHERE id = ?2 AND ends > ?1 "
			       "AND ends > starts",
			       -1, &st, NULL) != SQLITE_OK) {
		log_warnx("store", "maintenance: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)id);
	int rc = step_done(s, st);
	int changed = rc < 0 ? -1 : sqlite3_changes(s->db) > 0;
	sqlite3_finalize(st);
	return changed;
}

long store_ack_add(struct store *s, const struct ack *a)
{
	bind_opt(s->ins_ack, 1, a->commune);
	bind_opt(s->ins_ack, 2, a->site);
	bind_opt(s->ins_ack, 3, a->target);
	sqlite3_bind_int64(s->ins_ack, 4, (sqlite3_int64)a->at);
	bind_opt(s->ins_ack, 5, a->by);
	bind_opt(s->ins_ack, 6, a->note);
	if (step_done(s, s->ins_ack) < 0)
		return -1;
	return (long)sqlite3_last_insert_rowid(s->db);
}

long store_acks_after(struct store *s, long after, store_ack_fn fn, void *ctx)
{
	sqlite3_bind_int64(s->new_acks, 1, after);
	long last = after;
	while (sqlite3_step(s->new_acks) == SQLITE_ROW) {
		struct ack a = {sqlite3_column_int64(s->new_acks, 0), col(s->new_acks, 1),
				col(s->new_acks, 2), col(s->new_acks, 3),
				(time_t)sqlite3_column_int64(s->new_acks, 4), col(s->new_acks, 5),
				col(s->new_acks, 6)};
		fn(ctx, &a);
		last = a.id;
	}
	sqlite3_reset(s->new_acks);
	sqlite3_clear_bindings(s->new_acks);
	return last;
}
