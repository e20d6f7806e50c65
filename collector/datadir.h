/*
 * The collector's data directory, opened the same way by the daemon and by `import`: one
 * process at a time (a lock file), the RRD store, the event store, the device state and the
 * ingest that feeds them.
 */
#ifndef HBMON_DATADIR_H
#define HBMON_DATADIR_H

#include <stddef.h>

struct collector;

/* Everything or nothing: -1 with err saying what and where. Closed by the caller's cleanup. */
int datadir_open(struct collector *c, char *err, size_t errsz);
/* The event store alone, unlocked: maint and ack write it while the collector runs. */
int datadir_open_store(struct collector *c, char *err, size_t errsz);

#endif
