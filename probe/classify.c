/*
 * Evidence-weighing classifier (classify.h). The rules are data: classify.conf (parsed by
 * profile.c into ps->rules) and vendors.conf (parsed here). Device input is hostile: both
 * strings are read only up to fixed bounds, and nothing of them is copied into the reasons.
 */
#include "classify.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inifile.h"
#include "profile.h"

#define CLS_DESCR_SCAN 1024 /* bytes of sysDescr looked at: product words come first */
#define CLS_OID_ARCS 48     /* arcs of sysObjectID kept: rules are at most PROF_OID_MAX long */
#define CLS_OID_TEXT 600    /* room for CLS_OID_ARCS arcs of 10 digits and their dots */
#define MAKES_MAX 6
#define CLASSES_MAX 16
#define EVIDENCE_MAX 24
#define CLS_W_LAN_SAID 4    /* a host's own DHCP / LLDP words: enough alone, below any product
			     * word or vendor of sysObjectID */

struct cls_make {
	char cls[PROF_CLASS_MAX];
	int weight;
};

struct cls_vendor {
	unsigned long num;
	char name[CLS_VENDOR_MAX];
	struct cls_make makes[MAKES_MAX];
	int nmakes;
	int line;
	int probe; /* its subtree is asked when the identity names no maker */
	int agent; /* an agent many makers use (Net-SNMP): its number names no maker */
};

struct cls_vendors {
	struct cls_vendor *v;
	size_t n, cap;
	const char *path;
	struct ini_file ini;
	struct errlist *errs;
	char section[32];
	struct prof_oid probe_oid[CLS_PROBE_MAX]; /* 1.3.6.1.4.1.N of the `probe` vendors */
	unsigned long probe_num[CLS_PROBE_MAX];
	size_t nprobe;
};

/* --- vendors.conf --- */

static void verr(struct cls_vendors *vs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void verr(struct cls_vendors *vs, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(vs->errs, "%s:%d: %s", vs->path, vs->ini.line, msg);
}

/* A flag of the makes list ("probe", "agent"): 1 taken, 0 not a flag. */
static int vendor_flag(struct cls_vendor *v, const char *t)
{
	char word[8];
	int used = 0;
	if (sscanf(t, " %7[a-z] %n", word, &used) != 1 || t[used])
		return 0;
	if (strcmp(word, "probe") == 0)
		return v->probe = 1;
	if (strcmp(word, "agent") == 0)
		return v->agent = 1;
	return 0;
}

/* "printer 6, scanner 1, probe" into v; 0, or -1 after an error. */
static int parse_makes(struct cls_vendors *vs, struct cls_vendor *v, char *list)
{
	char *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char cls[PROF_CLASS_MAX];
		int w, used = 0;
		if (vendor_flag(v, t))
			continue;
		if (sscanf(t, " %31[A-Za-z0-9_-] %d %n", cls, &w, &used) != 2 || t[used] ||
		    w < 1 || w > 100 || v->nmakes >= MAKES_MAX) {
			verr(vs, "%lu: expected \"class weight\" (weight 1..100, at most %d), probe or "
				 "agent, got \"%.40s\"", v->num, MAKES_MAX, t);
			return -1;
		}
		snprintf(v->makes[v->nmakes].cls, PROF_CLASS_MAX, "%s", cls);
		v->makes[v->nmakes++].weight = w;
	}
	return 0;
}

