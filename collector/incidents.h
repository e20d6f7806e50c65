/*
 * Incidents of a period: the alert transitions the event store keeps, paired into "fired at,
 * resolved at" spans, for the report page. Loop thread only (the store is).
 */
#ifndef HBMON_INCIDENTS_H
#define HBMON_INCIDENTS_H

#include <stddef.h>
#include <time.h>

#include "store.h"

#define INCIDENTS_MAX_EVENTS 5000 /* a report names at most this many transitions */

struct incident {
	char *commune, *subject;
	char *text;        /* the reason when it fired, as the event store keeps it */
	char *text_en;     /* its English; "" for events stored before there was one */
	time_t start, end; /* start 0: it began before the period; end 0: not resolved by its end */
};

struct incidents {
	struct incident *v;
	size_t n, cap;
	int truncated; /* the period held more transitions than INCIDENTS_MAX_EVENTS */
};

/* from <= ts < to. 0, or -1 (out of memory, store error) with what was read kept. */
int incidents_load(struct incidents *out, struct store *s, time_t from, time_t to);
void incidents_free(struct incidents *in);

#endif
