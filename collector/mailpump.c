#include "mailpump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mailer.h"

static int take_due(void *ctx, long id, const char *rcpt, const char *data, int attempts)
{
	struct mail_job *j = ctx;
	(void)attempts;
	struct mail_item *it = &j->item[j->n];
	it->id = id;
	snprintf(it->rcpt, sizeof(it->rcpt), "%s", rcpt);
	it->data = strdup(data);
	if (it->data)
		j->n++;
	return j->n == MAIL_JOB_MAX;
}

static void on_mail_done(struct wjob *w)
{
	struct mail_job *j = (struct mail_job *)(void *)w;
	struct mail_pump *p = j->owner;
	time_t now = p->now();
	for (int k = 0; k < j->n; k++) {
		const struct mail_item *it = &j->item[k];
		if (it->ok) {
			store_outbox_sent(p->store, it->id, now);
			store_event(p->store, now, NULL, it->rcpt, "mail_sent", NULL, NULL);
		} else {
			store_outbox_failed(p->store, it->id, now, it->err);
			store_event(p->store, now, NULL, it->rcpt, "mail_failed", it->err, NULL);
			log_warnx("alerts", "mail to %s not sent (will retry): %s", it->rcpt, it->err);
		}
	}
	p->inflight = 0;
	mail_job_free(j);
}

void mailpump_run(struct mail_pump *p, const struct hbmon_config *cfg, time_t now)
{
	if (p->inflight || (!cfg->smtp_url[0] && !cfg->nwebhooks) || !p->mailer || !p->store)
		return;
	struct mail_job *j = calloc(1, sizeof(*j));
	if (!j)
		return;
	if (store_outbox_due(p->store, now, MAIL_JOB_MAX, take_due, j) <= 0 || !j->n) {
		mail_job_free(j);
		return;
	}
	snprintf(j->smtp.url, sizeof(j->smtp.url), "%s", cfg->smtp_url);
	j->smtp.starttls = cfg->smtp_starttls;
	snprintf(j->smtp.ca_file, sizeof(j->smtp.ca_file), "%s", cfg->smtp_ca_file);
	snprintf(j->smtp.user, sizeof(j->smtp.user), "%s", cfg->smtp_user);
	snprintf(j->smtp.password, sizeof(j->smtp.password), "%s", cfg->smtp_password);
	snprintf(j->smtp.from, sizeof(j->smtp.from), "%s", cfg->mail_from);
	memcpy(j->hooks, cfg->webhooks, sizeof(j->hooks));
	j->nhooks = cfg->nwebhooks;
	j->owner = p;
	j->base.done = on_mail_done;
	p->inflight = 1;
	worker_submit(p->mailer, &j->base);
}
