#include "tallystore.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "config.h"
#include "daytally.h"
#include "inventory.h"
#include "log.h"
#include "promexport.h"
#include "readiness.h"
#include "store.h"

struct tallystore {
	sqlite3 *db;
	sqlite3_stmt *put, *clear, *get;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS target_tally ("
    " kind TEXT NOT NULL, start INTEGER NOT NULL,"
    " commune TEXT NOT NULL, site TEXT NOT NULL, target TEXT NOT NULL,"
    " met REAL NOT NULL, missed REAL NOT NULL, nodata REAL NOT NULL,"
    " PRIMARY KEY (kind, commune, site, target));";

struct tallystore *tallystore_open(struct store *st, char *err, size_t errsz)
{
	struct tallystore *ts = calloc(1, sizeof(*ts));
	if (!ts) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	ts->db = store_db(st);
	char *msg = NULL;
	if (sqlite3_exec(ts->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(ts->db, "INSERT OR REPLACE INTO target_tally VALUES(?,?,?,?,?,?,?,?)",
			       -1, &ts->put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ts->db, "DELETE FROM target_tally WHERE kind = ?", -1, &ts->clear,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ts->db,
			       "SELECT commune, site, target, met, missed, nodata FROM target_tally"
			       " WHERE kind = ? AND start = ?",
			       -1, &ts->get, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "target tallies: %s", msg ? msg : sqlite3_errmsg(ts->db));
		sqlite3_free(msg);
		tallystore_close(ts);
		return NULL;
	}
	return ts;
}

void tallystore_close(struct tallystore *ts)
{
	if (!ts)
		return;
	sqlite3_finalize(ts->put);
	sqlite3_finalize(ts->clear);
	sqlite3_finalize(ts->get);
	free(ts);
}

void tallystore_target_key(const struct target_result *t, int i, char *buf, size_t n)
{
	char other[3 * CFG_NAME_MAX + 8];
	promexport_target_name(&t[i], buf, n);
	for (int j = 0; j < i; j++) {
		promexport_target_name(&t[j], other, sizeof(other));
		if (strcmp(other, buf) == 0) {
			size_t len = strlen(buf);
			snprintf(buf + len, n - len, "#%d", i + 1);
			return;
		}
	}
}

/* One tally's row; nothing for one that counted nothing. 0, or -1 on a store error. */
static int put_one(struct tallystore *ts, const char *kind, time_t start, const char *commune,
		   const char *site, const char *target, const struct judge_tally *t)
{
	if (!t || t->met + t->missed + t->nodata <= 0)
		return 0;
	sqlite3_bind_text(ts->put, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ts->put, 2, (sqlite3_int64)start);
	sqlite3_bind_text(ts->put, 3, commune, -1, SQLITE_STATIC);
	sqlite3_bind_text(ts->put, 4, site, -1, SQLITE_STATIC);
	sqlite3_bind_text(ts->put, 5, target, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(ts->put, 6, t->met);
	sqlite3_bind_double(ts->put, 7, t->missed);
	sqlite3_bind_double(ts->put, 8, t->nodata);
	int rc = sqlite3_step(ts->put);
	sqlite3_reset(ts->put);
	sqlite3_clear_bindings(ts->put);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The targets of one slot (site s, or commune k at nsites + k). */
static int put_slot(struct tallystore *ts, const char *kind, const struct daytally *d,
		    size_t slot, const char *commune, const char *site,
		    const struct target_result *t, int n)
{
	char key[3 * CFG_NAME_MAX + 16];
	for (int i = 0; i < n; i++) {
		tallystore_target_key(t, i, key, sizeof(key));
		if (put_one(ts, kind, d->day, commune, site, key, daytally_at(d, slot, i)) < 0)
			return -1;
	}
	return 0;
}

static int exec(struct tallystore *ts, const char *sql)
{
	return sqlite3_exec(ts->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int tallystore_save(struct tallystore *ts, const char *kind, const struct daytally *d,
		    const struct readiness *r, const struct inventory *inv)
{
	int rc = 0;
	if (!ts || !d->day || !d->t || d->nsites != r->nsites || d->ncommunes != r->ncommunes ||
	    r->nsites != inv->nsites || r->ncommunes != inv->ncommunes)
		return 0;
	if (exec(ts, "BEGIN") < 0)
		goto fail;
	sqlite3_bind_text(ts->clear, 1, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(ts->clear) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(ts->clear);
	for (size_t s = 0; rc == 0 && s < r->nsites; s++)
		rc = put_slot(ts, kind, d, s, inv->communes[inv->sites[s].commune].name,
			      inv->sites[s].name, r->sites[s].targets, r->sites[s].ntargets);
	for (size_t k = 0; rc == 0 && k < r->ncommunes; k++)
		rc = put_slot(ts, kind, d, r->nsites + k, inv->communes[k].name, "",
			      r->communes[k].targets, r->communes[k].nctargets);
	if (rc == 0 && exec(ts, "COMMIT") == 0)
		return 0;
	exec(ts, "ROLLBACK");
fail:
	log_warnx("alerts", "%s's tallies not kept (%s): after a restart they count from then",
		  kind, sqlite3_errmsg(ts->db));
	return -1;
}

/* Target key of the slot's list, or -1. */
static int find_target(const struct target_result *t, int n, const char *key)
{
	char name[3 * CFG_NAME_MAX + 16];
	for (int i = 0; i < n; i++) {
		tallystore_target_key(t, i, name, sizeof(name));
		if (strcmp(name, key) == 0)
			return i;
	}
	return -1;
}

static const char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);
	return s ? (const char *)s : "";
}

/* The tally a kept row belongs to in d, by name; NULL when it no longer exists. */
static struct judge_tally *place(struct daytally *d, const struct readiness *r,
				 const struct inventory *inv, sqlite3_stmt *q)
{
	long k = alerts_find_commune(inv, col(q, 0));
	if (k < 0 || (size_t)k >= r->ncommunes)
		return NULL;
	if (!col(q, 1)[0]) {
		const struct commune_result *cr = &r->communes[k];
		int i = find_target(cr->targets, cr->nctargets, col(q, 2));
		return i < 0 ? NULL : daytally_at(d, r->nsites + (size_t)k, i);
	}
	long s = alerts_find_site(inv, (size_t)k, col(q, 1));
	if (s < 0 || (size_t)s >= r->nsites)
		return NULL;
	int i = find_target(r->sites[s].targets, r->sites[s].ntargets, col(q, 2));
	return i < 0 ? NULL : daytally_at(d, (size_t)s, i);
}

static int tally_ok(const double *x)
{
	for (int i = 0; i < 3; i++)
		if (!(x[i] >= 0 && x[i] <= 31 * 86400.0))
			return 0;
	return 1;
}

int tallystore_load(struct tallystore *ts, const char *kind, struct daytally *d,
		    const struct readiness *r, const struct inventory *inv, time_t now)
{
	int n = 0, rc;
	if (!ts || daytally_prepare(d, r, now) < 0 || r->nsites != inv->nsites ||
	    r->ncommunes != inv->ncommunes)
		return 0;
	sqlite3_bind_text(ts->get, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ts->get, 2, (sqlite3_int64)d->day);
	while ((rc = sqlite3_step(ts->get)) == SQLITE_ROW) {
		struct judge_tally *t = place(d, r, inv, ts->get);
		double x[3];
		for (int i = 0; i < 3; i++)
			x[i] = sqlite3_column_double(ts->get, 3 + i);
		/* seconds of a day or a month: anything else is not a tally of ours */
		if (!t || !tally_ok(x))
			continue;
		t->met += x[0];
		t->missed += x[1];
		t->nodata += x[2];
		n++;
	}
	sqlite3_reset(ts->get);
	sqlite3_clear_bindings(ts->get);
	if (rc != SQLITE_DONE) {
		log_warnx("alerts", "%s's tallies not read back (%s): they count from now", kind,
			  sqlite3_errmsg(ts->db));
		return -1;
	}
	return n;
}
