/*
 * Readiness: judges every site, commune and the district against the equipment targets of
 * its site type. Each target is one check with a kind, so new kinds (availability over a
 * period, LAN presence, reachability) join the same evaluation and the same reports.
 */
#ifndef HBMON_READINESS_H
#define HBMON_READINESS_H

#include <stddef.h>
#include <time.h>

#include "config.h"
#include "judge.h"
#include "inventory.h"
#include "state.h"

enum target_kind { TK_CLASS_MIN_UP, TK_SITES_MET, TK_METRIC };

/* Whether a target is judged now, or why not: what the overview says instead of "missed"
 * outside its hours, in the grace after each opening, in a maintenance window, or while the
 * commune's uplink is down. A fresh evaluation judges everything. */
enum judging { J_JUDGED, J_OFF_HOURS, J_GRACE, J_MAINTENANCE, J_UPSTREAM };

struct target_result {
	enum target_kind kind;
	enum dev_class cls;
	const struct site_type *site_type; /* TK_SITES_MET: the type of sites counted */
	int need;  /* devices that must be up (sites that must meet their targets) */
	int up;    /* devices up now (sites meeting their targets) */
	int total; /* devices of the class at the site (sites of the type) */
	int unknown; /* of them, not known now: no sample yet (sites: no data; TK_METRIC: devices
		      * of the class not up, whose values are not known) */
	enum verdict v;
	enum severity sev; /* a warning is counted apart: never makes its site or commune miss */
	enum judging judging;
	/* TK_METRIC: up = rows within the bound, total = rows seen; the one furthest out */
	const struct metric_target *mt;
	int mt_index; /* in its site type */
	double worst;
	char worst_where[192]; /* "device — row label" */
};

struct site_result {
	size_t site; /* index in inventory->sites */
	size_t commune;
	const struct site_type *type;
	struct target_result *targets;
	int ntargets;  /* all of them, warnings included */
	int ncrit, nmet; /* the critical ones, and of them met */
	int nwarn;       /* warnings missed */
	enum verdict v;  /* over the critical targets */
	int njudged;   /* targets judged now */
	enum verdict vj; /* over the critical ones of them only (met when none is) */
	int nwarn_judged; /* warnings missed among them */
};

struct commune_result {
	size_t commune;
	struct target_result *targets; /* [commune-targets], judged over the whole commune */
	int nctargets, nctargets_met;
	int nsites, nsites_met;
	int ntargets, nmet; /* critical targets, its sites' and its own, and of them met */
	int nwarn;          /* warnings missed */
	enum verdict v;
	int njudged;     /* targets judged now, its sites' and its own */
	enum verdict vj; /* over the critical ones of them */
	int nwarn_judged; /* warnings missed among them */
	enum judging why; /* when none is: the reason of the first */
	int devices, devices_up;
};

struct readiness {
	time_t at;
	struct site_result *sites;       /* indexed like inventory->sites */
	struct commune_result *communes; /* indexed like inventory->communes */
	size_t nsites, ncommunes;
	int ncommunes_met, ncommunes_nodata;
	int ncommunes_judged, ncommunes_judged_met; /* communes with a target judged now */
	int ntargets_judged, nmet_judged; /* critical targets */
	int ntargets, nmet;               /* critical targets */
	int nwarn, nwarn_judged;          /* warnings missed */
};

/* A device's rows against one value target: how many, how many out, the one furthest out. */
struct rowcount {
	int rows, out;
	double worst;
	char where[192]; /* "device — row label" */
};

/* Each device's rows counted at its latest sample, so a tick parses only what changed. Its
 * owner sizes dev for the inventory (and its site types) it judges, zeroed. */
struct readiness_cache {
	struct rowcache_dev {
		int valid;
		time_t at; /* the sample counted: its time (last_poll) */
		struct rowcount mt[CFG_MAX_METRIC_TARGETS];
	} *dev;
	size_t ndev;
};

struct readiness_input {
	const struct hbmon_config *cfg;
	const struct inventory *inv;
	const struct state *state;
	time_t now;
	struct readiness_cache *cache; /* NULL: every device's rows parsed */
};

int readiness_eval(struct readiness *out, const struct readiness_input *in);
/* The verdicts over the targets judged now (after their judging was set): vj, njudged, the
 * counts of communes judged and met. readiness_eval calls it with every target judged. */
void readiness_judged(struct readiness *r);
/* "off_hours", "grace", "maintenance", "upstream" ("judged"): catalogue keys. */
const char *readiness_judging_name(enum judging j);
void readiness_free(struct readiness *r);
/* Share of targets met, 0..100; 100 when there are none. */
double readiness_score(int nmet, int ntargets);
/* 1 if a probe checks the device: a url, an address and SNMP, or an IPv4 address for ICMP. */
int readiness_polled(const struct inv_device *d);

#endif
