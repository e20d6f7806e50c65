/*
 * Reading jobs for the render thread: a graph (rrd_graph) or a series (rrd_fetch), with
 * every input copied in, so the thread shares nothing with the event loop while it works.
 */
#ifndef HBMON_RENDER_H
#define HBMON_RENDER_H

#include <stddef.h>

#include "wire.h"
#include <stdint.h>

#include "graph.h"
#include "history.h"
#include "worker.h"

struct json_object;

enum render_kind { RENDER_GRAPH, RENDER_SERIES, RENDER_HISTORY };

struct render_job {
	struct wjob base;
	enum render_kind kind;
	char file[4096];
	char daemon[256]; /* rrdcached address, "" when writing directly */
	int64_t start, end;
	/* graph */
	const struct rrd_group_def *def; /* NULL: a profile group's file, data source ds */
	char ds[WIRE_METRIC_MAX];
	int svg, width, height, spark;
	char title[400], vlabel[32], legend[2][128];
	/* series */
	char cf[8];
	long resolution;
	int csv;
	/* readiness over a period (owned: freed with the job); as the API's text when as_text,
	 * else as the tree (for a page or a sheet) */
	struct history *hist;
	int as_text;
	struct json_object *tree;
	/* or as a planners' sheet (readiness_sheet: CSV, XLSX) when sheet; the catalogue is the
	 * collector's, never freed while it runs */
	int sheet, sheet_format, sheet_lang;
	const struct i18n *i18n;
	char filename[160];
	/* result */
	int ok;
	unsigned char *body;
	size_t len;
	char err[256];
	/* the caller's */
	void *owner;
};

/* worker_run_fn of the render thread (ctx unused). */
void render_run(void *ctx, struct wjob **jobs, size_t n);

#endif
