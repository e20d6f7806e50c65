/* Today's and this month's tallies kept across a restart (tallystore.h): taken back by name
 * into an inventory laid out otherwise, only for the day (month) they counted, and what the
 * MIB's month figures read from them is the same after the restart as before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daytally.h"
#include "readiness.h"
#include "store.h"
#include "tempstore.h"
#include "tallystore.h"

/* 2026-11-23 11:00 in Asia/Ho_Chi_Minh (make unit pins TZ) */
#define T0 1795406400

/* Two communes of one site each; site 0 (Xã An Phú) has two PC targets (a name twice: kept
 * as "pc" and "pc#2") and a router; commune 1 has one commune-wide portal target. */
struct fixture {
	struct inv_commune com[2];
	struct inv_site site[2];
	struct inventory inv;
	struct target_result st0[3], st1[1], ct1[1];
	struct site_result sr[2];
	struct commune_result cr[2];
	struct readiness r;
};

static void make(struct fixture *f, int swapped)
{
	memset(f, 0, sizeof(*f));
	/* swapped: the inventory after an edit lists the communes and sites the other way */
	int a = swapped ? 1 : 0, b = 1 - a;
	snprintf(f->com[a].name, sizeof(f->com[a].name), "Xã An Phú");
	snprintf(f->com[b].name, sizeof(f->com[b].name), "Phường Hòa Lạc");
	snprintf(f->site[a].name, sizeof(f->site[a].name), "Một cửa");
	f->site[a].commune = (size_t)a;
	snprintf(f->site[b].name, sizeof(f->site[b].name), "Một cửa");
	f->site[b].commune = (size_t)b;
	f->inv = (struct inventory){.communes = f->com, .ncommunes = 2, .sites = f->site, .nsites = 2};
	f->st0[0] = (struct target_result){.kind = TK_CLASS_MIN_UP, .cls = CLS_PC, .v = V_MET};
	f->st0[1] = (struct target_result){.kind = TK_CLASS_MIN_UP, .cls = CLS_PC, .v = V_MISSED};
	f->st0[2] = (struct target_result){.kind = TK_CLASS_MIN_UP, .cls = CLS_ROUTER, .v = V_MET};
	f->st1[0] = (struct target_result){.kind = TK_CLASS_MIN_UP, .cls = CLS_SWITCH, .v = V_MISSED};
	f->ct1[0] = (struct target_result){.kind = TK_CLASS_MIN_UP, .cls = CLS_PORTAL, .v = V_MET};
	f->sr[a] = (struct site_result){.site = (size_t)a, .commune = (size_t)a, .targets = f->st0,
					.ntargets = 3};
	f->sr[b] = (struct site_result){.site = (size_t)b, .commune = (size_t)b, .targets = f->st1,
					.ntargets = 1};
	f->cr[a] = (struct commune_result){.commune = (size_t)a};
	f->cr[b] = (struct commune_result){.commune = (size_t)b, .targets = f->ct1, .nctargets = 1};
	f->r = (struct readiness){.at = T0, .sites = f->sr, .communes = f->cr, .nsites = 2,
				  .ncommunes = 2};
}

static struct store *open_store(char *dir, size_t n)
{
	return tempstore_open(dir, n, "tallystore");
}

/* 100 s of the fixture's verdicts, counted into d. */
static void count_100s(struct daytally *d, const struct readiness *r)
{
	daytally_add(d, r, r->at);       /* lays it out */
	daytally_add(d, r, r->at + 100); /* what held from r->at until now */
}

