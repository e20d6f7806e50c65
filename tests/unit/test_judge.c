#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "judge.h"

static struct judge_count count(double up, double unknown, int total)
{
	struct judge_count c = {up, unknown, total};
	return c;
}

static void min_up_three_values(void **state)
{
	(void)state;
	/* two PCs needed of three */
	assert_int_equal(judge_min_up(count(2, 0, 3), 2), V_MET);
	assert_int_equal(judge_min_up(count(2, 1, 3), 2), V_MET);   /* enough, whatever the third */
	assert_int_equal(judge_min_up(count(1, 1, 3), 2), V_NODATA); /* the unknown one decides */
	assert_int_equal(judge_min_up(count(1, 0, 3), 2), V_MISSED); /* the third is down */
	assert_int_equal(judge_min_up(count(0, 3, 3), 2), V_NODATA); /* nothing heard yet */
	assert_int_equal(judge_min_up(count(0, 1, 3), 2), V_MISSED); /* two down: known short */
	assert_int_equal(judge_min_up(count(0, 0, 0), 0), V_MET);
	/* shares of a coarse step: a sum that is 2 but for rounding is 2 */
	assert_int_equal(judge_min_up(count(0.7 + 0.6 + 0.7, 0, 3), 2), V_MET);
	assert_int_equal(judge_min_up(count(1.5, 0.4, 2), 2), V_MISSED);
	assert_int_equal(judge_min_up(count(1.5, 0.5, 2), 2), V_NODATA);
}

static void and_table(void **state)
{
	(void)state;
	static const enum verdict want[3][3] = {
	    /*            MET       MISSED    NODATA */
	    [V_MET] = {V_MET, V_MISSED, V_NODATA},
	    [V_MISSED] = {V_MISSED, V_MISSED, V_MISSED},
	    [V_NODATA] = {V_NODATA, V_MISSED, V_NODATA},
	};
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++)
			assert_int_equal(judge_and((enum verdict)a, (enum verdict)b), want[a][b]);
}

static void values_and_rows(void **state)
{
	(void)state;
	struct metric_target ge = {.cls = CLS_PRINTER, .op = MT_GE, .value = 10};
	struct metric_target le = {.cls = CLS_PC, .op = MT_LE, .value = 90};
	struct metric_target eq = {.cls = CLS_VC, .op = MT_EQ, .value = 1};
	assert_true(judge_within(&ge, 10));
	assert_false(judge_within(&ge, 9.99));
	assert_true(judge_within(&le, 90));
	assert_false(judge_within(&le, 96.5));
	assert_true(judge_within(&eq, 1));
	assert_false(judge_within(&eq, 2));
	assert_false(judge_within(&ge, NAN));
	assert_false(judge_within(&le, NAN));
	assert_int_equal(judge_rows(0, 0), V_MET);    /* all within, or nothing to judge */
	assert_int_equal(judge_rows(0, 1), V_NODATA); /* a printer silent: its toner unknown */
	assert_int_equal(judge_rows(1, 0), V_MISSED);
	assert_int_equal(judge_rows(1, 1), V_MISSED); /* one out is enough */
}

/* A one-stop office: 2 PCs and a scanner, toner at least 10 %. */
static void one_stop(struct site_type *st)
{
	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", "one-stop");
	st->targets[0] = (struct class_target){CLS_PC, 2, SEV_CRITICAL};
	st->targets[1] = (struct class_target){CLS_SCANNER, 1, SEV_CRITICAL};
	st->ntargets = 2;
	st->mtargets[0] = (struct metric_target){.cls = CLS_PRINTER, .op = MT_GE, .value = 10,
						 .sev = SEV_CRITICAL};
	snprintf(st->mtargets[0].group, sizeof(st->mtargets[0].group), "%s", "supply");
	snprintf(st->mtargets[0].metric, sizeof(st->mtargets[0].metric), "%s", "percent");
	st->nmtargets = 1;
}

