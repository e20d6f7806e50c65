/* User-facing phrases built from the catalogues: reasons, statuses, local times. */
#ifndef HBMON_TEXTS_H
#define HBMON_TEXTS_H

#include <time.h>

#include "i18n.h"
#include "readiness.h"
#include "state.h"
#include "strbuf.h"

/* "one-stop office: scanner 0 of 1 up" (or its Vietnamese), unescaped UTF-8; st NULL for a
 * commune-wide target ("whole commune: portal 0 of 1 up", "... online meeting room 0 of 1
 * meeting their targets"). */
int text_reason(struct strbuf *out, const struct i18n *t, enum lang l,
		const struct site_type *st, const struct target_result *r);
const char *text_status(const struct i18n *t, enum lang l, enum dev_status s);
/* The machine name of a status: "up", "down", "unknown", "not_polled", "stale". */
const char *status_name(enum dev_status s);
/* Local time (TZ, Asia/Ho_Chi_Minh by default) as "2026-11-25 08:12"; "—" for 0. */
void text_time(char *dst, size_t dstsz, time_t t);
/* Local day and time as people write them in a table: "04/12 16:05"; "—" for 0. */
void text_day_time(char *dst, size_t dstsz, time_t t);
/* A number as people write it, one decimal at most: "96,5" (vi), "96.5" (en), "90". */
void text_number(char *dst, size_t dstsz, enum lang l, double x);
/* A share in % as people write it, one decimal at most: "96,5 %" (vi), "96.5 %" (en), "100 %";
 * short of 100 never shows as 100. "—" for NaN (no data). */
void text_percent(char *dst, size_t dstsz, enum lang l, double pct);
/* A duration in words, to the minute: "1 ngày 21 giờ 59 phút", "2 days 3 h", "5 min". */
void text_duration(char *dst, size_t dstsz, const struct i18n *t, enum lang l, long seconds);

#endif
