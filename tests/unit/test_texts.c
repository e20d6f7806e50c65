/* Values in words (collector/texts.c) with the project's own catalogues (dashboards/i18n): units
 * from the metric, the language's decimal mark and grouping, durations, times with their date
 * when not today, enumeration labels as words. Run from the repository's root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "errlist.h"
#include "i18n.h"
#include "texts.h"

static struct i18n *cat;

static int load(void **state)
{
	struct errlist el = {0};
	(void)state;
	cat = i18n_load("dashboards", &el);
	errlist_print(&el, stderr);
	errlist_free(&el);
	return cat ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	i18n_free(cat);
	return 0;
}

static void measure_is(enum lang l, const char *group, const char *metric, double x,
		       const char *want)
{
	char got[128];
	text_measure(got, sizeof(got), cat, l, group, metric, x);
	if (strcmp(got, want) != 0)
		fail_msg("%s.%s = %.17g (%s): \"%s\", want \"%s\"", group, metric, x, lang_code(l), got,
			 want);
}

/* The examples of ../shared/VOCABULARY.md, and each rule of the unit table once. */
static void measures(void **state)
{
	(void)state;
	measure_is(LANG_VI, "host", "uptime", 6572, "1 giờ 49 phút");
	measure_is(LANG_VI, "host", "mem_kb", 127280, "124 MB");
	measure_is(LANG_VI, "icmp", "rtt_ms", 0.102199, "0,10 ms");
	measure_is(LANG_EN, "icmp", "rtt_max_ms", 0.148672, "0.15 ms");
	measure_is(LANG_VI, "icmp", "loss_pct", 0, "0 %");
	measure_is(LANG_VI, "disk", "used_pct", 96.5009, "96,5 %");
	measure_is(LANG_EN, "disk", "used_pct", 96.5009, "96.5 %");
	measure_is(LANG_VI, "disk", "size_bytes", 55624859648.0, "52 GB");
	measure_is(LANG_VI, "memory", "size_bytes", 8024301568.0, "7,5 GB");
	measure_is(LANG_VI, "disk", "units", 4096, "4 KB");
	measure_is(LANG_VI, "marker", "life_count", 72864, "72.864");
	measure_is(LANG_EN, "marker", "life_count", 72864, "72,864");
	measure_is(LANG_VI, "marker", "life_count", 8195, "8195"); /* 4 digits stay whole */
	measure_is(LANG_VI, "host", "processes", 96, "96");
	measure_is(LANG_VI, "battery", "voltage", 136, "13,6 V");
	measure_is(LANG_VI, "battery", "minutes_left", 7, "7 phút");
	measure_is(LANG_VI, "battery", "secs_on_battery", 0, "0 giây");
	measure_is(LANG_EN, "ctp_call", "call_secs", 90061, "1 day 1 h 1 min");
	measure_is(LANG_VI, "load", "load100", 52, "0,52");
	measure_is(LANG_VI, "supply", "level", -3, "còn một ít");
	measure_is(LANG_EN, "supply", "max", -2, "unknown");
	measure_is(LANG_VI, "tray", "level", -1, "không giới hạn");
	measure_is(LANG_VI, "http", "status", 200, "200");
	measure_is(LANG_VI, "alert", "location", 35078, "35078"); /* a code, not a quantity */
	measure_is(LANG_VI, "poly_nic", "speed", 1000, "1000 Mbit/s");
	/* PrtSubUnitStatusTC: availability, then flags */
	measure_is(LANG_VI, "tray", "status", 0, "sẵn sàng");
	measure_is(LANG_VI, "tray", "status", 9, "chưa sẵn sàng, chờ yêu cầu, có cảnh báo");
	measure_is(LANG_EN, "tray", "status", 3 + 16 + 32, "broken, with a critical alert, offline");
	measure_is(LANG_VI, "tray", "status", 7, "7"); /* not a defined availability */
	measure_is(LANG_VI, "vendor", "reading", -0.001, "0,00"); /* no "-0" */
	measure_is(LANG_VI, "vendor", "reading", 1234567.891, "1.234.568");
	measure_is(LANG_VI, "vendor", "reading", NAN, "—");
	/* bounded whatever the number */
	char small[8];
	text_measure(small, sizeof(small), cat, LANG_VI, "vendor", "reading", 1.7e308);
	assert_int_equal(strlen(small), 7);
	text_measure(small, sizeof(small), cat, LANG_VI, "host", "uptime", 1e300);
	assert_true(strlen(small) < 8);
}

static void enum_is(enum lang l, const char *group, const char *metric, const char *label,
		    const char *want, const char *want_css)
{
	const char *css = NULL, *got = text_enum(cat, l, group, metric, label, &css);
	if (strcmp(got, want) != 0 || strcmp(css, want_css) != 0)
		fail_msg("%s.%s %s (%s): \"%s\" [%s], want \"%s\" [%s]", group, metric, label,
			 lang_code(l), got, css, want, want_css);
}

