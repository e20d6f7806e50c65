/*
 * Ingest: takes a batch body posted by a probe, validates it, applies each sample to the
 * device state and turns it into RRD updates for the storage writer thread. A bad body is
 * refused whole; a bad sample (unknown device, clock far off) is refused alone and counted.
 * The probe is answered only once the writer has stored the batch, so an acknowledged
 * sample is on disk (or in rrdcached's journal) and an unacknowledged one is sent again.
 */
#ifndef HBMON_INGEST_H
#define HBMON_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "groupdefs.h"
#include "inventory.h"
#include "rrdstore.h"
#include "state.h"
#include "worker.h"

struct ingest_stats {
	uint64_t batches, batches_bad, samples, samples_unknown_device, samples_bad_time,
	    batches_busy, group_rows_capped;
};

struct ingest {
	struct inventory *inv; /* writable: a device without a class takes the probe's */
	struct state *state;
	struct rrdstore *rrd; /* only for paths here; the writer thread owns the rest */
	time_t (*now)(void);  /* injectable clock */
	struct groupdefs *groups; /* RRD layouts of profile groups */
	struct ingest_stats st;
};

/* The RRD updates of one batch, on their way to the writer thread and back. */
struct ingest_job {
	struct wjob base;
	struct rrd_update *u;
	struct { size_t path, vals; } *off; /* into text, resolved when the job is complete */
	size_t n, cap;
	char *text;
	size_t tlen, tcap;
	size_t *devs; /* devices whose samples are in the job, in inv */
	const struct inventory *inv;
	size_t ndevs;
	long accepted;
	int storage_down; /* set by the writer: some updates could not be stored, resend */
	void *owner;
};

/*
 * Returns the number of samples accepted, or -1 when the body is not a valid batch (err names
 * the field). peer names the sender in log lines. job (zeroed by the caller) receives the
 * updates; free it with ingest_job_free.
 */
long ingest_batch(struct ingest *in, const char *peer, const char *body, size_t len,
		  struct ingest_job *job, char *err, size_t errsz);
void ingest_job_free(struct ingest_job *job);

/* The writer thread's worker_run_fn; ctx is the struct rrdstore. Merges the jobs' updates. */
void ingest_write_jobs(void *ctx, struct wjob **jobs, size_t n);

#endif
