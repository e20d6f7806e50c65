/*
 * Working hours of a district: week days, time spans within a day, and holidays from a file
 * (one YYYY-MM-DD a line, a name after it allowed, # comments). Judged in local time
 * (Asia/Ho_Chi_Minh unless TZ says otherwise): a PC off outside them is not a fault.
 */
#ifndef HBMON_HOURS_H
#define HBMON_HOURS_H

#include <stddef.h>
#include <time.h>

#include "errlist.h"

#define HOURS_MAX_SPANS 8

struct hours {
	unsigned days; /* bit tm_wday: 0 Sunday .. 6 Saturday */
	struct {
		int from, to; /* minutes since midnight, from < to */
	} span[HOURS_MAX_SPANS];
	int nspan;
	int *holidays; /* YYYYMMDD, sorted */
	size_t nholidays;
};

/* "mon,tue,wed,thu,fri" or "mon-fri" (sun sat too). 0, or -1 with err. */
int hours_parse_days(const char *s, unsigned *days, char *err, size_t errsz);
/* "07:00-11:30,13:30-17:00". 0, or -1 with err. */
int hours_parse_spans(const char *s, struct hours *h, char *err, size_t errsz);
/* Reads a holidays file; every bad line goes to errs as "file:line: ...". */
int hours_load_holidays(struct hours *h, const char *path, struct errlist *errs);
void hours_free(struct hours *h);
/*
 * dst: base's calendar with its own days and/or spans where given ("" keeps base's). Shares
 * base's holidays: free only base. 0, or -1 with err.
 */
int hours_override(struct hours *dst, const struct hours *base, const char *days,
		   const char *spans, char *err, size_t errsz);

/* 1 if t falls within working hours. */
int hours_working(const struct hours *h, time_t t);
/* When the working span holding t began (t itself when not working). */
time_t hours_span_start(const struct hours *h, time_t t);

#endif
