#include "hours.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static const char *const day_names[7] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static int day_index(const char *s, size_t len)
{
	for (int i = 0; i < 7; i++)
		if (len == 3 && strncmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

int hours_parse_days(const char *s, unsigned *days, char *err, size_t errsz)
{
	*days = 0;
	const char *rest = s;
	size_t n;
	while ((s = list_next(&rest, &n))) {
		const char *dash = memchr(s, '-', n);
		int a = day_index(s, dash ? (size_t)(dash - s) : n);
		int b = dash ? day_index(dash + 1, n - (size_t)(dash - s) - 1) : a;
		if (a < 0 || b < 0) {
			snprintf(err, errsz, "\"%.*s\": expected days like mon,tue or mon-fri", (int)n, s);
			return -1;
		}
		for (int d = a;; d = (d + 1) % 7) {
			*days |= 1u << d;
			if (d == b)
				break;
		}
	}
	if (!*days) {
		snprintf(err, errsz, "no working day given");
		return -1;
	}
	return 0;
}

static int parse_hm(const char *s, int *minutes)
{
	int h, m;
	char extra;
	if (sscanf(s, "%2d:%2d%c", &h, &m, &extra) != 2 || h < 0 || h > 24 || m < 0 || m > 59 ||
	    (h == 24 && m))
		return -1;
	*minutes = h * 60 + m;
	return 0;
}

int hours_parse_spans(const char *s, struct hours *h, char *err, size_t errsz)
{
	h->nspan = 0;
	const char *rest = s;
	size_t n;
	while ((s = list_next(&rest, &n))) {
		char a[8] = "", b[8] = "";
		const char *dash = memchr(s, '-', n);
		int from, to;
		if (!dash || (size_t)(dash - s) >= sizeof(a) || n - (size_t)(dash - s) - 1 >= sizeof(b) ||
		    h->nspan >= HOURS_MAX_SPANS) {
			snprintf(err, errsz, "\"%.*s\": expected spans like 07:00-11:30 (at most %d)",
				 (int)n, s, HOURS_MAX_SPANS);
			return -1;
		}
		memcpy(a, s, (size_t)(dash - s));
		memcpy(b, dash + 1, n - (size_t)(dash - s) - 1);
		if (parse_hm(a, &from) < 0 || parse_hm(b, &to) < 0 || from >= to) {
			snprintf(err, errsz, "\"%.*s\": expected HH:MM-HH:MM, the end after the start",
				 (int)n, s);
			return -1;
		}
		h->span[h->nspan].from = from;
		h->span[h->nspan].to = to;
		h->nspan++;
	}
	if (!h->nspan) {
		snprintf(err, errsz, "no working hours given");
		return -1;
	}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return x < y ? -1 : x > y;
}

int hours_load_holidays(struct hours *h, const char *path, struct errlist *errs)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		errlist_add(errs, "%s: cannot open: %m", path);
		return -1;
	}
	char line[512];
	int lineno = 0, bad = 0;
	size_t cap = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *p = line + strspn(line, " \t\r\n");
		if (!*p || *p == '#')
			continue;
		int y, m, d, len = 0;
		if (sscanf(p, "%4d-%2d-%2d%n", &y, &m, &d, &len) != 3 || len != 10 || y < 2000 ||
		    y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 ||
		    (p[10] && !strchr(" \t\r\n", p[10]))) {
			errlist_add(errs, "%s:%d: expected a date YYYY-MM-DD, then an optional name",
				    path, lineno);
			bad = 1;
			continue;
		}
		if (h->nholidays == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			int *n = realloc(h->holidays, ncap * sizeof(*n));
			if (!n) {
				fclose(f);
				return -1;
			}
			h->holidays = n;
			cap = ncap;
		}
		h->holidays[h->nholidays++] = y * 10000 + m * 100 + d;
	}
	fclose(f);
	if (h->nholidays)
		qsort(h->holidays, h->nholidays, sizeof(int), cmp_int);
	return bad ? -1 : 0;
}

void hours_free(struct hours *h)
{
	free(h->holidays);
	h->holidays = NULL;
	h->nholidays = 0;
}

/* The working span holding t, or -1; *tm gets t's local time. */
static int span_of(const struct hours *h, time_t t, struct tm *tm)
{
	localtime_r(&t, tm);
	if (!(h->days & (1u << tm->tm_wday)))
		return -1;
	int ymd = (tm->tm_year + 1900) * 10000 + (tm->tm_mon + 1) * 100 + tm->tm_mday;
	if (h->nholidays && bsearch(&ymd, h->holidays, h->nholidays, sizeof(int), cmp_int))
		return -1;
	int mins = tm->tm_hour * 60 + tm->tm_min;
	for (int i = 0; i < h->nspan; i++)
		if (mins >= h->span[i].from && mins < h->span[i].to)
			return i;
	return -1;
}

int hours_working(const struct hours *h, time_t t)
{
	struct tm tm;
	return span_of(h, t, &tm) >= 0;
}

time_t hours_span_start(const struct hours *h, time_t t)
{
	struct tm tm;
	int i = span_of(h, t, &tm);
	if (i < 0)
		return t;
	int mins = tm.tm_hour * 60 + tm.tm_min;
	return t - tm.tm_sec - (time_t)(mins - h->span[i].from) * 60;
}

int hours_override(struct hours *dst, const struct hours *base, const char *days,
		   const char *spans, char *err, size_t errsz)
{
	*dst = *base;
	if (days && *days && hours_parse_days(days, &dst->days, err, errsz) < 0)
		return -1;
	if (spans && *spans && hours_parse_spans(spans, dst, err, errsz) < 0)
		return -1;
	return 0;
}
