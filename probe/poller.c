#include "poller.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "identity.h"
#include "clock.h"
#include "enums.h"
#include "log.h"
#include "strbuf.h"
#include "v3discovery.h"

/* the longest OID SNMP carries (net-snmp refuses longer): a table row's whole index fits */
#define OID_MAX MAX_OID_LEN
#define GET_CHUNK 32       /* objects per GET: small enough for any agent's message size */
#define WALK_BUDGET 512    /* varbinds asked per GETBULK at most (columns x repetitions) */
#define MAX_WCOLS (IFR_COUNT + 64)
#define MAX_V3_KEYS 64

static const oid sys_base[][8] = {
	{1, 3, 6, 1, 2, 1, 1, 1}, /* sysDescr */
	{1, 3, 6, 1, 2, 1, 1, 2}, /* sysObjectID */
	{1, 3, 6, 1, 2, 1, 1, 5}, /* sysName */
	{1, 3, 6, 1, 2, 1, 1, 3}, /* sysUpTime */
};
enum { SV_DESCR, SV_OBJECTID, SV_NAME, SV_UPTIME, SV_COUNT };
static const char *const sys_names[SV_COUNT] = {"sysDescr", "sysObjectID", "sysName",
						"sysUpTime"};

enum phase { PH_DISCOVER, PH_SYS, PH_SCALARS, PH_WALK };

/* One object asked with GET / GETNEXT (system group, classification tests, scalars). */
struct item {
	const unsigned long *sub;
	size_t len;
	int kind; /* IT_SYS, IT_HAS, IT_SCALAR, IT_IDENT, IT_VENDOR */
	int a, b; /* sys index / has slot / (group state, metric) / identity object / probe */
	int done;
	int again; /* an identity row was empty: ask for the next one */
};
enum { IT_SYS, IT_HAS, IT_SCALAR, IT_IDENT, IT_VENDOR };

/* One walked column: an interface role or a table metric. */
#define COL_SHARE 4 /* groups reading one column (e.g. hrStorage as memory and as disks) */

struct wcol {
	const struct prof_oid *base;
	int role;      /* enum if_role, or -1 */
	int gs, metric; /* table column: group state and metric */
	int nmore, more_gs[COL_SHARE], more_metric[COL_SHARE]; /* other groups fed by it */
	oid cur[OID_MAX];
	size_t curlen;
	int done;
};

struct grow {
	oid *idx; /* owned; up to OID_MAX sub-identifiers, most rows need one or two */
	size_t idxlen;
	struct metric_val *vals; /* one per profile metric */
	uint32_t set;            /* bit per metric */
};

struct gstate {
	const struct prof_group *g;
	struct grow *rows;
	size_t nrows, cap;
	int stopped; /* row limit reached */
};

struct job {
	/* net-snmp 5.9 takes an async callback's magic for its synch_state when a report
	 * arrives and clears its first int ("waiting"): this field takes that write */
	int netsnmp_scratch;
	struct poller *p;
	struct poll_target t;
	const struct profile *prof;
	netsnmp_session *ss;
	struct job *next;
	enum phase phase;
	int done, parked;
	int max_reps;
	int requests;
	int reqid; /* of the request in flight: answers to earlier ones are stale */
	int probe_reqid; /* of the SNMPv3 engine-ID probe */
	struct timespec started, last;
	struct item *items;
	size_t nitems;
	int chunk[GET_CHUNK];
	int nchunk;
	struct cls_answer ans[PROF_HAS_MAX]; /* of the classification tests (ps->has) */
	unsigned long subtrees[CLS_PROBE_MAX]; /* vendors whose subtree answered */
	size_t nsubtrees;
	int cls_due;       /* -1 not decided yet; 1: classify on this poll (clsmem_due) */
	int vendors_asked; /* the vendor subtrees were asked */
	struct ident ident;
	unsigned long ident_cur[IDENT_OBJECTS][IDENT_SUB_MAX]; /* the row each object is at */
	int ident_rows[IDENT_OBJECTS];
	struct gstate *gs;
	size_t ngs;
	struct wcol *cols;
	size_t ncols;
	struct dev_sample s;
	size_t ifcap;
	unsigned char *hc_flags; /* per row: bit0 HC in seen, bit1 HC out seen, bit2 high speed */
	struct poll_memory own_mem; /* when the caller keeps none */
};

/* USM keys of one credential: generated once, passwords are slow to hash on purpose */
struct v3keys {
	const struct snmp_cred *cred;
	u_char auth[USM_AUTH_KU_LEN], priv[USM_PRIV_KU_LEN];
	size_t auth_len, priv_len;
	int ok;
};

struct poller {
	struct poller_opts o;
	poll_done_fn cb;
	void *ctx;
	struct job *jobs;
	int inflight, parked;
	int finished;                  /* jobs done and not yet reaped */
	double rtt_avg_ms;             /* of first answers, smoothed: sets when a poll is parked */
	struct timespec last_scan, last_timeout;
	struct poller_stats st;
	struct v3keys keys[MAX_V3_KEYS];
	size_t nkeys;
};

void poller_lib_quiet(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	/* with no log handler on, net-snmp prints to stderr (its MIB parser's complaints about
	 * the system's MIB files: hundreds of lines), and announces on stderr the first handler
	 * turned on after that: one that drops everything, on before anything is logged */
	snmp_disable_log();
	netsnmp_register_loghandler(NETSNMP_LOGHANDLER_NONE, LOG_EMERG);
}

void poller_lib_init(const char *appname)
{
	/* Profiles carry numeric OIDs: no MIB files are needed, and none are read. */
	setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_QUICK_PRINT, 1);
	poller_lib_quiet();
	init_snmp(appname);
}

void poller_lib_shutdown(const char *appname) { snmp_shutdown(appname); }

struct poller *poller_new(const struct poller_opts *o, poll_done_fn cb, void *ctx)
{
	struct poller *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->o = *o;
	p->rtt_avg_ms = 20;
	p->cb = cb;
	p->ctx = ctx;
	return p;
}

static void job_free(struct job *j)
{
	if (j->ss)
		snmp_close(j->ss);
	for (size_t g = 0; g < j->ngs; g++) {
		for (size_t r = 0; r < j->gs[g].nrows; r++) {
			free(j->gs[g].rows[r].idx);
			free(j->gs[g].rows[r].vals);
		}
		free(j->gs[g].rows);
	}
	free(j->gs);
	free(j->cols);
	free(j->items);
	dev_sample_free(&j->s);
	free(j->hc_flags);
	free(j);
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	while (p->jobs) {
		struct job *j = p->jobs;
		p->jobs = j->next;
		job_free(j);
	}
	free(p);
}

int poller_inflight(const struct poller *p) { return p->inflight; }
int poller_active(const struct poller *p) { return p->inflight - p->parked; }
const struct poller_stats *poller_stats(const struct poller *p) { return &p->st; }

static void bad_value(struct job *j, const char *object, const char *why)
{
	j->p->st.bad_values++;
	if (j->s.bad_values++ == 0)
		snprintf(j->s.bad_first, sizeof(j->s.bad_first), "%s: %s", object, why);
	log_debug("poll", "%s/%s (%s): bad value of %s: %s", j->t.commune, j->t.device, j->t.host,
		  object, why);
}

static void copy_string(char *dst, size_t dstsz, const netsnmp_variable_list *v)
{
	/* many agents count a C string's terminating NUL (or padding) in the length */
	size_t n = v->val_len;
	while (n > 0 && v->val.string[n - 1] == '\0')
		n--;
	utf8_sanitize(dst, dstsz, (const char *)v->val.string, n);
}

static void format_oid(char *dst, size_t dstsz, const oid *o, size_t len)
{
	size_t off = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < len && off < dstsz; i++) {
		int n = snprintf(dst + off, dstsz - off, "%s%lu", i ? "." : "", (unsigned long)o[i]);
		if (n < 0 || (size_t)n >= dstsz - off) {
			dst[off] = '\0';
			return;
		}
		off += (size_t)n;
	}
}

