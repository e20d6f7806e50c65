/* Alert digests as a commune officer reads them: the subject names the commune and its worst
 * problem, the body what is still wrong since when (warnings apart), what to check first,
 * whom to call and where to look; a recovery says what works again and for how long it was
 * out. Texts from the shipped catalogues, on a fixed clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "errlist.h"

/* Tuesday 24/11/2026 09:30 in Hà Nội (UTC+7). */
#define NOW 1795487400L

static struct i18n *cat;
static struct hbmon_config cfg;

static int load(void **state)
{
	struct errlist el = {0};
	(void)state;
	cat = i18n_load("dashboards", &el);
	errlist_print(&el, stderr);
	errlist_free(&el);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.district, sizeof(cfg.district), "Huyện Thử");
	snprintf(cfg.it_contact, sizeof(cfg.it_contact), "Tổ CNTT huyện, 0263 3822 123");
	snprintf(cfg.dashboard_url, sizeof(cfg.dashboard_url), "https://hbmon.huyen.test");
	cfg.alert_pending = 300;
	return cat ? 0 : -1;
}

static int unload(void **state)
{
	(void)state;
	i18n_free(cat);
	return 0;
}

/* A firing alert about what (vi, en), its problem since 09:01 (fired five minutes later). */
static void firing(struct alert *al, const char *vi, const char *en, const char *reason,
		   const char *problem, const char *check, int warning)
{
	memset(al, 0, sizeof(*al));
	al->st = A_FIRING;
	al->since = NOW - 29 * 60 + 300;
	snprintf(al->what[LANG_VI], sizeof(al->what[0]), "%s", vi);
	snprintf(al->what[LANG_EN], sizeof(al->what[0]), "%s", en);
	snprintf(al->reason[LANG_VI], sizeof(al->reason[0]), "%s", reason);
	snprintf(al->reason[LANG_EN], sizeof(al->reason[0]), "%s", reason);
	snprintf(al->problem_key, sizeof(al->problem_key), "%s", problem);
	snprintf(al->check_key, sizeof(al->check_key), "%s", check);
	al->warning = warning;
}

static void compose(struct digest_in *in, enum lang l, struct strbuf *subj, struct strbuf *body)
{
	assert_int_equal(strbuf_init(subj, 0), 0);
	assert_int_equal(strbuf_init(body, 0), 0);
	assert_int_equal(digest_compose(subj, body, in, l), 0);
}

static void has(const struct strbuf *sb, const char *what)
{
	if (!strstr(sb->data, what))
		fail_msg("\"%s\" not in:\n%s", what, sb->data);
}

/* The critical problem names the subject, the warning follows apart; each check text once. */
static void worst_problem_first(void **state)
{
	(void)state;
	struct alert toner, scanner, scanner2;
	firing(&toner, "Vật tư in của Bộ phận một cửa", "Supplies at one-stop", "mực 6 %",
	       "alert.problem.value", "check.value.supply", 1);
	firing(&scanner, "máy quét của Bộ phận một cửa", "scanner at one-stop", "0 máy quét",
	       "alert.problem.down", "check.class.scanner", 0);
	firing(&scanner2, "máy quét của Phòng họp", "scanner at meeting room", "0 máy quét",
	       "alert.problem.down", "check.class.scanner", 0);
	const struct alert *f[] = {&toner, &scanner, &scanner2};
	struct digest_change ch = {.firing = 1, .at = NOW - 25 * 60};
	snprintf(ch.text[LANG_VI], sizeof(ch.text[0]), "0 máy quét hoạt động (cần 1)");
	struct digest_in in = {&cfg, cat, "Xã Tân Phú", 3, &ch, 1, f, 3, NOW};
	struct strbuf subj, body;
	compose(&in, LANG_VI, &subj, &body);
	assert_string_equal(subj.data, "[hbmon] Xã Tân Phú: máy quét của Bộ phận một cửa mất kết nối "
				       "từ 09:01 (+2 sự cố khác)");
	has(&body, "09:05 SỰ CỐ MỚI — 0 máy quét hoạt động (cần 1)\n");
	has(&body, "Hiện còn chưa đạt:\n  0 máy quét (từ 09:01)\n  0 máy quét (từ 09:01)\n");
	has(&body, "\nCảnh báo (không tính là chưa đạt):\n  mực 6 % (từ 09:01)\n");
	has(&body, "Cần kiểm tra trước:\n  - Thay hộp mực");
	assert_null(strstr(strstr(body.data, "Kiểm tra máy quét") + 1, "Kiểm tra máy quét"));
	has(&body, "Liên hệ: Tổ CNTT huyện, 0263 3822 123\n");
	has(&body, "Xem chi tiết: https://hbmon.huyen.test/#c3\n");
	strbuf_free(&subj);
	strbuf_free(&body);
	compose(&in, LANG_EN, &subj, &body);
	assert_string_equal(subj.data, "[hbmon] Xã Tân Phú: scanner at one-stop is down since 09:01 "
				       "(+2 more problems)");
	has(&body, "Details: https://hbmon.huyen.test/?lang=en#c3\n");
	strbuf_free(&subj);
	strbuf_free(&body);
}

