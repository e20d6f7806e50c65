#include "mailer.h"
#include "strbuf.h"
#include "webhook.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char *p;
	size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *ud)
{
	struct reader *r = ud;
	size_t n = size * nmemb < r->left ? size * nmemb : r->left;
	memcpy(buf, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

/* What the administrator can do about the failures that a retry does not cure. */
static const char *mail_fix(CURLcode rc)
{
	switch (rc) {
	case CURLE_USE_SSL_FAILED:
		return " (the mail server offers no STARTTLS: use its TLS port with smtps://, or, "
		       "if mail may cross the network in clear, smtp_starttls = 0)";
	case CURLE_PEER_FAILED_VERIFICATION:
		return " (the mail server's certificate is not trusted: [alerts] smtp_ca_file)";
	case CURLE_LOGIN_DENIED:
		return " (check [alerts] smtp_user and smtp_password)";
	default:
		return "";
	}
}

/* Returns 1 when the server could not be reached: the job's other messages wait too. */
static int send_one(CURL *c, const struct smtp_settings *s, struct mail_item *it)
{
	char from[300], rcpt[300], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *to = NULL;
	struct reader r = {it->data, strlen(it->data)};
	snprintf(from, sizeof(from), "<%s>", s->from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", it->rcpt);
	to = curl_slist_append(NULL, rcpt);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &r);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (s->starttls) /* and for smtps:// TLS from the start, whatever this says */
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (s->ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	if (s->user[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	}
	CURLcode rc = curl_easy_perform(c);
	it->ok = rc == CURLE_OK;
	if (!it->ok) { /* the reason, then the fix as far as it fits */
		str_copy(it->err, sizeof(it->err), errbuf[0] ? errbuf : curl_easy_strerror(rc));
		size_t n = strlen(it->err);
		str_copy(it->err + n, sizeof(it->err) - n, mail_fix(rc));
	}
	curl_slist_free_all(to);
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_OPERATION_TIMEDOUT;
}

/* The webhook an item goes to, or NULL for mail. *unknown: it names no configured one. */
static const struct webhook_cfg *hook_of(const struct mail_job *j, const struct mail_item *it,
					 int *unknown)
{
	*unknown = 0;
	if (strncmp(it->rcpt, "webhook:", 8) != 0)
		return NULL;
	for (int h = 0; h < j->nhooks; h++)
		if (strcmp(j->hooks[h].name, it->rcpt + 8) == 0)
			return &j->hooks[h];
	*unknown = 1;
	return NULL;
}

/* One job: mail stops at an unreachable server, a webhook's messages at its unreachable
 * receiver (the rest are retried later: no point in waiting for each). */
static void run_job(CURL *c, struct mail_job *j)
{
	int mail_down = 0, hook_down[CFG_WEBHOOK_MAX] = {0}, unknown;
	for (int k = 0; k < j->n; k++) {
		struct mail_item *it = &j->item[k];
		const struct webhook_cfg *w = hook_of(j, it, &unknown);
		int *down = w ? &hook_down[w - j->hooks] : &mail_down;
		if (!c || unknown || *down) {
			snprintf(it->err, sizeof(it->err), "%s",
				 !c ? "cannot start libcurl"
				 : unknown ? "no such [webhook] in the configuration any more"
					   : "not tried: the receiver could not be reached");
			continue;
		}
		if (!w) {
			*down = send_one(c, &j->smtp, it);
			continue;
		}
		int rc = webhook_post(c, w, it->id, it->data, it->err, sizeof(it->err));
		it->ok = rc == 0;
		*down = rc == 1;
	}
}

void mailer_run(void *ctx, struct wjob **jobs, size_t n)
{
	(void)ctx;
	CURL *c = curl_easy_init();
	for (size_t i = 0; i < n; i++)
		run_job(c, (struct mail_job *)(void *)jobs[i]);
	curl_easy_cleanup(c);
}

void mail_job_free(struct mail_job *j)
{
	if (!j)
		return;
	for (int k = 0; k < j->n; k++)
		free(j->item[k].data);
	sodium_memzero(j, sizeof(*j)); /* the mail password and the webhooks' secrets */
	free(j);
}