static int is_exception(const netsnmp_variable_list *v)
{
	return v->type == SNMP_NOSUCHOBJECT || v->type == SNMP_NOSUCHINSTANCE ||
	       v->type == SNMP_ENDOFMIBVIEW;
}

static int oid_has_prefix(const oid *name, size_t len, const unsigned long *pre, size_t plen)
{
	if (len < plen)
		return 0;
	for (size_t i = 0; i < plen; i++)
		if (name[i] != pre[i])
			return 0;
	return 1;
}

/* --- the sample being assembled --- */

static void finish(struct job *j, const char *error);

/* Rows of the interface table, kept sorted by ifIndex. NULL when the cap is hit. */
static struct if_sample *if_row(struct job *j, uint32_t idx, size_t *pos)
{
	size_t lo = 0, hi = j->s.nifs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (j->s.ifs[mid].index < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	if (lo < j->s.nifs && j->s.ifs[lo].index == idx)
		return &j->s.ifs[lo];
	if (j->s.nifs >= (size_t)j->p->o.max_rows)
		return NULL;
	if (j->s.nifs == j->ifcap) {
		size_t ncap = j->ifcap ? j->ifcap * 2 : 16;
		struct if_sample *n = realloc(j->s.ifs, ncap * sizeof(*n));
		if (!n)
			return NULL;
		j->s.ifs = n;
		unsigned char *f = realloc(j->hc_flags, ncap);
		if (!f)
			return NULL;
		j->hc_flags = f;
		j->ifcap = ncap;
	}
	size_t tail = j->s.nifs - lo;
	memmove(&j->s.ifs[lo + 1], &j->s.ifs[lo], tail * sizeof(j->s.ifs[0]));
	memmove(&j->hc_flags[lo + 1], &j->hc_flags[lo], tail);
	memset(&j->s.ifs[lo], 0, sizeof(j->s.ifs[0]));
	j->s.ifs[lo].index = idx;
	j->hc_flags[lo] = 0;
	j->s.nifs++;
	return &j->s.ifs[lo];
}

/* An integer-like value in [min, max]; counters and gauges are unsigned 32-bit on the wire. */
static int int_value(struct job *j, const netsnmp_variable_list *v, const char *name, long min,
		     long max, long *out)
{
	if (v->type != ASN_INTEGER && v->type != ASN_GAUGE && v->type != ASN_COUNTER &&
	    v->type != ASN_UNSIGNED && v->type != ASN_TIMETICKS) {
		bad_value(j, name, "wrong type");
		return -1;
	}
	long x = *v->val.integer;
	if (v->type != ASN_INTEGER)
		x = (long)(unsigned long)(uint32_t)x;
	if (x < min || x > max) {
		bad_value(j, name, "out of range");
		return -1;
	}
	*out = x;
	return 0;
}

static uint64_t c64(const netsnmp_variable_list *v)
{
	return ((uint64_t)v->val.counter64->high << 32) | v->val.counter64->low;
}

static void take_if_value(struct job *j, int role, uint32_t idx, const netsnmp_variable_list *v)
{
	size_t pos;
	struct if_sample *f = if_row(j, idx, &pos);
	const char *name = j->prof->ifmib[role] ? j->prof->ifmib[role] : if_role_names[role];
	long x;
	if (!f)
		return;
	switch (role) {
	case IFR_DESCR:
	case IFR_NAME:
	case IFR_ALIAS:
		if (v->type != ASN_OCTET_STR)
			bad_value(j, name, "not a string");
		else if (role == IFR_DESCR)
			copy_string(f->descr, sizeof(f->descr), v);
		else if (role == IFR_NAME)
			copy_string(f->name, sizeof(f->name), v);
		else
			copy_string(f->alias, sizeof(f->alias), v);
		break;
	case IFR_TYPE:
		if (int_value(j, v, name, 1, 65535, &x) == 0) {
			f->type = (int)x;
			f->has |= IFF_TYPE;
		}
		break;
	case IFR_ADMIN:
	case IFR_OPER:
		if (int_value(j, v, name, 1, role == IFR_ADMIN ? 3 : 7, &x) == 0) {
			*(role == IFR_ADMIN ? &f->admin : &f->oper) = (int)x;
			f->has |= role == IFR_ADMIN ? IFF_ADMIN : IFF_OPER;
		}
		break;
	case IFR_SPEED:
		if (int_value(j, v, name, 0, 4294967295L, &x) == 0 && !(j->hc_flags[pos] & 4)) {
			f->speed = (uint64_t)x;
			f->has |= IFF_SPEED;
		}
		break;
	case IFR_HIGH_SPEED:
		/* ifHighSpeed (Mb/s) wins when ifSpeed saturates at 2^32-1 (RFC 2863) */
		if (int_value(j, v, name, 0, 4294967295L, &x) == 0 && x > 0 &&
		    (!(f->has & IFF_SPEED) || f->speed >= 4294967295ULL)) {
			f->speed = (uint64_t)x * 1000000ULL;
			f->has |= IFF_SPEED;
			j->hc_flags[pos] |= 4;
		}
		break;
	case IFR_IN_OCTETS:
	case IFR_OUT_OCTETS:
		/* the 32-bit counter only when no 64-bit one came for this row */
		if (j->hc_flags[pos] & (role == IFR_IN_OCTETS ? 1 : 2))
			break;
		/* an attribute: clang does not take a comment as marking the fall-through */
		__attribute__((fallthrough));
	case IFR_IN_ERRORS:
	case IFR_OUT_ERRORS:
	case IFR_IN_DISCARDS:
	case IFR_OUT_DISCARDS: {
		if (int_value(j, v, name, 0, 4294967295L, &x) < 0)
			break;
		static const struct { int role; unsigned bit; size_t off; } dst[] = {
			{IFR_IN_OCTETS, IFF_IN_OCTETS, offsetof(struct if_sample, in_octets)},
			{IFR_OUT_OCTETS, IFF_OUT_OCTETS, offsetof(struct if_sample, out_octets)},
			{IFR_IN_ERRORS, IFF_IN_ERRORS, offsetof(struct if_sample, in_errors)},
			{IFR_OUT_ERRORS, IFF_OUT_ERRORS, offsetof(struct if_sample, out_errors)},
			{IFR_IN_DISCARDS, IFF_IN_DISCARDS, offsetof(struct if_sample, in_discards)},
			{IFR_OUT_DISCARDS, IFF_OUT_DISCARDS, offsetof(struct if_sample, out_discards)},
		};
		for (size_t k = 0; k < sizeof(dst) / sizeof(dst[0]); k++)
			if (dst[k].role == role) {
				*(uint64_t *)(void *)((char *)f + dst[k].off) = (uint64_t)x;
				f->has |= dst[k].bit;
			}
		break;
	}
	case IFR_HC_IN_OCTETS:
	case IFR_HC_OUT_OCTETS:
		if (v->type != ASN_COUNTER64) {
			bad_value(j, name, "not a Counter64");
			break;
		}
		if (role == IFR_HC_IN_OCTETS) {
			f->in_octets = c64(v);
			f->has |= IFF_IN_OCTETS;
			j->hc_flags[pos] |= 1;
		} else {
			f->out_octets = c64(v);
			f->has |= IFF_OUT_OCTETS;
			j->hc_flags[pos] |= 2;
		}
		/* both directions 64-bit: the stored rate may use the full range */
		if ((j->hc_flags[pos] & 3) == 3)
			f->has |= IFF_HC;
		break;
	default:
		break;
	}
}

/* Converts an agent's value to a profile metric's kind; -1 (counted, named) when it does not fit. */
static int take_metric(struct job *j, const struct prof_metric *m, const netsnmp_variable_list *v,
		       struct metric_val *out)
{
	/* names are checked at load to fit; the text is set only for texts */
	memcpy(out->name, m->name, sizeof(out->name));
	out->gauge = 0;
	out->counter = 0;
	out->text[0] = '\0';
	switch (m->type) {
	case PM_GAUGE:
	case PM_ENUM:
		out->kind = MV_GAUGE;
		if (v->type == ASN_INTEGER) {
			out->gauge = (double)*v->val.integer;
		} else if (v->type == ASN_GAUGE || v->type == ASN_COUNTER || v->type == ASN_UNSIGNED) {
			out->gauge = (double)(uint32_t)*v->val.integer;
		} else if (v->type == ASN_COUNTER64) {
			out->gauge = (double)c64(v);
		} else {
			bad_value(j, m->mib, "not a number");
			return -1;
		}
		return 0;
	case PM_TICKS:
		if (v->type != ASN_TIMETICKS) {
			bad_value(j, m->mib, "not TimeTicks");
			return -1;
		}
		out->kind = MV_GAUGE;
		out->gauge = (double)(uint32_t)*v->val.integer / 100.0;
		return 0;
	case PM_COUNTER:
		out->kind = MV_COUNTER;
		if (v->type == ASN_COUNTER64) {
			out->counter = c64(v);
		} else if (v->type == ASN_COUNTER || v->type == ASN_GAUGE ||
			   v->type == ASN_UNSIGNED) {
			out->counter = (uint32_t)*v->val.integer;
		} else {
			bad_value(j, m->mib, "not a counter");
			return -1;
		}
		return 0;
	case PM_STRING:
		if (v->type != ASN_OCTET_STR) {
			bad_value(j, m->mib, "not a string");
			return -1;
		}
		out->kind = MV_TEXT;
		copy_string(out->text, sizeof(out->text), v);
		return 0;
	case PM_HEX:
		if (v->type != ASN_OCTET_STR) {
			bad_value(j, m->mib, "not a string");
			return -1;
		}
		/* bytes, not text (a chassis MAC): no NUL trimmed, nothing replaced. A value longer
		 * than the text holds (63 bytes) arrives cut, and a reader checking the length of a
		 * MAC or an address sees it does not fit */
		out->kind = MV_TEXT;
		hex_encode(out->text, sizeof(out->text), v->val.string, v->val_len);
		return 0;
	case PM_OID:
		if (v->type != ASN_OBJECT_ID) {
			bad_value(j, m->mib, "not an OID");
			return -1;
		}
		out->kind = MV_TEXT;
		format_oid(out->text, sizeof(out->text), v->val.objid, v->val_len / sizeof(oid));
		return 0;
	case PM_PERCENT:
	case PM_PRODUCT:
		break;
	}
	return -1;
}

/* The row of group state gs with index idx (rows come in index order: search from the end). */
static struct grow *g_row(struct job *j, struct gstate *gs, const oid *idx, size_t idxlen)
{
	for (size_t k = gs->nrows; k-- > 0;) {
		int c = snmp_oid_compare(gs->rows[k].idx, gs->rows[k].idxlen, idx, idxlen);
		if (c == 0)
			return &gs->rows[k];
		if (c < 0)
			break;
	}
	int limit = gs->g->max_rows ? gs->g->max_rows : j->p->o.max_rows;
	/* idxlen is below OID_MAX: walk_response stops a column at a longer name */
	if (gs->nrows >= (size_t)limit) {
		if (!gs->stopped) {
			gs->stopped = 1;
			j->p->st.walks_stopped++;
			log_warnx("poll", "%s/%s (%s): table %s longer than %d rows; rest ignored",
				  j->t.commune, j->t.device, j->t.host, gs->g->name, limit);
		}
		return NULL;
	}
	if (gs->nrows == gs->cap) {
		size_t ncap = gs->cap ? gs->cap * 2 : 8;
		struct grow *n = realloc(gs->rows, ncap * sizeof(*n));
		if (!n)
			return NULL;
		gs->rows = n;
		gs->cap = ncap;
	}
	/* keep the rows sorted: an agent may answer columns in any row order */
	size_t pos = gs->nrows;
	while (pos > 0 && snmp_oid_compare(gs->rows[pos - 1].idx, gs->rows[pos - 1].idxlen, idx,
					   idxlen) > 0)
		pos--;
	struct metric_val *vals = calloc(gs->g->nm, sizeof(*vals));
	oid *copy = malloc((idxlen ? idxlen : 1) * sizeof(oid));
	if (!vals || !copy) {
		free(vals);
		free(copy);
		return NULL;
	}
	memmove(&gs->rows[pos + 1], &gs->rows[pos], (gs->nrows - pos) * sizeof(gs->rows[0]));
	struct grow *r = &gs->rows[pos];
	memset(r, 0, sizeof(*r));
	if (idxlen)
		memcpy(copy, idx, idxlen * sizeof(oid));
	r->idx = copy;
	r->idxlen = idxlen;
	r->vals = vals;
	gs->nrows++;
	return r;
}

static void metric_text(const struct metric_val *v, char *buf, size_t sz)
{
	if (v->kind == MV_TEXT)
		snprintf(buf, sz, "%s", v->text);
	else if (v->kind == MV_COUNTER)
		snprintf(buf, sz, "%llu", (unsigned long long)v->counter);
	else
		snprintf(buf, sz, "%.0f", v->gauge);
}

static double metric_num(const struct metric_val *v)
{
	return v->kind == MV_COUNTER ? (double)v->counter : v->gauge;
}

/* The row's metrics computed from two others (percent, product), where both were read. */
static void derive_metrics(struct job *j, const struct prof_group *pg, struct grow *row)
{
	for (size_t m = 0; m < pg->nm; m++) {
		const struct prof_metric *pm = &pg->m[m];
		if (pm->type != PM_PERCENT && pm->type != PM_PRODUCT)
			continue;
		uint32_t need = (1u << pm->a) | (1u << pm->b);
		if ((row->set & need) != need)
			continue;
		double a = metric_num(&row->vals[pm->a]), b = metric_num(&row->vals[pm->b]);
		struct metric_val *out = &row->vals[m];
		memset(out, 0, sizeof(*out));
		snprintf(out->name, sizeof(out->name), "%s", pm->name);
		out->kind = MV_GAUGE;
		if (pm->type == PM_PRODUCT) {
			out->gauge = a * b;
		} else {
			/* Printer-MIB: -1 other, -2 unknown, -3 "some remains": no percent */
			if (a < 0 || b <= 0)
				continue;
			if (a > b) {
				bad_value(j, pg->m[pm->a].mib, "above its maximum");
				a = b;
			}
			out->gauge = 100.0 * a / b;
		}
		row->set |= 1u << m;
	}
}

/* The labels of the row's enumerated values (enums.conf), before its values are compacted:
 * an enum's number, an oid's identity; "" for a value the section does not name. */
static void label_row(const struct prof_group *pg, const struct grow *row, struct group_row *out)
{
	size_t n = 0;
	for (size_t m = 0; m < pg->nm; m++)
		n += pg->m[m].en && (row->set & (1u << m));
	/* out of memory: the numbers still go, without their words */
	if (!n || !(out->labels = calloc(n, sizeof(*out->labels))))
		return;
	for (size_t m = 0; m < pg->nm; m++) {
		const struct prof_metric *pm = &pg->m[m];
		if (!pm->en || !(row->set & (1u << m)))
			continue;
		const struct metric_val *v = &row->vals[m];
		const char *label = "";
		if (pm->type == PM_OID)
			label = enum_label_oid(pm->en, v->text);
		else if (v->gauge >= INT32_MIN && v->gauge <= INT32_MAX) /* else never named */
			label = enum_label_num(pm->en, (long)v->gauge);
		struct metric_label *l = &out->labels[out->nlabels++];
		memcpy(l->name, pm->name, sizeof(l->name));
		snprintf(l->label, sizeof(l->label), "%s", label);
	}
}

/* Turns the groups' rows into the sample's: derived metrics, row filters, labels. */
static void assemble_rows(struct job *j)
{
	size_t total = 0;
	for (size_t g = 0; g < j->ngs; g++)
		total += j->gs[g].nrows;
	if (!total)
		return;
	if (total > WIRE_MAX_ROWS)
		total = WIRE_MAX_ROWS;
	j->s.rows = calloc(total, sizeof(*j->s.rows));
	if (!j->s.rows)
		return;
	for (size_t g = 0; g < j->ngs; g++) {
		const struct prof_group *pg = j->gs[g].g;
		for (size_t r = 0; r < j->gs[g].nrows && j->s.nrows < total; r++) {
			struct grow *row = &j->gs[g].rows[r];
			derive_metrics(j, pg, row);
			if (pg->keep >= 0) {
				char buf[WIRE_NAME_MAX];
				int keep = 0;
				if (row->set & (1u << pg->keep)) {
					metric_text(&row->vals[pg->keep], buf, sizeof(buf));
					for (size_t k = 0; k < pg->nkeep && !keep; k++)
						keep = strcmp(buf, pg->keep_values[k]) == 0;
				}
				if (!keep)
					continue;
			}
			if (!row->set)
				continue;
			struct group_row *out = &j->s.rows[j->s.nrows];
			memset(out, 0, sizeof(*out));
			/* the whole index, however long: a cut one could make two rows one */
			if (wire_index_format(&out->index, row->idx, row->idxlen) < 0)
				continue; /* out of memory: this row alone is lost */
			snprintf(out->group, sizeof(out->group), "%s", pg->name);
			out->nostore = pg->nostore;
			if (pg->label >= 0 && (row->set & (1u << pg->label)))
				snprintf(out->label, sizeof(out->label), "%s", row->vals[pg->label].text);
			label_row(pg, row, out);
			/* the row's values move to the sample: compact them in place */
			for (size_t m = 0; m < pg->nm; m++)
				if (row->set & (1u << m))
					row->vals[out->nvals++] = row->vals[m];
			out->vals = row->vals;
			row->vals = NULL;
			j->s.nrows++;
		}
	}
}

static void finish(struct job *j, const char *error)
{
	if (j->done)
		return;
	j->done = 1;
	j->p->finished++;
	j->s.ts = clock_now();
	if (error) {
		snprintf(j->s.error, sizeof(j->s.error), "%s", error);
		if (!j->s.up)
			j->s.nifs = 0;
	}
	if (j->s.up)
		assemble_rows(j);
	if (j->prof)
		snprintf(j->s.cls, sizeof(j->s.cls), "%s", j->prof->name);
	if (j->s.up)
		ident_result(&j->ident, j->s.cls, j->s.sys_descr, j->s.model, sizeof(j->s.model),
			     j->s.serial, sizeof(j->s.serial));
	j->p->cb(j->p->ctx, &j->t, &j->s);
}

/* --- requests --- */

static int send_pdu(struct job *j, netsnmp_pdu *pdu)
{
	j->p->st.requests++;
	if ((j->reqid = snmp_send(j->ss, pdu)) == 0) {
		snmp_free_pdu(pdu);
		j->p->st.errors++;
		finish(j, "cannot send request");
		return -1;
	}
	return 0;
}

static int add_item(struct job *j, const unsigned long *sub, size_t len, int kind, int a, int b)
{
	struct item *n = realloc(j->items, (j->nitems + 1) * sizeof(*n));
	if (!n)
		return -1;
	j->items = n;
	n[j->nitems++] = (struct item){sub, len, kind, a, b, 0, 0};
	return 0;
}

/* The next GET (scalars) or GETNEXT (system group) of up to GET_CHUNK pending items; NULL when
 * none is left. */
static netsnmp_pdu *next_item_pdu(struct job *j, int command)
{
	netsnmp_pdu *pdu = NULL;
	oid name[OID_MAX];
	j->nchunk = 0;
	for (size_t i = 0; i < j->nitems && j->nchunk < GET_CHUNK; i++) {
		struct item *it = &j->items[i];
		if (it->done || (command == SNMP_MSG_GET) != (it->kind == IT_SCALAR))
			continue;
		if (!pdu && !(pdu = snmp_pdu_create(command)))
			return NULL;
		for (size_t k = 0; k < it->len; k++)
			name[k] = it->sub[k];
		snmp_add_null_var(pdu, name, it->len);
		j->chunk[j->nchunk++] = (int)i;
	}
	return pdu;
}

static void take_sys(struct job *j, int k, const netsnmp_variable_list *v)
{
	/* GETNEXT of the object: only its .0 instance is the value asked for */
	if (v->name_length != 9 || !oid_has_prefix(v->name, v->name_length, (const unsigned long *)sys_base[k], 8) ||
	    v->name[8] != 0)
		return;
	switch (k) {
	case SV_DESCR:
	case SV_NAME:
		if (v->type != ASN_OCTET_STR)
			bad_value(j, sys_names[k], "not a string");
		else if (k == SV_DESCR)
			copy_string(j->s.sys_descr, sizeof(j->s.sys_descr), v);
		else
			copy_string(j->s.sys_name, sizeof(j->s.sys_name), v);
		break;
	case SV_OBJECTID:
		if (v->type != ASN_OBJECT_ID)
			bad_value(j, "sysObjectID", "not an OID");
		else
			format_oid(j->s.sys_objectid, sizeof(j->s.sys_objectid), v->val.objid,
				   v->val_len / sizeof(oid));
		break;
	case SV_UPTIME:
		if (v->type != ASN_TIMETICKS) {
			bad_value(j, "sysUpTime", "not TimeTicks");
		} else {
			j->s.has_uptime = 1;
			j->s.uptime_ticks = (uint32_t)*v->val.integer;
		}
		break;
	}
}

/* An identity object's row (identity.h): an empty one moves the question a row on. */
static void take_ident(struct job *j, struct item *it, const netsnmp_variable_list *v)
{
	const struct ident_object *io = &ident_objects[it->a];
	if (v->type != ASN_OCTET_STR || v->name_length <= io->len ||
	    !oid_has_prefix(v->name, v->name_length, io->sub, io->len))
		return; /* past the column: the agent has none */
	char text[IDENT_TEXT];
	copy_string(text, sizeof(text), v);
	if (!ident_take(&j->ident, (size_t)it->a, text, strlen(text)) ||
	    ++j->ident_rows[it->a] >= IDENT_FOLLOW || v->name_length > IDENT_SUB_MAX)
		return;
	memcpy(j->ident_cur[it->a], v->name, v->name_length * sizeof(oid));
	it->len = v->name_length;
	it->again = 1;
}

/* A classification test's answer (clsvalue.h): a bounded copy, whatever the agent sent. */
static void take_answer(struct cls_answer *a, const netsnmp_variable_list *v)
{
	memset(a, 0, sizeof(*a));
	a->answered = 1;
	switch (v->type) {
	case ASN_INTEGER:
		a->type = CLS_V_INT;
		a->num = (long long)*v->val.integer;
		break;
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS:
		a->type = CLS_V_INT;
		a->num = (long long)((unsigned long)*v->val.integer & 0xffffffffUL);
		break;
	case ASN_COUNTER64: {
		uint64_t c = ((uint64_t)(v->val.counter64->high & 0xffffffffUL) << 32) |
			     (v->val.counter64->low & 0xffffffffUL);
		a->type = CLS_V_INT;
		a->num = c > (uint64_t)LLONG_MAX ? LLONG_MAX : (long long)c;
		break;
	}
	case ASN_OCTET_STR:
	case ASN_IPADDRESS:
	case ASN_OPAQUE: {
		size_t n = v->val_len < sizeof(a->text) ? v->val_len : sizeof(a->text);
		a->type = CLS_V_TEXT;
		if (n)
			memcpy(a->text, v->val.string, n);
		a->len = (unsigned char)n;
		a->cut = v->val_len > sizeof(a->text);
		break;
	}
	case ASN_OBJECT_ID: {
		size_t off = 0, arcs = v->val_len / sizeof(oid);
		a->type = CLS_V_OID;
		for (size_t i = 0; i < arcs; i++) {
			int k = snprintf(a->text + off, sizeof(a->text) - off, "%s%lu", i ? "." : "",
					 (unsigned long)v->val.objid[i]);
			if (k < 0 || (size_t)k >= sizeof(a->text) - off) {
				a->text[off] = '\0';
				a->cut = 1;
				break;
			}
			off += (size_t)k;
		}
		break;
	}
	default:
		a->type = CLS_V_NONE; /* answered, with a type no test reads */
	}
}

/* GETNEXT of a tested OID or a vendor's subtree: only an instance under it counts. */
static void take_class_test(struct job *j, const struct item *it, const netsnmp_variable_list *v)
{
	if (v->name_length <= it->len || !oid_has_prefix(v->name, v->name_length, it->sub, it->len))
		return; /* past it: the agent has none */
	if (it->kind == IT_HAS) {
		if ((size_t)it->a < PROF_HAS_MAX)
			take_answer(&j->ans[it->a], v);
		return;
	}
	const struct prof_oid *oids;
	const unsigned long *nums;
	size_t n = cls_vendor_probes(j->p->o.profiles->vendors, &oids, &nums);
	if ((size_t)it->a < n && j->nsubtrees < CLS_PROBE_MAX)
		j->subtrees[j->nsubtrees++] = nums[it->a];
}

/* Matches an answer's varbinds to the chunk asked, in order. */
static void take_items(struct job *j, const netsnmp_pdu *resp)
{
	int k = 0;
	for (const netsnmp_variable_list *v = resp->variables; v && k < j->nchunk;
	     v = v->next_variable, k++) {
		struct item *it = &j->items[j->chunk[k]];
		j->p->st.varbinds++;
		if (is_exception(v))
			continue;
		if (it->kind == IT_SYS) {
			take_sys(j, it->a, v);
		} else if (it->kind == IT_IDENT) {
			take_ident(j, it, v);
		} else if (it->kind == IT_HAS || it->kind == IT_VENDOR) {
			take_class_test(j, it, v);
		} else {
			struct gstate *gs = &j->gs[it->a];
			if (snmp_oid_compare(v->name, v->name_length, (const oid *)it->sub, it->len) != 0)
				continue; /* not the instance asked: ignore */
			struct grow *row = g_row(j, gs, NULL, 0);
			if (row && take_metric(j, &gs->g->m[it->b], v, &row->vals[it->b]) == 0)
				row->set |= 1u << it->b;
		}
	}
	for (int i = 0; i < j->nchunk; i++) {
		struct item *it = &j->items[j->chunk[i]];
		it->done = !it->again;
		it->again = 0;
	}
}

/* Whether the device is weighed on this poll (clsmem.h), decided once per poll from its
 * first answer and from what the LAN watch tells of it. */
static int cls_due(struct job *j)
{
	struct cls_memory *m = &j->t.mem->cls;
	if (j->cls_due < 0)
		j->cls_due = clsmem_due(m, j->s.sys_objectid, j->s.has_uptime, j->s.uptime_ticks) |
			     clsmem_lan_news(m, j->t.lan_vendor, j->t.lan_said);
	return j->cls_due;
}

/* Says what became of a classification (clsmem.h): the first and every change, by name. */
static void log_class_step(struct job *j, enum clsmem_step st, const struct cls_result *cr,
			   const char *was)
{
	const struct cls_memory *m = &j->t.mem->cls;
	char why[4 * CLS_WHY_LEN];
	classify_why(cr, why, sizeof(why));
	switch (st) {
	case CLSMEM_FIRST:
	case CLSMEM_SAME:
		log_info("poll", "%s/%s: class %s (%d %% sure%s%s): %s", j->t.commune, j->t.device,
			 cr->cls, cr->confidence, cr->vendor[0] ? ", vendor " : "", cr->vendor, why);
		break;
	case CLSMEM_UNSURE:
		log_info("poll", "%s/%s: seen as %s, only %d %% sure (%s): still polled as %s",
			 j->t.commune, j->t.device, cr->cls, cr->confidence, why, was);
		break;
	case CLSMEM_CHANGE_SEEN:
		if (m->cand_polls == 1)
			j->p->st.class_changes++;
		log_warnx("poll", "%s/%s (%s): class changed? polled as %s, now seen as %s (%d %% "
			  "sure, poll %d of %d): %s; still polled as %s", j->t.commune, j->t.device,
			  j->t.host, was, cr->cls, cr->confidence, m->cand_polls, CLSMEM_CONFIRM, why,
			  was);
		break;
	case CLSMEM_REPROFILED:
		j->p->st.reprofiled++;
		log_warnx("poll", "%s/%s (%s): class changed from %s to %s (%d %% sure, seen on %d "
			  "polls in a row): %s; polled as %s from now on", j->t.commune, j->t.device,
			  j->t.host, was, cr->cls, cr->confidence, CLSMEM_CONFIRM, why, cr->cls);
		break;
	}
}

/* The inventory named no class: the one the device keeps (clsmem.h), weighed again from what
 * the agent said (classify.c) when due. "other" has no profile of its own: generic. */
static const struct profile *classified_profile(struct job *j, const struct profiles *ps)
{
	struct cls_memory *m = &j->t.mem->cls;
	int step = -1;
	char was[32] = "";
	if (cls_due(j)) {
		struct cls_result cr;
		struct cls_input in = {j->s.sys_objectid, j->s.sys_descr, j->ans, ps->nhas,
				       j->subtrees, j->nsubtrees, j->t.lan_vendor, j->t.lan_said};
		classify_input(ps, &in, &cr);
		step = (int)clsmem_take(m, &cr, j->s.sys_objectid, was);
		log_class_step(j, (enum clsmem_step)step, &cr, was);
	}
	clsmem_evidence(m, step, was, &j->s);
	return profiles_find(ps, m->cls);
}

/* A device to classify whose identity names no maker: its vendor subtrees are asked, once,
 * in one more request (vendors.conf `probe`). Returns 1 when items were added. */
static int ask_vendors(struct job *j)
{
	const struct profiles *ps = j->p->o.profiles;
	if (j->t.prof || !ps || j->vendors_asked)
		return 0;
	j->vendors_asked = 1;
	const struct prof_oid *oids;
	const unsigned long *nums;
	size_t n = cls_vendor_probes(ps->vendors, &oids, &nums);
	if (!cls_due(j) || !n || !cls_names_no_maker(ps, j->s.sys_objectid))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (add_item(j, oids[i].sub, oids[i].len, IT_VENDOR, (int)i, 0) < 0)
			return 0; /* no memory: classified without them */
	j->p->st.vendor_probes++;
	return 1;
}

/* Chooses the profile and lays out the scalars and columns it asks for. */
static int plan(struct job *j)
{
	const struct profiles *ps = j->p->o.profiles;
	const struct profile *pr = j->t.prof;
	if (!pr && ps)
		pr = classified_profile(j, ps);
	j->prof = pr;
	if (!pr)
		return 0; /* no profiles at all: the system group is the whole poll */
	j->gs = calloc(pr->ngroups ? pr->ngroups : 1, sizeof(*j->gs));
	j->cols = calloc(MAX_WCOLS, sizeof(*j->cols));
	if (!j->gs || !j->cols)
		return -1;
	j->ngs = pr->ngroups;
	for (int r = 0; r < IFR_COUNT; r++) {
		if (!pr->ifcol[r].len)
			continue;
		struct wcol *c = &j->cols[j->ncols++];
		c->base = &pr->ifcol[r];
		c->role = r;
	}
	for (size_t g = 0; g < pr->ngroups; g++) {
		const struct prof_group *pg = pr->groups[g];
		j->gs[g].g = pg;
		for (size_t m = 0; m < pg->nm; m++) {
			const struct prof_metric *pm = &pg->m[m];
			if (pm->type == PM_PERCENT || pm->type == PM_PRODUCT)
				continue;
			if (!pg->table) {
				if (add_item(j, pm->oid.sub, pm->oid.len, IT_SCALAR, (int)g, (int)m) < 0)
					return -1;
			} else {
				/* a column another group walks already is read once and fed to both */
				struct wcol *same = NULL;
				for (size_t k = 0; k < j->ncols && !same; k++)
					if (j->cols[k].role < 0 && j->cols[k].nmore < COL_SHARE &&
					    j->cols[k].base->len == pm->oid.len &&
					    !memcmp(j->cols[k].base->sub, pm->oid.sub,
						    pm->oid.len * sizeof(pm->oid.sub[0])))
						same = &j->cols[k];
				if (same) {
					same->more_gs[same->nmore] = (int)g;
					same->more_metric[same->nmore++] = (int)m;
				} else if (j->ncols < MAX_WCOLS) {
					struct wcol *c = &j->cols[j->ncols++];
					c->base = &pm->oid;
					c->role = -1;
					c->gs = (int)g;
					c->metric = (int)m;
				}
			}
		}
	}
	for (size_t c = 0; c < j->ncols; c++) {
		for (size_t k = 0; k < j->cols[c].base->len; k++)
			j->cols[c].cur[k] = j->cols[c].base->sub[k];
		j->cols[c].curlen = j->cols[c].base->len;
	}
	int reps = j->t.mem->max_reps ? j->t.mem->max_reps : pr->max_reps;
	/* many columns at once: fewer repetitions, so one answer stays a sensible size */
	if (j->ncols && reps * (int)j->ncols > WALK_BUDGET)
		reps = WALK_BUDGET / (int)j->ncols;
	j->max_reps = reps < 1 ? 1 : reps;
	return 0;
}

/* The next GETBULK (GETNEXT for v1) over the columns not finished; NULL when the walk is over. */
static netsnmp_pdu *next_walk_pdu(struct job *j)
{
	int v1 = j->t.cred->version == 1;
	netsnmp_pdu *pdu = NULL;
	for (size_t c = 0; c < j->ncols; c++) {
		if (j->cols[c].done)
			continue;
		if (!pdu) {
			pdu = snmp_pdu_create(v1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
			if (!pdu)
				return NULL;
			if (!v1) {
				pdu->non_repeaters = 0;
				pdu->max_repetitions = j->max_reps;
			}
		}
		snmp_add_null_var(pdu, j->cols[c].cur, j->cols[c].curlen);
	}
	return pdu;
}

static const char *col_name(const struct job *j, const struct wcol *c)
{
	if (c->role >= 0)
		return j->prof->ifmib[c->role] ? j->prof->ifmib[c->role] : if_role_names[c->role];
	return j->gs[c->gs].g->m[c->metric].mib;
}

static void walk_response(struct job *j, netsnmp_pdu *resp)
{
	int active[MAX_WCOLS], nactive = 0;
	for (size_t c = 0; c < j->ncols; c++)
		if (!j->cols[c].done)
			active[nactive++] = (int)c;
	if (nactive == 0)
		return;
	int k = 0;
	for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable, k++) {
		struct wcol *c = &j->cols[active[k % nactive]];
		j->p->st.varbinds++;
		if (c->done)
			continue;
		const size_t bl = c->base->len;
		if (v->type == SNMP_ENDOFMIBVIEW || v->name_length <= bl ||
		    !oid_has_prefix(v->name, v->name_length, c->base->sub, bl)) {
			c->done = 1;
			continue;
		}
		if (snmp_oid_compare(v->name, v->name_length, c->cur, c->curlen) <= 0 ||
		    v->name_length > OID_MAX) {
			log_warnx("poll", "%s/%s (%s): %s walk returned a non-increasing OID; stopped",
				  j->t.commune, j->t.device, j->t.host, col_name(j, c));
			j->p->st.walks_stopped++;
			c->done = 1;
			continue;
		}
		memcpy(c->cur, v->name, v->name_length * sizeof(oid));
		c->curlen = v->name_length;
		if (is_exception(v))
			continue;
		if (c->role >= 0) {
			if (v->name_length != bl + 1 || v->name[bl] == 0 || v->name[bl] > 2147483647) {
				bad_value(j, col_name(j, c), "index is not an ifIndex");
				continue;
			}
			size_t pos;
			uint32_t idx = (uint32_t)v->name[bl];
			if (!if_row(j, idx, &pos)) {
				log_warnx("poll", "%s/%s (%s): interface table longer than %d rows; rest "
					  "ignored", j->t.commune, j->t.device, j->t.host,
					  j->p->o.max_rows);
				j->p->st.walks_stopped++;
				for (size_t d = 0; d < j->ncols; d++)
					if (j->cols[d].role >= 0)
						j->cols[d].done = 1;
				continue;
			}
			take_if_value(j, c->role, idx, v);
		} else {
			int full = 1; /* every group this column feeds is at its row limit */
			for (int u = -1; u < c->nmore; u++) {
				int gi = u < 0 ? c->gs : c->more_gs[u];
				int mi = u < 0 ? c->metric : c->more_metric[u];
				struct gstate *gs = &j->gs[gi];
				struct grow *row = g_row(j, gs, v->name + bl, v->name_length - bl);
				if (row && take_metric(j, &gs->g->m[mi], v, &row->vals[mi]) == 0)
					row->set |= 1u << mi;
				full &= gs->stopped;
			}
			if (full)
				c->done = 1;
		}
	}
}

/* Sends the next request of the poll, moving through the phases; finishes when all is done. */
static void advance(struct job *j)
{
	netsnmp_pdu *next;
	if (j->phase == PH_SYS) {
		if ((next = next_item_pdu(j, SNMP_MSG_GETNEXT)) ||
		    (ask_vendors(j) && (next = next_item_pdu(j, SNMP_MSG_GETNEXT)))) {
			send_pdu(j, next);
			return;
		}
		if (plan(j) < 0) {
			finish(j, "out of memory");
			return;
		}
		j->phase = PH_SCALARS;
	}
	if (j->phase == PH_SCALARS) {
		if ((next = next_item_pdu(j, SNMP_MSG_GET))) {
			send_pdu(j, next);
			return;
		}
		j->phase = PH_WALK;
	}
	if (++j->requests > j->p->o.max_rows + 64) {
		j->p->st.walks_stopped++;
		finish(j, "walk stopped: too many requests");
		return;
	}
	if (!(next = next_walk_pdu(j))) {
		finish(j, NULL);
		return;
	}
	send_pdu(j, next);
}

static const char *v3_report_text(int type)
{
	switch (type) {
	case SNMPERR_UNKNOWN_USER_NAME: return "SNMPv3: unknown user name";
	case SNMPERR_AUTHENTICATION_FAILURE: return "SNMPv3: authentication failed (wrong auth password or protocol)";
	case SNMPERR_DECRYPTION_ERR: return "SNMPv3: decryption failed (wrong priv password or protocol)";
	case SNMPERR_UNSUPPORTED_SEC_LEVEL: return "SNMPv3: security level not supported for this user";
	case SNMPERR_UNKNOWN_ENG_ID: return "SNMPv3: unknown engine ID";
	default: return "SNMPv3: the agent refused the request (report)";
	}
}

/* The answer to the engine-ID probe (a report): keep the agent's engine ID, localise the
 * keys for it, then poll for real on the same session. */
static void discovered(struct job *j, netsnmp_session *ss, netsnmp_pdu *resp)
{
	size_t n = resp->securityEngineIDLen;
	if (!n || n > sizeof(j->t.mem->engine_id)) {
		j->p->st.v3_errors++;
		finish(j, "SNMPv3: the agent gave no usable engine ID");
		return;
	}
	memcpy(j->t.mem->engine_id, resp->securityEngineID, n);
	j->t.mem->engine_id_len = n;
	if (!ss->securityEngineIDLen) {
		u_char *sec = malloc(n), *ctx = ss->contextEngineIDLen ? NULL : malloc(n);
		if (!sec || (!ss->contextEngineIDLen && !ctx)) {
			free(sec);
			free(ctx);
			finish(j, "out of memory");
			return;
		}
		memcpy(sec, resp->securityEngineID, n);
		ss->securityEngineID = sec;
		ss->securityEngineIDLen = n;
		if (ctx) {
			memcpy(ctx, resp->securityEngineID, n);
			ss->contextEngineID = ctx;
			ss->contextEngineIDLen = n;
		}
	}
	if (create_user_from_session(ss) != SNMPERR_SUCCESS) {
		j->p->st.v3_errors++;
		finish(j, "SNMPv3: cannot set up the user for this agent");
		return;
	}
	j->phase = PH_SYS;
	advance(j);
}

/* An agent refusing our USM credentials answers with an unauthenticated report that net-snmp
 * does not pass on: the poll times out, and the session's last error says why. */
static int v3_refused(struct job *j)
{
	if (j->t.cred->version != 3 || !j->ss)
		return 0;
	int e = j->ss->s_snmp_errno;
	if (e != SNMPERR_UNKNOWN_USER_NAME && e != SNMPERR_AUTHENTICATION_FAILURE &&
	    e != SNMPERR_DECRYPTION_ERR && e != SNMPERR_UNSUPPORTED_SEC_LEVEL &&
	    e != SNMPERR_UNKNOWN_ENG_ID)
		return 0;
	j->p->st.v3_errors++;
	finish(j, v3_report_text(e));
	return 1;
}

/* An SNMPv3 report: a clock out of the window is net-snmp's to fix (it sends again); any other
 * ends the poll with what the agent said. */
static void v3_report(struct job *j, int type, const netsnmp_pdu *resp)
{
	if (type == SNMPERR_NOT_IN_TIME_WINDOW)
		return;
	char rep[96] = "";
	if (resp && resp->variables)
		format_oid(rep, sizeof(rep), resp->variables->name, resp->variables->name_length);
	log_debug("poll", "%s/%s (%s): SNMPv3 report %s (%d) in phase %d", j->t.commune,
		  j->t.device, j->t.host, rep, type, j->phase);
	j->p->st.v3_errors++;
	finish(j, v3_report_text(type));
}

static int on_response(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *resp, void *magic)
{
	struct job *j = magic;
	/* net-snmp may resend the engine-ID probe once the engine is known: its late report
	 * (unknown user "") belongs to no request of ours any more. A report about a request
	 * the agent could not read (wrong keys) carries no request id: it is ours. */
	if (j->done)
		return 1;
	if (reqid != j->reqid &&
	    (!resp || resp->command != SNMP_MSG_REPORT || reqid == j->probe_reqid))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &j->last);
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		if (v3_refused(j))
			return 1;
		j->p->st.timeouts++;
		/* an agent that cannot decrypt a request drops it without a word */
		finish(j, j->s.up ? "timeout during walk"
		       : j->t.cred->version == 3 && j->t.cred->level == V3_AUTHPRIV
			   ? "timeout (SNMPv3: a wrong priv password looks the same)"
			   : "timeout");
		return 1;
	}
	if (op == NETSNMP_CALLBACK_OP_RESEND || op == NETSNMP_CALLBACK_OP_CONNECT)
		return 1; /* net-snmp telling us what it does: nothing to decide */
	/* the engine-ID probe is answered by a report, which net-snmp hands over as a security
	 * error (an unknown engine) */
	if (j->phase == PH_DISCOVER && resp &&
	    (op == NETSNMP_CALLBACK_OP_SEC_ERROR || op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)) {
		discovered(j, ss, resp);
		return 1;
	}
	if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
		v3_report(j, resp && resp->command == SNMP_MSG_REPORT ? snmpv3_get_report_type(resp)
								      : ss->s_snmp_errno, resp);
		return 1;
	}
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
		j->p->st.errors++;
		log_debug("poll", "%s/%s (%s): net-snmp callback op %d, %s", j->t.commune, j->t.device,
			  j->t.host, op, snmp_api_errstring(ss->s_snmp_errno));
		finish(j, op == NETSNMP_CALLBACK_OP_SEND_FAILED ? "cannot send request"
							       : "transport error");
		return 1;
	}
	if (resp->command == SNMP_MSG_REPORT) {
		v3_report(j, snmpv3_get_report_type(resp), resp);
		return 1;
	}
	if (!j->s.up) {
		j->s.rtt_ms = (int)((j->last.tv_sec - j->started.tv_sec) * 1000 +
				    (j->last.tv_nsec - j->started.tv_nsec) / 1000000);
		j->s.up = 1;
		j->p->st.answered++;
		j->p->rtt_avg_ms += (j->s.rtt_ms - j->p->rtt_avg_ms) / 8;
		if (j->parked) {
			j->parked = 0;
			j->p->parked--;
		}
	}
	if (resp->errstat == SNMP_ERR_TOOBIG && j->phase == PH_WALK && j->max_reps > 1) {
		j->max_reps /= 2;
		j->t.mem->max_reps = j->max_reps;
	} else if (resp->errstat == SNMP_ERR_NOSUCHNAME && resp->errindex >= 1 &&
		   j->phase != PH_WALK) {
		/* v1 refuses a whole request for one missing object: drop it and ask again */
		if (resp->errindex <= j->nchunk)
			j->items[j->chunk[resp->errindex - 1]].done = 1;
		else
			for (int i = 0; i < j->nchunk; i++)
				j->items[j->chunk[i]].done = 1;
	} else if (resp->errstat == SNMP_ERR_NOSUCHNAME && resp->errindex >= 1) {
		/* v1 reports the end of the MIB as noSuchName: that column is complete */
		int k = 0;
		for (size_t c = 0; c < j->ncols; c++)
			if (!j->cols[c].done && ++k == resp->errindex)
				j->cols[c].done = 1;
		if (resp->errindex > k)
			for (size_t c = 0; c < j->ncols; c++)
				j->cols[c].done = 1;
	} else if (resp->errstat != SNMP_ERR_NOERROR) {
		if (j->phase != PH_WALK) {
			/* an agent that refuses the system group or a scalar: go on without them */
			for (int i = 0; i < j->nchunk; i++)
				j->items[j->chunk[i]].done = 1;
		} else {
			char err[96];
			snprintf(err, sizeof(err), "agent error %ld (%s) during walk", resp->errstat,
				 snmp_errstring((int)resp->errstat));
			j->p->st.errors++;
			finish(j, err);
			return 1;
		}
	} else if (j->phase != PH_WALK) {
		take_items(j, resp);
	} else if (!resp->variables) {
		/* an empty answer moves nothing forward: asking again would loop */
		for (size_t c = 0; c < j->ncols; c++)
			j->cols[c].done = 1;
	} else {
		walk_response(j, resp);
	}
	advance(j);
	return 1;
}

