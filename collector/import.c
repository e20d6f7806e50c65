#include "import.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "clock.h"
#include "collector.h"
#include "datadir.h"
#include "log.h"

#define FLUSH_UPDATES 200000 /* RRD updates held before a write: one librrd call per file */
#define MAX_HELD_JOBS 4096

struct import {
	struct collector *c;
	struct wjob *held[MAX_HELD_JOBS]; /* ingested, not yet written */
	size_t nheld, held_updates;
	unsigned long long batches, refused, samples, written, late, bad;
};

/* The alerts' "now" while importing: the time of the data, not of the wall. */
static time_t import_time;
static time_t import_now(void) { return import_time; }

/* Writes what is held: each file's values in one call, in time order. -1: storage down. */
static int flush(struct import *im)
{
	int down = 0;
	if (im->nheld)
		ingest_write_jobs(im->c->rrd, im->held, im->nheld);
	for (size_t i = 0; i < im->nheld; i++) {
		struct ingest_job *j = (struct ingest_job *)(void *)im->held[i];
		for (size_t k = 0; k < j->n; k++) {
			im->written += j->u[k].result == 1;
			im->late += j->u[k].result == 0;
			im->bad += j->u[k].result == -1;
		}
		down |= j->storage_down;
		ingest_job_free(j);
		free(j);
	}
	im->nheld = im->held_updates = 0;
	return down ? -1 : 0;
}

/* One batch: ingested as if posted now, then the alerts judge it at its own time. */
static int import_line(struct import *im, const char *where, const char *line, size_t len)
{
	struct collector *c = im->c;
	struct ingest_job *job = calloc(1, sizeof(*job));
	char err[300];
	if (!job)
		return -1;
	im->batches++;
	long n = ingest_batch(&c->ingest, where, line, len, job, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "%s: %s\n", where, err);
		im->refused++;
		ingest_job_free(job);
		free(job);
		return 0;
	}
	im->samples += (unsigned long long)n;
	for (size_t i = 0; i < job->ndevs; i++) {
		struct dev_state *d = &c->state.dev[job->devs[i]];
		d->received = d->last_poll; /* heard when the sample was taken, not today */
		if (d->last_poll > import_time)
			import_time = d->last_poll;
	}
	im->held[im->nheld++] = &job->base;
	im->held_updates += job->n;
	if (im->nheld == MAX_HELD_JOBS || im->held_updates >= FLUSH_UPDATES)
		if (flush(im) < 0)
			return -1;
	if (n > 0)
		alerts_tick(c->alerts, c, import_time, 0);
	return 0;
}

/* JSON Lines: one batch a line, each at most ingest_max_body bytes like a posted one. */
static int import_file(struct import *im, const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	char *line = NULL, where[512];
	size_t cap = 0;
	ssize_t len;
	int rc = 0;
	for (long no = 1; rc == 0 && (len = getline(&line, &cap, f)) >= 0; no++) {
		snprintf(where, sizeof(where), "%s:%ld", path, no);
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (len > im->c->cfg->ingest_max_body) {
			fprintf(stderr, "%s: batch of %zd bytes, over ingest_max_body\n", where, len);
			im->refused++;
			continue;
		}
		rc = import_line(im, where, line, (size_t)len);
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		rc = -1;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

static int open_for_import(struct collector *c)
{
	char err[512];
	c->now = import_now;
	if (datadir_open(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	c->ingest.now = clock_now; /* samples from the future are refused as when posted */
	/* the past is recorded as events; mailing it now would only confuse people */
	c->cfg->smtp_url[0] = '\0';
	struct errlist errs = {0};
	c->alerts = alerts_new(c, &errs);
	if (!c->alerts)
		fprintf(stderr, "alerts: %s\n", errs.n ? errs.msg[0] : "out of memory");
	errlist_free(&errs);
	return c->alerts ? 0 : -1;
}

int import_main(struct collector *c, int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hbmon-collector [-c FILE] import FILE...   (- for stdin)\n"
				"  FILE: batches in the ingest format, one a line, oldest first\n");
		return 2;
	}
	struct import *im = calloc(1, sizeof(*im));
	if (!im || open_for_import(c) < 0) {
		free(im);
		return 1;
	}
	im->c = c;
	int rc = 0;
	for (int i = 1; i < argc && rc == 0; i++)
		rc = import_file(im, argv[i]);
	if (flush(im) < 0) {
		fprintf(stderr, "storage: some updates could not be written (see the log)\n");
		rc = -1;
	}
	unsigned long long dropped = c->ingest.st.samples_unknown_device + c->ingest.st.samples_bad_time;
	printf("imported %llu samples from %llu batches; refused: %llu batches, %llu samples "
	       "(unknown device or from the future); RRD updates: %llu written, %llu not newer "
	       "than their file, %llu refused\n",
	       im->samples, im->batches - im->refused, im->refused, dropped, im->written, im->late,
	       im->bad);
	int status = rc < 0 || im->refused || dropped ? 1 : 0;
	free(im);
	return status;
}
