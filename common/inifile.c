#include "inifile.h"

#include <ini.h>
#include <string.h>

/* Counts lines as inih reads them: the handler then knows which line it is given. */
static char *line_reader(char *str, int num, void *stream)
{
	struct ini_file *f = stream;
	char *r = fgets(str, num, f->fp);
	if (r) {
		f->line++;
		size_t n = strlen(r);
		if (n == (size_t)num - 1 && r[n - 1] != '\n') {
			errlist_add(f->errs, "%s:%d: line longer than %d bytes", f->path, f->line,
				    num - 2);
			int c;
			while ((c = fgetc(f->fp)) != EOF && c != '\n')
				;
		}
	}
	return r;
}

int ini_file_parse(struct ini_file *f, const char *path, struct errlist *errs, ini_file_fn fn,
		   void *ctx)
{
	f->path = path;
	f->line = 0;
	f->errs = errs;
	f->fp = fopen(path, "r");
	if (!f->fp) {
		errlist_add(errs, "%s: cannot open: %m", path);
		return -1;
	}
	int rc = ini_parse_stream(line_reader, f, fn, ctx);
	fclose(f->fp);
	f->fp = NULL;
	if (rc > 0)
		errlist_add(errs, "%s:%d: syntax error (expected [section] or key = value)", path, rc);
	return rc == 0 ? 0 : -1;
}
