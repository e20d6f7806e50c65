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
		cmocka_unit_test_setup_teardown(missing_folder_and_generic, setup, teardown),
		cmocka_unit_test(oid_parsing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
