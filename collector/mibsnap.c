#include "mibsnap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daytally.h"
#include "judge.h"
#include "promexport.h"
#include "state.h"

/* One value of a table cell: absent, a number, or a string (len bytes). */
struct cell {
	int present;
	enum mibsnap_type type;
	uint32_t num;
	const char *str;
	size_t len, max;
};

/* Availability figures per commune: Internet (router targets), LAN (switch and access point
 * targets) and every target, today and this month. */
enum { AV_INTERNET, AV_LAN, AV_ALL, AV_COUNT };

struct trow {
	size_t k, slot;        /* commune; the site (or commune, for its own) in the tallies */
	uint32_t site;         /* hbmonSiteIndex, 0 for a commune-wide target */
	int t;                 /* in its site type (or [commune-targets]) */
	const struct target_result *tr;
	const struct site_type *st;
};

struct builder {
	struct mibsnap *s;
	const struct mibsnap_input *in;
	struct strbuf text;     /* a cell's text while it is copied */
	size_t *site_order;     /* sites by commune, then inventory order */
	struct trow *trows;
	size_t ntrows;
	struct judge_tally (*av)[2][AV_COUNT]; /* per commune: today, month */
	int failed;
};

uint32_t mibsnap_commune_index(size_t k) { return (uint32_t)(k + 1); }

long mibsnap_commune_of(uint32_t index, size_t ncommunes)
{
	return index >= 1 && (size_t)index <= ncommunes ? (long)index - 1 : -1;
}

long mibsnap_per_mille(double share)
{
	if (isnan(share))
		return -1;
	double x = round(share * 1000.0);
	return x < 0 ? 0 : x > 1000 ? 1000 : (long)x;
}

static int add(struct builder *b, const uint32_t *sub, size_t nsub, const struct cell *c)
{
	struct mibsnap *s = b->s;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		struct mibsnap_entry *e = cap <= MIBSNAP_MAX_ENTRIES ? realloc(s->e, cap * sizeof(*e))
								     : NULL;
		if (!e)
			return -1;
		s->e = e;
		s->cap = cap;
	}
	struct mibsnap_entry *e = &s->e[s->n];
	memset(e, 0, sizeof(*e));
	memcpy(e->sub, sub, nsub * sizeof(*sub));
	e->nsub = (uint8_t)nsub;
	e->type = (uint8_t)c->type;
	e->value = c->num;
	if (c->type == MS_STRING) {
		size_t len = c->len > c->max ? c->max : c->len;
		/* cut at a character boundary: never half a UTF-8 sequence */
		while (len < c->len && len > 0 && ((unsigned char)c->str[len] & 0xC0) == 0x80)
			len--;
		if (s->poolsz + len > s->poolcap) {
			size_t cap = s->poolcap ? s->poolcap * 2 : 65536;
			while (cap < s->poolsz + len)
				cap *= 2;
			char *p = cap <= MIBSNAP_MAX_POOL ? realloc(s->pool, cap) : NULL;
			if (!p)
				return -1;
			s->pool = p;
			s->poolcap = cap;
		}
		memcpy(s->pool + s->poolsz, c->str, len);
		e->off = (uint32_t)s->poolsz;
		e->value = (uint32_t)len;
		s->poolsz += len;
	}
	s->n++;
	return 0;
}

static void put(struct builder *b, const uint32_t *sub, size_t nsub, const struct cell *c)
{
	if (!c->present || b->failed)
		return;
	if (add(b, sub, nsub, c) < 0)
		b->failed = 1;
}

static struct cell num(enum mibsnap_type type, long v)
{
	struct cell c = {v >= 0, type, v < 0 ? 0 : v > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)v,
			 NULL, 0, 0};
	return c;
}

static struct cell gauge(long v) { return num(MS_GAUGE, v); }
static struct cell integer(long v) { return num(MS_INTEGER, v); }

static struct cell text(const char *s, size_t max)
{
	struct cell c = {1, MS_STRING, 0, s, strlen(s), max};
	return c;
}

