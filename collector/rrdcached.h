/*
 * A client of rrdcached's text protocol for what librrd's client lacks: BATCH, so that
 * thousands of updates cost one write and one reply instead of one round trip each.
 * Blocking, for the storage writer thread only. Addresses as rrdcached takes them:
 * "unix:/path", "/path", "host", "host:port", "[v6]:port" (port 42217 by default).
 */
#ifndef HBMON_RRDCACHED_H
#define HBMON_RRDCACHED_H

#include <stddef.h>

struct rrdcached;

/* Called for each command the daemon refused: its 1-based number in the batch, its message. */
typedef void (*rrdcached_error_fn)(void *ctx, size_t cmdno, const char *msg);

/* Checks the address; connects on first use. NULL with err set if the address is malformed. */
struct rrdcached *rrdcached_new(const char *addr, int timeout_s, char *err, size_t errsz);
void rrdcached_free(struct rrdcached *c);
const char *rrdcached_addr(const struct rrdcached *c);

/*
 * Sends ncmds newline-terminated commands as one BATCH. Returns the number of refused
 * commands (each reported through on_error), or -1 when the daemon could not be reached or
 * the exchange broke (err set; the connection is dropped and retried on next use; which
 * commands took effect is unknown).
 */
long rrdcached_batch(struct rrdcached *c, const char *cmds, size_t len, size_t ncmds,
		     rrdcached_error_fn on_error, void *ctx, char *err, size_t errsz);

/* FLUSH of one file: writes what the daemon holds for it. 0, or -1 with err set. */
int rrdcached_flush(struct rrdcached *c, const char *path, char *err, size_t errsz);

/* Checks that path can travel in a command (no whitespace or control bytes). */
int rrdcached_path_ok(const char *path);

#endif
