#include "render.h"

#include "readiness_sheet.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "log.h"

#define SERIES_LIMIT (16u << 20)

static void run_graph(struct render_job *j)
{
	struct graph_request g = {j->file,
				  j->def,
				  j->start,
				  j->end,
				  j->svg,
				  j->daemon[0] ? j->daemon : NULL,
				  j->title,
				  j->vlabel,
				  {j->legend[0], j->legend[1]},
				  j->width,
				  j->height,
				  j->ds,
				  j->spark};
	j->ok = graph_render(&g, &j->body, &j->len, j->err, sizeof(j->err)) == 0;
}

static void run_series(struct render_job *j)
{
	struct strbuf sb;
	struct series_request s = {j->file, j->daemon[0] ? j->daemon : NULL, j->cf, j->start,
				   j->end, j->resolution, j->csv};
	if (strbuf_init(&sb, SERIES_LIMIT) < 0) {
		snprintf(j->err, sizeof(j->err), "out of memory");
		return;
	}
	if (series_render(&s, &sb, j->err, sizeof(j->err)) < 0) {
		strbuf_free(&sb);
		return;
	}
	j->body = (unsigned char *)strbuf_take(&sb, &j->len);
	j->ok = j->body != NULL;
}

/* The period judged on this thread; its text made here too when the API's JSON is asked for
 * (a district's document is large: the event loop only sends it). */
static void run_history(struct render_job *j)
{
	json_object *root = NULL;
	if (history_run(j->hist, &root, j->err, sizeof(j->err)) < 0)
		return;
	if (j->sheet) { /* an XLSX is written to a file and read back: never on the loop */
		enum sheet_format f = (enum sheet_format)j->sheet_format;
		j->ok = readiness_sheet(root, j->i18n, (enum lang)j->sheet_lang, f,
					(char **)&j->body, &j->len, j->err, sizeof(j->err)) == 0 &&
			readiness_sheet_filename(j->filename, sizeof(j->filename), root, f) == 0;
		json_object_put(root);
		return;
	}
	if (!j->as_text) {
		j->tree = root;
		j->ok = 1;
		return;
	}
	j->ok = history_text(root, (char **)&j->body, &j->len, j->err, sizeof(j->err)) == 0;
	json_object_put(root);
}

void render_run(void *ctx, struct wjob **jobs, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		struct render_job *j = (struct render_job *)(void *)jobs[i];
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (j->kind == RENDER_GRAPH)
			run_graph(j);
		else if (j->kind == RENDER_SERIES)
			run_series(j);
		else
			run_history(j);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!j->ok)
			log_debug("render", "%s: %s", j->file, j->err);
		else
			log_debug("render", "%s: %zu bytes in %.2f ms", j->file, j->len,
				  (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
				      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	}
}
