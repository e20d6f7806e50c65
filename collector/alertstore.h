/*
 * Firing alerts kept across restarts, in the store's SQLite file: a collector restarted
 * (an upgrade, a crash, the box rebooted) neither mails an outage it already mailed nor
 * forgets to mail its recovery. Only firing (and acknowledged) alerts are kept; pending ones
 * start again. Keyed by names (commune, site, target), so an inventory edit keeps what still
 * exists. Event loop only.
 */
#ifndef HBMON_ALERTSTORE_H
#define HBMON_ALERTSTORE_H

#include <stddef.h>

#include "alertfsm.h"

struct store;
struct alertstore;

struct alertstore *alertstore_open(struct store *st, char *err, size_t errsz);
void alertstore_close(struct alertstore *as);
/* Writes the alert's state: kept while firing, removed once ok. 0, or -1 (logged). */
int alertstore_save(struct alertstore *as, const char *commune, const char *site,
		    const char *target, const struct alert *al);
/* Every kept alert, once each: fn finds its place by name and takes the state. */
typedef void (*alertstore_fn)(void *ctx, const char *commune, const char *site,
			      const char *target, const struct alert *al);
int alertstore_each(struct alertstore *as, alertstore_fn fn, void *ctx);

#endif
