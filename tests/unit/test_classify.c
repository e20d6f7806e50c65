/* The evidence-weighing classifier: measured on the labelled corpus
 * (../shared/devices-corpus/identities.tsv), right on every shipped recording with its
 * structural evidence, safe on hostile input, and saying why in words of its own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "errlist.h"
#include "profile.h"

#define NCLASS 10
static const char *const classes[NCLASS] = {"pc",     "printer", "scanner", "switch", "router",
					    "ap",     "vc",	 "camera",  "ups",    "other"};

struct row {
	char *fixture, *label, *oid, *descr;
};

struct corpus {
	struct row *r;
	size_t n;
};

static struct profiles *ps;
static struct corpus corpus;
static char shared[1024];

static void dump(const struct errlist *el)
{
	for (size_t i = 0; i < el->n; i++)
		fprintf(stderr, "  error: %s\n", el->msg[i]);
}

/* The n-th tab-separated field of line (in place), or "". */
static char *field(char **cols, size_t ncols, size_t n)
{
	return n < ncols ? cols[n] : "";
}

static void corpus_load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int header = 1;
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (header) {
			header = 0;
			continue;
		}
		char *cols[8], *save = line;
		size_t nc = 0;
		while (nc < 8 && save) {
			cols[nc++] = save;
			char *tab = strchr(save, '\t');
			save = tab ? (*tab = '\0', tab + 1) : NULL;
		}
		struct row *nr = realloc(corpus.r, (corpus.n + 1) * sizeof(*nr));
		if (!nr)
			break;
		corpus.r = nr;
		struct row *r = &corpus.r[corpus.n++];
		r->fixture = strdup(field(cols, nc, 0));
		r->label = strdup(field(cols, nc, 4));
		r->oid = strdup(field(cols, nc, 5));
		r->descr = strdup(field(cols, nc, 6));
	}
	free(line);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	const char *env = getenv("HBMON_SHARED");
	snprintf(shared, sizeof(shared), "%s", env ? env : "../shared");
	struct errlist el = {0};
	ps = profiles_load("profiles", &el);
	dump(&el);
	int bad = errlist_count(&el) != 0;
	errlist_free(&el);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/devices-corpus/identities.tsv", shared);
	corpus_load(path);
	return ps && !bad ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < corpus.n; i++) {
		free(corpus.r[i].fixture);
		free(corpus.r[i].label);
		free(corpus.r[i].oid);
		free(corpus.r[i].descr);
	}
	free(corpus.r);
	profiles_free(ps);
	return 0;
}

/* cls is one of the |-separated answers of label. */
static int label_has(const char *label, const char *cls)
{
	size_t n = strlen(cls);
	for (const char *p = label; p && *p; p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL)
		if (strncmp(p, cls, n) == 0 && (p[n] == '\0' || p[n] == '|'))
			return 1;
	return 0;
}

static int class_index(const char *cls)
{
	for (int i = 0; i < NCLASS; i++)
		if (strcmp(classes[i], cls) == 0)
			return i;
	return NCLASS - 1;
}

struct score {
	size_t right, total;
	size_t said[NCLASS], said_right[NCLASS], exact[NCLASS], exact_right[NCLASS];
};

static void count(struct score *s, const char *label, const char *got)
{
	int g = class_index(got), ok = label_has(label, got);
	s->total++;
	s->right += ok;
	s->said[g]++;
	s->said_right[g] += ok;
	if (!strchr(label, '|')) {
		int l = class_index(label);
		s->exact[l]++;
		s->exact_right[l] += ok;
	}
}

static double pct(size_t a, size_t b)
{
	return b ? 100.0 * (double)a / (double)b : 100.0;
}

