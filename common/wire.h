/*
 * The sample wire format between probe and collector: a JSON batch of timestamped device
 * samples, posted to the collector's /api/v1/ingest. The probe encodes, the collector decodes
 * and validates every field (the body is untrusted).
 */
#ifndef HBMON_WIRE_H
#define HBMON_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"
#include "wirelan.h"

#define WIRE_VERSION 1
#define WIRE_NAME_MAX 128
#define WIRE_TEXT_MAX 256
#define WIRE_MAX_SAMPLES 10000
#define WIRE_MAX_IFS 10000
#define WIRE_MAX_BATCH_IFS 50000
#define WIRE_CLASS_MAX 32   /* a device class name (devclass.h) with its NUL */
#define WIRE_VENDOR_MAX 64  /* a vendor's name as vendors.conf writes it */
/* Polls in a row a different class must be seen on before the probe re-profiles the device
 * (probe/clsmem.h): the collector says "2 of 3" with the same number. */
#define WIRE_CLASS_CONFIRM 3

/* Which optional interface fields a sample carries. */
enum if_field {
	IFF_SPEED = 1 << 0,
	IFF_ADMIN = 1 << 1,
	IFF_OPER = 1 << 2,
	IFF_IN_OCTETS = 1 << 3,
	IFF_OUT_OCTETS = 1 << 4,
	IFF_IN_ERRORS = 1 << 5,
	IFF_OUT_ERRORS = 1 << 6,
	IFF_TYPE = 1 << 7,
	IFF_HC = 1 << 8, /* octet counters are the 64-bit ifHC ones */
	IFF_IN_DISCARDS = 1 << 9,
	IFF_OUT_DISCARDS = 1 << 10,
};

struct if_sample {
	uint32_t index;
	unsigned has; /* enum if_field bits */
	char descr[WIRE_NAME_MAX];
	char name[64];
	char alias[WIRE_NAME_MAX];
	int type;
	uint64_t speed; /* bits/s */
	int admin, oper;
	uint64_t in_octets, out_octets, in_errors, out_errors, in_discards, out_discards;
};

#define WIRE_METRIC_MAX 20 /* metric and group names: [a-z][a-z0-9_]*, RRD DS names */
/* A row index is an OID suffix: at most MAX_OID_LEN (128) sub-identifiers of up to 10 digits
 * (RFC 2578 section 3.5), so up to 1407 characters; kept whole, on the heap (see group_row). */
#define WIRE_INDEX_SUBIDS 128
#define WIRE_INDEX_MAX (WIRE_INDEX_SUBIDS * 11) /* bytes with the NUL */
#define WIRE_MAX_ROWS 4096 /* group rows per sample */
#define WIRE_MAX_VALS 32   /* values per row */
#define WIRE_MAX_BATCH_ROWS 50000   /* bound the memory one batch can claim, with */
#define WIRE_MAX_BATCH_VALS 200000  /* WIRE_MAX_BATCH_IFS */

/* A value a profile polled: a level (gauge), a counter (stored as a rate) or a text. */
enum mv_kind { MV_GAUGE, MV_COUNTER, MV_TEXT };

struct metric_val {
	char name[WIRE_METRIC_MAX];
	enum mv_kind kind;
	double gauge;
	uint64_t counter;
	char text[WIRE_NAME_MAX];
};

/*
 * The named value of an enumerated metric (wire part "e", beside "v"): the label its MIB module
 * gives the number (identityStatus 3: "failed"), or of an OID-valued one the identity it names
 * (hrDeviceType 1.3.6.1.2.1.25.3.1.1: "hrDeviceOther"). "" when the metric is an enumeration
 * but its value is none of the named ones. Pages show the label's words from the catalogues.
 */
#define WIRE_LABEL_MAX 64 /* RFC 2578 section 3.1: descriptors are at most 64 characters */
struct metric_label {
	char name[WIRE_METRIC_MAX]; /* the metric's, a value of the same row */
	char label[WIRE_LABEL_MAX];
};

