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

struct identstore *identstore_open(struct store *st, char *err, size_t errsz)
{
	struct identstore *is = calloc(1, sizeof(*is));
	if (!is) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	is->db = store_db(st);
	char *msg = NULL;
	if (sqlite3_exec(is->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(is->db, "INSERT OR REPLACE INTO device_ident VALUES(?,?,?,?,?,?,?,?)",
			       -1, &is->put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(is->db,
			       "SELECT commune, device, model, serial, sys_name, sys_descr, class, seen "
			       "FROM device_ident ORDER BY commune, device",
			       -1, &is->all, NULL) != SQLITE_OK) {
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
	const char *f[] = {d->commune, d->device, d->model, d->serial, d->sys_name, d->sys_descr,
			   d->cls};
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
	while ((rc = sqlite3_step(is->all)) == SQLITE_ROW) {
		struct dev_ident d = {col(is->all, 0), col(is->all, 1), col(is->all, 2),
				      col(is->all, 3), col(is->all, 4), col(is->all, 5),
				      col(is->all, 6), (time_t)sqlite3_column_int64(is->all, 7)};
		fn(ctx, &d);
	}
	sqlite3_reset(is->all);
	return rc == SQLITE_DONE ? 0 : -1;
}
