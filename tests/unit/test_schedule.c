/* The poll schedule: devices come out in due order (ties in id order), whatever order they
 * went in, and a large fleet costs no more than a heap's log n per device. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "schedule.h"

static void due_order(void **state)
{
	(void)state;
	struct schedule s;
	assert_int_equal(schedule_init(&s, 8), 0);
	size_t id;
	double due;
	assert_int_equal(schedule_peek(&s, &id, &due), -1);
	const double at[8] = {5, 1, 3, 3, 9, 0.5, 3, 7};
	for (size_t i = 0; i < 8; i++)
		schedule_push(&s, i, at[i]);
	const size_t want[8] = {5, 1, 2, 3, 6, 0, 7, 4};
	for (size_t k = 0; k < 8; k++) {
		assert_int_equal(schedule_peek(&s, &id, &due), 0);
		assert_int_equal(id, want[k]);
		assert_true(due == at[want[k]]);
		schedule_pop(&s);
	}
	assert_int_equal(schedule_peek(&s, &id, &due), -1);
	schedule_free(&s);
}

/* A fleet polled for several rounds: each device comes back one interval later. */
static void rounds(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct schedule s;
	assert_int_equal(schedule_init(&s, N), 0);
	for (size_t i = 0; i < N; i++)
		schedule_push(&s, i, 60.0 * (double)((i * 7919) % N) / N);
	double last = -1;
	for (size_t k = 0; k < 3 * N; k++) {
		size_t id;
		double due;
		assert_int_equal(schedule_peek(&s, &id, &due), 0);
		assert_true(due >= last);
		last = due;
		schedule_pop(&s);
		schedule_push(&s, id, due + 60);
	}
	assert_int_equal(s.n, N);
	schedule_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(due_order),
		cmocka_unit_test(rounds),
	};
	return cmocka_run_group_tests_name("schedule", tests, NULL, NULL);
}
