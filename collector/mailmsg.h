/*
 * Alert mail as RFC 5322 text: UTF-8 subject as RFC 2047 encoded-words, body in base64, so
 * no byte of device-provided text (sysName, sysDescr, ...) can reach a header or end a line.
 */
#ifndef HBMON_MAILMSG_H
#define HBMON_MAILMSG_H

#include <time.h>

#include "strbuf.h"

struct mail_in {
	const char *from, *to; /* checked addresses (config_emails) */
	const char *subject;   /* UTF-8, any bytes */
	const char *body;      /* UTF-8 text, lines end with \n */
	time_t date;
	unsigned long serial;  /* with date and pid: a unique Message-ID */
};

int mailmsg_build(struct strbuf *out, const struct mail_in *m);
/* Appends base64 of len bytes, lines of at most 76 characters ending in CRLF when wrap. */
int mail_base64(struct strbuf *out, const unsigned char *p, size_t len, int wrap);

#endif
