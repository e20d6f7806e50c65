/*
 * Slow clients: libmicrohttpd's timeout restarts at every byte, so a client sending a byte
 * every few seconds holds a connection for ever, and 128 of them shut out the probes and the
 * dashboard. Every connection is watched here: a request's headers must arrive within
 * HEADER_SECONDS of the connection (or of its previous request), and an upload must keep an
 * average of at least MIN_BODY_RATE bytes a second after BODY_GRACE seconds. A connection
 * that does not is shut down (counted), whatever it sends.
 */
#ifndef HBMON_CONNWATCH_H
#define HBMON_CONNWATCH_H

#include <microhttpd.h>
#include <stdint.h>

#define CONNWATCH_HEADER_SECONDS 10.0
#define CONNWATCH_BODY_GRACE 10.0
#define CONNWATCH_MIN_BODY_RATE 4096.0 /* bytes a second: a batch over a slow 3G uplink */

struct connwatch_stats {
	uint64_t cut_headers, cut_body, open;
};

struct connwatch;

struct connwatch *connwatch_new(void);
void connwatch_free(struct connwatch *cw);

/* MHD_OPTION_NOTIFY_CONNECTION's callback (cls: the connwatch). */
void connwatch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		      enum MHD_ConnectionNotificationCode code);

/* A request's headers are in (the first call of the access handler). */
void connwatch_request(struct MHD_Connection *conn);
/* Upload bytes received; body_done: the body is complete (no more rate to keep). */
void connwatch_body(struct MHD_Connection *conn, size_t bytes);
void connwatch_body_done(struct MHD_Connection *conn);
/* The request is answered: the connection waits for the next one. */
void connwatch_idle(struct MHD_Connection *conn);

/* Shuts down the connections that are too slow; cheap enough to call every loop turn. */
void connwatch_sweep(struct connwatch *cw);
const struct connwatch_stats *connwatch_stats(const struct connwatch *cw);

#endif
