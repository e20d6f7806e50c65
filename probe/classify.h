/*
 * Device classification by weighing evidence: the vendor's enterprise number (vendors.conf),
 * sysObjectID subtrees, words in sysDescr, the class MIBs the agent answered and what they hold
 * (classify.conf `has` and `value`), the vendor subtrees that answered when sysObjectID
 * named no maker (vendors.conf `probe`), and what the host said on its LAN (the maker of its
 * network card, matched with vendors.conf's names; the class its DHCP or LLDP words give).
 * Every matching rule adds its weight to its class; the heaviest class wins if it reaches
 * CLS_THRESHOLD, otherwise the device is "other". The result says why, in words built only
 * from the rule files (never from the device's own bytes), so it is safe to show anywhere.
 */
#ifndef HBMON_CLASSIFY_H
#define HBMON_CLASSIFY_H

#include <stddef.h>

#include "clsvalue.h"
#include "errlist.h"

struct profiles;
struct cls_vendors;
struct prof_oid;

#define CLS_THRESHOLD 4   /* below this summed weight the device is "other" */
#define CLS_WHY_MAX 4     /* reasons kept, heaviest first */
#define CLS_WHY_LEN 112
#define CLS_VENDOR_MAX 48
#define CLS_PROBE_MAX 16  /* vendor subtrees asked when the identity names no maker */

/* What the agent said, as the poller gathered it. Any pointer may be NULL, any string huge or
 * garbage; the answers are the device's (untrusted). */
struct cls_input {
	const char *objectid, *descr;
	const struct cls_answer *ans; /* ans[i]: GETNEXT of ps->has[i], i < nans */
	size_t nans;
	/* enterprise numbers whose subtree answered (cls_vendor_probes), when they were asked */
	const unsigned long *subtrees;
	size_t nsubtrees;
	/* what the LAN watch heard of the host (lanwatch_identity), NULL or "" unknown: the maker
	 * of its network card as the IEEE registry names it, and the class its own LLDP / CDP or
	 * DHCP words give */
	const char *lan_vendor, *lan_said;
};

struct cls_result {
	char cls[32];              /* a profile class, or "other" */
	int score;                 /* summed weight of the winning class */
	int confidence;            /* 0..100: grows with the score and the lead over the next;
				    * for "other" below the threshold, how far the best class
				    * stayed from it (no evidence at all: 100) */
	unsigned long enterprise;  /* 0: sysObjectID names none */
	char vendor[CLS_VENDOR_MAX]; /* from vendors.conf; "" unknown */
	char why[CLS_WHY_MAX][CLS_WHY_LEN];
	int nwhy;
};

/* Reads path ([vendors]: "NUMBER = Name: class weight, ..., [probe], [agent]"); NULL on no
 * memory. Problems go to errs as "file:line: message". */
struct cls_vendors *cls_vendors_load(const char *path, struct errlist *errs);
void cls_vendors_free(struct cls_vendors *v);

/* The vendors whose subtree (1.3.6.1.4.1.N) the probe asks with GETNEXT when the identity
 * names no maker (vendors.conf `probe`): their OIDs into *oids, their numbers into *nums
 * (both owned by vs, NULL when none); returns how many (at most CLS_PROBE_MAX). */
size_t cls_vendor_probes(const struct cls_vendors *vs, const struct prof_oid **oids,
			 const unsigned long **nums);

/* Whether sysObjectID objectid names no maker: empty, not numeric, outside 1.3.6.1.4.1, or
 * of an agent many makers use (vendors.conf `agent`: Net-SNMP). Then vendor subtrees say more. */
int cls_names_no_maker(const struct profiles *ps, const char *objectid);

/* Classifies one device from everything the poller gathered. */
void classify_input(const struct profiles *ps, const struct cls_input *in, struct cls_result *out);

/* The same from the identity and `has` answers only: has[i] (i < nhas) says whether the agent
 * answered under ps->has[i]; has may be NULL (value tests then never hold). */
void classify_device(const struct profiles *ps, const char *objectid, const char *descr,
		     const unsigned char *has, size_t nhas, struct cls_result *out);

/* The reasons joined by "; " into buf (always terminated); returns buf. */
const char *classify_why(const struct cls_result *r, char *buf, size_t n);

#endif
