/*
 * HBMON-MIB (mibs/HBMON-MIB.txt) as a snapshot: every object instance the subagent serves,
 * as one array sorted in OID order, built from the readiness the judge kept at its last tick.
 * A GET is a binary search and a GETNEXT the entry after it: a request never judges, never
 * walks the inventory, and a walk reads one consistent tick until the loop builds the next.
 *
 * Rows are numbered, never indexed by name: a commune is hbmonCommuneIndex = its place in the
 * inventory + 1, with its name as a column (a string index would make every OID as long as
 * the name, in UTF-8, and a renamed commune a new row). Shares with no data are absent from
 * their row, never 0.
 */
#ifndef HBMON_MIBSNAP_H
#define HBMON_MIBSNAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "i18n.h"
#include "inventory.h"
#include "probestat.h"
#include "readiness.h"
#include "strbuf.h"

/* PLACEHOLDER enterprise number, not assigned by IANA (mibs/HBMON-MIB.txt, README) */
#define HBMON_MIB_ENTERPRISE 99999
#define HBMON_MIB_ROOT 1, 3, 6, 1, 4, 1, HBMON_MIB_ENTERPRISE
#define HBMON_MIB_ROOT_LEN 7

/* Sub-identifiers below the root: objects(1).table.entry(1).column and three indexes. */
#define MIBSNAP_MAX_SUB 8
#define MIBSNAP_NAME_MAX 255  /* SnmpAdminString */
#define MIBSNAP_TEXT_MAX 1023 /* HbmonUtf8Text */
/* Caps (bounded memory whatever the inventory): 150 communes and 4,500 devices make about
 * 30,000 instances and a few MB of text. */
#define MIBSNAP_MAX_ENTRIES (4u << 20)
#define MIBSNAP_MAX_POOL (256u << 20)

/* The subtrees of hbmonObjects (1), and the notifications' OIDs below hbmonNotifications (0). */
enum { MIB_DISTRICT = 1, MIB_COMMUNES, MIB_SITES, MIB_TARGETS, MIB_CLASSES, MIB_PROBES,
       MIB_NOTIFY_OBJECTS };
enum { MIB_COMMUNE_NAME = 2, MIB_COMMUNE_TARGETS = 6, MIB_COMMUNE_TARGETS_MET = 7,
       MIB_COMMUNE_SCORE = 5 };
enum { MIB_TRAP_SHORT = 1, MIB_TRAP_RECOVERED = 2 };

enum mibsnap_type { MS_INTEGER, MS_GAUGE, MS_STRING };

struct mibsnap_entry {
	uint32_t sub[MIBSNAP_MAX_SUB]; /* below the root */
	uint8_t nsub;
	uint8_t type;   /* enum mibsnap_type */
	uint32_t value; /* a number; a string's length */
	uint32_t off;   /* a string's offset in the pool */
};

struct mibsnap {
	struct mibsnap_entry *e;
	size_t n, cap;
	char *pool;
	size_t poolsz, poolcap;
	int overflow; /* a cap was reached or memory ran out: the snapshot is short */
	time_t at;    /* the readiness judged at */
};

/* A target's state in words (texts.h text_reason), appended to out. */
typedef void (*mibsnap_reason_fn)(void *ctx, enum lang l, const struct site_type *st,
				  const struct target_result *t, struct strbuf *out);

struct mibsnap_input {
	const char *district;
	const struct inventory *inv;
	const struct readiness *r; /* indexed like inv */
	const struct daytally *today, *month; /* NULL: their shares absent */
	/* devices by commune, class and state (promexport_count_devices); NULL: no class rows */
	const size_t *classes;
	const size_t *firing; /* alerts firing per commune; NULL: 0 */
	const struct probestat *probes; /* NULL: no probe rows */
	mibsnap_reason_fn reason;
	void *reason_ctx;
};

/* Builds s afresh from in (s zeroed, or a previous snapshot). 0, or -1 when out of memory or a
 * cap was reached (s->overflow; what fitted is kept, still in order). */
int mibsnap_build(struct mibsnap *s, const struct mibsnap_input *in);
void mibsnap_free(struct mibsnap *s);

/* The instance sub (n sub-identifiers below the root; 64-bit, as a request may carry any
 * number) names exactly; NULL when none. */
const struct mibsnap_entry *mibsnap_get(const struct mibsnap *s, const uint64_t *sub, size_t n);
/* The first instance after sub in OID order (n = 0: the first of all); NULL at the end. */
const struct mibsnap_entry *mibsnap_next(const struct mibsnap *s, const uint64_t *sub, size_t n);
/* A string entry's bytes (e->value of them, not NUL-terminated). */
const char *mibsnap_string(const struct mibsnap *s, const struct mibsnap_entry *e);

/* hbmonCommuneIndex of the inventory's commune k, and back (-1: no such row). */
uint32_t mibsnap_commune_index(size_t k);
long mibsnap_commune_of(uint32_t index, size_t ncommunes);
/* A share 0..1 as HbmonPerMille (rounded, clamped); -1 for NaN (absent). */
long mibsnap_per_mille(double share);

#endif
