/*
 * A probe's assignment: the inventory rows of the devices it polls (its name in the probe
 * column, or an empty column and it is the default probe), as inventory CSV, served to it at
 * GET /api/v1/assignment. The probe caches it, so it starts and works while the collector is
 * away, and a commune's probe needs no copy of the district's inventory. Credentials travel by
 * name only: the secrets stay in each probe's own credentials.conf.
 */
#ifndef HBMON_ASSIGN_H
#define HBMON_ASSIGN_H

#include "inventory.h"
#include "strbuf.h"

/* Appends the header and probe's rows; 0, or -1 when out was too small. */
int assignment_csv(struct strbuf *out, const struct inventory *inv, const char *probe,
		   const char *default_probe);

#endif
