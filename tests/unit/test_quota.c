#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "probestat.h"
#include "quota.h"

static void file_set_keeps_each_name_once_in_order(void **state)
{
	(void)state;
	struct file_set s = {0};
	for (uint64_t i = 0; i < 1000; i++)
		assert_int_equal(file_set_add(&s, (i * 7919) % 1000), 0);
	assert_int_equal(file_set_add(&s, 5), 0); /* again: no second entry */
	assert_int_equal(s.n, 1000);
	for (size_t i = 1; i < s.n; i++)
		assert_true(s.h[i - 1] < s.h[i]);
	assert_true(file_set_has(&s, 999));
	assert_false(file_set_has(&s, 1000));
	file_set_free(&s);
	assert_false(file_set_has(&s, 1));
}

static void rate_allows_a_burst_then_its_pace(void **state)
{
	(void)state;
	struct rate_bucket b = {0};
	int took = 0;
	for (int i = 0; i < 100; i++)
		took += rate_take(&b, 60, 1000.0);
	assert_int_equal(took, 60); /* a minute's worth at once */
	assert_int_equal(rate_take(&b, 60, 1000.5), 0);
	assert_int_equal(rate_take(&b, 60, 1001.0), 1); /* one a second after that */
	assert_int_equal(rate_take(&b, 60, 1001.0), 0);
	took = 0;
	for (int i = 0; i < 100; i++)
		took += rate_take(&b, 60, 5000.0); /* an hour idle refills to the cap, no more */
	assert_int_equal(took, 60);
}

static void names_hash_apart(void **state)
{
	(void)state;
	assert_true(quota_name_hash("if-1") != quota_name_hash("if-10"));
	assert_true(quota_name_hash("system") == quota_name_hash("system"));
}

static void spool_header_is_read_leniently(void **state)
{
	(void)state;
	struct probestat ps;
	memset(&ps, 0, sizeof(ps));
	struct probe_status *p = probestat_get(&ps, "district");
	assert_non_null(p);
	assert_ptr_equal(probestat_get(&ps, "district"), p);
	probestat_spool(p, "batches=12; oldest=1796400000; lost=3");
	assert_int_equal(p->spool_batches, 12);
	assert_int_equal(p->spool_oldest, 1796400000);
	assert_int_equal(p->spool_lost, 3);
	probestat_spool(p, "batches=-1; oldest=x; lost=4junk; other=5");
	assert_int_equal(p->spool_batches, 12); /* bad parts change nothing */
	assert_int_equal(p->spool_lost, 3);
	probestat_spool(p, NULL);
}

static void a_batch_stored_is_a_duplicate_of_its_spool_only(void **state)
{
	(void)state;
	struct probe_status p;
	memset(&p, 0, sizeof(p));
	assert_false(probestat_is_duplicate(&p, 7, 1));
	probestat_stored(&p, 7, 5);
	assert_true(probestat_is_duplicate(&p, 7, 5));
	assert_true(probestat_is_duplicate(&p, 7, 1));
	assert_false(probestat_is_duplicate(&p, 7, 6));
	assert_false(probestat_is_duplicate(&p, 8, 1)); /* a reinstalled probe: a new spool */
	assert_false(probestat_is_duplicate(&p, 0, 1)); /* no spool: never a duplicate */
	probestat_stored(&p, 8, 2);
	assert_false(probestat_is_duplicate(&p, 8, 3));
	assert_true(probestat_is_duplicate(&p, 8, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(file_set_keeps_each_name_once_in_order),
	    cmocka_unit_test(rate_allows_a_burst_then_its_pace),
	    cmocka_unit_test(names_hash_apart),
	    cmocka_unit_test(spool_header_is_read_leniently),
	    cmocka_unit_test(a_batch_stored_is_a_duplicate_of_its_spool_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