/* One instance of a profile's group: a scalar group (no index) or a table row. */
struct group_row {
	char group[WIRE_METRIC_MAX];
	/* the row's whole OID suffix, dotted decimal; NULL for a scalar group. Owned by the row:
	 * malloc'd, freed by dev_sample_free (rows built on the stack may point at a literal and
	 * must not be freed that way). On the heap because a batch may carry 50,000 rows and
	 * almost every index is a few bytes. Read it with wire_row_index. */
	char *index;
	char label[WIRE_NAME_MAX];
	int nostore; /* shown, not stored: rows that come and go (alerts) */
	struct metric_val *vals;
	size_t nvals;
	/* labels of its enumerated values (at most one per value): owned like index (malloc'd,
	 * freed by dev_sample_free); NULL when none */
	struct metric_label *labels;
	size_t nlabels;
};

struct dev_sample {
	char commune[WIRE_NAME_MAX];
	char device[WIRE_NAME_MAX];
	int64_t ts; /* Unix seconds when the poll finished */
	int up;     /* the agent answered */
	char error[WIRE_NAME_MAX];
	int rtt_ms; /* -1 unknown */
	char sys_descr[WIRE_TEXT_MAX];
	char sys_objectid[WIRE_NAME_MAX];
	char sys_name[WIRE_NAME_MAX];
	char model[WIRE_NAME_MAX];  /* from the MIB, else sysDescr's first words (identity.h) */
	char serial[WIRE_NAME_MAX]; /* empty: no MIB object had one */
	int has_uptime;
	uint32_t uptime_ticks; /* sysUpTime, hundredths of a second */
	struct if_sample *ifs;
	size_t nifs;
	char cls[32]; /* the profile used (inventory class or detected) */
	struct group_row *rows;
	size_t nrows;
	/* probe-side only, not on the wire: values the agent sent that made no sense */
	unsigned bad_values;
	char bad_first[WIRE_NAME_MAX];
	/* the classification, when the probe made one (no inventory class): why and how sure.
	 * On the wire as "class_*" members, all of them present only with class_auto. */
	char cls_auto[WIRE_CLASS_MAX]; /* the class it recognised ("other" too); "": none made */
	char cls_why[WIRE_TEXT_MAX];   /* reasons built from the rule files, joined by "; " */
	int cls_confidence;            /* 0..100 */
	char cls_vendor[WIRE_VENDOR_MAX]; /* the maker vendors.conf names; "" unknown */
	/* a different class seen on cls_seen_polls consecutive polls, not yet confirmed (the
	 * probe sends 1 .. WIRE_CLASS_CONFIRM - 1, the collector takes up to WIRE_CLASS_CONFIRM);
	 * cls_seen "" when none is pending */
	char cls_seen[WIRE_CLASS_MAX];
	int cls_seen_polls;
	/* on the poll that confirmed a change only: the class the device had before */
	char cls_was[WIRE_CLASS_MAX];
};

/* A part of a batch the collector could not take: dropped alone, the rest is kept. A sample's
 * classification evidence (WR_CLASS, its "class_*" members) is one part. */
enum wire_refusal_kind { WR_SAMPLE, WR_GROUP_ROW, WR_INTERFACE, WR_CLASS };

#define WIRE_MAX_REFUSALS 32 /* kept in detail per batch; the rest only counted */

struct wire_refusal {
	enum wire_refusal_kind kind;
	char where[64];               /* JSON path of the part: "samples[3]", "samples[3].groups[7]" */
	char commune[WIRE_NAME_MAX];  /* the sample's, "" when it could not be read */
	char device[WIRE_NAME_MAX];
	char reason[WIRE_TEXT_MAX];   /* relative to where: "i: expected an OID suffix ..." */
};

