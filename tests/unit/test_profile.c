/* Device-class profiles and classification rules: the project's own files load cleanly and
 * classify; broken files give one error each, naming file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enums.h"
#include "errlist.h"
#include "profile.h"

struct fx {
	char dir[64];
	struct errlist el;
	struct profiles *ps;
};

static void put(struct fx *fx, const char *name, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/hbmon-prof-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	*state = fx;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	profiles_free(fx->ps);
	errlist_free(&fx->el);
	int rc = nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return rc;
}

static void dump(const struct errlist *el)
{
	for (size_t i = 0; i < el->n; i++)
		fprintf(stderr, "  error: %s\n", el->msg[i]);
}

static void has_error(const struct fx *fx, const char *file_line, const char *what)
{
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/%s: %s", fx->dir, file_line, what);
	for (size_t i = 0; i < fx->el.n; i++)
		if (strstr(fx->el.msg[i], want))
			return;
	dump(&fx->el);
	fail_msg("no error \"%s\"", want);
}

/* The shipped profiles: no error, every class folder of the recordings has one. */
static void project_profiles_load(void **state)
{
	struct fx *fx = *state;
	fx->ps = profiles_load("profiles", &fx->el);
	assert_non_null(fx->ps);
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 0);
	static const char *const classes[] = {"pc", "printer", "scanner", "switch", "router",
					      "ap", "vc", "camera", "ups", "generic"};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		const struct profile *p = profiles_find(fx->ps, classes[i]);
		assert_non_null(p);
		assert_string_equal(p->name, classes[i]);
		assert_true(p->ifcol[IFR_OPER].len > 0); /* every class watches its interfaces */
	}
	const struct profile *pr = profiles_find(fx->ps, "printer");
	int supply = 0;
	for (size_t g = 0; g < pr->ngroups; g++)
		if (strcmp(pr->groups[g]->name, "supply") == 0)
			supply = 1;
	assert_true(supply);
	assert_string_equal(profiles_find(fx->ps, "toaster")->name, "generic");
	/* the neighbour tables: identifiers as hex, before the forwarding tables (whose thousands
	 * of rows must not push them out of a sample) */
	const struct profile *sw = profiles_find(fx->ps, "switch");
	long rem = -1, fdb = -1;
	for (size_t g = 0; g < sw->ngroups; g++) {
		if (strcmp(sw->groups[g]->name, "lldp_rem") == 0)
			rem = (long)g;
		if (strcmp(sw->groups[g]->name, "fdb") == 0)
			fdb = (long)g;
	}
	assert_true(rem >= 0 && fdb > rem);
	for (size_t g = 0; g < (size_t)rem; g++)
		assert_string_not_equal(sw->groups[g]->name, "bridge_port");
	const struct prof_group *lr = sw->groups[rem];
	assert_true(lr->nostore);
	assert_int_equal(lr->max_rows, 64);
	for (size_t m = 0; m < lr->nm; m++)
		if (strcmp(lr->m[m].name, "chassis") == 0 || strcmp(lr->m[m].name, "caps") == 0)
			assert_int_equal(lr->m[m].type, PM_HEX);
	int cdp = 0;
	const struct profile *rt = profiles_find(fx->ps, "router");
	for (size_t g = 0; g < rt->ngroups; g++)
		cdp |= strcmp(rt->groups[g]->name, "cdp") == 0;
	assert_true(cdp);
}

