/*
 * Ingest: takes a batch body posted by a probe, validates it, applies each sample to the
 * device state and turns it into RRD updates for the storage writer thread. A bad envelope
 * (not JSON, wrong version, over a batch's limits) is refused whole; a bad sample (malformed,
 * unknown device, clock far off) is refused alone and counted, and so is a malformed group row
 * or interface entry, the rest of its sample being kept.
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
#include "lograte.h"
#include "probestat.h"
#include "quota.h"
#include "rrdstore.h"
#include "state.h"
#include "wire.h"
#include "worker.h"

struct ingest_stats {
	uint64_t batches, batches_bad, samples, samples_unknown_device, samples_bad_time,
	    batches_busy, group_rows_capped, batches_unauthorized, samples_not_assigned,
	    batches_duplicate, batches_storage_failed, files_refused_quota, files_refused_rate;
	uint64_t samples_malformed, rows_malformed; /* dropped by the decoder (wire.h); rows
						    * include interface entries and class evidence */
	uint64_t class_changes; /* devices the probe confirmed as another class (replaced?) */
};

/* A device's recognised class changed: dev in the inventory, the classes before and now
 * (devclass.h names), when the probe confirmed it. Called once per change. */
typedef void (*ingest_class_fn)(void *ctx, size_t dev, const char *was, const char *now,
				time_t when);

struct ingest {
	struct inventory *inv; /* writable: a device without a class takes the probe's */
	struct state *state;
	struct rrdstore *rrd; /* only for paths here; the writer thread owns the rest */
	time_t (*now)(void);  /* injectable clock */
	const char *default_probe; /* writes the devices whose inventory probe column is empty */
	struct probestat *probes;  /* per probe: contact, spool, the last batch stored */
	int max_ahead;        /* seconds a sample may be dated ahead of our clock */
	int max_files;        /* RRD files per device */
	int new_files_per_minute; /* per probe */
	struct groupdefs *groups; /* RRD layouts of profile groups */
	struct identstore *ident;
	struct lanhosts *lan;      /* hosts the LAN watch reports; NULL: not kept (an import) */  /* devices' models and serials kept; NULL: not kept (an import) */
	struct lograte *warnings; /* refusals logged through it; NULL: each one (an import) */
	ingest_class_fn class_changed; /* NULL: a change is only counted and logged */
	void *class_ctx;
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
	char *answer; /* the JSON answer: accepted, refused counts, the refusals described */
	struct probe_status *from; /* its probe (NULL: an import), told once the job is stored */
	struct ingest *in;  /* while ingest_batch fills it: quotas of the sample's device */
	size_t dev;
	uint64_t epoch, seq;
	int storage_down; /* set by the writer: some updates could not be stored, resend */
	void *owner;
};

/*
 * Returns the number of samples accepted, or -1 when the body is not a valid batch (err names
 * the field). peer names the sender in log lines. probe is the name the sender proved (the
 * batch must carry it, and it writes only the devices the inventory assigns to it), or NULL
 * for a local import by the administrator. job (zeroed by the caller) receives the updates;
 * free it with ingest_job_free.
 */
long ingest_batch(struct ingest *in, const char *peer, const char *probe, const char *body,
		  size_t len, struct ingest_job *job, char *err, size_t errsz);
/* The same in two steps, for a body decoded on another thread (wire_decode_batch): a batch
 * that did not decode is counted and logged by ingest_refused (returns -1); a decoded one is
 * taken over (and freed) by ingest_decoded. */
long ingest_refused(struct ingest *in, const char *peer, const char *err);
long ingest_decoded(struct ingest *in, const char *peer, const char *probe, struct batch *b,
		    struct ingest_job *job, char *err, size_t errsz);
void ingest_job_free(struct ingest_job *job);

/* The writer thread's worker_run_fn; ctx is the struct rrdstore. Merges the jobs' updates. */
void ingest_write_jobs(void *ctx, struct wjob **jobs, size_t n);

#endif
