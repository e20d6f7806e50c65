/*
 * The SNMP engine: asynchronous net-snmp sessions, one poll in flight per device, a bounded
 * window of devices in flight. A poll reads the system group (and, for a device of unknown
 * class, the objects the classification rules test; when its identity names no maker, the
 * vendor subtrees of vendors.conf in one more request), then the profile's scalars with GET, then
 * walks the profile's tables and interface columns together with GETBULK (GETNEXT for v1), and
 * hands a complete dev_sample to the caller.
 */
#ifndef HBMON_POLLER_H
#define HBMON_POLLER_H

#include <stdint.h>
#include <sys/select.h>

#include "clsmem.h"
#include "config.h"
#include "profile.h"
#include "wire.h"

/* What the engine remembers of a device between polls (owned by the caller, zeroed at start). */
struct poll_memory {
	int max_reps;           /* GETBULK size that worked; 0: the profile's */
	unsigned char engine_id[32]; /* SNMPv3 authoritative engine, once discovered */
	size_t engine_id_len;
	struct cls_memory cls; /* a device of no inventory class: the class it keeps (clsmem.h) */
};

struct poll_target {
	const char *commune;
	const char *device;
	const char *host;
	int port;
	const struct snmp_cred *cred;
	const struct profile *prof; /* NULL: classify with the rules, then use that class's */
	struct poll_memory *mem;
	int retries; /* -1: the engine's default (a device that stopped answering gets fewer) */
	size_t id;   /* the caller's, handed back with the sample */
	/* what the LAN watch heard of the host, for classifying it (classify.h cls_input); the
	 * caller's, NULL or "" unknown, left as they are while the poll runs */
	const char *lan_vendor, *lan_said;
};

struct poller_opts {
	int timeout_ms;
	int retries;
	int max_rows;   /* rows kept per table; a longer walk is stopped and reported */
	int park_ms;    /* a device silent this long stops counting against the window; 0: four
			 * times the usual response time, plus 50 ms */
	const struct profiles *profiles;
};

struct poller_stats {
	uint64_t polls, answered, timeouts, errors, bad_values, walks_stopped, requests, varbinds;
	uint64_t v3_errors;
	uint64_t class_changes; /* devices seen as another class, sure enough (clsmem.h) */
	uint64_t reprofiled;    /* of them, confirmed and polled with the new class's profile */
	uint64_t vendor_probes; /* extra requests asking vendor subtrees */
};

/* Called once per finished poll; the sample is only valid during the call. */
typedef void (*poll_done_fn)(void *ctx, const struct poll_target *t, const struct dev_sample *s);

struct poller;

/* Initialises net-snmp once per process (no MIB files, no persistent state). */
/* net-snmp's own messages dropped: call before anything of net-snmp runs (init does). */
void poller_lib_quiet(void);
void poller_lib_init(const char *appname);
void poller_lib_shutdown(const char *appname);
struct poller *poller_new(const struct poller_opts *o, poll_done_fn cb, void *ctx);
void poller_free(struct poller *p);

/* Turns an SNMPv3 credential's passwords into keys now (a deliberately slow hash): done at
 * start-up, not in the event loop at the first poll. Other versions: nothing to do. */
void poller_prepare(struct poller *p, const struct snmp_cred *c);

/* Starts polling t (its strings and memory must outlive the poll). Returns 0, or -1 with the
 * sample reported as failed through the callback. */
int poller_start(struct poller *p, const struct poll_target *t);
/* Polls exchanging with their device (the window), and all polls including parked ones. */
int poller_active(const struct poller *p);
int poller_inflight(const struct poller *p);
const struct poller_stats *poller_stats(const struct poller *p);

/* Event-loop hooks: add fds and shorten *tv to net-snmp's next timeout; then dispatch. */
void poller_fdset(struct poller *p, int *maxfd, fd_set *rfds, struct timeval *tv);
void poller_dispatch(struct poller *p, fd_set *rfds, int nready);

#endif
