/*
 * Tables for planners' files: one header row and rows of typed cells, written as CSV that
 * opens right in Excel, as an XLSX workbook (libxlsxwriter), or as JSON for programs. Every
 * rule about how a cell reads lives here:
 *
 * - CSV: UTF-8 with a BOM (Excel otherwise reads Vietnamese as ANSI), CRLF line ends, every
 *   text cell quoted with its quotes doubled. In Vietnamese the list separator is ';' and the
 *   decimal mark ',' (what Excel expects under Vietnamese regional settings), in English ','
 *   and '.'. A text cell beginning with = + - @, a tab or a CR gets a leading ' so that no
 *   spreadsheet runs it as a formula (OWASP, "CSV injection"); numbers are written as numbers,
 *   unquoted, and never touched.
 * - Dates: dd/mm/yyyy in Vietnamese; yyyy-mm-dd in English, the one form every locale's Excel
 *   reads as a date (an American Excel takes 01/11/2026 for January 11th). Times add " hh:mm".
 * - Shares are percentages rounded to one decimal (96,5), a share short of 100 never 100.
 * - XLSX: numbers as numbers (format 0.0 for shares), dates as dates in the language's format,
 *   a bold frozen header row with a filter, column widths, the sheet named in the reader's
 *   language. Text is stored as text: a workbook never evaluates it, so it is not prefixed.
 * - JSON: an array of objects keyed by the columns' stable keys; shares rounded as above,
 *   dates "2026-11-01", times "2026-11-01T08:12:00+0700", an empty cell null.
 * Text of any cell that is not clean UTF-8 (control or invisible characters, broken bytes) is
 * written with those replaced by U+FFFD, as everywhere text leaves the collector.
 */
#ifndef HBMON_SHEET_H
#define HBMON_SHEET_H

#include <stddef.h>
#include <time.h>

#include "i18n.h"

enum sheet_format { SHEET_CSV, SHEET_XLSX, SHEET_JSON };

/* "csv", "xlsx", "json": 0 with *f set, or -1. */
int sheet_format_parse(const char *name, enum sheet_format *f);
/* The file name extension (no dot): "csv", "xlsx", "json". */
const char *sheet_format_ext(enum sheet_format f);
/* The HTTP Content-Type: "text/csv; charset=utf-8", the OOXML workbook's, "application/json". */
const char *sheet_content_type(enum sheet_format f);

struct sheet_column {
	const char *key;   /* JSON's stable key: "commune", "met_share" */
	const char *title; /* the header cell, in the reader's words */
	int width;         /* XLSX column width in characters; 0: the default */
};

struct sheet;

/* A new table; name: the XLSX sheet's tab (cut to 31 characters, []:*?/\ replaced). NULL when
 * memory runs out. */
struct sheet *sheet_new(enum sheet_format f, enum lang l, const char *name);
void sheet_free(struct sheet *s);

/* The columns, once, before any row: the header row (CSV, XLSX), the keys (JSON). The array
 * must outlive the sheet (a static table). */
void sheet_header(struct sheet *s, const struct sheet_column *cols, size_t n);

/* The cells of a row, left to right, then sheet_end_row. A row may end early (the rest is
 * empty); a cell past the last column is an error sheet_finish reports. */
void sheet_text(struct sheet *s, const char *text); /* NULL or "": an empty cell */
void sheet_number(struct sheet *s, double x);       /* one decimal at most; NaN: empty */
void sheet_percent(struct sheet *s, double pct);    /* a share in % (0–100); NaN: empty */
void sheet_date(struct sheet *s, time_t t);         /* the local day; 0: empty */
void sheet_time(struct sheet *s, time_t t);         /* the local day and time; 0: empty */
void sheet_end_row(struct sheet *s);

/*
 * The file: *data (malloc'd, the caller frees it) and *len. XLSX is written by libxlsxwriter
 * into a private directory (mkdtemp under $TMPDIR or /tmp), read back and removed. 0, or -1
 * with err set (out of memory, too large, the library's error). The sheet is then spent:
 * free it.
 */
int sheet_finish(struct sheet *s, char **data, size_t *len, char *err, size_t errsz);

#endif
