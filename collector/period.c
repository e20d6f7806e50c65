#include "period.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

enum unit { U_DAY, U_WEEK, U_MONTH, U_QUARTER, U_YEAR };

/* Local midnight of tm's day, moved by days, months and years (mktime carries). */
static int64_t local_day(struct tm tm, int days, int months, int years)
{
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_mon += months;
	tm.tm_year += years;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* The start of the unit holding now, and of the one after it. */
static void unit_bounds(enum unit u, const struct tm *now, int64_t *from, int64_t *to)
{
	struct tm tm = *now;
	switch (u) {
	case U_DAY:
		*from = local_day(tm, 0, 0, 0);
		*to = local_day(tm, 1, 0, 0);
		return;
	case U_WEEK: { /* Monday to Sunday */
		int back = (tm.tm_wday + 6) % 7;
		*from = local_day(tm, -back, 0, 0);
		*to = local_day(tm, 7 - back, 0, 0);
		return;
	}
	case U_MONTH:
		tm.tm_mday = 1;
		*from = local_day(tm, 0, 0, 0);
		*to = local_day(tm, 0, 1, 0);
		return;
	case U_QUARTER:
		tm.tm_mday = 1;
		tm.tm_mon -= tm.tm_mon % 3;
		*from = local_day(tm, 0, 0, 0);
		*to = local_day(tm, 0, 3, 0);
		return;
	case U_YEAR:
		tm.tm_mday = 1;
		tm.tm_mon = 0;
		*from = local_day(tm, 0, 0, 0);
		*to = local_day(tm, 0, 0, 1);
		return;
	}
}

int period_calendar(const char *name, int64_t now, int64_t *from, int64_t *to)
{
	static const struct {
		const char *name;
		enum unit u;
		int last;
	} names[] = {
	    {"day", U_DAY, 0},         {"yesterday", U_DAY, 1},       {"week", U_WEEK, 0},
	    {"last-week", U_WEEK, 1},  {"month", U_MONTH, 0},         {"last-month", U_MONTH, 1},
	    {"quarter", U_QUARTER, 0}, {"last-quarter", U_QUARTER, 1}, {"year", U_YEAR, 0},
	    {"last-year", U_YEAR, 1},
	};
	for (size_t k = 0; name && k < sizeof(names) / sizeof(names[0]); k++) {
		if (strcmp(name, names[k].name) != 0)
			continue;
		time_t t = (time_t)now;
		struct tm tm;
		localtime_r(&t, &tm);
		unit_bounds(names[k].u, &tm, from, to);
		if (names[k].last) { /* the unit before: the one holding the second before this */
			t = (time_t)(*from - 1);
			localtime_r(&t, &tm);
			unit_bounds(names[k].u, &tm, from, to);
		}
		return 0;
	}
	return -1;
}

static int is_midnight(const struct tm *tm)
{
	return tm->tm_hour == 0 && tm->tm_min == 0 && tm->tm_sec == 0;
}

void period_label(char *dst, size_t dstsz, const struct i18n *t, enum lang l, int64_t from,
		  int64_t to)
{
	time_t a = (time_t)from, b = (time_t)to, last = (time_t)(to - 1);
	struct tm ta, tb, tl;
	localtime_r(&a, &ta);
	localtime_r(&b, &tb);
	localtime_r(&last, &tl);
	char first[32], end[32];
	strftime(first, sizeof(first), "%d/%m", &ta);
	strftime(end, sizeof(end), "%d/%m/%Y", &tl);
	if (!is_midnight(&ta) || !is_midnight(&tb)) { /* a span of hours: the day once if one */
		int same = ta.tm_year == tb.tm_year && ta.tm_yday == tb.tm_yday;
		strftime(first, sizeof(first), "%d/%m/%Y %H:%M", &ta);
		strftime(end, sizeof(end), same ? "%H:%M" : "%d/%m/%Y %H:%M", &tb);
		snprintf(dst, dstsz, "%s–%s", first, end);
		return;
	}
	int one_day = from + 86400 >= to, from_first = ta.tm_mday == 1, to_first = tb.tm_mday == 1;
	int months = (tb.tm_year - ta.tm_year) * 12 + tb.tm_mon - ta.tm_mon;
	if (one_day)
		snprintf(dst, dstsz, "%s %s", i18n_get(t, l, "period.day"), end);
	else if (from_first && to_first && months == 1)
		snprintf(dst, dstsz, "%s %d/%d (%s–%s)", i18n_get(t, l, "period.month"),
			 ta.tm_mon + 1, ta.tm_year + 1900, first, end);
	else if (from_first && to_first && months == 3 && ta.tm_mon % 3 == 0)
		snprintf(dst, dstsz, "%s %d/%d (%s–%s)", i18n_get(t, l, "period.quarter"),
			 ta.tm_mon / 3 + 1, ta.tm_year + 1900, first, end);
	else if (from_first && to_first && months == 12 && ta.tm_mon == 0)
		snprintf(dst, dstsz, "%s %d", i18n_get(t, l, "period.year"), ta.tm_year + 1900);
	else
		snprintf(dst, dstsz, "%s–%s", first, end);
}
