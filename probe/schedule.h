/* When each device is next polled: a min-heap of due times, so the event loop finds the due
 * devices without scanning the whole fleet at every turn. A device being polled is not in it. */
#ifndef HBMON_SCHEDULE_H
#define HBMON_SCHEDULE_H

#include <stddef.h>

struct schedule {
	size_t *heap; /* device ids, earliest due first */
	double *due;  /* per id, while it is in the heap */
	size_t n, cap;
};

int schedule_init(struct schedule *s, size_t ids);
void schedule_free(struct schedule *s);
void schedule_push(struct schedule *s, size_t id, double due);
/* The earliest entry without removing it: 0, or -1 when empty. */
int schedule_peek(const struct schedule *s, size_t *id, double *due);
void schedule_pop(struct schedule *s);

#endif
