/* HBMON-MIB's snapshot (mibsnap.h): values from a small readiness, communes numbered with their
 * name as a column, every instance in OID order for GETNEXT, shares absent without data, text
 * cut at a character boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daytally.h"
#include "mibsnap.h"

/* Two communes; the inventory lists the second commune's site first (the snapshot groups
 * sites by commune all the same). Commune 0: one site of two targets (scanner missed, router
 * met) and one commune-wide target; commune 1: one site of one target, no data. */
struct fixture {
	struct inv_commune com[2];
	struct inv_site site[2];
	struct inventory inv;
	struct target_result st0[2], st1[1], ct0[1];
	struct site_result sr[2];
	struct commune_result cr[2];
	struct readiness r;
	struct mibsnap_input in;
	struct mibsnap snap;
};

static void fake_reason(void *ctx, enum lang l, const struct site_type *st,
			const struct target_result *t, struct strbuf *out)
{
	(void)ctx, (void)st;
	strbuf_printf(out, "%s %s %d/%d", l == LANG_VI ? "vi" : "en", devclass_name(t->cls), t->up,
		      t->need);
}

static void make(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->com[0].name, sizeof(f->com[0].name), "Xã An Phú");
	snprintf(f->com[1].name, sizeof(f->com[1].name), "Phường Hòa Lạc");
	snprintf(f->site[0].name, sizeof(f->site[0].name), "Một cửa B");
	f->site[0].commune = 1;
	snprintf(f->site[1].name, sizeof(f->site[1].name), "Một cửa A");
	snprintf(f->site[1].type, sizeof(f->site[1].type), "one-stop");
	f->site[1].commune = 0;
	f->inv = (struct inventory){.communes = f->com, .ncommunes = 2, .sites = f->site, .nsites = 2};
	f->st0[0] = (struct target_result){.kind = TK_CLASS_MIN_UP, .cls = CLS_SCANNER, .need = 1,
					   .up = 0, .total = 1, .v = V_MISSED};
	f->st0[1] = (struct target_result){.kind = TK_CLASS_MIN_UP, .cls = CLS_ROUTER, .need = 1,
					   .up = 1, .total = 1, .v = V_MET};
	f->st1[0] = (struct target_result){.kind = TK_CLASS_MIN_UP, .cls = CLS_PC, .need = 2,
					   .total = 2, .unknown = 2, .v = V_NODATA,
					   .sev = SEV_WARNING, .judging = J_OFF_HOURS};
	f->ct0[0] = (struct target_result){.kind = TK_CLASS_MIN_UP, .cls = CLS_PORTAL, .need = 1,
					   .up = 1, .total = 1, .v = V_MET};
	f->sr[0] = (struct site_result){.site = 0, .commune = 1, .targets = f->st1, .ntargets = 1,
					.v = V_NODATA};
	f->sr[1] = (struct site_result){.site = 1, .commune = 0, .targets = f->st0, .ntargets = 2,
					.ncrit = 2, .nmet = 1, .v = V_MISSED};
	f->cr[0] = (struct commune_result){.commune = 0, .targets = f->ct0, .nctargets = 1,
					   .nctargets_met = 1, .nsites = 1, .ntargets = 3, .nmet = 2,
					   .v = V_MISSED, .njudged = 3, .vj = V_MISSED, .devices = 3,
					   .devices_up = 2};
	f->cr[1] = (struct commune_result){.commune = 1, .nsites = 1, .v = V_NODATA,
					   .why = J_OFF_HOURS, .ntargets = 1};
	f->r = (struct readiness){.at = 1795000000, .sites = f->sr, .communes = f->cr, .nsites = 2,
				  .ncommunes = 2, .ntargets = 3, .nmet = 2};
	f->in = (struct mibsnap_input){"Huyện Thử", &f->inv, &f->r, NULL, NULL, NULL, NULL, NULL,
				       fake_reason, NULL};
}

/* The instance ROOT.<oid> (dotted, below the root) or NULL. */
static const struct mibsnap_entry *at(const struct mibsnap *s, const char *dotted)
{
	uint64_t key[32];
	size_t n = 0;
	for (const char *p = dotted; *p && n < 32;) {
		char *end;
		key[n++] = strtoull(p, &end, 10);
		p = *end == '.' ? end + 1 : end;
	}
	return mibsnap_get(s, key, n);
}

static uint32_t num_at(const struct mibsnap *s, const char *dotted)
{
	const struct mibsnap_entry *e = at(s, dotted);
	assert_non_null(e);
	assert_int_not_equal(e->type, MS_STRING);
	return e->value;
}

