#include "judge.h"

#include <math.h>
#include <string.h>

/* Counts of a coarse step are sums of shares: 2 PCs up 0.9999999999 of the step are 2. */
#define EPS 1e-9

enum verdict judge_min_up(struct judge_count c, int need)
{
	if (c.up + EPS >= need)
		return V_MET;
	if (c.up + c.unknown + EPS < need)
		return V_MISSED;
	return V_NODATA;
}

enum verdict judge_and(enum verdict a, enum verdict b)
{
	if (a == V_MISSED || b == V_MISSED)
		return V_MISSED;
	return a == V_NODATA || b == V_NODATA ? V_NODATA : V_MET;
}

int judge_within(const struct metric_target *mt, double x)
{
	switch (mt->op) {
	case MT_GE:
		return x >= mt->value;
	case MT_LE:
		return x <= mt->value;
	default:
		return x == mt->value;
	}
}

enum verdict judge_rows(int rows_out, int devices_unknown)
{
	return rows_out ? V_MISSED : devices_unknown ? V_NODATA : V_MET;
}

enum verdict judge_site(const struct site_type *st, const struct judge_count cls[CLS_COUNT],
			const enum verdict *mv, enum verdict *out)
{
	enum verdict site = V_MET;
	int n = 0;
	for (int k = 0; st && k < st->ntargets; k++) {
		const struct class_target *ct = &st->targets[k];
		out[n] = judge_min_up(cls[ct->cls], ct->min_up);
		if (ct->sev == SEV_CRITICAL)
			site = judge_and(site, out[n]);
		n++;
	}
	for (int m = 0; st && m < st->nmtargets; m++) {
		out[n] = mv[m];
		if (st->mtargets[m].sev == SEV_CRITICAL)
			site = judge_and(site, out[n]);
		n++;
	}
	return site;
}

enum severity judge_site_severity(const struct site_type *st, int t)
{
	if (!st || t < 0 || t >= st->ntargets + st->nmtargets)
		return SEV_CRITICAL;
	return t < st->ntargets ? st->targets[t].sev : st->mtargets[t - st->ntargets].sev;
}

enum verdict judge_commune(const struct commune_target *ct, const struct judge_count cls[CLS_COUNT],
			   struct judge_count sites, int *need)
{
	struct judge_count c = ct->kind == CT_CLASS ? cls[ct->cls] : sites;
	*need = ct->need == CT_NEED_ALL ? c.total : ct->need;
	return judge_min_up(c, *need);
}

void judge_tally_add(struct judge_tally *t, enum verdict v, double weight)
{
	if (v == V_MET)
		t->met += weight;
	else if (v == V_MISSED)
		t->missed += weight;
	else
		t->nodata += weight;
}

double judge_met_share(const struct judge_tally *t)
{
	double known = t->met + t->missed;
	return known > 0 ? t->met / known : NAN;
}

double judge_coverage(const struct judge_tally *t)
{
	double all = t->met + t->missed + t->nodata;
	return all > 0 ? (t->met + t->missed) / all : 0;
}

enum verdict judge_period(const struct judge_tally *t, double min_share)
{
	double share = judge_met_share(t);
	if (isnan(share))
		return V_NODATA;
	return share + EPS >= min_share ? V_MET : V_MISSED;
}

const char *judge_name(enum verdict v)
{
	return v == V_MET ? "met" : v == V_MISSED ? "missed" : "no_data";
}

enum verdict judge_parse(const char *name)
{
	return strcmp(name, "met") == 0 ? V_MET : strcmp(name, "missed") == 0 ? V_MISSED : V_NODATA;
}
