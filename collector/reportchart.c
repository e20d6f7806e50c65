#include "reportchart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Geometry, in SVG units (CSS pixels at width 100 %; style.css lets a narrow screen shrink
 * the chart, whose viewBox keeps its proportions). */
#define CH_W 760       /* the whole chart */
#define CH_LABEL_X 228 /* labels end here (right-aligned) */
#define CH_BAR_X 236   /* the 0 % of the scale */
#define CH_BAR_W 440   /* 100 % of the scale */
#define CH_TOP 22      /* room for the scale's or the legend's words */
#define CH_ROW 16
#define CH_LABEL_CHARS 34 /* characters of a label before it is cut */

static const char *fill_of(const char *cls)
{
	return strcmp(cls, "met") == 0 ? "#2e7d32" : strcmp(cls, "missed") == 0 ? "#c62828" : "#90a4ae";
}

/* The bytes of s's first n characters (UTF-8: a continuation byte is no character). */
static size_t utf8_prefix(const char *s, size_t n)
{
	size_t k = 0, chars = 0;
	for (; s[k]; k++)
		if (((unsigned char)s[k] & 0xC0) != 0x80 && chars++ == n)
			break;
	return k;
}

/* s escaped, cut to max characters with "…" when longer. */
static void put_cut(struct strbuf *o, const char *s, size_t max)
{
	size_t keep = utf8_prefix(s, max);
	if (!s[keep]) {
		strbuf_html(o, s);
		return;
	}
	char buf[512];
	keep = utf8_prefix(s, max - 1);
	snprintf(buf, sizeof(buf), "%.*s", (int)(keep < sizeof(buf) - 1 ? keep : 0), s);
	strbuf_html(o, buf);
	strbuf_puts(o, "…");
}

static void svg_open(struct strbuf *o, const char *cls, const char *title, int height)
{
	strbuf_printf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" role=\"img\" "
			 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-size=\"11\">\n<title>",
		      cls, CH_W, height, CH_W, height);
	strbuf_html(o, title);
	strbuf_puts(o, "</title>\n");
}

/* The start of a bar's group: its class, its whole label and figure as its tooltip, the
 * label cut to its column and the figure at the right edge. */
static void bar_open(struct strbuf *o, const char *cls, const char *label, const char *value,
		     int y)
{
	strbuf_printf(o, "<g class=\"bar %s\"><title>", cls);
	strbuf_html(o, label);
	strbuf_puts(o, " — ");
	strbuf_html(o, value);
	strbuf_printf(o, "</title><text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#222\">",
		      CH_LABEL_X, y + 11);
	put_cut(o, label, CH_LABEL_CHARS);
	strbuf_printf(o, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#222\">", CH_W - 4,
		      y + 11);
	strbuf_html(o, value);
	strbuf_puts(o, "</text>");
}

/* The scale: light lines at 0, 25, 50 and 75 % with their figures above. */
static void share_scale(struct strbuf *o, int height)
{
	for (int t = 0; t < 100; t += 25) {
		double x = CH_BAR_X + CH_BAR_W * t / 100.0;
		strbuf_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
				 "stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
				 "fill=\"#555\">%d %%</text>\n",
			      x, CH_TOP - 4, x, height - 2, x, CH_TOP - 8, t);
	}
}

static void share_chunk(struct strbuf *o, const char *title, const struct chart_bar *bars,
			size_t n, double guide, const char *guide_text)
{
	int height = CH_TOP + (int)n * CH_ROW + 4;
	svg_open(o, "shares", title, height);
	share_scale(o, height);
	for (size_t i = 0; i < n; i++) {
		const struct chart_bar *b = &bars[i];
		int y = CH_TOP + (int)i * CH_ROW;
		bar_open(o, b->cls, b->label, b->value, y);
		if (!isnan(b->pct)) {
			double pct = b->pct < 0 ? 0 : b->pct > 100 ? 100 : b->pct;
			strbuf_printf(o, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"12\" fill=\"%s\"/>",
				      CH_BAR_X, y + 2, CH_BAR_W * pct / 100, fill_of(b->cls));
		}
		strbuf_puts(o, "</g>\n");
	}
	if (!isnan(guide)) { /* drawn last: over the bars */
		double x = CH_BAR_X + CH_BAR_W * guide / 100;
		strbuf_printf(o, "<line class=\"guide\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
				 "stroke=\"#222\" stroke-dasharray=\"4 3\"/><text x=\"%.1f\" y=\"%d\" "
				 "text-anchor=\"middle\" fill=\"#222\">",
			      x, CH_TOP - 4, x, height - 2, x, CH_TOP - 8);
		strbuf_html(o, guide_text);
		strbuf_puts(o, "</text>\n");
	}
	strbuf_puts(o, "</svg>\n");
}

int chart_share_bars(struct strbuf *o, const char *title, const struct chart_bar *bars,
		     size_t n, double guide, const char *guide_text)
{
	for (size_t k = 0; k < n; k += CHART_BARS_PER_SVG)
		share_chunk(o, title, bars + k, n - k < CHART_BARS_PER_SVG ? n - k : CHART_BARS_PER_SVG,
			    guide, guide_text);
	return o->overflow ? -1 : 0;
}

static void count_legend(struct strbuf *o, const char *const legend[3])
{
	static const char *const cls[3] = {"met", "missed", "nodata"};
	for (int k = 0; k < 3; k++) {
		int x = CH_BAR_X + 150 * k;
		strbuf_printf(o, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
				 "<text x=\"%d\" y=\"%d\" fill=\"#222\">",
			      x, CH_TOP - 16, fill_of(cls[k]), x + 14, CH_TOP - 7);
		strbuf_html(o, legend[k]);
		strbuf_puts(o, "</text>\n");
	}
}

static void count_chunk(struct strbuf *o, const char *title, const struct chart_count *rows,
			size_t n, const char *const legend[3])
{
	static const char *const cls[3] = {"met", "missed", "nodata"};
	int height = CH_TOP + (int)n * CH_ROW + 4;
	svg_open(o, "counts", title, height);
	count_legend(o, legend);
	for (size_t i = 0; i < n; i++) {
		const struct chart_count *r = &rows[i];
		int y = CH_TOP + (int)i * CH_ROW, part[3] = {r->met, r->missed, r->nodata};
		int total = r->met + r->missed + r->nodata;
		double x = CH_BAR_X;
		bar_open(o, r->met == total ? "met" : "missed", r->label, r->value, y);
		for (int k = 0; k < 3 && total > 0; k++) {
			double w = (double)CH_BAR_W * (part[k] < 0 ? 0 : part[k]) / total;
			if (w <= 0)
				continue;
			strbuf_printf(o, "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
					 "height=\"12\" fill=\"%s\"/>",
				      cls[k], x, y + 2, w, fill_of(cls[k]));
			x += w;
		}
		strbuf_puts(o, "</g>\n");
	}
	strbuf_puts(o, "</svg>\n");
}

int chart_count_bars(struct strbuf *o, const char *title, const struct chart_count *rows,
		     size_t n, const char *const legend[3])
{
	for (size_t k = 0; k < n; k += CHART_BARS_PER_SVG)
		count_chunk(o, title, rows + k,
			    n - k < CHART_BARS_PER_SVG ? n - k : CHART_BARS_PER_SVG, legend);
	return o->overflow ? -1 : 0;
}
