/*
 * The period report's charts, drawn on the server as inline SVG. The page runs no script and
 * the Content-Security-Policy (style-src 'self') allows no style attribute nor <style>
 * element: shapes carry presentation attributes (fill=, stroke=) and the classes style.css
 * defines. Every text is escaped; a label too long for its column is cut with "…" (the whole
 * of it in the bar's <title>). Each SVG is well-formed XML on its own.
 */
#ifndef HBMON_REPORTCHART_H
#define HBMON_REPORTCHART_H

#include <stddef.h>

#include "strbuf.h"

/* Bars in one SVG at most: a longer list is drawn as several, each fitting a printed page
 * (a district of 150 communes: four). */
#define CHART_BARS_PER_SVG 40

/* One bar of a share chart. Texts are unescaped UTF-8, borrowed for the call. */
struct chart_bar {
	const char *label; /* a commune's name */
	double pct;        /* 0..100; NaN: no data, no bar */
	const char *value; /* the figure after the bar, as the page writes it: "96,5 %", "—" */
	const char *cls;   /* "met", "missed" or "nodata": its colour */
};

/* Horizontal bars of shares in the order given, on a 0–100 % scale, with a dashed guide line
 * at guide % labelled guide_text (e.g. "99 %"); title: each SVG's accessible name. 0, or -1
 * when o overflowed. */
int chart_share_bars(struct strbuf *o, const char *title, const struct chart_bar *bars,
		     size_t n, double guide, const char *guide_text);

/* One row of a count chart: communes meeting a kind of target, missing it, without data. */
struct chart_count {
	const char *label; /* the kind in words */
	int met, missed, nodata;
	const char *value; /* "148/150" */
};

/* A stacked bar per row (met, missed, no data: each part its share of the row's total), with
 * a legend of the three parts' words (legend[0..2]). 0, or -1 when o overflowed. */
int chart_count_bars(struct strbuf *o, const char *title, const struct chart_count *rows,
		     size_t n, const char *const legend[3]);

#endif
