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

#define WIRE_VERSION 1
#define WIRE_NAME_MAX 128
#define WIRE_TEXT_MAX 256
#define WIRE_MAX_SAMPLES 10000
#define WIRE_MAX_IFS 10000
#define WIRE_MAX_BATCH_IFS 50000

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
#define WIRE_INDEX_MAX 64
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

/* One instance of a profile's group: a scalar group (index "") or a table row. */
struct group_row {
	char group[WIRE_METRIC_MAX];
	char index[WIRE_INDEX_MAX]; /* the row's OID suffix, dotted decimal */
	char label[WIRE_NAME_MAX];
	int nostore; /* shown, not stored: rows that come and go (alerts) */
	struct metric_val *vals;
	size_t nvals;
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
};

struct batch {
	char probe[64];
	uint64_t seq;
	struct dev_sample *samples;
	size_t nsamples;
};

struct json_object;
/* Appends o serialised as compact JSON and releases it (one reference): 0, or -1. */
int json_append_put(struct strbuf *sb, struct json_object *o);
/* A member of an object as a string ("" if missing or not one), number (0), boolean (0). */
const char *json_member_str(struct json_object *o, const char *key);
double json_member_num(struct json_object *o, const char *key);
int json_member_bool(struct json_object *o, const char *key);

/* Appends rows as a JSON array, as samples carry them under "groups". */
int wire_encode_rows(struct strbuf *sb, const struct group_row *rows, size_t n);
/* Appends one sample as a JSON object (strings must already be clean UTF-8). */
int wire_encode_sample(struct strbuf *sb, const struct dev_sample *s);
/* Wraps already-encoded samples (comma-separated objects) into a batch document. */
int wire_encode_batch(struct strbuf *out, const char *probe, uint64_t seq, const char *samples,
		      size_t samples_len);

/*
 * Decodes and validates a batch body. On error returns -1 with a message naming the field
 * ("samples[2].if[0].speed: expected an unsigned integer") in err; nothing is kept.
 */
int wire_decode_batch(const char *body, size_t len, struct batch *out, char *err, size_t errsz);
void wire_batch_free(struct batch *b);
void dev_sample_free(struct dev_sample *s);
/* [a-z][a-z0-9_]*, under WIRE_METRIC_MAX bytes */
int wire_valid_metric(const char *s);

#endif