static void enumerations(void **state)
{
	(void)state;
	enum_is(LANG_VI, "poly_sip_reg", "status", "failed", "lỗi", "bad");
	enum_is(LANG_EN, "poly_sip_reg", "status", "failed", "failed", "bad");
	enum_is(LANG_VI, "poly_service", "h323", "ok", "bình thường", "");
	enum_is(LANG_VI, "hrdevice", "status", "running", "đang chạy", "");
	enum_is(LANG_VI, "hrdevice", "type", "hrDeviceOther", "khác", "");
	/* a word for one metric only, before the generic one */
	enum_is(LANG_VI, "ups", "source", "none", "không cấp điện ra", "bad");
	enum_is(LANG_VI, "ups", "source", "battery", "đang chạy bằng pin", "warn");
	enum_is(LANG_VI, "alert", "code", "staplerJam", "bộ dập ghim: kẹt", "bad");
	enum_is(LANG_VI, "alert", "code", "markerTonerAlmostEmpty", "sắp hết mực", "warn");
	enum_is(LANG_VI, "ctp_peripheral", "status", "noError", "bình thường", "");
	enum_is(LANG_VI, "http", "ok", "reachable", "truy cập được", "");
	enum_is(LANG_VI, "http", "ok", "unreachable", "không truy cập được", "bad");
	/* no word: the MIB's label; a number the MIB does not name: unknown, never the number */
	enum_is(LANG_VI, "vendor", "state", "fanStalled", "fanStalled", "");
	enum_is(LANG_VI, "poly", "status", "", "không xác định", "warn");
	enum_is(LANG_EN, "poly", "status", "", "unknown", "warn");
	assert_string_equal(text_metric_label(cat, LANG_VI, "host", "uptime"), "Hoạt động liên tục");
	assert_string_equal(text_metric_label(cat, LANG_EN, "icmp", "loss_pct"), "Packet loss");
	assert_string_equal(text_metric_label(cat, LANG_VI, "vendor", "rpm"), "rpm");
}

static void durations(void **state)
{
	(void)state;
	char d[64];
	text_duration_full(d, sizeof(d), cat, LANG_VI, 1 * 86400 + 21 * 3600 + 59 * 60 + 30);
	assert_string_equal(d, "1 ngày 21 giờ 59 phút");
	text_duration_full(d, sizeof(d), cat, LANG_EN, 1 * 86400 + 21 * 3600 + 59 * 60);
	assert_string_equal(d, "1 day 21 h 59 min");
	text_duration_full(d, sizeof(d), cat, LANG_VI, 2 * 86400 + 5 * 60);
	assert_string_equal(d, "2 ngày 5 phút");
	text_duration_full(d, sizeof(d), cat, LANG_EN, 42);
	assert_string_equal(d, "42 s");
	/* the short form, for lists and "ago" */
	text_duration(d, sizeof(d), cat, LANG_VI, 2 * 86400 + 21 * 3600 + 59 * 60);
	assert_string_equal(d, "2 ngày 21 giờ");
	text_duration(d, sizeof(d), cat, LANG_VI, 7200);
	assert_string_equal(d, "2 giờ");
	char tiny[6];
	text_duration_full(tiny, sizeof(tiny), cat, LANG_VI, 86400 * 400L);
	assert_true(strlen(tiny) < sizeof(tiny));
}

