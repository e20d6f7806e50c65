/* Planners' files (collector/sheet.c, collector/readiness_sheet.c): CSV as Excel reads it in
 * each language (BOM, separators, decimal mark, quoting, formulas neutralised), XLSX as a zip
 * made in a private directory that is removed, JSON rows; the period sheet in words. Run from
 * the repository's root (the catalogues). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errlist.h"
#include "i18n.h"
#include "readiness_sheet.h"
#include "sheet.h"
#include "strbuf.h"
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

static const struct sheet_column cols[] = {
	{"name", "Tên \"thiết bị\"", 20}, {"n", "Số", 0}, {"share", "Tỷ lệ (%)", 0},
	{"day", "Ngày", 12},		  {"at", "Lúc", 16},
};

/* 05/12/2026 08:07:00 in Hà Nội */
#define DAY 1796432820

static char *finish(struct sheet *s, size_t *len)
{
	char *data = NULL, err[200] = "";
	int rc = sheet_finish(s, &data, len, err, sizeof(err));
	sheet_free(s);
	if (rc < 0)
		fail_msg("sheet_finish: %s", err);
	return data;
}

static void one_row(struct sheet *s, const char *name, double n, double share)
{
	sheet_text(s, name);
	sheet_number(s, n);
	sheet_percent(s, share);
	sheet_date(s, DAY);
	sheet_time(s, DAY);
	sheet_end_row(s);
}

static void csv_vietnamese(void **state)
{
	(void)state;
	size_t len;
	struct sheet *s = sheet_new(SHEET_CSV, LANG_VI, "Thử");
	sheet_header(s, cols, 5);
	one_row(s, "Máy \"in\" 1", 2, 96.54);
	one_row(s, "Xã A; phòng 2", -2, 99.96); /* a share short of 100 is never 100 */
	one_row(s, "Kho", 1.25, 100);
	sheet_text(s, "trống");
	sheet_number(s, NAN);
	sheet_percent(s, NAN);
	sheet_date(s, 0);
	sheet_end_row(s);
	sheet_text(s, "ngắn"); /* a row ended early: every column still there */
	sheet_end_row(s);
	char *d = finish(s, &len);
	const char *want = "\xEF\xBB\xBF"
			   "\"Tên \"\"thiết bị\"\"\";\"Số\";\"Tỷ lệ (%)\";\"Ngày\";\"Lúc\"\r\n"
			   "\"Máy \"\"in\"\" 1\";2;96,5;05/12/2026;05/12/2026 08:07\r\n"
			   "\"Xã A; phòng 2\";-2;99,9;05/12/2026;05/12/2026 08:07\r\n"
			   "\"Kho\";1,3;100;05/12/2026;05/12/2026 08:07\r\n"
			   "\"trống\";;;;\r\n"
			   "\"ngắn\";;;;\r\n";
	assert_int_equal(len, strlen(d));
	assert_string_equal(d, want);
	free(d);
}

static void csv_english(void **state)
{
	(void)state;
	size_t len;
	struct sheet *s = sheet_new(SHEET_CSV, LANG_EN, "Test");
	sheet_header(s, cols, 5);
	one_row(s, "Commune A, hall", 1234.56, 44.44);
	char *d = finish(s, &len);
	assert_string_equal(d, "\xEF\xBB\xBF"
			       "\"Tên \"\"thiết bị\"\"\",\"Số\",\"Tỷ lệ (%)\",\"Ngày\",\"Lúc\"\r\n"
			       "\"Commune A, hall\",1234.6,44.4,2026-12-05,2026-12-05 08:07\r\n");
	free(d);
}

/* A text cell that a spreadsheet would run as a formula gets a leading '; a number never. */
static void csv_formulas_neutralised(void **state)
{
	(void)state;
	static const struct sheet_column one[] = {{"v", "v", 0}};
	static const char *const in[] = {"=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(1)",
					 "a=1", "\t=1", "\r=1", "x\ny"};
	static const char *const out[] = {"\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
					  "\"'+1\"",
					  "\"'-2+3\"",
					  "\"'@SUM(1)\"",
					  "\"a=1\"",
					  /* controls are never written: U+FFFD, visible */
					  "\"\xEF\xBF\xBD=1\"",
					  "\"\xEF\xBF\xBD=1\"",
					  "\"x\xEF\xBF\xBDy\""};
	size_t len;
	struct sheet *s = sheet_new(SHEET_CSV, LANG_EN, "t");
	sheet_header(s, one, 1);
	for (size_t k = 0; k < sizeof(in) / sizeof(in[0]); k++) {
		sheet_text(s, in[k]);
		sheet_end_row(s);
	}
	sheet_number(s, -2);
	sheet_end_row(s);
	char *d = finish(s, &len);
	char *line = strstr(d, "\r\n") + 2; /* after the header */
	for (size_t k = 0; k < sizeof(in) / sizeof(in[0]); k++) {
		char *end = strstr(line, "\r\n");
		assert_non_null(end);
		*end = '\0';
		assert_string_equal(line, out[k]);
		line = end + 2;
	}
	assert_string_equal(line, "-2\r\n");
	free(d);
}

