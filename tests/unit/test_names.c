#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "names.h"

/* Undoes the %XX encoding; returns -1 on a malformed escape or a byte that should be escaped. */
static int decode(char *dst, size_t dstsz, const char *enc)
{
	size_t o = 0;
	for (size_t i = 0; enc[i]; i++) {
		unsigned char c = (unsigned char)enc[i];
		if (o + 1 >= dstsz)
			return -1;
		if (c != '%') {
			dst[o++] = (char)c;
			continue;
		}
		unsigned v = 0;
		for (int k = 1; k <= 2; k++) {
			char h = enc[i + k];
			v <<= 4;
			if (h >= '0' && h <= '9')
				v |= (unsigned)(h - '0');
			else if (h >= 'A' && h <= 'F')
				v |= (unsigned)(h - 'A' + 10);
			else
				return -1;
		}
		dst[o++] = (char)v;
		i += 2;
	}
	dst[o] = '\0';
	return 0;
}

/* A component that is safe to join into a path. */
static void assert_safe_component(const char *p)
{
	size_t n = strlen(p);
	assert_true(n > 0);
	assert_true(n < NAME_PATH_MAX);
	assert_null(strchr(p, '/'));
	assert_true(p[0] != '.');
	assert_string_not_equal(p, ".");
	assert_string_not_equal(p, "..");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		assert_true(c > 0x20 && c < 0x7F); /* printable ASCII only */
	}
}

static void map(char *out, const char *name)
{
	assert_int_equal(name_to_path(out, NAME_PATH_MAX, name), 0);
	assert_safe_component(out);
}

static void dangerous_names_stay_inside(void **state)
{
	(void)state;
	static const char *const names[] = {
		"../", "/", "..", ".", ".hidden", "../../etc/passwd", "a/b", "./x", "...",
		"~root", "%2F", " ", "-rf", "a\\b",
	};
	char out[NAME_PATH_MAX], back[512];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		map(out, names[i]);
		assert_int_equal(decode(back, sizeof(back), out), 0);
		assert_string_equal(back, names[i]);
	}
	map(out, "..");
	assert_string_equal(out, "%2E.");
	map(out, "/");
	assert_string_equal(out, "%2F");
	map(out, ".hidden");
	assert_string_equal(out, "%2Ehidden");
	/* '.' after the first byte and the plain characters are kept as they are */
	map(out, "sw-01_core.lan");
	assert_string_equal(out, "sw-01_core.lan");
}

static void vietnamese_round_trips(void **state)
{
	(void)state;
	char out[NAME_PATH_MAX], back[256];
	map(out, "Xã Tân Phú");
	assert_string_equal(out, "X%C3%A3%20T%C3%A2n%20Ph%C3%BA");
	assert_int_equal(decode(back, sizeof(back), out), 0);
	assert_string_equal(back, "Xã Tân Phú");

	map(out, "Bộ phận Tiếp nhận và trả kết quả");
	assert_int_equal(decode(back, sizeof(back), out), 0);
	assert_string_equal(back, "Bộ phận Tiếp nhận và trả kết quả");
}

static void every_byte_round_trips(void **state)
{
	(void)state;
	char out[NAME_PATH_MAX], back[64], name[4];
	for (int b = 1; b < 256; b++) {
		name[0] = 'x';
		name[1] = (char)b;
		name[2] = 'y';
		name[3] = '\0';
		map(out, name);
		assert_int_equal(decode(back, sizeof(back), out), 0);
		assert_memory_equal(back, name, 4);
		/* alone, as the first byte, too */
		map(out, name + 1);
		assert_int_equal(decode(back, sizeof(back), out), 0);
		assert_string_equal(back, name + 1);
	}
}

static void control_bytes_and_case_make_distinct_names(void **state)
{
	(void)state;
	char a[NAME_PATH_MAX], b[NAME_PATH_MAX];
	map(a, "PC\x01" "1");
	map(b, "PC1");
	assert_string_not_equal(a, b);
	map(a, "PC\x01");
	map(b, "PC");
	assert_string_not_equal(a, b);
	map(a, "pc1");
	map(b, "PC1");
	assert_string_not_equal(a, b);
	/* an encoded-looking name is not confused with the name it would encode */
	map(a, "%20");
	map(b, " ");
	assert_string_not_equal(a, b);
}

