#include "texts.h"

#include <fnmatch.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

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

/* Fills a catalogue template: {bad} {total} {class} {bound} {where} {worst}, {up} … */
int text_fill(struct strbuf *out, const char *tpl, const char *const vals[][2], int n)
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
	return text_fill(out, tpl, vals, 6);
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
	/* "Bộ phận một cửa: 0 máy quét hoạt động (cần 1)", "toàn đơn vị: 0 Phòng họp trực tuyến
	 * đạt chỉ tiêu (cần 1)": the place, then the catalogue's sentence */
	char up[16], need[16], total[16];
	const char *what;
	snprintf(up, sizeof(up), "%d", r->up);
	snprintf(need, sizeof(need), "%d", r->need);
	snprintf(total, sizeof(total), "%d", r->total);
	if (r->kind == TK_SITES_MET && r->site_type) {
		what = l == LANG_VI ? r->site_type->label_vi : r->site_type->label_en;
	} else {
		snprintf(key, sizeof(key), "class.%s", devclass_name(r->cls));
		what = i18n_get(t, l, key);
	}
	const char *const vals[][2] = {{"up", up}, {"need", need}, {"total", total}, {"what", what}};
	int rc = strbuf_printf(out, "%s: ", !st ? i18n_get(t, l, "commune.whole")
					       : l == LANG_VI ? st->label_vi : st->label_en);
	return rc | text_fill(out, i18n_get(t, l, r->kind == TK_SITES_MET ? "reason.sites"
									  : "reason.class"),
			      vals, 4);
}

/* The probe's messages (its own English, for logs and technicians), by their beginning, and
 * the catalogue key of what they mean to a reader. First match wins: longer ones first. */
static const char *const probe_errors[][2] = {
    {"timeout during walk", "error.walk_timeout"},
    {"timeout (SNMPv3", "error.snmpv3"},
    {"timeout", "error.timeout"},
    {"SNMPv3", "error.snmpv3"},
    {"no answer to", "error.no_ping"},
    {"ICMP", "error.icmp"},
    {"HTTP", "error.http"},
    {"cannot send", "error.send"},
};

void text_error(char *dst, size_t dstsz, const struct i18n *t, enum lang l, const char *raw)
{
	const char *key = "error.other";
	for (size_t k = 0; k < sizeof(probe_errors) / sizeof(probe_errors[0]); k++)
		if (strncmp(raw, probe_errors[k][0], strlen(probe_errors[k][0])) == 0) {
			key = probe_errors[k][1];
			break;
		}
	if (!raw[0])
		key = "error.none";
	/* a device that answers ping but not SNMP: the agent, not the line */
	int pings = strstr(raw, "(the host answers ping)") != NULL;
	snprintf(dst, dstsz, "%s%s%s", i18n_get(t, l, key), pings ? "; " : "",
		 pings ? i18n_get(t, l, "error.answers_ping") : "");
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
	if (!t || !localtime_r(&t, &tm) || strftime(dst, dstsz, "%d/%m/%Y %H:%M:%S", &tm) == 0)
		snprintf(dst, dstsz, "—");
}

void text_day_time(char *dst, size_t dstsz, time_t t)
{
	struct tm tm;
	if (!t || !localtime_r(&t, &tm) || strftime(dst, dstsz, "%d/%m %H:%M", &tm) == 0)
		snprintf(dst, dstsz, "—");
}

/* Days, hours and minutes in words; full: minutes past a day too. */
static void duration(char *dst, size_t dstsz, const struct i18n *t, enum lang l, long seconds,
		     int full)
{
	long m = seconds < 60 ? 1 : seconds / 60, d = m / 1440, h = m / 60 % 24;
	m %= 60;
	int n = 0;
	dst[0] = '\0';
	if (d && n >= 0 && (size_t)n < dstsz)
		n += snprintf(dst + n, dstsz - (size_t)n, "%ld %s", d,
			      i18n_get(t, l, d == 1 ? "duration.day" : "duration.days"));
	if (h && n >= 0 && (size_t)n < dstsz)
		n += snprintf(dst + n, dstsz - (size_t)n, "%s%ld %s", n ? " " : "", h,
			      i18n_get(t, l, "duration.hours"));
	if (m && (full || !d) && n >= 0 && (size_t)n < dstsz)
		snprintf(dst + n, dstsz - (size_t)n, "%s%ld %s", n ? " " : "", m,
			 i18n_get(t, l, "duration.minutes"));
}

void text_duration(char *dst, size_t dstsz, const struct i18n *t, enum lang l, long seconds)
{
	/* whole days and hours say enough past a day: minutes only under one */
	duration(dst, dstsz, t, l, seconds, 0);
}

