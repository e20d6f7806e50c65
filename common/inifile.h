/* INI files read with inih, with the line number of each key known to the handler. */
#ifndef HBMON_INIFILE_H
#define HBMON_INIFILE_H

#include <stdio.h>

#include "errlist.h"

struct ini_file {
	const char *path;
	int line; /* of the key being handled */
	FILE *fp;
	struct errlist *errs;
};

/* inih's handler: return 1 to go on (errors go to f->errs, naming f->path:f->line). */
typedef int (*ini_file_fn)(void *ctx, const char *section, const char *key, const char *value);

/* Parses path. Returns 0, or -1 after adding "path: cannot open" or a syntax error to errs. */
int ini_file_parse(struct ini_file *f, const char *path, struct errlist *errs, ini_file_fn fn,
		   void *ctx);

#endif
