#include "texts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A number as people write it: one decimal at most, the locale's decimal mark. */
void text_number(char *dst, size_t dstsz, enum lang l, double x)
{
	snprintf(dst, dstsz, "%.1f", round(x * 10) / 10);
	char *dot = strchr(dst, '.');
	if (dot && dot[1] == '0')
		*dot = '\0';
	else if (dot && l == LANG_VI)
		*dot = ',';
}

/* "Máy tính 2 — C:\ Label:  Serial Number 1848504c" as "Máy tính 2, C:\": the device, then
 * the row's label without what Windows appends to a drive's name. */
static void worst_place(char *dst, size_t dstsz, const char *where)
{
	const char *dash = strstr(where, " — ");
	if (!dash) {
		snprintf(dst, dstsz, "%s", where);
		return;
	}
	const char *label = dash + strlen(" — "), *cut = strstr(label, " Label:");
	int n = cut ? (int)(cut - label) : (int)strlen(label);
	snprintf(dst, dstsz, "%.*s, %.*s", (int)(dash - where), where, n, label);
}

/* Fills a catalogue template: {bad} {total} {class} {bound} {where} {worst}. */
static int fill(struct strbuf *out, const char *tpl, const char *const vals[][2], int n)
{
	int rc = 0;
	while (*tpl) {
		const char *open = strchr(tpl, '{'), *close = open ? strchr(open, '}') : NULL;
		if (!open || !close) {
			rc |= strbuf_puts(out, tpl);
			break;
		}
		rc |= strbuf_append(out, tpl, (size_t)(open - tpl));
		int k = 0;
		while (k < n && (strlen(vals[k][0]) != (size_t)(close - open - 1) ||
				 strncmp(vals[k][0], open + 1, (size_t)(close - open - 1)) != 0))
			k++;
		rc |= k < n ? strbuf_puts(out, vals[k][1]) : strbuf_append(out, open, (size_t)(close - open + 1));
		tpl = close + 1;
	}
	return rc;
}

/* A value target's reason from its template ("value.<group>.<metric>.<op>", or the generic
 * one): "3/15 ổ đĩa máy tính đầy trên 90 % — nặng nhất: Máy tính 2, C:\: 96,5 %". */
static int value_reason(struct strbuf *out, const struct i18n *t, enum lang l,
			const struct target_result *r)
{
	static const char *const ops[] = {"ge", "le", "eq"};
	char key[96], ckey[48], bad[16], total[16], bound[32], worst[32], where[200];
	snprintf(key, sizeof(key), "value.%s.%s.%s", r->mt->group, r->mt->metric, ops[r->mt->op]);
	const char *tpl = i18n_get(t, l, key);
	if (tpl == key || strcmp(tpl, key) == 0)
		tpl = i18n_get(t, l, "value.generic");
	snprintf(ckey, sizeof(ckey), "class.%s", devclass_name(r->cls));
	snprintf(bad, sizeof(bad), "%d", r->total - r->up);
	snprintf(total, sizeof(total), "%d", r->total);
	text_number(bound, sizeof(bound), l, r->mt->value);
	text_number(worst, sizeof(worst), l, r->worst);
	worst_place(where, sizeof(where), r->v == V_MISSED ? r->worst_where : "");
	const char *const vals[][2] = {{"bad", bad},     {"total", total},
				       {"class", i18n_get(t, l, ckey)},
				       {"bound", bound}, {"where", where}, {"worst", worst}};
	return fill(out, tpl, vals, 6);
}

