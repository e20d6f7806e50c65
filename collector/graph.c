#include "graph.h"

#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const period_names[GP_COUNT] = {"hour", "day", "week", "month", "year"};
static const char *const period_start[GP_COUNT] = {"-1h", "-1d", "-1w", "-1month", "-1y"};

enum graph_period graph_period_parse(const char *s, enum graph_period def)
{
	for (int i = 0; s && i < GP_COUNT; i++)
		if (strcmp(s, period_names[i]) == 0)
			return (enum graph_period)i;
	return def;
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
	const char *argv[40];
	int argc = 0;
	const struct line *lines = g->def == &RRDG_SYSTEM ? system_lines : if_lines;
	size_t nlines = g->def == &RRDG_SYSTEM ? 1 : 2;

	if (escape_path(file, sizeof(file), g->file) < 0) {
		snprintf(err, errsz, "path too long");
		return -1;
	}
	snprintf(width, sizeof(width), "%d", g->width);
	snprintf(height, sizeof(height), "%d", g->height);
	argv[argc++] = "graph";
	argv[argc++] = "-";
	argv[argc++] = "--imgformat";
	argv[argc++] = "PNG";
	argv[argc++] = "--start";
	argv[argc++] = period_start[g->period];
	argv[argc++] = "--end";
	argv[argc++] = "now";
	argv[argc++] = "--width";
	argv[argc++] = width;
	argv[argc++] = "--height";
	argv[argc++] = height;
	argv[argc++] = "--title";
	argv[argc++] = g->title;
	argv[argc++] = "--vertical-label";
	argv[argc++] = g->vlabel;
	argv[argc++] = "--lower-limit";
	argv[argc++] = "0";
	argv[argc++] = "--font";
	argv[argc++] = "DEFAULT:8:DejaVu Sans";
	for (size_t i = 0; i < nlines; i++) {
		const struct line *l = &lines[i];
		snprintf(defs[i], sizeof(defs[i]), "DEF:r%zu=%s:%s:AVERAGE", i, file,
			 g->def->ds[l->ds].name);
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
