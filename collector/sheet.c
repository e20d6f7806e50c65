#include "sheet.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "strbuf.h"
#include "texts.h"

/* Excel keeps at most 32,767 characters in a cell: a longer text is cut (on a character). */
#define SHEET_TEXT_MAX 32000
#define SHEET_NAME_MAX 31 /* characters in a workbook's tab name */

/* How days and times read: CSV text (when_text, literal formats for -Wformat-nonliteral)
 * and these XLSX number formats, per language. */
static const struct {
	const char *day, *time;
} xlsx_dates[LANG_COUNT] = {
	[LANG_VI] = {"dd/mm/yyyy", "dd/mm/yyyy hh:mm"},
	[LANG_EN] = {"yyyy-mm-dd", "yyyy-mm-dd hh:mm"},
};

static size_t when_text(char *buf, size_t n, enum sheet_format f, enum lang l, int with_time,
			const struct tm *tm)
{
	if (f == SHEET_JSON)
		return with_time ? strftime(buf, n, "%Y-%m-%dT%H:%M:%S%z", tm)
				 : strftime(buf, n, "%Y-%m-%d", tm);
	if (l == LANG_EN)
		return with_time ? strftime(buf, n, "%Y-%m-%d %H:%M", tm)
				 : strftime(buf, n, "%Y-%m-%d", tm);
	return with_time ? strftime(buf, n, "%d/%m/%Y %H:%M", tm) : strftime(buf, n, "%d/%m/%Y", tm);
}

/* CSV: the list separator and decimal mark Excel expects under the language's regional
 * settings (text_number writes the decimal mark). */
static const char csv_sep[LANG_COUNT] = {[LANG_VI] = ';', [LANG_EN] = ','};

struct sheet {
	enum sheet_format f;
	enum lang l;
	char name[SHEET_NAME_MAX * 4 + 1];
	const struct sheet_column *cols;
	size_t ncols;
	size_t col; /* the next cell's column */
	size_t row; /* rows written, the header's included */
	int failed;
	char why[200];
	struct strbuf csv;
	json_object *arr, *obj;
	char dir[PATH_MAX], path[PATH_MAX + 16];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *day, *time, *share;
};

static void fail(struct sheet *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct sheet *s, const char *fmt, ...)
{
	va_list ap;
	if (s->failed)
		return;
	s->failed = 1;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

int sheet_format_parse(const char *name, enum sheet_format *f)
{
	static const char *const names[] = {[SHEET_CSV] = "csv", [SHEET_XLSX] = "xlsx",
					    [SHEET_JSON] = "json"};
	for (size_t k = 0; name && k < sizeof(names) / sizeof(names[0]); k++)
		if (strcmp(name, names[k]) == 0) {
			*f = (enum sheet_format)k;
			return 0;
		}
	return -1;
}

const char *sheet_format_ext(enum sheet_format f)
{
	return f == SHEET_XLSX ? "xlsx" : f == SHEET_JSON ? "json" : "csv";
}

const char *sheet_content_type(enum sheet_format f)
{
	return f == SHEET_XLSX ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	       : f == SHEET_JSON ? "application/json"
				 : "text/csv; charset=utf-8";
}

/* A tab name Excel accepts: none of []:*?/\, no ' at either end, 31 characters at most. */
static void tab_name(char *dst, size_t dstsz, const char *name)
{
	size_t o = 0, chars = 0;
	for (const char *p = name ? name : ""; *p && o + 5 < dstsz; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c & 0xC0) != 0x80 && ++chars > SHEET_NAME_MAX) /* a character's first byte */
			break;
		dst[o] = strchr("[]:*?/\\", c) || (c == '\'' && o == 0) ? ' ' : (char)c;
		o++;
	}
	while (o && dst[o - 1] == '\'')
		o--;
	dst[o] = '\0';
	if (!o)
		snprintf(dst, dstsz, "hbmon");
}