static struct cell per_mille(double share) { return gauge(mibsnap_per_mille(share)); }

static struct cell score(int met, int total) { return per_mille(readiness_score(met, total) / 100); }

/* A verdict and a judging as their SMI enumerations (HbmonVerdict, HbmonJudging: from 1). */
static long verdict(enum verdict v) { return (long)v + 1; }
static long judging(enum judging j) { return (long)j + 1; }

static void district(struct builder *b)
{
	const struct readiness *r = b->in->r;
	struct cell c[10] = {
	    [1] = text(b->in->district, MIBSNAP_NAME_MAX),
	    [2] = gauge(r->at > 0 ? (long)r->at : 0),
	    [3] = gauge((long)r->ncommunes),
	    [4] = gauge(r->ncommunes_met),
	    [5] = gauge(r->ncommunes_nodata),
	    [6] = score(r->nmet, r->ntargets),
	    [7] = gauge(r->ntargets),
	    [8] = gauge(r->nmet),
	    [9] = gauge(r->nwarn),
	};
	for (uint32_t i = 1; i < 10; i++) {
		uint32_t sub[] = {1, MIB_DISTRICT, i, 0};
		put(b, sub, 4, &c[i]);
	}
}

static const struct judge_tally *tally_at(const struct daytally *d, size_t slot, int i)
{
	if (!d || !d->t || slot >= d->nsites + d->ncommunes || i < 0 ||
	    d->off[slot] + (size_t)i >= d->off[slot + 1])
		return NULL;
	return &d->t[d->off[slot] + (size_t)i];
}

static void tally_sum(struct judge_tally *sum, const struct judge_tally *t)
{
	if (!t)
		return;
	sum->met += t->met;
	sum->missed += t->missed;
	sum->nodata += t->nodata;
}

/* Adds a target's time today and this month to its commune's availability figures. */
static void availability_add(struct builder *b, const struct trow *row)
{
	const struct daytally *d[2] = {b->in->today, b->in->month};
	const struct target_result *t = row->tr;
	int internet = t->kind == TK_CLASS_MIN_UP && t->cls == CLS_ROUTER;
	int lan = t->kind == TK_CLASS_MIN_UP && (t->cls == CLS_SWITCH || t->cls == CLS_AP);
	for (int p = 0; p < 2; p++) {
		const struct judge_tally *x = tally_at(d[p], row->slot, row->t);
		tally_sum(&b->av[row->k][p][AV_ALL], x);
		if (internet)
			tally_sum(&b->av[row->k][p][AV_INTERNET], x);
		if (lan)
			tally_sum(&b->av[row->k][p][AV_LAN], x);
	}
}

static struct cell share_of(const struct judge_tally *t) { return per_mille(judge_met_share(t)); }

static struct cell coverage_of(const struct judge_tally *t)
{
	if (t->met + t->missed + t->nodata <= 0)
		return gauge(-1); /* nothing judged: absent */
	return per_mille(judge_coverage(t));
}

static struct cell commune_cell(struct builder *b, uint32_t col, size_t k)
{
	const struct commune_result *cr = &b->in->r->communes[k];
	int shown = cr->njudged || !cr->ntargets; /* the overview's verdict, over judged targets */
	switch (col) {
	case 2: return text(b->in->inv->communes[k].name, MIBSNAP_NAME_MAX);
	case 3: return integer(verdict(cr->v));
	case 4: return integer(shown ? judging(J_JUDGED) : judging(cr->why));
	case 5: return score(cr->nmet, cr->ntargets);
	case 6: return gauge(cr->ntargets);
	case 7: return gauge(cr->nmet);
	case 8: return gauge(cr->nwarn);
	case 9: return gauge(cr->njudged);
	case 10: return integer(shown ? verdict(cr->vj) : -1);
	case 11: return gauge(cr->devices);
	case 12: return gauge(cr->devices_up);
	case 13: return gauge(cr->nsites);
	case 14: return gauge(cr->nsites_met);
	case 15: return share_of(&b->av[k][0][AV_INTERNET]);
	case 16: return share_of(&b->av[k][1][AV_INTERNET]);
	case 17: return share_of(&b->av[k][0][AV_LAN]);
	case 18: return share_of(&b->av[k][1][AV_LAN]);
	case 19: return coverage_of(&b->av[k][0][AV_ALL]);
	case 20: return coverage_of(&b->av[k][1][AV_ALL]);
	case 21: return gauge(b->in->firing ? (long)b->in->firing[k] : 0);
	default: return gauge(-1);
	}
}