int text_reason(struct strbuf *out, const struct i18n *t, enum lang l,
		const struct site_type *st, const struct target_result *r)
{
	char key[48];
	if (r->kind == TK_METRIC && r->mt) {
		int rc = 0;
		if (st)
			rc |= strbuf_printf(out, "%s: ", l == LANG_VI ? st->label_vi : st->label_en);
		if (r->v != V_MISSED) /* met or no data: how many rows were seen */
			return rc | strbuf_printf(out, "%s %d/%d", i18n_get(t, l, "value.within"),
						  r->up, r->total);
		return rc | value_reason(out, t, l, r);
	}
	if (r->kind == TK_SITES_MET && r->site_type)
		return strbuf_printf(out, "%s: %s %d %s %d %s", i18n_get(t, l, "commune.whole"),
				     l == LANG_VI ? r->site_type->label_vi : r->site_type->label_en,
				     r->up, i18n_get(t, l, "word.of"), r->need,
				     i18n_get(t, l, "word.sites_met"));
	if (!st) {
		snprintf(key, sizeof(key), "class.%s", devclass_name(r->cls));
		return strbuf_printf(out, "%s: %s %d %s %d %s", i18n_get(t, l, "commune.whole"),
				     i18n_get(t, l, key), r->up, i18n_get(t, l, "word.of"), r->need,
				     i18n_get(t, l, "word.up"));
	}
	snprintf(key, sizeof(key), "class.%s", devclass_name(r->cls));
	return strbuf_printf(out, "%s: %s %d %s %d %s", l == LANG_VI ? st->label_vi : st->label_en,
			     i18n_get(t, l, key), r->up, i18n_get(t, l, "word.of"), r->need,
			     i18n_get(t, l, "word.up"));
}

const char *status_name(enum dev_status s)
{
	static const char *const n[] = {"unknown", "up", "down", "not_polled", "stale"};
	return n[s];
}

const char *text_status(const struct i18n *t, enum lang l, enum dev_status s)
{
	char key[32];
	snprintf(key, sizeof(key), "status.%s", status_name(s));
	return i18n_get(t, l, key);
}

void text_time(char *dst, size_t dstsz, time_t t)
{
	struct tm tm;
	if (!t || !localtime_r(&t, &tm) || strftime(dst, dstsz, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(dst, dstsz, "—");
}

void text_day_time(char *dst, size_t dstsz, time_t t)
{
	struct tm tm;
	if (!t || !localtime_r(&t, &tm) || strftime(dst, dstsz, "%d/%m %H:%M", &tm) == 0)
		snprintf(dst, dstsz, "—");
}

void text_duration(char *dst, size_t dstsz, const struct i18n *t, enum lang l, long seconds)
{
	long m = seconds < 60 ? 1 : seconds / 60, d = m / 1440, h = m / 60 % 24;
	m %= 60;
	int n = 0;
	dst[0] = '\0';
	/* whole days and hours say enough past a day: minutes only under one */
	if (d && n >= 0 && (size_t)n < dstsz)
		n += snprintf(dst + n, dstsz - (size_t)n, "%ld %s", d,
			      i18n_get(t, l, d == 1 ? "duration.day" : "duration.days"));
	if (h && n >= 0 && (size_t)n < dstsz)
		n += snprintf(dst + n, dstsz - (size_t)n, "%s%ld %s", n ? " " : "", h,
			      i18n_get(t, l, "duration.hours"));
	if (m && !d && n >= 0 && (size_t)n < dstsz)
		snprintf(dst + n, dstsz - (size_t)n, "%s%ld %s", n ? " " : "", m,
			 i18n_get(t, l, "duration.minutes"));
}

void text_percent(char *dst, size_t dstsz, enum lang l, double pct)
{
	if (isnan(pct)) {
		snprintf(dst, dstsz, "—");
		return;
	}
	double r = round(pct * 10) / 10;
	if (r >= 100 && pct < 100) /* 99.96 % missed: not "100 %" */
		r = 99.9;
	snprintf(dst, dstsz, "%.1f %%", r);
	char *dot = strchr(dst, '.');
	if (dot && dot[1] == '0') /* "100.0" reads "100" */
		memmove(dot, dot + 2, strlen(dot + 2) + 1);
	else if (dot && l == LANG_VI)
		*dot = ',';
}
