#include "schedule.h"

#include <stdlib.h>

int schedule_init(struct schedule *s, size_t ids)
{
	s->n = 0;
	s->cap = ids ? ids : 1;
	s->heap = calloc(s->cap, sizeof(*s->heap));
	s->due = calloc(s->cap, sizeof(*s->due));
	return s->heap && s->due ? 0 : -1;
}

void schedule_free(struct schedule *s)
{
	free(s->heap);
	free(s->due);
	s->heap = NULL;
	s->due = NULL;
	s->n = s->cap = 0;
}

static int before(const struct schedule *s, size_t a, size_t b)
{
	double da = s->due[s->heap[a]], db = s->due[s->heap[b]];
	/* equal times: lower id first, so a fleet due together goes in inventory order */
	return da < db || (da == db && s->heap[a] < s->heap[b]);
}

static void swap(struct schedule *s, size_t a, size_t b)
{
	size_t t = s->heap[a];
	s->heap[a] = s->heap[b];
	s->heap[b] = t;
}

void schedule_push(struct schedule *s, size_t id, double due)
{
	if (s->n == s->cap || id >= s->cap)
		return; /* each id at most once: cannot happen with the probe's use */
	s->due[id] = due;
	size_t i = s->n++;
	s->heap[i] = id;
	while (i > 0 && before(s, i, (i - 1) / 2)) {
		swap(s, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

int schedule_peek(const struct schedule *s, size_t *id, double *due)
{
	if (!s->n)
		return -1;
	*id = s->heap[0];
	*due = s->due[s->heap[0]];
	return 0;
}

void schedule_pop(struct schedule *s)
{
	if (!s->n)
		return;
	s->heap[0] = s->heap[--s->n];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->n && before(s, l, m))
			m = l;
		if (r < s->n && before(s, r, m))
			m = r;
		if (m == i)
			break;
		swap(s, i, m);
		i = m;
	}
}
