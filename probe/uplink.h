/*
 * The probe's uplink: posts the spool's batches to the collector over HTTPS (or HTTP to this
 * machine) with libcurl's multi interface, driven from the probe's event loop. Strictly the
 * oldest batch first, one in flight, at most max_per_s a second: RRD files take only
 * time-ordered updates, and a replay after an outage must not swamp the collector. A batch
 * leaves the spool only when the collector acknowledged it; failures are retried with
 * growing back-off. Each post tells the collector the spool's state (X-Hbmon-Spool header).
 */
#ifndef HBMON_UPLINK_H
#define HBMON_UPLINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>

#include "spool.h"

struct uplink_stats {
	uint64_t sent, failed_attempts, rejected;
};

struct uplink_opts {
	const char *url;            /* the collector's ingest URL */
	const char *name, *secret;  /* the probe's credential, sent with HTTP Basic auth (copied) */
	const char *ca_file;        /* verifies an https collector; NULL or "": the system's CAs */
	struct spool *spool;        /* where batches wait (the caller's; it outlives the uplink) */
	double max_per_s;           /* batches posted a second, at most */
};

struct uplink;

struct uplink *uplink_new(const struct uplink_opts *o);
void uplink_free(struct uplink *u);

/* The rule for collector_url: https, or http to this machine only (a secret never crosses the
 * LAN in clear). 0, or -1 with why. */
int uplink_check_url(const char *url, char *why, size_t whysz);

/* Sets e to present the probe's credential to the collector: Basic auth, the collector's
 * certificate (ca_file), and no redirect that would carry the secret elsewhere. */
void uplink_identify(void *curl_easy, const struct uplink_opts *o);

/* The digest of this probe's assignment the collector sent with its last answer
 * (X-Hbmon-Assignment, wire_digest of the CSV); 0 when it sent none. */
uint64_t uplink_assignment(const struct uplink *u);

/* Batches not yet acknowledged (in the spool, the one in flight included). */
size_t uplink_pending(const struct uplink *u);
const struct uplink_stats *uplink_stats(const struct uplink *u);

void uplink_fdset(struct uplink *u, int *maxfd, fd_set *r, fd_set *w, fd_set *e,
		  struct timeval *tv);
void uplink_dispatch(struct uplink *u);

#endif
