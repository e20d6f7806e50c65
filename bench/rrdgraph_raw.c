/*
 * rrdgraph_raw: the librrd floor for graphs. Renders with rrd_graph_v and the same arguments
 * collector/graph.c builds (size, period, title, vertical label, lower limit, font, one
 * DEF/CDEF/LINE1 per line), in this process, no HTTP.
 *
 *   rrdgraph_raw --spec FILE --format PNG|SVG --repeat N [--span SECONDS]
 *
 * FILE holds one graph a line, tab-separated: rrd path, kind (system|if), title, vertical
 * label, legend of line 1, legend of line 2. As the collector, --start and --end are Unix
 * seconds: now - span and now (span 86400: period=day). One untimed render of the first graph warms up
 * fonts and caches; then each graph is rendered N times, each render timed. Prints JSON.
 */
#define _GNU_SOURCE
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

#define MAX_GRAPHS 10000

struct spec {
	char *path, *kind, *title, *vlabel, *legend[2];
};

/* As graph.c: ':' and '\' in the path are escaped, a legend keeps no ':' or '\'. */
static void escape_path(char *dst, size_t dstsz, const char *src)
{
	size_t o = 0;
	for (; *src && o + 3 < dstsz; src++) {
		if (*src == ':' || *src == '\\')
			dst[o++] = '\\';
		dst[o++] = *src;
	}
	dst[o] = '\0';
}

static int render(const struct spec *g, const char *format, long span, size_t *bytes,
		  char *err, size_t errsz)
{
	char start[24], end[24];
	long long now = (long long)time(NULL);
	snprintf(start, sizeof(start), "%lld", now - span);
	snprintf(end, sizeof(end), "%lld", now);
	static const struct { const char *ds, *color, *cdef; } sys[] = {{"avail", "2E7D32", "100,*"}},
		ifl[] = {{"in_octets", "1565C0", "8,*"}, {"out_octets", "EF6C00", "8,*"}};
	int is_sys = strcmp(g->kind, "system") == 0;
	size_t nlines = is_sys ? 1 : 2;
	char file[4200], defs[2][4400], cdefs[2][96], draws[2][200];
	const char *argv[40];
	int argc = 0;
	escape_path(file, sizeof(file), g->path);
	argv[argc++] = "graph";
	argv[argc++] = "-";
	argv[argc++] = "--imgformat";
	argv[argc++] = format;
	argv[argc++] = "--start";
	argv[argc++] = start;
	argv[argc++] = "--end";
	argv[argc++] = end;
	argv[argc++] = "--width";
	argv[argc++] = "640";
	argv[argc++] = "--height";
	argv[argc++] = "160";
	argv[argc++] = "--title";
	argv[argc++] = g->title;
	argv[argc++] = "--vertical-label";
	argv[argc++] = g->vlabel;
	argv[argc++] = "--lower-limit";
	argv[argc++] = "0";
	argv[argc++] = "--font";
	argv[argc++] = "DEFAULT:8:DejaVu Sans";
	for (size_t i = 0; i < nlines; i++) {
		const char *ds = is_sys ? sys[i].ds : ifl[i].ds;
		const char *color = is_sys ? sys[i].color : ifl[i].color;
		const char *cdef = is_sys ? sys[i].cdef : ifl[i].cdef;
		char legend[128];
		snprintf(legend, sizeof(legend), "%s", g->legend[i]);
		for (char *q = legend; *q; q++)
			if (*q == ':' || *q == '\\')
				*q = ' ';
		snprintf(defs[i], sizeof(defs[i]), "DEF:r%zu=%s:%s:AVERAGE", i, file, ds);
		snprintf(cdefs[i], sizeof(cdefs[i]), "CDEF:v%zu=r%zu,%s", i, i, cdef);
		snprintf(draws[i], sizeof(draws[i]), "LINE1:v%zu#%s:%s", i, color, legend);
		argv[argc++] = defs[i];
		argv[argc++] = cdefs[i];
		argv[argc++] = draws[i];
	}
	rrd_clear_error();
	rrd_info_t *info = rrd_graph_v(argc, (char **)(void *)argv);
	if (!info) {
		snprintf(err, errsz, "%s: rrd_graph: %s", g->path, rrd_get_error());
		return -1;
	}
	int rc = -1;
	for (rrd_info_t *p = info; p; p = p->next)
		if (strcmp(p->key, "image") == 0 && p->type == RD_I_BLO) {
			/* the collector copies the image out of the info list: so do we */
			unsigned char *copy = malloc(p->value.u_blo.size);
			if (copy) {
				memcpy(copy, p->value.u_blo.ptr, p->value.u_blo.size);
				*bytes = p->value.u_blo.size;
				free(copy);
				rc = 0;
			}
		}
	rrd_info_free(info);
	if (rc < 0)
		snprintf(err, errsz, "%s: no image", g->path);
	return rc;
}

