#include "mailmsg.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int mail_base64(struct strbuf *out, const unsigned char *p, size_t len, int wrap)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[80];
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		line[o++] = tab[(v >> 18) & 63];
		line[o++] = tab[(v >> 12) & 63];
		line[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		line[o++] = i + 2 < len ? tab[v & 63] : '=';
		if (o >= 76 || i + 3 >= len) {
			strbuf_append(out, line, o);
			if (wrap)
				strbuf_puts(out, "\r\n");
			o = 0;
		}
	}
	return out->overflow ? -1 : 0;
}

/* Encoded-words of at most 75 characters, cut between UTF-8 characters, folded. */
static void encode_header(struct strbuf *out, const char *s)
{
	size_t len = strlen(s), i = 0;
	int first = 1;
	if (!len) {
		strbuf_puts(out, "\r\n");
		return;
	}
	while (i < len) {
		size_t n = len - i < 42 ? len - i : 42; /* "Subject: " + word ≤ 78 */
		while (n > 1 && i + n < len && ((unsigned char)s[i + n] & 0xC0) == 0x80)
			n--; /* not in the middle of a character */
		strbuf_puts(out, first ? "=?UTF-8?B?" : "\r\n =?UTF-8?B?");
		mail_base64(out, (const unsigned char *)s + i, n, 0);
		strbuf_puts(out, "?=");
		first = 0;
		i += n;
	}
	strbuf_puts(out, "\r\n");
}

int mailmsg_build(struct strbuf *out, const struct mail_in *m)
{
	char date[64];
	struct tm tm;
	localtime_r(&m->date, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	const char *dom = strchr(m->from, '@');
	strbuf_printf(out, "From: %s\r\nTo: %s\r\nSubject: ", m->from, m->to);
	encode_header(out, m->subject);
	strbuf_printf(out,
		      "Date: %s\r\nMessage-ID: <%lld.%lu.%ld%s>\r\nMIME-Version: 1.0\r\n"
		      "Content-Type: text/plain; charset=UTF-8\r\n"
		      "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n",
		      date, (long long)m->date, m->serial, (long)getpid(), dom ? dom : "@hbmon");
	/* CRLF line ends inside the body too, as mail readers expect */
	struct strbuf body;
	if (strbuf_init(&body, 4u << 20) < 0)
		return -1;
	for (const char *p = m->body; *p; p++) {
		if (*p == '\n' && (p == m->body || p[-1] != '\r'))
			strbuf_puts(&body, "\r\n");
		else
			strbuf_append(&body, p, 1);
	}
	mail_base64(out, (const unsigned char *)body.data, body.len, 1);
	strbuf_free(&body);
	return out->overflow ? -1 : 0;
}