/* The workbook, written later into a directory only this process may enter. */
static int xlsx_open(struct sheet *s)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(s->dir, sizeof(s->dir), "%s/hbmon-sheet-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->dir)) {
		s->dir[0] = '\0';
		fail(s, "a temporary directory for the workbook: %s", strerror(errno));
		return -1;
	}
	snprintf(s->path, sizeof(s->path), "%s/sheet.xlsx", s->dir);
	lxw_workbook_options opt = {.constant_memory = LXW_FALSE, .tmpdir = s->dir};
	if (!(s->wb = workbook_new_opt(s->path, &opt)) ||
	    !(s->ws = workbook_add_worksheet(s->wb, s->name)) ||
	    !(s->bold = workbook_add_format(s->wb)) || !(s->day = workbook_add_format(s->wb)) ||
	    !(s->time = workbook_add_format(s->wb)) || !(s->share = workbook_add_format(s->wb))) {
		fail(s, "the workbook could not be started (out of memory)");
		return -1;
	}
	format_set_bold(s->bold);
	format_set_num_format(s->day, xlsx_dates[s->l].day);
	format_set_num_format(s->time, xlsx_dates[s->l].time);
	format_set_num_format(s->share, "0.0");
	return 0;
}

struct sheet *sheet_new(enum sheet_format f, enum lang l, const char *name)
{
	struct sheet *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->f = f;
	s->l = l == LANG_EN ? LANG_EN : LANG_VI;
	tab_name(s->name, sizeof(s->name), name);
	if (f == SHEET_CSV) {
		if (strbuf_init(&s->csv, 0) < 0) {
			free(s);
			return NULL;
		}
		strbuf_puts(&s->csv, "\xEF\xBB\xBF"); /* the BOM: Excel reads UTF-8 only with it */
	} else if (f == SHEET_JSON) {
		if (!(s->arr = json_object_new_array())) {
			free(s);
			return NULL;
		}
	} else {
		xlsx_open(s); /* a failure is reported by sheet_finish */
	}
	return s;
}

/* The files of a workbook, gone; the library's temporary files are removed as it goes. */
static void xlsx_remove(struct sheet *s)
{
	if (s->path[0])
		unlink(s->path);
	if (s->dir[0])
		rmdir(s->dir);
	s->path[0] = s->dir[0] = '\0';
}

void sheet_free(struct sheet *s)
{
	if (!s)
		return;
	if (s->wb)
		lxw_workbook_free(s->wb); /* never closed: nothing was written */
	xlsx_remove(s);
	json_object_put(s->obj);
	json_object_put(s->arr);
	strbuf_free(&s->csv);
	free(s);
}

/* The next cell's column, or -1 past the last one (an error, told once). */
static long next_col(struct sheet *s)
{
	if (s->failed)
		return -1;
	if (s->col >= s->ncols) {
		fail(s, "row %zu: more cells than the %zu columns", s->row, s->ncols);
		return -1;
	}
	if (s->f == SHEET_CSV && s->col)
		strbuf_append(&s->csv, &csv_sep[s->l], 1);
	if (s->f == SHEET_JSON && !s->obj && !(s->obj = json_object_new_object())) {
		fail(s, "out of memory");
		return -1;
	}
	return (long)s->col++;
}

static void json_put(struct sheet *s, long c, json_object *v)
{
	json_object_object_add(s->obj, s->cols[c].key, v);
}

static void xlsx_check(struct sheet *s, lxw_error e)
{
	if (e != LXW_NO_ERROR)
		fail(s, "row %zu: %s", s->row, lxw_strerror(e));
}

/* A CSV text field: quoted, quotes doubled, a formula's first character made harmless. */
static void csv_text(struct strbuf *out, const char *t)
{
	strbuf_puts(out, "\"");
	if (t[0] && strchr("=+-@\t\r", t[0])) /* OWASP: a leading ' keeps it text */
		strbuf_puts(out, "'");
	for (const char *q; (q = strchr(t, '"')); t = q + 1) {
		strbuf_append(out, t, (size_t)(q - t + 1));
		strbuf_puts(out, "\"");
	}
	strbuf_puts(out, t);
	strbuf_puts(out, "\"");
}