static void too_many_cells(void **state)
{
	(void)state;
	static const struct sheet_column one[] = {{"v", "v", 0}};
	char *data, err[200];
	size_t len;
	struct sheet *s = sheet_new(SHEET_CSV, LANG_VI, "t");
	sheet_header(s, one, 1);
	sheet_text(s, "a");
	sheet_text(s, "b");
	sheet_end_row(s);
	assert_int_equal(sheet_finish(s, &data, &len, err, sizeof(err)), -1);
	assert_null(data);
	assert_non_null(strstr(err, "more cells"));
	sheet_free(s);
}

static void formats_named(void **state)
{
	(void)state;
	enum sheet_format f;
	assert_int_equal(sheet_format_parse("xlsx", &f), 0);
	assert_int_equal(f, SHEET_XLSX);
	assert_int_equal(sheet_format_parse("json", &f), 0);
	assert_int_equal(f, SHEET_JSON);
	assert_int_equal(sheet_format_parse("xls", &f), -1);
	assert_string_equal(sheet_format_ext(SHEET_CSV), "csv");
	assert_string_equal(sheet_content_type(SHEET_XLSX),
			    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
}

static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	if (d)
		closedir(d);
	return d && n == 0;
}

/* A zip ("PK"), written in a directory of its own under TMPDIR that is gone afterwards, also
 * when the sheet is freed unfinished. */
static void xlsx_zip(void **state)
{
	(void)state;
	char tmp[] = "/tmp/test-sheet-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	setenv("TMPDIR", tmp, 1);
	size_t len;
	/* a tab name Excel refuses ([]:*?/\, over 31 characters) is made acceptable */
	struct sheet *s = sheet_new(SHEET_XLSX, LANG_VI, "Mức độ [đáp ứng]: chỉ tiêu / kỳ * tháng");
	sheet_header(s, cols, 5);
	one_row(s, "=HYPERLINK(\"http://x\")", 2, 96.54);
	char *d = finish(s, &len);
	assert_true(len > 1000);
	assert_memory_equal(d, "PK\x03\x04", 4);
	free(d);
	assert_true(dir_is_empty(tmp));
	s = sheet_new(SHEET_XLSX, LANG_EN, "x");
	sheet_header(s, cols, 5);
	sheet_free(s);
	assert_true(dir_is_empty(tmp));
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	rmdir(tmp);
}

static void json_rows(void **state)
{
	(void)state;
	size_t len;
	struct sheet *s = sheet_new(SHEET_JSON, LANG_VI, "t");
	sheet_header(s, cols, 5);
	one_row(s, "=1+2", 2, 96.54);
	sheet_text(s, "");
	sheet_end_row(s);
	char *d = finish(s, &len);
	assert_int_equal(d[len - 1], '\n');
	assert_string_equal(d, "[{\"name\":\"=1+2\",\"n\":2,\"share\":96.5,\"day\":\"2026-12-05\","
			       "\"at\":\"2026-12-05T08:07:00+0700\"},{\"name\":null,\"n\":null,"
			       "\"share\":null,\"day\":null,\"at\":null}]\n");
	free(d);
}

/* A period tree as history_run makes it: one site's targets, then the commune's. */
static const char *const tree =
    "{\"district\":{\"name\":\"Huyện Thử\",\"from_ts\":1793466000,\"to_ts\":1796058000},"
    "\"communes\":[{\"name\":\"Xã A\",\"sites\":[{\"name\":\"Một cửa\",\"type\":\"one-stop\","
    "\"type_label_vi\":\"Bộ phận một cửa\",\"type_label_en\":\"one-stop office\","
    "\"targets\":[{\"kind\":\"class_min_up\",\"class\":\"scanner\",\"target\":\"scanner\","
    "\"need\":1,\"verdict\":\"missed\",\"severity\":\"critical\",\"met_share\":0.90476,"
    "\"coverage\":1},"
    "{\"kind\":\"metric\",\"class\":\"printer\",\"group\":\"supply\",\"metric\":\"percent\","
    "\"op\":\">=\",\"bound\":10,\"target\":\"printer.supply.percent >= 10\",\"need\":0,"
    "\"verdict\":\"no_data\",\"severity\":\"warning\",\"met_share\":null,\"coverage\":0,"
    "\"worst\":5,\"worst_at\":\"Máy in — supply-1.1\"}]}],"
    "\"targets\":[{\"kind\":\"sites_met\",\"site_type\":\"one-stop\",\"target\":\"site.one-stop\","
    "\"site_type_label_vi\":\"Bộ phận một cửa\","
    "\"need\":1,\"verdict\":\"met\",\"severity\":\"critical\",\"met_share\":1,\"coverage\":0.5}]}]}";