int main(int argc, char **argv)
{
	const char *specf = NULL, *format = "PNG";
	long repeat = 1, span = 86400;
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--spec")) specf = v;
		else if (!strcmp(k, "--format")) format = v;
		else if (!strcmp(k, "--repeat")) repeat = atol(v);
		else if (!strcmp(k, "--span")) span = atol(v);
		else {
			fprintf(stderr, "rrdgraph_raw: unknown option %s\n", k);
			return 2;
		}
	}
	if (!specf || repeat < 1 || repeat > 1000 || span < 1) {
		fprintf(stderr, "rrdgraph_raw: need --spec, --repeat 1..1000\n");
		return 2;
	}
	FILE *f = fopen(specf, "r");
	if (!f) {
		perror(specf);
		return 2;
	}
	static struct spec specs[MAX_GRAPHS];
	size_t n = 0;
	char line[8192];
	while (n < MAX_GRAPHS && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *fields[6] = {0};
		char *p = line;
		for (int k = 0; k < 6; k++) {
			fields[k] = p ? p : (char *)"";
			if (p) {
				p = strchr(p, '\t');
				if (p)
					*p++ = '\0';
			}
		}
		if (!fields[0][0])
			continue;
		specs[n].path = strdup(fields[0]);
		specs[n].kind = strdup(fields[1]);
		specs[n].title = strdup(fields[2]);
		specs[n].vlabel = strdup(fields[3]);
		specs[n].legend[0] = strdup(fields[4]);
		specs[n].legend[1] = strdup(fields[5]);
		n++;
	}
	fclose(f);
	if (!n) {
		fprintf(stderr, "rrdgraph_raw: no graphs in %s\n", specf);
		return 2;
	}
	char err[600] = "", first_err[600] = "";
	size_t bytes = 0, total_bytes = 0, nt = 0;
	unsigned long errors = 0;
	double *t = malloc(sizeof(double) * n * (size_t)repeat);
	if (!t)
		return 2;
	render(&specs[0], format, span, &bytes, err, sizeof(err)); /* warm-up, untimed */
	for (size_t i = 0; i < n; i++)
		for (long r = 0; r < repeat; r++) {
			double a = now_s();
			int rc = render(&specs[i], format, span, &bytes, err, sizeof(err));
			double b = now_s();
			if (rc < 0) {
				errors++;
				if (!first_err[0])
					snprintf(first_err, sizeof(first_err), "%s", err);
				continue;
			}
			t[nt++] = b - a;
			total_bytes += bytes;
		}
	double sum = 0;
	for (size_t i = 0; i < nt; i++)
		sum += t[i];
	qsort(t, nt, sizeof(double), cmp_d);
	printf("{\"ok\":%s,\"format\":\"%s\",\"graphs\":%zu,\"renders\":%zu,\"errors\":%lu,"
	       "\"median_ms\":%.3f,\"mean_ms\":%.3f,\"p95_ms\":%.3f,\"min_ms\":%.3f,"
	       "\"mean_bytes\":%.0f,\"first_error\":\"",
	       errors ? "false" : "true", format, n, nt, errors, nt ? t[nt / 2] * 1000 : 0.0,
	       nt ? sum / (double)nt * 1000 : 0.0,
	       nt ? t[(size_t)((double)(nt - 1) * 0.95)] * 1000 : 0.0, nt ? t[0] * 1000 : 0.0,
	       nt ? (double)total_bytes / (double)nt : 0.0);
	json_escape(stdout, first_err);
	printf("\"}\n");
	free(t);
	return 0;
}