static time_t local(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static void times(void **state)
{
	(void)state;
	char w[64];
	time_t now = local(2026, 12, 5, 3, 28, 18);
	text_when(w, sizeof(w), local(2026, 12, 5, 3, 26, 18), now);
	assert_string_equal(w, "03:26:18");
	text_when(w, sizeof(w), local(2026, 12, 4, 16, 5, 0), now);
	assert_string_equal(w, "04/12 16:05");
	text_when(w, sizeof(w), local(2025, 12, 31, 23, 59, 0), now);
	assert_string_equal(w, "31/12/2025 23:59");
	text_when(w, sizeof(w), 0, now);
	assert_string_equal(w, "—");
	text_when_ago(w, sizeof(w), cat, LANG_VI, local(2026, 12, 5, 3, 26, 18), now);
	assert_string_equal(w, "03:26:18 (2 phút trước)");
	text_when_ago(w, sizeof(w), cat, LANG_EN, local(2026, 12, 4, 16, 5, 0), now);
	assert_string_equal(w, "04/12 16:05 (11 h 23 min ago)");
	text_when_ago(w, sizeof(w), cat, LANG_VI, now - 20, now);
	assert_string_equal(w, "03:27:58 (vừa xong)");
	/* in a sentence ("Đã nhận là … từ 03:26"): to the minute */
	text_when_minute(w, sizeof(w), local(2026, 12, 5, 3, 26, 18), now);
	assert_string_equal(w, "03:26");
	text_when_minute(w, sizeof(w), local(2026, 12, 4, 16, 5, 0), now);
	assert_string_equal(w, "04/12 16:05");
	text_when_minute(w, sizeof(w), local(2025, 12, 31, 23, 59, 0), now);
	assert_string_equal(w, "31/12/2025 23:59");
	text_when_minute(w, sizeof(w), 0, now);
	assert_string_equal(w, "—");
	/* a class word at the head of a cell */
	i18n_capitalised(w, sizeof(w), "máy in");
	assert_string_equal(w, "Máy in");
	i18n_capitalised(w, sizeof(w), "điểm truy cập Wi-Fi");
	assert_string_equal(w, "Điểm truy cập Wi-Fi");
	i18n_capitalised(w, sizeof(w), "");
	assert_string_equal(w, "");
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* Catalogues are searched by key (sorted once); a key given twice is an error with both
 * lines; an English text missing falls back to the Vietnamese one, a key missing to itself. */
static void catalogue_lookup(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-i18n-XXXXXX", sub[64], vi[96], en[96];
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/i18n", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(vi, sizeof(vi), "%s/vi.ini", sub);
	snprintf(en, sizeof(en), "%s/en.ini", sub);
	write_text(vi, "b = hai\na = một\nc = ba\nu = {Member} của {top}: {member}, {x}\n");
	write_text(en, "a = one\nu = {Member}s of the {top}\n");
	struct errlist el = {0};
	struct i18n *t = i18n_load(dir, &el);
	assert_non_null(t);
	/* the unit words: a district's by default, then the configuration's, again and again */
	assert_string_equal(i18n_get(t, LANG_VI, "u"), "Xã của huyện: xã, {x}");
	assert_string_equal(i18n_get(t, LANG_EN, "u"), "Communes of the district");
	const char *const top[LANG_COUNT] = {"tỉnh", "province"};
	const char *const member[LANG_COUNT] = {"đơn vị", "ward"};
	assert_int_equal(i18n_set_units(t, top, member, &el), 0);
	assert_string_equal(i18n_get(t, LANG_VI, "u"), "Đơn vị của tỉnh: đơn vị, {x}");
	assert_string_equal(i18n_get(t, LANG_EN, "u"), "Wards of the province");
	const char *const bad[LANG_COUNT] = {"<b>xã</b>", "commune"};
	assert_int_equal(i18n_set_units(t, top, bad, &el), -1);
	assert_string_equal(i18n_get(t, LANG_VI, "a"), "một");
	assert_string_equal(i18n_get(t, LANG_VI, "a"), "một");
	assert_string_equal(i18n_get(t, LANG_VI, "c"), "ba");
	assert_string_equal(i18n_get(t, LANG_EN, "a"), "one");
	assert_string_equal(i18n_get(t, LANG_EN, "b"), "hai");
	assert_string_equal(i18n_get(t, LANG_EN, "zz"), "zz");
	i18n_free(t);
	write_text(vi, "a = một\nb = hai\na = lại một\n");
	assert_null(i18n_load(dir, &el));
	char want[160];
	snprintf(want, sizeof(want), "%s:3: a: given twice (first on line 1)", vi);
	int seen = 0;
	for (size_t i = 0; i < el.n; i++)
		seen |= strcmp(el.msg[i], want) == 0;
	assert_true(seen);
	errlist_free(&el);
	unlink(vi);
	unlink(en);
	rmdir(sub);
	rmdir(dir);
}

/* The probe's English messages read as words, the most specific first. */
static void probe_errors(void **state)
{
	(void)state;
	char b[200];
	text_error(b, sizeof(b), cat, LANG_VI, "timeout (the host answers ping)");
	assert_string_equal(b, "Không trả lời (hết thời gian chờ); máy vẫn trả lời ping (kiểm tra "
			       "dịch vụ SNMP trên thiết bị)");
	text_error(b, sizeof(b), cat, LANG_EN, "timeout (SNMPv3: a wrong priv password looks the same)");
	assert_string_equal(b, "Wrong SNMPv3 credentials (user, password or encryption)");
	text_error(b, sizeof(b), cat, LANG_VI, "timeout during walk");
	assert_string_equal(b, "Ngừng trả lời giữa chừng");
	text_error(b, sizeof(b), cat, LANG_EN, "no answer to 3 ICMP echo requests");
	assert_string_equal(b, "No answer to ping");
	text_error(b, sizeof(b), cat, LANG_EN, "HTTP 503");
	assert_string_equal(b, "The web page fails or does not load");
	text_error(b, sizeof(b), cat, LANG_EN, "something new");
	assert_string_equal(b, "Cannot connect");
}

int main(void)
{
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(measures),
		cmocka_unit_test(enumerations),
		cmocka_unit_test(durations),
		cmocka_unit_test(times),
		cmocka_unit_test(catalogue_lookup),
		cmocka_unit_test(probe_errors),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
