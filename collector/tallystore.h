/*
 * Today's and this month's tallies of each target (daytally.h) kept across restarts and
 * reloads, in the store's SQLite file: the month's LAN and Internet availability that the
 * MIB and /metrics show does not start again on the day the collector was upgraded. Keyed by
 * names (commune, site, target) like the firing alerts (alertstore.h), so an inventory edit
 * keeps what still exists; each tally with the day (month) it counts, so yesterday's is
 * never taken for today's. Event loop only.
 */
#ifndef HBMON_TALLYSTORE_H
#define HBMON_TALLYSTORE_H

#include <stddef.h>
#include <time.h>

struct store;
struct tallystore;
struct daytally;
struct readiness;
struct inventory;

struct tallystore *tallystore_open(struct store *st, char *err, size_t errsz);
void tallystore_close(struct tallystore *ts);

/* Replaces the tallies kept under kind ("day", "month") with d, laid out for r, whose sites
 * and communes inv names. Nothing counted yet: nothing written. 0, or -1 (logged). */
int tallystore_save(struct tallystore *ts, const char *kind, const struct daytally *d,
		    const struct readiness *r, const struct inventory *inv);
/* Lays d out for r (daytally_prepare) at now and adds the tallies kept under kind for the
 * day (month) d counts, found by name. Returns how many were taken, or -1 (logged). */
int tallystore_load(struct tallystore *ts, const char *kind, struct daytally *d,
		    const struct readiness *r, const struct inventory *inv, time_t now);

/* The name a target is kept under: its kind as /metrics names it ("scanner",
 * "site.meeting-room"), "#<place>" after it when an earlier target of the list has it too. */
struct target_result;
void tallystore_target_key(const struct target_result *t, int i, char *buf, size_t n);

#endif