static void report(const char *title, const struct score *s)
{
	printf("%s: %zu of %zu rows right (%.1f %%)\n", title, s->right, s->total,
	       pct(s->right, s->total));
	printf("  %-8s %9s %9s\n", "class", "precision", "recall");
	for (int i = 0; i < NCLASS; i++)
		printf("  %-8s %8.1f%% %8.1f%%  (%zu said, %zu labelled)\n", classes[i],
		       pct(s->said_right[i], s->said[i]), pct(s->exact_right[i], s->exact[i]),
		       s->said[i], s->exact[i]);
}

/* The same rules read as a first-match list (profiles_classify: no weights, no vendors), for
 * comparison; no rule matching is "other". */
static const char *first_match(const struct row *r)
{
	unsigned char has[32] = {0};
	const struct class_rule *cr = profiles_classify(ps, r->oid, r->descr, has);
	return cr ? cr->cls : "other";
}

static void corpus_measured(void **state)
{
	(void)state;
	if (!corpus.n) {
		printf("no corpus under %s/devices-corpus: skipped\n", shared);
		skip();
	}
	assert_true(corpus.n > 1700);
	struct score before = {0}, after = {0};
	const char *misses = getenv("HBMON_CLASSIFY_MISSES");
	for (size_t i = 0; i < corpus.n; i++) {
		const struct row *r = &corpus.r[i];
		struct cls_result res;
		classify_device(ps, r->oid, r->descr, NULL, 0, &res);
		count(&before, r->label, first_match(r));
		count(&after, r->label, res.cls);
		if (misses && !label_has(r->label, res.cls)) {
			char why[512];
			printf("MISS %s label=%s got=%s oid=%.40s descr=%.100s | %s\n", r->fixture,
			       r->label, res.cls, r->oid, r->descr, classify_why(&res, why, sizeof(why)));
		}
	}
	report("same rules, first match (profiles_classify)", &before);
	report("evidence weighed (classify.c)", &after);
	assert_true(pct(after.right, after.total) >= 97.0);
	static const char *const goal[] = {"pc", "printer", "ups", "ap", "camera", "vc"};
	for (size_t i = 0; i < sizeof(goal) / sizeof(goal[0]); i++) {
		int c = class_index(goal[i]);
		if (pct(after.exact_right[c], after.exact[c]) < 90.0)
			fail_msg("recall of %s %.1f %% < 90 %%", goal[i],
				 pct(after.exact_right[c], after.exact[c]));
	}
}

/* Information, not a test: CPU time of 10,000 classifications. */
static void corpus_speed(void **state)
{
	(void)state;
	if (!corpus.n)
		skip();
	clock_t t0 = clock();
	size_t others = 0;
	for (size_t i = 0; i < 10000; i++) {
		const struct row *r = &corpus.r[i % corpus.n];
		struct cls_result res;
		classify_device(ps, r->oid, r->descr, NULL, 0, &res);
		others += strcmp(res.cls, "other") == 0;
	}
	double cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("classify: 10000 identities in %.3f s CPU (%zu other)\n", cpu, others);
}

/* --- recordings: identity and structural evidence, as the probe would see them --- */

struct rec {
	char oid[256], descr[1024];
	unsigned char has[32];
};

/* v as snmprec stores it ("4x": hex) into out. */
static void rec_value(const char *type, const char *v, char *out, size_t n)
{
	size_t o = 0;
	if (strcmp(type, "4x") != 0) {
		snprintf(out, n, "%s", v);
		return;
	}
	for (; isxdigit((unsigned char)v[0]) && isxdigit((unsigned char)v[1]) && o + 1 < n; v += 2) {
		char hex[3] = {v[0], v[1], 0};
		out[o++] = (char)strtol(hex, NULL, 16);
	}
	out[o] = '\0';
}