void text_duration_full(char *dst, size_t dstsz, const struct i18n *t, enum lang l,
			long seconds)
{
	if (seconds < 60) /* 0 s on battery is none, not "1 min" */
		snprintf(dst, dstsz, "%ld %s", seconds < 0 ? 0 : seconds,
			 i18n_get(t, l, "duration.seconds"));
	else
		duration(dst, dstsz, t, l, seconds, 1);
}

/* text_when and text_when_minute: today's time alone, with or without its seconds. */
static void when_fmt(char *dst, size_t dstsz, time_t t, time_t now, int seconds)
{
	struct tm tm, today;
	size_t n = 0;
	if (!t || !localtime_r(&t, &tm) || !localtime_r(&now, &today)) {
		snprintf(dst, dstsz, "—");
		return;
	}
	/* literal formats: -Wformat-nonliteral checks strftime's too */
	if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
		n = seconds ? strftime(dst, dstsz, "%H:%M:%S", &tm) : strftime(dst, dstsz, "%H:%M", &tm);
	else if (tm.tm_year == today.tm_year)
		n = strftime(dst, dstsz, "%d/%m %H:%M", &tm);
	else
		n = strftime(dst, dstsz, "%d/%m/%Y %H:%M", &tm);
	if (n == 0)
		snprintf(dst, dstsz, "—");
}

void text_when(char *dst, size_t dstsz, time_t t, time_t now)
{
	when_fmt(dst, dstsz, t, now, 1);
}

void text_when_minute(char *dst, size_t dstsz, time_t t, time_t now)
{
	when_fmt(dst, dstsz, t, now, 0);
}

void text_when_ago(char *dst, size_t dstsz, const struct i18n *t, enum lang l, time_t when,
		   time_t now)
{
	char at[32], ago[64];
	text_when(at, sizeof(at), when, now);
	if (!when || now < when) {
		snprintf(dst, dstsz, "%s", at);
		return;
	}
	if (now - when < 60) {
		snprintf(dst, dstsz, "%s (%s)", at, i18n_get(t, l, "time.just_now"));
		return;
	}
	text_duration(ago, sizeof(ago), t, l, (long)(now - when));
	snprintf(dst, dstsz, "%s (%s %s)", at, ago, i18n_get(t, l, "time.ago"));
}

double text_percent_round(double pct)
{
	double r = round(pct * 10) / 10;
	if (r >= 100 && pct < 100) /* 99.96 % missed: not "100 %" */
		r = 99.9;
	return r == 0 ? 0 : r; /* no "-0" */
}

void text_percent(char *dst, size_t dstsz, enum lang l, double pct)
{
	if (isnan(pct)) {
		snprintf(dst, dstsz, "—");
		return;
	}
	snprintf(dst, dstsz, "%.1f %%", text_percent_round(pct));
	char *dot = strchr(dst, '.');
	if (dot && dot[1] == '0') /* "100.0" reads "100" */
		memmove(dot, dot + 2, strlen(dot + 2) + 1);
	else if (dot && l == LANG_VI)
		*dot = ',';
}

/* --- values a profile polled --- */

/* The catalogue's text of key, NULL when it has none (i18n_get gives the key back then). */
static const char *lookup(const struct i18n *t, enum lang l, const char *key)
{
	const char *s = i18n_get(t, l, key);
	return s == key || strcmp(s, key) == 0 ? NULL : s;
}

const char *text_metric_label(const struct i18n *t, enum lang l, const char *group,
			      const char *metric)
{
	char key[96];
	snprintf(key, sizeof(key), "metric.%s.%s", group, metric);
	const char *s = lookup(t, l, key);
	return s ? s : metric;
}

/*
 * x rounded to dec decimals with the language's decimal mark; thousands grouped from 10 000 on
 * ("72.864" vi, "72,864" en), so that years and 4-digit codes stay whole. Bounded: DBL_MAX has
 * 309 digits.
 */
static void format_num(char *dst, size_t dstsz, enum lang l, double x, int dec)
{
	char raw[400], out[560];
	if (!isfinite(x)) {
		snprintf(dst, dstsz, "—");
		return;
	}
	snprintf(raw, sizeof(raw), "%.*f", dec, x);
	const char *p = raw[0] == '-' ? raw + 1 : raw;
	size_t o = 0, nint = strcspn(p, ".");
	if (p != raw && strspn(p, "0.") != strlen(p)) /* no "-0" */
		out[o++] = '-';
	for (size_t i = 0; i < nint && o < sizeof(out) - 4; i++) {
		if (nint > 4 && i && (nint - i) % 3 == 0)
			out[o++] = l == LANG_VI ? '.' : ',';
		out[o++] = p[i];
	}
	if (p[nint] == '.' && o < sizeof(out) - 1)
		out[o++] = l == LANG_VI ? ',' : '.';
	for (const char *f = p[nint] == '.' ? p + nint + 1 : ""; *f && o < sizeof(out) - 1; f++)
		out[o++] = *f;
	out[o] = '\0';
	snprintf(dst, dstsz, "%s", out);
}

