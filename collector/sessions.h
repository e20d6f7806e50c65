/*
 * Logged-in browser sessions of the web dashboard, in memory only: a session ends on logout,
 * after idle_s without a request, absolute_s after login, when its user is deleted or changes
 * password (sessions_end_user), when the table is full and it is the least recently seen, or
 * when the daemon restarts. Event loop only: no locking. "now" is always the caller's clock.
 *
 * The table never stores a token. It keys each session by a BLAKE2b digest of its token, keyed
 * with a random secret of the table: a core dump or a read of the heap yields no live token,
 * and a client cannot pick tokens that pile into one hash bucket. Digests compare in constant
 * time (sodium_memcmp).
 */
#ifndef HBMON_SESSIONS_H
#define HBMON_SESSIONS_H

#include <stddef.h>
#include <time.h>

#define SESSION_TOKEN_LEN 64 /* lowercase hex of 32 bytes from the CSPRNG */
#define SESSION_USER_MAX 64  /* with the NUL */

struct session {
	char user[SESSION_USER_MAX];
	int role;       /* the caller's, opaque here */
	char *communes; /* owned by the table, "\n"-separated, may be "": the caller may replace
	                   it with another malloc'd string; it is freed with the session */
	char csrf[SESSION_TOKEN_LEN + 1]; /* random per session, not derived from the token */
	char addr[48];                    /* client address at login, truncated; for display */
	time_t created, seen, checked;    /* checked: now at login, then the caller's */
	time_t user_changed;              /* the caller's: the user record's version at login */
};

struct sessions;

/* A table of at most max sessions; a session idle more than idle_s seconds or older than
 * absolute_s is expired. NULL if max is 0, a limit is not positive, libsodium cannot start,
 * or out of memory. */
struct sessions *sessions_new(size_t max, int idle_s, int absolute_s);
/* Ends every session, wipes the table's secrets. NULL is a no-op. */
void sessions_free(struct sessions *s);

/*
 * Starts a session for user, copying user, communes (NULL as "") and addr (NULL as "",
 * truncated), and writes its new token (64 hex digits and a NUL) to token: the caller hands it
 * to the browser and keeps no copy. When the table is full the session seen least recently is
 * ended first. Returns the session, or NULL out of memory or when user is NULL or does not fit
 * in SESSION_USER_MAX (never truncated: a cut name could be another user's).
 */
struct session *sessions_create(struct sessions *s, const char *user, int role,
                                const char *communes, time_t user_changed, const char *addr,
                                time_t now, char token[SESSION_TOKEN_LEN + 1]);

/*
 * The session of token, its seen set to now. NULL if token is NULL, not exactly 64 lowercase
 * hex digits, unknown, or expired (an expired session is ended here). A session returned by
 * this module is valid until a call that may end it (sessions_create, _find of it expired,
 * _end, _end_user, _expire, _free): use it within one request, keep no pointer.
 */
struct session *sessions_find(struct sessions *s, const char *token, time_t now);

/* 1 if token is this session's CSRF token (constant time), 0 otherwise: NULL se or token,
 * or a token of another length. */
int sessions_csrf_ok(const struct session *se, const char *token);

/* Ends the session of token (logout); an unknown or malformed token is a no-op. */
void sessions_end(struct sessions *s, const char *token);
/* Ends every session of user (deleted, or password changed); returns how many. */
size_t sessions_end_user(struct sessions *s, const char *user);
size_t sessions_count(const struct sessions *s);

/*
 * Calls fn for each session, expired or not (so the caller can re-check each session's user).
 * fn may end sessions, se among them, through this module (sessions_end_user); it must not use
 * se after ending it. Sessions created by fn may or may not be visited.
 */
void sessions_each(struct sessions *s, void (*fn)(void *ctx, struct session *se), void *ctx);

/* Ends every expired session (the daemon calls it once a minute). */
void sessions_expire(struct sessions *s, time_t now);

#endif