static void rec_line(struct rec *rc, char *line)
{
	char *t1 = strchr(line, '|'), *t2 = t1 ? strchr(t1 + 1, '|') : NULL;
	if (!t2)
		return;
	*t1 = *t2 = '\0';
	line[strcspn(line, "\n")] = '\0';
	t2[1 + strcspn(t2 + 1, "\r\n")] = '\0';
	if (strcmp(line, "1.3.6.1.2.1.1.1.0") == 0)
		rec_value(t1 + 1, t2 + 1, rc->descr, sizeof(rc->descr));
	else if (strcmp(line, "1.3.6.1.2.1.1.2.0") == 0 && strcmp(t1 + 1, "6") == 0)
		rec_value(t1 + 1, t2 + 1, rc->oid, sizeof(rc->oid)); /* an OID only, as the probe */
	struct prof_oid o;
	if (prof_oid_parse(&o, line) < 0)
		return;
	for (size_t h = 0; h < ps->nhas && h < sizeof(rc->has); h++)
		if (o.len > ps->has[h].len &&
		    !memcmp(o.sub, ps->has[h].sub, ps->has[h].len * sizeof(o.sub[0])))
			rc->has[h] = 1;
}

static int rec_read(const char *path, struct rec *rc)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	memset(rc, 0, sizeof(*rc));
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0)
		rec_line(rc, line);
	free(line);
	fclose(f);
	return 0;
}

/* Every recording of <set>/<class>/ classifies as its folder. */
static size_t recordings_of(const char *set)
{
	size_t seen = 0;
	for (int c = 0; c < NCLASS; c++) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s/%s/%s", shared, set, classes[c]);
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			size_t n = strlen(e->d_name);
			if (n < 9 || strcmp(e->d_name + n - 8, ".snmprec") != 0)
				continue;
			char path[PATH_MAX + 256], why[512];
			struct rec rc;
			struct cls_result res;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			assert_int_equal(rec_read(path, &rc), 0);
			classify_device(ps, rc.oid, rc.descr, rc.has, ps->nhas, &res);
			printf("  %s/%s: %s (%d %%) %s\n", classes[c], e->d_name, res.cls,
			       res.confidence, classify_why(&res, why, sizeof(why)));
			if (strcmp(res.cls, classes[c]) != 0)
				fail_msg("%s: %s, not %s", path, res.cls, classes[c]);
			seen++;
		}
		if (d)
			closedir(d);
	}
	return seen;
}

static void recordings_classify(void **state)
{
	(void)state;
	size_t n = recordings_of("devices");
	n += recordings_of("devices-hostile");
	if (!n)
		skip();
}

/* --- hostile input --- */

static int why_has(const struct cls_result *r, const char *text)
{
	for (int i = 0; i < r->nwhy; i++)
		if (strstr(r->why[i], text))
			return 1;
	return 0;
}

/* No reason carries a byte of the device's own strings: only rule-file text and numbers. */
static void clean_reasons(const struct cls_result *r)
{
	for (int i = 0; i < r->nwhy; i++)
		for (const char *p = r->why[i]; *p; p++)
			assert_true(*p >= 0x20 && *p < 0x7f && *p != '<' && *p != '>');
	assert_true(r->confidence >= 0 && r->confidence <= 100);
}

