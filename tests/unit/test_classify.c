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
#include "clsmem.h"
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
	/* the same with what a LAN watch tells: every card's maker a long registry name that is
	 * matched with every vendor's name (none of them: the longest way) */
	t0 = clock();
	for (size_t i = 0; i < 10000; i++) {
		const struct row *r = &corpus.r[i % corpus.n];
		struct cls_result res;
		struct cls_input in = {r->oid, r->descr, NULL, 0, NULL, 0,
				       "Shenzhen Example Network Communication Technology Co.,Ltd.",
				       "pc"};
		classify_input(ps, &in, &res);
	}
	cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
	printf("classify: 10000 identities with LAN evidence in %.3f s CPU\n", cpu);
}

/* --- recordings: identity and structural evidence, as the probe would see them --- */

struct rec {
	char oid[256], descr[1024];
	struct cls_answer ans[PROF_HAS_MAX];
	struct prof_oid first[PROF_HAS_MAX]; /* the instance each answer is of: GETNEXT's first */
	unsigned long subtrees[CLS_PROBE_MAX];
	size_t nsubtrees;
};

/* v as snmprec stores it ("4x": hex) into out; returns its length. */
static size_t rec_value(const char *type, const char *v, char *out, size_t n)
{
	size_t o = 0;
	if (strcmp(type, "4x") != 0) {
		snprintf(out, n, "%s", v);
		return strlen(out);
	}
	for (; isxdigit((unsigned char)v[0]) && isxdigit((unsigned char)v[1]) && o + 1 < n; v += 2) {
		char hex[3] = {v[0], v[1], 0};
		out[o++] = (char)strtol(hex, NULL, 16);
	}
	out[o] = '\0';
	return o;
}

static int oid_cmp(const struct prof_oid *a, const struct prof_oid *b)
{
	for (size_t i = 0; i < a->len && i < b->len; i++)
		if (a->sub[i] != b->sub[i])
			return a->sub[i] < b->sub[i] ? -1 : 1;
	return (a->len > b->len) - (a->len < b->len);
}

static int under(const struct prof_oid *o, const unsigned long *pre, size_t plen)
{
	return o->len > plen && !memcmp(o->sub, pre, plen * sizeof(o->sub[0]));
}

/* snmprec's type: the ASN.1 tag ("4x" is 4, hex). */
static int snmprec_tag(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

/* The answer the poller would keep (poller.c take_answer) from an snmprec type and value. */
static void rec_answer(struct cls_answer *a, const char *type, const char *v)
{
	char buf[4096];
	size_t n = rec_value(type, v, buf, sizeof(buf));
	memset(a, 0, sizeof(*a));
	a->answered = 1;
	int tag = snmprec_tag(type);
	if (tag == 2 || tag == 65 || tag == 66 || tag == 67 || tag == 70) {
		a->type = CLS_V_INT;
		a->num = strtoll(buf, NULL, 10);
	} else if (tag == 4 || tag == 64) {
		a->type = CLS_V_TEXT;
		a->len = (unsigned char)(n < sizeof(a->text) ? n : sizeof(a->text));
		a->cut = n > sizeof(a->text);
		memcpy(a->text, buf, a->len);
	} else if (tag == 6) {
		a->type = CLS_V_OID;
		snprintf(a->text, sizeof(a->text), "%.*s", (int)sizeof(a->text) - 1,
			 buf[0] == '.' ? buf + 1 : buf);
	}
}

/* One line "OID|TYPE|VALUE": the identity, and what GETNEXT of each tested OID and vendor
 * subtree would land on (the smallest instance under it). */
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
	for (size_t h = 0; h < ps->nhas && h < PROF_HAS_MAX; h++)
		if (under(&o, ps->has[h].sub, ps->has[h].len) &&
		    (!rc->ans[h].answered || oid_cmp(&o, &rc->first[h]) < 0)) {
			rec_answer(&rc->ans[h], t1 + 1, t2 + 1);
			rc->first[h] = o;
		}
	const struct prof_oid *probes;
	const unsigned long *nums;
	size_t np = cls_vendor_probes(ps->vendors, &probes, &nums);
	for (size_t i = 0; i < np; i++) {
		size_t k;
		for (k = 0; k < rc->nsubtrees && rc->subtrees[k] != nums[i]; k++)
			;
		if (under(&o, probes[i].sub, probes[i].len) && k == rc->nsubtrees &&
		    rc->nsubtrees < CLS_PROBE_MAX)
			rc->subtrees[rc->nsubtrees++] = nums[i];
	}
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
			/* as the poller: the vendor subtrees are asked only when sysObjectID names
			 * no maker */
			int ask = cls_names_no_maker(ps, rc.oid);
			struct cls_input in = {rc.oid, rc.descr, rc.ans, ps->nhas,
					       ask ? rc.subtrees : NULL, ask ? rc.nsubtrees : 0, NULL, NULL};
			classify_input(ps, &in, &res);
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


/* --- what the agent holds: value tests, vendor subtrees (the issue's misses) --- */

/* The answer slot of a tested MIB object named in classify.conf; fails when none. */
static int slot_of(const char *mib)
{
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct class_rule *r = &ps->rules[i];
		if (r->kind == RULE_HAS && strcmp(r->text, mib) == 0)
			return r->has_slot;
		for (int k = 0; r->kind == RULE_VALUE && k < r->ncond; k++)
			if (strcmp(r->cond[k].mib, mib) == 0)
				return r->cond[k].slot;
	}
	fail_msg("classify.conf tests no %s", mib);
	return -1;
}

