/*
 * RRD layouts of profile groups (printer supplies, disks, UPS battery …), learnt from the
 * samples: a group's data sources are the metric names probes have sent for it, in the order
 * first seen. A layout never changes once made (updates in flight point at it); a group that
 * gains a metric gets a new layout with it appended. Used by the event loop; the layouts are
 * read by the writer thread and freed only with the registry.
 */
#ifndef HBMON_GROUPDEFS_H
#define HBMON_GROUPDEFS_H

#include <stddef.h>
#include <stdint.h>

#include "rrdstore.h"
#include "wire.h"

#define GROUPDEFS_MAX 1024      /* distinct groups in all; more are not stored (counted) */
#define GROUPDEFS_PER_PROBE 64  /* groups one probe may introduce: the shipped profiles have
				 * 30, and one probe's made-up names leave room for the others' */
#define GROUPDEFS_OWNER_MAX 64

struct groupdefs;

struct groupdefs *groupdefs_new(void);
void groupdefs_free(struct groupdefs *gd);
/* The layout holding every numeric metric of row (gauges as GAUGE, counters as DERIVE ≥ 0);
 * NULL when the row has none, or its group is new and the registry is full or probe (the
 * sender's name; NULL: the administrator's import, not limited) introduced
 * GROUPDEFS_PER_PROBE groups already. */
const struct rrd_group_def *groupdefs_for_row(struct groupdefs *gd, const struct group_row *r,
					      const char *probe);
/* Formats row's values in def's order ("U" for those it lacks) into dst: length, or -1. */
int groupdefs_values(const struct rrd_group_def *def, const struct group_row *r, char *dst,
		     size_t dstsz);
/* Rows and metrics not stored because a limit was reached. */
uint64_t groupdefs_dropped(const struct groupdefs *gd);

#endif