static void hostile_input(void **state)
{
	(void)state;
	struct cls_result res;
	size_t big = 4u << 20;
	char *huge = malloc(big + 64);
	assert_non_null(huge);
	memset(huge, 'A', big);
	snprintf(huge + big, 64, " LaserJet");
	clock_t t0 = clock();
	classify_device(ps, "1.3.6.1.4.1.99999", huge, NULL, 0, &res);
	assert_string_equal(res.cls, "other"); /* the word lies past the bytes looked at */
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
	memcpy(huge, "HP LaserJet ", 12);
	classify_device(ps, "", huge, NULL, 0, &res);
	assert_string_equal(res.cls, "printer");
	free(huge);
	/* invalid UTF-8, control characters, markup */
	classify_device(ps, "1.3.6.1.4.1.8072.3.2.10", "\xff\xfe\xc3(\x01\x1b[2J<script>Linux\x7f",
			NULL, 0, &res);
	clean_reasons(&res);
	/* 128 arcs, leading dot, garbage, empty, NULL */
	char arcs[128 * 11 + 1];
	size_t o = 0;
	for (int i = 0; i < 128; i++)
		o += (size_t)snprintf(arcs + o, sizeof(arcs) - o, "%s%u", i ? "." : "",
				      i < 6 ? (unsigned[]){1, 3, 6, 1, 4, 1}[i] : 4294967295u);
	classify_device(ps, arcs, "", NULL, 0, &res);
	clean_reasons(&res);
	assert_string_equal(res.cls, "other");
	/* 128 arcs under a known vendor: the first arcs still name it */
	o = (size_t)snprintf(arcs, sizeof(arcs), "1.3.6.1.4.1.2435");
	for (int i = 7; i < 128; i++)
		o += (size_t)snprintf(arcs + o, sizeof(arcs) - o, ".%d", i);
	classify_device(ps, arcs, "", NULL, 0, &res);
	assert_string_equal(res.cls, "printer");
	classify_device(ps, ".1.3.6.1.4.1.2435.2.3.9.1", "", NULL, 0, &res);
	assert_string_equal(res.cls, "printer");
	classify_device(ps, "1.3.6.1.4.1.2435.", "", NULL, 0, &res); /* a trailing dot: a slip */
	assert_string_equal(res.cls, "printer");
	static const char *const junk[] = {"1.3.6.1.4.1.2435..", "1..3", "x.y.z", "1.3.6.1.4.1.99999999999999",
					   "-1.3", "1.3.6.1.4.1.2435 ", "", "0"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		classify_device(ps, junk[i], "\xe2\x28\xa1", NULL, 0, &res);
		clean_reasons(&res);
		assert_string_equal(res.cls, "other");
	}
	classify_device(ps, NULL, NULL, NULL, 0, &res);
	assert_string_equal(res.cls, "other");
	classify_device(NULL, "1.3.6.1.4.1.2435", "x", NULL, 0, &res);
	assert_string_equal(res.cls, "other");
}

/* --- the reasons --- */

