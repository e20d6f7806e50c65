#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "worker.h"

struct job {
	struct wjob base;
	int id, ran, done, batch_size;
};

static int order[64], norder, ndone;

static void run(void *ctx, struct wjob **jobs, size_t n)
{
	int *calls = ctx;
	(*calls)++;
	for (size_t i = 0; i < n; i++) {
		struct job *j = (struct job *)(void *)jobs[i];
		j->ran = 1;
		j->batch_size = (int)n;
		order[norder++] = j->id;
	}
	usleep(20000); /* lets the next jobs pile up into one batch */
}

static void done(struct wjob *w)
{
	struct job *j = (struct job *)(void *)w;
	j->done = ++ndone;
}

static void wait_readable(int fd)
{
	fd_set r;
	FD_ZERO(&r);
	FD_SET(fd, &r);
	struct timeval tv = {5, 0};
	assert_int_equal(select(fd + 1, &r, NULL, NULL, &tv), 1);
}

/* Jobs run in order on the thread, queued ones in one batch, done() only from worker_reap. */
static void jobs_come_back_in_order(void **state)
{
	(void)state;
	int calls = 0;
	struct job jobs[10];
	memset(jobs, 0, sizeof(jobs));
	norder = ndone = 0;
	struct worker *w = worker_new("t", run, &calls, 4);
	assert_non_null(w);
	for (int i = 0; i < 10; i++) {
		jobs[i].id = i;
		jobs[i].base.done = done;
		worker_submit(w, &jobs[i].base);
	}
	assert_int_equal(worker_pending(w), 10);
	size_t reaped = 0;
	for (int tries = 0; reaped < 10 && tries < 100; tries++) {
		wait_readable(worker_fd(w));
		reaped += worker_reap(w);
	}
	assert_int_equal(reaped, 10);
	assert_int_equal(worker_pending(w), 0);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(order[i], i);
		assert_int_equal(jobs[i].done, i + 1);
		assert_true(jobs[i].batch_size <= 4);
	}
	assert_true(calls < 10); /* some were merged */
	worker_stop(w);
}

/* Stopping runs and returns what is still queued: accepted work is never dropped. */
static void stop_drains_the_queue(void **state)
{
	(void)state;
	int calls = 0;
	struct job jobs[5];
	memset(jobs, 0, sizeof(jobs));
	norder = ndone = 0;
	struct worker *w = worker_new("t", run, &calls, 1);
	assert_non_null(w);
	for (int i = 0; i < 5; i++) {
		jobs[i].id = i;
		jobs[i].base.done = done;
		worker_submit(w, &jobs[i].base);
	}
	worker_stop(w);
	for (int i = 0; i < 5; i++) {
		assert_true(jobs[i].ran);
		assert_int_equal(jobs[i].done, i + 1);
	}
	assert_int_equal(calls, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jobs_come_back_in_order),
		cmocka_unit_test(stop_drains_the_queue),
	};
	return cmocka_run_group_tests_name("worker", tests, NULL, NULL);
}
