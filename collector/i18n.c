#include "i18n.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "strbuf.h"

struct msg {
	char *key, *text;
	char *raw; /* the text as written, when it holds unit words ({member}...): else NULL */
	int line;
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
	c->m[c->n].raw = strchr(value, '{') ? strdup(value) : NULL;
	c->m[c->n].line = c->f->line;
	if (!c->m[c->n].key || !c->m[c->n].text || (strchr(value, '{') && !c->m[c->n].raw))
		return 0;
	c->n++;
	return 1;
}

static int by_key(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;
	int d = strcmp(x->key, y->key);
	return d ? d : x->line - y->line;
}

/* Sorted by key for a binary search (a catalogue holds over a thousand texts, and pages and
 * mails look up hundreds); a key given twice is an error, not a silent choice. */
static int sort_keys(struct catalogue *c, const char *path, struct errlist *errs)
{
	if (c->n)
		qsort(c->m, c->n, sizeof(*c->m), by_key);
	int bad = 0;
	for (size_t i = 1; i < c->n; i++)
		if (strcmp(c->m[i - 1].key, c->m[i].key) == 0) {
			errlist_add(errs, "%s:%d: %s: given twice (first on line %d)", path,
				    c->m[i].line, c->m[i].key, c->m[i - 1].line);
			bad = 1;
		}
	return bad ? -1 : 0;
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
		if (rc != 0 || t->cat[l].bad || sort_keys(&t->cat[l], path, errs) < 0) {
			i18n_free(t);
			return NULL;
		}
	}
	/* the words of a district until the configuration says otherwise */
	static const char *const top[LANG_COUNT] = {"huyện", "district"};
	static const char *const member[LANG_COUNT] = {"xã", "commune"};
	if (i18n_set_units(t, top, member, errs) < 0) {
		i18n_free(t);
		return NULL;
	}
	return t;
}

void i18n_capitalised(char *dst, size_t n, const char *word)
{
	snprintf(dst, n, "%s", word);
	if (dst[0] >= 'a' && dst[0] <= 'z')
		dst[0] = (char)(dst[0] - 'a' + 'A');
	else if ((unsigned char)dst[0] == 0xC4 && (unsigned char)dst[1] == 0x91) /* đ U+0111 */
		dst[1] = (char)0x90;                                             /* Đ U+0110 */
}

/* text with each {name} of the unit words replaced: a new string, or NULL out of memory. */
static char *with_units(const char *text, const char *const words[][2], size_t nwords)
{
	struct strbuf sb;
	if (strbuf_init(&sb, 64 * 1024) < 0)
		return NULL;
	for (const char *p = text; *p;) {
		size_t i = 0;
		while (i < nwords && strncmp(p, words[i][0], strlen(words[i][0])) != 0)
			i++;
		if (i < nwords) {
			strbuf_puts(&sb, words[i][1]);
			p += strlen(words[i][0]);
		} else {
			strbuf_append(&sb, p++, 1);
		}
	}
	size_t len;
	return sb.overflow ? (strbuf_free(&sb), NULL) : strbuf_take(&sb, &len);
}

int i18n_set_units(struct i18n *t, const char *const top[LANG_COUNT],
		   const char *const member[LANG_COUNT], struct errlist *errs)
{
	for (int l = 0; l < LANG_COUNT; l++) {
		char top_cap[64], member_cap[64];
		if (strpbrk(top[l], "<>&\"'{}") || strpbrk(member[l], "<>&\"'{}")) {
			errlist_add(errs, "[units] top_%s, member_%s: words without < > & \" ' { }",
				    codes[l], codes[l]);
			return -1;
		}
		i18n_capitalised(top_cap, sizeof(top_cap), top[l]);
		i18n_capitalised(member_cap, sizeof(member_cap), member[l]);
		const char *const words[][2] = {{"{top}", top[l]}, {"{Top}", top_cap},
						{"{member}", member[l]}, {"{Member}", member_cap}};
		for (size_t i = 0; i < t->cat[l].n; i++) {
			struct msg *m = &t->cat[l].m[i];
			if (!m->raw)
				continue;
			char *n = with_units(m->raw, words, sizeof(words) / sizeof(words[0]));
			if (!n) {
				errlist_add(errs, "%s: out of memory", m->key);
				return -1;
			}
			free(m->text);
			m->text = n;
		}
	}
	return 0;
}

void i18n_free(struct i18n *t)
{
	if (!t)
		return;
	for (int l = 0; l < LANG_COUNT; l++) {
		for (size_t i = 0; i < t->cat[l].n; i++) {
			free(t->cat[l].m[i].key);
			free(t->cat[l].m[i].text);
			free(t->cat[l].m[i].raw);
		}
		free(t->cat[l].m);
	}
	free(t);
}

static const char *find(const struct catalogue *c, const char *key)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(key, c->m[mid].key);
		if (!d)
			return c->m[mid].text;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *i18n_get(const struct i18n *t, enum lang lang, const char *key)
{
	const char *s = find(&t->cat[lang], key);
	if (!s && lang != LANG_VI)
		s = find(&t->cat[LANG_VI], key);
	return s ? s : key;
}

int i18n_has(const struct i18n *t, const char *key) { return find(&t->cat[LANG_VI], key) != NULL; }

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
