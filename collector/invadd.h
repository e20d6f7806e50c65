/*
 * Adding a device to the district's inventory from the dashboard (an unknown host seen on a
 * commune's LAN, added by an administrator): one row appended to the inventory CSV, its fields
 * in the file's own column order, quoted as CSV needs; the collector then reloads it like on
 * SIGHUP. The file is the planners' own: only appended to, never rewritten.
 */
#ifndef HBMON_INVADD_H
#define HBMON_INVADD_H

#include <stddef.h>

struct inventory;

struct invadd_row {
	const char *commune, *site, *device, *cls, *address, *mac;
};

/* Checks the row against inv (the commune and site exist, the site's type is taken from it,
 * the class is one, the name is new in the commune and reads as text in a spreadsheet, the
 * address and MAC are well formed) and appends it to path. 0, or -1 with a message for the
 * person who asked in err. */
int invadd_append(const char *path, const struct inventory *inv, const struct invadd_row *row,
		  char *err, size_t errsz);

#endif