static void classification_rules(void **state)
{
	struct fx *fx = *state;
	put(fx, "generic.conf", "[interfaces]\noper = ifOperStatus 1.3.6.1.2.1.2.2.1.8\n");
	put(fx, "vc.conf", "[profile]\ninclude = generic\n");
	put(fx, "ups.conf", "[profile]\ninclude = generic\n");
	put(fx, "switch.conf", "[profile]\ninclude = generic\n");
	put(fx, "classify.conf",
	    "[classify]\n"
	    "vc = objectid 1.3.6.1.4.1.5596.\n"
	    "vc = descr cisco codec\n"
	    "ups = has upsBatteryStatus 1.3.6.1.2.1.33.1.2.1\n"
	    "switch = objectid 1.3.6.1.4.1.9\n"
	    "switch = has dot1dBaseBridgeAddress 1.3.6.1.2.1.17.1.1\n");
	fx->ps = profiles_load(fx->dir, &fx->el);
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 0);
	assert_int_equal(fx->ps->nhas, 2);
	unsigned char has[32] = {0};
	const struct class_rule *r;
	r = profiles_classify(fx->ps, "1.3.6.1.4.1.5596.150.6.4.1", "", has);
	assert_string_equal(r->cls, "vc");
	r = profiles_classify(fx->ps, "1.3.6.1.4.1.1", "Cisco Codec Release ce9", has);
	assert_string_equal(r->cls, "vc"); /* case-insensitive text */
	/* whole arcs: enterprise 99 is not Cisco's 9 */
	assert_null(profiles_classify(fx->ps, "1.3.6.1.4.1.99.1", "", has));
	assert_string_equal(profiles_classify(fx->ps, "1.3.6.1.4.1.9.1.1", "", has)->cls, "switch");
	has[0] = 1;
	assert_string_equal(profiles_classify(fx->ps, "1.3.6.1.4.1.99.1", "", has)->cls, "ups");
	has[0] = 0;
	has[1] = 1;
	assert_string_equal(profiles_classify(fx->ps, "1.3.6.1.4.1.99.1", "", has)->cls, "switch");
}

/* Each mistake a district could make in a file, reported on its line. */
static void broken_profiles(void **state)
{
	struct fx *fx = *state;
	put(fx, "generic.conf", "[interfaces]\noper = ifOperStatus 1.3.6.1.2.1.2.2.1.8\n");
	put(fx, "bad.conf",
	    "[profile]\n"                                                    /* 1 */
	    "include = generic, nothere\n"                                   /* 2 */
	    "[table supply]\n"                                               /* 3 */
	    "level = prtMarkerSuppliesLevel 1.3.6.1.2.1.43.11.1.1.9 gauge\n" /* 4 */
	    "max = prtMarkerSuppliesMaxCapacity 1.3.6.x.1 gauge\n"           /* 5 */
	    "pct = percent(level, maximum)\n"                                /* 6 */
	    "Level = x 1.3.6.1 gauge\n"                                      /* 7 */
	    "descr = d 1.3.6.1.2.1.43.11.1.1.6 text\n"                      /* 8 */
	    "label = level\n"                                                /* 9 */
	    "[interfaces]\n"                                                 /* 10 */
	    "colour = ifColour 1.3.6.1.2.1.2.2.1.99\n"                       /* 11 */
	    "[scalars ups]\n"                                                /* 12 */
	    "keep = level 1\n"                                               /* 13 */
	    "[gadget x]\n"                                                   /* 14 */
	    "a = b 1.3 gauge\n"                                              /* 15 */
	    "[table a_name_far_too_long_for_rrd]\n"                          /* 16 */
	    "a = b 1.3 gauge\n");                                            /* 17 */
	put(fx, "loop.conf", "[profile]\ninclude = loop2\n");
	put(fx, "loop2.conf", "[profile]\ninclude = loop\n");
	put(fx, "classify.conf",
	    "[classify]\n"
	    "vc = objectid not.an.oid\n"
	    "vc = smells like a codec\n"
	    "toaster = descr Toaster\n");
	fx->ps = profiles_load(fx->dir, &fx->el);
	assert_non_null(fx->ps);
	has_error(fx, "bad.conf:2", "include: no profile nothere");
	has_error(fx, "bad.conf:5", "max: \"1.3.6.x.1\" is not a numeric OID");
	has_error(fx, "bad.conf:6", "pct: maximum is not a metric defined above");
	has_error(fx, "bad.conf:7", "Level: metric names are");
	has_error(fx, "bad.conf:8", "descr: unknown type \"text\"");
	has_error(fx, "bad.conf:9", "label: level is not a string metric");
	has_error(fx, "bad.conf:11", "colour: not an interface column");
	has_error(fx, "bad.conf:13", "keep: only tables take this option");
	has_error(fx, "bad.conf:15", "[gadget x]: unknown section");
	has_error(fx, "bad.conf:17", "[table a_name_far_too_long_for_rrd]: group names are");
	has_error(fx, "loop.conf:2", "include: loop includes itself");
	has_error(fx, "loop2.conf:2", "include: loop2 includes itself");
	has_error(fx, "classify.conf:2", "vc: objectid \"not.an.oid\" is not a numeric OID");
	has_error(fx, "classify.conf:3", "vc: unknown test");
	has_error(fx, "classify.conf:4", "toaster: no profile toaster.conf");
	assert_int_equal(errlist_count(&fx->el), 15);
}

