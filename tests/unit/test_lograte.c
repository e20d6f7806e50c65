/* The warning limiter: a flood from one source is a few lines and one summary a minute,
 * other sources keep their own lines, and the total stays bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "lograte.h"

static void counts_are_grouped(void **state)
{
	(void)state;
	char b[32];
	lograte_count(b, sizeof(b), 0);
	assert_string_equal(b, "0");
	lograte_count(b, sizeof(b), 999);
	assert_string_equal(b, "999");
	lograte_count(b, sizeof(b), 2431);
	assert_string_equal(b, "2,431");
	lograte_count(b, sizeof(b), 1234567);
	assert_string_equal(b, "1,234,567");
}

static void flood_from_one_source(void **state)
{
	(void)state;
	struct lograte lr = {.module = "test"};
	time_t t = 1000;
	unsigned logged = 0;
	for (int i = 0; i < 2500; i++)
		logged += (unsigned)lograte_allow(&lr, "batch refused", "192.0.2.7", t);
	assert_int_equal(logged, LOGRATE_BURST);
	assert_int_equal(lr.suppressed, 2500 - LOGRATE_BURST);
	/* another source still gets its lines */
	assert_int_equal(lograte_allow(&lr, "batch refused", "192.0.2.8", t + 1), 1);
	/* another kind from the same source too */
	assert_int_equal(lograte_allow(&lr, "credential refused", "192.0.2.7", t + 1), 1);
	/* a minute later the flood's count is told and the source may log again */
	assert_int_equal(lr.slot[0].quiet, 2500 - LOGRATE_BURST);
	lograte_flush(&lr, t + 60);
	assert_int_equal(lr.slot[0].since, 0);
	assert_int_equal(lograte_allow(&lr, "batch refused", "192.0.2.7", t + 61), 1);
}

static void total_lines_bounded(void **state)
{
	(void)state;
	struct lograte lr = {.module = "test"};
	char src[32];
	unsigned logged = 0;
	for (int i = 0; i < 1000; i++) { /* a thousand addresses, four warnings each */
		snprintf(src, sizeof(src), "10.0.%d.%d", i / 250, i % 250);
		for (int k = 0; k < 4; k++)
			logged += (unsigned)lograte_allow(&lr, "batch refused", src, 5000);
	}
	assert_true(logged <= LOGRATE_MAX_LINES);
	assert_int_equal(lr.suppressed, 4000 - logged);
	assert_true(lr.overflow > 0); /* past the slots: counted together */
	lograte_flush(&lr, 5060);
	assert_int_equal(lr.overflow, 0);
	assert_int_equal(lr.lines, 0);
}

static void clock_stepping_back_ends_the_minute(void **state)
{
	(void)state;
	struct lograte lr = {.module = "test"};
	for (int i = 0; i < 10; i++)
		lograte_allow(&lr, "k", "s", 9000);
	assert_int_equal(lograte_allow(&lr, "k", "s", 100), 1); /* not stuck until 9060 */
}

int main(void)
{
	log_init("test_lograte", 0, LOG_LVL_ERR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_are_grouped),
		cmocka_unit_test(flood_from_one_source),
		cmocka_unit_test(total_lines_bounded),
		cmocka_unit_test(clock_stepping_back_ends_the_minute),
	};
	return cmocka_run_group_tests_name("lograte", tests, NULL, NULL);
}