static void taken_back_by_name_into_another_layout(void **state)
{
	(void)state;
	char dir[64], err[200];
	struct fixture *f = malloc(sizeof(*f)), *g = malloc(sizeof(*g));
	struct daytally day = {0}, month = {.by_month = 1}, back = {0};
	make(f, 0);
	count_100s(&day, &f->r);
	count_100s(&month, &f->r);
	struct store *st = open_store(dir, sizeof(dir));
	struct tallystore *ts = tallystore_open(st, err, sizeof(err));
	assert_non_null(ts);
	assert_int_equal(tallystore_save(ts, "day", &day, &f->r, &f->inv), 0);
	assert_int_equal(tallystore_save(ts, "month", &month, &f->r, &f->inv), 0);
	tallystore_close(ts);
	store_close(st);

	/* restarted, with the inventory edited: communes and sites the other way round */
	make(g, 1);
	g->r.at = T0 + 600;
	st = tempstore_reopen(dir);
	ts = tallystore_open(st, err, sizeof(err));
	assert_int_equal(tallystore_load(ts, "day", &back, &g->r, &g->inv, T0 + 600), 5);
	/* Xã An Phú is commune 1, its site 1: pc met, pc#2 missed, router met */
	assert_true(daytally_site_share(&back, 1, 0) == 1.0);
	assert_true(daytally_site_share(&back, 1, 1) == 0.0);
	assert_true(daytally_site_share(&back, 1, 2) == 1.0);
	assert_true(daytally_site_share(&back, 0, 0) == 0.0);    /* Hòa Lạc's switch */
	assert_true(daytally_commune_share(&back, 0, 0) == 1.0); /* its portal */
	assert_true(isnan(daytally_commune_share(&back, 1, 0)));
	assert_true(daytally_at(&back, 1, 1)->missed == 100.0);
	/* then counted on: 100 s more of the first PC missed */
	g->st0[0].v = V_MISSED;
	daytally_add(&back, &g->r, T0 + 700);
	assert_true(daytally_site_share(&back, 1, 0) == 0.5);
	daytally_free(&back);

	tallystore_close(ts);
	store_close(st);
	tempstore_remove(dir);
	daytally_free(&day);
	daytally_free(&month);
	free(f);
	free(g);
}

static void only_for_the_day_or_month_they_counted(void **state)
{
	(void)state;
	char dir[64], err[200];
	struct fixture *f = malloc(sizeof(*f));
	struct daytally day = {0}, month = {.by_month = 1};
	make(f, 0);
	count_100s(&day, &f->r);
	count_100s(&month, &f->r);
	struct store *st = open_store(dir, sizeof(dir));
	struct tallystore *ts = tallystore_open(st, err, sizeof(err));
	assert_int_equal(tallystore_save(ts, "day", &day, &f->r, &f->inv), 0);
	assert_int_equal(tallystore_save(ts, "month", &month, &f->r, &f->inv), 0);
	/* saved again: the kind's rows are replaced, not added to */
	assert_int_equal(tallystore_save(ts, "month", &month, &f->r, &f->inv), 0);

	/* the next day: today starts afresh, the month goes on */
	struct daytally d = {0}, m = {.by_month = 1};
	time_t next_day = T0 + 86400;
	assert_int_equal(tallystore_load(ts, "day", &d, &f->r, &f->inv, next_day), 0);
	assert_true(isnan(daytally_site_share(&d, 0, 0)));
	assert_int_equal(tallystore_load(ts, "month", &m, &f->r, &f->inv, next_day), 5);
	assert_true(daytally_at(&m, 0, 0)->met == 100.0);
	assert_true(daytally_site_share(&m, 0, 2) == 1.0);
	daytally_free(&m);
	/* 2026-12-01: a new month */
	m.by_month = 1;
	assert_int_equal(tallystore_load(ts, "month", &m, &f->r, &f->inv, T0 + 8 * 86400), 0);
	assert_true(isnan(daytally_site_share(&m, 0, 0)));
	daytally_free(&d);
	daytally_free(&m);

	/* a tally that counted nothing is not written; nothing counted: nothing saved */
	struct daytally empty = {0};
	assert_int_equal(tallystore_save(ts, "day", &empty, &f->r, &f->inv), 0);
	tallystore_close(ts);
	store_close(st);
	tempstore_remove(dir);
	daytally_free(&day);
	daytally_free(&month);
	free(f);
}

static void keys_tell_a_name_given_twice_apart(void **state)
{
	(void)state;
	struct fixture *f = malloc(sizeof(*f));
	char key[64];
	make(f, 0);
	tallystore_target_key(f->st0, 0, key, sizeof(key));
	assert_string_equal(key, "pc");
	tallystore_target_key(f->st0, 1, key, sizeof(key));
	assert_string_equal(key, "pc#2");
	tallystore_target_key(f->st0, 2, key, sizeof(key));
	assert_string_equal(key, "router");
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(taken_back_by_name_into_another_layout),
	    cmocka_unit_test(only_for_the_day_or_month_they_counted),
	    cmocka_unit_test(keys_tell_a_name_given_twice_apart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
