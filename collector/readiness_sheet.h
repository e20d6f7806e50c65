/*
 * The period's readiness as a planners' sheet (sheet.h: CSV, XLSX or JSON rows), made from the
 * tree history_run builds: one row per target, a site's targets then its commune's, in the
 * reader's words — from, to (the days judged), commune, site ("Toàn đơn vị" for a commune-wide
 * target), site type and target in words, need, the share of its working time with data it was
 * met (%; empty with no data), the result (Đạt / Chưa đạt / Chưa có dữ liệu), the data
 * coverage (%) and the severity. Used by /api/v1/readiness?format= and `hbmon-collector
 * export readiness`.
 */
#ifndef HBMON_READINESS_SHEET_H
#define HBMON_READINESS_SHEET_H

#include <stddef.h>

#include "i18n.h"
#include "sheet.h"

struct json_object;

/*
 * root: history_run's tree (not changed; the site types' words are in it, so this needs no
 * configuration and may run on the render thread). t, l: the catalogue and the reader's
 * language (headers, words, separators, dates). *data (malloc'd, the caller frees) and *len:
 * the file. 0, or -1 with err set (not a period tree, out of memory, the workbook failed).
 */
int readiness_sheet(struct json_object *root, const struct i18n *t, enum lang l,
		    enum sheet_format f, char **data, size_t *len, char *err, size_t errsz);

/* The file's name, ASCII: "hbmon-readiness_2026-11-01_2026-11-30.csv" (.xlsx, .json), the
 * first and last local days judged, as the sheet's from and to columns. 0, or -1 when root is
 * not a period tree or dst is too small. */
int readiness_sheet_filename(char *dst, size_t n, struct json_object *root, enum sheet_format f);

#endif
