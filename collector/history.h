/*
 * Readiness over a period, from the stored series rather than the current state: for each
 * target, the share of the period's working time it was met (devices of its class up, from
 * each device's availability in system.rrd; every stored row of a value target's group within
 * bounds; commune-wide targets from the same steps), and the scores and headline figures
 * built on them. Built on the event loop as a self-contained request (copies of names, paths, targets
 * and the calendar), run on the render thread: it reads many files.
 */
#ifndef HBMON_HISTORY_H
#define HBMON_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "hours.h"

struct collector;
struct history;

/* [from, to) judged up to now (time to come is not). NULL when memory runs out. */
struct history *history_new(const struct collector *c, const struct hours *h, int64_t from,
			    int64_t to, int64_t now);
void history_free(struct history *h);
/* fn(ctx, done, total) after each commune is judged (a command's progress line); NULL: none. */
typedef void (*history_progress_fn)(void *ctx, size_t done, size_t total);
void history_set_progress(struct history *h, history_progress_fn fn, void *ctx);
/* Reads the series and judges the period: its figures as a JSON tree in *out (the API's
 * document; the report page and the sheet are made from the same tree, never from its text).
 * 0, or -1 with err set. */
struct json_object;
int history_run(struct history *h, struct json_object **out, char *err, size_t errsz);
/* The tree as the API's text, a newline after it (malloc'd); 0, or -1 with err set. */
int history_text(struct json_object *root, char **json, size_t *len, char *err, size_t errsz);

#endif
