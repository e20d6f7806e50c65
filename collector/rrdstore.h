/*
 * RRD storage: one directory per commune, one per device, one file per metric group
 * (<data_dir>/rrd/<commune>/<device>/<group>.rrd, names through name_to_path). Files are
 * created atomically on first sample; samples not newer than a file's last update are counted
 * and dropped, never sent to librrd (which would refuse them with an error each time).
 */
#ifndef HBMON_RRDSTORE_H
#define HBMON_RRDSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct rrd_ds_def {
	const char *name;
	const char *type; /* GAUGE for levels, DERIVE (floor 0) for counters */
	const char *min, *max;
};

struct rrd_group_def {
	const char *title;
	const struct rrd_ds_def *ds;
	size_t nds;
};

/* The system group: availability (1/0), sysUpTime in seconds, response time in ms. */
extern const struct rrd_group_def RRDG_SYSTEM;
enum { DS_SYS_AVAIL, DS_SYS_UPTIME, DS_SYS_RTT };
/* One file per interface: octets and errors (DERIVE), oper status, speed (bit/s). */
extern const struct rrd_group_def RRDG_IF;
enum { DS_IF_IN_OCTETS, DS_IF_OUT_OCTETS, DS_IF_IN_ERRORS, DS_IF_OUT_ERRORS, DS_IF_OPER,
       DS_IF_SPEED };

struct rrdstore_stats {
	uint64_t updates, created, late, errors;
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
 * Writes one sample: vals[i] is the value of def->ds[i] as text ("U" = unknown). Returns 1 if
 * written, 0 if dropped as late, -1 on error (message in err).
 */
int rrdstore_update(struct rrdstore *rs, const char *path, const struct rrd_group_def *def,
		    time_t ts, const char *const *vals, char *err, size_t errsz);

const struct rrdstore_stats *rrdstore_stats(const struct rrdstore *rs);
int rrdstore_step(const struct rrdstore *rs);

#endif
