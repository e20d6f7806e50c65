/*
 * ICMP echo checks: whether a device answers, its round-trip time and the share of echoes
 * lost. They tell devices without SNMP (attendance terminals, kiosks, PCs with SNMP off) up or
 * down, and give the LAN's latency and loss for the others. One socket serves every check: a
 * raw ICMP socket (CAP_NET_RAW), else the kernel's unprivileged ping socket
 * (net.ipv4.ping_group_range). IPv4 only. Driven by the probe's event loop, never blocking.
 */
#ifndef HBMON_PING_H
#define HBMON_PING_H

#include <stddef.h>
#include <sys/select.h>

struct ping_result {
	int sent, received;
	double rtt_min_ms, rtt_avg_ms, rtt_max_ms; /* of the echoes answered */
	char error[96];                            /* why an echo could not be sent; "" otherwise */
};

/* Called once per finished check; r is only valid during the call. It may start checks, not
 * free the pinger. */
typedef void (*ping_done_fn)(void *ctx, size_t id, const struct ping_result *r);

struct pinger;

/* count echoes per check, gap_ms apart, each waited for timeout_ms. NULL with err set when no
 * ICMP socket can be opened. */
struct pinger *pinger_new(int count, int gap_ms, int timeout_ms, ping_done_fn cb, void *ctx,
			  char *err, size_t errsz);
void pinger_free(struct pinger *p);
/* Checks host (numeric IPv4); id comes back with the result. A host that is not an IPv4
 * address is reported at once, through the callback, with an error. */
void pinger_start(struct pinger *p, const char *host, size_t id);
/* Checks not finished yet. */
size_t pinger_active(const struct pinger *p);

/* Event-loop hooks: add the socket and shorten *tv to the next send or deadline; then
 * read the answers and finish what is due. */
void pinger_fdset(struct pinger *p, int *maxfd, fd_set *rfds, struct timeval *tv);
void pinger_dispatch(struct pinger *p, fd_set *rfds);

#endif