static int vendor_key(void *ctx, const char *section, const char *key, const char *value)
{
	struct cls_vendors *vs = ctx;
	if (strcmp(section, "vendors") != 0) {
		if (strcmp(section, vs->section) != 0)
			verr(vs, "[%.40s]: vendors.conf holds one section, [vendors]", section);
		snprintf(vs->section, sizeof(vs->section), "%s", section);
		return 1;
	}
	char *end;
	unsigned long num = strtoul(key, &end, 10);
	if (!isdigit((unsigned char)*key) || *end || num > 4294967295UL) {
		verr(vs, "%.40s: not an enterprise number", key);
		return 1;
	}
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? vs->cap * 2 : 256;
		struct cls_vendor *nv = realloc(vs->v, cap * sizeof(*nv));
		if (!nv)
			return 0;
		vs->v = nv;
		vs->cap = cap;
	}
	struct cls_vendor *v = &vs->v[vs->n];
	memset(v, 0, sizeof(*v));
	v->num = num;
	v->line = vs->ini.line;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", value);
	char *colon = strrchr(buf, ':');
	if (colon)
		*colon = '\0';
	size_t nl = strlen(buf);
	while (nl && buf[nl - 1] == ' ')
		buf[--nl] = '\0';
	if (!nl || nl >= CLS_VENDOR_MAX) {
		verr(vs, "%lu: expected \"Vendor name: class weight, ...\" (name under %d bytes)",
		     num, CLS_VENDOR_MAX);
		return 1;
	}
	memcpy(v->name, buf, nl + 1);
	if (colon && parse_makes(vs, v, colon + 1) < 0)
		return 1;
	vs->n++;
	return 1;
}

static int cmp_vendor(const void *a, const void *b)
{
	const struct cls_vendor *x = a, *y = b;
	return x->num < y->num ? -1 : x->num > y->num;
}