static void long_names_are_cut_and_kept_distinct(void **state)
{
	(void)state;
	char n1[301], n2[301], n3[301], a[NAME_PATH_MAX], b[NAME_PATH_MAX], c[NAME_PATH_MAX];
	memset(n1, 'a', 300);
	n1[300] = '\0';
	memcpy(n2, n1, sizeof(n1));
	n2[299] = 'b';
	memcpy(n3, n1, sizeof(n1));
	n3[0] = '.';
	map(a, n1);
	map(b, n2);
	map(c, n3);
	assert_true(strlen(a) <= NAME_PATH_MAX - 1);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	assert_non_null(strchr(a, '~'));
	/* stable: the same name gives the same component */
	char again[NAME_PATH_MAX];
	map(again, n1);
	assert_string_equal(again, a);

	/* long names made only of escaped bytes, differing in the last character */
	char v1[400], v2[400];
	size_t l = 0;
	while (l + 3 < 300) {
		memcpy(v1 + l, "ệ", 3);
		l += 3;
	}
	v1[l] = '\0';
	memcpy(v2, v1, sizeof(v1));
	v1[l] = 'x';
	v1[l + 1] = '\0';
	v2[l] = 'y';
	v2[l + 1] = '\0';
	map(a, v1);
	map(b, v2);
	assert_string_not_equal(a, b);
	/* the cut never splits a %XX escape */
	char *tilde = strchr(a, '~');
	assert_non_null(tilde);
	*tilde = '\0';
	char back[256];
	assert_int_equal(decode(back, sizeof(back), a), 0);
}

static void short_names_never_look_cut(void **state)
{
	(void)state;
	/* the longest name that is kept whole, and one byte more */
	char n[NAME_PATH_MAX + 1], a[NAME_PATH_MAX], b[NAME_PATH_MAX];
	for (size_t len = 100; len <= NAME_PATH_MAX; len++) {
		memset(n, 'z', len);
		n[len] = '\0';
		map(a, n);
		if (strchr(a, '~') == NULL)
			assert_string_equal(a, n);
		n[len - 1] = 'q';
		map(b, n);
		assert_string_not_equal(a, b);
	}
}

static void bad_arguments(void **state)
{
	(void)state;
	char out[NAME_PATH_MAX];
	assert_int_equal(name_to_path(out, sizeof(out), ""), -1);
	assert_int_equal(name_to_path(out, sizeof(out), NULL), -1);
	assert_int_equal(name_to_path(out, NAME_PATH_MAX - 1, "abc"), -1);
}

/* "<n>.<n>...", count sub-identifiers of value v */
static void make_index(char *dst, size_t dstsz, size_t count, const char *v)
{
	size_t o = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < count; i++)
		o += (size_t)snprintf(dst + o, dstsz - o, "%s%s", i ? "." : "", v);
	assert_true(o < dstsz);
}

static void append(char *dst, size_t dstsz, const char *s)
{
	size_t n = strlen(dst);
	assert_true(n + strlen(s) < dstsz);
	memcpy(dst + n, s, strlen(s) + 1);
}

/* A row file stem: fits a file name with ".rrd" and the writer's ".tmp<pid>", is one path
 * component, and is accepted back from a URL. */
static void row_file(char *out, const char *group, const char *index)
{
	assert_int_equal(name_row_file(out, ROW_FILE_STEM_MAX, group, index), 0);
	size_t n = strlen(out);
	assert_true(n > 0 && n <= ROW_FILE_READABLE);
	assert_true(n + strlen(".rrd.tmp4194304") <= 255);
	assert_null(strchr(out, '/'));
	assert_true(out[0] != '.');
	assert_int_equal(name_row_file_valid(out), 1);
}

static void row_files_readable_while_short(void **state)
{
	(void)state;
	char out[ROW_FILE_STEM_MAX], idx[1500];
	row_file(out, "supply", NULL);
	assert_string_equal(out, "supply");
	row_file(out, "supply", "");
	assert_string_equal(out, "supply");
	row_file(out, "supply", "1.1");
	assert_string_equal(out, "supply-1.1");
	/* "disk-" and 195 bytes of index: exactly the readable limit */
	make_index(idx, sizeof(idx), 49, "123");
	assert_int_equal(strlen(idx), 195);
	row_file(out, "disk", idx);
	assert_int_equal(strlen(out), ROW_FILE_READABLE);
	assert_int_equal(strncmp(out, "disk-123.123.", 13), 0);
	/* one byte more: named by the digest */
	append(idx, sizeof(idx), "3");
	row_file(out, "disk", idx);
	assert_int_equal(strlen(out), strlen("disk-x") + 16);
	assert_int_equal(strncmp(out, "disk-x", 6), 0);
}

