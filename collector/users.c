#include "users.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "log.h"
#include "strbuf.h"

struct users {
	sqlite3 *db;
	sqlite3_stmt *get, *ins, *passwd, *del, *all, *changed, *rename;
};

/* The store's own checks keep a hand-edited row from granting what the code would refuse. */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS users ("
    " name TEXT PRIMARY KEY,"
    " role TEXT NOT NULL CHECK (role IN ('admin', 'viewer', 'officer')),"
    " communes TEXT NOT NULL DEFAULT '' CHECK ((role = 'officer') = (communes <> '')),"
    " hash TEXT NOT NULL, created INTEGER NOT NULL, changed INTEGER NOT NULL,"
    " full_name TEXT NOT NULL DEFAULT '');";

static const char *const role_names[] = {
    [ROLE_ADMIN] = "admin", [ROLE_VIEWER] = "viewer", [ROLE_OFFICER] = "officer"};
#define NROLES (sizeof(role_names) / sizeof(role_names[0]))

/*
 * The process's one dummy hash: written by users_dummy_init, on the main thread before the
 * log-in thread starts, and only read after (users_dummy_hash from that thread). Commands that
 * check no password never pay for it.
 */
static char dummy_hash[crypto_pwhash_STRBYTES];

const char *role_name(enum role r) { return (unsigned)r < NROLES ? role_names[r] : NULL; }

int role_parse(const char *s)
{
	for (size_t i = 0; s && i < NROLES; i++)
		if (strcmp(s, role_names[i]) == 0)
			return (int)i;
	return -1;
}

int users_valid_name(const char *name)
{
	size_t n = name ? strnlen(name, USER_NAME_MAX) : 0;
	if (n == 0 || n >= USER_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

/* Argon2id at libsodium's interactive cost: 0, or -1 (out of memory). */
static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES])
{
	return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

static int make_dummy_hash(void)
{
	unsigned char raw[32];
	char pw[2 * sizeof(raw) + 1];
	if (dummy_hash[0])
		return 0;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
	int rc = hash_password(pw, dummy_hash);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(pw, sizeof(pw));
	if (rc < 0)
		dummy_hash[0] = '\0';
	return rc;
}

const char *users_dummy_hash(void) { return dummy_hash; }

int users_dummy_init(void) { return sodium_init() < 0 ? -1 : make_dummy_hash(); }

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **q)
{
	return sqlite3_prepare_v2(db, sql, -1, q, NULL) == SQLITE_OK ? 0 : -1;
}

struct users *users_open(struct store *st, char *err, size_t errsz)
{
	struct users *u = calloc(1, sizeof(*u));
	char *msg = NULL;
	if (!u) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (sodium_init() < 0) {
		snprintf(err, errsz, "users: libsodium cannot start or hash (out of memory?)");
		free(u);
		return NULL;
	}
	u->db = store_db(st);
	if (audit_open(st, err, errsz) < 0) {
		free(u);
		return NULL;
	}
	if (sqlite3_exec(u->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    prepare(u->db,
		    "SELECT name, role, communes, hash, changed, full_name FROM users WHERE name = ?",
		    &u->get) < 0 ||
	    prepare(u->db, "UPDATE users SET full_name = ?1 WHERE name = ?2", &u->rename) < 0 ||
	    prepare(u->db,
		    "INSERT INTO users(name, role, communes, hash, created, changed) "
		    "VALUES(?1, ?2, ?3, ?4, ?5, ?5)",
		    &u->ins) < 0 ||
	    prepare(u->db,
		    "UPDATE users SET hash = ?1, changed = max(?2, changed + 1) WHERE name = ?3",
		    &u->passwd) < 0 ||
	    prepare(u->db, "DELETE FROM users WHERE name = ?", &u->del) < 0 ||
	    prepare(u->db,
		    "SELECT name, role, communes, created, changed, full_name FROM users ORDER BY name",
		    &u->all) < 0 ||
	    prepare(u->db, "SELECT changed FROM users WHERE name = ?", &u->changed) < 0) {
		snprintf(err, errsz, "users: %s", msg ? msg : sqlite3_errmsg(u->db));
		sqlite3_free(msg);
		users_close(u);
		return NULL;
	}
	return u;
}

void users_close(struct users *u)
{
	if (!u)
		return;
	sqlite3_finalize(u->get);
	sqlite3_finalize(u->ins);
	sqlite3_finalize(u->passwd);
	sqlite3_finalize(u->del);
	sqlite3_finalize(u->all);
	sqlite3_finalize(u->changed);
	sqlite3_finalize(u->rename);
	free(u);
}

static int bad_name(const char *name, char *err, size_t errsz)
{
	snprintf(err, errsz, "\"%.80s\": a user name is 1 to 63 letters, digits, '.', '_' or '-', "
		 "the first a letter or digit", name ? name : "");
	return -1;
}

/* The rules a new password meets; err never quotes it. */
static int password_ok(const char *name, const char *password, char *err, size_t errsz)
{
	size_t n = password ? strnlen(password, USER_PASSWORD_MAX + 1) : 0;
	if (n < USER_PASSWORD_MIN) {
		snprintf(err, errsz, "the password is too short: it needs at least %d characters "
			 "(bytes: a plain letter is one)", USER_PASSWORD_MIN);
		return -1;
	}
	if (n > USER_PASSWORD_MAX) {
		snprintf(err, errsz, "the password is too long: at most %d bytes", USER_PASSWORD_MAX);
		return -1;
	}
	/* in any case: "An.Nguyen" is the first guess for the user an.nguyen */
	if (strcasecmp(password, name) == 0) {
		snprintf(err, errsz, "the password must not be the user name");
		return -1;
	}
	return 0;
}

/* An officer's list: lines without '\r', none empty, the whole within USER_COMMUNES_MAX. */
static int communes_ok(enum role r, const char *communes, char *err, size_t errsz)
{
	size_t n = communes ? strnlen(communes, USER_COMMUNES_MAX) : 0;
	if (r != ROLE_OFFICER) {
		if (n == 0)
			return 0;
		snprintf(err, errsz, "only an officer has communes: %s sees every commune",
			 r == ROLE_ADMIN ? "an admin" : "a viewer");
		return -1;
	}
	if (n == 0) {
		snprintf(err, errsz, "an officer needs at least one commune");
		return -1;
	}
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

static int store_failed(struct users *u, char *err, size_t errsz)
{
	snprintf(err, errsz, "users: the event store failed: %s", sqlite3_errmsg(u->db));
	return -1;
}

int users_add(struct users *u, const char *name, enum role r, const char *communes,
	      const char *password, time_t now, char *err, size_t errsz)
{
	char hash[crypto_pwhash_STRBYTES];
	if (!users_valid_name(name))
		return bad_name(name, err, errsz);
	if (!role_name(r)) {
		snprintf(err, errsz, "role %d: not admin, viewer or officer", (int)r);
		return -1;
	}
	if (communes_ok(r, communes, err, errsz) < 0 || password_ok(name, password, err, errsz) < 0)
		return -1;
	/* no look-up first: a read before the write would make a caller's transaction fail when
	 * another process writes during the hash (WAL snapshot); the primary key says "exists" */
	if (hash_password(password, hash) < 0) {
		snprintf(err, errsz, "cannot hash the password: out of memory");
		return -1;
	}
	sqlite3_bind_text(u->ins, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(u->ins, 2, role_name(r), -1, SQLITE_STATIC);
	sqlite3_bind_text(u->ins, 3, communes ? communes : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(u->ins, 4, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(u->ins, 5, (sqlite3_int64)now);
	int rc = sqlite3_step(u->ins);
	int ext = sqlite3_extended_errcode(u->db);
	sqlite3_reset(u->ins);
	sqlite3_clear_bindings(u->ins);
	sodium_memzero(hash, sizeof(hash));
	if (rc == SQLITE_DONE)
		return 0;
	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
		snprintf(err, errsz, "user %s exists: use passwd", name);
		return -1;
	}
	return store_failed(u, err, errsz);
}

int users_passwd(struct users *u, const char *name, const char *password, time_t now, char *err,
		 size_t errsz)
{
	char hash[crypto_pwhash_STRBYTES];
	if (!users_valid_name(name)) {
		snprintf(err, errsz, "no user named \"%.80s\"", name ? name : "");
		return -1;
	}
	if (password_ok(name, password, err, errsz) < 0)
		return -1;
	if (hash_password(password, hash) < 0) {
		snprintf(err, errsz, "cannot hash the password: out of memory");
		return -1;
	}
	sqlite3_bind_text(u->passwd, 1, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(u->passwd, 2, (sqlite3_int64)now);
	sqlite3_bind_text(u->passwd, 3, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(u->passwd);
	sqlite3_reset(u->passwd);
	sqlite3_clear_bindings(u->passwd);
	sodium_memzero(hash, sizeof(hash));
	if (rc != SQLITE_DONE)
		return store_failed(u, err, errsz);
	if (sqlite3_changes(u->db) == 0) {
		snprintf(err, errsz, "no user named \"%s\"", name);
		return -1;
	}
	return 0;
}

int users_set_name(struct users *u, const char *name, const char *full_name, char *err,
		   size_t errsz)
{
	size_t n = full_name ? strnlen(full_name, USER_FULL_NAME_MAX) : 0;
	if (n >= USER_FULL_NAME_MAX || !utf8_is_clean(full_name ? full_name : "")) {
		snprintf(err, errsz, "the full name must be printable text of at most %d bytes",
			 USER_FULL_NAME_MAX - 1);
		return -1;
	}
	sqlite3_bind_text(u->rename, 1, full_name ? full_name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(u->rename, 2, name ? name : "", -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(u->rename);
	sqlite3_reset(u->rename);
	sqlite3_clear_bindings(u->rename);
	if (rc != SQLITE_DONE)
		return store_failed(u, err, errsz);
	if (sqlite3_changes(u->db) == 0) {
		snprintf(err, errsz, "no user named \"%.80s\"", name ? name : "");
		return -1;
	}
	return 0;
}

int users_del(struct users *u, const char *name, char *err, size_t errsz)
{
	/*
	 * XXX a name deleted and added again within one second gets the changed stamp it had:
	 * a session of the old user that the daemon did not re-check in between would live on.
	 * Only a script does that; keeping tombstones for it is not worth their clean-up.
	 */
	if (!users_valid_name(name)) {
		snprintf(err, errsz, "no user named \"%.80s\"", name ? name : "");
		return -1;
	}
	sqlite3_bind_text(u->del, 1, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(u->del);
	sqlite3_reset(u->del);
	if (rc != SQLITE_DONE)
		return store_failed(u, err, errsz);
	if (sqlite3_changes(u->db) == 0) {
		snprintf(err, errsz, "no user named \"%s\"", name);
		return -1;
	}
	return 0;
}

static const char *col_text(sqlite3_stmt *q, int col)
{
	const char *s = (const char *)sqlite3_column_text(q, col);
	return s ? s : "";
}

int users_each(struct users *u, users_fn fn, void *ctx)
{
	int rc;
	while ((rc = sqlite3_step(u->all)) == SQLITE_ROW) {
		int r = role_parse(col_text(u->all, 1));
		struct user_entry e = {col_text(u->all, 0), r < 0 ? ROLE_VIEWER : (enum role)r,
				       col_text(u->all, 2), (time_t)sqlite3_column_int64(u->all, 3),
				       (time_t)sqlite3_column_int64(u->all, 4), col_text(u->all, 5)};
		/* the table's CHECK allows no other role: a row that has one is skipped, not shown
		 * with a role it does not have */
		if (r >= 0)
			fn(ctx, &e);
	}
	sqlite3_reset(u->all);
	if (rc != SQLITE_DONE) {
		log_warnx("users", "cannot list users: %s", sqlite3_errmsg(u->db));
		return -1;
	}
	return 0;
}

int users_get(struct users *u, const char *name, struct user_rec *out)
{
	if (!users_valid_name(name))
		return 0;
	sqlite3_bind_text(u->get, 1, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(u->get), found = 0;
	if (rc == SQLITE_ROW) {
		int r = role_parse(col_text(u->get, 1));
		memset(out, 0, sizeof(*out));
		/* a value that does not fit was not written by users_add: not a user to let in */
		if (r < 0 || str_copy(out->name, sizeof(out->name), col_text(u->get, 0)) < 0 ||
		    str_copy(out->communes, sizeof(out->communes), col_text(u->get, 2)) < 0 ||
		    str_copy(out->hash, sizeof(out->hash), col_text(u->get, 3)) < 0 ||
		    str_copy(out->full_name, sizeof(out->full_name), col_text(u->get, 5)) < 0) {
			log_warnx("users", "user %s: the stored row is malformed: refused", name);
			sodium_memzero(out, sizeof(*out));
		} else {
			out->role = (enum role)r;
			out->changed = (time_t)sqlite3_column_int64(u->get, 4);
			found = 1;
		}
	}
	sqlite3_reset(u->get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("users", "user %s: %s", name, sqlite3_errmsg(u->db));
		return -1;
	}
	return found;
}

int users_verify(const char *hash, const char *password)
{
	if (!hash || !password || !hash[0])
		return 0;
	size_t n = strnlen(password, USER_PASSWORD_MAX + 1);
	if (n > USER_PASSWORD_MAX)
		return 0;
	return crypto_pwhash_str_verify(hash, password, n) == 0;
}

int users_changed(struct users *u, const char *name, time_t *changed)
{
	if (!users_valid_name(name))
		return 0;
	sqlite3_bind_text(u->changed, 1, name, -1, SQLITE_TRANSIENT);
	int rc = sqlite3_step(u->changed);
	if (rc == SQLITE_ROW)
		*changed = (time_t)sqlite3_column_int64(u->changed, 0);
	sqlite3_reset(u->changed);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("users", "user %s: %s", name, sqlite3_errmsg(u->db));
		return -1;
	}
	return rc == SQLITE_ROW;
}
