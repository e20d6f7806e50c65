/*
 * The IEEE OUI registry (oui.h), parsed with libcsv: organisation names hold commas and
 * quotes. Names live in one pool; the array holds (prefix, offset) pairs, sorted once.
 */
#include "oui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>

#include "strbuf.h"

struct oui_ent {
	uint32_t prefix; /* the first three bytes, big-endian in the low 24 bits */
	uint32_t name;   /* offset in pool; also the row order, for duplicates */
};

struct oui_table {
	struct oui_ent *e;
	size_t n, cap;
	char *pool;
	size_t plen, pcap;
	struct oui_stats st;
};

/* One row being read: only the first three fields are kept, each bounded. */
struct oui_reader {
	struct oui_table *t;
	size_t nfield, rows;
	char registry[16]; /* "Registry" (the header), "MA-L" */
	char assign[8];
	char name[OUI_NAME_MAX];
	int oom;
};

static void bounded_field(char *dst, size_t dstsz, const char *s, size_t len)
{
	/* longer than any valid value: left empty, so the row is rejected */
	if (len >= dstsz)
		len = 0;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static void on_field(void *s, size_t len, void *data)
{
	struct oui_reader *r = data;
	switch (r->nfield++) {
	case 0: bounded_field(r->registry, sizeof(r->registry), s, len); break;
	case 1: bounded_field(r->assign, sizeof(r->assign), s, len); break;
	case 2: {
		size_t l = utf8_sanitize(r->name, sizeof(r->name), s, len);
		while (l && r->name[l - 1] == ' ')
			r->name[--l] = '\0';
		break;
	}
	default: break;
	}
}

/* "00D0EF" into *out; 0, or -1 when it is not exactly six hex digits. */
static int parse_hex6(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 6; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
					       : -1;
		if (d < 0)
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	if (s[6])
		return -1;
	*out = v;
	return 0;
}

static int add_entry(struct oui_table *t, uint32_t prefix, const char *name)
{
	size_t l = strlen(name) + 1;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		struct oui_ent *ne = realloc(t->e, cap * sizeof(*ne));
		if (!ne)
			return -1;
		t->e = ne;
		t->cap = cap;
	}
	if (t->pcap - t->plen < l) {
		size_t cap = t->pcap ? t->pcap * 2 : 65536;
		char *np = realloc(t->pool, cap);
		if (!np)
			return -1;
		t->pool = np;
		t->pcap = cap;
	}
	memcpy(t->pool + t->plen, name, l);
	t->e[t->n].prefix = prefix;
	t->e[t->n++].name = (uint32_t)t->plen;
	t->plen += l;
	return 0;
}

static void on_row(int c, void *data)
{
	(void)c;
	struct oui_reader *r = data;
	size_t nf = r->nfield;
	uint32_t prefix;
	r->nfield = 0;
	if (r->rows++ == 0 && strcmp(r->registry, "Registry") == 0)
		return; /* the header */
	if (nf <= 1 && !r->registry[0])
		return; /* a blank line */
	if (nf < 3 || parse_hex6(r->assign, &prefix) < 0 || !r->name[0] ||
	    strcmp(r->registry, "MA-L") != 0 || r->t->n >= OUI_ENTRIES_MAX) {
		r->t->st.malformed++;
	} else if (add_entry(r->t, prefix, r->name) < 0) {
		r->oom = 1;
	}
	r->registry[0] = r->assign[0] = r->name[0] = '\0';
}

static int cmp_ent(const void *a, const void *b)
{
	const struct oui_ent *x = a, *y = b;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (x->name > y->name) - (x->name < y->name);
}

/* Sorted by prefix, the first row of a prefix kept. */
static void sort_dedupe(struct oui_table *t)
{
	if (!t->n)
		return;
	qsort(t->e, t->n, sizeof(*t->e), cmp_ent);
	size_t kept = 1;
	for (size_t i = 1; i < t->n; i++) {
		if (t->e[i].prefix == t->e[kept - 1].prefix)
			t->st.duplicates++;
		else
			t->e[kept++] = t->e[i];
	}
	t->n = kept;
}

/* Feeds the open file to libcsv. 0, or -1 when out of memory. */
static int read_rows(struct oui_table *t, FILE *f, const char *path)
{
	struct csv_parser p;
	struct oui_reader r;
	char buf[65536];
	size_t got;
	memset(&r, 0, sizeof(r));
	r.t = t;
	/* not strict: a stray quote in one organisation's name must not end the whole read */
	if (csv_init(&p, 0) != 0)
		return -1;
	while (!r.oom && (got = fread(buf, 1, sizeof(buf), f)) > 0)
		if (csv_parse(&p, buf, got, on_field, on_row, &r) != got)
			r.oom = 1; /* only a failed allocation stops a lenient parse */
	if (ferror(f))
		snprintf(t->st.error, sizeof(t->st.error), "%s: read error", path);
	csv_fini(&p, on_field, on_row, &r);
	csv_free(&p);
	return r.oom ? -1 : 0;
}

struct oui_table *oui_load(const char *path)
{
	struct oui_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	FILE *f = fopen(path, "rb");
	struct stat sb;
	if (!f) {
		if (errno == ENOENT)
			t->st.missing = 1;
		else
			snprintf(t->st.error, sizeof(t->st.error), "%s: %s", path, strerror(errno));
		return t;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > OUI_FILE_MAX) {
		snprintf(t->st.error, sizeof(t->st.error), "%s: not a regular file under %u MiB",
			 path, OUI_FILE_MAX >> 20);
		fclose(f);
		return t;
	}
	int rc = read_rows(t, f, path);
	fclose(f);
	if (rc < 0) {
		oui_free(t);
		return NULL;
	}
	sort_dedupe(t);
	t->st.entries = t->n;
	return t;
}

void oui_free(struct oui_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->pool);
	free(t);
}

const struct oui_stats *oui_stats(const struct oui_table *t) { return &t->st; }

const char *oui_lookup(const struct oui_table *t, const uint8_t mac[6])
{
	if (!t || !t->n || (mac[0] & 0x03))
		return NULL;
	struct oui_ent key = {(uint32_t)mac[0] << 16 | (uint32_t)mac[1] << 8 | mac[2], 0};
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->e[mid].prefix < key.prefix)
			lo = mid + 1;
		else if (t->e[mid].prefix > key.prefix)
			hi = mid;
		else
			return t->pool + t->e[mid].name;
	}
	return NULL;
}
