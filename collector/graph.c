#include "graph.h"

#include <math.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const period_names[GP_COUNT] = {"hour",    "day",  "week",  "month",
						   "quarter", "year", "custom"};
static const int64_t period_secs[GP_COUNT] = {3600,       86400,       7 * 86400, 31 * 86400,
					      92 * 86400, 366 * 86400, 86400};
#define MAX_SPAN (10LL * 366 * 86400)

enum graph_period graph_period_parse(const char *s, enum graph_period def)
{
	for (int i = 0; s && i < GP_COUNT; i++)
		if (strcmp(s, period_names[i]) == 0)
			return (enum graph_period)i;
	return def;
}

const char *graph_period_name(enum graph_period p)
{
	return p >= 0 && p < GP_COUNT ? period_names[p] : "day";
}

/* Unix seconds, or local "YYYY-MM-DD" / "YYYY-MM-DDTHH:MM" (TZ is the district's); a date
 * alone means its midnight, or with end_of_day the next one (an end date is included). */
int graph_parse_time(const char *s, int64_t *t, int end_of_day)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*s && !*end && v >= 0 && v < 4102444800LL && strlen(s) > 4) {
		*t = v;
		return 0;
	}
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *rest = strptime(s, "%Y-%m-%d", &tm);
	if (!rest)
		return -1;
	int date_only = !*rest;
	if (*rest == 'T' || *rest == ' ')
		rest = strptime(rest + 1, "%H:%M", &tm);
	if (date_only && end_of_day)
		tm.tm_mday++; /* mktime carries into the month */
	if (!rest || *rest || tm.tm_year < 70 || tm.tm_year > 200)
		return -1;
	tm.tm_isdst = -1;
	time_t r = mktime(&tm);
	if (r == (time_t)-1)
		return -1;
	*t = (int64_t)r;
	return 0;
}

int graph_range(enum graph_period *p, const char *start, const char *end, int64_t now,
		int64_t *from, int64_t *to, char *err, size_t errsz)
{
	*to = now;
	if (end && *end) {
		if (graph_parse_time(end, to, 1) < 0) {
			snprintf(err, errsz, "end: expected Unix seconds or YYYY-MM-DD[THH:MM]");
			return -1;
		}
		*p = GP_CUSTOM;
	}
	*from = *to - period_secs[*p];
	if (start && *start) {
		if (graph_parse_time(start, from, 0) < 0) {
			snprintf(err, errsz, "start: expected Unix seconds or YYYY-MM-DD[THH:MM]");
			return -1;
		}
		*p = GP_CUSTOM;
	}
	if (*to <= *from || *to - *from > MAX_SPAN) {
		snprintf(err, errsz, "end must be after start, by at most 10 years");
		return -1;
	}
	return 0;
}

/* DEF: arguments are ':'-separated, so a ':' or '\' in the path is escaped with '\'. */
static int escape_path(char *dst, size_t dstsz, const char *src)
{
	size_t o = 0;
	for (; *src; src++) {
		if (o + 3 >= dstsz)
			return -1;
		if (*src == ':' || *src == '\\')
			dst[o++] = '\\';
		dst[o++] = *src;
	}
	dst[o] = '\0';
	return 0;
}

/* Lines drawn per group: which data sources, how scaled, which colour. */
struct line {
	int ds;
	const char *color;
	const char *cdef; /* RPN applied to the value */
};
static const struct line system_lines[] = {
	{DS_SYS_AVAIL, "2E7D32", "100,*"},
};
static const struct line if_lines[] = {
	{DS_IF_IN_OCTETS, "1565C0", "8,*"},
	{DS_IF_OUT_OCTETS, "EF6C00", "8,*"},
};

