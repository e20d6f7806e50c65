/*
 * Slows password guessing at the dashboard login, in memory (a restart forgets), event loop
 * only. Failures are counted per client address (one address guessing many users) and per user
 * name (many addresses guessing one user); past a free budget each further attempt waits.
 *
 * Failures of a key are forgotten together LOGINLIMIT_FORGET_S after its most recent one: never
 * more lenient than forgetting each failure 15 minutes after it, and one counter and one time
 * per key instead of a list of times. Since the longest wait equals the forget time, a patient
 * guesser gets about LOGINLIMIT_FREE_ADDR + 5 guesses per address per half hour; raise
 * LOGINLIMIT_FORGET_S above LOGINLIMIT_MAX_WAIT_S to make the longest wait repeat.
 *
 * Memory is bounded by max_entries keys (an address, a user, an address and user pair each
 * take one). When full, the key failed least recently is dropped. That favours an attacker only
 * once it has made max_entries distinct keys fail more recently than its target, i.e. thousands
 * of failed logins from thousands of addresses within the forget time; such a botnet already has
 * the free budget of each of its addresses, and a key under attack is refreshed by every guess,
 * so it stays among the newest. The alternative, unbounded growth, would let the same botnet
 * exhaust the daemon's memory.
 *
 * Keys are compared exactly (IPv6 callers may want to pass the /64 rather than the address).
 * Longer inputs are truncated for keying, so names sharing the first LOGINLIMIT_USER_MAX - 1
 * bytes share a count: stricter, never an overflow. NULL addr or user is keyed as "".
 */
#ifndef HBMON_LOGINLIMIT_H
#define HBMON_LOGINLIMIT_H

#include <stddef.h>
#include <time.h>

/* An officer mistyping a password a few times must not wait; a guesser gets few free tries. */
#define LOGINLIMIT_FREE_ADDR 5
/* Larger per user: one address alone (held to LOGINLIMIT_FREE_ADDR and its waits) cannot reach
 * it and lock a real officer out; many addresses guessing one name are still slowed. */
#define LOGINLIMIT_FREE_USER 20
/* Past the budget each further attempt waits FIRST_WAIT, doubling per failure, up to MAX_WAIT:
 * short enough for an officer who mistyped, growing fast for a guesser. */
#define LOGINLIMIT_FIRST_WAIT_S 30
#define LOGINLIMIT_MAX_WAIT_S (15 * 60)
#define LOGINLIMIT_FORGET_S (15 * 60)
/* Key sizes with the NUL: a user name field, a textual IPv6 address with a zone. */
#define LOGINLIMIT_USER_MAX 64
#define LOGINLIMIT_ADDR_MAX 48

struct loginlimit;

/* Tracks at most max_entries keys, allocated here once. NULL if max_entries is below 3 (one
 * failure makes three keys), libsodium cannot start, or out of memory. */
struct loginlimit *loginlimit_new(size_t max_entries);
void loginlimit_free(struct loginlimit *l);

/* Before checking a password: 1 allowed (*retry_after 0), or 0 refused with *retry_after the
 * seconds to wait (at least 1). A refused attempt must not check the password nor call
 * loginlimit_failed. retry_after may be NULL. */
int loginlimit_check(struct loginlimit *l, const char *addr, const char *user, time_t now,
                     int *retry_after);
/* A wrong password: counts against addr, user and the pair. Never fails (no allocation). */
void loginlimit_failed(struct loginlimit *l, const char *addr, const char *user, time_t now);
/* A right password: forgets user's failures from addr (also in the address's and the user's
 * counts); the address's failures against other users stay. */
void loginlimit_succeeded(struct loginlimit *l, const char *addr, const char *user, time_t now);

/* Keys tracked, forgotten ones not yet dropped included (for /metrics and tests). */
size_t loginlimit_count(const struct loginlimit *l);

#endif
