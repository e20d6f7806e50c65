/*
 * The target rules, in one place. Readiness now (one step taken from the devices' current
 * state) and readiness over a period (many steps read from the stored series) count devices
 * and rows, and ask the judge; neither knows what "met" means by itself.
 *
 * A verdict has three values: met, missed, or no data. No data is what is not known: a
 * device before its first sample or while nothing was heard from it, a value nobody
 * reported. It is never counted as down, nor as met; a period's figures are taken over the
 * time with data, and say how much of the judged time that was (the coverage).
 */
#ifndef HBMON_JUDGE_H
#define HBMON_JUDGE_H

#include "config.h"

enum verdict { V_MET, V_MISSED, V_NODATA };

/* Devices (or sites) counted at one step: those up (met), those whose state is not known, and
 * all of them. Shares of one when a step is longer than a sample (a period's coarse steps). */
struct judge_count {
	double up, unknown;
	int total;
};

/* At least need of the counted up: met when enough are up, missed when not enough could be
 * even if every unknown one were up, no data otherwise. */
enum verdict judge_min_up(struct judge_count c, int need);
/* Both must hold: missed wins over no data, no data over met. */
enum verdict judge_and(enum verdict a, enum verdict b);
/* A reported value against a value target's bound (a NaN never holds). */
int judge_within(const struct metric_target *mt, double x);
/* A value target at one step: missed if a reported row is out of bounds; no data if a device
 * of its class is not known to be up and reported nothing (the value may be anything); met
 * otherwise (every row within bounds; a device that is up without such a value, or no device
 * of the class, has nothing to judge). */
enum verdict judge_rows(int rows_out, int devices_unknown);

/*
 * A site of type st at one step: each class target over cls[] (indexed by class), then each
 * value target as mv[] says. out[] gets st->ntargets + st->nmtargets verdicts; returns the
 * site's: every critical target must hold (a warning is counted apart, never makes the site
 * miss). A site without a type has no targets: met.
 */
enum verdict judge_site(const struct site_type *st, const struct judge_count cls[CLS_COUNT],
			const enum verdict *mv, enum verdict *out);
/* The severity of st's t-th target, in judge_site's order (class targets, then value ones). */
enum severity judge_site_severity(const struct site_type *st, int t);

/*
 * A commune-wide target at one step: for a class, the commune's devices of it (cls[], summed
 * over its sites); for a site type, its sites of that type (met as up, no data as unknown).
 * *need gets the number needed ("all": every one listed).
 */
enum verdict judge_commune(const struct commune_target *ct, const struct judge_count cls[CLS_COUNT],
			   struct judge_count sites, int *need);

/* Time (seconds, or any weight) a target spent in each verdict over a period. */
struct judge_tally {
	double met, missed, nodata;
};

void judge_tally_add(struct judge_tally *t, enum verdict v, double weight);
/* The share of the time with data it was met: 0..1, or NaN when there was none. */
double judge_met_share(const struct judge_tally *t);
/* The share of the judged time with data: 0..1; 0 when no time was judged. */
double judge_coverage(const struct judge_tally *t);
/* Met over the period: met at least min_share of its time with data; no data when it had
 * none. */
enum verdict judge_period(const struct judge_tally *t, double min_share);
/* A verdict's word for machines (JSON, CSV): "met", "missed", "no_data". */
const char *judge_name(enum verdict v);
/* The verdict of such a word; no data for anything else. */
enum verdict judge_parse(const char *name);

#endif
