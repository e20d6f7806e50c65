#include "audit.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static const char *const action_names[] = {
    [AUDIT_LOGIN] = "login",
    [AUDIT_LOGIN_FAILED] = "login_failed",
    [AUDIT_LOGOUT] = "logout",
    [AUDIT_ACK] = "ack",
    [AUDIT_MAINT_ADD] = "maint_add",
    [AUDIT_MAINT_CANCEL] = "maint_cancel",
    [AUDIT_USER_ADD] = "user_add",
    [AUDIT_USER_PASSWD] = "user_passwd",
    [AUDIT_USER_DEL] = "user_del",
    [AUDIT_TOKEN_ADD] = "token_add",
    [AUDIT_TOKEN_DEL] = "token_del",
    [AUDIT_INVENTORY_ADD] = "inventory_add",
};
#define NACTIONS (sizeof(action_names) / sizeof(action_names[0]))

/* Rows are never updated or deleted here; the index serves the newest-first reads. */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS audit ("
    " id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, user TEXT NOT NULL, addr TEXT NOT NULL,"
    " action TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS audit_ts ON audit(ts);";

const char *audit_action_name(enum audit_action a)
{
	return (unsigned)a < NACTIONS ? action_names[a] : NULL;
}

static int known_action(const char *s)
{
	for (size_t i = 0; s && i < NACTIONS; i++)
		if (strcmp(s, action_names[i]) == 0)
			return 1;
	return 0;
}

int audit_open(struct store *st, char *err, size_t errsz)
{
	char *msg = NULL;
	if (sqlite3_exec(store_db(st), schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errsz, "audit log: %s", msg ? msg : sqlite3_errmsg(store_db(st)));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* s cut to at most max bytes without splitting a UTF-8 sequence; NULL reads as "". */
static int bind_capped(sqlite3_stmt *q, int col, const char *s, size_t max)
{
	if (!s)
		s = "";
	size_t n = strnlen(s, max + 1);
	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return sqlite3_bind_text(q, col, s, (int)n, SQLITE_TRANSIENT);
}

int audit_add(struct store *st, time_t ts, const char *user, const char *addr,
	      const char *action, const char *detail)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q = NULL;
	if (!known_action(action)) {
		/* a caller's bug: an entry nobody can filter by its code is worth little */
		log_warnx("audit", "not recorded: unknown action \"%.40s\"", action ? action : "");
		return -1;
	}
	int rc = sqlite3_prepare_v2(db,
				    "INSERT INTO audit(ts, user, addr, action, detail) "
				    "VALUES(?,?,?,?,?)",
				    -1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, (sqlite3_int64)ts);
		bind_capped(q, 2, user, AUDIT_USER_MAX);
		bind_capped(q, 3, addr, AUDIT_ADDR_MAX);
		sqlite3_bind_text(q, 4, action, -1, SQLITE_STATIC);
		bind_capped(q, 5, detail, AUDIT_DETAIL_MAX);
		rc = sqlite3_step(q);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		log_warnx("audit", "%s not recorded: %s", action, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static const char *text(sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);
	return s ? s : "";
}

int audit_each(struct store *st, time_t from, time_t to, const char *user, int limit,
	       audit_fn fn, void *ctx)
{
	sqlite3 *db = store_db(st);
	sqlite3_stmt *q = NULL;
	int rc = sqlite3_prepare_v2(db,
				    "SELECT id, ts, user, addr, action, detail FROM audit"
				    " WHERE ts >= ?1 AND ts < ?2 AND (?3 IS NULL OR user = ?3)"
				    " ORDER BY ts DESC, id DESC LIMIT ?4",
				    -1, &q, NULL);
	int n = 0;
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, (sqlite3_int64)from);
		sqlite3_bind_int64(q, 2, to > 0 ? (sqlite3_int64)to : INT64_MAX);
		if (user)
			sqlite3_bind_text(q, 3, user, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 4, limit > 0 ? limit : -1); /* SQLite: a negative LIMIT is none */
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			struct audit_entry e = {(long)sqlite3_column_int64(q, 0),
						(time_t)sqlite3_column_int64(q, 1),
						text(q, 2),
						text(q, 3),
						text(q, 4),
						text(q, 5)};
			fn(ctx, &e);
			n++;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		log_warnx("audit", "cannot read the audit log: %s", sqlite3_errmsg(db));
		return -1;
	}
	return n;
}
