/*
 * HTTP(S) checks of web portals: a GET of the page (redirects followed, certificates
 * verified), its status and the time it took. libcurl's multi interface in the probe's event
 * loop, a bounded number of transfers at once; the body is read and thrown away (1 MiB at
 * most).
 */
#ifndef HBMON_WEBCHECK_H
#define HBMON_WEBCHECK_H

#include <stddef.h>
#include <sys/select.h>

struct web_result {
	int ok;          /* a final answer with status 200-399 */
	long status;     /* HTTP status of the last answer; 0 if none came */
	double time_ms;  /* the whole exchange, redirects included */
	char error[128]; /* why it is not ok; "" when it is */
};

typedef void (*web_done_fn)(void *ctx, size_t id, const struct web_result *r);

struct webcheck;

struct webcheck *webcheck_new(int timeout_ms, web_done_fn cb, void *ctx);
void webcheck_free(struct webcheck *w);
/* Fetches url (copied); the result comes through the callback, never from inside this call. */
void webcheck_start(struct webcheck *w, const char *url, size_t id);
size_t webcheck_active(const struct webcheck *w);

void webcheck_fdset(struct webcheck *w, int *maxfd, fd_set *r, fd_set *wr, fd_set *e,
		    struct timeval *tv);
void webcheck_dispatch(struct webcheck *w);

#endif
