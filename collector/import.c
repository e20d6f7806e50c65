#include "import.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "clock.h"
#include "collector.h"
#include "datadir.h"
#include "log.h"
#include "worker.h"

#define MAX_QUEUED 256 /* batches parsed ahead of the writer thread (memory bound) */

struct import {
	struct collector *c;
	struct worker *writer; /* librrd writes there while the next batches are parsed */
	int storage_down;
	unsigned long long batches, refused, samples, written, late, bad;
};

/* The alerts' "now" while importing: the time of the data, not of the wall. */
static time_t import_time;
static time_t import_now(void) { return import_time; }

/* A batch stored (the writer merged it with its neighbours: one librrd call per file). */
static void on_written(struct wjob *w)
{
	struct ingest_job *j = (struct ingest_job *)(void *)w;
	struct import *im = j->owner;
	for (size_t k = 0; k < j->n; k++) {
		im->written += j->u[k].result == 1;
		im->late += j->u[k].result == 0;
		im->bad += j->u[k].result == -1;
	}
	im->storage_down |= j->storage_down;
	ingest_job_free(j);
	free(j);
}

/* Waits until the writer has at most `most` batches to go. -1: storage down. */
static int drain(struct import *im, size_t most)
{
	while (worker_pending(im->writer) > most) {
		struct pollfd p = {worker_fd(im->writer), POLLIN, 0};
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return -1;
		worker_reap(im->writer);
	}
	return im->storage_down ? -1 : 0;
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
	long n = ingest_batch(&c->ingest, where, NULL, line, len, job, err, sizeof(err));
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
	job->owner = im;
	job->base.done = on_written;
	worker_submit(im->writer, &job->base);
	if (drain(im, MAX_QUEUED) < 0)
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

static int open_for_import(struct import *im, struct collector *c)
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
	c->cfg->nwebhooks = 0; /* nor posts */
	if (!(im->writer = worker_new("import-writer", ingest_write_jobs, c->rrd, 256))) {
		fprintf(stderr, "cannot start the writer thread\n");
		return -1;
	}
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
	if (!im || open_for_import(im, c) < 0) {
		if (im && im->writer)
			worker_stop(im->writer);
		free(im);
		return 1;
	}
	im->c = c;
	int rc = 0;
	for (int i = 1; i < argc && rc == 0; i++)
		rc = import_file(im, argv[i]);
	worker_stop(im->writer); /* writes what is queued, then reaps it */
	if (im->storage_down) {
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
