/*
 * Calendar periods of the report, as planners count them: today, this week (from Monday),
 * this month, this quarter, this year, and the one before each, in the district's local time
 * (TZ, Asia/Ho_Chi_Minh). A period not over yet is judged up to now. Rolling windows are
 * asked for with from= and to=.
 */
#ifndef HBMON_PERIOD_H
#define HBMON_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "i18n.h"

/* "day", "yesterday", "week", "last-week", "month", "last-month", "quarter", "last-quarter",
 * "year", "last-year": [*from, *to) local midnights; -1 for any other name. */
int period_calendar(const char *name, int64_t now, int64_t *from, int64_t *to);
/*
 * [from, to) in words: "Tháng 11/2026 (01/11–30/11/2026)", "Quý 4/2026 (01/10–31/12/2026)",
 * "Năm 2026", "Ngày 05/12/2026", "01/11–15/11/2026" for any other span of whole days,
 * "05/12/2026 08:00–11:40" or "04/12/2026 22:00–05/12/2026 06:00" otherwise.
 */
void period_label(char *dst, size_t dstsz, const struct i18n *t, enum lang l, int64_t from,
		  int64_t to);

#endif
