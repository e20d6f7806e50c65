#include "readiness_sheet.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "texts.h"
#include "wire.h"

/* The columns: key (JSON), title (catalogue key), XLSX width. */
static const struct {
	const char *key, *title;
	int width;
} columns[] = {
	{"from", "csv.from", 11},	  {"to", "csv.to", 11},
	{"commune", "csv.commune", 22},	  {"site", "csv.site", 24},
	{"site_type", "csv.site_type", 22}, {"target", "csv.target", 44},
	{"need", "csv.need", 10},	  {"met_share", "csv.met_share", 14},
	{"result", "csv.met", 16},	  {"coverage", "csv.coverage", 12},
	{"severity", "csv.severity", 13},
};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

/* The first and last local days judged: [from_ts, to_ts) ends the day before to_ts's
 * midnight (or today, for a period judged up to now). -1 when root is not a period tree. */
static int period_days(json_object *root, time_t *first, time_t *last, json_object **dist)
{
	json_object *from;
	if (!json_object_object_get_ex(root, "district", dist) ||
	    !json_object_object_get_ex(*dist, "from_ts", &from))
		return -1;
	*first = (time_t)json_member_num(*dist, "from_ts");
	*last = (time_t)json_member_num(*dist, "to_ts");
	*last = *last > *first ? *last - 1 : *first;
	return 0;
}

/* A share of the tree (0–1, null with no data) in %. */
static double share_pct(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && v ? 100.0 * json_object_get_double(v) : NAN;
}

struct rs_ctx {
	struct sheet *s;
	const struct i18n *t;
	enum lang l;
	time_t first, last;
	struct strbuf words;
};

/* One target: so is its site, NULL for a commune-wide one. */
static void row(struct rs_ctx *x, json_object *co, json_object *so, json_object *to)
{
	char key[48];
	sheet_date(x->s, x->first);
	sheet_date(x->s, x->last);
	sheet_text(x->s, json_member_str(co, "name"));
	sheet_text(x->s, so ? json_member_str(so, "name")
			    : i18n_get(x->t, x->l, "report.commune_wide"));
	sheet_text(x->s, so ? text_tree_site_type(so, "type", x->l) : NULL);
	x->words.len = 0;
	x->words.overflow = 0;
	if (x->words.data)
		x->words.data[0] = '\0';
	text_period_target(&x->words, x->t, x->l, to, 0);
	sheet_text(x->s, x->words.data);
	/* a value target bounds every row: it needs no count */
	sheet_number(x->s, strcmp(json_member_str(to, "kind"), "metric") == 0
			       ? NAN
			       : json_member_num(to, "need"));
	sheet_percent(x->s, share_pct(to, "met_share"));
	snprintf(key, sizeof(key), "target.%s", json_member_str(to, "verdict"));
	sheet_text(x->s, i18n_get(x->t, x->l, key));
	sheet_percent(x->s, share_pct(to, "coverage"));
	snprintf(key, sizeof(key), "severity.%s", json_member_str(to, "severity"));
	sheet_text(x->s, i18n_get(x->t, x->l, key));
	sheet_end_row(x->s);
}

static void targets(struct rs_ctx *x, json_object *co, json_object *so)
{
	json_object *ts;
	if (json_object_object_get_ex(so ? so : co, "targets", &ts))
		for (size_t k = 0; k < json_object_array_length(ts); k++)
			row(x, co, so, json_object_array_get_idx(ts, k));
}

int readiness_sheet(json_object *root, const struct i18n *t, enum lang l, enum sheet_format f,
		    char **data, size_t *len, char *err, size_t errsz)
{
	struct rs_ctx x = {.t = t, .l = l};
	struct sheet_column cols[NCOLS];
	json_object *dist, *communes, *sites;
	*data = NULL;
	*len = 0;
	if (period_days(root, &x.first, &x.last, &dist) < 0 ||
	    !json_object_object_get_ex(root, "communes", &communes)) {
		snprintf(err, errsz, "not a period's readiness");
		return -1;
	}
	if (strbuf_init(&x.words, 4096) < 0 ||
	    !(x.s = sheet_new(f, l, i18n_get(t, l, "sheet.readiness")))) {
		strbuf_free(&x.words);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (size_t k = 0; k < NCOLS; k++)
		cols[k] = (struct sheet_column){columns[k].key, i18n_get(t, l, columns[k].title),
						columns[k].width};
	sheet_header(x.s, cols, NCOLS);
	for (size_t k = 0; k < json_object_array_length(communes); k++) {
		json_object *co = json_object_array_get_idx(communes, k);
		if (json_object_object_get_ex(co, "sites", &sites))
			for (size_t s = 0; s < json_object_array_length(sites); s++)
				targets(&x, co, json_object_array_get_idx(sites, s));
		targets(&x, co, NULL);
	}
	int rc = sheet_finish(x.s, data, len, err, errsz);
	sheet_free(x.s);
	strbuf_free(&x.words);
	return rc;
}

int readiness_sheet_filename(char *dst, size_t n, json_object *root, enum sheet_format f)
{
	time_t first, last;
	struct tm a, b;
	json_object *dist;
	if (period_days(root, &first, &last, &dist) < 0 || !localtime_r(&first, &a) ||
	    !localtime_r(&last, &b))
		return -1;
	int w = snprintf(dst, n, "hbmon-readiness_%04d-%02d-%02d_%04d-%02d-%02d.%s",
			 a.tm_year + 1900, a.tm_mon + 1, a.tm_mday, b.tm_year + 1900, b.tm_mon + 1,
			 b.tm_mday, sheet_format_ext(f));
	return w < 0 || (size_t)w >= n ? -1 : 0;
}
