#include "ping.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/icmp.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 8192 /* echoes in flight at most; a power of two, so seq % SLOTS survives wraps */
#define MAX_COUNT 10
#define MAX_RUNNING (SLOTS / MAX_COUNT) /* more checks wait their turn */
#define READS_PER_DISPATCH 4096
#define STARTS_PER_DISPATCH 64 /* checks begun in one go: their answers must fit the buffer */
#define SOCKBUF (2 << 20)

enum cstate { C_FREE, C_WAITING, C_RUNNING };

struct check {
	enum cstate st;
	struct in_addr addr;
	size_t id;
	int sent, received;
	uint16_t seqs[MAX_COUNT];
	double next_send, deadline;
	double give_up; /* sends kept failing for lack of buffer: finish anyway */
	double sum, min, max;
	char error[96];
};

/* An echo in flight, found again by its sequence number. */
struct slot {
	uint16_t seq;
	size_t check; /* index + 1; 0: free */
	double sent_at;
};

struct pinger {
	int fd, raw;
	uint16_t ident, seq;
	int count;
	double gap, timeout;
	ping_done_fn cb;
	void *ctx;
	struct check *checks;
	size_t ncheck, nrunning, nactive;
	struct slot slots[SLOTS];
};

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct pinger *pinger_new(int count, int gap_ms, int timeout_ms, ping_done_fn cb, void *ctx,
			  char *err, size_t errsz)
{
	struct pinger *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	p->raw = 1;
	p->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (p->fd < 0) {
		int raw_errno = errno;
		/* no CAP_NET_RAW: the kernel's ping socket, if this group may use it */
		p->raw = 0;
		p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (p->fd < 0) {
			snprintf(err, errsz, "no ICMP socket (raw: %s; ping: %s): needs CAP_NET_RAW "
				 "or net.ipv4.ping_group_range", strerror(raw_errno), strerror(errno));
			free(p);
			return NULL;
		}
	}
	/* a burst of answers must not overflow the socket (false loss); a raw socket hears every
	 * ICMP message of the host, so it is told to keep echo replies only */
	int sz = SOCKBUF;
	setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(p->fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (p->raw) {
		struct icmp_filter flt = {~(1u << ICMP_ECHOREPLY)};
		setsockopt(p->fd, SOL_RAW, ICMP_FILTER, &flt, sizeof(flt));
	}
	p->count = count < 1 ? 1 : count > MAX_COUNT ? MAX_COUNT : count;
	p->gap = (gap_ms < 0 ? 0 : gap_ms) / 1000.0;
	p->timeout = (timeout_ms < 1 ? 1 : timeout_ms) / 1000.0;
	p->ident = (uint16_t)(getpid() ^ (uintptr_t)p);
	p->cb = cb;
	p->ctx = ctx;
	return p;
}

void pinger_free(struct pinger *p)
{
	if (!p)
		return;
	close(p->fd);
	free(p->checks);
	free(p);
}

size_t pinger_active(const struct pinger *p) { return p->nactive; }

static void report(struct pinger *p, size_t id, const struct ping_result *r)
{
	p->cb(p->ctx, id, r);
}

void pinger_start(struct pinger *p, const char *host, size_t id)
{
	struct in_addr a;
	struct ping_result r = {0};
	if (inet_pton(AF_INET, host, &a) != 1) {
		snprintf(r.error, sizeof(r.error), "ICMP checks need an IPv4 address, not \"%.40s\"",
			 host);
		report(p, id, &r);
		return;
	}
	size_t k = 0;
	while (k < p->ncheck && p->checks[k].st != C_FREE)
		k++;
	if (k == p->ncheck) {
		size_t n = p->ncheck ? 2 * p->ncheck : 64;
		struct check *c = realloc(p->checks, n * sizeof(*c));
		if (!c) {
			snprintf(r.error, sizeof(r.error), "out of memory");
			report(p, id, &r);
			return;
		}
		memset(c + p->ncheck, 0, (n - p->ncheck) * sizeof(*c));
		p->checks = c;
		p->ncheck = n;
	}
	struct check *c = &p->checks[k];
	memset(c, 0, sizeof(*c));
	c->st = C_WAITING;
	c->addr = a;
	c->id = id;
	p->nactive++;
}

static uint16_t checksum(const unsigned char *b, size_t n)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void send_echo(struct pinger *p, size_t k, double now)
{
	struct check *c = &p->checks[k];
	unsigned char pkt[8 + 16] = {ICMP_ECHO, 0};
	/* a slot whose echo is still out is not reused (fewer than SLOTS are ever out) */
	for (int guard = 0; guard < SLOTS && p->slots[p->seq % SLOTS].check; guard++)
		p->seq++;
	uint16_t seq = p->seq++;
	pkt[4] = (unsigned char)(p->ident >> 8);
	pkt[5] = (unsigned char)p->ident;
	pkt[6] = (unsigned char)(seq >> 8);
	pkt[7] = (unsigned char)seq;
	memcpy(pkt + 8, "hbmon-probe echo", 16);
	uint16_t sum = checksum(pkt, sizeof(pkt));
	pkt[2] = (unsigned char)(sum >> 8);
	pkt[3] = (unsigned char)sum;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = c->addr};
	if (sendto(p->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		if (errno == EAGAIN || errno == ENOBUFS) { /* ours, not the host's: again soon */
			c->next_send = now + 0.01;
			return;
		}
		/* an unreachable network: this echo is lost, and said why */
		c->seqs[c->sent++] = seq;
		c->next_send = now + p->gap;
		c->deadline = now + p->timeout;
		snprintf(c->error, sizeof(c->error), "ICMP echo: %s", strerror(errno));
		return;
	}
	c->seqs[c->sent++] = seq;
	c->next_send = now + p->gap;
	c->deadline = now + p->timeout;
	struct slot *s = &p->slots[seq % SLOTS];
	s->seq = seq;
	s->check = k + 1;
	s->sent_at = now;
}

static void take_reply(struct pinger *p, const unsigned char *buf, size_t len,
		       const struct sockaddr_in *from, double now)
{
	if (p->raw) { /* a raw socket gives the IP header too, and every ICMP message */
		size_t ihl = len ? (size_t)(buf[0] & 0x0f) * 4 : 0;
		if (ihl < 20 || len < ihl + 8)
			return;
		buf += ihl;
		len -= ihl;
	}
	if (len < 8 || buf[0] != ICMP_ECHOREPLY || buf[1] != 0)
		return;
	uint16_t id = (uint16_t)(buf[4] << 8 | buf[5]), seq = (uint16_t)(buf[6] << 8 | buf[7]);
	if (p->raw && id != p->ident) /* another program's ping (the kernel sorts ping sockets) */
		return;
	struct slot *s = &p->slots[seq % SLOTS];
	if (!s->check || s->seq != seq)
		return; /* late, duplicated, or never ours */
	struct check *c = &p->checks[s->check - 1];
	if (c->st != C_RUNNING || c->addr.s_addr != from->sin_addr.s_addr)
		return;
	double ms = (now - s->sent_at) * 1000.0;
	s->check = 0;
	c->sum += ms;
	c->min = c->received == 0 || ms < c->min ? ms : c->min;
	c->max = c->received == 0 || ms > c->max ? ms : c->max;
	c->received++;
}

static void finish(struct pinger *p, size_t k)
{
	struct check *c = &p->checks[k];
	struct ping_result r = {.sent = c->sent, .received = c->received};
	size_t id = c->id;
	if (c->received) {
		r.rtt_min_ms = c->min;
		r.rtt_max_ms = c->max;
		r.rtt_avg_ms = c->sum / c->received;
	}
	snprintf(r.error, sizeof(r.error), "%s", c->error);
	for (int i = 0; i < c->sent; i++) /* answers still to come are no longer this check's */
		if (p->slots[c->seqs[i] % SLOTS].check == k + 1)
			p->slots[c->seqs[i] % SLOTS].check = 0;
	c->st = C_FREE;
	p->nrunning--;
	p->nactive--;
	report(p, id, &r); /* may start checks, moving p->checks */
}

/* The moment something is due: a send, a deadline; or a waiting check that may start. */
static double next_due(const struct pinger *p)
{
	double due = 0;
	int any = 0;
	for (size_t k = 0; k < p->ncheck; k++) {
		const struct check *c = &p->checks[k];
		double t;
		if (c->st == C_WAITING && p->nrunning < MAX_RUNNING)
			return 0; /* (some may wait for the next round of starts: soon enough) */
		if (c->st != C_RUNNING)
			continue;
		t = c->sent < p->count ? c->next_send : c->deadline;
		if (!any || t < due)
			due = t;
		any = 1;
	}
	return any ? due : -1;
}

void pinger_fdset(struct pinger *p, int *maxfd, fd_set *rfds, struct timeval *tv)
{
	if (!p->nactive)
		return;
	FD_SET(p->fd, rfds);
	if (p->fd > *maxfd)
		*maxfd = p->fd;
	double due = next_due(p);
	if (due < 0)
		return;
	double wait = due - mono() + 1e-6; /* rounded up: waking just before is a wasted turn */
	if (wait < 0)
		wait = 0;
	if (wait < (double)tv->tv_sec + (double)tv->tv_usec / 1e6) {
		tv->tv_sec = (time_t)wait;
		tv->tv_usec = (suseconds_t)((wait - (double)tv->tv_sec) * 1e6);
	}
}

void pinger_dispatch(struct pinger *p, fd_set *rfds)
{
	if (!p->nactive)
		return;
	if (FD_ISSET(p->fd, rfds))
		for (int i = 0; i < READS_PER_DISPATCH; i++) {
			unsigned char buf[1500];
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(p->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			if (n < 0)
				break; /* EAGAIN: all read */
			take_reply(p, buf, (size_t)n, &from, mono());
		}
	double now = mono();
	int starts = 0;
	for (size_t k = 0; k < p->ncheck; k++) {
		struct check *c = &p->checks[k];
		if (c->st == C_WAITING && p->nrunning < MAX_RUNNING && starts < STARTS_PER_DISPATCH) {
			starts++;
			c->st = C_RUNNING;
			c->give_up = now + p->count * p->gap + p->timeout + 5;
			p->nrunning++;
			send_echo(p, k, now);
		} else if (c->st == C_RUNNING && c->sent < p->count && now >= c->next_send) {
			send_echo(p, k, now);
		}
		c = &p->checks[k];
		if (c->st == C_RUNNING && ((c->sent == p->count &&
					    (c->received == c->sent || now >= c->deadline)) ||
					   now >= c->give_up)) {
			if (c->sent < p->count && !c->error[0])
				snprintf(c->error, sizeof(c->error), "ICMP echo: no room to send");
			finish(p, k);
		}
	}
}