static const struct prof_metric *metric_of(const struct profile *p, const char *group,
					   const char *name)
{
	for (size_t g = 0; g < p->ngroups; g++)
		for (size_t m = 0; strcmp(p->groups[g]->name, group) == 0 && m < p->groups[g]->nm; m++)
			if (strcmp(p->groups[g]->m[m].name, name) == 0)
				return &p->groups[g]->m[m];
	return NULL;
}

/* The shipped enums.conf: every enum metric has its labels, and the numbers find them. */
static void project_enums(void **state)
{
	struct fx *fx = *state;
	fx->ps = profiles_load("profiles", &fx->el);
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 0);
	const struct prof_metric *sip = metric_of(profiles_find(fx->ps, "vc"), "poly_sip_reg",
						  "status");
	assert_non_null(sip);
	assert_non_null(sip->en);
	assert_string_equal(sip->en->mib, "serviceSipRegistrationStatus");
	assert_string_equal(enum_label_num(sip->en, 3), "failed");
	assert_string_equal(enum_label_num(sip->en, 2), "ok");
	assert_string_equal(enum_label_num(sip->en, 4), ""); /* not named: "" */
	const struct prof_metric *st = metric_of(profiles_find(fx->ps, "printer"), "hrdevice",
						 "status");
	assert_string_equal(enum_label_num(st->en, 2), "running");
	const struct prof_metric *type = metric_of(profiles_find(fx->ps, "printer"), "hrdevice",
						   "type");
	assert_non_null(type->en);
	assert_true(type->en->oid_keyed);
	assert_string_equal(enum_label_oid(type->en, "1.3.6.1.2.1.25.3.1.5"), "hrDevicePrinter");
	assert_string_equal(enum_label_oid(type->en, "1.3.6.1.4.1.9.9"), "");
	/* every enum metric of every profile has one */
	for (size_t i = 0; i < fx->ps->np; i++)
		for (size_t g = 0; g < fx->ps->p[i].ngroups; g++)
			for (size_t m = 0; m < fx->ps->p[i].groups[g]->nm; m++) {
				const struct prof_metric *pm = &fx->ps->p[i].groups[g]->m[m];
				if (pm->type == PM_ENUM && !pm->en)
					fail_msg("%s: %s has no labels", pm->where, pm->mib);
			}
}

