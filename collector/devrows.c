#include "devrows.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A value worth keeping: a number that is one (no infinity, no NaN), or a text. */
static int kept(const struct metric_val *m)
{
	return m->kind != MV_GAUGE || isfinite(m->gauge);
}

/* Bytes the texts of the rows take, each with its NUL. */
static size_t text_bytes(const struct group_row *rows, size_t n, size_t *nvals)
{
	size_t b = 0;
	for (size_t i = 0; i < n; i++) {
		const struct group_row *r = &rows[i];
		b += strlen(r->group) + strlen(wire_row_index(r)) + strlen(r->label) + 3;
		for (size_t k = 0; k < r->nvals; k++) {
			const struct metric_val *m = &r->vals[k];
			const char *label = wire_row_label(r, m->name);
			if (!kept(m))
				continue;
			(*nvals)++;
			b += strlen(m->name) + 1 + (m->kind == MV_TEXT ? strlen(m->text) + 1 : 0) +
			     (label ? strlen(label) + 1 : 0);
		}
	}
	return b;
}

/* Copies s into the text area at *p: the copy. */
static const char *put(char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = memcpy(*p, s, n);
	*p += n;
	return d;
}

/* One row's values, numbers first then counters then texts (the order pages show them in). */
static size_t fill_vals(struct devrow_val *v, const struct group_row *r, char **text)
{
	size_t n = 0;
	for (int kind = MV_GAUGE; kind <= MV_TEXT; kind++)
		for (size_t k = 0; k < r->nvals; k++) {
			const struct metric_val *m = &r->vals[k];
			if ((int)m->kind != kind || !kept(m))
				continue;
			const char *label = wire_row_label(r, m->name);
			v[n].name = put(text, m->name);
			v[n].text = kind == MV_TEXT ? put(text, m->text) : NULL;
			v[n].label = label ? put(text, label) : NULL;
			v[n].num = kind == MV_GAUGE ? m->gauge
				   : kind == MV_COUNTER ? (double)m->counter : 0;
			v[n].kind = m->kind;
			n++;
		}
	return n;
}

int devrows_set(struct devrows *dst, const struct group_row *rows, size_t n)
{
	size_t nvals = 0, tb = text_bytes(rows, n, &nvals);
	devrows_free(dst);
	if (!n)
		return 0;
	size_t rb = n * sizeof(struct devrow), vb = nvals * sizeof(struct devrow_val);
	char *mem = malloc(rb + vb + tb);
	if (!mem)
		return -1;
	struct devrow *row = (struct devrow *)(void *)mem;
	struct devrow_val *val = (struct devrow_val *)(void *)(mem + rb);
	char *text = mem + rb + vb;
	for (size_t i = 0; i < n; i++) {
		row[i].group = put(&text, rows[i].group);
		row[i].index = put(&text, wire_row_index(&rows[i]));
		row[i].label = put(&text, rows[i].label);
		row[i].nostore = rows[i].nostore;
		row[i].vals = val;
		row[i].nvals = fill_vals(val, &rows[i], &text);
		val += row[i].nvals;
	}
	dst->row = row;
	dst->nrows = n;
	dst->mem = mem;
	return 0;
}

void devrows_free(struct devrows *r)
{
	free(r->mem);
	memset(r, 0, sizeof(*r));
}

const struct devrow_val *devrow_find(const struct devrow *row, const char *name)
{
	for (size_t k = 0; k < row->nvals; k++)
		if (strcmp(row->vals[k].name, name) == 0)
			return &row->vals[k];
	return NULL;
}
