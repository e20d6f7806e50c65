/*
 * What the probe remembers of a classified device (one whose inventory class is empty), so
 * that a device replaced by another model is noticed and reported, not silently re-profiled.
 *
 * The first classification sets the class the device is polled with. It is weighed again only
 * when something says the device may have changed: the agent restarted (sysUpTime went back)
 * or its sysObjectID changed, or when the LAN watch tells something new of it. A different class then counts only when the classifier is sure
 * of it (CLSMEM_SURE); the device keeps its class and profile until that same class has been
 * seen on CLSMEM_CONFIRM consecutive polls (each of them weighed again), and only then is it
 * re-profiled. Every step is reported to the caller, which logs it and counts it.
 */
#ifndef HBMON_CLSMEM_H
#define HBMON_CLSMEM_H

#include <stdint.h>

#include "classify.h"
#include "wire.h"

#define CLSMEM_CONFIRM WIRE_CLASS_CONFIRM /* consecutive polls a new class must be seen on */
#define CLSMEM_SURE 60   /* confidence (%) a different class needs to count */
#define CLSMEM_WHY 256
#define CLSMEM_OID 128

struct cls_memory {
	char cls[32];           /* the class polled with; "" before the first classification */
	int confidence;
	char why[CLSMEM_WHY];   /* its reasons (classify_why) */
	char vendor[CLS_VENDOR_MAX]; /* its maker as vendors.conf names it; "" unknown */
	char objectid[CLSMEM_OID]; /* sysObjectID when it was weighed */
	uint32_t uptime;        /* sysUpTime of the last poll that had one */
	int has_uptime;
	char lan[96];           /* what the LAN watch told of it when last noted ("said|vendor") */
	char cand[32];          /* a different class seen since, sure enough ... */
	int cand_polls;         /* ... on this many consecutive polls (0: none pending) */
	int cand_confidence;
};

enum clsmem_step {
	CLSMEM_FIRST,      /* first classification: m->cls set */
	CLSMEM_SAME,       /* weighed again, same class (reasons refreshed) */
	CLSMEM_UNSURE,     /* a different class, not sure enough: ignored, any pending one dropped */
	CLSMEM_CHANGE_SEEN,/* a different class, sure: pending (m->cand, m->cand_polls) */
	CLSMEM_REPROFILED, /* seen CLSMEM_CONFIRM times: m->cls is now the new class */
};

/* Whether the device must be weighed again on this poll (see above); notes the uptime. A NULL
 * objectid reads as "". */
int clsmem_due(struct cls_memory *m, const char *objectid, int has_uptime, uint32_t uptime);

/* Whether the LAN watch tells something new of the device (its card's maker, the class its
 * DHCP / LLDP words give: NULL or "" unknown), which is worth weighing it again: the probe's
 * first polls come before its capture has heard every host. Notes what it told. */
int clsmem_lan_news(struct cls_memory *m, const char *vendor, const char *said);

/* Takes a new classification r of a device whose sysObjectID is objectid; afterwards m->cls is
 * the class to poll with. *was receives the class before (for the caller's messages). */
enum clsmem_step clsmem_take(struct cls_memory *m, const struct cls_result *r,
			     const char *objectid, char was[32]);

/* Puts what m holds into the sample the collector gets (wire.h cls_*): the class, how sure,
 * why, the vendor, and a change pending. step is what clsmem_take said on this poll (-1: the
 * device was not weighed again), was its *was: a confirmed change names the class before. */
void clsmem_evidence(const struct cls_memory *m, int step, const char *was, struct dev_sample *s);

#endif
