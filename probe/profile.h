/*
 * Device-class profiles and classification rules, read from data files (profiles/README.md):
 * what to poll on each class of device, and how to tell a device's class from its answers.
 */
#ifndef HBMON_PROFILE_H
#define HBMON_PROFILE_H

#include <stddef.h>

#include "clsvalue.h"
#include "errlist.h"

#define PROF_NAME_MAX 20 /* group and metric names become RRD data-source names (19 bytes) */
#define PROF_OID_MAX 40
#define PROF_CLASS_MAX 32
/* distinct OIDs the classification rules test: with the 4 system and 6 identity objects they
 * fit the poller's first request (32 objects) */
#define PROF_HAS_MAX 22

/* PM_HEX: an OCTET STRING whose bytes are not text (a MAC address, BITS), sent as hex digits.
 * The order of the polled types is type_names' in profile.c. */
enum pm_type {
	PM_GAUGE, PM_COUNTER, PM_ENUM, PM_TICKS, PM_STRING, PM_OID, PM_HEX, PM_PERCENT, PM_PRODUCT
};

/* The IF-MIB columns the engine knows the meaning of. */
enum if_role {
	IFR_DESCR, IFR_NAME, IFR_ALIAS, IFR_TYPE, IFR_SPEED, IFR_HIGH_SPEED, IFR_ADMIN, IFR_OPER,
	IFR_IN_OCTETS, IFR_OUT_OCTETS, IFR_HC_IN_OCTETS, IFR_HC_OUT_OCTETS, IFR_IN_ERRORS,
	IFR_OUT_ERRORS, IFR_IN_DISCARDS, IFR_OUT_DISCARDS, IFR_COUNT
};

struct prof_oid {
	unsigned long sub[PROF_OID_MAX];
	size_t len;
};

struct enum_map;

struct prof_metric {
	char name[PROF_NAME_MAX];
	char mib[64];
	struct prof_oid oid; /* column (tables) or instance (scalars); empty when derived */
	enum pm_type type;
	int a, b; /* operands of a derived metric: indexes in the group */
	char where[96]; /* file:line, for messages */
	/* its named values (enums.conf): every enum has some; an oid one may (hrDeviceType).
	 * Owned by profiles->enums; NULL none */
	const struct enum_map *en;
};

struct prof_group {
	char name[PROF_NAME_MAX];
	int table;
	struct prof_metric *m;
	size_t nm;
	int label;     /* metric naming the row, -1 none */
	int keep;      /* metric rows are filtered on, -1 none */
	char **keep_values;
	size_t nkeep;
	int max_rows;  /* 0: the probe's */
	int nostore;   /* rrd = no: sent for display, not stored */
	char where[96]; /* file:line of the section, for messages */
};

struct profile {
	char name[PROF_CLASS_MAX];
	int max_reps;
	struct prof_oid ifcol[IFR_COUNT]; /* len 0: not polled */
	const char *ifmib[IFR_COUNT];     /* MIB names, for messages */
	const char *ifwhere[IFR_COUNT];   /* file:line of each */
	const struct prof_group **groups; /* its own and its includes' (owned by profiles) */
	size_t ngroups;
};

enum rule_kind { RULE_OBJECTID, RULE_DESCR, RULE_HAS, RULE_VALUE };

struct class_rule {
	char cls[PROF_CLASS_MAX];
	enum rule_kind kind;
	char text[128];
	struct prof_oid oid; /* RULE_HAS */
	int has_slot;        /* RULE_HAS: index in profiles.has */
	char where[96];
	int weight;          /* evidence weight (classify.c); lines without one weigh 10 */
	int word;            /* RULE_DESCR written "word": whole words only, case-insensitive */
	int prefix;          /* word ending in '*': the word may go on ("TD-W*": "TD-W8960N") */
	char lc[128];        /* RULE_DESCR: text in lower case, for matching */
	struct cls_cond cond[CLS_COND_MAX]; /* RULE_VALUE: all must hold */
	int ncond;
};

struct prof_file;
struct cls_vendors;

struct profiles {
	char dir[256];
	struct prof_file *files; /* as read */
	size_t nfiles;
	struct profile *p;       /* one per file, includes resolved */
	size_t np;
	struct class_rule *rules;
	size_t nrules;
	struct prof_oid *has; /* distinct OIDs the `has` and `value` rules test (GETNEXT) */
	size_t nhas;
	struct cls_vendors *vendors; /* vendors.conf (classify.h); NULL without one */
	struct enum_maps *enums;     /* enums.conf (enums.h); NULL without one */
};

extern const char *const if_role_names[IFR_COUNT];

/* Reads every profile of dir, dir/classify.conf, dir/vendors.conf (classify.h) and
 * dir/enums.conf (enums.h); NULL only on no memory. Problems go to errs as "file:line:
 * message"; an enum metric whose MIB name has no section in enums.conf is one. */
struct profiles *profiles_load(const char *dir, struct errlist *errs);
void profiles_free(struct profiles *ps);

/* The profile of class cls, or the generic one (NULL if there is none). */
const struct profile *profiles_find(const struct profiles *ps, const char *cls);

/*
 * The first rule that holds for a device, in file order, weights and vendors.conf ignored (the
 * classification of before; the probe now weighs all evidence with classify_device() of
 * classify.h). has[i] says whether the agent had an instance under ps->has[i]. Returns the
 * matching rule, or NULL (class "generic").
 */
const struct class_rule *profiles_classify(const struct profiles *ps, const char *objectid,
					   const char *descr, const unsigned char *has);

/* Parses "1.3.6.1..." (a leading dot allowed): 0, or -1. */
int prof_oid_parse(struct prof_oid *o, const char *s);

#endif
