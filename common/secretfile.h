/*
 * Secrets kept in their own file (a probe's ingest secret): one line, readable by its owner
 * only. A file others can read is refused, as credentials.conf is: a secret anyone on the box
 * can read is no secret.
 */
#ifndef HBMON_SECRETFILE_H
#define HBMON_SECRETFILE_H

#include <stddef.h>

/* The first line of path without its line break into out: 0, or -1 with err naming the file
 * and the fix. The secret itself never appears in err. */
int secret_file_read(const char *path, char *out, size_t outsz, char *err, size_t errsz);

#endif
