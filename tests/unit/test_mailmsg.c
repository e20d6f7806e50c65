#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "mailmsg.h"

/* Hostile device text in subject and body cannot add a header or break a line. */
static void headers_cannot_be_injected(void **state)
{
	(void)state;
	struct strbuf sb;
	assert_int_equal(strbuf_init(&sb, 1 << 20), 0);
	const char *subj = "[hbmon] Xã Tân Lập\r\nBcc: victim@example.com\r\n\r\nhi — rất dài "
			   "tiêu đề tiếng Việt có dấu để phải gập thành nhiều dòng mã hoá";
	struct mail_in m = {"hbmon@huyen.test", "canbo@xa.test", subj,
			    "line 1\n.\nBcc: x@y\n<script>\n", 1795903200, 7};
	assert_int_equal(mailmsg_build(&sb, &m), 0);
	const char *end = strstr(sb.data, "\r\n\r\n");
	assert_non_null(end);
	/* every header line is a known header or a folded continuation */
	const char *p = sb.data;
	int subject_lines = 0;
	while (p < end) {
		const char *eol = strstr(p, "\r\n");
		assert_non_null(eol);
		if (*p == ' ') {
			subject_lines++;
			assert_true(strncmp(p, " =?UTF-8?B?", 11) == 0);
		} else {
			assert_true(strncmp(p, "From: ", 6) == 0 || strncmp(p, "To: ", 4) == 0 ||
				    strncmp(p, "Subject: =?UTF-8?B?", 19) == 0 ||
				    strncmp(p, "Date: ", 6) == 0 || strncmp(p, "Message-ID: <", 13) == 0 ||
				    strncmp(p, "MIME-Version: ", 14) == 0 ||
				    strncmp(p, "Content-Type: ", 14) == 0 ||
				    strncmp(p, "Content-Transfer-Encoding: ", 27) == 0 ||
				    strncmp(p, "Auto-Submitted: ", 16) == 0);
		}
		assert_true(eol - p <= 78);
		p = eol + 2;
	}
	assert_true(subject_lines >= 2);
	assert_null(strstr(sb.data, "Bcc"));
	/* the body is base64 only: no dot line, no markup */
	for (p = end + 4; *p; p++)
		assert_true(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n",
				   *p));
	assert_non_null(strstr(sb.data, "Date: Sun, 29 Nov 2026 05:00:00 +0700\r\n"));
	strbuf_free(&sb);
}

static void base64_known_values(void **state)
{
	(void)state;
	struct strbuf sb;
	const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(strbuf_init(&sb, 1024), 0);
		assert_int_equal(mail_base64(&sb, (const unsigned char *)in[i], strlen(in[i]), 0), 0);
		assert_string_equal(sb.len ? sb.data : "", out[i]);
		strbuf_free(&sb);
	}
}

int main(void)
{
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(headers_cannot_be_injected),
		cmocka_unit_test(base64_known_values),
	};
	return cmocka_run_group_tests_name("mailmsg", tests, NULL, NULL);
}
