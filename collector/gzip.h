/* Pages compressed for the browsers that ask for it (Accept-Encoding: gzip): the district
 * overview is text that shrinks ten times, and it is sent to every screen each minute. */
#ifndef HBMON_GZIP_H
#define HBMON_GZIP_H

#include <stddef.h>

/* n bytes of in as a gzip stream in *out (malloc'd, the caller frees): 0, or -1. */
int gzip_buf(const void *in, size_t n, unsigned char **out, size_t *outlen);
/* 1 when the request's Accept-Encoding value takes gzip (not with q=0). */
int gzip_accepted(const char *accept_encoding);

#endif
