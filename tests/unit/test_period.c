#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errlist.h"
#include "i18n.h"
#include "period.h"

/* Local (UTC+7) wall-clock time as Unix seconds. */
static int64_t vn(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
			.tm_min = mi, .tm_isdst = -1};
	return (int64_t)mktime(&tm);
}

static int setup(void **state)
{
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	struct errlist errs = {0};
	*state = i18n_load("dashboards", &errs);
	errlist_free(&errs);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	i18n_free(*state);
	return 0;
}

static void check(const char *name, int64_t now, int64_t want_from, int64_t want_to)
{
	int64_t from = 0, to = 0;
	assert_int_equal(period_calendar(name, now, &from, &to), 0);
	assert_int_equal(from, want_from);
	assert_int_equal(to, want_to);
}

static void calendar_periods(void **state)
{
	(void)state;
	/* Saturday 5 December 2026, 03:30 local: still the 4th in UTC */
	int64_t now = vn(2026, 12, 5, 3, 30);
	check("day", now, vn(2026, 12, 5, 0, 0), vn(2026, 12, 6, 0, 0));
	check("yesterday", now, vn(2026, 12, 4, 0, 0), vn(2026, 12, 5, 0, 0));
	check("week", now, vn(2026, 11, 30, 0, 0), vn(2026, 12, 7, 0, 0));
	check("last-week", now, vn(2026, 11, 23, 0, 0), vn(2026, 11, 30, 0, 0));
	check("month", now, vn(2026, 12, 1, 0, 0), vn(2027, 1, 1, 0, 0));
	check("last-month", now, vn(2026, 11, 1, 0, 0), vn(2026, 12, 1, 0, 0));
	check("quarter", now, vn(2026, 10, 1, 0, 0), vn(2027, 1, 1, 0, 0));
	check("last-quarter", now, vn(2026, 7, 1, 0, 0), vn(2026, 10, 1, 0, 0));
	check("year", now, vn(2026, 1, 1, 0, 0), vn(2027, 1, 1, 0, 0));
	check("last-year", now, vn(2025, 1, 1, 0, 0), vn(2026, 1, 1, 0, 0));
	/* across a year's turn; a Sunday belongs to the week that began on Monday */
	now = vn(2027, 1, 3, 23, 59);
	check("last-month", now, vn(2026, 12, 1, 0, 0), vn(2027, 1, 1, 0, 0));
	check("last-quarter", now, vn(2026, 10, 1, 0, 0), vn(2027, 1, 1, 0, 0));
	check("week", now, vn(2026, 12, 28, 0, 0), vn(2027, 1, 4, 0, 0));
	/* February of a leap year */
	check("last-month", vn(2028, 3, 1, 0, 0), vn(2028, 2, 1, 0, 0), vn(2028, 3, 1, 0, 0));
	int64_t from, to;
	assert_int_equal(period_calendar("fortnight", now, &from, &to), -1);
	assert_int_equal(period_calendar(NULL, now, &from, &to), -1);
}

static void labels(void **state)
{
	const struct i18n *t = *state;
	char buf[128];
	period_label(buf, sizeof(buf), t, LANG_VI, vn(2026, 11, 1, 0, 0), vn(2026, 12, 1, 0, 0));
	assert_string_equal(buf, "Tháng 11/2026 (01/11–30/11/2026)");
	period_label(buf, sizeof(buf), t, LANG_VI, vn(2026, 10, 1, 0, 0), vn(2027, 1, 1, 0, 0));
	assert_string_equal(buf, "Quý 4/2026 (01/10–31/12/2026)");
	period_label(buf, sizeof(buf), t, LANG_VI, vn(2026, 1, 1, 0, 0), vn(2027, 1, 1, 0, 0));
	assert_string_equal(buf, "Năm 2026");
	period_label(buf, sizeof(buf), t, LANG_VI, vn(2026, 12, 5, 0, 0), vn(2026, 12, 6, 0, 0));
	assert_string_equal(buf, "Ngày 05/12/2026");
	period_label(buf, sizeof(buf), t, LANG_VI, vn(2026, 11, 3, 0, 0), vn(2026, 11, 16, 0, 0));
	assert_string_equal(buf, "03/11–15/11/2026");
	period_label(buf, sizeof(buf), t, LANG_VI, vn(2026, 12, 5, 8, 0), vn(2026, 12, 5, 11, 40));
	assert_string_equal(buf, "05/12/2026 08:00–11:40");
	period_label(buf, sizeof(buf), t, LANG_VI, vn(2026, 12, 4, 22, 0), vn(2026, 12, 5, 6, 0));
	assert_string_equal(buf, "04/12/2026 22:00–05/12/2026 06:00");
	period_label(buf, sizeof(buf), t, LANG_EN, vn(2026, 11, 1, 0, 0), vn(2026, 12, 1, 0, 0));
	assert_string_equal(buf, "Month 11/2026 (01/11–30/11/2026)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(calendar_periods),
	    cmocka_unit_test(labels),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
