#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "alertfsm.h"

#define T0 1795000000 /* the test clock: any fixed second */
static const struct alert_timing timing = {300, 600};

/* Feeds in once a minute from t to until (excluded); the changes seen, in order. */
static int run(struct alert *al, enum alert_input in, time_t *t, time_t until,
	       enum alert_change *seen, int max)
{
	int n = 0;
	for (; *t < until; *t += 60) {
		enum alert_change ch = alert_step(al, in, *t, &timing);
		if (ch != AC_NONE && n < max)
			seen[n++] = ch;
	}
	return n;
}

static void fires_after_pending_and_resolves_after_recover(void **state)
{
	(void)state;
	struct alert al;
	memset(&al, 0, sizeof(al));
	enum alert_change seen[4];
	time_t t = T0;
	assert_int_equal(run(&al, AI_MET, &t, T0 + 3600, seen, 4), 0);
	assert_int_equal(al.st, A_OK);
	/* missed: pending at once, firing when pending has passed, once */
	assert_int_equal(alert_step(&al, AI_MISSED, t, &timing), AC_NONE);
	assert_int_equal(al.st, A_PENDING);
	assert_int_equal(al.since, t);
	time_t missed_at = t;
	t += 60;
	assert_int_equal(run(&al, AI_MISSED, &t, missed_at + 300, seen, 4), 0);
	assert_int_equal(alert_step(&al, AI_MISSED, t, &timing), AC_FIRING);
	assert_int_equal(al.since, missed_at + 300);
	t += 60;
	assert_int_equal(run(&al, AI_MISSED, &t, t + 7200, seen, 4), 0); /* no storm */
	/* met again: resolved after recover, not before; the acknowledgement goes with it */
	snprintf(al.acked_by, sizeof(al.acked_by), "%s", "Lan");
	time_t met_at = t;
	assert_int_equal(run(&al, AI_MET, &t, met_at + 600, seen, 4), 0);
	assert_int_equal(al.st, A_FIRING);
	assert_int_equal(alert_step(&al, AI_MET, t, &timing), AC_RESOLVED);
	assert_int_equal(al.st, A_OK);
	assert_string_equal(al.acked_by, "");
}

static void a_blip_never_fires(void **state)
{
	(void)state;
	struct alert al;
	memset(&al, 0, sizeof(al));
	enum alert_change seen[4];
	time_t t = T0;
	/* missed 4 minutes, met, missed 4 minutes again: pending each time, never firing */
	for (int round = 0; round < 5; round++) {
		assert_int_equal(run(&al, AI_MISSED, &t, t + 240, seen, 4), 0);
		assert_int_equal(al.st, A_PENDING);
		assert_int_equal(run(&al, AI_MET, &t, t + 60, seen, 4), 0);
		assert_int_equal(al.st, A_OK);
	}
}

static void a_short_recovery_keeps_it_firing(void **state)
{
	(void)state;
	struct alert al;
	memset(&al, 0, sizeof(al));
	enum alert_change seen[4];
	time_t t = T0;
	assert_int_equal(run(&al, AI_MISSED, &t, t + 600, seen, 4), 1);
	assert_int_equal(seen[0], AC_FIRING);
	/* met 5 minutes, missed again: the same outage, not a second alert */
	assert_int_equal(run(&al, AI_MET, &t, t + 300, seen, 4), 0);
	assert_int_equal(run(&al, AI_MISSED, &t, t + 600, seen, 4), 0);
	assert_int_equal(al.st, A_FIRING);
	assert_int_equal(al.met_since, 0);
}

static void not_judged_neither_fires_nor_resolves(void **state)
{
	(void)state;
	struct alert al;
	memset(&al, 0, sizeof(al));
	enum alert_change seen[4];
	time_t t = T0;
	/* pending at 17:00, then the office closes (or no data comes): dropped, not fired */
	assert_int_equal(run(&al, AI_MISSED, &t, t + 120, seen, 4), 0);
	assert_int_equal(run(&al, AI_NOT_JUDGED, &t, t + 14 * 3600, seen, 4), 0);
	assert_int_equal(al.st, A_OK);
	/* firing, then not judged all night: still firing in the morning, still missed: nothing
	 * new; met in the morning: resolved after recover */
	assert_int_equal(run(&al, AI_MISSED, &t, t + 600, seen, 4), 1);
	time_t fired = al.since;
	assert_int_equal(run(&al, AI_NOT_JUDGED, &t, t + 14 * 3600, seen, 4), 0);
	assert_int_equal(al.st, A_FIRING);
	assert_int_equal(al.since, fired);
	assert_int_equal(run(&al, AI_MISSED, &t, t + 600, seen, 4), 0);
	assert_int_equal(run(&al, AI_MET, &t, t + 660, seen, 4), 1);
	assert_int_equal(seen[0], AC_RESOLVED);
	assert_string_equal(alert_state_name(al.st), "ok");
	assert_string_equal(alert_state_name(A_FIRING), "firing");
	assert_string_equal(alert_state_name(A_PENDING), "pending");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fires_after_pending_and_resolves_after_recover),
	    cmocka_unit_test(a_blip_never_fires),
	    cmocka_unit_test(a_short_recovery_keeps_it_firing),
	    cmocka_unit_test(not_judged_neither_fires_nor_resolves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