static const struct v3keys *v3_keys(struct poller *p, const struct snmp_cred *c)
{
	for (size_t i = 0; i < p->nkeys; i++)
		if (p->keys[i].cred == c)
			return &p->keys[i];
	struct v3keys *k = p->nkeys < MAX_V3_KEYS ? &p->keys[p->nkeys++] : &p->keys[0];
	memset(k, 0, sizeof(*k));
	k->cred = c;
	const oid *proto = c->auth_proto == V3_AUTH_SHA256   ? usmHMAC192SHA256AuthProtocol
			   : c->auth_proto == V3_AUTH_SHA512 ? usmHMAC384SHA512AuthProtocol
							     : usmHMACSHA1AuthProtocol;
	k->auth_len = sizeof(k->auth);
	k->priv_len = sizeof(k->priv);
	k->ok = 1;
	if (c->level >= V3_AUTHNOPRIV &&
	    generate_Ku(proto, USM_AUTH_PROTO_SHA_LEN, (const u_char *)c->auth_pass,
			strlen(c->auth_pass), k->auth, &k->auth_len) != SNMPERR_SUCCESS)
		k->ok = 0;
	if (c->level == V3_AUTHPRIV &&
	    generate_Ku(proto, USM_AUTH_PROTO_SHA_LEN, (const u_char *)c->priv_pass,
			strlen(c->priv_pass), k->priv, &k->priv_len) != SNMPERR_SUCCESS)
		k->ok = 0;
	return k;
}