static void communes(struct builder *b)
{
	for (uint32_t col = 2; col <= 21; col++)
		for (size_t k = 0; k < b->in->r->ncommunes; k++) {
			uint32_t sub[] = {1, MIB_COMMUNES, 1, col, mibsnap_commune_index(k)};
			struct cell c = commune_cell(b, col, k);
			put(b, sub, 5, &c);
		}
}

static struct cell site_cell(struct builder *b, uint32_t col, size_t s)
{
	const struct site_result *sr = &b->in->r->sites[s];
	switch (col) {
	case 2: return text(b->in->inv->sites[s].name, MIBSNAP_NAME_MAX);
	case 3: return text(b->in->inv->sites[s].type, MIBSNAP_NAME_MAX);
	case 4: return integer(verdict(sr->v));
	case 5: return score(sr->nmet, sr->ncrit);
	case 6: return gauge(sr->ncrit);
	case 7: return gauge(sr->nmet);
	case 8: return gauge(sr->nwarn);
	default: return gauge(-1);
	}
}

static void sites(struct builder *b)
{
	const struct inventory *inv = b->in->inv;
	for (uint32_t col = 2; col <= 8; col++)
		for (size_t i = 0; i < b->in->r->nsites; i++) {
			size_t s = b->site_order[i];
			uint32_t sub[] = {1, MIB_SITES, 1, col,
					  mibsnap_commune_index(inv->sites[s].commune), (uint32_t)s + 1};
			struct cell c = site_cell(b, col, s);
			put(b, sub, 6, &c);
		}
}

/* What the overview shows of a target: met / missed when judged with data, else not judged. */
static long target_state(const struct target_result *t)
{
	if (t->judging != J_JUDGED || t->v == V_NODATA)
		return 3;
	return t->v == V_MET ? 1 : 2;
}

static struct cell reason(struct builder *b, const struct trow *row, enum lang l)
{
	b->text.len = 0;
	b->text.overflow = 0;
	if (b->text.data)
		b->text.data[0] = '\0';
	if (b->in->reason)
		b->in->reason(b->in->reason_ctx, l, row->st, row->tr, &b->text);
	return text(b->text.data ? b->text.data : "", MIBSNAP_TEXT_MAX);
}

static struct cell target_cell(struct builder *b, uint32_t col, const struct trow *row,
			       char *name, size_t namesz)
{
	const struct target_result *t = row->tr;
	const struct daytally *d = b->in->today;
	switch (col) {
	case 3:
		promexport_target_name(t, name, namesz);
		return text(name, MIBSNAP_NAME_MAX);
	case 4: return integer(target_state(t));
	case 5: return integer(verdict(t->v));
	case 6: return integer(judging(t->judging));
	case 7: return integer((long)t->sev + 1);
	case 8: return gauge(t->need);
	case 9: return gauge(t->up);
	case 10: return gauge(t->total);
	case 11: return reason(b, row, LANG_VI);
	case 12: return reason(b, row, LANG_EN);
	case 13:
		if (!d)
			return gauge(-1);
		return per_mille(row->site ? daytally_site_share(d, row->slot, row->t)
					   : daytally_commune_share(d, row->k, row->t));
	default: return gauge(-1);
	}
}

