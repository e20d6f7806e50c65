/* User-facing phrases built from the catalogues: reasons, statuses, local times. */
#ifndef HBMON_TEXTS_H
#define HBMON_TEXTS_H

#include <time.h>

#include "i18n.h"
#include "readiness.h"
#include "state.h"
#include "strbuf.h"

/* "one-stop office: scanner 0 of 1 up" (or its Vietnamese), unescaped UTF-8; st NULL for a
 * commune-wide target ("whole commune: portal 0 of 1 up", "... online meeting room 0 of 1
 * meeting their targets"). */
int text_reason(struct strbuf *out, const struct i18n *t, enum lang l,
		const struct site_type *st, const struct target_result *r);
const char *text_status(const struct i18n *t, enum lang l, enum dev_status s);
/* What a probe's error message (raw, its English for technicians) means, in the reader's
 * words: "Không trả lời (hết thời gian chờ); máy vẫn trả lời ping". */
void text_error(char *dst, size_t dstsz, const struct i18n *t, enum lang l, const char *raw);
/* The machine name of a status: "up", "down", "unknown", "not_polled", "stale". */
const char *status_name(enum dev_status s);
/* Local time (TZ, Asia/Ho_Chi_Minh by default) as people write it: "25/11/2026 08:12:05"; "—"
 * for 0. */
void text_time(char *dst, size_t dstsz, time_t t);
/* Local day and time as people write them in a table: "04/12 16:05"; "—" for 0. */
void text_day_time(char *dst, size_t dstsz, time_t t);
/* A number as people write it, one decimal at most: "96,5" (vi), "96.5" (en), "90". */
void text_number(char *dst, size_t dstsz, enum lang l, double x);
/* A share in % as people write it, one decimal at most: "96,5 %" (vi), "96.5 %" (en), "100 %";
 * short of 100 never shows as 100. "—" for NaN (no data). */
void text_percent(char *dst, size_t dstsz, enum lang l, double pct);
/* The value text_percent shows: pct rounded to one decimal, 99.9 for a share short of 100 that
 * would round to 100; NaN stays NaN. Planners' sheets store this number. */
double text_percent_round(double pct);
/* A duration in words, short: past a day, days and hours only ("2 ngày 21 giờ", "2 days 3 h",
 * "2 giờ", "5 min"); under a minute reads "1 min". For lists and "ago". */
void text_duration(char *dst, size_t dstsz, const struct i18n *t, enum lang l, long seconds);
/* A duration in words to the minute: "1 ngày 21 giờ 59 phút", "1 day 21 h 59 min"; under a
 * minute in seconds ("0 giây", "40 s"). For an uptime, a time on battery. */
void text_duration_full(char *dst, size_t dstsz, const struct i18n *t, enum lang l,
			long seconds);
/* A moment as a table shows it: "03:26:18" when it is today (by now), "04/12 16:05" this
 * year, "04/12/2025 16:05" before; "—" for 0. */
void text_when(char *dst, size_t dstsz, time_t t, time_t now);
/* The same, then how long ago: "03:26:18 (2 phút trước)", "04/12 16:05 (3 days ago)",
 * "03:26:18 (vừa xong)" under a minute. */
void text_when_ago(char *dst, size_t dstsz, const struct i18n *t, enum lang l, time_t when,
		   time_t now);
/* A moment in a sentence, to the minute: "03:26" today, "04/12 16:05" this year, "04/12/2025
 * 16:05" before; "—" for 0. */
void text_when_minute(char *dst, size_t dstsz, time_t t, time_t now);
/* Fills a catalogue template's {name} fields from vals (name, text pairs); a field it does
 * not know stays as written. 0, or -1 when out overflowed. */
int text_fill(struct strbuf *out, const char *tpl, const char *const vals[][2], int n);

/*
 * Values a device's profile polled (the device page; later reasons and mails), as people read
 * them. group and metric are the profile's names ("host", "mem_kb").
 */
/* The metric's name in words: the catalogue's metric.<group>.<metric>, else the metric. */
const char *text_metric_label(const struct i18n *t, enum lang l, const char *group,
			      const char *metric);
/* A number with the unit its metric implies (one table in texts.c: _pct " %", _ms " ms", _kb
 * and _bytes as MB / GB, uptime and *_secs as durations, the UPS's tenths of volts …), rounded,
 * with the language's decimal mark and thousands grouping: "124 MB", "0,10 ms", "1 giờ 49
 * phút", "96,5 %", "72.864". */
void text_measure(char *dst, size_t dstsz, const struct i18n *t, enum lang l, const char *group,
		  const char *metric, double x);
/* An enumeration label (enums.conf, as the probe sent it) in words: the catalogue's
 * enum.<group>.<metric>.<label>, else enum.<label>, else the label itself; "" (a number the
 * MIB does not name) reads measure.unknown ("không xác định"). *css is "bad", "warn" or "" for
 * how the state should look (a failure red). */
const char *text_enum(const struct i18n *t, enum lang l, const char *group, const char *metric,
		      const char *label, const char **css);

/* A site type in the reader's words: its label_en / label_vi (label_vi when it has no
 * English), else its name (a type the configuration does not describe, or cfg NULL). */
const char *text_site_type(const struct hbmon_config *cfg, enum lang l, const char *name);
/* The same from the period's JSON (history.h), which carries the labels so that it is read
 * without the configuration: o's member key ("type" of a site, "site_type" of a commune-wide
 * target) and its key_label_vi, key_label_en. */
struct json_object;
const char *text_tree_site_type(struct json_object *o, const char *key, enum lang l);
/*
 * A target of the period's JSON (history.h: a member of a site's or commune's "targets") in
 * the words the report uses, unescaped UTF-8: "máy quét", "Bộ phận một cửa" (a commune's
 * sites of a type meeting their targets), "máy in: Vật tư in (mực, trống) ≥ 10"; worst: a
 * value target missed somewhere adds where and its worst value, " (nặng nhất: Máy in: 5)" (a
 * row the device did not name is left out: its file stem "supply-1.3" means nothing to a
 * reader). 0, or -1 when out overflowed.
 */
int text_period_target(struct strbuf *out, const struct i18n *t, enum lang l,
		       struct json_object *to, int worst);

#endif
