#include "uplink.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 60000

struct qitem {
	char *body;
	size_t len;
	struct qitem *next;
};

struct uplink {
	char *url;
	CURLM *multi;
	CURL *easy; /* non-NULL while a post is in flight */
	struct curl_slist *headers;
	struct qitem *head, *tail;
	size_t queued, max_queued;
	long backoff_ms;
	struct timespec retry_at;
	int failing; /* for one log line per outage, one on recovery */
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

struct uplink *uplink_new(const char *url, size_t max_queued)
{
	struct uplink *u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->url = strdup(url);
	u->multi = curl_multi_init();
	u->headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (!u->url || !u->multi || !u->headers) {
		uplink_free(u);
		return NULL;
	}
	u->max_queued = max_queued ? max_queued : 1;
	return u;
}

static void pop(struct uplink *u)
{
	struct qitem *q = u->head;
	if (!q)
		return;
	u->head = q->next;
	if (!u->head)
		u->tail = NULL;
	u->queued--;
	free(q->body);
	free(q);
}

void uplink_free(struct uplink *u)
{
	if (!u)
		return;
	if (u->easy) {
		curl_multi_remove_handle(u->multi, u->easy);
		curl_easy_cleanup(u->easy);
	}
	while (u->head)
		pop(u);
	if (u->multi)
		curl_multi_cleanup(u->multi);
	curl_slist_free_all(u->headers);
	free(u->url);
	free(u);
}

int uplink_post(struct uplink *u, char *body, size_t len)
{
	struct qitem *q = malloc(sizeof(*q));
	if (!q) {
		free(body);
		u->st.dropped++;
		return -1;
	}
	/* the oldest batch goes first, except the one in flight (always the head) */
	if (u->queued >= u->max_queued && u->head && u->head->next) {
		struct qitem *victim = u->head->next;
		u->head->next = victim->next;
		if (u->tail == victim)
			u->tail = u->head;
		free(victim->body);
		free(victim);
		u->queued--;
		u->st.dropped++;
		log_warnx("uplink", "%s: queue full (%zu batches); oldest batch dropped", u->url,
			  u->max_queued);
	}
	q->body = body;
	q->len = len;
	q->next = NULL;
	if (u->tail)
		u->tail->next = q;
	else
		u->head = q;
	u->tail = q;
	u->queued++;
	return 0;
}

size_t uplink_pending(const struct uplink *u) { return u->queued; }
const struct uplink_stats *uplink_stats(const struct uplink *u) { return &u->st; }

static size_t discard(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

static void start_post(struct uplink *u)
{
	if (u->easy || !u->head || ms_until(u->retry_at) > 0)
		return;
	CURL *e = curl_easy_init();
	if (!e)
		return;
	curl_easy_setopt(e, CURLOPT_URL, u->url);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, u->head->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)u->head->len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, u->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "hbmon-probe/0.1");
	curl_multi_add_handle(u->multi, e);
	u->easy = e;
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
		pop(u);
		u->backoff_ms = 0;
		if (u->failing)
			log_info("uplink", "%s: collector reachable again", u->url);
		u->failing = 0;
		return;
	}
	if (res == CURLE_OK && code >= 400 && code < 500) {
		/* the collector refused this batch: sending it again cannot help */
		u->st.rejected++;
		log_warnx("uplink", "%s: batch rejected with HTTP %ld; dropped", u->url, code);
		pop(u);
		return;
	}
	u->st.failed_attempts++;
	u->backoff_ms = u->backoff_ms ? u->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (u->backoff_ms > BACKOFF_MAX_MS)
		u->backoff_ms = BACKOFF_MAX_MS;
	if (!u->failing)
		log_warnx("uplink", "%s: %s (HTTP %ld); retrying with back-off", u->url,
			  res == CURLE_OK ? "server error" : curl_easy_strerror(res), code);
	u->failing = 1;
	u->retry_at = now_mono();
	u->retry_at.tv_sec += u->backoff_ms / 1000;
	u->retry_at.tv_nsec += (u->backoff_ms % 1000) * 1000000L;
	if (u->retry_at.tv_nsec >= 1000000000L) {
		u->retry_at.tv_sec++;
		u->retry_at.tv_nsec -= 1000000000L;
	}
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
	if (!u->easy && u->head) {
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
