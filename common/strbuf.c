#include "strbuf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int strbuf_init(struct strbuf *sb, size_t limit)
{
	memset(sb, 0, sizeof(*sb));
	sb->limit = limit ? limit : (size_t)64 << 20;
	sb->cap = 256;
	sb->data = malloc(sb->cap);
	if (!sb->data)
		return -1;
	sb->data[0] = '\0';
	return 0;
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->data);
	memset(sb, 0, sizeof(*sb));
}

char *strbuf_take(struct strbuf *sb, size_t *len)
{
	char *d = sb->data;
	if (len)
		*len = sb->len;
	sb->data = NULL;
	sb->len = sb->cap = 0;
	return d;
}

static int reserve(struct strbuf *sb, size_t extra)
{
	if (sb->overflow || !sb->data)
		return -1;
	if (extra > sb->limit - sb->len) {
		sb->overflow = 1;
		return -1;
	}
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	size_t ncap = sb->cap;
	while (ncap < need)
		ncap *= 2;
	char *n = realloc(sb->data, ncap);
	if (!n) {
		sb->overflow = 1;
		return -1;
	}
	sb->data = n;
	sb->cap = ncap;
	return 0;
}

int strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
	if (reserve(sb, n) < 0)
		return -1;
	memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
	return 0;
}

int strbuf_puts(struct strbuf *sb, const char *s) { return strbuf_append(sb, s, strlen(s)); }

int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(sb, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_html(struct strbuf *sb, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		const char *rep;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		if (strbuf_append(sb, run, (size_t)(s - run)) < 0 || strbuf_puts(sb, rep) < 0)
			return -1;
		run = s + 1;
	}
	return strbuf_append(sb, run, (size_t)(s - run));
}

int strbuf_json(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;
	if (strbuf_append(sb, "\"", 1) < 0)
		return -1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char rep[7] = "\\";
		size_t n = 2;
		if (c == '"' || c == '\\')
			rep[1] = (char)c;
		else if (c < 0x20) {
			memcpy(rep, "\\u00", 4);
			rep[4] = hex[c >> 4];
			rep[5] = hex[c & 15];
			n = 6;
		} else
			continue;
		if (strbuf_append(sb, run, (size_t)(s - run)) < 0 || strbuf_append(sb, rep, n) < 0)
			return -1;
		run = s + 1;
	}
	if (strbuf_append(sb, run, (size_t)(s - run)) < 0)
		return -1;
	return strbuf_append(sb, "\"", 1);
}

int strbuf_url(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			if (strbuf_append(sb, (const char *)&c, 1) < 0)
				return -1;
		} else {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			if (strbuf_append(sb, e, 3) < 0)
				return -1;
		}
	}
	return 0;
}

/*
 * Characters that change how the text around them reads without being seen: bidirectional
 * overrides and isolates (a device name "abc\u202Egpj.exe"), zero-width characters, a BOM
 * inside text. Shown as U+FFFD, as controls are.
 */
static int utf8_invisible(uint32_t cp)
{
	return cp == 0x061C || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x2064) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF ||
	       (cp >= 0xFFF9 && cp <= 0xFFFB);
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid (RFC 3629);
 * *cp is its code point. */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cpo)
{
	*cpo = s[0];
	if (s[0] < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates and beyond U+10FFFF are invalid */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	/* C1 controls */
	if (cp >= 0x80 && cp < 0xA0)
		return 0;
	*cpo = cp;
	return len;
}

size_t utf8_sanitize(char *dst, size_t dstsz, const char *src, size_t n)
{
	static const char repl[] = "\xEF\xBF\xBD";
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0, i = 0;

	if (dstsz == 0)
		return 0;
	while (i < n) {
		uint32_t cp;
		size_t l = utf8_seq(s + i, n - i, &cp);
		const char *out = (const char *)s + i;
		size_t outlen = l;
		if (l == 0 || (l == 1 && (s[i] < 0x20 || s[i] == 0x7F)) || utf8_invisible(cp)) {
			out = repl;
			outlen = 3;
			l = l ? l : 1; /* an invisible character is replaced whole, a bad byte alone */
		}
		if (o + outlen >= dstsz)
			break;
		memcpy(dst + o, out, outlen);
		o += outlen;
		i += l;
	}
	dst[o] = '\0';
	return o;
}

int utf8_is_clean(const char *s)
{
	size_t n = strlen(s);
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_seq(u + i, n - i, &cp);
		if (l == 0 || (l == 1 && (u[i] < 0x20 || u[i] == 0x7F)) || utf8_invisible(cp))
			return 0;
		i += l;
	}
	return 1;
}

size_t hex_encode(char *dst, size_t dstsz, const unsigned char *src, size_t n)
{
	static const char digit[] = "0123456789abcdef";
	size_t k = 0;
	if (dstsz == 0)
		return 0;
	for (; k < n && 2 * k + 2 < dstsz; k++) {
		dst[2 * k] = digit[src[k] >> 4];
		dst[2 * k + 1] = digit[src[k] & 15];
	}
	dst[2 * k] = '\0';
	return k;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long hex_decode(unsigned char *dst, size_t max, const char *s)
{
	size_t n = 0;
	for (; s[0]; s += 2) {
		int hi = hex_digit(s[0]), lo = s[1] ? hex_digit(s[1]) : -1;
		if (hi < 0 || lo < 0 || n == max)
			return -1;
		dst[n++] = (unsigned char)(hi << 4 | lo);
	}
	return (long)n;
}

int str_copy(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);
	if (dstsz == 0)
		return -1;
	if (n >= dstsz) {
		memcpy(dst, src, dstsz - 1);
		dst[dstsz - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	if (!s || !*s || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int parse_u64(const char *s, unsigned long long *out)
{
	char *end;
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

const char *list_next(const char **rest, size_t *len)
{
	const char *s = *rest;
	while (*s == ' ' || *s == ',')
		s++;
	if (!*s)
		return NULL;
	*len = strcspn(s, ", ");
	*rest = s + *len;
	return s;
}
