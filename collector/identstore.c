/* Devices' identities in the store's SQLite file (identstore.h). */
#include "identstore.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"

struct identstore {
	sqlite3 *db;
	sqlite3_stmt *put, *all;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS device_ident ("
    " commune TEXT NOT NULL, device TEXT NOT NULL, model TEXT NOT NULL, serial TEXT NOT NULL,"
    " sys_name TEXT NOT NULL, sys_descr TEXT NOT NULL, class TEXT NOT NULL,"
    " seen INTEGER NOT NULL, PRIMARY KEY (commune, device));";

/* The classification's columns, added after the table first shipped: a store an older
 * collector made gets them (its rows: no classification kept, as if none was made). */
static const char *const added[][2] = {
    {"cls_auto", "TEXT NOT NULL DEFAULT ''"},    {"cls_confidence", "INTEGER NOT NULL DEFAULT 0"},
    {"cls_vendor", "TEXT NOT NULL DEFAULT ''"},  {"cls_why", "TEXT NOT NULL DEFAULT ''"},
    {"cls_was", "TEXT NOT NULL DEFAULT ''"},     {"cls_changed", "INTEGER NOT NULL DEFAULT 0"},
};
#define NADDED (sizeof(added) / sizeof(added[0]))

static const char put_sql[] =
    "INSERT OR REPLACE INTO device_ident(commune, device, model, serial, sys_name, sys_descr, "
    "class, seen, cls_auto, cls_confidence, cls_vendor, cls_why, cls_was, cls_changed) "
    "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char all_sql[] =
    "SELECT commune, device, model, serial, sys_name, sys_descr, class, seen, cls_auto, "
    "cls_confidence, cls_vendor, cls_why, cls_was, cls_changed FROM device_ident "
    "ORDER BY commune, device";

/* SQLite has no ADD COLUMN IF NOT EXISTS: a column a statement can read is there already. */
static int add_columns(sqlite3 *db)
{
	for (size_t i = 0; i < NADDED; i++) {
		char sql[160];
		sqlite3_stmt *probe = NULL;
		snprintf(sql, sizeof(sql), "SELECT %s FROM device_ident LIMIT 0", added[i][0]);
		int has = sqlite3_prepare_v2(db, sql, -1, &probe, NULL) == SQLITE_OK;
		sqlite3_finalize(probe);
		snprintf(sql, sizeof(sql), "ALTER TABLE device_ident ADD COLUMN %s %s", added[i][0],
			 added[i][1]);
		if (!has && sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	}
	return 0;
}

struct identstore *identstore_open(struct store *st, char *err, size_t errsz)
{
	struct identstore *is = calloc(1, sizeof(*is));
	if (!is) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	is->db = store_db(st);
	char *msg = NULL;
	if (sqlite3_exec(is->db, schema, NULL, NULL, &msg) != SQLITE_OK || add_columns(is->db) < 0 ||
	    sqlite3_prepare_v2(is->db, put_sql, -1, &is->put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(is->db, all_sql, -1, &is->all, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "device identities: %s", msg ? msg : sqlite3_errmsg(is->db));
		sqlite3_free(msg);
		identstore_close(is);
		return NULL;
	}
	return is;
}

void identstore_close(struct identstore *is)
{
	if (!is)
		return;
	sqlite3_finalize(is->put);
	sqlite3_finalize(is->all);
	free(is);
}

/* FNV-1a over the fields, each ended by a byte no text holds. */
static uint64_t mix(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull;
}

uint64_t identstore_hash(const struct dev_ident *d)
{
	uint64_t h = 14695981039346656037ull;
	char nums[48];
	snprintf(nums, sizeof(nums), "%d %lld", d->confidence, (long long)d->changed);
	const char *f[] = {d->commune, d->device, d->model,  d->serial, d->sys_name, d->sys_descr,
			   d->cls,     d->auto_cls, d->vendor, d->why,    d->was,      nums};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		h = mix(h, f[i]);
	return h | 1; /* 0 is "never written" */
}

int identstore_save(struct identstore *is, const struct dev_ident *d, uint64_t *saved)
{
	uint64_t h = identstore_hash(d);
	if (!is || *saved == h)
		return 0;
	const char *f[] = {d->commune, d->device, d->model, d->serial, d->sys_name, d->sys_descr,
			   d->cls};
	for (int i = 0; i < 7; i++)
		sqlite3_bind_text(is->put, i + 1, f[i] ? f[i] : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(is->put, 8, (sqlite3_int64)d->seen);
	const char *c[] = {d->auto_cls, d->vendor, d->why, d->was};
	sqlite3_bind_text(is->put, 9, c[0] ? c[0] : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(is->put, 10, d->confidence);
	for (int i = 1; i < 4; i++)
		sqlite3_bind_text(is->put, 10 + i, c[i] ? c[i] : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(is->put, 14, (sqlite3_int64)d->changed);
	int rc = sqlite3_step(is->put);
	sqlite3_reset(is->put);
	sqlite3_clear_bindings(is->put);
	if (rc != SQLITE_DONE) {
		log_warnx("store", "%s/%s: the device's model and serial are not kept (%s)",
			  d->commune, d->device, sqlite3_errmsg(is->db));
		return -1;
	}
	*saved = h;
	return 1;
}

static const char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? (const char *)t : "";
}

int identstore_each(struct identstore *is, identstore_fn fn, void *ctx)
{
	int rc;
	sqlite3_stmt *q = is->all;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct dev_ident d = {
		    .commune = col(q, 0), .device = col(q, 1), .model = col(q, 2),
		    .serial = col(q, 3), .sys_name = col(q, 4), .sys_descr = col(q, 5),
		    .cls = col(q, 6), .seen = (time_t)sqlite3_column_int64(q, 7),
		    .auto_cls = col(q, 8), .confidence = sqlite3_column_int(q, 9),
		    .vendor = col(q, 10), .why = col(q, 11), .was = col(q, 12),
		    .changed = (time_t)sqlite3_column_int64(q, 13)};
		fn(ctx, &d);
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? 0 : -1;
}
