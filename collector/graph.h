/* RRD graphs rendered by librrd into memory (PNG or SVG), and series fetched as JSON or CSV. */
#ifndef HBMON_GRAPH_H
#define HBMON_GRAPH_H

#include <stddef.h>

#include "rrdstore.h"

#include <stdint.h>

#include "strbuf.h"

enum graph_period { GP_HOUR, GP_DAY, GP_WEEK, GP_MONTH, GP_QUARTER, GP_YEAR, GP_CUSTOM, GP_COUNT };

struct graph_request {
	const char *file;  /* an RRD file made by rrdstore */
	const struct rrd_group_def *def;
	int64_t start, end; /* Unix seconds */
	int svg;
	const char *daemon; /* rrdcached address: flushed before reading; NULL when direct */
	const char *title; /* UTF-8, already clean */
	const char *vlabel;
	const char *legend[2]; /* per line, localised: availability, or in / out */
	int width, height;
	const char *ds; /* def NULL: the one data source drawn from a profile group's file */
	int spark;      /* a sparkline: the line alone, no title, axis or legend */
};

/* Renders the image; *img is malloc'd (caller frees). Returns 0, or -1 with err set. */
int graph_render(const struct graph_request *g, unsigned char **img, size_t *len, char *err,
		 size_t errsz);

/* Parses "hour", "day", ..., "custom"; returns def when s is NULL or unknown. */
enum graph_period graph_period_parse(const char *s, enum graph_period def);
const char *graph_period_name(enum graph_period p);
/*
 * The time range of a request: a named period ending now, or start/end given as Unix
 * seconds or local "YYYY-MM-DD[THH:MM]" (either may be given with any period: it makes it
 * custom). -1 with err set when they do not parse or end is not after start.
 */
/* Unix seconds or local "YYYY-MM-DD[THH:MM]"; a bare date is its midnight, or the next one
 * with end_of_day. 0, or -1 when it does not parse. */
int graph_parse_time(const char *s, int64_t *t, int end_of_day);
int graph_range(enum graph_period *p, const char *start, const char *end, int64_t now,
		int64_t *from, int64_t *to, char *err, size_t errsz);

struct series_request {
	const char *file;
	const char *daemon;
	const char *cf; /* AVERAGE, MIN, MAX */
	int64_t start, end;
	long resolution; /* seconds per row wanted; 0 = finest the period has */
	int csv;
};

/* Fetches a series (rrd_fetch) into out as JSON or CSV (times in local time). 0, or -1. */
int series_render(const struct series_request *s, struct strbuf *out, char *err, size_t errsz);

#endif
