#include "i18n.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "strbuf.h"

struct msg {
	char *key, *text;
};

struct catalogue {
	struct msg *m;
	size_t n, cap;
	struct ini_file *f; /* while it is read: errors name its path and line */
	int bad;
};

struct i18n {
	struct catalogue cat[LANG_COUNT];
};

static const char *const codes[LANG_COUNT] = {"vi", "en"};

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
	struct catalogue *c = user;
	(void)section;
	if (!utf8_is_clean(value)) {
		errlist_add(c->f->errs, "%s:%d: %s: not valid UTF-8 text, or it holds a control or "
			    "invisible character", c->f->path, c->f->line, key);
		c->bad = 1;
		return 1;
	}
	/* pages insert catalogue texts as they are: they must hold no markup */
	if (strpbrk(value, "<>&\"'")) {
		errlist_add(c->f->errs, "%s:%d: %s: texts may not contain < > & \" or '", c->f->path,
			    c->f->line, key);
		c->bad = 1;
		return 1;
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct msg *n = realloc(c->m, ncap * sizeof(*n));
		if (!n)
			return 0;
		c->m = n;
		c->cap = ncap;
	}
	c->m[c->n].key = strdup(key);
	c->m[c->n].text = strdup(value);
	if (!c->m[c->n].key || !c->m[c->n].text)
		return 0;
	c->n++;
	return 1;
}

struct i18n *i18n_load(const char *dir, struct errlist *errs)
{
	struct i18n *t = calloc(1, sizeof(*t));
	if (!t) {
		errlist_add(errs, "%s/i18n: out of memory", dir);
		return NULL;
	}
	for (int l = 0; l < LANG_COUNT; l++) {
		char path[4096];
		struct ini_file f;
		snprintf(path, sizeof(path), "%s/i18n/%s.ini", dir, codes[l]);
		t->cat[l].f = &f;
		int rc = ini_file_parse(&f, path, errs, on_entry, &t->cat[l]);
		t->cat[l].f = NULL;
		if (rc != 0 || t->cat[l].bad) {
			i18n_free(t);
			return NULL;
		}
	}
	return t;
}

void i18n_free(struct i18n *t)
{
	if (!t)
		return;
	for (int l = 0; l < LANG_COUNT; l++) {
		for (size_t i = 0; i < t->cat[l].n; i++) {
			free(t->cat[l].m[i].key);
			free(t->cat[l].m[i].text);
		}
		free(t->cat[l].m);
	}
	free(t);
}

static const char *find(const struct catalogue *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->m[i].key, key) == 0)
			return c->m[i].text;
	return NULL;
}

const char *i18n_get(const struct i18n *t, enum lang lang, const char *key)
{
	const char *s = find(&t->cat[lang], key);
	if (!s && lang != LANG_VI)
		s = find(&t->cat[LANG_VI], key);
	return s ? s : key;
}

enum lang lang_parse(const char *s, enum lang def)
{
	if (!s)
		return def;
	for (int l = 0; l < LANG_COUNT; l++)
		if (strcmp(s, codes[l]) == 0)
			return (enum lang)l;
	return def;
}

const char *lang_code(enum lang l) { return codes[l]; }
