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

/* The RRD file of a profile-group row: readable while short, a digest of the index beyond. */
#define ROW_FILE_READABLE 200 /* longest readable stem: NAME_MAX (255) leaves room for
			       * ".rrd" and the writer's ".tmp<pid>" */
#define ROW_FILE_STEM_MAX (ROW_FILE_READABLE + 1) /* room for any stem, NUL included */

/*
 * Writes the stem (the file name without ".rrd") of the row of group with index (NULL or ""
 * for a scalar group) into dst, at least ROW_FILE_STEM_MAX bytes:
 *   "<group>"                 a scalar group;
 *   "<group>-<index>"         when that is at most ROW_FILE_READABLE bytes;
 *   "<group>-x<16 hex>"       otherwise: 64-bit FNV-1a of the index, lower-case. An index is
 *                             digits and dots, so this never meets a readable name.
 * The rule names stored files: changing it orphans them. Ingest, the device page and the web
 * server's URL check use only this. Returns 0, or -1 when group is not a profile group name
 * (wire_valid_metric, not "system" or "if") or index is not an OID suffix (wire_valid_index).
 */
int name_row_file(char *dst, size_t dstsz, const char *group, const char *index);
/* 1 when s is exactly a stem name_row_file can write (a name taken from a URL), else 0. */
int name_row_file_valid(const char *s);

#endif