static void ans_int(struct cls_answer *ans, const char *mib, long long v)
{
	struct cls_answer *a = &ans[slot_of(mib)];
	memset(a, 0, sizeof(*a));
	a->answered = 1;
	a->type = CLS_V_INT;
	a->num = v;
}

static void ans_bytes(struct cls_answer *ans, const char *mib, const void *b, size_t n, int type)
{
	struct cls_answer *a = &ans[slot_of(mib)];
	memset(a, 0, sizeof(*a));
	a->answered = 1;
	a->type = (unsigned char)type;
	a->len = (unsigned char)(n < sizeof(a->text) ? n : sizeof(a->text));
	a->cut = n > sizeof(a->text);
	memcpy(a->text, b, a->len);
}

static void classify_with(const char *oid, const char *descr, const struct cls_answer *ans,
			  const unsigned long *sub, size_t nsub, struct cls_result *res)
{
	char why[512];
	struct cls_input in = {oid, descr, ans, ps->nhas, sub, nsub, NULL, NULL};
	classify_input(ps, &in, res);
	printf("  %s: %s (%d %%) %s\n", descr ? descr : "(no sysDescr)", res->cls, res->confidence,
	       classify_why(res, why, sizeof(why)));
}

static void issue_misses(void **state)
{
	(void)state;
	struct cls_result res;
	struct cls_answer ans[PROF_HAS_MAX];
	static const char linux_oid[] = "1.3.6.1.4.1.8072.3.2.10";
	/* a camera whose agent is plain Linux net-snmp: its vendor's subtree tells */
	memset(ans, 0, sizeof(ans));
	ans_int(ans, "ipForwarding", 2);
	ans_int(ans, "ifNumber", 2);
	assert_true(cls_names_no_maker(ps, linux_oid));
	unsigned long hik = 39165;
	classify_with(linux_oid, "Linux ipc 3.10.0 #1 SMP PREEMPT armv7l", ans, &hik, 1, &res);
	assert_string_equal(res.cls, "camera");
	assert_string_equal(res.vendor, "Hikvision");
	assert_true(why_has(&res, "vendor 39165 (Hikvision) answered its subtree, makes cameras"));
	/* ... and an access point with the same agent answers IEEE802dot11-MIB */
	ans_bytes(ans, "dot11StationID", "\x00\x27\x22\x01\x02\x03", 6, CLS_V_TEXT);
	classify_with(linux_oid, "Linux ap 4.4.60 #0 armv7l", ans, NULL, 0, &res);
	assert_string_equal(res.cls, "ap");
	/* a camera with no system group at all, only its vendor's subtree */
	memset(ans, 0, sizeof(ans));
	assert_true(cls_names_no_maker(ps, NULL) && cls_names_no_maker(ps, ""));
	unsigned long dahua = 1004849;
	classify_with(NULL, NULL, ans, &dahua, 1, &res);
	assert_string_equal(res.cls, "camera");
	assert_string_equal(res.vendor, "Dahua");
	assert_int_equal(res.enterprise, 1004849);
	/* a sysObjectID of a maker is not second-guessed by subtrees (the poller asks none) */
	assert_false(cls_names_no_maker(ps, "1.3.6.1.4.1.9.1.1"));
	/* a router that says nothing, with a BRIDGE-MIB of an all-zero address: no switch */
	memset(ans, 0, sizeof(ans));
	ans_bytes(ans, "dot1dBaseBridgeAddress", "\0\0\0\0\0\0", 6, CLS_V_TEXT);
	ans_int(ans, "dot1dBaseNumPorts", 4);
	ans_int(ans, "ipForwarding", 1);
	ans_int(ans, "ifNumber", 5);
	classify_with("", "", ans, NULL, 0, &res);
	assert_string_equal(res.cls, "router");
	assert_false(why_has(&res, "dot1dBaseBridgeAddress"));
	assert_true(why_has(&res, "ipForwarding = 1 and ifNumber > 1"));
	/* the same with a real address: bridge evidence */
	ans_bytes(ans, "dot1dBaseBridgeAddress", "\x00\x1b\x2c\x00\x00\x01", 6, CLS_V_TEXT);
	ans_int(ans, "ipForwarding", 2);
	classify_with("", "", ans, NULL, 0, &res);
	assert_string_equal(res.cls, "switch");
	assert_true(why_has(&res, "dot1dBaseBridgeAddress is not zero and dot1dBaseNumPorts > 1"));
	/* one port is no switch's bridge: the address alone is a hint under the threshold */
	ans_int(ans, "dot1dBaseNumPorts", 1);
	classify_with("", "", ans, NULL, 0, &res);
	assert_string_equal(res.cls, "other");
	/* a printer whose agent answers no Printer-MIB: its vendor, and hrDeviceType */
	memset(ans, 0, sizeof(ans));
	classify_with("1.3.6.1.4.1.2435.2.3.9.1", "", ans, NULL, 0, &res);
	assert_string_equal(res.cls, "printer");
	static const char prn[] = "1.3.6.1.2.1.25.3.1.5";
	ans_bytes(ans, "hrDeviceType", prn, sizeof(prn), CLS_V_OID);
	classify_with("1.3.6.1.4.1.2435.2.3.9.1", "", ans, NULL, 0, &res);
	assert_string_equal(res.cls, "printer");
	assert_true(why_has(&res, "hrDeviceType = hrDevicePrinter"));
	/* ... behind a Net-SNMP identity: the printer maker's subtree */
	unsigned long brother = 2435;
	memset(ans, 0, sizeof(ans));
	classify_with(linux_oid, "Linux prn 2.6.31 armv5tel", ans, &brother, 1, &res);
	assert_string_equal(res.cls, "printer");
	/* Windows lists its print queues first in hrDeviceTable: still a PC */
	ans_bytes(ans, "hrDeviceType", prn, sizeof(prn), CLS_V_OID);
	classify_with("1.3.6.1.4.1.311.1.1.3.1.1", "Hardware: x86 Family 6 - Software: Windows "
		      "Version 5.1", ans, NULL, 0, &res);
	assert_string_equal(res.cls, "pc");
	/* a Linux PC that forwards (containers) stays a PC */
	memset(ans, 0, sizeof(ans));
	ans_int(ans, "ipForwarding", 1);
	ans_int(ans, "ifNumber", 7);
	classify_with(linux_oid, "Linux host 6.1.0-18-amd64 #1 SMP x86_64", ans, NULL, 0, &res);
	assert_string_equal(res.cls, "pc");
	/* VC systems known only by product name, or only by enterprise number */
	classify_with("", "Group Series 500", NULL, NULL, 0, &res);
	assert_string_equal(res.cls, "vc");
	classify_with("1.3.6.1.4.1.5596.150.6.4.1", "", NULL, NULL, 0, &res);
	assert_string_equal(res.cls, "vc");
	unsigned long tandberg = 5596;
	classify_with("", "", NULL, &tandberg, 1, &res);
	assert_string_equal(res.cls, "vc");
}