/* Decimals a reading needs: none for whole numbers, 2 under 1 ("0,10"), 1 under 100. */
static int auto_dec(double x)
{
	double a = fabs(x);
	return a == floor(a) || a >= 100 ? 0 : a < 1 ? 2 : 1;
}

static void format_bytes(char *dst, size_t dstsz, enum lang l, double b)
{
	static const char *const unit[] = {"B", "KB", "MB", "GB", "TB", "PB"};
	int i = 0;
	char n[64];
	while (fabs(b) >= 1024 && i < 5) {
		b /= 1024;
		i++;
	}
	format_num(n, sizeof(n), l, b, i && fabs(b) < 10 && round(b * 10) != round(b) * 10 ? 1 : 0);
	snprintf(dst, dstsz, "%s %s", n, unit[i]);
}

enum unit {
	U_NUMBER, U_PERCENT, U_MS, U_BYTES, U_KB, U_SECONDS, U_MINUTES, U_LEVEL, U_CODE, U_SUBUNIT
};

struct unit_rule {
	const char *pattern; /* fnmatch(3) on "group.metric" */
	enum unit unit;
	double scale;       /* U_NUMBER: the value in the suffix's unit is x · scale */
	const char *suffix; /* U_NUMBER */
};

/*
 * How a metric reads: the first rule that matches. The profiles' own comments say what the
 * names alone do not (ups.conf: voltage in 0.1 V, frequencies in 0.1 Hz; pc.conf: load100 is
 * the load average times 100); the rest goes by the name's form, in any group.
 */
static const struct unit_rule units[] = {
	{"battery.voltage", U_NUMBER, 0.1, " V"},
	{"battery.temperature", U_NUMBER, 1, " °C"},
	{"ups.out_freq", U_NUMBER, 0.1, " Hz"},
	{"ups_input.frequency", U_NUMBER, 0.1, " Hz"},
	{"ups_input.voltage", U_NUMBER, 1, " V"},
	{"ups_output.voltage", U_NUMBER, 1, " V"},
	{"ups_output.current", U_NUMBER, 0.1, " A"},
	{"ups_output.power", U_NUMBER, 1, " W"},
	{"load.load100", U_NUMBER, 0.01, ""},
	{"poly_nic.speed", U_NUMBER, 1, " Mbit/s"},
	{"poly_call.video_*", U_NUMBER, 1, " kbit/s"},
	{"poly_call.latency_*", U_MS, 1, ""},
	{"poly_call.jitter_*", U_MS, 1, ""},
	{"poly_call.loss_*", U_PERCENT, 1, ""},
	{"battery.charge", U_PERCENT, 1, ""},
	{"ups_output.load", U_PERCENT, 1, ""},
	{"cpu.load", U_PERCENT, 1, ""},
	{"ucd_cpu.*", U_PERCENT, 1, ""},
	{"*.units", U_BYTES, 1, ""}, /* hrStorageAllocationUnits: bytes */
	{"supply.max", U_LEVEL, 1, ""},
	{"supply.level", U_LEVEL, 1, ""},
	{"tray.max", U_LEVEL, 1, ""},
	{"tray.level", U_LEVEL, 1, ""},
	{"http.status", U_CODE, 1, ""},
	{"alert.location", U_CODE, 1, ""},
	{"tray.status", U_SUBUNIT, 1, ""}, /* prtInputStatus */
	{"ctp_call.mgmt_index", U_CODE, 1, ""},
	{"ctp_mgmt.sip_resp", U_CODE, 1, ""},
	{"*.uptime", U_SECONDS, 1, ""},
	{"*_secs", U_SECONDS, 1, ""},
	{"*.secs_*", U_SECONDS, 1, ""},
	{"*.minutes_*", U_MINUTES, 1, ""},
	{"*_minutes", U_MINUTES, 1, ""},
	{"*_pct", U_PERCENT, 1, ""},
	{"*.percent", U_PERCENT, 1, ""},
	{"*_ms", U_MS, 1, ""},
	{"*_bytes", U_BYTES, 1, ""},
	{"*_kb", U_KB, 1, ""},
};

