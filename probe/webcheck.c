#include "webcheck.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

#define MAX_TRANSFERS 32 /* at once; more wait their turn */
#define BODY_MAX (1u << 20)

struct xfer {
	CURL *easy; /* NULL: free */
	size_t id;
	size_t got;
	int capped;
	char errbuf[CURL_ERROR_SIZE];
};

struct waiting {
	char *url;
	size_t id;
};

struct webcheck {
	CURLM *multi;
	long timeout_ms;
	web_done_fn cb;
	void *ctx;
	struct xfer x[MAX_TRANSFERS];
	struct waiting *q; /* FIFO: [qhead, qlen) */
	size_t qhead, qlen, qcap;
	size_t running;
};

struct webcheck *webcheck_new(int timeout_ms, web_done_fn cb, void *ctx)
{
	struct webcheck *w = calloc(1, sizeof(*w));
	if (!w || !(w->multi = curl_multi_init())) {
		free(w);
		return NULL;
	}
	w->timeout_ms = timeout_ms;
	w->cb = cb;
	w->ctx = ctx;
	return w;
}

void webcheck_free(struct webcheck *w)
{
	if (!w)
		return;
	for (int i = 0; i < MAX_TRANSFERS; i++)
		if (w->x[i].easy) {
			curl_multi_remove_handle(w->multi, w->x[i].easy);
			curl_easy_cleanup(w->x[i].easy);
		}
	for (size_t k = w->qhead; k < w->qlen; k++)
		free(w->q[k].url);
	free(w->q);
	curl_multi_cleanup(w->multi);
	free(w);
}

size_t webcheck_active(const struct webcheck *w) { return w->running + (w->qlen - w->qhead); }

static void report_error(struct webcheck *w, size_t id, const char *why)
{
	struct web_result r = {0};
	snprintf(r.error, sizeof(r.error), "%s", why);
	w->cb(w->ctx, id, &r);
}

void webcheck_start(struct webcheck *w, const char *url, size_t id)
{
	if (w->qhead == w->qlen)
		w->qhead = w->qlen = 0;
	if (w->qlen == w->qcap) {
		if (w->qhead) { /* room at the front: move the queue down */
			memmove(w->q, w->q + w->qhead, (w->qlen - w->qhead) * sizeof(*w->q));
			w->qlen -= w->qhead;
			w->qhead = 0;
		} else {
			size_t n = w->qcap ? 2 * w->qcap : 16;
			struct waiting *q = realloc(w->q, n * sizeof(*q));
			if (!q)
				return; /* out of memory: this round's check is skipped */
			w->q = q;
			w->qcap = n;
		}
	}
	char *copy = strdup(url);
	if (!copy)
		return;
	w->q[w->qlen++] = (struct waiting){copy, id};
}

static size_t body(char *data, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	(void)data;
	x->got += size * n;
	if (x->got > BODY_MAX) { /* enough to know the page is served */
		x->capped = 1;
		return 0;
	}
	return size * n;
}

static int begin(struct webcheck *w, struct xfer *x, const char *url)
{
	long connect_ms = w->timeout_ms < 5000 ? w->timeout_ms : 5000;
	memset(x, 0, sizeof(*x));
	if (!(x->easy = curl_easy_init()))
		return -1;
	CURL *e = x->easy;
	if (curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, w->timeout_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, "hbmon-probe portal check") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, x) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, x) != CURLE_OK ||
	    curl_multi_add_handle(w->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		x->easy = NULL;
		return -1;
	}
	return 0;
}

/* Starts waiting checks while there is room; a URL curl refuses is reported at once. */
static void start_waiting(struct webcheck *w)
{
	for (int i = 0; i < MAX_TRANSFERS && w->qhead < w->qlen; i++) {
		struct xfer *x = &w->x[i];
		if (x->easy)
			continue;
		struct waiting q = w->q[w->qhead++];
		if (begin(w, x, q.url) < 0) {
			free(q.url);
			report_error(w, q.id, "not a URL this probe can fetch (http or https)");
			continue;
		}
		x->id = q.id;
		w->running++;
		free(q.url);
	}
}

static void done(struct webcheck *w, struct xfer *x, CURLcode res)
{
	struct web_result r = {0};
	curl_off_t us = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &us);
	r.time_ms = (double)us / 1000.0;
	int fetched = res == CURLE_OK || (res == CURLE_WRITE_ERROR && x->capped);
	r.ok = fetched && r.status >= 200 && r.status < 400;
	if (!fetched) {
		const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(res);
		utf8_sanitize(r.error, sizeof(r.error), why, strlen(why));
	} else if (!r.ok) {
		snprintf(r.error, sizeof(r.error), "HTTP %ld", r.status);
	}
	size_t id = x->id;
	curl_multi_remove_handle(w->multi, x->easy);
	curl_easy_cleanup(x->easy);
	x->easy = NULL;
	w->running--;
	w->cb(w->ctx, id, &r);
}

void webcheck_fdset(struct webcheck *w, int *maxfd, fd_set *r, fd_set *wr, fd_set *e,
		    struct timeval *tv)
{
	if (!webcheck_active(w))
		return;
	int m = -1;
	long t = -1;
	curl_multi_fdset(w->multi, r, wr, e, &m);
	if (m > *maxfd)
		*maxfd = m;
	curl_multi_timeout(w->multi, &t);
	if (w->qhead < w->qlen && w->running < MAX_TRANSFERS)
		t = 0; /* checks waiting, and room to start them */
	else if (m < 0 && (t < 0 || t > 50))
		t = 50; /* curl has no socket yet (resolving): look again soon */
	if (t >= 0 && t < tv->tv_sec * 1000L + tv->tv_usec / 1000) {
		tv->tv_sec = t / 1000;
		tv->tv_usec = (t % 1000) * 1000;
	}
}

void webcheck_dispatch(struct webcheck *w)
{
	int running, left;
	CURLMsg *m;
	if (!webcheck_active(w))
		return;
	start_waiting(w);
	curl_multi_perform(w->multi, &running);
	while ((m = curl_multi_info_read(w->multi, &left))) {
		struct xfer *x = NULL;
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x && x->easy == m->easy_handle)
			done(w, x, m->data.result);
	}
}
