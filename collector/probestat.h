/*
 * What the collector knows of each probe that proved its name: last contact, what it sent,
 * what waits in its spool (the X-Hbmon-Spool header of each post), what it lost, and the
 * last batch stored from each of its spools, so a batch sent again (its acknowledgement was
 * lost) is acknowledged without being written twice. Memory only: after a restart a batch
 * sent again is recognised by the RRD files' time order instead (not newer: not written).
 */
#ifndef HBMON_PROBESTAT_H
#define HBMON_PROBESTAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "probes.h"
#include "quota.h"

#define PROBESTAT_MAX 256 /* probes tracked; only names the registry knows get here */

struct probe_status {
	char name[PROBE_NAME_MAX];
	char peer[64];          /* the address of its last request */
	time_t last_contact;    /* collector clock */
	uint64_t batches, samples, duplicates;
	uint64_t spool_batches, spool_lost; /* as the probe last said */
	int64_t spool_oldest;   /* the probe's clock; 0: nothing waits */
	uint64_t epoch, stored_seq; /* highest seq stored from that spool */
	struct rate_bucket new_files; /* RRD files it may have created */
	uint64_t assignment;        /* digest of its assignment (0: not made yet) ... */
	unsigned assignment_gen;    /* ... from this inventory (collector's inv_gen) */
};

struct probestat {
	struct probe_status p[PROBESTAT_MAX];
	size_t n;
};

/* The entry of name, made on first contact; NULL when the table is full. */
struct probe_status *probestat_get(struct probestat *ps, const char *name);
const struct probe_status *probestat_find(const struct probestat *ps, const char *name);

/* "batches=N; oldest=T; lost=L" (the probe's X-Hbmon-Spool header); bad parts are ignored. */
void probestat_spool(struct probe_status *p, const char *header);

/* This batch (epoch 0: an untracked sender) is already stored. */
int probestat_is_duplicate(const struct probe_status *p, uint64_t epoch, uint64_t seq);
void probestat_stored(struct probe_status *p, uint64_t epoch, uint64_t seq);

#endif
