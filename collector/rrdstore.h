/*
 * RRD storage: one directory per commune, one per device, one file per metric group
 * (<data_dir>/rrd/<commune>/<device>/<group>.rrd, names through name_to_path). Files are
 * created atomically on first sample; samples not newer than a file's last update are counted
 * and dropped, never sent to librrd (which would refuse them with an error each time).
 * Writes go straight through librrd, or to rrdcached in BATCHes; either way the updates of
 * one call are merged into one write per file. Used from one thread at a time (the writer).
 */
#ifndef HBMON_RRDSTORE_H
#define HBMON_RRDSTORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct rrd_ds_def {
	const char *name;
	const char *type; /* GAUGE for levels, DERIVE (floor 0) for counters */
	const char *min, *max;
};

#define RRD_GROUP_MAX_DS 16

struct rrd_group_def {
	const char *title;
	const struct rrd_ds_def *ds;
	size_t nds;
	/* a profile group's: its data sources grow as the probe sends new metrics, and a file's
	 * order may differ from this one (values are placed by name) */
	int dynamic;
};

/* The system group: availability (1/0), sysUpTime in seconds, response time in ms. */
extern const struct rrd_group_def RRDG_SYSTEM;
enum { DS_SYS_AVAIL, DS_SYS_UPTIME, DS_SYS_RTT };
/* One file per interface: octets and errors (DERIVE), oper status, speed (bit/s). */
extern const struct rrd_group_def RRDG_IF;
enum { DS_IF_IN_OCTETS, DS_IF_OUT_OCTETS, DS_IF_IN_ERRORS, DS_IF_OUT_ERRORS, DS_IF_OPER,
       DS_IF_SPEED };

/* Atomic: the writer thread counts, the web thread reads. */
struct rrdstore_stats {
	_Atomic uint64_t updates, created, late, errors, tuned, batches;
};

/* One update of one file. vals: the values of def->ds, ':'-separated ("U" = unknown). */
struct rrd_update {
	const char *path;
	const char *vals;
	const struct rrd_group_def *def;
	int64_t ts;
	int result; /* set by rrdstore_write: 1 written, 0 late, -1 refused, -2 storage down */
};

struct rrdstore;

/* base: the directory that holds the commune directories; step: seconds per data point. */
struct rrdstore *rrdstore_new(const char *base, int step);
void rrdstore_free(struct rrdstore *rs);
/* Seconds a data source may go without an update before it reads unknown, for files created
 * from now on (default 3 steps). The collector sets 3 polling intervals when that is longer. */
void rrdstore_set_heartbeat(struct rrdstore *rs, int seconds);

/* Builds the file path of a group; components must come from name_to_path. */
int rrdstore_path(const struct rrdstore *rs, char *dst, size_t dstsz, const char *commune,
		  const char *device, const char *group);

/*
 * Sends rrdcached the updates from now on (addr as rrdcached_new takes it). Files are still
 * created here, so the daemon must see the same paths. -1 with err set on a bad address.
 */
int rrdstore_use_rrdcached(struct rrdstore *rs, const char *addr, char *err, size_t errsz);
/* The daemon address, or NULL when writing directly. */
const char *rrdstore_rrdcached(const struct rrdstore *rs);

/*
 * Writes n updates in any order: grouped per file, in time order, one librrd call or one
 * batch line per file. Sets each result. Returns -1 when rrdcached could not be reached
 * (those updates are marked -2 and may be sent again), else 0.
 */
int rrdstore_write(struct rrdstore *rs, struct rrd_update *u, size_t n);

/*
 * Writes one sample: vals[i] is the value of def->ds[i] as text ("U" = unknown). Returns 1 if
 * written, 0 if dropped as late, -1 on error (message in err).
 */
int rrdstore_update(struct rrdstore *rs, const char *path, const struct rrd_group_def *def,
		    time_t ts, const char *const *vals, char *err, size_t errsz);

/* The directory that holds the commune directories. */
const char *rrdstore_base(const struct rrdstore *rs);
const struct rrdstore_stats *rrdstore_stats(const struct rrdstore *rs);
int rrdstore_step(const struct rrdstore *rs);

#endif
