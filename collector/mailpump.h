/*
 * The event loop's side of mail: takes the outbox's due messages to the mail thread, one job
 * at a time (two would take the same messages), and when the thread is done marks each sent
 * or failed, with an event each. Composing messages is the digests'; sending, the mailer's.
 */
#ifndef HBMON_MAILPUMP_H
#define HBMON_MAILPUMP_H

#include <time.h>

#include "config.h"
#include "store.h"
#include "worker.h"

struct mail_pump {
	struct store *store;
	struct worker *mailer;
	time_t (*now)(void);
	int inflight; /* a job is with the mail thread (survives reloads) */
};

/* Hands the due messages to the mail thread, unless a job is out already or cfg has no
 * mail server. */
void mailpump_run(struct mail_pump *p, const struct hbmon_config *cfg, time_t now);

#endif