static void str_at(const struct mibsnap *s, const char *dotted, const char *want)
{
	const struct mibsnap_entry *e = at(s, dotted);
	assert_non_null(e);
	assert_int_equal(e->type, MS_STRING);
	assert_int_equal(e->value, strlen(want));
	assert_memory_equal(mibsnap_string(s, e), want, e->value);
}

static void communes_are_numbered_with_their_name_as_a_column(void **state)
{
	struct fixture *f = malloc(sizeof(*f));
	(void)state;
	make(f);
	assert_int_equal(mibsnap_commune_index(0), 1);
	assert_int_equal(mibsnap_commune_of(1, 2), 0);
	assert_int_equal(mibsnap_commune_of(2, 2), 1);
	assert_int_equal(mibsnap_commune_of(0, 2), -1);
	assert_int_equal(mibsnap_commune_of(3, 2), -1);
	assert_int_equal(mibsnap_build(&f->snap, &f->in), 0);
	str_at(&f->snap, "1.2.1.2.1", "Xã An Phú");
	str_at(&f->snap, "1.2.1.2.2", "Phường Hòa Lạc");
	assert_null(at(&f->snap, "1.2.1.2.3"));
	assert_null(at(&f->snap, "1.2.1.2.0"));
	/* a site row: (commune, site's place in the inventory + 1) */
	str_at(&f->snap, "1.3.1.2.1.2", "Một cửa A");
	str_at(&f->snap, "1.3.1.2.2.1", "Một cửa B");
	str_at(&f->snap, "1.3.1.3.1.2", "one-stop");
	mibsnap_free(&f->snap);
	free(f);
}

static void values_come_from_the_readiness(void **state)
{
	struct fixture *f = malloc(sizeof(*f));
	(void)state;
	make(f);
	assert_int_equal(mibsnap_build(&f->snap, &f->in), 0);
	str_at(&f->snap, "1.1.1.0", "Huyện Thử");
	assert_int_equal(num_at(&f->snap, "1.1.2.0"), 1795000000);
	assert_int_equal(num_at(&f->snap, "1.1.6.0"), 667); /* 2 of 3: 66.7 % */
	assert_int_equal(num_at(&f->snap, "1.2.1.3.1"), 2);  /* missed */
	assert_int_equal(num_at(&f->snap, "1.2.1.3.2"), 3);  /* no data */
	assert_int_equal(num_at(&f->snap, "1.2.1.4.1"), 1);  /* judged */
	assert_int_equal(num_at(&f->snap, "1.2.1.4.2"), 2);  /* none judged: off hours */
	assert_int_equal(num_at(&f->snap, "1.2.1.5.1"), 667);
	assert_int_equal(num_at(&f->snap, "1.2.1.5.2"), 0);  /* 0 of 1 */
	assert_int_equal(num_at(&f->snap, "1.2.1.6.1"), 3);
	assert_int_equal(num_at(&f->snap, "1.2.1.7.1"), 2);
	assert_int_equal(num_at(&f->snap, "1.2.1.10.1"), 2); /* the overview's: missed */
	assert_int_equal(num_at(&f->snap, "1.2.1.12.1"), 2);
	assert_int_equal(num_at(&f->snap, "1.2.1.21.1"), 0);
	/* targets: the commune's own at site 0, then its site's in order */
	assert_int_equal(num_at(&f->snap, "1.4.1.5.1.0.1"), 1);
	str_at(&f->snap, "1.4.1.3.1.0.1", "portal");
	str_at(&f->snap, "1.4.1.3.1.2.1", "scanner");
	assert_int_equal(num_at(&f->snap, "1.4.1.4.1.2.1"), 2); /* missed */
	assert_int_equal(num_at(&f->snap, "1.4.1.4.1.2.2"), 1); /* met */
	str_at(&f->snap, "1.4.1.11.1.2.1", "vi scanner 0/1");
	str_at(&f->snap, "1.4.1.12.1.2.1", "en scanner 0/1");
	/* a warning off hours, no data: not judged */
	assert_int_equal(num_at(&f->snap, "1.4.1.4.2.1.1"), 3);
	assert_int_equal(num_at(&f->snap, "1.4.1.6.2.1.1"), 2);
	assert_int_equal(num_at(&f->snap, "1.4.1.7.2.1.1"), 2);
	/* no tallies: the shares are absent, never 0 */
	assert_null(at(&f->snap, "1.2.1.15.1"));
	assert_null(at(&f->snap, "1.2.1.19.1"));
	assert_null(at(&f->snap, "1.4.1.13.1.2.1"));
	/* not judged now: no overview verdict */
	assert_null(at(&f->snap, "1.2.1.10.2"));
	mibsnap_free(&f->snap);
	free(f);
}