/* Answers of any type, size and value: no crash, no read past them, clean reasons. */
static void hostile_values(void **state)
{
	(void)state;
	struct cls_result res;
	struct cls_answer ans[PROF_HAS_MAX];
	static const long long nums[] = {LLONG_MIN, -1, 0, 1, 2, LLONG_MAX};
	for (int type = CLS_V_NONE; type <= CLS_V_OID + 1; type++)
		for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
			for (size_t i = 0; i < PROF_HAS_MAX; i++) {
				memset(&ans[i], (int)(0x41 + k), sizeof(ans[i]));
				ans[i].answered = 1;
				ans[i].type = (unsigned char)type;
				ans[i].num = nums[k];
				ans[i].len = 255; /* more than text holds: read only up to it */
				ans[i].cut = (unsigned char)(k & 1);
			}
			if (k == 3) /* garbage bytes and markup, unterminated */
				for (size_t i = 0; i < PROF_HAS_MAX; i++)
					memcpy(ans[i].text, "\xff\xfe<script>WS-C\x01\x1b[2J", 17);
			unsigned long sub[CLS_PROBE_MAX + 4];
			for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
				sub[i] = i % 2 ? 4294967295UL : 39165;
			struct cls_input in = {"1.3.6.1.4.1.8072.3.2.10", "\x01<b>", ans, ps->nhas,
					       sub, sizeof(sub) / sizeof(sub[0]), NULL, NULL};
			classify_input(ps, &in, &res);
			clean_reasons(&res);
			assert_true(res.nwhy <= CLS_WHY_MAX);
		}
	/* a slot past what the caller gave is never read */
	struct cls_input none = {"", "", ans, 0, NULL, 0, NULL, NULL};
	classify_input(ps, &none, &res);
	assert_string_equal(res.cls, "other");
	classify_input(ps, NULL, &res);
	assert_string_equal(res.cls, "other");
	/* a cut OID never equals a rule's OID */
	memset(ans, 0, sizeof(ans));
	struct cls_answer *a = &ans[slot_of("hrDeviceType")];
	a->answered = 1;
	a->type = CLS_V_OID;
	a->cut = 1;
	snprintf(a->text, sizeof(a->text), "1.3.6.1.2.1.25.3.1.5");
	classify_with("", "", ans, NULL, 0, &res);
	assert_false(why_has(&res, "hrDeviceType"));
}