static void row_files_of_long_indexes(void **state)
{
	(void)state;
	char a[ROW_FILE_STEM_MAX], b[ROW_FILE_STEM_MAX], idx[1500];
	/* the longest index SNMP can carry: 128 sub-identifiers of 10 digits */
	make_index(idx, sizeof(idx), 120, "4294967295");
	row_file(a, "storage_entry_long", idx);
	/* the digest is pinned: stored files must keep their names across releases */
	assert_string_equal(a, "storage_entry_long-xc5cd18587fad02b1");
	make_index(idx, sizeof(idx), 128, "4294967295");
	row_file(a, "s", idx);
	/* indexes that differ only at their end (past 64 and past 200 bytes) stay apart */
	make_index(idx, sizeof(idx), 30, "7");
	append(idx, sizeof(idx), ".1");
	row_file(a, "s", idx);
	idx[strlen(idx) - 1] = '2';
	row_file(b, "s", idx);
	assert_string_not_equal(a, b);
	make_index(idx, sizeof(idx), 120, "7");
	append(idx, sizeof(idx), ".1");
	row_file(a, "s", idx);
	idx[strlen(idx) - 1] = '2';
	row_file(b, "s", idx);
	assert_string_not_equal(a, b);
	assert_int_equal(a[2], 'x');
}

static void row_file_names_checked(void **state)
{
	(void)state;
	char out[ROW_FILE_STEM_MAX], idx[1500];
	assert_int_equal(name_row_file(out, sizeof(out), "system", NULL), -1);
	assert_int_equal(name_row_file(out, sizeof(out), "if", "1"), -1);
	assert_int_equal(name_row_file(out, sizeof(out), "Supply", "1"), -1);
	assert_int_equal(name_row_file(out, sizeof(out), "", "1"), -1);
	assert_int_equal(name_row_file(out, sizeof(out), "s", "../x"), -1);
	assert_int_equal(name_row_file(out, sizeof(out), "s", "1..2"), -1);
	assert_int_equal(name_row_file(out, sizeof(out), "s", ".1"), -1);
	assert_int_equal(name_row_file(out, sizeof(out), "s", "1."), -1);
	assert_int_equal(name_row_file(out, sizeof(out), "s", "x0123456789abcdef"), -1);
	make_index(idx, sizeof(idx), 129, "1");
	assert_int_equal(name_row_file(out, sizeof(out), "s", idx), -1);
	assert_int_equal(name_row_file(out, ROW_FILE_STEM_MAX - 1, "s", "1"), -1);

	/* from a URL: exactly the names name_row_file writes */
	static const char *const good[] = {"s", "supply-1.1", "s-0", "s-x0123456789abcdef"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(name_row_file_valid(good[i]), 1);
	static const char *const bad[] = {
		"", "-", "s-", "-1", ".s", "..", "../s", "s/1", "s-1/2", "s-1..2", "s-.1", "s-1.",
		"s-x0123", "s-x0123456789ABCDEF", "s-x0123456789abcdef0", "s-x", "s-1-2",
		"system", "if-1", "if", "Supply-1", "s-1\n", "s-1 ", "s-1.rrd",
		"abcdefghijklmnopqrst-1", /* group name of 20 bytes */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("  %s\n", bad[i]);
		assert_int_equal(name_row_file_valid(bad[i]), 0);
	}
	/* a readable name past the limit is never written, so never accepted */
	memcpy(out, "s-", 2);
	make_index(out + 2, sizeof(out) - 2, 99, "1");
	assert_int_equal(strlen(out), ROW_FILE_READABLE - 1);
	assert_int_equal(name_row_file_valid(out), 1);
	memcpy(idx, "s-", 2);
	make_index(idx + 2, sizeof(idx) - 2, 100, "1");
	assert_int_equal(name_row_file_valid(idx), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dangerous_names_stay_inside),
		cmocka_unit_test(vietnamese_round_trips),
		cmocka_unit_test(every_byte_round_trips),
		cmocka_unit_test(control_bytes_and_case_make_distinct_names),
		cmocka_unit_test(long_names_are_cut_and_kept_distinct),
		cmocka_unit_test(short_names_never_look_cut),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(row_files_readable_while_short),
		cmocka_unit_test(row_files_of_long_indexes),
		cmocka_unit_test(row_file_names_checked),
	};
	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
