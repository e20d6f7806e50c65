/*
 * A device the probe re-classed (its recognised class changed: probably replaced by another
 * kind of device): an event people read on the commune page, /events and the export, in both
 * languages, with both classes in words. Event loop only (the store is).
 */
#ifndef HBMON_CLASSNOTE_H
#define HBMON_CLASSNOTE_H

#include <stddef.h>
#include <time.h>

/* An ingest_class_fn (ingest.h); ctx is the struct collector. */
void classnote_changed(void *ctx, size_t dev, const char *was, const char *now, time_t when);

#endif
