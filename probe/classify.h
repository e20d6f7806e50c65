/*
 * Device classification by weighing evidence: the vendor's enterprise number (vendors.conf),
 * sysObjectID subtrees, words in sysDescr and the class MIBs the agent answered (classify.conf).
 * Every matching rule adds its weight to its class; the heaviest class wins if it reaches
 * CLS_THRESHOLD, otherwise the device is "other". The result says why, in words built only
 * from the rule files (never from the device's own bytes), so it is safe to show anywhere.
 */
#ifndef HBMON_CLASSIFY_H
#define HBMON_CLASSIFY_H

#include <stddef.h>

#include "errlist.h"

struct profiles;
struct cls_vendors;

#define CLS_THRESHOLD 4   /* below this summed weight the device is "other" */
#define CLS_WHY_MAX 4     /* reasons kept, heaviest first */
#define CLS_WHY_LEN 112
#define CLS_VENDOR_MAX 48

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

/* Reads path ([vendors]: "NUMBER = Name: class weight, class weight"); NULL on no memory.
 * Problems go to errs as "file:line: message". */
struct cls_vendors *cls_vendors_load(const char *path, struct errlist *errs);
void cls_vendors_free(struct cls_vendors *v);

/* Classifies one device. has[i] (i < nhas) says whether the agent answered under
 * ps->has[i]; has may be NULL. objectid and descr may be NULL, huge or garbage. */
void classify_device(const struct profiles *ps, const char *objectid, const char *descr,
		     const unsigned char *has, size_t nhas, struct cls_result *out);

/* The reasons joined by "; " into buf (always terminated); returns buf. */
const char *classify_why(const struct cls_result *r, char *buf, size_t n);

#endif