static const struct unit_rule *unit_of(const char *group, const char *metric)
{
	static const struct unit_rule plain = {"*", U_NUMBER, 1, ""};
	char gm[96];
	snprintf(gm, sizeof(gm), "%s.%s", group, metric);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (fnmatch(units[i].pattern, gm, 0) == 0)
			return &units[i];
	return &plain;
}

/* Printer-MIB levels and capacities: -1 no restriction, -2 unknown, -3 some remains (RFC 3805). */
static int printer_level(char *dst, size_t dstsz, const struct i18n *t, enum lang l, double x)
{
	static const char *const key[] = {"measure.no_limit", "measure.unknown", "measure.some_left"};
	if (x > -1 || x < -3 || x != floor(x))
		return 0;
	snprintf(dst, dstsz, "%s", i18n_get(t, l, key[(int)-x - 1]));
	return 1;
}

/* Printer-MIB's PrtSubUnitStatusTC (RFC 3805): its availability in bits 0-2, then alerts,
 * off-line and transitioning as bits 3-6, in words ("không hoạt động, có cảnh báo"). */
static int subunit_status(char *dst, size_t dstsz, const struct i18n *t, enum lang l, double x)
{
	static const char *const avail[8] = {"subunit.idle", "subunit.on_request", "subunit.standby",
					     "subunit.broken", "subunit.active", "subunit.unknown",
					     "subunit.busy", NULL};
	static const char *const flag[4] = {"subunit.alert", "subunit.critical", "subunit.offline",
					    "subunit.transitioning"};
	if (x < 0 || x > 127 || x != floor(x) || !avail[(int)x & 7])
		return 0;
	int v = (int)x, n = snprintf(dst, dstsz, "%s", i18n_get(t, l, avail[v & 7]));
	for (int b = 0; b < 4; b++)
		if ((v >> (b + 3)) & 1 && n >= 0 && (size_t)n < dstsz)
			n += snprintf(dst + n, dstsz - (size_t)n, ", %s", i18n_get(t, l, flag[b]));
	return 1;
}

void text_measure(char *dst, size_t dstsz, const struct i18n *t, enum lang l, const char *group,
		  const char *metric, double x)
{
	const struct unit_rule *u = unit_of(group, metric);
	char n[600];
	switch (u->unit) {
	case U_PERCENT:
		text_percent(dst, dstsz, l, x);
		return;
	case U_BYTES:
	case U_KB:
		format_bytes(dst, dstsz, l, u->unit == U_KB ? x * 1024 : x);
		return;
	case U_SECONDS:
	case U_MINUTES:
		if (x >= 0 && x < 1e12) { /* else no duration: the number as sent */
			text_duration_full(dst, dstsz, t, l, (long)(u->unit == U_MINUTES ? x * 60 : x));
			return;
		}
		break;
	case U_LEVEL:
		if (printer_level(dst, dstsz, t, l, x))
			return;
		break;
	case U_CODE:
		snprintf(dst, dstsz, "%.0f", x);
		return;
	case U_SUBUNIT:
		if (subunit_status(dst, dstsz, t, l, x))
			return;
		break;
	case U_MS:
		format_num(n, sizeof(n), l, x, auto_dec(x));
		snprintf(dst, dstsz, "%s ms", n);
		return;
	case U_NUMBER:
		break;
	}
	format_num(n, sizeof(n), l, x * u->scale, auto_dec(x * u->scale));
	snprintf(dst, dstsz, "%s%s", n, u->unit == U_NUMBER ? u->suffix : "");
}

struct look {
	const char *metric; /* fnmatch(3) on "group.metric" */
	const char *label;  /* exact, or "*Suffix" */
	const char *css;
};

/* How a state should look: red for a failure, amber for a warning; first match wins. */
static const struct look looks[] = {
	{"*", "noError", ""},
	{"ups.source", "none", "bad"}, /* the UPS gives no power at all */
	{"*", "failed", "bad"},
	{"*", "down", "bad"},
	{"*", "lowerLayerDown", "bad"},
	{"*", "critical", "bad"},
	{"*", "batteryDepleted", "bad"},
	{"*", "notRegister", "bad"},
	{"*", "unreachable", "bad"},
	{"*", "jam", "bad"},
	{"*", "*AlmostEmpty", "warn"},
	{"*", "*AlmostFull", "warn"},
	{"*", "*LifeAlmostOver", "warn"},
	{"*", "*NearLimit", "warn"},
	{"*", "*Failure", "bad"},
	{"*", "*Error", "bad"},
	{"*", "*Empty", "bad"},
	{"*", "*Full", "bad"},
	{"*", "*LifeOver", "bad"},
	{"*", "*AtLimit", "bad"},
	{"*", "*Jam", "bad"},
	{"*", "*Missing", "bad"},
	{"*", "*Open", "bad"},
	{"*", "*OverTemperature", "bad"},
	{"*", "warning*", "warn"},
	{"*", "*Warning", "warn"},
	{"*", "batteryLow", "warn"},
	{"*", "battery", "warn"},
	{"*", "bypass", "warn"},
	{"*", "testing", "warn"},
	{"*", "aborted", "warn"},
};

