#include "uplink.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "log.h"

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 15000 /* a returning collector is used within 15 s */
#define BACKLOG_LOGGED 10    /* batches waiting: a replay worth a line in the log */

struct uplink {
	char *url, *name, *secret, *ca_file;
	CURLM *multi;
	CURL *easy; /* non-NULL while a post is in flight */
	struct curl_slist *headers;
	struct spool *spool;
	char *body; /* the batch in flight (from the spool) */
	size_t len;
	uint64_t seq;
	long backoff_ms;
	double min_gap_ms; /* between two posts: 1000 / max_per_s */
	struct timespec retry_at; /* no post before this */
	int failing; /* for one log line per outage, one on recovery */
	int64_t wall;       /* when the batch in flight was made (the probe's clock) */
	uint64_t assignment; /* the last X-Hbmon-Assignment heard */
	int64_t started;    /* the probe's clock when this uplink was made */
	struct backlog {    /* a replay in progress: from a backlog of 2 batches to none */
		struct timespec since;
		uint64_t sent, most; /* sent in it; the largest backlog seen */
		int64_t live_wait; /* the longest a batch made by this process waited, seconds */
	} catchup;
	struct uplink_stats st;
};

static struct timespec now_mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

static long ms_until(struct timespec t)
{
	struct timespec n = now_mono();
	return (t.tv_sec - n.tv_sec) * 1000 + (t.tv_nsec - n.tv_nsec) / 1000000;
}

static void wait_ms(struct uplink *u, long ms)
{
	u->retry_at = now_mono();
	u->retry_at.tv_sec += ms / 1000;
	u->retry_at.tv_nsec += (ms % 1000) * 1000000L;
	if (u->retry_at.tv_nsec >= 1000000000L) {
		u->retry_at.tv_sec++;
		u->retry_at.tv_nsec -= 1000000000L;
	}
}

#define INGEST_PATH "/api/v1/ingest"

int uplink_check_url(const char *url, char *why, size_t whysz)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *host = NULL;
	char *path = NULL;
	int rc = -1;
	if (!h || curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		snprintf(why, whysz, "\"%s\" is not a URL", url);
	else if (strcmp(path, INGEST_PATH) != 0) /* any other answers 404: nothing ever stored */
		snprintf(why, whysz, "\"%s\": the collector's ingest address ends in %s", url,
			 INGEST_PATH);
	else if (strcmp(scheme, "https") == 0)
		rc = 0;
	else if (strcmp(scheme, "http") != 0)
		snprintf(why, whysz, "\"%s\": expected https:// (or http:// to this machine)", url);
	else if (!config_host_is_loopback(host[0] == '[' ? "::1" : host))
		snprintf(why, whysz, "\"%s\": plain http only to this machine (127.0.0.1): the "
			 "probe's secret would cross the network in clear; use https:// and ca_file",
			 url);
	else
		rc = 0;
	curl_free(scheme);
	curl_free(host);
	curl_free(path);
	curl_url_cleanup(h);
	return rc;
}

struct uplink *uplink_new(const struct uplink_opts *o)
{
	struct uplink *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->url = strdup(o->url);
	u->name = strdup(o->name);
	u->secret = strdup(o->secret);
	u->ca_file = o->ca_file && o->ca_file[0] ? strdup(o->ca_file) : NULL;
	u->multi = curl_multi_init();
	u->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (!u->url || !u->name || !u->secret || !u->multi || !u->headers ||
	    (o->ca_file && o->ca_file[0] && !u->ca_file)) {
		uplink_free(u);
		return NULL;
	}
	u->spool = o->spool;
	u->started = (int64_t)clock_now();
	u->min_gap_ms = o->max_per_s > 0 ? 1000.0 / o->max_per_s : 0;
	return u;
}

void uplink_free(struct uplink *u)
{
	if (!u)
		return;
	if (u->easy) {
		curl_multi_remove_handle(u->multi, u->easy);
		curl_easy_cleanup(u->easy);
	}
	free(u->body);
	if (u->multi)
		curl_multi_cleanup(u->multi);
	curl_slist_free_all(u->headers);
	free(u->url);
	free(u->ca_file);
	free(u->name);
	if (u->secret)
		memset(u->secret, 0, strlen(u->secret));
	free(u->secret);
	free(u);
}

size_t uplink_pending(const struct uplink *u) { return (size_t)spool_stats(u->spool)->batches; }
const struct uplink_stats *uplink_stats(const struct uplink *u) { return &u->st; }

uint64_t uplink_assignment(const struct uplink *u) { return u->assignment; }

