/* Collected validation errors, so --check-config can report all of them at once. */
#ifndef HBMON_ERRLIST_H
#define HBMON_ERRLIST_H

#include <stddef.h>
#include <stdio.h>

#define ERRLIST_MAX 200 /* further errors are counted, not stored */

struct errlist {
	char *msg[ERRLIST_MAX];
	size_t n;       /* stored */
	size_t dropped; /* beyond ERRLIST_MAX */
};

/* Formats one error, by convention "file:line: field: what is wrong". */
void errlist_add(struct errlist *el, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t errlist_count(const struct errlist *el);
void errlist_print(const struct errlist *el, FILE *out);
/* A daemon's start-up failure as one line: the first error, and how many follow ("and 3 more:
 * PROG -c CONFIG --check-config lists them"). */
void errlist_first_line(const struct errlist *el, const char *prog, const char *config,
			char *line, size_t linesz);
void errlist_free(struct errlist *el);

#endif
