/* The IEEE OUI registry: a small CSV with the ways real rows and broken rows look, a missing
 * file, and (when ieee-data is installed) the real registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oui.h"
#include "strbuf.h"

static char *write_csv(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/hbmon-test-oui-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char *look(const struct oui_table *t, uint8_t a, uint8_t b, uint8_t c)
{
	uint8_t mac[6] = {a, b, c, 0x12, 0x34, 0x56};
	return oui_lookup(t, mac);
}

static void rows_good_and_bad(void **state)
{
	(void)state;
	char *path = write_csv(
	    "Registry,Assignment,Organization Name,Organization Address\n"
	    "MA-L,00D0EF,IGT,9295 PROTOTYPE DRIVE RENO NV US 89511 \n"
	    "MA-L,F4BD9E,\"Cisco Systems, Inc\",80 West Tasman Drive San Jose CA US 94568 \n"
	    "MA-L,5885E9,Realme,\"No.24 Nichang Boulevard,\nHuixing Block\"\n" /* quoted newline */
	    "MA-L,0026ab,Seiko Epson Corporation  ,\n"                         /* lower-case hex */
	    "MA-L,00D0EF,Someone Later,\n"                                      /* duplicate */
	    "MA-L,XYZ123,Not Hex,\n"
	    "MA-L,00D0E,Five Digits,\n"
	    "MA-L,00AABB,,empty name\n"
	    "MA-L,00AACC\n"
	    "MA-M,00AADD,A Medium Block,\n"
	    "\n"
	    "MA-L,00AAEE,Bad \x01\xff Bytes,\n");
	struct oui_table *t = oui_load(path);
	unlink(path);
	assert_non_null(t);
	const struct oui_stats *st = oui_stats(t);
	assert_int_equal(st->entries, 5);
	assert_int_equal(st->duplicates, 1);
	assert_int_equal(st->malformed, 5);
	assert_int_equal(st->missing, 0);
	assert_string_equal(st->error, "");
	assert_string_equal(look(t, 0x00, 0xd0, 0xef), "IGT"); /* the first row of a prefix */
	assert_string_equal(look(t, 0xf4, 0xbd, 0x9e), "Cisco Systems, Inc");
	assert_string_equal(look(t, 0x58, 0x85, 0xe9), "Realme");
	assert_string_equal(look(t, 0x00, 0x26, 0xab), "Seiko Epson Corporation");
	const char *bad = look(t, 0x00, 0xaa, 0xee);
	assert_non_null(bad);
	assert_true(utf8_is_clean(bad));
	assert_null(look(t, 0x00, 0xaa, 0xbb));
	assert_null(look(t, 0x00, 0xaa, 0xdd));
	assert_null(look(t, 0x00, 0x00, 0x01));
	assert_null(look(t, 0xff, 0xff, 0xff));
	/* a group or locally administered address names no maker */
	assert_null(look(t, 0xf5, 0xbd, 0x9e));
	assert_null(look(t, 0xf6, 0xbd, 0x9e));
	oui_free(t);
}

static void missing_file_is_no_error(void **state)
{
	(void)state;
	struct oui_table *t = oui_load("/nonexistent/hbmon/oui.csv");
	assert_non_null(t);
	assert_int_equal(oui_stats(t)->missing, 1);
	assert_int_equal(oui_stats(t)->entries, 0);
	assert_string_equal(oui_stats(t)->error, "");
	assert_null(look(t, 0x00, 0xd0, 0xef));
	oui_free(t);
	assert_null(oui_lookup(NULL, (const uint8_t *)"\0\0\0\0\0\0"));
	/* a folder is not a registry: an error, still a table */
	t = oui_load("/tmp");
	assert_non_null(t);
	assert_string_not_equal(oui_stats(t)->error, "");
	oui_free(t);
	char *path = write_csv("");
	t = oui_load(path);
	unlink(path);
	assert_int_equal(oui_stats(t)->entries, 0);
	oui_free(t);
}

static void long_names_are_cut_whole(void **state)
{
	(void)state;
	char text[512];
	char name[200];
	memset(name, 0, sizeof(name));
	for (int i = 0; i < 60; i++)
		memcpy(name + 3 * i, "\xe1\xba\xa1", 3); /* ạ: 3 bytes, cut only between */
	snprintf(text, sizeof(text), "MA-L,001122,%s,\n", name);
	char *path = write_csv(text);
	struct oui_table *t = oui_load(path);
	unlink(path);
	const char *n = look(t, 0x00, 0x11, 0x22);
	assert_non_null(n);
	assert_true(strlen(n) < OUI_NAME_MAX && strlen(n) % 3 == 0);
	assert_true(utf8_is_clean(n));
	oui_free(t);
}

static void the_installed_registry(void **state)
{
	(void)state;
	if (access(OUI_DEFAULT_PATH, R_OK) != 0) {
		print_message("  %s not installed (ieee-data): skipped\n", OUI_DEFAULT_PATH);
		return;
	}
	struct oui_table *t = oui_load(OUI_DEFAULT_PATH);
	assert_non_null(t);
	const struct oui_stats *st = oui_stats(t);
	assert_true(st->entries > 20000);
	assert_int_equal(st->malformed, 0);
	const char *cisco = look(t, 0x00, 0x00, 0x0c);
	assert_non_null(cisco);
	assert_non_null(strstr(cisco, "Cisco"));
	oui_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rows_good_and_bad),
	    cmocka_unit_test(missing_file_is_no_error),
	    cmocka_unit_test(long_names_are_cut_whole),
	    cmocka_unit_test(the_installed_registry),
	};
	return cmocka_run_group_tests_name("oui", tests, NULL, NULL);
}
