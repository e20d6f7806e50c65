/*
 * Each target's verdicts since local midnight, summed tick by tick from the readiness the judge
 * keeps: what /metrics reports as "share of today's judged time met" without reading a day of
 * RRD history per scrape (150 communes: thousands of series). The time between two ticks is
 * counted to the verdict that held over it (the earlier tick's), judged time only (working
 * hours, outside maintenance and upstream outages), like the period report.
 *
 * Counted in memory; the alerts keep it in the store (tallystore.h) every few minutes, at a
 * reload and at a stop, and take it back after a restart, so a restart at noon (or on the
 * 15th, for the month's tally) goes on from what was counted. The time the collector was
 * stopped is not counted (nothing was judged); the period report (RRD history) is the figure
 * of record.
 */
#ifndef HBMON_DAYTALLY_H
#define HBMON_DAYTALLY_H

#include <stddef.h>
#include <time.h>

#include "judge.h"

struct readiness;

struct daytally {
	int by_month;      /* set by its owner: counts since the first of the month, not midnight */
	time_t day;        /* local midnight of the day (month) counted; 0: nothing counted yet */
	size_t nsites, ncommunes;
	size_t *off;       /* [nsites + ncommunes + 1]: first tally of each site, then commune */
	struct judge_tally *t;
};

/* A gap between ticks longer than this is not counted (the clock jumped, the loop stalled). */
#define DAYTALLY_MAX_STEP 300

/*
 * Counts r (the readiness judged at r->at, its judging set) as holding until now. A new local
 * day, or a readiness of another shape (an inventory reload) starts the tallies again. Out of
 * memory: nothing is counted (the shares are absent).
 */
void daytally_add(struct daytally *d, const struct readiness *r, time_t now);
/* Lays d out for r (sites, communes and their targets) for the day (month) of now, keeping
 * what it counted when that is the same: 0, or -1 out of memory. */
int daytally_prepare(struct daytally *d, const struct readiness *r, time_t now);
/* Target i of slot (a site s, or commune k at nsites + k), or NULL when there is none. */
struct judge_tally *daytally_at(const struct daytally *d, size_t slot, int i);
/* The share of today's judged time site s's target i (commune k's commune-wide target i) was
 * met: 0..1, or NaN when it was not judged with data today. */
double daytally_site_share(const struct daytally *d, size_t s, int i);
double daytally_commune_share(const struct daytally *d, size_t k, int i);
void daytally_free(struct daytally *d);

#endif