static void evidence_text(void **state)
{
	(void)state;
	struct cls_result res;
	char why[512];
	classify_device(ps, "1.3.6.1.4.1.2435.2.3.9.1", "Brother NC-7700w", NULL, 0, &res);
	assert_string_equal(res.cls, "printer");
	assert_string_equal(res.vendor, "Brother");
	assert_true(why_has(&res, "vendor 2435 (Brother) makes printers"));
	assert_true(res.confidence > 50);
	unsigned char has[32] = {0};
	for (size_t h = 0; h < ps->nhas; h++)
		if (ps->has[h].len == 11 && ps->has[h].sub[6] == 43) /* prtMarkerSuppliesLevel */
			has[h] = 1;
	classify_device(ps, "1.3.6.1.4.1.99999.1", "Office machine", has, ps->nhas, &res);
	assert_string_equal(res.cls, "printer");
	assert_true(why_has(&res, "prtMarkerSuppliesLevel answered"));
	classify_device(ps, "1.3.6.1.4.1.99999.1", "HP Color LaserJet MFP", NULL, 0, &res);
	assert_string_equal(res.cls, "printer");
	assert_true(why_has(&res, "sysDescr names 'LaserJet'"));
	/* nothing to go on: other, still named with its vendor when known */
	classify_device(ps, "1.3.6.1.4.1.9.1.1", "", NULL, 0, &res);
	printf("  cisco, nothing said: %s (%d %%) %s\n", res.cls, res.confidence,
	       classify_why(&res, why, sizeof(why)));
	assert_string_equal(res.vendor, "Cisco");
	/* the joined text is bounded */
	char small[16];
	classify_why(&res, small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
}

/* --- the rule files: a district's own vendors and words, and its mistakes reported --- */

static void put(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int has_msg(const struct errlist *el, const char *text)
{
	for (size_t i = 0; i < el->n; i++)
		if (strstr(el->msg[i], text))
			return 1;
	return 0;
}

static void district_rule_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-cls-XXXXXX";
	assert_non_null(mkdtemp(dir));
	put(dir, "generic.conf", "[interfaces]\noper = ifOperStatus 1.3.6.1.2.1.2.2.1.8\n");
	put(dir, "printer.conf", "[profile]\ninclude = generic\n");
	put(dir, "camera.conf", "[profile]\ninclude = generic\n");
	put(dir, "classify.conf",
	    "[classify]\n"
	    "printer = word LaserJet\n"              /* 2: no weight: 10 */
	    "camera = 3 word cam*\n"                 /* 3 */
	    "other = 12 word PDU\n"                  /* 4 */
	    "camera = 0 word Camera\n"               /* 5: bad weight */
	    "camera = 7 sniff Camera\n");            /* 6: unknown test */
	put(dir, "vendors.conf",
	    "[vendors]\n"
	    "64000 = Commune Printers Ltd: printer 6\n" /* 2 */
	    "64001 = Camco: camera 2, other 1\n"        /* 3 */
	    "x12 = Nobody: printer 6\n"                 /* 4 */
	    "64002 = Badco: printer many\n"             /* 5 */
	    "64000 = Twice: printer 1\n");              /* 6 */
	struct errlist el = {0};
	struct profiles *own = profiles_load(dir, &el);
	assert_non_null(own);
	if (errlist_count(&el) != 5)
		dump(&el); /* the five mistakes above are expected: show only a surprise */
	assert_true(has_msg(&el, "classify.conf:5: camera: weight"));
	assert_true(has_msg(&el, "classify.conf:6: camera: unknown test"));
	assert_true(has_msg(&el, "vendors.conf:4: x12: not an enterprise number"));
	assert_true(has_msg(&el, "vendors.conf:5: 64002: expected \"class weight\""));
	assert_true(has_msg(&el, "vendors.conf:6: 64000: vendor listed twice"));
	assert_int_equal(errlist_count(&el), 5);
	struct cls_result res;
	classify_device(own, "1.3.6.1.4.1.64000.1", "", NULL, 0, &res);
	assert_string_equal(res.cls, "printer");
	assert_true(why_has(&res, "vendor 64000 (Commune Printers Ltd) makes printers"));
	/* 2 + 3 = 5: the vendor and a hint together reach the threshold, neither alone */
	classify_device(own, "1.3.6.1.4.1.64001", "CamServer", NULL, 0, &res);
	assert_string_equal(res.cls, "camera");
	classify_device(own, "1.3.6.1.4.1.64001", "", NULL, 0, &res);
	assert_string_equal(res.cls, "other");
	assert_string_equal(res.vendor, "Camco");
	assert_true(why_has(&res, "vendor 64001 (Camco)"));
	/* evidence against: a PDU of a printer maker is no printer */
	classify_device(own, "1.3.6.1.4.1.64000.9", "Rack PDU", NULL, 0, &res);
	assert_string_equal(res.cls, "other");
	/* whole words: "LaserJets" is not the word LaserJet, "camera" goes on from "cam" */
	classify_device(own, "", "LaserJets", NULL, 0, &res);
	assert_string_equal(res.cls, "other");
	classify_device(own, "", "HP LaserJet", NULL, 0, &res);
	assert_string_equal(res.cls, "printer");
	profiles_free(own);
	errlist_free(&el);
	/* the files put() wrote, then the folder: no shell */
	static const char *const files[] = {"generic.conf", "printer.conf", "camera.conf",
					    "classify.conf", "vendors.conf"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(unlink(path), 0);
	}
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(corpus_measured), cmocka_unit_test(corpus_speed),
	    cmocka_unit_test(recordings_classify), cmocka_unit_test(hostile_input),
	    cmocka_unit_test(evidence_text), cmocka_unit_test(district_rule_files),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