/* By number, then line: the first of a vendor listed twice comes first (qsort is unstable). */
static int cmp_vendor_line(const void *a, const void *b)
{
	const struct cls_vendor *x = a, *y = b;
	int c = cmp_vendor(a, b);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The subtrees of the `probe` vendors, in number order; more than CLS_PROBE_MAX is an error
 * (each is a varbind of an extra request). */
static void list_probes(struct cls_vendors *vs, const char *path, struct errlist *errs)
{
	static const unsigned long ent[] = {1, 3, 6, 1, 4, 1};
	for (size_t i = 0; i < vs->n; i++) {
		if (!vs->v[i].probe)
			continue;
		if (vs->nprobe == CLS_PROBE_MAX) {
			errlist_add(errs, "%s:%d: %lu: more than %d vendors to probe", path,
				    vs->v[i].line, vs->v[i].num, CLS_PROBE_MAX);
			continue;
		}
		struct prof_oid *o = &vs->probe_oid[vs->nprobe];
		memcpy(o->sub, ent, sizeof(ent));
		o->sub[6] = vs->v[i].num;
		o->len = 7;
		vs->probe_num[vs->nprobe++] = vs->v[i].num;
	}
}

struct cls_vendors *cls_vendors_load(const char *path, struct errlist *errs)
{
	struct cls_vendors *vs = calloc(1, sizeof(*vs));
	if (!vs)
		return NULL;
	vs->path = path;
	vs->errs = errs;
	ini_file_parse(&vs->ini, path, errs, vendor_key, vs);
	vs->path = NULL; /* path belongs to the caller */
	vs->errs = NULL;
	/* no vendor read (an empty file): qsort must not be given a null array, even of none */
	if (vs->n)
		qsort(vs->v, vs->n, sizeof(*vs->v), cmp_vendor_line);
	/* a vendor listed twice: the first line counts, the others are reported and dropped */
	size_t kept = 0;
	for (size_t i = 0; i < vs->n; i++) {
		if (kept && vs->v[i].num == vs->v[kept - 1].num) {
			errlist_add(errs, "%s:%d: %lu: vendor listed twice (first on line %d)", path,
				    vs->v[i].line, vs->v[i].num, vs->v[kept - 1].line);
			continue;
		}
		vs->v[kept++] = vs->v[i];
	}
	vs->n = kept;
	list_probes(vs, path, errs);
	return vs;
}

size_t cls_vendor_probes(const struct cls_vendors *vs, const struct prof_oid **oids,
			 const unsigned long **nums)
{
	*oids = vs && vs->nprobe ? vs->probe_oid : NULL;
	*nums = vs && vs->nprobe ? vs->probe_num : NULL;
	return vs ? vs->nprobe : 0;
}

void cls_vendors_free(struct cls_vendors *v)
{
	if (!v)
		return;
	free(v->v);
	free(v);
}

static const struct cls_vendor *vendor_find(const struct cls_vendors *vs, unsigned long num)
{
	if (!vs || !vs->n)
		return NULL;
	struct cls_vendor key;
	key.num = num;
	return bsearch(&key, vs->v, vs->n, sizeof(*vs->v), cmp_vendor);
}

/* --- normalising the device's strings --- */

/*
 * Copies objectid into out (n >= CLS_OID_TEXT) without a leading dot, cut after CLS_OID_ARCS
 * arcs. Returns 0, or -1 when it is not a dotted list of numbers (then out is "").
 */
static int oid_norm(const char *in, char *out, size_t n)
{
	size_t o = 0, digits = 0, arcs = 0;
	out[0] = '\0';
	if (!in)
		return -1;
	if (*in == '.')
		in++;
	for (;; in++) {
		char c = *in;
		if (c >= '0' && c <= '9' && digits < 10) {
			digits++;
		} else if ((c == '.' || c == '\0') && digits) {
			/* a trailing dot ("1.3.6.1.4.1.6027.1.2.") is a slip, not garbage */
			if (++arcs == CLS_OID_ARCS || c == '\0' || (c == '.' && !in[1]))
				break;
			digits = 0;
		} else {
			out[0] = '\0';
			return -1;
		}
		if (o + 2 >= n)
			return out[0] = '\0', -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return arcs >= 2 ? 0 : (out[0] = '\0', -1);
}

/* The enterprise number of a 1.3.6.1.4.1.N... identifier, or 0. */
static unsigned long enterprise_of(const char *oid)
{
	static const char ent[] = "1.3.6.1.4.1.";
	if (strncmp(oid, ent, sizeof(ent) - 1) != 0)
		return 0;
	return strtoul(oid + sizeof(ent) - 1, NULL, 10); /* oid_norm bounded it to 10 digits */
}

/* sysDescr's first CLS_DESCR_SCAN bytes in lower case, control characters as spaces. */
static void descr_norm(const char *in, char *out, size_t n)
{
	size_t i = 0;
	for (; in && in[i] && i + 1 < n; i++) {
		unsigned char c = (unsigned char)in[i];
		/* ASCII only: the rules' words are ASCII, and other bytes must stay as they are
		 * whatever the locale (invalid UTF-8 included) */
		out[i] = (char)(c < 0x20 || c == 0x7f ? ' ' : c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[i] = '\0';
}

/* --- matching --- */

static int wordch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* r's text in d (lower case): anywhere for "descr", on word boundaries for "word". */
static int descr_match(const struct class_rule *r, const char *d)
{
	const char *t = r->word ? r->lc : r->text;
	if (!r->word)
		return strcasestr(d, t) != NULL;
	size_t n = strlen(t);
	if (!n)
		return 0;
	for (const char *p = strstr(d, t); p; p = strstr(p + 1, t)) {
		int starts = p == d || !wordch(p[-1]) || !wordch(t[0]);
		int ends = r->prefix || !wordch(p[n]) || !wordch(t[n - 1]);
		if (starts && ends)
			return 1;
	}
	return 0;
}

/* prefix is a prefix of oid on whole arcs: 1.3.6.1.4.1.9 is not one of 1.3.6.1.4.1.99 */
static int oid_under(const char *oid, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n && prefix[n - 1] == '.')
		n--;
	return n && strncmp(oid, prefix, n) == 0 && (oid[n] == '\0' || oid[n] == '.');
}

/* --- weighing --- */

struct evidence {
	const char *cls;
	int weight;
	char text[CLS_WHY_LEN];
};

struct tally {
	const char *cls[CLASSES_MAX];
	int score[CLASSES_MAX];
	int nc;
	struct evidence ev[EVIDENCE_MAX];
	int nev;
};

/* What a class is called in a reason ("vendor 11 (HP) makes printers"). */
static const char *class_noun(const char *cls)
{
	static const char *const nouns[][2] = {
	    {"pc", "computers"},	  {"printer", "printers"},   {"scanner", "scanners"},
	    {"switch", "switches"},	  {"router", "routers"},     {"ap", "access points"},
	    {"vc", "video-conference systems"}, {"camera", "cameras"}, {"ups", "UPSes"},
	    {"other", "other devices"}};
	for (size_t i = 0; i < sizeof(nouns) / sizeof(nouns[0]); i++)
		if (strcmp(nouns[i][0], cls) == 0)
			return nouns[i][1];
	return cls;
}

/* Adds weight to cls and keeps the reason (fmt) while there is room. */
static void add(struct tally *t, const char *cls, int weight, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(struct tally *t, const char *cls, int weight, const char *fmt, ...)
{
	int i;
	for (i = 0; i < t->nc; i++)
		if (strcmp(t->cls[i], cls) == 0)
			break;
	if (i == t->nc) {
		if (t->nc == CLASSES_MAX)
			return;
		t->cls[t->nc] = cls;
		t->score[t->nc++] = 0;
	}
	t->score[i] += weight;
	if (t->nev == EVIDENCE_MAX)
		return;
	struct evidence *e = &t->ev[t->nev++];
	e->cls = cls;
	e->weight = weight;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

/* A value rule holds when all its conditions hold; its reason is the conditions' text. */
static void weigh_value(const struct class_rule *r, const struct cls_input *in, struct tally *t)
{
	char text[CLS_WHY_LEN];
	size_t o = 0;
	for (int k = 0; k < r->ncond; k++) {
		const struct cls_cond *c = &r->cond[k];
		const struct cls_answer *a =
		    in->ans && (size_t)c->slot < in->nans ? &in->ans[c->slot] : NULL;
		if (!cls_cond_holds(c, a))
			return;
	}
	text[0] = '\0';
	for (int k = 0; k < r->ncond && o + 1 < sizeof(text); k++) {
		if (k)
			o += (size_t)snprintf(text + o, sizeof(text) - o, " and ");
		if (o + 1 >= sizeof(text))
			break;
		cls_cond_text(&r->cond[k], text + o, sizeof(text) - o);
		o += strlen(text + o);
	}
	add(t, r->cls, r->weight, "%s", text);
}

/* Every classify.conf rule that holds adds its weight. */
static void weigh_rules(const struct profiles *ps, const char *oid, const char *d,
			const struct cls_input *in, struct tally *t)
{
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct class_rule *r = &ps->rules[i];
		switch (r->kind) {
		case RULE_OBJECTID:
			if (oid[0] && oid_under(oid, r->text))
				add(t, r->cls, r->weight, "sysObjectID is under %s", r->text);
			break;
		case RULE_DESCR:
			if (descr_match(r, d))
				add(t, r->cls, r->weight, "sysDescr names '%s'", r->text);
			break;
		case RULE_HAS:
			if (in->ans && (size_t)r->has_slot < in->nans && in->ans[r->has_slot].answered)
				add(t, r->cls, r->weight, "%s answered", r->text);
			break;
		case RULE_VALUE:
			weigh_value(r, in, t);
			break;
		}
	}
}

/* The vendor's makes add their weights; the vendor names the result in any case. */
static void weigh_vendor(const struct profiles *ps, struct cls_result *out, struct tally *t)
{
	const struct cls_vendor *v = vendor_find(ps->vendors, out->enterprise);
	if (!v || !out->enterprise)
		return;
	snprintf(out->vendor, sizeof(out->vendor), "%s", v->name);
	for (int i = 0; i < v->nmakes; i++)
		add(t, v->makes[i].cls, v->makes[i].weight, "vendor %lu (%s) makes %s",
		    out->enterprise, v->name, class_noun(v->makes[i].cls));
}

/* Vendors whose subtree answered weigh as a sysObjectID of theirs would; the first names the
 * device when its sysObjectID named no maker. */
static void weigh_subtrees(const struct profiles *ps, const struct cls_input *in,
			   struct cls_result *out, struct tally *t)
{
	const struct cls_vendor *own = vendor_find(ps->vendors, out->enterprise);
	int named = own && !own->agent;
	for (size_t i = 0; in->subtrees && i < in->nsubtrees && i < CLS_PROBE_MAX; i++) {
		const struct cls_vendor *v = vendor_find(ps->vendors, in->subtrees[i]);
		if (!v || v->num == out->enterprise)
			continue;
		for (int k = 0; k < v->nmakes; k++)
			add(t, v->makes[k].cls, v->makes[k].weight,
			    "vendor %lu (%s) answered its subtree, makes %s", v->num, v->name,
			    class_noun(v->makes[k].cls));
		if (!named) {
			snprintf(out->vendor, sizeof(out->vendor), "%s", v->name);
			out->enterprise = v->num;
			named = 1;
		}
	}
}

/* The text a LAN tells (the IEEE registry's name of a card's maker), lower-cased and cut
 * into its word starts once, to match every vendor's name against. */
struct lan_words {
	char text[128];
	unsigned char start[32];
	int n;
};

static void lan_words(struct lan_words *w, const char *text)
{
	size_t i = 0;
	w->n = 0;
	int was_word = 0;
	for (; text[i] && i < sizeof(w->text) - 1; i++) {
		w->text[i] = (char)tolower((unsigned char)text[i]);
		int word = isalnum((unsigned char)w->text[i]) != 0;
		if (word && !was_word && w->n < (int)sizeof(w->start))
			w->start[w->n++] = (unsigned char)i;
		was_word = word;
	}
	w->text[i] = '\0';
}

/* Whether name (a vendors.conf name, up to a " (" remark) is a whole word of w, case
 * ignored: "Hikvision" in "Hangzhou Hikvision Digital Technology Co.,Ltd.", not "NEC" in
 * "Connect". */
static int name_in(const char *name, const struct lan_words *w)
{
	size_t n = strcspn(name, "(");
	while (n && name[n - 1] == ' ')
		n--;
	if (n < 2)
		return 0;
	int first = tolower((unsigned char)name[0]);
	for (int k = 0; k < w->n; k++) {
		const char *p = w->text + w->start[k];
		if (*p == first && strncasecmp(p, name, n) == 0 && !isalnum((unsigned char)p[n]))
			return 1;
	}
	return 0;
}

/* What the host said on its LAN: the class its own DHCP or LLDP words give, and the maker of
 * its network card. A maker of one class (a camera maker's card is in a camera) weighs as a
 * sysObjectID of theirs would; a maker of several lines half that (an HP card may be in a PC
 * as well as in a switch). The reasons name the class and vendors.conf's name, never the
 * LAN's text. */
static void weigh_lan(const struct profiles *ps, const struct cls_input *in,
		      struct cls_result *out, struct tally *t)
{
	const struct profile *said = in->lan_said ? profiles_find(ps, in->lan_said) : NULL;
	if (said && strcmp(said->name, "other") != 0)
		add(t, said->name, CLS_W_LAN_SAID, "on its LAN it says it is one of the %s (DHCP "
		    "or LLDP)", class_noun(said->name));
	if (!in->lan_vendor || !in->lan_vendor[0] || !ps->vendors)
		return;
	const struct cls_vendors *vs = ps->vendors;
	const struct cls_vendor *own = vendor_find(vs, out->enterprise);
	struct lan_words words;
	lan_words(&words, in->lan_vendor);
	int named = own && !own->agent; /* an agent's name (Net-SNMP) gives way to the maker's */
	for (size_t i = 0; i < vs->n; i++) {
		const struct cls_vendor *v = &vs->v[i];
		if (v->agent || !name_in(v->name, &words))
			continue;
		if (!named)
			snprintf(out->vendor, sizeof(out->vendor), "%s", v->name);
		for (int k = 0; k < v->nmakes; k++)
			add(t, v->makes[k].cls,
			    v->nmakes == 1 ? v->makes[k].weight : (v->makes[k].weight + 1) / 2,
			    "its network card is by %s (IEEE registry), who makes %s", v->name,
			    class_noun(v->makes[k].cls));
		return; /* one maker: a name listed under two numbers counts once */
	}
}

/* Copies the winner's reasons into out, heaviest first. */
static void keep_reasons(const struct tally *t, const char *cls, struct cls_result *out)
{
	int used[EVIDENCE_MAX] = {0};
	while (out->nwhy < CLS_WHY_MAX) {
		int best = -1;
		for (int i = 0; i < t->nev; i++)
			if (!used[i] && strcmp(t->ev[i].cls, cls) == 0 &&
			    (best < 0 || t->ev[i].weight > t->ev[best].weight))
				best = i;
		if (best < 0)
			return;
		used[best] = 1;
		snprintf(out->why[out->nwhy++], CLS_WHY_LEN, "%s", t->ev[best].text);
	}
}

/* The heaviest class wins (the first seen on a tie); too light a winner makes "other". */
static void decide(const struct tally *t, struct cls_result *out)
{
	int best = -1, second = 0;
	for (int i = 0; i < t->nc; i++) {
		if (best < 0 || t->score[i] > t->score[best]) {
			if (best >= 0)
				second = t->score[best];
			best = i;
		} else if (t->score[i] > second) {
			second = t->score[i];
		}
	}
	int score = best < 0 ? 0 : t->score[best];
	/* sure when the score is high and well ahead of the next class */
	out->confidence = score * 100 / (score + second + CLS_THRESHOLD);
	out->score = score;
	if (score >= CLS_THRESHOLD) {
		snprintf(out->cls, sizeof(out->cls), "%s", t->cls[best]);
		keep_reasons(t, t->cls[best], out);
		return;
	}
	snprintf(out->cls, sizeof(out->cls), "other");
	out->confidence = 100 - out->confidence; /* how sure it is none of the classes */
	if (best >= 0)
		snprintf(out->why[out->nwhy++], CLS_WHY_LEN, "too little evidence: %s %d < %d",
			 t->cls[best], score, CLS_THRESHOLD);
	else
		snprintf(out->why[out->nwhy++], CLS_WHY_LEN, "no rule matched");
}

void classify_input(const struct profiles *ps, const struct cls_input *in, struct cls_result *out)
{
	char oid[CLS_OID_TEXT], d[CLS_DESCR_SCAN + 1];
	struct tally t;
	memset(out, 0, sizeof(*out));
	t.nc = t.nev = 0;
	oid[0] = '\0';
	const char *objectid = in ? in->objectid : NULL;
	int bad_oid = objectid && objectid[0] && oid_norm(objectid, oid, sizeof(oid)) < 0;
	descr_norm(in ? in->descr : NULL, d, sizeof(d));
	out->enterprise = oid[0] ? enterprise_of(oid) : 0;
	if (ps && in) {
		weigh_vendor(ps, out, &t);
		weigh_rules(ps, oid, d, in, &t);
		weigh_subtrees(ps, in, out, &t);
		weigh_lan(ps, in, out, &t);
	}
	decide(&t, out);
	if (bad_oid && out->nwhy < CLS_WHY_MAX)
		snprintf(out->why[out->nwhy++], CLS_WHY_LEN, "sysObjectID is not a numeric OID");
	if (!strcmp(out->cls, "other") && out->vendor[0] && out->nwhy < CLS_WHY_MAX)
		snprintf(out->why[out->nwhy++], CLS_WHY_LEN, "vendor %lu (%s)", out->enterprise,
			 out->vendor);
}

void classify_device(const struct profiles *ps, const char *objectid, const char *descr,
		     const unsigned char *has, size_t nhas, struct cls_result *out)
{
	struct cls_answer ans[PROF_HAS_MAX];
	struct cls_input in = {objectid, descr, NULL, 0, NULL, 0, NULL, NULL};
	if (has) {
		in.nans = nhas < PROF_HAS_MAX ? nhas : PROF_HAS_MAX;
		for (size_t i = 0; i < in.nans; i++) {
			memset(&ans[i], 0, sizeof(ans[i]));
			ans[i].answered = has[i] != 0;
		}
		in.ans = ans;
	}
	classify_input(ps, &in, out);
}

int cls_names_no_maker(const struct profiles *ps, const char *objectid)
{
	char oid[CLS_OID_TEXT];
	if (!objectid || oid_norm(objectid, oid, sizeof(oid)) < 0)
		return 1;
	unsigned long ent = enterprise_of(oid);
	const struct cls_vendor *v = ps ? vendor_find(ps->vendors, ent) : NULL;
	return !ent || (v && v->agent);
}

const char *classify_why(const struct cls_result *r, char *buf, size_t n)
{
	size_t o = 0;
	if (!n)
		return buf;
	buf[0] = '\0';
	for (int i = 0; i < r->nwhy && o + 1 < n; i++) {
		int k = snprintf(buf + o, n - o, "%s%s", i ? "; " : "", r->why[i]);
		if (k < 0)
			break;
		o += (size_t)k < n - o ? (size_t)k : n - o - 1;
	}
	return buf;
}
