/* [webhook NAME] sections (webhookcfg.h). */
#include "webhookcfg.h"

#include <stdio.h>
#include <string.h>

#include "strbuf.h"

static int set(char *dst, size_t n, const char *v)
{
	size_t len = strlen(v);
	if (len >= n || !utf8_is_clean(v))
		return -1;
	memcpy(dst, v, len + 1);
	return 0;
}

static int url_ok(const char *u)
{
	if (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0)
		return 0;
	for (; *u; u++)
		if ((unsigned char)*u <= ' ' || *u == '"' || *u == '\'' || *u == 0x7f)
			return 0;
	return 1;
}

int webhookcfg_key(struct webhook_cfg *w, const char *key, const char *value, char *why,
		   size_t whysz)
{
	const char *expect = NULL;
	if (strcmp(key, "url") == 0) {
		if (set(w->url, sizeof(w->url), value) < 0 || !url_ok(w->url))
			expect = "http://… or https://…, without spaces or quotes";
	} else if (strcmp(key, "secret") == 0) {
		if (set(w->secret, sizeof(w->secret), value) < 0)
			expect = "a text of at most 255 bytes";
	} else if (strcmp(key, "communes") == 0) {
		if (set(w->communes, sizeof(w->communes), strcmp(value, "*") == 0 ? "" : value) < 0)
			expect = "commune names separated by ';' (or * for every commune)";
	} else if (strcmp(key, "district") == 0) {
		if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0)
			expect = "0 or 1";
		w->district = value[0] == '1';
	} else if (strcmp(key, "language") == 0) {
		if (strcmp(value, "vi") != 0 && strcmp(value, "en") != 0)
			expect = "vi or en";
		w->lang = strcmp(value, "en") == 0;
	} else if (strcmp(key, "ca_file") == 0) {
		if (set(w->ca_file, sizeof(w->ca_file), value) < 0)
			expect = "a file's path";
	} else {
		snprintf(why, whysz, "%s: unknown key in [webhook %s] (url, secret, communes, "
			 "district, language, ca_file)", key, w->name);
		return -1;
	}
	if (expect)
		snprintf(why, whysz, "%s: expected %s", key, expect);
	return expect ? -1 : 0;
}

int webhookcfg_check(const struct webhook_cfg *w, char *why, size_t whysz)
{
	if (!w->url[0])
		snprintf(why, whysz, "[webhook %s]: url is needed", w->name);
	else if (strlen(w->secret) < WEBHOOK_SECRET_MIN)
		snprintf(why, whysz, "[webhook %s]: secret: at least %d characters are needed (the "
			 "receiver checks each message's signature with it)", w->name,
			 WEBHOOK_SECRET_MIN);
	else
		return 0;
	return -1;
}

int webhookcfg_wants(const struct webhook_cfg *w, const char *commune)
{
	if (!commune)
		return w->district;
	if (!w->communes[0])
		return 1;
	size_t n = strlen(commune);
	for (const char *p = w->communes; *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && p[len - 1] == ' ')
			len--;
		if (len == n && strncmp(p, commune, n) == 0)
			return 1;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}
