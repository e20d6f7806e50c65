/* The one place where a name from the inventory or the network becomes a path component. */
#ifndef HBMON_NAMES_H
#define HBMON_NAMES_H

#include <stddef.h>

#define NAME_PATH_MAX 128 /* room for one encoded component, NUL included */

/*
 * Encodes name as a single safe, stable path component: [A-Za-z0-9_-] and '.' (not first) are
 * kept, every other byte becomes %XX, so the mapping is reversible and distinct names give
 * distinct components. Components longer than fits are cut and suffixed with a hash of the whole
 * name, which keeps them distinct. Returns 0, or -1 for an empty name or dstsz < NAME_PATH_MAX.
 */
int name_to_path(char *dst, size_t dstsz, const char *name);

#endif