/* Keeps X-Hbmon-Assignment: 16 hex digits, anything else is ignored. */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	static const char name[] = "x-hbmon-assignment:";
	struct uplink *u = ud;
	size_t n = size * nmemb, k = sizeof(name) - 1;
	if (n > k && n < k + 40 && strncasecmp(ptr, name, k) == 0) {
		char v[40], *end;
		memcpy(v, ptr + k, n - k);
		v[n - k] = '\0';
		unsigned long long d = strtoull(v, &end, 16);
		while (*end == ' ' || *end == '\r' || *end == '\n')
			end++;
		if (*end == '\0' && end != v)
			u->assignment = d;
	}
	return n;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

void uplink_identify(void *curl_easy, const struct uplink_opts *o)
{
	CURL *e = curl_easy;
	if (o->ca_file && o->ca_file[0])
		curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
	/* a collector that answers with a redirect must not get our secret elsewhere */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_USERNAME, o->name);
	curl_easy_setopt(e, CURLOPT_PASSWORD, o->secret);
}

/* Tells the collector how much is waiting here, for its page of probes. */
static struct curl_slist *spool_header(const struct uplink *u)
{
	const struct spool_stats *st = spool_stats(u->spool);
	char h[160];
	/* batches: waiting behind this one; oldest: when this one was made (its lateness) */
	snprintf(h, sizeof(h), "X-Hbmon-Spool: batches=%llu; oldest=%lld; lost=%llu",
		 (unsigned long long)(st->batches ? st->batches - 1 : 0), (long long)st->oldest_wall,
		 (unsigned long long)st->lost_batches);
	struct curl_slist *l = curl_slist_append(NULL, "Content-Type: application/json");
	struct curl_slist *m = l ? curl_slist_append(l, h) : NULL;
	if (!m)
		curl_slist_free_all(l);
	return m;
}

/* The oldest batch, unless one is in flight or we wait (back-off, rate). */
/*
 * A kept-alive connection across a cut link would hold every later batch for the whole
 * timeout. The kernel tells a dead peer from a slow one: it gives up when what was sent stays
 * unacknowledged, or keepalive probes go unanswered, for DEAD_LINK_MS; a collector that is
 * only slow to answer (a slow disk) still acknowledges at the TCP level and is waited for. A
 * batch the collector stored before the cut is recognised when it is posted again.
 */
#define DEAD_LINK_MS 10000

static int on_socket(void *ctx, curl_socket_t fd, curlsocktype purpose)
{
	(void)ctx;
	unsigned int ms = DEAD_LINK_MS;
	if (purpose == CURLSOCKTYPE_IPCXN &&
	    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms)) < 0)
		log_warn("uplink", "TCP_USER_TIMEOUT"); /* only slower to notice a cut */
	return CURL_SOCKOPT_OK;
}

static void dead_link_timeout(CURL *e)
{
	curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, on_socket);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, 3L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 2L);
}

static void start_post(struct uplink *u)
{
	if (u->easy || ms_until(u->retry_at) > 0)
		return;
	if (!u->body) {
		if (spool_peek(u->spool, &u->seq, &u->body, &u->len) != 1)
			return;
		u->wall = spool_stats(u->spool)->oldest_wall; /* the oldest held: this one */
	}
	curl_slist_free_all(u->headers);
	u->headers = spool_header(u);
	CURL *e = curl_easy_init();
	if (!e || !u->headers) {
		curl_easy_cleanup(e);
		return;
	}
	curl_easy_setopt(e, CURLOPT_URL, u->url);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, u->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)u->len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, u->headers);
	struct uplink_opts id = {u->url, u->name, u->secret, u->ca_file, u->spool, 0};
	uplink_identify(e, &id);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, u);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 5L);
	dead_link_timeout(e);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "hbmon-probe/0.1");
	curl_multi_add_handle(u->multi, e);
	u->easy = e;
}

static double secs_since(struct timespec t)
{
	struct timespec n = now_mono();
	return (double)(n.tv_sec - t.tv_sec) + (double)(n.tv_nsec - t.tv_nsec) / 1e9;
}

/* A replay is measured from a backlog of two batches until the spool is empty; one that held
 * BACKLOG_LOGGED batches or more is logged when done: how long it took, and how late the batches this process made meanwhile reached the collector (RRD time
 * order makes them wait behind the older ones; the replay rate must keep that short). */
