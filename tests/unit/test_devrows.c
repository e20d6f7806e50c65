/* A device's latest profile rows, decoded once into one block: what the tick and the device
 * page read instead of JSON text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "devrows.h"

static void value(struct metric_val *m, const char *name, enum mv_kind kind, double x,
		  const char *text)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->kind = kind;
	m->gauge = x;
	m->counter = (uint64_t)x;
	snprintf(m->text, sizeof(m->text), "%s", text ? text : "");
}

static void copied_whole(void **state)
{
	(void)state;
	struct metric_val v[5], p[2];
	struct metric_label lab = {"status", "failed"};
	value(&v[0], "descr", MV_TEXT, 0, "Magenta Cartridge");
	value(&v[1], "bytes", MV_COUNTER, 123456, NULL);
	value(&v[2], "status", MV_GAUGE, 3, NULL);
	value(&v[3], "nan", MV_GAUGE, NAN, NULL); /* no number: left out */
	value(&v[4], "percent", MV_GAUGE, 6.5, NULL);
	value(&p[0], "uptime", MV_GAUGE, 42, NULL);
	value(&p[1], "users", MV_GAUGE, 0, NULL);
	struct group_row rows[2] = {
	    {.group = "supply", .index = "1.3", .vals = v, .nvals = 5, .labels = &lab, .nlabels = 1},
	    {.group = "host", .index = NULL, .nostore = 1, .vals = p, .nvals = 2}};
	snprintf(rows[0].label, sizeof(rows[0].label), "Magenta Cartridge");
	struct devrows r = {0};
	assert_int_equal(devrows_set(&r, rows, 2), 0);
	assert_int_equal(r.nrows, 2);
	const struct devrow *a = &r.row[0], *b = &r.row[1];
	assert_string_equal(a->group, "supply");
	assert_string_equal(a->index, "1.3");
	assert_string_equal(a->label, "Magenta Cartridge");
	assert_int_equal(a->nvals, 4);
	/* numbers first, then counters, then texts: the order pages show them in */
	assert_string_equal(a->vals[0].name, "status");
	assert_string_equal(a->vals[0].label, "failed");
	assert_string_equal(a->vals[1].name, "percent");
	assert_null(a->vals[1].label);
	assert_true(a->vals[1].num == 6.5);
	assert_int_equal(a->vals[2].kind, MV_COUNTER);
	assert_true(a->vals[2].num == 123456);
	assert_string_equal(a->vals[3].text, "Magenta Cartridge");
	assert_null(devrow_find(a, "nan"));
	assert_ptr_equal(devrow_find(a, "percent"), &a->vals[1]);
	assert_string_equal(b->index, "");
	assert_int_equal(b->nostore, 1);
	assert_int_equal(b->nvals, 2);
	/* the sample's rows may go: the copy holds its own texts */
	memset(v, 0, sizeof(v));
	memset(&rows[0], 0, sizeof(rows[0]));
	assert_string_equal(r.row[0].vals[3].text, "Magenta Cartridge");
	/* a later answer replaces it whole; none leaves nothing */
	assert_int_equal(devrows_set(&r, &rows[1], 1), 0);
	assert_int_equal(r.nrows, 1);
	assert_int_equal(devrows_set(&r, NULL, 0), 0);
	assert_int_equal(r.nrows, 0);
	assert_null(r.mem);
	devrows_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(copied_whole),
	};
	return cmocka_run_group_tests_name("devrows", tests, NULL, NULL);
}
