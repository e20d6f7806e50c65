#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "strbuf.h"

static void html_escapes_markup(void **state)
{
	(void)state;
	struct strbuf sb;
	assert_int_equal(strbuf_init(&sb, 0), 0);
	strbuf_html(&sb, "<script>alert('x')</script> & \"q\"");
	assert_string_equal(sb.data,
			    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
	strbuf_free(&sb);
}

static void limit_is_enforced(void **state)
{
	(void)state;
	struct strbuf sb;
	assert_int_equal(strbuf_init(&sb, 10), 0);
	assert_int_equal(strbuf_puts(&sb, "0123456789"), 0);
	assert_int_equal(strbuf_puts(&sb, "x"), -1);
	assert_true(sb.overflow);
	assert_int_equal(sb.len, 10);
	strbuf_free(&sb);
}

static void utf8_keeps_vietnamese_and_marks_bad_bytes(void **state)
{
	(void)state;
	char out[64];
	const char in[] = "Xã Tân\xff\x01Phú\xc3";
	utf8_sanitize(out, sizeof(out), in, sizeof(in) - 1);
	assert_string_equal(out, "Xã Tân\xEF\xBF\xBD\xEF\xBF\xBDPhú\xEF\xBF\xBD");
	assert_true(utf8_is_clean("Bộ phận một cửa"));
	assert_false(utf8_is_clean("a\x80"));
	assert_false(utf8_is_clean("line\nbreak"));
	/* overlong encoding of '/' */
	assert_false(utf8_is_clean("\xC0\xAF"));
}

static void utf8_marks_invisible_format_characters(void **state)
{
	(void)state;
	char out[64];
	/* a right-to-left override would show "abcexe.jpg" for "abc\u202Egpj.exe" */
	const char in[] = "abc\xE2\x80\xAEgpj.exe\xE2\x80\x8B\xEF\xBB\xBF";
	utf8_sanitize(out, sizeof(out), in, sizeof(in) - 1);
	assert_string_equal(out, "abc\xEF\xBF\xBDgpj.exe\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_false(utf8_is_clean("Xã\xE2\x80\xAE"));      /* U+202E */
	assert_false(utf8_is_clean("a\xE2\x81\xA6" "b")); /* U+2066, an isolate */
	assert_true(utf8_is_clean("Thị trấn Hòa Thành — № 1")); /* visible text stays */
}

static void utf8_truncates_on_character_boundary(void **state)
{
	(void)state;
	char out[6];
	utf8_sanitize(out, sizeof(out), "ệệệ", strlen("ệệệ"));
	assert_string_equal(out, "ệ");
}

static void url_encoding(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb, 0);
	strbuf_url(&sb, "X%C3 a/b");
	assert_string_equal(sb.data, "X%25C3%20a%2Fb");
	strbuf_free(&sb);
}

static void json_strings(void **state)
{
	(void)state;
	struct strbuf sb;
	assert_int_equal(strbuf_init(&sb, 0), 0);
	assert_int_equal(strbuf_json(&sb, "Máy in \"HP\" \\ <b>\x01\n"), 0);
	assert_string_equal(sb.data, "\"Máy in \\\"HP\\\" \\\\ <b>\\u0001\\u000a\"");
	sb.len = 0;
	assert_int_equal(strbuf_json(&sb, ""), 0);
	assert_string_equal(sb.data, "\"\"");
	strbuf_free(&sb);
}

static void numbers_are_checked(void **state)
{
	(void)state;
	long v;
	unsigned long long u;
	assert_int_equal(parse_long("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_long("101", 0, 100, &v), -1);
	assert_int_equal(parse_long("4x", 0, 100, &v), -1);
	assert_int_equal(parse_long("", 0, 100, &v), -1);
	assert_int_equal(parse_long("99999999999999999999", 0, 100, &v), -1);
	assert_int_equal(parse_u64("18446744073709551615", &u), 0);
	assert_int_equal(parse_u64("18446744073709551616", &u), -1);
	assert_int_equal(parse_u64("-1", &u), -1);
}

/* Octets (a chassis MAC, BITS) cross the wire as hex text; the reader refuses anything else. */
static void hex_round_trip(void **state)
{
	(void)state;
	const unsigned char mac[6] = {0x00, 0x1b, 0x21, 0xab, 0xCD, 0xff};
	unsigned char back[8], big[80];
	char txt[13], small[6];
	assert_int_equal(hex_encode(txt, sizeof(txt), mac, 6), 6);
	assert_string_equal(txt, "001b21abcdff");
	assert_int_equal(hex_decode(back, sizeof(back), txt), 6);
	assert_memory_equal(back, mac, 6);
	assert_int_equal(hex_decode(back, sizeof(back), "001B21ABCDFF"), 6);
	/* whole bytes only: 5 digits of room hold 2 bytes */
	assert_int_equal(hex_encode(small, sizeof(small), mac, 6), 2);
	assert_string_equal(small, "001b");
	assert_int_equal(hex_decode(back, sizeof(back), ""), 0);
	assert_int_equal(hex_decode(back, sizeof(back), "abc"), -1);   /* odd */
	assert_int_equal(hex_decode(back, sizeof(back), "zz"), -1);
	assert_int_equal(hex_decode(back, sizeof(back), "00 11"), -1);
	assert_int_equal(hex_decode(back, 2, "001122"), -1);           /* more than max */
	memset(big, 0xee, sizeof(big));
	char all[161];
	assert_int_equal(hex_encode(all, sizeof(all), big, sizeof(big)), 80);
	assert_int_equal(hex_decode(back, sizeof(back), all), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(html_escapes_markup),
		cmocka_unit_test(json_strings),
		cmocka_unit_test(limit_is_enforced),
		cmocka_unit_test(utf8_keeps_vietnamese_and_marks_bad_bytes),
		cmocka_unit_test(utf8_marks_invisible_format_characters),
		cmocka_unit_test(utf8_truncates_on_character_boundary),
		cmocka_unit_test(url_encoding),
		cmocka_unit_test(numbers_are_checked),
		cmocka_unit_test(hex_round_trip),
	};
	return cmocka_run_group_tests_name("strbuf", tests, NULL, NULL);
}
