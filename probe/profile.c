#include "profile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "classify.h"
#include "enums.h"
#include "inifile.h"

#define MAX_FILES 256
#define MAX_GROUPS 64   /* per file */
#define MAX_METRICS 32  /* per group */
#define MAX_INCLUDES 16 /* per file */
#define MAX_DEPTH 8
#define MAX_PROFILE_GROUPS 128 /* with its includes */
#define MAX_RULES 512

const char *const if_role_names[IFR_COUNT] = {
	"descr",       "name",	       "alias",	    "type",	  "speed",
	"high_speed",  "admin",	       "oper",	    "in_octets",  "out_octets",
	"hc_in_octets", "hc_out_octets", "in_errors", "out_errors", "in_discards",
	"out_discards",
};

static const char *const type_names[] = {"gauge", "counter", "enum", "ticks", "string", "oid",
					  "hex"};

struct prof_file {
	char name[PROF_CLASS_MAX];
	char path[512];
	struct profile own; /* groups below, not own.groups */
	char ifmib[IFR_COUNT][64];
	char ifwhere[IFR_COUNT][96];
	struct prof_group *groups;
	size_t ngroups;
	char includes[MAX_INCLUDES][PROF_CLASS_MAX];
	size_t nincludes;
	int include_line;
};

struct reader {
	struct profiles *ps;
	struct prof_file *f;
	struct ini_file ini;
	struct prof_group *cur; /* section being read */
	int in_interfaces, in_profile, in_classify, skip_section;
	char section[96];
};

int prof_oid_parse(struct prof_oid *o, const char *s)
{
	o->len = 0;
	if (*s == '.')
		s++;
	while (*s) {
		if (!isdigit((unsigned char)*s) || o->len >= PROF_OID_MAX)
			return -1;
		char *end;
		errno = 0;
		unsigned long v = strtoul(s, &end, 10);
		if (errno || v > 4294967295UL)
			return -1;
		o->sub[o->len++] = v;
		s = end;
		if (*s == '.') {
			s++;
			if (!*s)
				return -1;
		} else if (*s) {
			return -1;
		}
	}
	return o->len >= 2 ? 0 : -1;
}