/* A district's own enums.conf: its mistakes on their lines, the good sections kept. */
static void broken_enums(void **state)
{
	struct fx *fx = *state;
	put(fx, "generic.conf", "[interfaces]\noper = ifOperStatus 1.3.6.1.2.1.2.2.1.8\n");
	put(fx, "fan.conf",
	    "[scalars fan]\n"                                              /* 1 */
	    "state = fanState 1.3.6.1.4.1.99.1.0 enum\n"                   /* 2 */
	    "mode = fanMode 1.3.6.1.4.1.99.2.0 enum\n"                     /* 3 */
	    "kind = fanKind 1.3.6.1.4.1.99.3.0 oid\n"                      /* 4 */
	    "model = fanModel 1.3.6.1.4.1.99.4.0 oid\n"                    /* 5 */
	    "speed = fanSpeed 1.3.6.1.4.1.99.5.0 enum\n");                 /* 6 */
	put(fx, "enums.conf",
	    "; a district's vendor objects\n"                               /* 1 */
	    "[fanState]\n"                                                  /* 2 */
	    "1 = ok\n"                                                      /* 3 */
	    "2 = stalled\n"                                                 /* 4 */
	    "-1 = notPresent\n"                                             /* 5 */
	    "2 = again\n"                                                   /* 6 */
	    "3 = two words\n"                                               /* 7 */
	    "x3 = bad\n"                                                    /* 8 */
	    "1.3.6.1 = mixed\n"                                             /* 9 */
	    "99999999999 = big\n"                                           /* 10 */
	    "[fanKind]\n"                                                   /* 11 */
	    "1.3.6.1.4.1.99.9.1 = axial\n"                                  /* 12 */
	    ".1.3.6.1.4.1.99.9.2 = radial\n"                                /* 13 */
	    "[fanModel]\n"                                                  /* 14 */
	    "1 = numbersForAnOid\n"                                         /* 15 */
	    "[speed-x!]\n"                                                  /* 16 */
	    "1 = slow\n"                                                    /* 17 */
	    "[fanState]\n"                                                  /* 18 */
	    "9 = twice\n"                                                   /* 19 */
	    "[fanMode]\n"                                                   /* 20 */
	    "1 = auto\n");                                                  /* 21 */
	fx->ps = profiles_load(fx->dir, &fx->el);
	assert_non_null(fx->ps);
	has_error(fx, "enums.conf:6", "2: given twice in [fanState]");
	has_error(fx, "enums.conf:7", "3: \"two words\" is not a MIB label");
	has_error(fx, "enums.conf:8", "x3: expected a number or a numeric OID");
	has_error(fx, "enums.conf:9", "1.3.6.1: numbers and OIDs in one section [fanState]");
	has_error(fx, "enums.conf:10", "99999999999: expected a number or a numeric OID");
	has_error(fx, "enums.conf:17", "[speed-x!]: not a MIB object name");
	has_error(fx, "enums.conf:19", "[fanState]: section given twice (first at");
	has_error(fx, "fan.conf:5", "model: fanModel is an oid but [fanModel] of enums.conf");
	has_error(fx, "fan.conf:6", "speed: fanSpeed is an enum but");
	assert_int_equal(errlist_count(&fx->el), 9);
	const struct profile *p = profiles_find(fx->ps, "fan");
	const struct prof_metric *state_m = metric_of(p, "fan", "state");
	assert_string_equal(enum_label_num(state_m->en, 2), "stalled"); /* the first of two */
	assert_string_equal(enum_label_num(state_m->en, -1), "notPresent");
	assert_string_equal(enum_label_oid(metric_of(p, "fan", "kind")->en, "1.3.6.1.4.1.99.9.2"),
			    "radial"); /* the leading dot is not part of the OID */
	assert_string_equal(enum_label_num(metric_of(p, "fan", "mode")->en, 1), "auto");
	assert_null(metric_of(p, "fan", "model")->en);
}

static void missing_folder_and_generic(void **state)
{
	struct fx *fx = *state;
	fx->ps = profiles_load("/nonexistent-hbmon", &fx->el);
	assert_non_null(fx->ps);
	assert_int_equal(errlist_count(&fx->el), 1);
	assert_non_null(strstr(fx->el.msg[0], "/nonexistent-hbmon: cannot read"));
	assert_null(profiles_find(fx->ps, "pc"));
}

static void oid_parsing(void **state)
{
	(void)state;
	struct prof_oid o;
	assert_int_equal(prof_oid_parse(&o, "1.3.6.1.2.1.1.3.0"), 0);
	assert_int_equal(o.len, 9);
	assert_int_equal(prof_oid_parse(&o, ".1.3.6"), 0);
	assert_int_equal(prof_oid_parse(&o, "1"), -1);
	assert_int_equal(prof_oid_parse(&o, "1..3"), -1);
	assert_int_equal(prof_oid_parse(&o, "1.3."), -1);
	assert_int_equal(prof_oid_parse(&o, "1.3.4294967296"), -1);
	assert_int_equal(prof_oid_parse(&o, "1.3.-1"), -1);
	char longoid[256] = "1";
	for (size_t i = 0, n = 1; i < 45; i++, n += 2)
		snprintf(longoid + n, sizeof(longoid) - n, ".1");
	assert_int_equal(prof_oid_parse(&o, longoid), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(project_profiles_load, setup, teardown),
		cmocka_unit_test_setup_teardown(classification_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(broken_profiles, setup, teardown),
		cmocka_unit_test_setup_teardown(project_enums, setup, teardown),
		cmocka_unit_test_setup_teardown(broken_enums, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_folder_and_generic, setup, teardown),
		cmocka_unit_test(oid_parsing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
