#include "probes.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"

struct probes {
	sqlite3 *db;
	sqlite3_stmt *get, *ins, *revoke, *all;
};

/* A revoked name keeps its row (list shows when) until it is issued a secret again. */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS probes ("
    " name TEXT PRIMARY KEY, salt TEXT NOT NULL, hash TEXT NOT NULL,"
    " created INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);";

struct probes *probes_open(struct store *st, char *err, size_t errsz)
{
	struct probes *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	p->db = store_db(st);
	char *msg = NULL;
	if (sqlite3_exec(p->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(p->db, "SELECT salt, hash, revoked FROM probes WHERE name = ?", -1,
			       &p->get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(p->db,
			       "INSERT OR REPLACE INTO probes(name, salt, hash, created, revoked) "
			       "VALUES(?,?,?,?,0)",
			       -1, &p->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(p->db,
			       "UPDATE probes SET revoked = ? WHERE name = ? AND revoked = 0", -1,
			       &p->revoke, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(p->db, "SELECT name, created, revoked FROM probes ORDER BY name", -1,
			       &p->all, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "probe registry: %s", msg ? msg : sqlite3_errmsg(p->db));
		sqlite3_free(msg);
		probes_close(p);
		return NULL;
	}
	return p;
}

void probes_close(struct probes *p)
{
	if (!p)
		return;
	sqlite3_finalize(p->get);
	sqlite3_finalize(p->ins);
	sqlite3_finalize(p->revoke);
	sqlite3_finalize(p->all);
	free(p);
}

int probes_valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= PROBE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * hex(SHA-256(salt || secret)). The secret is 256 random bits, not a password a person chose,
 * so a fast hash is enough: nobody can search that space; the salt keeps equal secrets apart.
 */
static int digest(const char *salt, const char *secret, char out[65])
{
	unsigned char md[32];
	char buf[2 * PROBE_SECRET_LEN + 2];
	int n = snprintf(buf, sizeof(buf), "%s%s", salt, secret);
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, (size_t)n, md) < 0)
		return -1;
	to_hex(md, sizeof(md), out);
	gnutls_memset(buf, 0, sizeof(buf));
	return 0;
}

static int random_hex(char *out, size_t bytes)
{
	unsigned char raw[32];
	if (bytes > sizeof(raw) || getrandom(raw, bytes, 0) != (ssize_t)bytes)
		return -1;
	to_hex(raw, bytes, out);
	return 0;
}

int probes_add(struct probes *p, const char *name, time_t now, char *secret, char *err,
	       size_t errsz)
{
	char salt[33], hash[65];
	if (!probes_valid_name(name)) {
		snprintf(err, errsz, "\"%s\": a probe name is 1 to 63 letters, digits, '.', '_' or '-'",
			 name);
		return -1;
	}
	sqlite3_bind_text(p->get, 1, name, -1, SQLITE_TRANSIENT);
	int have = sqlite3_step(p->get) == SQLITE_ROW && sqlite3_column_int64(p->get, 2) == 0;
	sqlite3_reset(p->get);
	if (have) {
		snprintf(err, errsz, "probe %s already has a secret: revoke it first", name);
		return -1;
	}
	if (random_hex(salt, 16) < 0 || random_hex(secret, PROBE_SECRET_LEN / 2) < 0 ||
	    digest(salt, secret, hash) < 0) {
		snprintf(err, errsz, "no random bytes or hash: %s", "getrandom or GnuTLS failed");
		return -1;
	}
	sqlite3_bind_text(p->ins, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(p->ins, 2, salt, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(p->ins, 3, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(p->ins, 4, (sqlite3_int64)now);
	int rc = sqlite3_step(p->ins);
	sqlite3_reset(p->ins);
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "probe registry: %s", sqlite3_errmsg(p->db));
		return -1;
	}
	return 0;
}

int probes_revoke(struct probes *p, const char *name, time_t now, char *err, size_t errsz)
{
	sqlite3_bind_int64(p->revoke, 1, (sqlite3_int64)(now > 0 ? now : 1));
	sqlite3_bind_text(p->revoke, 2, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(p->revoke);
	sqlite3_reset(p->revoke);
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "probe registry: %s", sqlite3_errmsg(p->db));
		return -1;
	}
	if (sqlite3_changes(p->db) == 0) {
		snprintf(err, errsz, "no probe named \"%s\" holds a valid secret", name);
		return -1;
	}
	return 0;
}

int probes_each(struct probes *p, probes_fn fn, void *ctx)
{
	int rc;
	while ((rc = sqlite3_step(p->all)) == SQLITE_ROW) {
		struct probe_entry e = {(const char *)sqlite3_column_text(p->all, 0),
					(time_t)sqlite3_column_int64(p->all, 1),
					(time_t)sqlite3_column_int64(p->all, 2)};
		fn(ctx, &e);
	}
	sqlite3_reset(p->all);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Compares every byte whatever the first difference: the time taken tells nothing. */
static int same(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int probes_check(struct probes *p, const char *name, const char *secret)
{
	char hash[65];
	if (!probes_valid_name(name) || strlen(secret) != PROBE_SECRET_LEN)
		return 0;
	sqlite3_bind_text(p->get, 1, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(p->get), ok = 0;
	if (rc == SQLITE_ROW && sqlite3_column_int64(p->get, 2) == 0) {
		const char *salt = (const char *)sqlite3_column_text(p->get, 0);
		const char *want = (const char *)sqlite3_column_text(p->get, 1);
		ok = salt && want && strlen(want) == 64 && digest(salt, secret, hash) == 0 &&
		     same(hash, want, 64);
	}
	sqlite3_reset(p->get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("probes", "probe registry: %s", sqlite3_errmsg(p->db));
		return -1;
	}
	return ok;
}
