/*
 * Alert digests as JSON POSTs (webhookcfg.h), for a district's bridge to a chat app or an SMS
 * gateway. The message is queued in the same SQLite outbox as mail (rcpt "webhook:NAME"), so
 * a receiver that is down gets it later, retried with the outbox's backoff; the mail thread
 * posts it. Schema (version 1):
 *
 *   {"version": 1, "event": "<district>|<commune>|<unix time>|<serial>",
 *    "district": "Huyện …", "commune": "Xã Tân Phú" | null (district IT's digest of probes),
 *    "time": "2026-12-05T09:01:00+07:00", "language": "vi",
 *    "subject": "…", "text": "…" (the mail's subject and body, in that language),
 *    "changes": [{"kind": "firing"|"resolved"|"acknowledged", "warning": false,
 *                 "at": "…", "what": "…", "text": "…", "out_for_seconds": 3600}],
 *    "firing": [{"what": "…", "reason": "…", "since": "…", "warning": false,
 *                "acknowledged_by": "…" | null}],
 *    "dashboard": "https://…" | null}
 *
 * Headers: Content-Type: application/json; X-Hbmon-Delivery: the outbox id (the same on every
 * retry: a receiver that saw it already drops it, so each digest is acted on once);
 * X-Hbmon-Signature: sha256=<hex HMAC-SHA256 of the body with the webhook's secret>.
 */
#ifndef HBMON_WEBHOOK_H
#define HBMON_WEBHOOK_H

#include <stddef.h>

#include "digest.h"
#include "strbuf.h"
#include "webhookcfg.h"

/* The JSON body of a digest (subject and text already composed in language l). */
int webhook_build(struct strbuf *out, const struct digest_in *in, enum lang l,
		  const char *subject, const char *text, unsigned long serial);

/* The signature header's value for body: "sha256=<64 hex>". */
void webhook_sign(char out[72], const char *secret, const char *body, size_t len);

struct store;
/* Queues the digest in to every webhook that wants it (in->commune, NULL: district IT's),
 * composed in each one's language: how many were queued; *wanted: how many wanted it. who
 * names the event history's entries; serial numbers the messages. */
int webhook_queue(struct store *st, const struct digest_in *in, const char *who,
		  unsigned long *serial, int *wanted);

typedef void CURL; /* libcurl's easy handle, without its header here */
/* Posts body to w on the mail thread: 0 delivered (2xx), 1 not reached (the hook's other
 * messages wait), -1 refused or failed (err says why). */
int webhook_post(CURL *c, const struct webhook_cfg *w, long id, const char *body, char *err,
		 size_t errsz);

#endif
