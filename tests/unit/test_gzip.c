/* Compressed pages: a gzip stream any browser inflates, sent only to those that ask. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "gzip.h"

static void round_trip(void **state)
{
	(void)state;
	char page[20000];
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = "<tr><td>Xã An Bình</td></tr>\n"[i % 30];
	unsigned char *gz, back[sizeof(page)];
	size_t n;
	assert_int_equal(gzip_buf(page, sizeof(page), &gz, &n), 0);
	assert_true(n < sizeof(page) / 10);
	assert_int_equal(gz[0], 0x1f); /* the gzip magic */
	assert_int_equal(gz[1], 0x8b);
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = gz;
	z.avail_in = (uInt)n;
	z.next_out = back;
	z.avail_out = sizeof(back);
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, sizeof(page));
	assert_memory_equal(back, page, sizeof(page));
	inflateEnd(&z);
	free(gz);
	assert_int_equal(gzip_buf("", 0, &gz, &n), 0);
	free(gz);
}

static void who_takes_it(void **state)
{
	(void)state;
	assert_true(gzip_accepted("gzip, deflate, br"));
	assert_true(gzip_accepted("br;q=1.0, GZIP;q=0.8"));
	assert_true(gzip_accepted("deflate, gzip"));
	assert_false(gzip_accepted("gzip;q=0"));
	assert_false(gzip_accepted("gzip; q=0.0, deflate"));
	assert_false(gzip_accepted("deflate, br"));
	assert_false(gzip_accepted("x-gzip2"));
	assert_false(gzip_accepted(""));
	assert_false(gzip_accepted(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(who_takes_it),
	};
	return cmocka_run_group_tests_name("gzip", tests, NULL, NULL);
}