static const char *look_of(const char *gm, const char *label)
{
	for (size_t i = 0; i < sizeof(looks) / sizeof(looks[0]); i++)
		if (fnmatch(looks[i].metric, gm, 0) == 0 && fnmatch(looks[i].label, label, 0) == 0)
			return looks[i].css;
	return "";
}

const char *text_enum(const struct i18n *t, enum lang l, const char *group, const char *metric,
		      const char *label, const char **css)
{
	char key[160], gm[64];
	const char *s;
	snprintf(gm, sizeof(gm), "%s.%s", group, metric);
	*css = label[0] ? look_of(gm, label) : "warn";
	if (!label[0]) /* a number the MIB module does not name */
		return i18n_get(t, l, "measure.unknown");
	snprintf(key, sizeof(key), "enum.%s.%s", gm, label);
	if ((s = lookup(t, l, key)))
		return s;
	snprintf(key, sizeof(key), "enum.%s", label);
	return (s = lookup(t, l, key)) ? s : label;
}

/* --- the period's targets (history.h's JSON), as the report and the sheets name them --- */

/* A site type's words: English when asked and given, else Vietnamese, else its name. */
static const char *type_words(enum lang l, const char *vi, const char *en, const char *name)
{
	if (l == LANG_EN && en[0])
		return en;
	return vi[0] ? vi : name;
}

const char *text_site_type(const struct hbmon_config *cfg, enum lang l, const char *name)
{
	const struct site_type *st = cfg ? config_site_type(cfg, name) : NULL;
	return st ? type_words(l, st->label_vi, st->label_en, name) : name;
}

const char *text_tree_site_type(json_object *o, const char *key, enum lang l)
{
	char vi[48], en[48];
	snprintf(vi, sizeof(vi), "%s_label_vi", key);
	snprintf(en, sizeof(en), "%s_label_en", key);
	return type_words(l, json_member_str(o, vi), json_member_str(o, en),
			  json_member_str(o, key));
}

/* " (nặng nhất: Máy in — Black Cartridge: 5)", the row left out when it is the file's stem. */
static int period_worst(struct strbuf *out, const struct i18n *t, enum lang l,
			json_object *to)
{
	const char *where = json_member_str(to, "worst_at"), *group = json_member_str(to, "group");
	const char *dash = strstr(where, " — ");
	size_t glen = strlen(group);
	char num[32];
	if (!where[0])
		return 0;
	int stem = dash && strncmp(dash + strlen(" — "), group, glen) == 0 &&
		   dash[strlen(" — ") + glen] == '-';
	int rc = strbuf_printf(out, " (%s: ", i18n_get(t, l, "report.worst"));
	rc |= strbuf_append(out, where, stem ? (size_t)(dash - where) : strlen(where));
	text_number(num, sizeof(num), l, json_member_num(to, "worst"));
	return rc | strbuf_printf(out, ": %s)", num);
}

int text_period_target(struct strbuf *out, const struct i18n *t, enum lang l, json_object *to,
		       int worst)
{
	static const char *const ops[][2] = {{">=", "≥"}, {"<=", "≤"}, {"==", "="}};
	const char *kind = json_member_str(to, "kind");
	char key[64], num[32];
	if (strcmp(kind, "sites_met") == 0)
		return strbuf_puts(out, text_tree_site_type(to, "site_type", l));
	snprintf(key, sizeof(key), "class.%s", json_member_str(to, "class"));
	int rc = strbuf_puts(out, i18n_get(t, l, key));
	if (strcmp(kind, "metric") != 0)
		return rc;
	snprintf(key, sizeof(key), "group.%s", json_member_str(to, "group"));
	rc |= strbuf_printf(out, ": %s", i18n_get(t, l, key));
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		if (strcmp(json_member_str(to, "op"), ops[k][0]) == 0)
			rc |= strbuf_printf(out, " %s ", ops[k][1]);
	text_number(num, sizeof(num), l, json_member_num(to, "bound"));
	rc |= strbuf_puts(out, num);
	return worst ? rc | period_worst(out, t, l, to) : rc;
}
