/*
 * A probe's assignment: the inventory rows of the devices it polls (its name in the probe
 * column, or an empty column and it is the default probe), as inventory CSV, served to it at
 * GET /api/v1/assignment. Both daemons make it: the collector to serve it, the probe to see
 * whether what it polls is still what the collector assigns. The probe caches it, so it starts and works while the collector is
 * away, and a commune's probe needs no copy of the district's inventory. Credentials travel by
 * name only: the secrets stay in each probe's own credentials.conf.
 */
#ifndef HBMON_ASSIGN_H
#define HBMON_ASSIGN_H

#include <stdint.h>

#include "inventory.h"
#include "strbuf.h"

/* The probe that polls d: its probe column, or the default probe when that is empty. */
const char *assignment_owner(const struct inv_device *d, const char *default_probe);

/* Appends the header and probe's rows; 0, or -1 when out was too small. */
int assignment_csv(struct strbuf *out, const struct inventory *inv, const char *probe,
		   const char *default_probe);

/* wire_digest of probe's assignment_csv; 0 if it could not be made. The ingest answer carries
 * the collector's (X-Hbmon-Assignment); the probe compares it with the digest of the devices
 * it polls, so it learns of a changed inventory with its next post. */
uint64_t assignment_digest(const struct inventory *inv, const char *probe,
			   const char *default_probe);

#endif
