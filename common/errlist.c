#include "errlist.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void errlist_add(struct errlist *el, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (el->n >= ERRLIST_MAX) {
		el->dropped++;
		return;
	}
	el->msg[el->n] = strdup(buf);
	if (!el->msg[el->n]) {
		el->dropped++;
		return;
	}
	el->n++;
}

size_t errlist_count(const struct errlist *el) { return el->n + el->dropped; }

void errlist_print(const struct errlist *el, FILE *out)
{
	for (size_t i = 0; i < el->n; i++)
		fprintf(out, "%s\n", el->msg[i]);
	if (el->dropped)
		fprintf(out, "... and %zu more errors\n", el->dropped);
}

void errlist_free(struct errlist *el)
{
	for (size_t i = 0; i < el->n; i++)
		free(el->msg[i]);
	memset(el, 0, sizeof(*el));
}

void errlist_first_line(const struct errlist *el, const char *prog, const char *config,
			char *line, size_t linesz)
{
	size_t more = errlist_count(el) - 1;
	char tail[4200] = "";
	if (more)
		snprintf(tail, sizeof(tail), " (and %zu more: %s -c %s --check-config lists them)",
			 more, prog, config);
	snprintf(line, linesz, "%s%s", el->n ? el->msg[0] : "too many errors", tail);
}