static void site_every_target(void **state)
{
	(void)state;
	struct site_type st;
	one_stop(&st);
	struct judge_count cls[CLS_COUNT] = {{0}};
	enum verdict out[CLS_COUNT + CFG_MAX_METRIC_TARGETS], mv[1] = {V_MET};
	cls[CLS_PC] = count(2, 0, 2);
	cls[CLS_SCANNER] = count(1, 0, 1);
	assert_int_equal(judge_site(&st, cls, mv, out), V_MET);
	/* the scanner not heard from: the site is not known, not missed */
	cls[CLS_SCANNER] = count(0, 1, 1);
	assert_int_equal(judge_site(&st, cls, mv, out), V_NODATA);
	assert_int_equal(out[0], V_MET);
	assert_int_equal(out[1], V_NODATA);
	assert_int_equal(out[2], V_MET);
	/* a PC down as well: missed, whatever the scanner */
	cls[CLS_PC] = count(1, 0, 2);
	assert_int_equal(judge_site(&st, cls, mv, out), V_MISSED);
	/* toner out, everything else fine */
	cls[CLS_PC] = count(2, 0, 2);
	cls[CLS_SCANNER] = count(1, 0, 1);
	mv[0] = V_MISSED;
	assert_int_equal(judge_site(&st, cls, mv, out), V_MISSED);
	assert_int_equal(out[2], V_MISSED);
	/* the toner a warning (its default in a configuration): counted apart, the site met */
	st.mtargets[0].sev = SEV_WARNING;
	assert_int_equal(judge_site(&st, cls, mv, out), V_MET);
	assert_int_equal(out[2], V_MISSED);
	assert_int_equal(judge_site_severity(&st, 2), SEV_WARNING);
	assert_int_equal(judge_site_severity(&st, 0), SEV_CRITICAL);
	/* a critical scanner missing still makes the site miss, whatever the warning */
	cls[CLS_SCANNER] = count(0, 0, 1);
	assert_int_equal(judge_site(&st, cls, mv, out), V_MISSED);
	/* a site whose type is not configured has nothing to miss */
	assert_int_equal(judge_site(NULL, cls, mv, out), V_MET);
}

static void commune_targets(void **state)
{
	(void)state;
	struct judge_count cls[CLS_COUNT] = {{0}};
	struct commune_target all_pcs = {.kind = CT_CLASS, .cls = CLS_PC, .need = CT_NEED_ALL};
	struct commune_target one_office = {.kind = CT_SITES, .need = 1};
	snprintf(one_office.site_type, sizeof(one_office.site_type), "%s", "one-stop");
	int need = -5;
	cls[CLS_PC] = count(4, 0, 4);
	assert_int_equal(judge_commune(&all_pcs, cls, count(0, 0, 0), &need), V_MET);
	assert_int_equal(need, 4);
	cls[CLS_PC] = count(3, 1, 4);
	assert_int_equal(judge_commune(&all_pcs, cls, count(0, 0, 0), &need), V_NODATA);
	cls[CLS_PC] = count(3, 0, 4);
	assert_int_equal(judge_commune(&all_pcs, cls, count(0, 0, 0), &need), V_MISSED);
	/* sites of the type: met ones count as up, no-data ones as unknown */
	assert_int_equal(judge_commune(&one_office, cls, count(1, 0, 2), &need), V_MET);
	assert_int_equal(need, 1);
	assert_int_equal(judge_commune(&one_office, cls, count(0, 1, 2), &need), V_NODATA);
	assert_int_equal(judge_commune(&one_office, cls, count(0, 0, 2), &need), V_MISSED);
}

/*
 * A working month as step vectors: 22 days of 8 working hours, hourly steps. A PC target
 * (one needed of one) is not known for the first 5 days (installed on the 6th), then up but
 * for 4 hours; the probe is silent for 16 hours in the middle. The tally's figures are those
 * counted here by hand.
 */
static void month_of_steps(void **state)
{
	(void)state;
	enum { DAYS = 22, HOURS = 8, STEPS = DAYS * HOURS };
	struct judge_tally t = {0};
	int known = 0, up = 0;
	for (int i = 0; i < STEPS; i++) {
		int day = i / HOURS;
		int installed = day >= 5, silent = day == 10 || day == 11;
		int down = day == 15 && i % HOURS < 4;
		struct judge_count c = count(installed && !silent && !down, !installed || silent, 1);
		enum verdict v = judge_min_up(c, 1);
		judge_tally_add(&t, v, 3600);
		known += installed && !silent;
		up += installed && !silent && !down;
	}
	assert_int_equal(known, (DAYS - 7) * HOURS);
	assert_float_equal(t.nodata, 7.0 * HOURS * 3600, 1e-6);
	assert_float_equal(judge_coverage(&t), (double)known / STEPS, 1e-12);
	assert_float_equal(judge_met_share(&t), (double)up / known, 1e-12);
	assert_int_equal(judge_period(&t, 0.99), V_MISSED); /* 116/120 = 96.7 % */
	assert_int_equal(judge_period(&t, 0.95), V_MET);
	/* a period with no data at all: neither met nor missed */
	struct judge_tally none = {0, 0, 5 * 3600};
	assert_true(isnan(judge_met_share(&none)));
	assert_float_equal(judge_coverage(&none), 0, 0);
	assert_int_equal(judge_period(&none, 0.99), V_NODATA);
	struct judge_tally empty = {0};
	assert_float_equal(judge_coverage(&empty), 0, 0);
	assert_int_equal(judge_period(&empty, 0.99), V_NODATA);
	assert_string_equal(judge_name(V_NODATA), "no_data");
	assert_string_equal(judge_name(V_MISSED), "missed");
	assert_string_equal(judge_name(V_MET), "met");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(min_up_three_values), cmocka_unit_test(and_table),
	    cmocka_unit_test(values_and_rows),     cmocka_unit_test(site_every_target),
	    cmocka_unit_test(commune_targets),     cmocka_unit_test(month_of_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
