/* Each inventory device's current state, as the latest accepted samples left it. */
#ifndef HBMON_STATE_H
#define HBMON_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "devrows.h"
#include "lannbr.h"
#include "lanplace.h"
#include "quota.h"
#include "wire.h"

/*
 * What the probe recognised a device of no inventory class as, and how it knows (wire.h
 * cls_*): kept from its latest answer, the class, confidence, vendor and reasons also in the
 * store's file (identstore.h). A change of class the probe confirmed is remembered with its
 * time until the next one; a change it is still confirming is only the latest answer's.
 */
struct dev_class_seen {
	char cls[WIRE_CLASS_MAX]; /* "": the probe made no classification (or an older probe) */
	int confidence;           /* 0..100 */
	char vendor[WIRE_VENDOR_MAX];
	char why[WIRE_TEXT_MAX];  /* the rule files' words: technical details only */
	char seen[WIRE_CLASS_MAX]; /* a different class seen, not yet confirmed ... */
	int seen_polls;            /* ... on this many polls of WIRE_CLASS_CONFIRM */
	char was[WIRE_CLASS_MAX];  /* the class before the last confirmed change; "" none */
	time_t changed;            /* when that change was confirmed (the probe's clock) */
};

struct dev_state {
	int has_sample;
	int up;            /* the latest poll was answered */
	time_t last_poll;  /* time of the latest sample, by the probe's clock */
	time_t received;   /* when the collector got it, by ours; 0 unknown */
	time_t last_seen;  /* time of the latest answered poll; 0 never */
	time_t down_since; /* first failed poll of the current outage; 0 when up */
	char error[WIRE_NAME_MAX];
	char sys_descr[WIRE_TEXT_MAX];
	char sys_name[WIRE_NAME_MAX];
	char sys_objectid[WIRE_NAME_MAX];
	char model[WIRE_NAME_MAX], serial[WIRE_NAME_MAX]; /* identity.h; serial may be empty */
	uint64_t ident_saved; /* identstore_hash of what the store holds; 0: not written this run */
	int has_uptime;
	uint32_t uptime_ticks;
	int rtt_ms;
	size_t nifs, nifs_up;
	uint32_t main_if; /* the interface graphed on the device page; 0 none */
	uint64_t written; /* bumped each time its samples reach storage: graph cache key */
	struct devrows rows; /* the latest answer's profile rows, decoded */
	struct lanplace_ports ports; /* a switch's bridge ports by name (lanplace.h) */
	struct lannbr_list nbrs;     /* its LLDP / CDP neighbours (lannbr.h) */
	char cls[32];     /* the profile the probe used */
	struct dev_class_seen auto_cls; /* the probe's classification (no inventory class) */
	struct file_set files;   /* its RRD files (the per-device quota) */
	uint64_t files_refused;  /* rows not stored: over the file quota or the new-file rate */
	size_t rows_dropped;     /* profile rows of the latest answer not kept (row quota) */
};

/* UNKNOWN: nothing heard yet; STALE: nothing heard for stale_after (its probe silent, or not
 * polling it): no data now, not down. */
enum dev_status { DEV_UNKNOWN, DEV_UP, DEV_DOWN, DEV_NOT_POLLED, DEV_STALE, DEV_STATUS_COUNT };

struct state {
	struct dev_state *dev; /* indexed like inventory->devices */
	size_t n;
	size_t max_rows; /* profile rows kept per device (0: all) */
};

int state_init(struct state *st, size_t ndevices);
void state_free(struct state *st);
/* Applies an accepted sample to device i; returns 1, or 0 when it is older than the latest.
 * A confirmed change of class (s->cls_was) it applies for the first time sets auto_cls.was
 * and .changed to the sample's. */
int state_apply(struct state *st, size_t i, const struct dev_sample *s);
/* The class the probe recognised device d as (devclass.h), else the one named by the profile
 * it polled with; -1 when neither names a class ("generic", nothing heard). */
int state_probe_class(const struct dev_state *d);
/* As the latest poll said (up, down) while it is fresher than stale_after seconds, judged by
 * when it was received (a probe's slow clock must not change it); stale after. */
enum dev_status state_status(const struct state *st, size_t i, int polled, time_t now,
			     int stale_after);

#endif
