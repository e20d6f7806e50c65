#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alertstore.h"
#include "store.h"

struct seen {
	int n;
	char key[4][200];
	struct alert al[4];
};

static void collect(void *ctx, const char *commune, const char *site, const char *target,
		    const struct alert *al)
{
	struct seen *s = ctx;
	if (s->n < 4) {
		snprintf(s->key[s->n], sizeof(s->key[0]), "%s|%s|%s", commune, site, target);
		s->al[s->n++] = *al;
	}
}

static void kept_while_firing_across_a_reopen(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-alertstore-XXXXXX", path[256], err[200];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hbmon.db", dir);
	struct store *st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	struct alertstore *as = alertstore_open(st, err, sizeof(err));
	assert_non_null(as);
	struct alert al;
	memset(&al, 0, sizeof(al));
	al.st = A_FIRING;
	al.since = 1795000000;
	snprintf(al.acked_by, sizeof(al.acked_by), "%s", "Chị Lan");
	snprintf(al.reason[LANG_VI], sizeof(al.reason[LANG_VI]), "%s", "Bộ phận một cửa: máy quét mất kết nối");
	snprintf(al.reason[LANG_EN], sizeof(al.reason[LANG_EN]), "%s", "one-stop office: scanner down");
	assert_int_equal(alertstore_save(as, "Xã A", "Một cửa", "scanner", &al), 0);
	assert_int_equal(alertstore_save(as, "Xã A", NULL, "uplink", &al), 0);
	al.st = A_PENDING; /* pending is not kept: it starts again after a restart */
	assert_int_equal(alertstore_save(as, "Xã B", NULL, "uplink", &al), 0);
	alertstore_close(as);
	store_close(st);

	st = store_open(path, err, sizeof(err));
	as = alertstore_open(st, err, sizeof(err));
	struct seen s = {0};
	assert_int_equal(alertstore_each(as, collect, &s), 2);
	assert_int_equal(s.n, 2);
	int scanner = strcmp(s.key[0], "Xã A|Một cửa|scanner") == 0 ? 0 : 1;
	assert_string_equal(s.key[scanner], "Xã A|Một cửa|scanner");
	assert_string_equal(s.key[1 - scanner], "Xã A||uplink");
	assert_int_equal(s.al[scanner].st, A_FIRING);
	assert_int_equal(s.al[scanner].since, 1795000000);
	assert_string_equal(s.al[scanner].acked_by, "Chị Lan");
	assert_string_equal(s.al[scanner].reason[LANG_VI], "Bộ phận một cửa: máy quét mất kết nối");
	assert_string_equal(s.al[scanner].reason[LANG_EN], "one-stop office: scanner down");
	/* resolved: no longer kept */
	al.st = A_OK;
	assert_int_equal(alertstore_save(as, "Xã A", "Một cửa", "scanner", &al), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(alertstore_each(as, collect, &s), 1);
	assert_string_equal(s.key[0], "Xã A||uplink");
	alertstore_close(as);
	store_close(st);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kept_while_firing_across_a_reopen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