static void every_instance_is_in_oid_order_for_getnext(void **state)
{
	struct fixture *f = malloc(sizeof(*f));
	size_t seen = 0;
	uint64_t key[MIBSNAP_MAX_SUB];
	(void)state;
	make(f);
	assert_int_equal(mibsnap_build(&f->snap, &f->in), 0);
	const struct mibsnap_entry *e = mibsnap_next(&f->snap, key, 0), *prev = NULL;
	for (; e; e = mibsnap_next(&f->snap, key, e->nsub)) {
		for (size_t i = 0; i < e->nsub; i++)
			key[i] = e->sub[i];
		assert_true(prev == NULL || e == prev + 1);
		prev = e;
		seen++;
	}
	assert_int_equal(seen, f->snap.n);
	/* a prefix gives the first instance under it; odd keys from the network do no harm */
	uint64_t table[] = {1, 2};
	const struct mibsnap_entry *first = mibsnap_next(&f->snap, table, 2);
	assert_non_null(first);
	assert_int_equal(first->sub[3], 2); /* hbmonCommuneName.1 */
	uint64_t huge[] = {1, 2, 1, 2, UINT64_MAX, 7, 7, 7, 7, 7};
	first = mibsnap_next(&f->snap, huge, 10);
	assert_non_null(first);
	assert_int_equal(first->sub[3], 3);
	uint64_t past[] = {2};
	assert_null(mibsnap_next(&f->snap, past, 1));
	assert_null(mibsnap_get(&f->snap, table, 2));
	mibsnap_free(&f->snap);
	free(f);
}

static void shares_and_long_names(void **state)
{
	struct fixture *f = malloc(sizeof(*f));
	struct daytally d = {0};
	(void)state;
	make(f);
	/* 30 s judged: the router met throughout, the scanner missed */
	f->r.at = 1795000000;
	daytally_add(&d, &f->r, 1795000030);
	f->in.today = &d;
	/* a name of 100 "ệ" (3 bytes each): cut to whole characters within 255 bytes */
	char *p = f->com[0].name;
	for (int i = 0; i < 42; i++, p += 3)
		memcpy(p, "ệ", 3);
	*p = '\0';
	assert_int_equal(mibsnap_build(&f->snap, &f->in), 0);
	assert_int_equal(num_at(&f->snap, "1.2.1.15.1"), 1000); /* Internet: router met */
	assert_int_equal(num_at(&f->snap, "1.2.1.19.1"), 1000); /* every target had data */
	assert_null(at(&f->snap, "1.2.1.17.1"));                /* no LAN target */
	assert_int_equal(num_at(&f->snap, "1.4.1.13.1.2.1"), 0);
	assert_int_equal(num_at(&f->snap, "1.4.1.13.1.2.2"), 1000);
	const struct mibsnap_entry *e = at(&f->snap, "1.2.1.2.1");
	assert_non_null(e);
	assert_int_equal(e->value, 126); /* all 42: within the cap */
	assert_int_equal(mibsnap_per_mille(0.9654), 965);
	assert_int_equal(mibsnap_per_mille(NAN), -1);
	assert_int_equal(mibsnap_per_mille(1.5), 1000);
	mibsnap_free(&f->snap);
	daytally_free(&d);
	free(f);
}

static void text_is_cut_at_a_character_boundary(void **state)
{
	struct fixture *f = malloc(sizeof(*f));
	static char district[400];
	(void)state;
	make(f);
	f->in.district = district;
	/* 90 "ệ" (3 bytes each, 270 bytes): the cap of 255 falls between two characters */
	char *p = district;
	for (int i = 0; i < 90; i++, p += 3)
		memcpy(p, "ệ", 3);
	*p = '\0';
	assert_int_equal(mibsnap_build(&f->snap, &f->in), 0);
	assert_int_equal(at(&f->snap, "1.1.1.0")->value, 255);
	/* one byte before them: the cap falls inside the 85th, which is left out whole */
	district[0] = 'x';
	p = district + 1;
	for (int i = 0; i < 90; i++, p += 3)
		memcpy(p, "ệ", 3);
	*p = '\0';
	assert_int_equal(mibsnap_build(&f->snap, &f->in), 0);
	const struct mibsnap_entry *e = at(&f->snap, "1.1.1.0");
	assert_int_equal(e->value, 253);
	assert_memory_equal(mibsnap_string(&f->snap, e), district, 253);
	mibsnap_free(&f->snap);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(communes_are_numbered_with_their_name_as_a_column),
	    cmocka_unit_test(values_come_from_the_readiness),
	    cmocka_unit_test(every_instance_is_in_oid_order_for_getnext),
	    cmocka_unit_test(shares_and_long_names),
	    cmocka_unit_test(text_is_cut_at_a_character_boundary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
