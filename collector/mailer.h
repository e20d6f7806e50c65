/*
 * Sends queued messages over SMTP with libcurl (smtp:// or smtps://, STARTTLS, AUTH), and
 * webhook messages (rcpt "webhook:NAME", webhook.h) over HTTP(S), on the mail thread: a slow or dead mail server never holds the event loop. The loop takes due
 * messages from the store, the thread sends them, the loop marks each sent or failed.
 */
#ifndef HBMON_MAILER_H
#define HBMON_MAILER_H

#include <stddef.h>

#include "webhookcfg.h"
#include "worker.h"

struct smtp_settings {
	char url[256];
	int starttls;
	char ca_file[4096]; /* verifies the mail server; empty: the system's CAs */
	char user[128], password[128];
	char from[256];
};

struct mail_item {
	long id;
	char rcpt[256];
	char *data;
	int ok;
	char err[256];
};

#define MAIL_JOB_MAX 16

struct mail_job {
	struct wjob base;
	struct smtp_settings smtp;
	struct webhook_cfg hooks[CFG_WEBHOOK_MAX]; /* items to "webhook:NAME" go to these */
	int nhooks;
	struct mail_item item[MAIL_JOB_MAX];
	int n;
	void *owner;
};

/* worker_run_fn of the mail thread (ctx unused). */
void mailer_run(void *ctx, struct wjob **jobs, size_t n);
void mail_job_free(struct mail_job *j);

#endif
