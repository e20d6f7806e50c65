/*
 * The probe's assignment from the collector: GET /api/v1/assignment (the inventory rows of the
 * devices this probe polls, as CSV) with the probe's credential, fetched once at start and
 * cached in the spool directory. A probe that starts while the collector is away works from
 * its cached assignment; one that never had one polls its local inventory.
 */
#ifndef HBMON_ASSIGNMENT_H
#define HBMON_ASSIGNMENT_H

#include <stddef.h>

#include "uplink.h"

/*
 * Fetches the assignment (blocking: at start, before polling, at most about 15 s) and writes
 * it to cache under a temporary name, then renames it. 1 fetched; 0 not (why says why: the
 * collector unreachable or refusing, or a collector_url that does not end in
 * /api/v1/ingest).
 */
int assignment_fetch(const struct uplink_opts *o, const char *cache, char *why, size_t whysz);

#endif
