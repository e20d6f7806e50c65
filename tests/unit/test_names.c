#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
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
	};
	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
