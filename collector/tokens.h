/*
 * Read-only API tokens (`hbmon-collector token add|del|list`): what a province's Prometheus or
 * script sends as "Authorization: Bearer <token>" to read /metrics and the JSON API under
 * /api/v1/ (GET only, no forms). A token reads as a viewer, or as an officer of the communes it was issued for: it
 * sees, never acts.
 *
 * A token is 32 bytes from libsodium's CSPRNG, shown once as "hbt_" and 64 hex digits. The
 * store keeps only its BLAKE2b digest (crypto_generichash, 32 bytes): the token has 256 bits of
 * entropy, so a fast hash is enough (nothing to guess) and a look-up per request stays cheap.
 * A token deleted by the command line is refused from the next request on (no cache).
 * Event loop (or command line) only: SQLite in the event store's file, table tokens.
 */
#ifndef HBMON_TOKENS_H
#define HBMON_TOKENS_H

#include <stddef.h>
#include <time.h>

#include "store.h"
#include "users.h"

#define TOKEN_PREFIX "hbt_"
#define TOKEN_BYTES 32
#define TOKEN_TEXT_LEN (4 + 2 * TOKEN_BYTES) /* "hbt_" and the hex digits, without the NUL */
#define TOKEN_NAME_MAX USER_NAME_MAX          /* names follow users_valid_name's rules */

struct tokens;

/* Creates the table if missing, prepares the statements. NULL with err on failure. The store
 * outlives the tokens. */
struct tokens *tokens_open(struct store *st, char *err, size_t errsz);
void tokens_close(struct tokens *t);

/*
 * Issues a token named name (users_valid_name's rules): its text goes to token (shown once to
 * the one who asked; never stored). communes: "" or NULL for every commune, else names one a
 * line (checked against the inventory by the caller). 0, or -1 with err ("token X exists").
 */
int tokens_add(struct tokens *t, const char *name, const char *communes, time_t now,
	       char token[TOKEN_TEXT_LEN + 1], char *err, size_t errsz);
/* 0, or -1 with err (no such token, the store failed). */
int tokens_del(struct tokens *t, const char *name, char *err, size_t errsz);

/* Strings valid during the call only. */
struct token_entry {
	const char *name;
	const char *communes; /* one a line; "" for every commune */
	time_t created;
};
typedef void (*tokens_fn)(void *ctx, const struct token_entry *e);
/* Every token, by name: 0, or -1 if the store failed (logged). */
int tokens_each(struct tokens *t, tokens_fn fn, void *ctx);

/* Who a token is, copied out of the store for the request. */
struct token_rec {
	char name[TOKEN_NAME_MAX];
	char communes[USER_COMMUNES_MAX];
};
/* 1 with *out filled when text is a live token, 0 when not (malformed text included: refused
 * before any look-up), -1 if the store failed (logged). */
int tokens_check(struct tokens *t, const char *text, struct token_rec *out);

/* 1 if text has a token's form (prefix, length, lowercase hex). */
int tokens_well_formed(const char *text);

#endif