void poller_prepare(struct poller *p, const struct snmp_cred *c)
{
	if (c && c->version == 3)
		v3_keys(p, c);
}

static int open_session(struct job *j)
{
	netsnmp_session sess;
	char peer[96];
	const struct snmp_cred *c = j->t.cred;
	int v6 = strchr(j->t.host, ':') != NULL;
	snprintf(peer, sizeof(peer), v6 ? "udp6:[%s]:%d" : "udp:%s:%d", j->t.host, j->t.port);
	snmp_sess_init(&sess);
	sess.peername = peer;
	sess.timeout = (long)j->p->o.timeout_ms * 1000L;
	sess.retries = j->t.retries >= 0 ? j->t.retries : j->p->o.retries;
	sess.callback = on_response;
	sess.callback_magic = j;
	if (c->version != 3) {
		sess.version = c->version == 1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
		sess.community = (u_char *)c->community;
		sess.community_len = strlen(c->community);
		j->ss = snmp_open(&sess);
		return j->ss ? 0 : -1;
	}
	/* SNMPv3: net-snmp's own engine-ID probe waits synchronously; ours goes through the
	 * event loop (PH_DISCOVER) and the engine ID is kept for the next polls */
	const struct v3keys *k = v3_keys(j->p, c);
	if (!k->ok)
		return -1;
	sess.version = SNMP_VERSION_3;
	sess.flags |= SNMP_FLAGS_DONT_PROBE;
	sess.securityModel = SNMP_SEC_MODEL_USM;
	sess.securityName = (char *)c->user;
	sess.securityNameLen = strlen(c->user);
	sess.securityLevel = c->level == V3_AUTHPRIV	   ? SNMP_SEC_LEVEL_AUTHPRIV
			     : c->level == V3_AUTHNOPRIV ? SNMP_SEC_LEVEL_AUTHNOPRIV
							 : SNMP_SEC_LEVEL_NOAUTH;
	sess.securityAuthProto = (oid *)(c->auth_proto == V3_AUTH_SHA256 ? usmHMAC192SHA256AuthProtocol
					 : c->auth_proto == V3_AUTH_SHA512 ? usmHMAC384SHA512AuthProtocol
									   : usmHMACSHA1AuthProtocol);
	sess.securityAuthProtoLen = USM_AUTH_PROTO_SHA_LEN;
	memcpy(sess.securityAuthKey, k->auth, k->auth_len);
	sess.securityAuthKeyLen = k->auth_len;
	sess.securityPrivProto = usmAESPrivProtocol;
	sess.securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
	memcpy(sess.securityPrivKey, k->priv, k->priv_len);
	sess.securityPrivKeyLen = k->priv_len;
	if (j->t.mem->engine_id_len) {
		sess.securityEngineID = j->t.mem->engine_id;
		sess.securityEngineIDLen = j->t.mem->engine_id_len;
		sess.contextEngineID = j->t.mem->engine_id;
		sess.contextEngineIDLen = j->t.mem->engine_id_len;
	}
	j->ss = snmp_open(&sess);
	if (!j->ss)
		return -1;
	/* snmp_open clears the flag once open (net-snmp 5.9), and a send with no engine ID known
	 * may then run net-snmp's synchronous probe (timeout x (retries + 1) with the loop held:
	 * seen from a bare snmp_send). Our discovery PDU does not set it off; this keeps it so. */
	j->ss->flags |= SNMP_FLAGS_DONT_PROBE;
	if (j->ss->securityEngineIDLen && create_user_from_session(j->ss) != SNMPERR_SUCCESS)
		return -1;
	return 0;
}

