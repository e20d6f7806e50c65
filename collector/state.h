/* Each inventory device's current state, as the latest accepted samples left it. */
#ifndef HBMON_STATE_H
#define HBMON_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "devrows.h"
#include "lanplace.h"
#include "quota.h"
#include "wire.h"

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
	char cls[32];     /* the profile the probe used */
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
/* Applies an accepted sample to device i; returns 1, or 0 when it is older than the latest. */
int state_apply(struct state *st, size_t i, const struct dev_sample *s);
/* As the latest poll said (up, down) while it is fresher than stale_after seconds, judged by
 * when it was received (a probe's slow clock must not change it); stale after. */
enum dev_status state_status(const struct state *st, size_t i, int polled, time_t now,
			     int stale_after);

#endif
