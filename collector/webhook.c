/* Alert digests as JSON POSTs (webhook.h). */
#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "webhook.h"

#include "log.h"
#include "store.h"

/* Local time with its offset, as a reader's tools parse it: 2026-12-05T09:01:00+07:00. */
static json_object *iso_time(time_t t)
{
	char buf[40], tz[8];
	struct tm tm;
	if (!t || !localtime_r(&t, &tm))
		return NULL;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(tz, sizeof(tz), "%z", &tm); /* +0700 */
	size_t n = strlen(buf);
	if (strlen(tz) == 5)
		snprintf(buf + n, sizeof(buf) - n, "%.3s:%s", tz, tz + 3);
	return json_object_new_string(buf);
}

static json_object *str_or_null(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static json_object *changes(const struct digest_in *in, enum lang l)
{
	static const char *const kinds[] = {"resolved", "firing", "acknowledged"};
	json_object *a = json_object_new_array();
	for (size_t i = 0; a && i < in->nchg; i++) {
		const struct digest_change *c = &in->chg[i];
		json_object *o = json_object_new_object();
		int k = c->firing >= 0 && c->firing <= 2 ? c->firing : 1;
		json_object_object_add(o, "kind", json_object_new_string(kinds[k]));
		json_object_object_add(o, "warning", json_object_new_boolean(c->warning));
		json_object_object_add(o, "at", iso_time(c->at));
		json_object_object_add(o, "what", json_object_new_string(c->what[l]));
		json_object_object_add(o, "text", json_object_new_string(c->text[l]));
		if (!c->firing && c->out_for > 0)
			json_object_object_add(o, "out_for_seconds", json_object_new_int64(c->out_for));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *firing(const struct digest_in *in, enum lang l)
{
	json_object *a = json_object_new_array();
	for (int i = 0; a && i < in->nfiring; i++) {
		const struct alert *al = in->firing[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "what", json_object_new_string(al->what[l]));
		json_object_object_add(o, "reason", json_object_new_string(al->reason[l]));
		json_object_object_add(o, "since", iso_time(al->since));
		json_object_object_add(o, "warning", json_object_new_boolean(al->warning));
		json_object_object_add(o, "acknowledged_by", str_or_null(al->acked_by));
		json_object_array_add(a, o);
	}
	return a;
}

int webhook_build(struct strbuf *out, const struct digest_in *in, enum lang l,
		  const char *subject, const char *text, unsigned long serial)
{
	char event[512];
	const char *district = in->cfg->district;
	snprintf(event, sizeof(event), "%s|%s|%lld|%lu", district, in->commune ? in->commune : "",
		 (long long)in->now, serial);
	json_object *o = json_object_new_object();
	if (!o)
		return -1;
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "district", json_object_new_string(district));
	json_object_object_add(o, "commune", str_or_null(in->commune));
	json_object_object_add(o, "time", iso_time(in->now));
	json_object_object_add(o, "language", json_object_new_string(l == LANG_EN ? "en" : "vi"));
	json_object_object_add(o, "subject", json_object_new_string(subject));
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_object_add(o, "changes", changes(in, l));
	json_object_object_add(o, "firing", firing(in, l));
	json_object_object_add(o, "dashboard", str_or_null(in->cfg->dashboard_url));
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	int rc = s ? strbuf_puts(out, s) : -1;
	json_object_put(o);
	return rc;
}

void webhook_sign(char out[72], const char *secret, const char *body, size_t len)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 72 - 7, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n; /* the receiver's answer body is not ours to keep */
}

int webhook_post(CURL *c, const struct webhook_cfg *w, long id, const char *body, char *err,
		 size_t errsz)
{
	char sig[72], h_sig[100], h_id[64], errbuf[CURL_ERROR_SIZE] = "";
	size_t len = strlen(body);
	long status = 0;
	webhook_sign(sig, w->secret, body, len);
	snprintf(h_sig, sizeof(h_sig), "X-Hbmon-Signature: %s", sig);
	snprintf(h_id, sizeof(h_id), "X-Hbmon-Delivery: %ld", id);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, h_sig);
	h = curl_slist_append(h, h_id);
	h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, w->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (w->ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, w->ca_file);
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	sodium_memzero(sig, sizeof(sig));
	if (rc == CURLE_OK && status >= 200 && status < 300)
		return 0;
	if (rc == CURLE_OK)
		snprintf(err, errsz, "webhook %s: the receiver answered HTTP %ld", w->name, status);
	else
		snprintf(err, errsz, "webhook %s: %s", w->name,
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
		       rc == CURLE_OPERATION_TIMEDOUT
		   ? 1
		   : -1;
}

/* One webhook's message: the digest in its language, as JSON, into the outbox (1, or 0). */
static int queue_one(struct store *st, const struct digest_in *in, const struct webhook_cfg *w,
		     const char *who, unsigned long serial)
{
	struct strbuf subj = {0}, body = {0}, json = {0};
	char rcpt[80];
	enum lang l = w->lang ? LANG_EN : LANG_VI;
	snprintf(rcpt, sizeof(rcpt), "webhook:%s", w->name);
	int ok = strbuf_init(&subj, 1024) == 0 && strbuf_init(&body, 1u << 20) == 0 &&
		 strbuf_init(&json, 4u << 20) == 0 && digest_compose(&subj, &body, in, l) == 0 &&
		 webhook_build(&json, in, l, subj.data ? subj.data : "",
			       body.data ? body.data : "", serial) == 0 &&
		 !json.overflow && store_outbox_add(st, in->now, rcpt, json.data) > 0;
	if (ok)
		store_event(st, in->now, who, rcpt, "mail_queued", subj.data ? subj.data : "", NULL);
	else
		log_warnx("alerts", "%s: digest for %s could not be queued (tried again)", who, rcpt);
	strbuf_free(&subj);
	strbuf_free(&body);
	strbuf_free(&json);
	return ok;
}

int webhook_queue(struct store *st, const struct digest_in *in, const char *who,
		  unsigned long *serial, int *wanted)
{
	int queued = 0;
	*wanted = 0;
	for (int i = 0; i < in->cfg->nwebhooks; i++) {
		const struct webhook_cfg *w = &in->cfg->webhooks[i];
		if (!webhookcfg_wants(w, in->commune))
			continue;
		(*wanted)++;
		queued += queue_one(st, in, w, who, ++*serial);
	}
	return queued;
}
