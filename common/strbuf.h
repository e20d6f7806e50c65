/* A growable byte buffer with a hard cap, and the escapes used where text leaves the daemon. */
#ifndef HBMON_STRBUF_H
#define HBMON_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *data;   /* always NUL-terminated when len > 0 or after strbuf_init */
	size_t len;
	size_t cap;   /* allocated */
	size_t limit; /* appends beyond this fail and set overflow */
	int overflow; /* sticky: some append was refused (cap reached or no memory) */
};

/* limit: largest content size accepted (0 = 64 MiB). Returns 0, -1 on no memory. */
int strbuf_init(struct strbuf *sb, size_t limit);
void strbuf_free(struct strbuf *sb);
/* Detaches the data (caller frees); the buffer is left empty. */
char *strbuf_take(struct strbuf *sb, size_t *len);
int strbuf_append(struct strbuf *sb, const char *s, size_t n);
int strbuf_puts(struct strbuf *sb, const char *s);
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' escaped for HTML text and attribute values. */
int strbuf_html(struct strbuf *sb, const char *s);
/* Appends s as a JSON string literal (quotes, backslashes and controls escaped; s is UTF-8). */
int strbuf_json(struct strbuf *sb, const char *s);
/* Appends s percent-encoded for a URL path segment or query value. */
int strbuf_url(struct strbuf *sb, const char *s);

/*
 * Copies untrusted bytes (src, n) into dst (size dstsz) as valid UTF-8 text: invalid sequences,
 * control characters and invisible format characters (bidi overrides, zero-width) become
 * U+FFFD so they stay visible, never interpreted. Truncates on a character boundary. Returns
 * the length written.
 */
size_t utf8_sanitize(char *dst, size_t dstsz, const char *src, size_t n);
/* 1 if s (NUL-terminated) is valid UTF-8 without control or invisible format characters. */
int utf8_is_clean(const char *s);

/*
 * Binary octets as text for the wire (a MAC address, a BITS value): two lower-case hex digits a
 * byte, no separator, as many whole bytes as dst holds (dstsz - 1 digits, even). Returns the
 * bytes written; the rest of src is left out, so a reader checking a length sees it differ.
 */
size_t hex_encode(char *dst, size_t dstsz, const unsigned char *src, size_t n);
/* The bytes of hex text s (an even count of hex digits, either case, nothing else) into dst
 * (room for max): the count, or -1 when s is no such text or holds more than max bytes. */
long hex_decode(unsigned char *dst, size_t max, const char *s);

/* Bounded copy that always terminates; returns -1 if truncated. */
int str_copy(char *dst, size_t dstsz, const char *src);
/* The next item of a list separated by commas and spaces ("mon,tue, fri"): returns it with
 * its length in *len and moves *rest past it; NULL at the end. */
const char *list_next(const char **rest, size_t *len);
/* Overflow-checked decimal parsing of the whole string; returns 0 or -1. */
int parse_long(const char *s, long min, long max, long *out);
int parse_u64(const char *s, unsigned long long *out);

#endif