int poller_start(struct poller *p, const struct poll_target *t)
{
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return -1;
	j->p = p;
	j->t = *t;
	if (!j->t.mem)
		j->t.mem = &j->own_mem;
	j->s.rtt_ms = -1;
	snprintf(j->s.commune, sizeof(j->s.commune), "%s", t->commune);
	snprintf(j->s.device, sizeof(j->s.device), "%s", t->device);
	p->st.polls++;
	j->next = p->jobs;
	p->jobs = j;
	p->inflight++;
	clock_gettime(CLOCK_MONOTONIC, &j->started);
	j->last = j->started;
	for (int k = 0; k < SV_COUNT; k++)
		if (add_item(j, (const unsigned long *)sys_base[k], 8, IT_SYS, k, 0) < 0)
			goto nomem;
	ident_init(&j->ident);
	for (int k = 0; k < IDENT_OBJECTS; k++) {
		memcpy(j->ident_cur[k], ident_objects[k].sub, ident_objects[k].len * sizeof(oid));
		if (add_item(j, j->ident_cur[k], ident_objects[k].len, IT_IDENT, k, 0) < 0)
			goto nomem;
	}
	/* classification tests ride in the first request: no extra round trip */
	j->cls_due = -1;
	if (!t->prof && p->o.profiles)
		for (size_t h = 0; h < p->o.profiles->nhas && h < PROF_HAS_MAX; h++)
			if (add_item(j, p->o.profiles->has[h].sub, p->o.profiles->has[h].len, IT_HAS,
				     (int)h, 0) < 0)
				goto nomem;
	if (open_session(j) < 0) {
		p->st.errors++;
		finish(j, t->cred->version == 3 ? "cannot open SNMPv3 session (credentials?)"
						: "cannot open SNMP session");
		return -1;
	}
	if (t->cred->version == 3 && !j->ss->securityEngineIDLen) {
		j->phase = PH_DISCOVER;
		netsnmp_pdu *pdu = v3_discovery_pdu();
		if (!pdu)
			goto nomem;
		int rc = send_pdu(j, pdu);
		j->probe_reqid = j->reqid;
		return rc;
	}
	j->phase = PH_SYS;
	advance(j);
	return j->done && j->s.error[0] ? -1 : 0;
nomem:
	finish(j, "out of memory");
	return -1;
}