static void readiness_in_words(void **state)
{
	(void)state;
	json_object *root = json_tokener_parse(tree);
	char *d, err[200], name[80];
	size_t len;
	assert_non_null(root);
	assert_int_equal(readiness_sheet(root, cat, LANG_VI, SHEET_CSV, &d, &len, err,
					 sizeof(err)),
			 0);
	/* the header in the catalogue's words (the unit's name is the district's to choose) */
	char head[512];
	snprintf(head, sizeof(head),
		 "\xEF\xBB\xBF\"Từ\";\"Đến\";\"%s\";\"Bộ phận\";\"Loại bộ phận\";\"Chỉ tiêu\";"
		 "\"Số cần đạt\";\"Tỷ lệ thời gian đạt (%%)\";\"Kết quả\";\"Dữ liệu phủ (%%)\";"
		 "\"Mức độ\"\r\n", i18n_get(cat, LANG_VI, "csv.commune"));
	assert_int_equal(strncmp(d, head, strlen(head)), 0);
	assert_string_equal(
	    d + strlen(head),
	    "01/11/2026;30/11/2026;\"Xã A\";\"Một cửa\";\"Bộ phận một cửa\";\"máy quét\";1;90,5;"
	    "\"Chưa đạt\";100;\"Nghiêm trọng\"\r\n"
	    "01/11/2026;30/11/2026;\"Xã A\";\"Một cửa\";\"Bộ phận một cửa\";"
	    "\"máy in: Vật tư in (mực, trống) ≥ 10\";;;\"Chưa có dữ liệu\";0;\"Cảnh báo\"\r\n"
	    "01/11/2026;30/11/2026;\"Xã A\";\"Toàn đơn vị\";;\"Bộ phận một cửa\";1;100;\"Đạt\";50;"
	    "\"Nghiêm trọng\"\r\n");
	free(d);
	assert_int_equal(readiness_sheet_filename(name, sizeof(name), root, SHEET_XLSX), 0);
	assert_string_equal(name, "hbmon-readiness_2026-11-01_2026-11-30.xlsx");
	assert_int_equal(readiness_sheet_filename(name, 20, root, SHEET_CSV), -1);
	/* the report's words for a value target, with where it was worst */
	struct strbuf sb;
	json_object *co = json_object_array_get_idx(json_object_object_get(root, "communes"), 0);
	json_object *so = json_object_array_get_idx(json_object_object_get(co, "sites"), 0);
	json_object *to = json_object_array_get_idx(json_object_object_get(so, "targets"), 1);
	assert_int_equal(strbuf_init(&sb, 0), 0);
	assert_int_equal(text_period_target(&sb, cat, LANG_EN, to, 1), 0);
	assert_string_equal(sb.data, "printer: Supplies (toner, drum) ≥ 10 (worst: Máy in: 5)");
	strbuf_free(&sb);
	/* a site type's words: English when it has them, else Vietnamese, else its name */
	json_object *ct = json_object_array_get_idx(json_object_object_get(co, "targets"), 0);
	assert_string_equal(text_tree_site_type(so, "type", LANG_EN), "one-stop office");
	assert_string_equal(text_tree_site_type(ct, "site_type", LANG_EN), "Bộ phận một cửa");
	assert_string_equal(text_tree_site_type(to, "class", LANG_EN), "printer");
	json_object_put(root);
	root = json_tokener_parse("{\"communes\":[]}");
	assert_int_equal(readiness_sheet(root, cat, LANG_VI, SHEET_CSV, &d, &len, err,
					 sizeof(err)),
			 -1);
	json_object_put(root);
}

int main(void)
{
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_vietnamese),   cmocka_unit_test(csv_english),
		cmocka_unit_test(csv_formulas_neutralised), cmocka_unit_test(too_many_cells),
		cmocka_unit_test(formats_named),    cmocka_unit_test(xlsx_zip),
		cmocka_unit_test(json_rows),	    cmocka_unit_test(readiness_in_words),
	};
	return cmocka_run_group_tests(tests, load, unload);
}
