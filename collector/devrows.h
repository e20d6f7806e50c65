/*
 * A device's latest profile rows (toner, disks, battery …), decoded once when its sample is
 * applied and kept in one block: the readiness tick, the device page and the API read them
 * as they are, nothing is encoded to text and parsed back.
 */
#ifndef HBMON_DEVROWS_H
#define HBMON_DEVROWS_H

#include <stddef.h>

#include "wire.h"

struct devrow_val {
	const char *name;
	const char *text;  /* MV_TEXT: the device's text; NULL for a number */
	const char *label; /* an enumeration's MIB label ("" none it names); NULL: not one */
	double num;        /* MV_GAUGE, MV_COUNTER */
	enum mv_kind kind;
};

struct devrow {
	const char *group;
	const char *index; /* "" for a scalar group */
	const char *label; /* the row's name ("C:\", "Magenta Cartridge"); "" none */
	int nostore;       /* shown, not stored: no graph */
	const struct devrow_val *vals;
	size_t nvals;
};

struct devrows {
	const struct devrow *row;
	size_t nrows;
	void *mem; /* the one block holding rows, values and texts */
};

/* Replaces dst with a copy of the first n rows: 0, or -1 (out of memory: dst left empty). */
int devrows_set(struct devrows *dst, const struct group_row *rows, size_t n);
void devrows_free(struct devrows *r);
/* The value named name of a row, or NULL. */
const struct devrow_val *devrow_find(const struct devrow *row, const char *name);

#endif