/* Finished jobs are closed here, outside net-snmp's callbacks; silent ones are parked, and a
 * poll net-snmp forgot (a report it swallowed) is ended. */
static long ms_since(const struct timespec *now, const struct timespec *then)
{
	return (now->tv_sec - then->tv_sec) * 1000 + (now->tv_nsec - then->tv_nsec) / 1000000;
}

static void reap(struct poller *p)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* the list is walked when a poll ended, and for parking and stalls every 50 ms: not at
	 * every answer of a large fleet */
	if (!p->finished && ms_since(&now, &p->last_scan) < 50)
		return;
	p->last_scan = now;
	p->finished = 0;
	long stall_ms = (long)p->o.timeout_ms * (p->o.retries + 2) + 1000;
	/* silent for several times what answers take here: most likely dead, wait aside */
	long park_ms = p->o.park_ms > 0 ? p->o.park_ms : (long)(4 * p->rtt_avg_ms) + 50;
	struct job **pp = &p->jobs;
	while (*pp) {
		struct job *j = *pp;
		long idle = (now.tv_sec - j->last.tv_sec) * 1000 + (now.tv_nsec - j->last.tv_nsec) / 1000000;
		if (!j->done && idle > stall_ms && !v3_refused(j)) {
			p->st.timeouts++;
			finish(j, j->s.up ? "no answer during walk" : "no answer");
		}
		if (!j->done && !j->parked && !j->s.up && idle > park_ms) {
			j->parked = 1;
			p->parked++;
		}
		if (j->done) {
			*pp = j->next;
			p->inflight--;
			if (j->parked)
				p->parked--;
			job_free(j);
		} else {
			pp = &j->next;
		}
	}
}

