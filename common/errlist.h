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
void errlist_free(struct errlist *el);

#endif