/* A warning alone says so; a recovery says what works again and how long it was out. */
static void warning_and_recovery(void **state)
{
	(void)state;
	struct alert disk;
	firing(&disk, "Ổ đĩa của Bộ phận một cửa", "Disks at one-stop", "ổ C: 96,5 %",
	       "alert.problem.value", "check.value.disk", 1);
	const struct alert *f[] = {&disk};
	struct digest_change back = {.firing = 0, .at = NOW - 60, .out_for = 5340};
	snprintf(back.text[LANG_VI], sizeof(back.text[0]), "0 máy quét hoạt động (cần 1)");
	snprintf(back.what[LANG_VI], sizeof(back.what[0]), "máy quét của Bộ phận một cửa");
	struct digest_in in = {&cfg, cat, "Xã Tân Phú", 0, &back, 1, f, 1, NOW};
	struct strbuf subj, body;
	compose(&in, LANG_VI, &subj, &body);
	assert_string_equal(subj.data, "[hbmon] Xã Tân Phú: Cảnh báo: Ổ đĩa của Bộ phận một cửa "
				       "vượt ngưỡng từ 09:01");
	has(&body, "09:29 ĐÃ KHẮC PHỤC — máy quét của Bộ phận một cửa: đã hoạt động bình thường "
		   "trở lại sau khi gián đoạn 1 giờ 29 phút\n");
	assert_null(strstr(body.data, "(cần 1)"));
	strbuf_free(&subj);
	strbuf_free(&body);
	/* all fixed: said so in the subject and the body */
	in.nfiring = 0;
	compose(&in, LANG_VI, &subj, &body);
	assert_string_equal(subj.data, "[hbmon] Xã Tân Phú: đã khắc phục, tất cả chỉ tiêu đạt");
	has(&body, "Mọi chỉ tiêu đã đạt.");
	strbuf_free(&subj);
	strbuf_free(&body);
}

/* An alert kept across a restart and not judged since has no "what": its reason serves. */
static void restored_alert_and_probes(void **state)
{
	(void)state;
	struct alert kept;
	firing(&kept, "", "", "Bộ phận một cửa: 0 máy quét hoạt động (cần 1)", "", "", 0);
	const struct alert *f[] = {&kept};
	struct digest_in in = {&cfg, cat, "Xã A", 0, NULL, 0, f, 1, NOW};
	struct strbuf subj, body;
	compose(&in, LANG_VI, &subj, &body);
	assert_string_equal(subj.data, "[hbmon] Xã A: Bộ phận một cửa: 0 máy quét hoạt động (cần 1)");
	strbuf_free(&subj);
	strbuf_free(&body);
	/* district IT's digest of the probes: the last change names it, what to check follows */
	struct digest_change silent = {.firing = 1, .at = NOW - 600};
	snprintf(silent.text[LANG_EN], sizeof(silent.text[0]), "Probe district sends nothing");
	struct digest_in pin = {&cfg, cat, NULL, 0, &silent, 1, f, 1, NOW};
	compose(&pin, LANG_EN, &subj, &body);
	assert_string_equal(subj.data, "[hbmon] Huyện Thử: Probe district sends nothing");
	has(&body, "24/11 09:20 ");
	strbuf_free(&subj);
	strbuf_free(&body);
}

int main(void)
{
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worst_problem_first),
		cmocka_unit_test(warning_and_recovery),
		cmocka_unit_test(restored_alert_and_probes),
	};
	return cmocka_run_group_tests_name("digest", tests, load, unload);
}