static int valid_ident(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= PROF_NAME_MAX || !islower((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int valid_class(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= PROF_CLASS_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return 1;
}

/* Splits "a b c" into at most max words (in place); returns the count. */
static size_t split_words(char *s, char **w, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

static int find_metric(const struct prof_group *g, const char *name)
{
	for (size_t i = 0; i < g->nm; i++)
		if (strcmp(g->m[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void err_at(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void err_at(struct reader *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(r->ini.errs, "%s:%d: %s", r->ini.path, r->ini.line, msg);
}

static void metric_key(struct reader *r, const char *key, const char *value)
{
	struct prof_group *g = r->cur;
	char buf[256], *w[5];
	if (!valid_ident(key)) {
		err_at(r, "%s: metric names are [a-z][a-z0-9_]*, under 20 bytes", key);
		return;
	}
	if (find_metric(g, key) >= 0) {
		err_at(r, "%s: defined twice in [%s]", key, r->section);
		return;
	}
	if (g->nm >= MAX_METRICS) {
		err_at(r, "%s: too many metrics in [%s]", key, r->section);
		return;
	}
	struct prof_metric m;
	memset(&m, 0, sizeof(m));
	snprintf(m.name, sizeof(m.name), "%s", key);
	snprintf(m.where, sizeof(m.where), "%.80s:%d", r->ini.path, r->ini.line);
	m.a = m.b = -1;
	snprintf(buf, sizeof(buf), "%s", value);
	const char *paren = strchr(buf, '(');
	if (paren) {
		/* percent(a, b) or product(a, b): operands are metrics defined above */
		char fn[16], a[PROF_NAME_MAX + 8], b[PROF_NAME_MAX + 8];
		char tail;
		if (sscanf(buf, " %15[a-z] ( %27[a-z0-9_] , %27[a-z0-9_] ) %c", fn, a, b, &tail) != 3) {
			err_at(r, "%s: expected percent(A, B) or product(A, B), got \"%.60s\"", key,
			       value);
			return;
		}
		if (strcmp(fn, "percent") == 0)
			m.type = PM_PERCENT;
		else if (strcmp(fn, "product") == 0)
			m.type = PM_PRODUCT;
		else {
			err_at(r, "%s: unknown function %s (percent, product)", key, fn);
			return;
		}
		m.a = find_metric(g, a);
		m.b = find_metric(g, b);
		if (m.a < 0 || m.b < 0) {
			err_at(r, "%s: %s is not a metric defined above in this section", key,
			       m.a < 0 ? a : b);
			return;
		}
		for (int k = 0; k < 2; k++) {
			enum pm_type t = g->m[k ? m.b : m.a].type;
			if (t == PM_STRING || t == PM_OID || t == PM_HEX) {
				err_at(r, "%s: %s is not numeric", key, g->m[k ? m.b : m.a].name);
				return;
			}
		}
	} else {
		size_t n = split_words(buf, w, 4);
		if (n != 3) {
			err_at(r, "%s: expected MIB-NAME OID TYPE, got \"%.60s\"", key, value);
			return;
		}
		snprintf(m.mib, sizeof(m.mib), "%s", w[0]);
		if (prof_oid_parse(&m.oid, w[1]) < 0) {
			err_at(r, "%s: \"%.60s\" is not a numeric OID", key, w[1]);
			return;
		}
		size_t t;
		for (t = 0; t < sizeof(type_names) / sizeof(type_names[0]); t++)
			if (strcmp(w[2], type_names[t]) == 0)
				break;
		if (t == sizeof(type_names) / sizeof(type_names[0])) {
			err_at(r, "%s: unknown type \"%.40s\" (gauge counter enum ticks string oid hex)",
			       key, w[2]);
			return;
		}
		m.type = (enum pm_type)t;
	}
	g->m[g->nm++] = m;
}

static void table_option(struct reader *r, const char *key, const char *value)
{
	struct prof_group *g = r->cur;
	if (strcmp(key, "label") == 0) {
		g->label = find_metric(g, value);
		if (g->label < 0 || g->m[g->label].type != PM_STRING) {
			err_at(r, "label: %s is not a string metric defined above in [%s]", value,
			       r->section);
			g->label = -1;
		}
	} else if (strcmp(key, "max_rows") == 0) {
		char *end;
		long v = strtol(value, &end, 10);
		if (*end || v < 1 || v > 100000)
			err_at(r, "max_rows: expected 1..100000, got \"%.40s\"", value);
		else
			g->max_rows = (int)v;
	} else { /* keep */
		char buf[256], *w[17];
		if (g->keep_values) {
			/* one filter a table: a second would count its values on from the first's */
			err_at(r, "keep: given twice in [%s]", r->section);
			return;
		}
		snprintf(buf, sizeof(buf), "%s", value);
		size_t n = split_words(buf, w, 16);
		if (n < 2 || n > 16 || (g->keep = find_metric(g, w[0])) < 0) {
			err_at(r, "keep: expected METRIC VALUE [VALUE...] (a metric above, up to 15 "
				  "values), got \"%.60s\"", value);
			g->keep = -1;
			return;
		}
		g->keep_values = calloc(n - 1, sizeof(char *));
		if (!g->keep_values)
			return;
		for (size_t i = 1; i < n; i++)
			if ((g->keep_values[g->nkeep] = strdup(w[i])))
				g->nkeep++;
	}
}

/* rrd = no: shown, not stored (rows that come and go, such as alerts, would each make a file) */
static void group_rrd(struct reader *r, const char *value)
{
	if (strcmp(value, "yes") == 0)
		r->cur->nostore = 0;
	else if (strcmp(value, "no") == 0)
		r->cur->nostore = 1;
	else
		err_at(r, "rrd: expected yes or no, got \"%.40s\"", value);
}

static void interface_key(struct reader *r, const char *key, const char *value)
{
	char buf[256], *w[3];
	int role;
	for (role = 0; role < IFR_COUNT; role++)
		if (strcmp(key, if_role_names[role]) == 0)
			break;
	if (role == IFR_COUNT) {
		err_at(r, "%s: not an interface column the engine knows (see profiles/README.md)",
		       key);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", value);
	if (split_words(buf, w, 2) != 2 || prof_oid_parse(&r->f->own.ifcol[role], w[1]) < 0) {
		err_at(r, "%s: expected MIB-NAME NUMERIC-OID, got \"%.60s\"", key, value);
		r->f->own.ifcol[role].len = 0;
		return;
	}
	snprintf(r->f->ifmib[role], sizeof(r->f->ifmib[role]), "%s", w[0]);
	snprintf(r->f->ifwhere[role], sizeof(r->f->ifwhere[role]), "%.80s:%d", r->ini.path,
		 r->ini.line);
}

static void profile_key(struct reader *r, const char *key, const char *value)
{
	struct prof_file *f = r->f;
	if (strcmp(key, "include") == 0) {
		char buf[512];
		snprintf(buf, sizeof(buf), "%s", value);
		char *save = NULL;
		f->include_line = r->ini.line;
		for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
			if (!valid_class(t) || f->nincludes >= MAX_INCLUDES) {
				err_at(r, "include: \"%.40s\" is not a profile name (or too many)", t);
				continue;
			}
			snprintf(f->includes[f->nincludes++], PROF_CLASS_MAX, "%s", t);
		}
	} else if (strcmp(key, "max_repetitions") == 0) {
		char *end;
		long v = strtol(value, &end, 10);
		if (*end || v < 1 || v > 100)
			err_at(r, "max_repetitions: expected 1..100, got \"%.40s\"", value);
		else
			f->own.max_reps = (int)v;
	} else {
		err_at(r, "%s: unknown key in [profile] (include, max_repetitions)", key);
	}
}

/* The slot of oid in ps->has, added when new; -1 when the table is full. */
static int has_slot(struct reader *r, const char *key, const struct prof_oid *oid)
{
	struct profiles *ps = r->ps;
	size_t i;
	for (i = 0; i < ps->nhas; i++)
		if (ps->has[i].len == oid->len &&
		    memcmp(ps->has[i].sub, oid->sub, oid->len * sizeof(unsigned long)) == 0)
			return (int)i;
	if (ps->nhas >= PROF_HAS_MAX) {
		err_at(r, "%s: more than %d distinct OIDs in `has` and `value` tests", key,
		       PROF_HAS_MAX);
		return -1;
	}
	ps->has[ps->nhas++] = *oid;
	return (int)i;
}

static int parse_has(struct reader *r, struct class_rule *cr, const char *key, const char *value,
		     const char *arg)
{
	char buf[256], *w[3];
	snprintf(buf, sizeof(buf), "%s", arg);
	if (split_words(buf, w, 2) != 2 || prof_oid_parse(&cr->oid, w[1]) < 0) {
		err_at(r, "%s: expected has MIB-NAME OID, got \"%.60s\"", key, value);
		return -1;
	}
	cr->kind = RULE_HAS;
	snprintf(cr->text, sizeof(cr->text), "%s", w[0]);
	return (cr->has_slot = has_slot(r, key, &cr->oid)) < 0 ? -1 : 0;
}

/* One condition from w[0..]: MIB-NAME OID OP [VALUE]; returns the words used, or -1. */
static int parse_cond(struct reader *r, const char *key, struct cls_cond *c,
		      struct prof_oid *oid, char **w, size_t n)
{
	char err[160];
	if (n < 3) {
		err_at(r, "%s: value: expected MIB-NAME OID OP [VALUE] [and ...]", key);
		return -1;
	}
	if (strlen(w[0]) >= sizeof(c->mib) || prof_oid_parse(oid, w[1]) < 0) {
		err_at(r, "%s: value: \"%.40s %.60s\" is not MIB-NAME NUMERIC-OID", key, w[0], w[1]);
		return -1;
	}
	snprintf(c->mib, sizeof(c->mib), "%s", w[0]);
	int takes = strcmp(w[2], "nonzero") != 0; /* every other operator takes a value */
	const char *v = takes && n > 3 && strcmp(w[3], "and") != 0 ? w[3] : NULL;
	if (cls_cond_parse(c, w[2], v, err, sizeof(err)) < 0) {
		err_at(r, "%s: value: %s: %s", key, c->mib, err);
		return -1;
	}
	return v ? 4 : 3;
}

/* value COND [and COND]...: all must hold. */
static int parse_value_rule(struct reader *r, struct class_rule *cr, const char *key,
			    const char *arg)
{
	/* each condition is at most 4 words, joined by "and": one more tells too many */
	char buf[512], *w[5 * CLS_COND_MAX];
	const size_t max = sizeof(w) / sizeof(w[0]) - 1;
	snprintf(buf, sizeof(buf), "%s", arg);
	size_t n = split_words(buf, w, max), i = 0;
	if (n > max) {
		err_at(r, "%s: value: at most %d conditions", key, CLS_COND_MAX);
		return -1;
	}
	struct prof_oid oids[CLS_COND_MAX];
	cr->kind = RULE_VALUE;
	for (;;) {
		if (cr->ncond == CLS_COND_MAX) {
			err_at(r, "%s: value: at most %d conditions", key, CLS_COND_MAX);
			return -1;
		}
		int used = parse_cond(r, key, &cr->cond[cr->ncond], &oids[cr->ncond], w + i, n - i);
		if (used < 0)
			return -1;
		cr->ncond++;
		i += (size_t)used;
		if (i == n)
			break;
		if (strcmp(w[i], "and") != 0 || ++i == n) {
			err_at(r, "%s: value: expected \"and\" and a condition after %s, got \"%.30s\"",
			       key, cr->cond[cr->ncond - 1].mib, i < n ? w[i] : "");
			return -1;
		}
	}
	/* asked only once the whole rule is right: a wrong line costs no varbind */
	for (int k = 0; k < cr->ncond; k++)
		if ((cr->cond[k].slot = has_slot(r, key, &oids[k])) < 0)
			return -1;
	snprintf(cr->text, sizeof(cr->text), "%s", cr->cond[0].mib);
	return 0;
}

static void classify_key(struct reader *r, const char *key, const char *value)
{
	struct profiles *ps = r->ps;
	if (!valid_class(key)) {
		err_at(r, "%s: not a class name", key);
		return;
	}
	if (ps->nrules >= MAX_RULES) {
		err_at(r, "%s: more than 512 rules", key);
		return;
	}
	struct class_rule cr;
	memset(&cr, 0, sizeof(cr));
	snprintf(cr.cls, sizeof(cr.cls), "%s", key);
	snprintf(cr.where, sizeof(cr.where), "%.80s:%d", r->ini.path, r->ini.line);
	/* an optional leading weight (1..100); lines from before weights weigh 10 */
	cr.weight = 10;
	if (isdigit((unsigned char)*value)) {
		char *end;
		long w = strtol(value, &end, 10);
		if (w < 1 || w > 100 || (*end != ' ' && *end != '\t')) {
			err_at(r, "%s: weight \"%.20s\" is not 1..100", key, value);
			return;
		}
		cr.weight = (int)w;
		value = end + strspn(end, " \t");
	}
	const char *sp = strpbrk(value, " \t");
	size_t kl = sp ? (size_t)(sp - value) : strlen(value);
	const char *arg = sp ? sp + strspn(sp, " \t") : "";
	if (!*arg) {
		err_at(r, "%s: expected objectid PREFIX, descr TEXT, has MIB-NAME OID or value "
			  "MIB-NAME OID OP [VALUE], got \"%.60s\"", key, value);
		return;
	}
	if (kl == 8 && strncmp(value, "objectid", 8) == 0) {
		struct prof_oid tmp;
		char num[128];
		snprintf(num, sizeof(num), "%s", arg);
		size_t n = strlen(num);
		if (n && num[n - 1] == '.')
			num[n - 1] = '\0';
		if (prof_oid_parse(&tmp, num) < 0) {
			err_at(r, "%s: objectid \"%.60s\" is not a numeric OID", key, arg);
			return;
		}
		cr.kind = RULE_OBJECTID;
		snprintf(cr.text, sizeof(cr.text), "%s", arg[0] == '.' ? arg + 1 : arg);
	} else if ((kl == 5 && strncmp(value, "descr", 5) == 0) ||
		   (kl == 4 && strncmp(value, "word", 4) == 0)) {
		cr.kind = RULE_DESCR;
		cr.word = kl == 4;
		snprintf(cr.text, sizeof(cr.text), "%s", arg);
		size_t n = strlen(cr.text);
		if (cr.word && n > 1 && cr.text[n - 1] == '*')
			cr.prefix = 1;
		/* lower case as classify.c lowers sysDescr: ASCII letters only */
		for (size_t i = 0; i < n - (size_t)cr.prefix; i++) {
			char c = cr.text[i];
			cr.lc[i] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
		}
	} else if (kl == 3 && strncmp(value, "has", 3) == 0) {
		if (parse_has(r, &cr, key, value, arg) < 0)
			return;
	} else if (kl == 5 && strncmp(value, "value", 5) == 0) {
		if (parse_value_rule(r, &cr, key, arg) < 0)
			return;
	} else {
		err_at(r, "%s: unknown test \"%.40s\" (objectid, descr, word, has, value)", key, value);
		return;
	}
	ps->rules[ps->nrules++] = cr;
}

static void begin_section(struct reader *r, const char *section)
{
	snprintf(r->section, sizeof(r->section), "%s", section);
	r->cur = NULL;
	r->in_interfaces = r->in_profile = r->skip_section = 0;
	if (r->in_classify) {
		if (strcmp(section, "classify") != 0) {
			err_at(r, "[%s]: classify.conf holds one section, [classify]", section);
			r->skip_section = 1;
		}
		return;
	}
	if (strcmp(section, "profile") == 0) {
		r->in_profile = 1;
		return;
	}
	if (strcmp(section, "interfaces") == 0) {
		r->in_interfaces = 1;
		return;
	}
	int table = strncmp(section, "table ", 6) == 0;
	if (!table && strncmp(section, "scalars ", 8) != 0) {
		err_at(r, "[%s]: unknown section (profile, interfaces, scalars NAME, table NAME)",
		       section);
		r->skip_section = 1;
		return;
	}
	const char *name = section + (table ? 6 : 8);
	struct prof_file *f = r->f;
	/* system, if: the collector's own files; icmp, http: the probe's checks */
	if (!valid_ident(name) || f->ngroups >= MAX_GROUPS || !strcmp(name, "system") ||
	    !strcmp(name, "if") || !strcmp(name, "icmp") || !strcmp(name, "http")) {
		err_at(r, "[%s]: group names are [a-z][a-z0-9_]*, under 20 bytes, not system, if, "
		       "icmp or http",
		       section);
		r->skip_section = 1;
		return;
	}
	for (size_t i = 0; i < f->ngroups; i++)
		if (strcmp(f->groups[i].name, name) == 0) {
			err_at(r, "[%s]: group defined twice in this file", section);
			r->skip_section = 1;
			return;
		}
	struct prof_group *g = &f->groups[f->ngroups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->table = table;
	g->label = g->keep = -1;
	snprintf(g->where, sizeof(g->where), "%.80s:%d", r->ini.path, r->ini.line);
	g->m = calloc(MAX_METRICS, sizeof(*g->m));
	if (!g->m) {
		f->ngroups--;
		r->skip_section = 1;
		return;
	}
	r->cur = g;
}

static int handler(void *ctx, const char *section, const char *key, const char *value)
{
	struct reader *r = ctx;
	if (strcmp(section, r->section) != 0)
		begin_section(r, section);
	if (r->skip_section)
		return 1;
	if (r->in_classify)
		classify_key(r, key, value);
	else if (r->in_profile)
		profile_key(r, key, value);
	else if (r->in_interfaces)
		interface_key(r, key, value);
	else if (!strcmp(key, "rrd"))
		group_rrd(r, value);
	else if (!r->cur->table && (!strcmp(key, "label") || !strcmp(key, "keep") ||
				    !strcmp(key, "max_rows")))
		err_at(r, "%s: only tables take this option [%s]", key, section);
	else if (!strcmp(key, "label") || !strcmp(key, "keep") || !strcmp(key, "max_rows"))
		table_option(r, key, value);
	else
		metric_key(r, key, value);
	return 1;
}

static int read_file(struct profiles *ps, struct prof_file *f, int classify,
		     struct errlist *errs)
{
	struct reader r;
	memset(&r, 0, sizeof(r));
	r.ps = ps;
	r.f = f;
	r.in_classify = classify;
	r.section[0] = '\1'; /* no section yet: the first key starts one */
	if (f) {
		f->groups = calloc(MAX_GROUPS, sizeof(*f->groups));
		if (!f->groups)
			return -1;
	}
	return ini_file_parse(&r.ini, classify ? ps->dir : f->path, errs, handler, &r);
}

static struct prof_file *file_by_name(struct profiles *ps, const char *name)
{
	for (size_t i = 0; i < ps->nfiles; i++)
		if (strcmp(ps->files[i].name, name) == 0)
			return &ps->files[i];
	return NULL;
}

struct merge_state {
	struct prof_file *stack[MAX_DEPTH];
	struct prof_file *done[MAX_FILES]; /* a fragment reached twice (a diamond) counts once */
	size_t ndone;
};

/* Adds f's groups and columns (and its includes', depth first) to p. */
static void merge(struct profiles *ps, struct profile *p, struct prof_file *f, int depth,
		  struct merge_state *ms, struct errlist *errs)
{
	for (int i = 0; i < depth; i++)
		if (ms->stack[i] == f) {
			errlist_add(errs, "%s:%d: include: %s includes itself", ms->stack[i]->path,
				    ms->stack[i]->include_line, f->name);
			return;
		}
	for (size_t i = 0; i < ms->ndone; i++)
		if (ms->done[i] == f)
			return;
	if (depth >= MAX_DEPTH) {
		errlist_add(errs, "%s:%d: include: nested deeper than %d", f->path, f->include_line,
			    MAX_DEPTH);
		return;
	}
	ms->stack[depth] = f;
	ms->done[ms->ndone++] = f;
	if (!p->max_reps)
		p->max_reps = f->own.max_reps;
	for (int c = 0; c < IFR_COUNT; c++)
		if (f->own.ifcol[c].len && !p->ifcol[c].len) {
			p->ifcol[c] = f->own.ifcol[c];
			p->ifmib[c] = f->ifmib[c];
			p->ifwhere[c] = f->ifwhere[c];
		}
	for (size_t g = 0; g < f->ngroups; g++) {
		int dup = 0;
		for (size_t k = 0; k < p->ngroups; k++)
			if (strcmp(p->groups[k]->name, f->groups[g].name) == 0)
				dup = 1;
		if (dup) {
			errlist_add(errs, "%s: group %s is also defined by another file of profile %s",
				    f->groups[g].where, f->groups[g].name, p->name);
			continue;
		}
		if (p->ngroups == MAX_PROFILE_GROUPS) {
			errlist_add(errs, "%s: profile %s has more than %d groups", f->groups[g].where,
				    p->name, MAX_PROFILE_GROUPS);
			return;
		}
		p->groups[p->ngroups++] = &f->groups[g];
	}
	for (size_t i = 0; i < f->nincludes; i++) {
		struct prof_file *inc = file_by_name(ps, f->includes[i]);
		if (!inc) {
			errlist_add(errs, "%s:%d: include: no profile %s in %s", f->path,
				    f->include_line, f->includes[i], ps->dir);
			continue;
		}
		merge(ps, p, inc, depth + 1, ms, errs);
	}
}

/* Each enum metric of f gets its section of enums.conf, which it must have (its numbers would
 * reach people bare); an oid metric gets one if there is one (hrDeviceType's identities). */
static void attach_enums(struct profiles *ps, struct prof_file *f, struct errlist *errs)
{
	for (size_t g = 0; g < f->ngroups; g++)
		for (size_t k = 0; k < f->groups[g].nm; k++) {
			struct prof_metric *m = &f->groups[g].m[k];
			if (m->type != PM_ENUM && m->type != PM_OID)
				continue;
			const struct enum_map *en = enums_find(ps->enums, m->mib);
			if (en && !en->n) /* every line of it was wrong (and said so): none */
				en = NULL;
			if (!en && m->type == PM_ENUM)
				errlist_add(errs, "%s: %s: %s is an enum but %s/enums.conf has no "
					    "[%s] (its labels: tools/mkenums, profiles/README.md)",
					    m->where, m->name, m->mib, ps->dir, m->mib);
			else if (en && en->oid_keyed != (m->type == PM_OID))
				errlist_add(errs, "%s: %s: %s is %s but [%s] of enums.conf (%s) lists %s",
					    m->where, m->name, m->mib,
					    m->type == PM_OID ? "an oid" : "an enum", m->mib, en->where,
					    en->oid_keyed ? "OIDs" : "numbers");
			else
				m->en = en;
		}
}

/* An OID a value test compares with gets its enums.conf name for the reasons
 * ("hrDeviceType = hrDevicePrinter"): enums.conf is read after classify.conf. */
static void name_rule_values(struct profiles *ps)
{
	for (size_t i = 0; i < ps->nrules; i++)
		for (int k = 0; k < ps->rules[i].ncond; k++) {
			struct cls_cond *c = &ps->rules[i].cond[k];
			const struct enum_map *m = enums_find(ps->enums, c->mib);
			const char *l = c->vtype == CLS_V_OID && m ? enum_label_oid(m, c->text) : "";
			snprintf(c->label, sizeof(c->label), "%s", l);
		}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct profiles *profiles_load(const char *dir, struct errlist *errs)
{
	struct profiles *ps = calloc(1, sizeof(*ps));
	if (!ps)
		return NULL;
	ps->files = calloc(MAX_FILES, sizeof(*ps->files));
	ps->rules = calloc(MAX_RULES, sizeof(*ps->rules));
	ps->has = calloc(PROF_HAS_MAX, sizeof(*ps->has));
	if (!ps->files || !ps->rules || !ps->has) {
		profiles_free(ps);
		return NULL;
	}
	DIR *d = opendir(dir);
	if (!d) {
		errlist_add(errs, "%s: cannot read the profiles folder: %m", dir);
		return ps;
	}
	char *names[MAX_FILES];
	size_t nnames = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".conf") != 0 || e->d_name[0] == '.')
			continue;
		if (nnames == MAX_FILES) {
			errlist_add(errs, "%s: more than %d profiles; the rest are ignored", dir,
				    MAX_FILES);
			break;
		}
		if ((names[nnames] = strdup(e->d_name)))
			nnames++;
	}
	closedir(d);
	qsort(names, nnames, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < nnames; i++) {
		size_t n = strlen(names[i]) - 5;
		if (strcmp(names[i], "vendors.conf") == 0) {
			/* not a profile: the enterprise numbers classify.c weighs */
			snprintf(ps->dir, sizeof(ps->dir), "%s/%s", dir, names[i]);
			cls_vendors_free(ps->vendors);
			ps->vendors = cls_vendors_load(ps->dir, errs);
			free(names[i]);
			continue;
		}
		if (strcmp(names[i], "enums.conf") == 0) {
			/* not a profile: the named values of the profiles' enum metrics */
			snprintf(ps->dir, sizeof(ps->dir), "%s/%s", dir, names[i]);
			enums_free(ps->enums);
			ps->enums = enums_load(ps->dir, errs);
			free(names[i]);
			continue;
		}
		if (strcmp(names[i], "classify.conf") == 0) {
			snprintf(ps->dir, sizeof(ps->dir), "%s/%s", dir, names[i]);
			read_file(ps, NULL, 1, errs);
			free(names[i]);
			continue;
		}
		struct prof_file *f = &ps->files[ps->nfiles];
		if (n >= PROF_CLASS_MAX || (names[i][n] = '\0', !valid_class(names[i]))) {
			errlist_add(errs, "%s/%s.conf: profile names use A-Z a-z 0-9 - _ (under %d bytes)",
				    dir, names[i], PROF_CLASS_MAX);
			free(names[i]);
			continue;
		}
		snprintf(f->name, sizeof(f->name), "%s", names[i]);
		snprintf(f->path, sizeof(f->path), "%s/%s.conf", dir, names[i]);
		free(names[i]);
		ps->nfiles++;
		read_file(ps, f, 0, errs);
	}
	snprintf(ps->dir, sizeof(ps->dir), "%s", dir);
	ps->p = calloc(ps->nfiles ? ps->nfiles : 1, sizeof(*ps->p));
	if (!ps->p) {
		profiles_free(ps);
		return NULL;
	}
	for (size_t i = 0; i < ps->nfiles; i++) {
		struct profile *p = &ps->p[ps->np++];
		struct merge_state ms;
		ms.ndone = 0;
		snprintf(p->name, sizeof(p->name), "%s", ps->files[i].name);
		p->groups = calloc(MAX_PROFILE_GROUPS, sizeof(*p->groups));
		if (!p->groups)
			continue;
		merge(ps, p, &ps->files[i], 0, &ms, errs);
		if (!p->max_reps)
			p->max_reps = 10;
	}
	for (size_t i = 0; i < ps->nfiles; i++)
		attach_enums(ps, &ps->files[i], errs);
	if (!profiles_find(ps, "generic"))
		errlist_add(errs, "%s: no generic.conf (the profile of devices no rule classifies)",
			    dir);
	name_rule_values(ps);
	for (size_t i = 0; i < ps->nrules; i++)
		if (strcmp(ps->rules[i].cls, "other") != 0 && !file_by_name(ps, ps->rules[i].cls))
			errlist_add(errs, "%s: %s: no profile %s.conf for this class", ps->rules[i].where,
				    ps->rules[i].cls, ps->rules[i].cls);
	return ps;
}

void profiles_free(struct profiles *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; ps->files && i < ps->nfiles; i++) {
		struct prof_file *f = &ps->files[i];
		for (size_t g = 0; f->groups && g < f->ngroups; g++) {
			free(f->groups[g].m);
			for (size_t k = 0; k < f->groups[g].nkeep; k++)
				free(f->groups[g].keep_values[k]);
			free(f->groups[g].keep_values);
		}
		free(f->groups);
	}
	for (size_t i = 0; ps->p && i < ps->np; i++)
		free(ps->p[i].groups);
	free(ps->p);
	free(ps->files);
	free(ps->rules);
	free(ps->has);
	cls_vendors_free(ps->vendors);
	enums_free(ps->enums);
	free(ps);
}

const struct profile *profiles_find(const struct profiles *ps, const char *cls)
{
	const struct profile *generic = NULL;
	for (size_t i = 0; i < ps->np; i++) {
		if (cls && strcmp(ps->p[i].name, cls) == 0)
			return &ps->p[i];
		if (strcmp(ps->p[i].name, "generic") == 0)
			generic = &ps->p[i];
	}
	return generic;
}

const struct class_rule *profiles_classify(const struct profiles *ps, const char *objectid,
					   const char *descr, const unsigned char *has)
{
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct class_rule *r = &ps->rules[i];
		switch (r->kind) {
		case RULE_OBJECTID: {
			/* a prefix ends on an arc: 1.3.6.1.4.1.9 is not a prefix of 1.3.6.1.4.1.99 */
			size_t n = strlen(r->text);
			if (n && r->text[n - 1] == '.')
				n--;
			if (strncmp(objectid, r->text, n) == 0 &&
			    (objectid[n] == '\0' || objectid[n] == '.'))
				return r;
			break;
		}
		case RULE_DESCR:
			if (strcasestr(descr, r->word ? r->lc : r->text))
				return r;
			break;
		case RULE_HAS:
			if (has && has[r->has_slot])
				return r;
			break;
		case RULE_VALUE:
			break; /* needs the answers' values, which this comparison has not */
		}
	}
	return NULL;
}
