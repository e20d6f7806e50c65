#include "daytally.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "readiness.h"

static time_t local_midnight(time_t t, int first_of_month)
{
	struct tm tm;
	if (!localtime_r(&t, &tm))
		return 0;
	if (first_of_month)
		tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* 1 when d is laid out for r: the same sites and communes, each with as many targets. */
static int same_shape(const struct daytally *d, const struct readiness *r)
{
	if (!d->off || d->nsites != r->nsites || d->ncommunes != r->ncommunes)
		return 0;
	for (size_t s = 0; s < r->nsites; s++)
		if (d->off[s + 1] - d->off[s] != (size_t)r->sites[s].ntargets)
			return 0;
	for (size_t k = 0; k < r->ncommunes; k++)
		if (d->off[r->nsites + k + 1] - d->off[r->nsites + k] !=
		    (size_t)r->communes[k].nctargets)
			return 0;
	return 1;
}

/* Laid out afresh for r, every tally zero: 0, or -1 out of memory (d empty). */
static int reshape(struct daytally *d, const struct readiness *r)
{
	size_t n = r->nsites + r->ncommunes, total = 0;
	daytally_free(d);
	d->off = malloc((n + 1) * sizeof(*d->off));
	if (!d->off)
		return -1;
	for (size_t s = 0; s < r->nsites; s++) {
		d->off[s] = total;
		total += (size_t)r->sites[s].ntargets;
	}
	for (size_t k = 0; k < r->ncommunes; k++) {
		d->off[r->nsites + k] = total;
		total += (size_t)r->communes[k].nctargets;
	}
	d->off[n] = total;
	d->t = calloc(total ? total : 1, sizeof(*d->t));
	if (!d->t) {
		daytally_free(d);
		return -1;
	}
	d->nsites = r->nsites;
	d->ncommunes = r->ncommunes;
	return 0;
}

static void count(struct judge_tally *t, const struct target_result *tr, int n, double w)
{
	for (int i = 0; i < n; i++)
		if (tr[i].judging == J_JUDGED)
			judge_tally_add(&t[i], tr[i].v, w);
}

int daytally_prepare(struct daytally *d, const struct readiness *r, time_t now)
{
	time_t midnight = local_midnight(now, d->by_month);
	if (!same_shape(d, r) && reshape(d, r) < 0)
		return -1;
	if (d->day != midnight) {
		memset(d->t, 0, d->off[d->nsites + d->ncommunes] * sizeof(*d->t));
		d->day = midnight;
	}
	return 0;
}

void daytally_add(struct daytally *d, const struct readiness *r, time_t now)
{
	if (daytally_prepare(d, r, now) < 0)
		return;
	time_t midnight = d->day;
	time_t from = r->at > midnight ? r->at : midnight;
	if (now <= from || now - from > DAYTALLY_MAX_STEP)
		return;
	double w = (double)(now - from);
	for (size_t s = 0; s < r->nsites; s++)
		count(d->t + d->off[s], r->sites[s].targets, r->sites[s].ntargets, w);
	for (size_t k = 0; k < r->ncommunes; k++)
		count(d->t + d->off[r->nsites + k], r->communes[k].targets, r->communes[k].nctargets,
		      w);
}

struct judge_tally *daytally_at(const struct daytally *d, size_t slot, int i)
{
	if (!d->t || slot >= d->nsites + d->ncommunes || i < 0 ||
	    d->off[slot] + (size_t)i >= d->off[slot + 1])
		return NULL;
	return &d->t[d->off[slot] + (size_t)i];
}

static double share(const struct daytally *d, size_t slot, int i)
{
	if (!d->t || i < 0 || d->off[slot] + (size_t)i >= d->off[slot + 1])
		return NAN;
	return judge_met_share(&d->t[d->off[slot] + (size_t)i]);
}

double daytally_site_share(const struct daytally *d, size_t s, int i)
{
	return s < d->nsites ? share(d, s, i) : NAN;
}

double daytally_commune_share(const struct daytally *d, size_t k, int i)
{
	return k < d->ncommunes ? share(d, d->nsites + k, i) : NAN;
}

void daytally_free(struct daytally *d)
{
	int by_month = d->by_month;
	free(d->off);
	free(d->t);
	memset(d, 0, sizeof(*d));
	d->by_month = by_month; /* reshape frees: the kind of tally stays */
}
