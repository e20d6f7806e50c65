/*
 * Ingest: takes a batch body posted by a probe, validates it, applies each sample to the
 * device state and writes it to the RRD store. A bad body is refused whole; a bad sample
 * (unknown device, clock far off) is refused alone and counted; accepted data is never lost.
 */
#ifndef HBMON_INGEST_H
#define HBMON_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "inventory.h"
#include "rrdstore.h"
#include "state.h"

struct ingest_stats {
	uint64_t batches, batches_bad, samples, samples_unknown_device, samples_bad_time,
	    rrd_errors;
};

struct ingest {
	const struct inventory *inv;
	struct state *state;
	struct rrdstore *rrd;
	time_t (*now)(void); /* injectable clock */
	struct ingest_stats st;
};

/*
 * Returns the number of samples accepted, or -1 when the body is not a valid batch (err names
 * the field). peer names the sender in log lines.
 */
long ingest_batch(struct ingest *in, const char *peer, const char *body, size_t len, char *err,
		  size_t errsz);

#endif
