/*
 * A background thread that runs the jobs the event loop hands it and hands them back: disk
 * writes and graph rendering leave the loop, the loop stays the only one that touches
 * connections and state. The thread takes every queued job at once (up to max_batch), so a
 * writer can merge the updates of several batches into one write per file.
 */
#ifndef HBMON_WORKER_H
#define HBMON_WORKER_H

#include <stddef.h>

/* Embedded first in the caller's job struct. */
struct wjob {
	struct wjob *next;
	void (*done)(struct wjob *j); /* called on the loop thread, from worker_reap */
};

/* Runs on the worker thread with n >= 1 jobs, in submission order. */
typedef void (*worker_run_fn)(void *ctx, struct wjob **jobs, size_t n);

struct worker;

struct worker *worker_new(const char *name, worker_run_fn run, void *ctx, size_t max_batch);
/* Queues a job; never blocks. Callers bound the queue with worker_pending. */
void worker_submit(struct worker *w, struct wjob *j);
/* Jobs submitted and not yet reaped. */
size_t worker_pending(struct worker *w);
/* Readable when finished jobs wait for worker_reap. */
int worker_fd(const struct worker *w);
/* Calls done() of every finished job; returns how many. */
size_t worker_reap(struct worker *w);
/* Runs what is still queued, stops the thread, reaps, frees. */
void worker_stop(struct worker *w);

#endif
