#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hours.h"

/* Local Vietnamese time (the tests run with TZ=Asia/Ho_Chi_Minh). */
static time_t vn(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static void default_week(struct hours *h)
{
	char err[160];
	memset(h, 0, sizeof(*h));
	assert_int_equal(hours_parse_days("mon-fri", &h->days, err, sizeof(err)), 0);
	assert_int_equal(hours_parse_spans("07:00-11:30,13:30-17:00", h, err, sizeof(err)), 0);
}

static void working_hours_of_a_week(void **state)
{
	(void)state;
	struct hours h;
	default_week(&h);
	assert_true(hours_working(&h, vn(2026, 11, 23, 7, 0)));   /* Monday opening */
	assert_false(hours_working(&h, vn(2026, 11, 23, 6, 59)));
	assert_true(hours_working(&h, vn(2026, 11, 23, 11, 29)));
	assert_false(hours_working(&h, vn(2026, 11, 23, 11, 30))); /* lunch */
	assert_false(hours_working(&h, vn(2026, 11, 23, 13, 29)));
	assert_true(hours_working(&h, vn(2026, 11, 27, 16, 59)));  /* Friday */
	assert_false(hours_working(&h, vn(2026, 11, 27, 17, 0)));
	assert_false(hours_working(&h, vn(2026, 11, 28, 9, 0)));   /* Saturday */
	assert_false(hours_working(&h, vn(2026, 11, 29, 9, 0)));   /* Sunday */
	assert_int_equal(hours_span_start(&h, vn(2026, 11, 23, 14, 45)), vn(2026, 11, 23, 13, 30));
	assert_int_equal(hours_span_start(&h, vn(2026, 11, 23, 12, 0)), vn(2026, 11, 23, 12, 0));
}

static void day_lists_and_wrapping_ranges(void **state)
{
	(void)state;
	char err[160];
	unsigned d;
	assert_int_equal(hours_parse_days("mon,tue, sat", &d, err, sizeof(err)), 0);
	assert_int_equal(d, (1u << 1) | (1u << 2) | (1u << 6));
	assert_int_equal(hours_parse_days("sat-mon", &d, err, sizeof(err)), 0);
	assert_int_equal(d, (1u << 6) | (1u << 0) | (1u << 1));
	const char *bad[] = {"", "monday", "mon-", "xyz", "mon-fry", ","};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hours_parse_days(bad[i], &d, err, sizeof(err)), -1);
	struct hours h = {0};
	const char *badspans[] = {"", "7-11", "07:00", "11:00-07:00", "07:00-25:00", "07:60-08:00",
				  "07:00-08:00x",
				  "1:00-2:00,3:00-4:00,5:00-6:00,7:00-8:00,9:00-10:00,11:00-12:00,"
				  "13:00-14:00,15:00-16:00,17:00-18:00"};
	for (size_t i = 0; i < sizeof(badspans) / sizeof(badspans[0]); i++) {
		err[0] = '\0';
		assert_int_equal(hours_parse_spans(badspans[i], &h, err, sizeof(err)), -1);
		assert_true(err[0]);
	}
	assert_int_equal(hours_parse_spans("00:00-24:00", &h, err, sizeof(err)), 0);
}

static void holidays_from_a_file(void **state)
{
	(void)state;
	char path[] = "/tmp/hbmon-holidays-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "# Tết\n2027-02-05 Tết Nguyên Đán\n\n2026-12-31\n2026-13-01 bad month\n"
			    "2026-1-2\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	struct hours h;
	default_week(&h);
	struct errlist errs = {0};
	assert_int_equal(hours_load_holidays(&h, path, &errs), -1);
	assert_int_equal(errlist_count(&errs), 2);
	char want[128];
	snprintf(want, sizeof(want), "%s:5:", path);
	assert_non_null(strstr(errs.msg[0], want));
	snprintf(want, sizeof(want), "%s:6:", path);
	assert_non_null(strstr(errs.msg[1], want));
	assert_false(hours_working(&h, vn(2026, 12, 31, 9, 0))); /* a Thursday, a holiday */
	assert_true(hours_working(&h, vn(2026, 12, 30, 9, 0)));
	assert_false(hours_working(&h, vn(2027, 2, 5, 9, 0)));
	errlist_free(&errs);
	hours_free(&h);
	unlink(path);
	assert_int_equal(hours_load_holidays(&h, path, &errs), -1); /* gone */
	errlist_free(&errs);
}

int main(void)
{
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(working_hours_of_a_week),
		cmocka_unit_test(day_lists_and_wrapping_ranges),
		cmocka_unit_test(holidays_from_a_file),
	};
	return cmocka_run_group_tests_name("hours", tests, NULL, NULL);
}
