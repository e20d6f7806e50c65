#include "assignment.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"

#define ASSIGNMENT_MAX (16u << 20)
#define INGEST_PATH "/api/v1/ingest"

static size_t keep(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct strbuf *sb = ud;
	return strbuf_append(sb, ptr, size * nmemb) < 0 ? 0 : size * nmemb;
}

/* <collector>/api/v1/assignment, from its ingest URL. */
static int assignment_url(const char *ingest, char *dst, size_t dstsz)
{
	size_t n = strlen(ingest), k = strlen(INGEST_PATH);
	if (n < k || strcmp(ingest + n - k, INGEST_PATH) != 0)
		return -1;
	int w = snprintf(dst, dstsz, "%.*s/api/v1/assignment", (int)(n - k), ingest);
	return w < 0 || (size_t)w >= dstsz ? -1 : 0;
}

static int save(const char *cache, const struct strbuf *sb, char *why, size_t whysz)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", cache);
	FILE *f = fopen(tmp, "w");
	int ok = f && fwrite(sb->data, 1, sb->len, f) == sb->len && fflush(f) == 0 &&
		 fsync(fileno(f)) == 0;
	if ((f && fclose(f) != 0) || !ok || rename(tmp, cache) != 0) {
		snprintf(why, whysz, "cannot write %s: %s", cache, strerror(errno));
		unlink(tmp);
		return 0;
	}
	return 1;
}

int assignment_fetch(const struct uplink_opts *o, const char *cache, char *why, size_t whysz)
{
	char url[1024];
	struct strbuf body;
	long code = 0;
	if (assignment_url(o->url, url, sizeof(url)) < 0) {
		snprintf(why, whysz, "collector_url does not end in %s", INGEST_PATH);
		return 0;
	}
	CURL *e = curl_easy_init();
	if (!e || strbuf_init(&body, ASSIGNMENT_MAX) < 0) {
		curl_easy_cleanup(e);
		snprintf(why, whysz, "out of memory");
		return 0;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	uplink_identify(e, o);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(e);
	int got = 0;
	if (rc != CURLE_OK)
		snprintf(why, whysz, "%s: %s", url, curl_easy_strerror(rc));
	else if (code == 401 || code == 403)
		snprintf(why, whysz, "%s: HTTP %ld: the collector refused this probe's credential: "
			 "check [probe] name = %s and its secret_file against 'hbmon-collector probe "
			 "list'", url, code, o->name);
	else if (code != 200)
		snprintf(why, whysz, "%s: HTTP %ld", url, code);
	else
		got = save(cache, &body, why, whysz);
	strbuf_free(&body);
	return got;
}