/* The text of a cell, clean and within Excel's limit: t itself, or a copy in *copy. */
static const char *clean_text(const char *t, char **copy)
{
	size_t n = strlen(t);
	*copy = NULL;
	if (n <= SHEET_TEXT_MAX && utf8_is_clean(t))
		return t;
	size_t cap = 3 * n + 1 < SHEET_TEXT_MAX + 1 ? 3 * n + 1 : SHEET_TEXT_MAX + 1;
	if (!(*copy = malloc(cap)))
		return NULL;
	utf8_sanitize(*copy, cap, t, n);
	return *copy;
}

static void put_text(struct sheet *s, const char *text, lxw_format *fmt)
{
	long c = next_col(s);
	char *copy;
	if (c < 0 || !text || !*text) {
		if (c >= 0 && s->f == SHEET_JSON)
			json_put(s, c, NULL);
		return;
	}
	const char *t = clean_text(text, &copy);
	if (!t)
		fail(s, "out of memory");
	else if (s->f == SHEET_CSV)
		csv_text(&s->csv, t);
	else if (s->f == SHEET_JSON)
		json_put(s, c, json_object_new_string(t));
	else
		xlsx_check(s, worksheet_write_string(s->ws, (lxw_row_t)s->row, (lxw_col_t)c, t, fmt));
	free(copy);
}

void sheet_text(struct sheet *s, const char *text)
{
	put_text(s, text, NULL);
}

void sheet_header(struct sheet *s, const struct sheet_column *cols, size_t n)
{
	if (s->ncols || s->row) {
		fail(s, "the header comes once, first");
		return;
	}
	s->cols = cols;
	s->ncols = n;
	if (s->f == SHEET_JSON)
		return; /* the keys name the values */
	for (size_t k = 0; k < n; k++) {
		put_text(s, cols[k].title, s->bold);
		if (s->f == SHEET_XLSX && cols[k].width > 0 && !s->failed)
			xlsx_check(s, worksheet_set_column(s->ws, (lxw_col_t)k, (lxw_col_t)k,
							   cols[k].width, NULL));
	}
	if (s->f == SHEET_XLSX && !s->failed)
		worksheet_freeze_panes(s->ws, 1, 0);
	sheet_end_row(s);
}

/* A number already rounded as it should read: CSV with the language's decimal mark. */
static void put_number(struct sheet *s, double x, lxw_format *fmt)
{
	long c = next_col(s);
	char num[400]; /* DBL_MAX has 309 digits */
	if (c < 0 || isnan(x)) {
		if (c >= 0 && s->f == SHEET_JSON)
			json_put(s, c, NULL);
		return;
	}
	if (s->f == SHEET_XLSX) {
		xlsx_check(s, worksheet_write_number(s->ws, (lxw_row_t)s->row, (lxw_col_t)c, x, fmt));
		return;
	}
	text_number(num, sizeof(num), s->f == SHEET_JSON ? LANG_EN : s->l, x);
	if (s->f == SHEET_CSV)
		strbuf_puts(&s->csv, num);
	else if (x == floor(x) && fabs(x) < 9e15)
		json_put(s, c, json_object_new_int64((int64_t)x));
	else /* the rounded text, not the double's 17 digits */
		json_put(s, c, json_object_new_double_s(x, num));
}

/* One decimal at most, and never "-0". */
static double one_decimal(double x)
{
	double r = round(x * 10) / 10;
	return r == 0 ? 0 : r;
}

void sheet_number(struct sheet *s, double x)
{
	put_number(s, isfinite(x) ? one_decimal(x) : NAN, NULL);
}

void sheet_percent(struct sheet *s, double pct)
{
	put_number(s, isfinite(pct) ? text_percent_round(pct) : NAN, s->share);
}

