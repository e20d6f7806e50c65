#include "alertstore.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"

struct alertstore {
	sqlite3 *db;
	sqlite3_stmt *put, *del, *all;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS alert_state ("
    " commune TEXT NOT NULL, site TEXT NOT NULL, target TEXT NOT NULL,"
    " state INTEGER NOT NULL, since INTEGER NOT NULL, met_since INTEGER NOT NULL,"
    " acked_by TEXT NOT NULL, reason_vi TEXT NOT NULL, reason_en TEXT NOT NULL,"
    " PRIMARY KEY (commune, site, target));";

struct alertstore *alertstore_open(struct store *st, char *err, size_t errsz)
{
	struct alertstore *as = calloc(1, sizeof(*as));
	if (!as) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	as->db = store_db(st);
	char *msg = NULL;
	if (sqlite3_exec(as->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(as->db,
			       "INSERT OR REPLACE INTO alert_state VALUES(?,?,?,?,?,?,?,?,?)", -1,
			       &as->put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(as->db,
			       "DELETE FROM alert_state WHERE commune = ? AND site = ? AND target = ?",
			       -1, &as->del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(as->db, "SELECT * FROM alert_state", -1, &as->all, NULL) !=
		SQLITE_OK) {
		snprintf(err, errsz, "alert states: %s", msg ? msg : sqlite3_errmsg(as->db));
		sqlite3_free(msg);
		alertstore_close(as);
		return NULL;
	}
	return as;
}

void alertstore_close(struct alertstore *as)
{
	if (!as)
		return;
	sqlite3_finalize(as->put);
	sqlite3_finalize(as->del);
	sqlite3_finalize(as->all);
	free(as);
}

int alertstore_save(struct alertstore *as, const char *commune, const char *site,
		    const char *target, const struct alert *al)
{
	int keep = al->st == A_FIRING;
	sqlite3_stmt *q = keep ? as->put : as->del;
	sqlite3_bind_text(q, 1, commune, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, site ? site : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, target, -1, SQLITE_TRANSIENT);
	if (keep) {
		sqlite3_bind_int(q, 4, (int)al->st);
		sqlite3_bind_int64(q, 5, (sqlite3_int64)al->since);
		sqlite3_bind_int64(q, 6, (sqlite3_int64)al->met_since);
		sqlite3_bind_text(q, 7, al->acked_by, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 8, al->reason[LANG_VI], -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 9, al->reason[LANG_EN], -1, SQLITE_TRANSIENT);
	}
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_DONE) {
		log_warnx("alerts", "%s: %s: the alert's state is not kept (%s): after a restart it "
				    "may be mailed again",
			  commune, target, sqlite3_errmsg(as->db));
		return -1;
	}
	return 0;
}

static const char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);
	return s ? (const char *)s : "";
}

int alertstore_each(struct alertstore *as, alertstore_fn fn, void *ctx)
{
	int n = 0;
	while (sqlite3_step(as->all) == SQLITE_ROW) {
		struct alert al;
		memset(&al, 0, sizeof(al));
		int st = sqlite3_column_int(as->all, 3);
		al.st = st == A_FIRING ? A_FIRING : A_OK;
		al.since = (time_t)sqlite3_column_int64(as->all, 4);
		al.met_since = (time_t)sqlite3_column_int64(as->all, 5);
		snprintf(al.acked_by, sizeof(al.acked_by), "%s", col(as->all, 6));
		snprintf(al.reason[LANG_VI], sizeof(al.reason[0]), "%s", col(as->all, 7));
		snprintf(al.reason[LANG_EN], sizeof(al.reason[0]), "%s", col(as->all, 8));
		fn(ctx, col(as->all, 0), col(as->all, 1), col(as->all, 2), &al);
		n++;
	}
	sqlite3_reset(as->all);
	return n;
}