static void targets(struct builder *b)
{
	char name[3 * CFG_NAME_MAX + 8];
	for (uint32_t col = 3; col <= 13; col++)
		for (size_t i = 0; i < b->ntrows; i++) {
			const struct trow *row = &b->trows[i];
			uint32_t sub[] = {1, MIB_TARGETS, 1, col, mibsnap_commune_index(row->k),
					  row->site, (uint32_t)row->t + 1};
			struct cell c = target_cell(b, col, row, name, sizeof(name));
			put(b, sub, 7, &c);
		}
}

static void classes(struct builder *b)
{
	static const int states[] = {-1, DEV_UP, DEV_DOWN, DEV_UNKNOWN, DEV_NOT_POLLED, DEV_STALE};
	const size_t per = (size_t)CLS_COUNT * DEV_STATUS_COUNT;
	if (!b->in->classes)
		return;
	for (uint32_t col = 2; col <= 8; col++)
		for (size_t k = 0; k < b->in->r->ncommunes; k++)
			for (int cls = 0; cls < CLS_COUNT; cls++) {
				const size_t *n = b->in->classes + k * per + (size_t)cls * DEV_STATUS_COUNT;
				size_t total = 0;
				for (int st = 0; st < DEV_STATUS_COUNT; st++)
					total += n[st];
				if (!total)
					continue; /* a class the commune has no device of: no row */
				uint32_t sub[] = {1, MIB_CLASSES, 1, col, mibsnap_commune_index(k),
						  (uint32_t)cls + 1};
				struct cell c = col == 2 ? text(devclass_name((enum dev_class)cls),
								MIBSNAP_NAME_MAX)
						: col == 3 ? gauge((long)total)
							   : gauge((long)n[states[col - 3]]);
				put(b, sub, 6, &c);
			}
}

static void probes(struct builder *b)
{
	const struct probestat *ps = b->in->probes;
	if (!ps)
		return;
	for (uint32_t col = 2; col <= 5; col++)
		for (size_t i = 0; i < ps->n && i < PROBESTAT_MAX; i++) {
			const struct probe_status *p = &ps->p[i];
			uint32_t sub[] = {1, MIB_PROBES, 1, col, (uint32_t)i + 1};
			struct cell c = col == 2 ? text(p->name, MIBSNAP_NAME_MAX)
					: col == 3 ? gauge(p->last_contact > 0 ? (long)p->last_contact : 0)
					: col == 4 ? gauge(p->spool_batches > UINT32_MAX
							       ? (long)UINT32_MAX : (long)p->spool_batches)
						   : gauge(p->spool_lost > UINT32_MAX
							       ? (long)UINT32_MAX : (long)p->spool_lost);
			put(b, sub, 5, &c);
		}
}

/* Sites grouped by commune (a counting sort: the inventory need not list them so), then the
 * target rows in index order: each commune's own targets (site 0), then its sites'. */
static int plan_rows(struct builder *b)
{
	const struct readiness *r = b->in->r;
	const struct inventory *inv = b->in->inv;
	size_t *first = calloc(r->ncommunes + 1, sizeof(*first));
	size_t ntargets = 0;
	b->site_order = malloc((r->nsites ? r->nsites : 1) * sizeof(size_t));
	b->av = calloc(r->ncommunes ? r->ncommunes : 1, sizeof(*b->av));
	if (!first || !b->site_order || !b->av) {
		free(first);
		return -1;
	}
	for (size_t s = 0; s < r->nsites; s++) {
		first[inv->sites[s].commune + 1]++;
		ntargets += (size_t)r->sites[s].ntargets;
	}
	for (size_t k = 0; k < r->ncommunes; k++) {
		first[k + 1] += first[k];
		ntargets += (size_t)r->communes[k].nctargets;
	}
	for (size_t s = 0; s < r->nsites; s++)
		b->site_order[first[inv->sites[s].commune]++] = s; /* first[k] ends at k + 1's */
	free(first);
	b->trows = malloc((ntargets ? ntargets : 1) * sizeof(*b->trows));
	if (!b->trows)
		return -1;
	size_t i = 0;
	for (size_t k = 0; k < r->ncommunes; k++) {
		for (int t = 0; t < r->communes[k].nctargets; t++)
			b->trows[b->ntrows++] = (struct trow){k, r->nsites + k, 0, t,
							      &r->communes[k].targets[t], NULL};
		for (; i < r->nsites && inv->sites[b->site_order[i]].commune == k; i++) {
			const struct site_result *sr = &r->sites[b->site_order[i]];
			for (int t = 0; t < sr->ntargets; t++)
				b->trows[b->ntrows++] =
				    (struct trow){k, sr->site, (uint32_t)sr->site + 1, t,
						  &sr->targets[t], sr->type};
		}
	}
	for (size_t j = 0; j < b->ntrows; j++)
		availability_add(b, &b->trows[j]);
	return 0;
}

