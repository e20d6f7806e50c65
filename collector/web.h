/*
 * The collector's HTTP server (libmicrohttpd), driven from the collector's event loop:
 * dashboard pages, device pages and graphs, the JSON API, /metrics and the ingest endpoint.
 * URLs never become file paths: devices are found by their encoded names in the inventory.
 */
#ifndef HBMON_WEB_H
#define HBMON_WEB_H

#include <sys/select.h>

#include "collector.h"

struct web;

struct web *web_start(struct collector *c, char *err, size_t errsz);
void web_stop(struct web *w);
void web_fdset(struct web *w, int *maxfd, fd_set *r, fd_set *wr, fd_set *e, struct timeval *tv);
void web_dispatch(struct web *w, fd_set *r, fd_set *wr, fd_set *e);

/* Ingest bodies still being decoded off the loop: stopping waits for them. */
size_t web_pending(struct web *w);

/* Runs the server alone for up to ms milliseconds so that queued answers go out. */
void web_drain(struct web *w, int ms);

#endif
