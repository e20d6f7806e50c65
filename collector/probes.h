/*
 * The probes allowed to write: each has a name and a secret issued here
 * (`hbmon-collector probe add|list|revoke NAME`). Only a salted SHA-256 of the secret is kept, in
 * the event store's SQLite file; the secret itself is shown once. Every ingest request names its
 * probe and proves the secret (HTTP Basic authentication), checked here.
 */
#ifndef HBMON_PROBES_H
#define HBMON_PROBES_H

#include <stddef.h>
#include <time.h>

#include "store.h"

#define PROBE_NAME_MAX 64
#define PROBE_SECRET_LEN 64 /* hex digits of 32 random bytes */

struct probes;

struct probes *probes_open(struct store *st, char *err, size_t errsz);
void probes_close(struct probes *p);

/* Probe names: letters, digits, '.', '_' and '-', 1 to 63 of them. */
int probes_valid_name(const char *name);

/*
 * Issues a new secret for name into secret (PROBE_SECRET_LEN + 1 bytes). A name that holds a
 * valid secret is refused (revoke it first): 0, -1 with err.
 */
int probes_add(struct probes *p, const char *name, time_t now, char *secret, char *err,
	       size_t errsz);
/* 0, or -1 with err (unknown name, already revoked). */
int probes_revoke(struct probes *p, const char *name, time_t now, char *err, size_t errsz);

struct probe_entry {
	const char *name;
	time_t created, revoked; /* revoked 0: valid */
};
typedef void (*probes_fn)(void *ctx, const struct probe_entry *e);
int probes_each(struct probes *p, probes_fn fn, void *ctx);

/* 1: name holds this secret and is not revoked; 0: it does not; -1: the store failed. */
int probes_check(struct probes *p, const char *name, const char *secret);

#endif
