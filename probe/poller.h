/*
 * The SNMP engine: asynchronous net-snmp sessions, one in flight per device, a bounded number
 * of devices in flight. Each poll reads the system group and walks the IF-MIB interface
 * columns with GETBULK (GETNEXT for v1), then hands a complete dev_sample to the caller.
 */
#ifndef HBMON_POLLER_H
#define HBMON_POLLER_H

#include <stdint.h>
#include <sys/select.h>

#include "config.h"
#include "wire.h"

struct poll_target {
	const char *commune;
	const char *device;
	const char *host;
	int port;
	const struct snmp_cred *cred;
	size_t id; /* the caller's, handed back with the sample */
};

struct poller_opts {
	int timeout_ms;
	int retries;
	int max_rows; /* rows kept per table; a longer walk is stopped and reported */
};

struct poller_stats {
	uint64_t polls, answered, timeouts, errors, bad_values, walks_stopped;
};

/* Called once per finished poll; the sample is only valid during the call. */
typedef void (*poll_done_fn)(void *ctx, const struct poll_target *t, const struct dev_sample *s);

struct poller;

/* Initialises net-snmp once per process (no MIB files, no persistent state). */
void poller_lib_init(const char *appname);
void poller_lib_shutdown(const char *appname);
struct poller *poller_new(const struct poller_opts *o, poll_done_fn cb, void *ctx);
void poller_free(struct poller *p);

/* Starts polling t (its strings must outlive the poll). Returns 0, or -1 with the sample
 * reported as failed through the callback. */
int poller_start(struct poller *p, const struct poll_target *t);
int poller_inflight(const struct poller *p);
const struct poller_stats *poller_stats(const struct poller *p);

/* Event-loop hooks: add fds and shorten *tv to net-snmp's next timeout; then dispatch. */
void poller_fdset(struct poller *p, int *maxfd, fd_set *rfds, struct timeval *tv);
void poller_dispatch(struct poller *p, fd_set *rfds, int nready);

#endif
