/* /metrics' district part: label values escaped as the text format says, and the share of
 * today's judged time each target was met, counted tick by tick (daytally). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daytally.h"
#include "promexport.h"
#include "readiness.h"

static void label_values_are_escaped(void **state)
{
	char buf[64];
	(void)state;
	assert_int_equal(promexport_escape(buf, sizeof(buf), "Xã \"Mới\" \\ Bắc"), 0);
	assert_string_equal(buf, "Xã \\\"Mới\\\" \\\\ Bắc");
	assert_int_equal(promexport_escape(buf, sizeof(buf), "a\nb"), 0);
	assert_string_equal(buf, "a\\nb");
	assert_int_equal(promexport_escape(buf, sizeof(buf), ""), 0);
	assert_string_equal(buf, "");
	/* never cut in the middle of an escape: refused whole */
	assert_int_equal(promexport_escape(buf, 4, "ab\""), -1);
	assert_string_equal(buf, "");
	assert_int_equal(promexport_escape(buf, 4, "abc"), 0);
}

/* One site of two targets, one commune of one target, all judged. */
struct fixture {
	struct readiness r;
	struct site_result site;
	struct commune_result com;
	struct target_result st[2], ct[1];
};

static void make(struct fixture *f, time_t at)
{
	memset(f, 0, sizeof(*f));
	f->site.targets = f->st;
	f->site.ntargets = 2;
	f->com.targets = f->ct;
	f->com.nctargets = 1;
	f->r.sites = &f->site;
	f->r.communes = &f->com;
	f->r.nsites = f->r.ncommunes = 1;
	f->r.at = at;
}

static time_t local(int mday, int hour, int min)
{
	struct tm tm = {.tm_year = 126, .tm_mon = 10, .tm_mday = mday, .tm_hour = hour,
			.tm_min = min, .tm_isdst = -1};
	return mktime(&tm);
}

static void shares_count_judged_time_since_midnight(void **state)
{
	struct daytally d = {0};
	struct fixture f;
	(void)state;
	time_t t0 = local(23, 9, 0);
	make(&f, t0);
	f.st[0].v = V_MET;
	f.st[1].v = V_MISSED;
	f.ct[0].v = V_MET;
	f.ct[0].judging = J_OFF_HOURS; /* not judged: not counted */
	daytally_add(&d, &f.r, t0 + 30); /* 30 s as judged at t0 */
	f.r.at = t0 + 30;
	f.st[0].v = V_MISSED;
	daytally_add(&d, &f.r, t0 + 40); /* 10 s more */
	f.r.at = t0 + 40;
	f.st[0].v = V_NODATA; /* no data: neither met nor missed */
	daytally_add(&d, &f.r, t0 + 100);
	assert_true(fabs(daytally_site_share(&d, 0, 0) - 0.75) < 1e-9);
	assert_true(fabs(daytally_site_share(&d, 0, 1) - 0.0) < 1e-9);
	assert_true(isnan(daytally_commune_share(&d, 0, 0)));
	assert_true(isnan(daytally_site_share(&d, 0, 2))); /* no such target */
	assert_true(isnan(daytally_site_share(&d, 1, 0)));
	/* a gap longer than DAYTALLY_MAX_STEP is not counted */
	f.r.at = t0 + 100;
	f.st[0].v = V_MISSED;
	daytally_add(&d, &f.r, t0 + 100 + DAYTALLY_MAX_STEP + 1);
	assert_true(fabs(daytally_site_share(&d, 0, 0) - 0.75) < 1e-9);
	daytally_free(&d);
}

static void a_new_day_or_shape_starts_again(void **state)
{
	struct daytally d = {0};
	struct fixture f;
	(void)state;
	time_t late = local(23, 23, 59) + 50;
	make(&f, late - 100);
	f.st[0].v = V_MET;
	daytally_add(&d, &f.r, late); /* yesterday's */
	f.r.at = late;
	f.st[0].v = V_MISSED;
	daytally_add(&d, &f.r, late + 30); /* crosses midnight: only the new day's 20 s count */
	assert_true(fabs(daytally_site_share(&d, 0, 0)) < 1e-9);
	f.r.at = late + 30;
	f.st[0].v = V_MET;
	daytally_add(&d, &f.r, late + 50);
	assert_true(fabs(daytally_site_share(&d, 0, 0) - 0.5) < 1e-9);
	/* the inventory changed: a target fewer, tallies from zero */
	f.site.ntargets = 1;
	f.r.at = late + 50;
	daytally_add(&d, &f.r, late + 60);
	assert_true(fabs(daytally_site_share(&d, 0, 0) - 1.0) < 1e-9);
	daytally_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(label_values_are_escaped),
	    cmocka_unit_test(shares_count_judged_time_since_midnight),
	    cmocka_unit_test(a_new_day_or_shape_starts_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
