#include "enums.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "profile.h"

#define MAX_SECTIONS 1024
#define MAX_VALUES 4096 /* per section: Printer-MIB's prtAlertCode names 707 */

struct enum_reader {
	struct enum_maps *e;
	struct ini_file ini;
	struct enum_map *cur; /* NULL: the section is skipped */
	char section[ENUM_NAME_MAX + 8];
	int started;
};

static void err_at(struct enum_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void err_at(struct enum_reader *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(r->ini.errs, "%s:%d: %s", r->ini.path, r->ini.line, msg);
}

/* A MIB object name (RFC 2578 section 3.1): a letter, then letters, digits or hyphens. */
static int valid_mib_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= ENUM_NAME_MAX || !isalpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static void begin_section(struct enum_reader *r, const char *section)
{
	snprintf(r->section, sizeof(r->section), "%s", section);
	r->started = 1;
	r->cur = NULL;
	if (!valid_mib_name(section)) {
		err_at(r, "[%.70s]: not a MIB object name (a letter, then letters, digits or -)",
		       section);
		return;
	}
	const struct enum_map *had = enums_find(r->e, section);
	if (had) {
		err_at(r, "[%s]: section given twice (first at %s)", section, had->where);
		return;
	}
	if (r->e->n == MAX_SECTIONS) {
		err_at(r, "[%s]: more than %d sections", section, MAX_SECTIONS);
		return;
	}
	if (r->e->n == r->e->cap) {
		size_t ncap = r->e->cap ? r->e->cap * 2 : 64;
		struct enum_map *m = realloc(r->e->m, ncap * sizeof(*m));
		if (!m)
			return;
		r->e->m = m;
		r->e->cap = ncap;
	}
	r->cur = &r->e->m[r->e->n++];
	memset(r->cur, 0, sizeof(*r->cur));
	snprintf(r->cur->mib, sizeof(r->cur->mib), "%s", section);
	snprintf(r->cur->where, sizeof(r->cur->where), "%.300s:%d", r->ini.path, r->ini.line);
	r->cur->line = r->ini.line;
}

/* The key as a number (oid NULL) or as a normalised OID (*oid malloc'd): 0, or -1. */
static int parse_key(const char *key, long *num, char **oid)
{
	*oid = NULL;
	if (!strchr(key, '.')) {
		char *end;
		errno = 0;
		long v = strtol(key, &end, 10);
		/* an SNMP INTEGER is 32 bits (RFC 2578 section 7.1.1) */
		if (!*key || *end || errno || v < INT32_MIN || v > INT32_MAX ||
		    !(isdigit((unsigned char)key[0]) || key[0] == '-'))
			return -1;
		*num = v;
		return 0;
	}
	struct prof_oid o;
	char buf[PROF_OID_MAX * 11 + 1];
	size_t off = 0;
	if (prof_oid_parse(&o, key) < 0)
		return -1;
	for (size_t i = 0; i < o.len; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%lu", i ? "." : "", o.sub[i]);
	*oid = strdup(buf);
	return *oid ? 0 : -1;
}

static int same_key(const struct enum_val *v, long num, const char *oid)
{
	return oid ? v->oid && strcmp(v->oid, oid) == 0 : !v->oid && v->num == num;
}

static void value_key(struct enum_reader *r, const char *key, const char *value)
{
	struct enum_map *m = r->cur;
	long num = 0;
	char *oid = NULL;
	if (parse_key(key, &num, &oid) < 0) {
		err_at(r, "%.60s: expected a number or a numeric OID = label", key);
		return;
	}
	if (m->n && (oid != NULL) != m->oid_keyed) {
		err_at(r, "%s: numbers and OIDs in one section [%s]", key, m->mib);
		goto drop;
	}
	for (size_t i = 0; i < m->n; i++)
		if (same_key(&m->v[i], num, oid)) {
			err_at(r, "%s: given twice in [%s]", key, m->mib);
			goto drop;
		}
	if (!wire_valid_label(value)) {
		err_at(r, "%s: \"%.70s\" is not a MIB label (a letter, then letters, digits, - or _, "
		       "under %d bytes)", key, value, WIRE_LABEL_MAX);
		goto drop;
	}
	if (m->n == MAX_VALUES) {
		err_at(r, "%s: more than %d values in [%s]", key, MAX_VALUES, m->mib);
		goto drop;
	}
	if (m->n == m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 8;
		struct enum_val *v = realloc(m->v, ncap * sizeof(*v));
		if (!v)
			goto drop;
		m->v = v;
		m->cap = ncap;
	}
	struct enum_val *v = &m->v[m->n++];
	v->num = num;
	v->oid = oid;
	m->oid_keyed = oid != NULL;
	snprintf(v->label, sizeof(v->label), "%s", value);
	return;
drop:
	free(oid);
}

static int handler(void *ctx, const char *section, const char *key, const char *value)
{
	struct enum_reader *r = ctx;
	if (!r->started || strcmp(section, r->section) != 0)
		begin_section(r, section);
	if (r->cur)
		value_key(r, key, value);
	return 1;
}

struct enum_maps *enums_load(const char *path, struct errlist *errs)
{
	struct enum_reader r;
	memset(&r, 0, sizeof(r));
	if (!(r.e = calloc(1, sizeof(*r.e))))
		return NULL;
	ini_file_parse(&r.ini, path, errs, handler, &r);
	return r.e;
}

void enums_free(struct enum_maps *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		for (size_t k = 0; k < e->m[i].n; k++)
			free(e->m[i].v[k].oid);
		free(e->m[i].v);
	}
	free(e->m);
	free(e);
}

const struct enum_map *enums_find(const struct enum_maps *e, const char *mib)
{
	for (size_t i = 0; e && i < e->n; i++)
		if (strcmp(e->m[i].mib, mib) == 0)
			return &e->m[i];
	return NULL;
}

const char *enum_label_num(const struct enum_map *m, long num)
{
	for (size_t i = 0; i < m->n; i++)
		if (!m->v[i].oid && m->v[i].num == num)
			return m->v[i].label;
	return "";
}

const char *enum_label_oid(const struct enum_map *m, const char *oid)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].oid && strcmp(m->v[i].oid, oid) == 0)
			return m->v[i].label;
	return "";
}