/* --- a device's class kept between polls (clsmem.h) --- */

/* What the LAN watch heard of a host weighs in: its card's maker by vendors.conf's names (a
 * whole word of the IEEE registry's name), the class its DHCP / LLDP words give; the reasons
 * never quote the LAN's text. */
static void lan_evidence(void **state)
{
	(void)state;
	struct cls_result res, bare;
	struct cls_answer ans[PROF_HAS_MAX];
	char why[512];
	static const char linux_oid[] = "1.3.6.1.4.1.8072.3.2.10";
	memset(ans, 0, sizeof(ans));
	struct cls_input in = {linux_oid, "Linux", ans, ps->nhas, NULL, 0,
			       "Hangzhou Hikvision Digital Technology Co.,Ltd.", ""};
	classify_input(ps, &in, &res);
	classify_device(ps, linux_oid, "Linux", NULL, 0, &bare);
	printf("  Linux + Hikvision card: %s (%d %%) %s\n", res.cls, res.confidence,
	       classify_why(&res, why, sizeof(why)));
	assert_string_equal(res.cls, "camera");
	assert_string_equal(res.vendor, "Hikvision");
	assert_true(res.confidence > bare.confidence || strcmp(bare.cls, "camera") != 0);
	assert_true(why_has(&res, "its network card is by Hikvision (IEEE registry), who makes "
				  "cameras"));
	/* a Windows DHCP client says it is a computer */
	in.lan_vendor = "Intel Corporate";
	in.lan_said = "pc";
	classify_input(ps, &in, &res);
	assert_string_equal(res.cls, "pc");
	assert_true(why_has(&res, "on its LAN it says it is one of the computers (DHCP or LLDP)"));
	/* a word inside another is no name: "NEC" is not in "Connectivity" */
	in.lan_vendor = "Connectivity Solutions Necessary Ltd";
	in.lan_said = "";
	classify_input(ps, &in, &res);
	assert_string_equal(res.vendor, "Net-SNMP");
	assert_false(why_has(&res, "network card"));
	/* a sysObjectID of a maker outweighs what its card says */
	struct cls_input brother = {"1.3.6.1.4.1.2435.2.3.9.1", "Brother NC-7700w", ans, ps->nhas,
				    NULL, 0, "Hangzhou Hikvision Digital Technology", "camera"};
	classify_input(ps, &brother, &res);
	assert_string_equal(res.cls, "printer");
	/* hostile LAN text: markup, a class that is none, a huge name; nothing of it is quoted */
	char big[4096];
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	struct cls_input bad = {linux_oid, "Linux", ans, ps->nhas, NULL, 0, big, "<script>"};
	classify_input(ps, &bad, &res);
	clean_reasons(&res);
	bad.lan_vendor = "<b>Canon</b> Inc.";
	bad.lan_said = "toaster";
	classify_input(ps, &bad, &res);
	assert_string_equal(res.vendor, "Canon");
	clean_reasons(&res);
	/* the class memory weighs a device again when its LAN tells something new, once */
	struct cls_memory m;
	memset(&m, 0, sizeof(m));
	assert_false(clsmem_lan_news(&m, NULL, ""));
	assert_true(clsmem_lan_news(&m, "Hangzhou Hikvision", ""));
	assert_false(clsmem_lan_news(&m, "Hangzhou Hikvision", ""));
	assert_false(clsmem_lan_news(&m, "", "")); /* forgotten: the last word stands */
	assert_true(clsmem_lan_news(&m, "Hangzhou Hikvision", "camera"));
}

