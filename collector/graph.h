/* RRD graphs rendered by librrd into memory (PNG), for the device pages. */
#ifndef HBMON_GRAPH_H
#define HBMON_GRAPH_H

#include <stddef.h>

#include "rrdstore.h"

enum graph_period { GP_HOUR, GP_DAY, GP_WEEK, GP_MONTH, GP_YEAR, GP_COUNT };

struct graph_request {
	const char *file;  /* an RRD file made by rrdstore */
	const struct rrd_group_def *def;
	enum graph_period period;
	const char *title; /* UTF-8, already clean */
	const char *vlabel;
	const char *legend[2]; /* per line, localised: availability, or in / out */
	int width, height;
};

/* Renders a PNG; *png is malloc'd (caller frees). Returns 0, or -1 with err set. */
int graph_render(const struct graph_request *g, unsigned char **png, size_t *len, char *err,
		 size_t errsz);
/* Parses "hour", "day", ...; returns def when s is NULL or unknown. */
enum graph_period graph_period_parse(const char *s, enum graph_period def);

#endif