static void put_when(struct sheet *s, time_t t, int with_time)
{
	long c = next_col(s);
	struct tm tm;
	char buf[64];
	if (c < 0 || !t || !localtime_r(&t, &tm)) {
		if (c >= 0 && s->f == SHEET_JSON)
			json_put(s, c, NULL);
		return;
	}
	if (s->f == SHEET_XLSX) {
		/* the local wall clock: a date cell has no time zone */
		lxw_datetime dt = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				   with_time ? tm.tm_hour : 0, with_time ? tm.tm_min : 0, 0};
		xlsx_check(s, worksheet_write_datetime(s->ws, (lxw_row_t)s->row, (lxw_col_t)c, &dt,
						       with_time ? s->time : s->day));
		return;
	}
	size_t n = when_text(buf, sizeof(buf), s->f, s->l, with_time, &tm);
	if (!n)
		fail(s, "row %zu: a date out of range", s->row);
	else if (s->f == SHEET_JSON)
		json_put(s, c, json_object_new_string(buf));
	else
		strbuf_puts(&s->csv, buf); /* unquoted: a date Excel reads as one */
}

void sheet_date(struct sheet *s, time_t t)
{
	put_when(s, t, 0);
}

void sheet_time(struct sheet *s, time_t t)
{
	put_when(s, t, 1);
}

void sheet_end_row(struct sheet *s)
{
	if (s->failed)
		return;
	while (s->col < s->ncols) /* every row has every column */
		if (s->f == SHEET_XLSX)
			s->col++;
		else
			put_text(s, NULL, NULL);
	if (s->f == SHEET_CSV)
		strbuf_puts(&s->csv, "\r\n");
	if (s->f == SHEET_JSON && s->obj) {
		json_object_array_add(s->arr, s->obj);
		s->obj = NULL;
	}
	s->col = 0;
	s->row++;
}

/* Closes the workbook (the library writes the file then) and reads it back. */
static int xlsx_finish(struct sheet *s, char **data, size_t *len)
{
	if (!s->failed && s->ncols)
		xlsx_check(s, worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)(s->row ? s->row - 1 : 0),
						   (lxw_col_t)(s->ncols - 1)));
	lxw_error e = workbook_close(s->wb); /* frees it, written or not */
	s->wb = NULL;
	if (s->failed)
		return -1;
	if (e != LXW_NO_ERROR) {
		fail(s, "the workbook could not be written: %s", lxw_strerror(e));
		return -1;
	}
	errno = 0;
	FILE *fp = fopen(s->path, "rb");
	struct stat st;
	if (!fp || fstat(fileno(fp), &st) < 0 || !(*data = malloc((size_t)st.st_size + 1)) ||
	    fread(*data, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
		fail(s, "%s: %s", s->path, errno ? strerror(errno) : "cannot be read back");
		if (fp)
			fclose(fp);
		free(*data);
		*data = NULL;
		return -1;
	}
	fclose(fp);
	*len = (size_t)st.st_size;
	return 0;
}

int sheet_finish(struct sheet *s, char **data, size_t *len, char *err, size_t errsz)
{
	*data = NULL;
	*len = 0;
	if (s->obj) /* a row not ended */
		sheet_end_row(s);
	if (s->f == SHEET_XLSX && s->wb && xlsx_finish(s, data, len) == 0) {
		xlsx_remove(s);
		return 0;
	}
	xlsx_remove(s);
	if (s->f == SHEET_CSV && !s->failed) {
		if (s->csv.overflow)
			fail(s, "the sheet is larger than %zu MiB", s->csv.limit >> 20);
		else if (!(*data = strbuf_take(&s->csv, len)))
			fail(s, "out of memory");
	}
	if (s->f == SHEET_JSON && !s->failed) {
		size_t n;
		const char *txt = json_object_to_json_string_length(
		    s->arr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
		if (!txt || !(*data = malloc(n + 2)))
			fail(s, "out of memory");
		else {
			memcpy(*data, txt, n);
			(*data)[n] = '\n';
			(*data)[n + 1] = '\0';
			*len = n + 1;
		}
	}
	if (s->f == SHEET_XLSX && !s->wb && !s->failed)
		fail(s, "the workbook could not be started");
	if (s->failed) {
		snprintf(err, errsz, "%s", s->why);
		free(*data);
		*data = NULL;
		*len = 0;
		return -1;
	}
	return 0;
}