static void class_memory(void **state)
{
	(void)state;
	struct cls_memory m;
	struct cls_result printer, camera, unsure;
	char was[32];
	memset(&m, 0, sizeof(m));
	classify_device(ps, "1.3.6.1.4.1.2435.2.3.9.1", "Brother NC-7700w", NULL, 0, &printer);
	classify_device(ps, "1.3.6.1.4.1.39165.1.1", "Hikvision DS-2CD2143", NULL, 0, &camera);
	classify_device(ps, "1.3.6.1.4.1.8072.3.2.10", "Linux", NULL, 0, &unsure);
	assert_true(camera.confidence >= CLSMEM_SURE && unsure.confidence < CLSMEM_SURE);
	static const char poid[] = "1.3.6.1.4.1.2435.2.3.9.1", coid[] = "1.3.6.1.4.1.39165.1.1";
	struct dev_sample s;
	memset(&s, 0, sizeof(s));
	assert_true(clsmem_due(&m, poid, 1, 1000));
	assert_int_equal(clsmem_take(&m, &printer, poid, was), CLSMEM_FIRST);
	assert_string_equal(m.cls, "printer");
	/* what the collector gets: the class, how sure, why, the maker */
	clsmem_evidence(&m, CLSMEM_FIRST, was, &s);
	assert_string_equal(s.cls_auto, "printer");
	assert_int_equal(s.cls_confidence, printer.confidence);
	assert_string_equal(s.cls_vendor, "Brother");
	assert_non_null(strstr(s.cls_why, "Brother"));
	assert_string_equal(s.cls_seen, "");
	assert_string_equal(s.cls_was, "");
	/* nothing says it changed: not weighed again */
	assert_false(clsmem_due(&m, poid, 1, 2000));
	assert_false(clsmem_due(&m, poid, 0, 0));
	/* replaced by a camera (a restart, another sysObjectID): noticed, not re-profiled yet */
	assert_true(clsmem_due(&m, coid, 1, 100));
	assert_int_equal(clsmem_take(&m, &camera, coid, was), CLSMEM_CHANGE_SEEN);
	assert_string_equal(was, "printer");
	assert_string_equal(m.cls, "printer");
	assert_int_equal(m.cand_polls, 1);
	clsmem_evidence(&m, CLSMEM_CHANGE_SEEN, was, &s);
	assert_string_equal(s.cls_auto, "printer");
	assert_string_equal(s.cls_seen, "camera");
	assert_int_equal(s.cls_seen_polls, 1);
	assert_string_equal(s.cls_was, "");
	/* pending: weighed on every poll; an unsure one ends the streak */
	assert_true(clsmem_due(&m, coid, 1, 200));
	assert_int_equal(clsmem_take(&m, &unsure, coid, was), CLSMEM_UNSURE);
	assert_int_equal(m.cand_polls, 0);
	assert_string_equal(m.cls, "printer");
	/* three sure polls in a row: re-profiled */
	for (int i = 1; i < CLSMEM_CONFIRM; i++) {
		assert_true(clsmem_due(&m, coid, 1, 50));
		assert_int_equal(clsmem_take(&m, &camera, coid, was), CLSMEM_CHANGE_SEEN);
		assert_string_equal(m.cls, "printer");
	}
	assert_true(clsmem_due(&m, coid, 1, 60));
	assert_int_equal(clsmem_take(&m, &camera, coid, was), CLSMEM_REPROFILED);
	assert_string_equal(m.cls, "camera");
	assert_string_equal(was, "printer");
	assert_true(strstr(m.why, "Hikvision") != NULL);
	/* the poll that re-profiled says what the device was; the next one no longer does */
	clsmem_evidence(&m, CLSMEM_REPROFILED, was, &s);
	assert_string_equal(s.cls_auto, "camera");
	assert_string_equal(s.cls_was, "printer");
	assert_string_equal(s.cls_seen, "");
	assert_int_equal(s.cls_seen_polls, 0);
	assert_string_equal(s.cls_vendor, "Hikvision");
	clsmem_evidence(&m, -1, "", &s);
	assert_string_equal(s.cls_was, "");
	assert_false(clsmem_due(&m, coid, 1, 70));
	/* weighed again after a restart, same class: reasons refreshed, nothing pending */
	assert_true(clsmem_due(&m, coid, 1, 10));
	assert_int_equal(clsmem_take(&m, &camera, coid, was), CLSMEM_SAME);
	assert_false(clsmem_due(&m, coid, 1, 20));
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
	    "camera = 7 sniff Camera\n"              /* 6: unknown test */
	    "printer = 5 value prtX 1.3.6.1.2.1.43.5.1.1.1 nonzero and hrDeviceType "
	    "1.3.6.1.2.1.25.3.2.1.2 = 1.3.6.1.2.1.25.3.1.5\n" /* 7 */
	    "printer = 4 value ifNumber 1.3.6.1.2.1.2.1 is 1\n"        /* 8: operator */
	    "printer = 4 value ifNumber 1.3.6.1.2.1.2.1 >\n"           /* 9: no value */
	    "printer = 4 value ifNumber 1.3.6.1.2.1.2.1 > many\n"      /* 10: not a number */
	    "printer = 4 value ifNumber 1.3.6.1.2.1.2.1 nonzero 5\n"   /* 11: no "and" */
	    "printer = 4 value ifNumber 1.3.6.1.2.1.2.1 nonzero and\n" /* 12: dangling */
	    "printer = 4 value ifNumber x.y nonzero\n"                 /* 13: bad OID */
	    "printer = 4 value a 1.3.6.1.2.1.2.1 nonzero and b 1.3.6.1.2.1.2.2 nonzero and c "
	    "1.3.6.1.2.1.2.3 nonzero and d 1.3.6.1.2.1.2.4 nonzero\n"  /* 14: four */
	    "printer = 4 value ifNumber 1.3.6.1.2.1.2.1 > 99999999999999999999\n"); /* 15 */
	put(dir, "vendors.conf",
	    "[vendors]\n"
	    "64000 = Commune Printers Ltd: printer 6\n" /* 2 */
	    "64001 = Camco: camera 2, other 1\n"        /* 3 */
	    "x12 = Nobody: printer 6\n"                 /* 4 */
	    "64002 = Badco: printer many\n"             /* 5 */
	    "64000 = Twice: printer 1\n"               /* 6 */
	    "64003 = Subco: camera 6, probe\n"         /* 7 */
	    "64004 = Flagco: camera 6, probes\n");     /* 8: unknown flag */
	struct errlist el = {0};
	struct profiles *own = profiles_load(dir, &el);
	assert_non_null(own);
	if (errlist_count(&el) != 14)
		dump(&el); /* the mistakes above are expected: show only a surprise */
	assert_true(has_msg(&el, "classify.conf:5: camera: weight"));
	assert_true(has_msg(&el, "classify.conf:6: camera: unknown test"));
	assert_true(has_msg(&el, "vendors.conf:4: x12: not an enterprise number"));
	assert_true(has_msg(&el, "vendors.conf:5: 64002: expected \"class weight\""));
	assert_true(has_msg(&el, "vendors.conf:6: 64000: vendor listed twice"));
	assert_true(has_msg(&el, "classify.conf:8: printer: value: ifNumber: unknown operator"));
	assert_true(has_msg(&el, "classify.conf:9: printer: value: ifNumber: > needs a value"));
	assert_true(has_msg(&el, "classify.conf:10: printer: value: ifNumber: > compares numbers"));
	assert_true(has_msg(&el, "classify.conf:11: printer: value: expected \"and\""));
	assert_true(has_msg(&el, "classify.conf:12: printer: value: expected \"and\""));
	assert_true(has_msg(&el, "classify.conf:13: printer: value: \"ifNumber x.y\" is not"));
	assert_true(has_msg(&el, "classify.conf:14: printer: value: at most 3 conditions"));
	assert_true(has_msg(&el, "classify.conf:15: printer: value: ifNumber: 99999999999999999999: "
				 "number out of range"));
	assert_true(has_msg(&el, "vendors.conf:8: 64004: expected \"class weight\""));
	assert_int_equal(errlist_count(&el), 14);
	/* the value rule that is right works, and reads its OID's name from no enums.conf */
	struct cls_answer ans[PROF_HAS_MAX];
	memset(ans, 0, sizeof(ans));
	assert_int_equal(own->nhas, 2);
	ans[0].answered = ans[1].answered = 1;
	ans[0].type = CLS_V_INT;
	ans[0].num = 3;
	ans[1].type = CLS_V_OID;
	snprintf(ans[1].text, sizeof(ans[1].text), "1.3.6.1.2.1.25.3.1.5");
	struct cls_input vin = {"", "", ans, own->nhas, NULL, 0, NULL, NULL};
	struct cls_result vres;
	classify_input(own, &vin, &vres);
	assert_string_equal(vres.cls, "printer");
	assert_true(why_has(&vres, "prtX is not zero and hrDeviceType = 1.3.6.1.2.1.25.3.1.5"));
	ans[0].num = 0;
	classify_input(own, &vin, &vres);
	assert_string_equal(vres.cls, "other");
	/* a district's vendor to probe */
	const struct prof_oid *po;
	const unsigned long *pn;
	assert_int_equal(cls_vendor_probes(own->vendors, &po, &pn), 1);
	assert_int_equal(pn[0], 64003);
	assert_int_equal(po[0].len, 7);
	assert_int_equal(po[0].sub[6], 64003);
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
	    cmocka_unit_test(issue_misses), cmocka_unit_test(hostile_values),
	    cmocka_unit_test(class_memory), cmocka_unit_test(lan_evidence),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
