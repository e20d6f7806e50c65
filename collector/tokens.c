#include "tokens.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strbuf.h"

#define DIGEST_BYTES crypto_generichash_BYTES /* 32 */
#define DIGEST_HEX (2 * DIGEST_BYTES + 1)

struct tokens {
	sqlite3 *db;
	sqlite3_stmt *ins, *del, *all, *find;
};

/* The digest is unique: two names can never share one token. */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS tokens ("
    " name TEXT PRIMARY KEY, digest TEXT NOT NULL UNIQUE,"
    " communes TEXT NOT NULL DEFAULT '', created INTEGER NOT NULL);";

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **q)
{
	return sqlite3_prepare_v2(db, sql, -1, q, NULL) == SQLITE_OK ? 0 : -1;
}

struct tokens *tokens_open(struct store *st, char *err, size_t errsz)
{
	struct tokens *t = calloc(1, sizeof(*t));
	char *msg = NULL;
	if (!t) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (sodium_init() < 0) {
		snprintf(err, errsz, "tokens: libsodium cannot start");
		free(t);
		return NULL;
	}
	t->db = store_db(st);
	if (sqlite3_exec(t->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    prepare(t->db, "INSERT INTO tokens(name, digest, communes, created) VALUES(?1, ?2, ?3, ?4)",
		    &t->ins) < 0 ||
	    prepare(t->db, "DELETE FROM tokens WHERE name = ?", &t->del) < 0 ||
	    prepare(t->db, "SELECT name, communes, created FROM tokens ORDER BY name", &t->all) < 0 ||
	    prepare(t->db, "SELECT name, communes FROM tokens WHERE digest = ?", &t->find) < 0) {
		snprintf(err, errsz, "tokens: %s", msg ? msg : sqlite3_errmsg(t->db));
		sqlite3_free(msg);
		tokens_close(t);
		return NULL;
	}
	return t;
}

void tokens_close(struct tokens *t)
{
	if (!t)
		return;
	sqlite3_finalize(t->ins);
	sqlite3_finalize(t->del);
	sqlite3_finalize(t->all);
	sqlite3_finalize(t->find);
	free(t);
}

int tokens_well_formed(const char *text)
{
	size_t p = sizeof(TOKEN_PREFIX) - 1;
	if (!text || strnlen(text, TOKEN_TEXT_LEN + 1) != TOKEN_TEXT_LEN ||
	    memcmp(text, TOKEN_PREFIX, p) != 0)
		return 0;
	for (size_t i = p; i < TOKEN_TEXT_LEN; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			return 0;
	return 1;
}

/* The stored form of a token: the hex of its BLAKE2b digest. */
static void digest_hex(const char *text, char out[DIGEST_HEX])
{
	unsigned char d[DIGEST_BYTES];
	crypto_generichash(d, sizeof(d), (const unsigned char *)text, strlen(text), NULL, 0);
	sodium_bin2hex(out, DIGEST_HEX, d, sizeof(d));
}

/* Lines without '\r', none empty, within USER_COMMUNES_MAX; "" for every commune. */
static int communes_ok(const char *communes, char *err, size_t errsz)
{
	size_t n = communes ? strnlen(communes, USER_COMMUNES_MAX) : 0;
	if (n == 0)
		return 0;
	if (n >= USER_COMMUNES_MAX) {
		snprintf(err, errsz, "the list of communes is too long: at most %d bytes",
			 USER_COMMUNES_MAX - 1);
		return -1;
	}
	if (communes[0] == '\n' || communes[n - 1] == '\n' || strstr(communes, "\n\n") ||
	    strchr(communes, '\r')) {
		snprintf(err, errsz, "the list of communes has an empty line");
		return -1;
	}
	return 0;
}

int tokens_add(struct tokens *t, const char *name, const char *communes, time_t now,
	       char token[TOKEN_TEXT_LEN + 1], char *err, size_t errsz)
{
	unsigned char raw[TOKEN_BYTES];
	char digest[DIGEST_HEX];
	if (!users_valid_name(name)) {
		snprintf(err, errsz, "\"%.80s\": a token name is 1 to 63 letters, digits, '.', '_' "
			 "or '-', the first a letter or digit", name ? name : "");
		return -1;
	}
	if (communes_ok(communes, err, errsz) < 0)
		return -1;
	randombytes_buf(raw, sizeof(raw));
	memcpy(token, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1);
	sodium_bin2hex(token + sizeof(TOKEN_PREFIX) - 1, 2 * TOKEN_BYTES + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	digest_hex(token, digest);
	sqlite3_bind_text(t->ins, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(t->ins, 2, digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(t->ins, 3, communes ? communes : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(t->ins, 4, (sqlite3_int64)now);
	int rc = sqlite3_step(t->ins);
	int ext = sqlite3_extended_errcode(t->db);
	sqlite3_reset(t->ins);
	sqlite3_clear_bindings(t->ins);
	if (rc == SQLITE_DONE)
		return 0;
	sodium_memzero(token, TOKEN_TEXT_LEN + 1);
	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY)
		snprintf(err, errsz, "token %s exists: delete it first (token del)", name);
	else
		snprintf(err, errsz, "tokens: the event store failed: %s", sqlite3_errmsg(t->db));
	return -1;
}

int tokens_del(struct tokens *t, const char *name, char *err, size_t errsz)
{
	if (!users_valid_name(name)) {
		snprintf(err, errsz, "no token named \"%.80s\"", name ? name : "");
		return -1;
	}
	sqlite3_bind_text(t->del, 1, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(t->del);
	sqlite3_reset(t->del);
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "tokens: the event store failed: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	if (sqlite3_changes(t->db) == 0) {
		snprintf(err, errsz, "no token named \"%s\"", name);
		return -1;
	}
	return 0;
}

static const char *col_text(sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);
	return s ? s : "";
}

int tokens_each(struct tokens *t, tokens_fn fn, void *ctx)
{
	int rc;
	while ((rc = sqlite3_step(t->all)) == SQLITE_ROW) {
		struct token_entry e = {col_text(t->all, 0), col_text(t->all, 1),
					(time_t)sqlite3_column_int64(t->all, 2)};
		fn(ctx, &e);
	}
	sqlite3_reset(t->all);
	if (rc != SQLITE_DONE) {
		log_warnx("tokens", "cannot list tokens: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	return 0;
}

int tokens_check(struct tokens *t, const char *text, struct token_rec *out)
{
	char digest[DIGEST_HEX];
	if (!tokens_well_formed(text))
		return 0;
	/* the look-up is by digest: its timing says nothing of a token's text */
	digest_hex(text, digest);
	sqlite3_bind_text(t->find, 1, digest, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(t->find), found = 0;
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		/* a value that does not fit was not written by tokens_add: not a token to let in */
		if (str_copy(out->name, sizeof(out->name), col_text(t->find, 0)) < 0 ||
		    str_copy(out->communes, sizeof(out->communes), col_text(t->find, 1)) < 0)
			log_warnx("tokens", "a stored token row is malformed: refused");
		else
			found = 1;
	}
	sqlite3_reset(t->find);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("tokens", "cannot check a token: %s", sqlite3_errmsg(t->db));
		return -1;
	}
	return found;
}
