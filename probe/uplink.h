/*
 * The probe's uplink: posts sample batches to the collector over HTTP(S) with libcurl's multi
 * interface, driven from the probe's event loop. One batch in flight keeps them in order;
 * failed posts are retried with growing back-off; a bounded queue drops the oldest batch (and
 * counts it) when the collector stays away. (A disk spool is its own issue.)
 */
#ifndef HBMON_UPLINK_H
#define HBMON_UPLINK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>

struct uplink_stats {
	uint64_t sent, failed_attempts, rejected, dropped;
};

struct uplink;

/* url: the collector's ingest URL; max_queued: batches kept while it is unreachable. */
struct uplink *uplink_new(const char *url, size_t max_queued);
void uplink_free(struct uplink *u);

/* Queues body (ownership passes to the uplink). Returns 0, or -1 when it was dropped. */
int uplink_post(struct uplink *u, char *body, size_t len);
/* Batches queued or in flight. */
size_t uplink_pending(const struct uplink *u);
const struct uplink_stats *uplink_stats(const struct uplink *u);

void uplink_fdset(struct uplink *u, int *maxfd, fd_set *r, fd_set *w, fd_set *e,
		  struct timeval *tv);
void uplink_dispatch(struct uplink *u);

#endif