static void track_backlog(struct uplink *u)
{
	struct backlog *b = &u->catchup;
	uint64_t left = spool_stats(u->spool)->batches; /* after this one's ack */
	if (!b->sent && left == 0)
		return;
	if (!b->sent)
		b->since = now_mono();
	b->sent++;
	if (left > b->most)
		b->most = left;
	int64_t waited = (int64_t)clock_now() - u->wall;
	if (u->wall >= u->started && waited > b->live_wait)
		b->live_wait = waited;
	if (left)
		return;
	if (b->most >= BACKLOG_LOGGED)
		log_info("uplink", "caught up: %llu batches sent in %.1f s; batches made since this "
			 "probe started waited at most %lld s before the collector had them",
			 (unsigned long long)b->sent, secs_since(b->since), (long long)b->live_wait);
	*b = (struct backlog){0};
}

/* The batch leaves the spool: stored, or refused for good. */
static void done_with_batch(struct uplink *u)
{
	if (spool_ack(u->spool, u->seq) < 0)
		log_warn("uplink", "spool: cannot mark batch %llu sent", (unsigned long long)u->seq);
	free(u->body);
	u->body = NULL;
	wait_ms(u, (long)u->min_gap_ms);
}

static void back_off(struct uplink *u, CURLcode res, long code)
{
	u->st.failed_attempts++;
	u->backoff_ms = u->backoff_ms ? u->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (u->backoff_ms > BACKOFF_MAX_MS)
		u->backoff_ms = BACKOFF_MAX_MS;
	if (!u->failing && res == CURLE_OK && (code == 401 || code == 403))
		log_warnx("uplink", "%s: the collector refused this probe's credential (HTTP "
			  "%ld): check [probe] name = %s and its secret_file against "
			  "`hbmon-collector probe list`", u->url, code, u->name);
	else if (!u->failing && res == CURLE_OK && code >= 400 && code < 500 && code != 408 &&
		 code != 429)
		log_warnx("uplink", "%s: HTTP %ld: not the collector's ingest address (check [probe] "
			  "collector_url, and any proxy between); batches wait in the spool",
			  u->url, code);
	else if (!u->failing)
		log_warnx("uplink", "%s: %s (HTTP %ld); batches wait in the spool, retrying with "
			  "back-off", u->url,
			  res == CURLE_OK ? "collector busy or storage failing" : curl_easy_strerror(res),
			  code);
	u->failing = 1;
	wait_ms(u, u->backoff_ms);
}

static void post_done(struct uplink *u, CURLcode res)
{
	long code = 0;
	curl_easy_getinfo(u->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_multi_remove_handle(u->multi, u->easy);
	curl_easy_cleanup(u->easy);
	u->easy = NULL;
	if (res == CURLE_OK && code >= 200 && code < 300) {
		u->st.sent++;
		u->backoff_ms = 0;
		if (u->failing)
			log_info("uplink", "%s: collector reachable again; %zu batches to send",
				 u->url, uplink_pending(u) - 1);
		u->failing = 0;
		done_with_batch(u);
		track_backlog(u);
		return;
	}
	/* 400, 413: the collector read this batch and can never take it. Any other answer (401/403
	 * our credential, 404 a wrong URL or a proxy in the way, 5xx) says nothing about the
	 * batch: it is kept until the cause is fixed */
	if (res == CURLE_OK && (code == 400 || code == 413)) {
		u->st.rejected++;
		log_warnx("uplink", "%s: batch %llu refused with HTTP %ld; dropped", u->url,
			  (unsigned long long)u->seq, code);
		done_with_batch(u);
		return;
	}
	back_off(u, res, code);
}

void uplink_fdset(struct uplink *u, int *maxfd, fd_set *r, fd_set *w, fd_set *e,
		  struct timeval *tv)
{
	int m = -1;
	long t = -1;
	start_post(u);
	curl_multi_fdset(u->multi, r, w, e, &m);
	if (m > *maxfd)
		*maxfd = m;
	curl_multi_timeout(u->multi, &t);
	if (u->easy && m < 0 && (t < 0 || t > 50))
		t = 50; /* curl has no socket yet (resolving): poll it soon */
	if (!u->easy && (u->body || spool_stats(u->spool)->batches)) {
		long wait = ms_until(u->retry_at);
		t = wait < 0 ? 0 : wait;
	}
	if (t >= 0) {
		struct timeval ct = {t / 1000, (t % 1000) * 1000};
		if (timercmp(&ct, tv, <))
			*tv = ct;
	}
}

void uplink_dispatch(struct uplink *u)
{
	int running, left;
	CURLMsg *m;
	curl_multi_perform(u->multi, &running);
	while ((m = curl_multi_info_read(u->multi, &left)))
		if (m->msg == CURLMSG_DONE && m->easy_handle == u->easy)
			post_done(u, m->data.result);
	start_post(u);
}
