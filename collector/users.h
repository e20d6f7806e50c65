/*
 * The people who may use the dashboard, each with a role (`hbmon-collector user add|passwd|del|
 * list`), kept in the event store's SQLite file. Only an Argon2id hash of a password is kept
 * (libsodium's crypto_pwhash_str at its INTERACTIVE cost: ~70 ms and 64 MiB per hash or check).
 *
 * Checking a password at log-in is split in two: users_get is a quick lookup for the event loop,
 * users_verify the slow check, which touches no SQLite and belongs on a worker thread. Every
 * other function here: event loop (or the command line) only.
 */
#ifndef HBMON_USERS_H
#define HBMON_USERS_H

#include <sodium.h>
#include <stddef.h>
#include <time.h>

#include "store.h"

#define USER_NAME_MAX 64	  /* with the NUL: names are 1 to 63 bytes */
#define USER_PASSWORD_MIN 10	  /* bytes */
#define USER_PASSWORD_MAX 128	  /* bytes: longer ones are refused, never cut */
#define USER_FULL_NAME_MAX 128   /* with the NUL */
#define USER_COMMUNES_MAX 4096	  /* with the NUL: an officer's list of communes */

/* admin: everything, users too; viewer: sees every commune, changes nothing; officer: sees and
 * acts on (acknowledges, plans maintenance in) the communes listed for them. */
enum role { ROLE_ADMIN, ROLE_VIEWER, ROLE_OFFICER };
/* "admin", "viewer", "officer"; NULL for a value outside the enum. */
const char *role_name(enum role r);
/* The role of that name, or -1. */
int role_parse(const char *s);

/* User names: letters, digits, '.', '_' and '-', 1 to 63 of them, the first a letter or digit
 * (a name never starts like an option or a hidden file). */
int users_valid_name(const char *name);

struct users;

/*
 * Creates the users table (and the audit log's, audit_open: one open does both) if missing and
 * prepares the statements; initialises libsodium. NULL with err on failure. The store outlives
 * the users.
 */
struct users *users_open(struct store *st, char *err, size_t errsz);
void users_close(struct users *u);

/*
 * Adds a user: 0, or -1 with err saying why in plain English (a name that exists: "user X
 * exists: use passwd"). communes: for an officer, the commune names one a line ("A\nB", no empty
 * line; checked against the inventory by the caller); for the other roles NULL or "". The
 * password: USER_PASSWORD_MIN to USER_PASSWORD_MAX bytes, not the user name. created and
 * changed are set to now.
 *
 * Nothing is read before the write, so a caller may put this and its audit_add in one
 * transaction (BEGIN ... COMMIT) without holding the database for the slow hash (usercli.c).
 */
int users_add(struct users *u, const char *name, enum role r, const char *communes,
	      const char *password, time_t now, char *err, size_t errsz);
/* A new password (same rules): 0, or -1 with err (no such user...). changed becomes now, or one
 * more than its last value if that is not before now, so that sessions opened before this
 * always see a different stamp. */
int users_passwd(struct users *u, const char *name, const char *password, time_t now, char *err,
		 size_t errsz);
/* The name people read for the user (acknowledgements, maintenance windows, the user bar):
 * "Chị Lan (phòng CNTT)"; "" to show the user name. Printable UTF-8 below USER_FULL_NAME_MAX
 * bytes: 0, or -1 with err. */
int users_set_name(struct users *u, const char *name, const char *full_name, char *err,
		   size_t errsz);
/* 0, or -1 with err (no such user, the store failed). */
int users_del(struct users *u, const char *name, char *err, size_t errsz);

/* Strings valid during the call only. */
struct user_entry {
	const char *name;
	enum role role;
	const char *communes; /* one a line; "" unless an officer */
	time_t created, changed;
	const char *full_name; /* "" when not given */
};
typedef void (*users_fn)(void *ctx, const struct user_entry *e);
/* Every user, by name (byte order): 0, or -1 if the store failed. */
int users_each(struct users *u, users_fn fn, void *ctx);

/* What a log-in needs, copied out of the store so a worker thread may check it. */
struct user_rec {
	char name[USER_NAME_MAX];
	enum role role;
	char communes[USER_COMMUNES_MAX];
	char hash[crypto_pwhash_STRBYTES];
	time_t changed; /* kept with the session: users_changed tells when it no longer holds */
	char full_name[USER_FULL_NAME_MAX];
};
/* 1 with *out filled, 0 if there is no such user (an invalid name included), -1 if the store
 * failed (logged). Quick: no hashing. */
int users_get(struct users *u, const char *name, struct user_rec *out);
/*
 * 1 if password matches hash (a users_get hash), else 0 (a malformed hash, a password longer than
 * USER_PASSWORD_MAX). Slow on purpose and thread-safe: no SQLite, no shared state.
 */
int users_verify(const char *hash, const char *password);
/*
 * A hash of a random password nobody knows, made with the same cost as real ones: verify a
 * password against it when the name is unknown, so that a wrong name takes as long as a wrong
 * password. Set by users_dummy_init (before the log-in thread starts), then never changed;
 * "" before it (a verify against "" is always 0).
 */
const char *users_dummy_hash(void);
/* Makes the dummy hash (one hash's time and memory): the daemon, before its log-in thread
 * starts. 0, or -1 out of memory. */
int users_dummy_init(void);

/* 1 with *changed (the stamp of the last add or passwd) if the user exists, 0 if not (deleted),
 * -1 if the store failed (logged). For the daemon's check of live sessions. */
int users_changed(struct users *u, const char *name, time_t *changed);

#endif
