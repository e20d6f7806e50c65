#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

struct worker {
	char name[32];
	worker_run_fn run;
	void *ctx;
	size_t max_batch;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob *qhead, *qtail;       /* waiting */
	struct wjob *dhead, *dtail;       /* finished, not reaped */
	size_t pending;                   /* submitted and not reaped */
	int stopping;
	int pipefd[2];
	struct wjob **batch;
};

static void append(struct wjob **head, struct wjob **tail, struct wjob *j)
{
	j->next = NULL;
	if (*tail)
		(*tail)->next = j;
	else
		*head = j;
	*tail = j;
}

static void *thread_main(void *arg)
{
	struct worker *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->qhead && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->qhead)
			break;
		size_t n = 0;
		while (w->qhead && n < w->max_batch) {
			w->batch[n++] = w->qhead;
			w->qhead = w->qhead->next;
		}
		if (!w->qhead)
			w->qtail = NULL;
		pthread_mutex_unlock(&w->mu);
		w->run(w->ctx, w->batch, n);
		pthread_mutex_lock(&w->mu);
		for (size_t i = 0; i < n; i++)
			append(&w->dhead, &w->dtail, w->batch[i]);
		/* a full pipe already tells the loop to reap */
		ssize_t r = write(w->pipefd[1], "", 1);
		(void)r;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct worker *worker_new(const char *name, worker_run_fn run, void *ctx, size_t max_batch)
{
	struct worker *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	snprintf(w->name, sizeof(w->name), "%s", name);
	w->run = run;
	w->ctx = ctx;
	w->max_batch = max_batch ? max_batch : 1;
	w->batch = calloc(w->max_batch, sizeof(*w->batch));
	if (!w->batch || pipe2(w->pipefd, O_NONBLOCK | O_CLOEXEC) < 0) {
		free(w->batch);
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->thread, NULL, thread_main, w) != 0) {
		close(w->pipefd[0]);
		close(w->pipefd[1]);
		free(w->batch);
		free(w);
		return NULL;
	}
	return w;
}

void worker_submit(struct worker *w, struct wjob *j)
{
	pthread_mutex_lock(&w->mu);
	append(&w->qhead, &w->qtail, j);
	w->pending++;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

size_t worker_pending(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	size_t n = w->pending;
	pthread_mutex_unlock(&w->mu);
	return n;
}

int worker_fd(const struct worker *w) { return w->pipefd[0]; }

size_t worker_reap(struct worker *w)
{
	char buf[256];
	while (read(w->pipefd[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&w->mu);
	struct wjob *j = w->dhead;
	w->dhead = w->dtail = NULL;
	pthread_mutex_unlock(&w->mu);
	size_t n = 0;
	while (j) {
		struct wjob *next = j->next;
		pthread_mutex_lock(&w->mu);
		w->pending--;
		pthread_mutex_unlock(&w->mu);
		j->done(j);
		j = next;
		n++;
	}
	return n;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	worker_reap(w);
	close(w->pipefd[0]);
	close(w->pipefd[1]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->batch);
	free(w);
}