static int entry_cmp(const uint32_t *a, size_t na, const uint64_t *key, size_t nk)
{
	for (size_t i = 0; i < na && i < nk; i++)
		if (a[i] != key[i])
			return a[i] < key[i] ? -1 : 1;
	return na < nk ? -1 : na > nk ? 1 : 0;
}

/* The tables are written column by column, rows in index order: OID order by construction.
 * Checked all the same, as a GETNEXT over an unsorted array would loop or skip. */
static int in_order(const struct mibsnap *s)
{
	for (size_t i = 1; i < s->n; i++) {
		uint64_t key[MIBSNAP_MAX_SUB];
		for (size_t j = 0; j < s->e[i].nsub; j++)
			key[j] = s->e[i].sub[j];
		if (entry_cmp(s->e[i - 1].sub, s->e[i - 1].nsub, key, s->e[i].nsub) >= 0)
			return 0;
	}
	return 1;
}

int mibsnap_build(struct mibsnap *s, const struct mibsnap_input *in)
{
	struct builder b = {s, in, {0}, NULL, NULL, 0, NULL, 0};
	s->n = s->poolsz = 0;
	s->overflow = 0;
	s->at = in->r->at;
	if (in->r->ncommunes != in->inv->ncommunes || in->r->nsites != in->inv->nsites ||
	    strbuf_init(&b.text, 4 * MIBSNAP_TEXT_MAX) < 0 || plan_rows(&b) < 0) {
		b.failed = 1;
	} else {
		district(&b);
		communes(&b);
		sites(&b);
		targets(&b);
		classes(&b);
		probes(&b);
	}
	if (!b.failed && !in_order(s))
		b.failed = 1, s->n = 0; /* a bug: serve nothing rather than loop a walker */
	strbuf_free(&b.text);
	free(b.site_order);
	free(b.trows);
	free(b.av);
	s->overflow = b.failed;
	return b.failed ? -1 : 0;
}

void mibsnap_free(struct mibsnap *s)
{
	free(s->e);
	free(s->pool);
	memset(s, 0, sizeof(*s));
}

/* The first entry not before key (with exact: at key). */
static size_t lower_bound(const struct mibsnap *s, const uint64_t *key, size_t n)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (entry_cmp(s->e[mid].sub, s->e[mid].nsub, key, n) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct mibsnap_entry *mibsnap_get(const struct mibsnap *s, const uint64_t *sub, size_t n)
{
	size_t i = lower_bound(s, sub, n);
	return i < s->n && entry_cmp(s->e[i].sub, s->e[i].nsub, sub, n) == 0 ? &s->e[i] : NULL;
}

const struct mibsnap_entry *mibsnap_next(const struct mibsnap *s, const uint64_t *sub, size_t n)
{
	size_t i = lower_bound(s, sub, n);
	if (i < s->n && entry_cmp(s->e[i].sub, s->e[i].nsub, sub, n) == 0)
		i++;
	return i < s->n ? &s->e[i] : NULL;
}

const char *mibsnap_string(const struct mibsnap *s, const struct mibsnap_entry *e)
{
	return s->pool ? s->pool + e->off : "";
}
