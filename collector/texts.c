#include "texts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

int text_reason(struct strbuf *out, const struct i18n *t, enum lang l,
		const struct site_type *st, const struct target_result *r)
{
	char key[48];
	if (r->kind == TK_METRIC && r->mt) {
		static const char *const ops[] = {"≥", "≤", "="};
		char gkey[48];
		snprintf(key, sizeof(key), "class.%s", devclass_name(r->cls));
		snprintf(gkey, sizeof(gkey), "group.%s", r->mt->group);
		int rc = strbuf_printf(out, "%s: %s %s %s %s %g: %d %s %d", st ? (l == LANG_VI ? st->label_vi : st->label_en) : "",
				       i18n_get(t, l, key), i18n_get(t, l, gkey), r->mt->metric,
				       ops[r->mt->op], r->mt->value, r->up, i18n_get(t, l, "word.of"),
				       r->total);
		if (r->v == V_MISSED && r->worst_where[0])
			rc |= strbuf_printf(out, " (%s: %g)", r->worst_where, r->worst);
		return rc;
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