void poller_fdset(struct poller *p, int *maxfd, fd_set *rfds, struct timeval *tv)
{
	int block = 0;
	struct timeval snmp_tv = *tv;
	int n = *maxfd + 1;
	reap(p);
	snmp_select_info(&n, rfds, &snmp_tv, &block);
	if (n - 1 > *maxfd)
		*maxfd = n - 1;
	if (!block && timercmp(&snmp_tv, tv, <))
		*tv = snmp_tv;
	/* parking and stalls are checked on time, not only when something arrives */
	if (p->inflight > p->parked) {
		long ms = p->o.park_ms > 0 ? p->o.park_ms : (long)(4 * p->rtt_avg_ms) + 50;
		struct timeval park = {ms / 2000, (suseconds_t)(ms % 2000) * 500};
		if (timercmp(&park, tv, <))
			*tv = park;
	}
}

void poller_dispatch(struct poller *p, fd_set *rfds, int nready)
{
	struct timespec now;
	if (nready > 0)
		snmp_read(rfds);
	/* net-snmp's retransmission check walks every session: when select timed out, or every
	 * 10 ms while answers keep it busy */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (nready <= 0 || ms_since(&now, &p->last_timeout) >= 10) {
		p->last_timeout = now;
		snmp_timeout();
	}
	reap(p);
}