int graph_render(const struct graph_request *g, unsigned char **png, size_t *len, char *err,
		 size_t errsz)
{
	char file[4200], width[16], height[16], defs[4][4400], cdefs[4][96], draws[4][200];
	char start[24], end[24];
	const char *argv[40];
	int argc = 0;
	static const struct line metric_line[] = {{0, "6A1B9A", "1,*"}};
	const struct line *lines = !g->def ? metric_line
				   : g->def == &RRDG_SYSTEM ? system_lines : if_lines;
	size_t nlines = g->def == &RRDG_IF ? 2 : 1;

	if (escape_path(file, sizeof(file), g->file) < 0) {
		snprintf(err, errsz, "path too long");
		return -1;
	}
	snprintf(width, sizeof(width), "%d", g->width);
	snprintf(height, sizeof(height), "%d", g->height);
	argv[argc++] = "graph";
	argv[argc++] = "-";
	snprintf(start, sizeof(start), "%lld", (long long)g->start);
	snprintf(end, sizeof(end), "%lld", (long long)g->end);
	argv[argc++] = "--imgformat";
	argv[argc++] = g->svg ? "SVG" : "PNG";
	argv[argc++] = "--start";
	argv[argc++] = start;
	argv[argc++] = "--end";
	argv[argc++] = end;
	if (g->daemon) {
		/* rrdcached holds the newest values until flushed: librrd asks it to first */
		argv[argc++] = "--daemon";
		argv[argc++] = g->daemon;
	}
	argv[argc++] = "--width";
	argv[argc++] = width;
	argv[argc++] = "--height";
	argv[argc++] = height;
	if (g->spark)
		argv[argc++] = "--only-graph";
	argv[argc++] = "--title";
	argv[argc++] = g->title;
	argv[argc++] = "--vertical-label";
	argv[argc++] = g->vlabel;
	if (g->def) { /* a profile metric may be negative (a temperature) */
		argv[argc++] = "--lower-limit";
		argv[argc++] = "0";
	}
	argv[argc++] = "--font";
	argv[argc++] = "DEFAULT:8:DejaVu Sans";
	for (size_t i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];
		snprintf(defs[i], sizeof(defs[i]), "DEF:r%zu=%s:%s:AVERAGE", i, file,
			 g->def ? g->def->ds[l->ds].name : g->ds);
		snprintf(cdefs[i], sizeof(cdefs[i]), "CDEF:v%zu=r%zu,%s", i, i, l->cdef);
		/* a legend is text after the last ':' of the LINE argument: keep ':' out of it */
		char legend[128];
		snprintf(legend, sizeof(legend), "%s", g->legend[i] ? g->legend[i] : "");
		for (char *q = legend; *q; q++)
			if (*q == ':' || *q == '\\')
				*q = ' ';
		snprintf(draws[i], sizeof(draws[i]), "LINE1:v%zu#%s:%s", i, l->color, legend);
		argv[argc++] = defs[i];
		argv[argc++] = cdefs[i];
		argv[argc++] = draws[i];
	}
	rrd_clear_error();
	rrd_info_t *info = rrd_graph_v(argc, (char **)(void *)argv);
	if (!info) {
		snprintf(err, errsz, "rrd_graph: %s", rrd_get_error());
		return -1;
	}
	int rc = -1;
	for (rrd_info_t *p = info; p; p = p->next) {
		if (strcmp(p->key, "image") == 0 && p->type == RD_I_BLO) {
			*png = malloc(p->value.u_blo.size);
			if (*png) {
				memcpy(*png, p->value.u_blo.ptr, p->value.u_blo.size);
				*len = p->value.u_blo.size;
				rc = 0;
			}
		}
	}
	rrd_info_free(info);
	if (rc < 0)
		snprintf(err, errsz, "rrd_graph produced no image");
	return rc;
}

static void put_value(struct strbuf *out, double v, int csv)
{
	if (isnan(v) || isinf(v))
		strbuf_puts(out, csv ? "" : "null");
	else
		strbuf_printf(out, "%.10g", v);
}

int series_render(const struct series_request *s, struct strbuf *out, char *err, size_t errsz)
{
	time_t start = (time_t)s->start, end = (time_t)s->end;
	unsigned long step = s->resolution > 0 ? (unsigned long)s->resolution : 1, nds = 0;
	char **names = NULL;
	rrd_value_t *data = NULL;
	if (s->daemon && rrdc_flush_if_daemon(s->daemon, s->file) != 0) {
		snprintf(err, errsz, "rrdcached %s: %s", s->daemon, rrd_get_error());
		return -1;
	}
	rrd_clear_error();
	if (rrd_fetch_r(s->file, s->cf, &start, &end, &step, &nds, &names, &data) != 0) {
		snprintf(err, errsz, "rrd_fetch: %s", rrd_get_error());
		return -1;
	}
	size_t rows = step ? (size_t)((end - start) / (time_t)step) : 0;
	if (s->csv) {
		strbuf_puts(out, "timestamp,time");
		for (unsigned long k = 0; k < nds; k++)
			strbuf_printf(out, ",%s", names[k]);
		strbuf_puts(out, "\r\n");
	} else {
		strbuf_printf(out, "{\"cf\":\"%s\",\"start\":%lld,\"end\":%lld,\"step\":%lu,\"ds\":[",
			      s->cf, (long long)start, (long long)end, step);
		for (unsigned long k = 0; k < nds; k++)
			strbuf_printf(out, "%s\"%s\"", k ? "," : "", names[k]);
		strbuf_puts(out, "],\"rows\":[");
	}
	/* row i holds the values of the interval ending at start + (i+1)*step */
	for (size_t i = 0; i < rows && !out->overflow; i++) {
		time_t t = start + (time_t)((i + 1) * step);
		if (s->csv) {
			struct tm tm;
			char when[40];
			localtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S%z", &tm);
			strbuf_printf(out, "%lld,%s", (long long)t, when);
		} else {
			strbuf_printf(out, "%s[%lld", i ? "," : "", (long long)t);
		}
		for (unsigned long k = 0; k < nds; k++) {
			strbuf_puts(out, ",");
			put_value(out, data[i * nds + k], s->csv);
		}
		strbuf_puts(out, s->csv ? "\r\n" : "]");
	}
	if (!s->csv)
		strbuf_puts(out, "]}\n");
	for (unsigned long k = 0; k < nds; k++)
		free(names[k]);
	free(names);
	free(data);
	if (out->overflow) {
		snprintf(err, errsz, "series too long: ask for a coarser resolution");
		return -1;
	}
	return 0;
}
