/* ICMP echo checks against the loopback address: every echo answered and timed, many checks
 * of one host kept apart, a host that is not IPv4 refused at once. Needs an ICMP socket (root
 * or CAP_NET_RAW, or ping_group_range): skipped without one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ping.h"

#define NCHECKS 40

struct seen {
	int done[NCHECKS];
	struct ping_result r[NCHECKS];
	int calls;
};

static void on_done(void *ctx, size_t id, const struct ping_result *r)
{
	struct seen *s = ctx;
	assert_true(id < NCHECKS);
	s->done[id]++;
	s->r[id] = *r;
	s->calls++;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The probe's loop in small: select on the pinger until every check reported, at most 10 s. */
static void run(struct pinger *p, struct seen *s, int want)
{
	double end = now_s() + 10;
	while (s->calls < want && now_s() < end) {
		fd_set r;
		int maxfd = -1;
		struct timeval tv = {1, 0};
		FD_ZERO(&r);
		pinger_fdset(p, &maxfd, &r, &tv);
		select(maxfd + 1, &r, NULL, NULL, &tv);
		pinger_dispatch(p, &r);
	}
}

static void loopback(void **state)
{
	(void)state;
	static struct seen s;
	char err[160];
	memset(&s, 0, sizeof(s));
	struct pinger *p = pinger_new(3, 10, 1000, on_done, &s, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "skipped: %s\n", err);
		skip();
	}
	for (size_t i = 0; i < NCHECKS; i++)
		pinger_start(p, "127.0.0.1", i);
	assert_int_equal(pinger_active(p), NCHECKS);
	run(p, &s, NCHECKS);
	assert_int_equal(pinger_active(p), 0);
	for (size_t i = 0; i < NCHECKS; i++) {
		assert_int_equal(s.done[i], 1); /* each check reports once, with its own echoes */
		assert_int_equal(s.r[i].sent, 3);
		assert_int_equal(s.r[i].received, 3);
		/* an average of three equal times may round one step off either way */
		assert_true(s.r[i].rtt_min_ms >= 0 && s.r[i].rtt_min_ms <= s.r[i].rtt_avg_ms + 1e-9);
		assert_true(s.r[i].rtt_avg_ms <= s.r[i].rtt_max_ms + 1e-9);
		assert_true(s.r[i].rtt_max_ms < 1000); /* the timeout: an echo kept past it is lost */
		assert_string_equal(s.r[i].error, "");
	}
	pinger_free(p);
}

static void not_ipv4(void **state)
{
	(void)state;
	static struct seen s;
	char err[160];
	memset(&s, 0, sizeof(s));
	struct pinger *p = pinger_new(1, 0, 100, on_done, &s, err, sizeof(err));
	if (!p)
		skip();
	pinger_start(p, "fe80::1", 7);
	pinger_start(p, "<script>", 8);
	assert_int_equal(s.calls, 2); /* at once, nothing sent */
	assert_int_equal(s.r[7].sent, 0);
	assert_non_null(strstr(s.r[7].error, "IPv4"));
	assert_int_equal(pinger_active(p), 0);
	pinger_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loopback),
		cmocka_unit_test(not_ipv4),
	};
	return cmocka_run_group_tests_name("ping", tests, NULL, NULL);
}