struct batch {
	char probe[64];
	uint64_t epoch; /* the probe's spool (0: none); (probe, epoch, seq) names a batch */
	uint64_t seq;
	struct dev_sample *samples; /* the good ones only, in body order */
	size_t nsamples;
	/* what was dropped: the first WIRE_MAX_REFUSALS in body order (NULL when none), and the
	 * counts of all; interface entries and classification evidence count as rows */
	struct wire_refusal *refused;
	size_t nrefused;
	size_t refused_samples, refused_rows;
	struct lan_report lan; /* the LAN watch's changes (wirelan.h); empty when none */
	char lan_error[160];   /* why the whole LAN part was dropped; "" when it was not */
};

struct json_object;
/* Appends o serialised as compact JSON and releases it (one reference): 0, or -1. */
int json_append_put(struct strbuf *sb, struct json_object *o);
/* A member of an object as a string ("" if missing or not one), number (0), boolean (0). */
const char *json_member_str(struct json_object *o, const char *key);
double json_member_num(struct json_object *o, const char *key);
int json_member_bool(struct json_object *o, const char *key);

/* Appends one sample as a JSON object (strings must already be clean UTF-8). */
int wire_encode_sample(struct strbuf *sb, const struct dev_sample *s);
/* Wraps already-encoded samples (comma-separated objects) into a batch document. */
/* FNV-1a 64 of a document both ends hold (the probe's assignment): a header can then say
 * whether the probe's copy is still the collector's. */
uint64_t wire_digest(const void *data, size_t len);

int wire_encode_batch(struct strbuf *out, const char *probe, uint64_t epoch, uint64_t seq,
		      const char *samples, size_t samples_len);
/* The same with the LAN watch's groups (wirelan_encode_group, comma-separated; none when
 * lan_len is 0). */
int wire_encode_batch_lan(struct strbuf *out, const char *probe, uint64_t epoch, uint64_t seq,
			  const char *samples, size_t samples_len, const char *lan, size_t lan_len);

/*
 * Decodes and validates a batch body. A bad envelope (not JSON, wrong version, no probe, seq
 * or samples array, more samples, interfaces, rows or values than a batch may hold) refuses
 * the batch: -1 with a message naming the field ("samples: too many samples in one batch") in
 * err, nothing kept. Otherwise 0: a bad sample is dropped alone, a bad group row or interface
 * entry is dropped from its sample (of two rows with one group and index the first is kept),
 * and so is bad classification evidence (a class no device class names, a confidence out of
 * 0..100: all its class_* members); each drop is counted and the first ones described in
 * out->refused.
 */
int wire_decode_batch(const char *body, size_t len, struct batch *out, char *err, size_t errsz);
void wire_batch_free(struct batch *b);
void dev_sample_free(struct dev_sample *s);
/* [a-z][a-z0-9_]*, under WIRE_METRIC_MAX bytes */
int wire_valid_metric(const char *s);
/* An enumeration label as MIB modules write them: a letter, then letters, digits, '-' or '_',
 * under WIRE_LABEL_MAX bytes ("" is not one) */
int wire_valid_label(const char *s);
/* The label of metric name in row r: NULL when it has none ("" when it is an enumeration
 * whose value is none of the named ones). */
const char *wire_row_label(const struct group_row *r, const char *name);
/* "" or an OID suffix: digits and single dots, no leading or trailing dot, at most
 * WIRE_INDEX_SUBIDS sub-identifiers, under WIRE_INDEX_MAX bytes */
int wire_valid_index(const char *s);
/* The row's index, "" for a scalar group. */
static inline const char *wire_row_index(const struct group_row *r)
{
	return r->index ? r->index : "";
}
/* Sets *dst to n sub-identifiers in dotted decimal, malloc'd (NULL when n is 0). Returns 0, or
 * -1 (out of memory, or more than WIRE_INDEX_SUBIDS) with *dst NULL. */
int wire_index_format(char **dst, const unsigned long *sub, size_t n);

#endif
