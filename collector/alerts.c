#include "alerts.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alertfsm.h"
#include "alertstore.h"
#include "digest.h"
#include "assign.h"
#include "daytally.h"
#include "collector.h"
#include "log.h"
#include "mailmsg.h"
#include "readiness.h"
#include "tallystore.h"
#include "texts.h"
#include "viewer.h"
#include "webhook.h"
#include "wire.h"

#include <json-c/json.h>

struct commune_alerts {
	struct alert uplink;
	struct alert ct[CFG_MAX_COMMUNE_TARGETS]; /* [commune-targets], in config order */
	struct digest_change *chg;
	size_t nchg, capchg;
	time_t last_mail;
	enum verdict last_v; /* when it was last judged (a target of it judged) */
	time_t last_judged;
	int is_short; /* a critical alert of it firing, as c->on_commune was last told */
};

#define SITE_ALERTS (CLS_COUNT + CFG_MAX_METRIC_TARGETS)

struct alerts {
	size_t nsites, ncommunes;
	/* per site: one alert per class target, then one per value target of its type */
	struct alert (*site)[SITE_ALERTS];
	struct commune_alerts *com;
	struct hours hours;
	struct hours *type_hours; /* per site type (cfg order): its own or the district's */
	size_t ntypes;
	/* this tick: whether each type's hours judge now (J_JUDGED, J_OFF_HOURS, J_GRACE); the
	 * last, [ntypes], for sites without a type */
	enum judging *type_why;
	/* each site's devices, listed once (site_first[s], then dev_next[i]; ndevices ends):
	 * a reason names the devices down at its site without a scan of the district */
	size_t *site_first, *dev_next;
	int nct; /* commune targets in the configuration it was built for */
	time_t last_tick, first_tick;
	uint64_t last_samples; /* samples applied when it last judged */
	uint64_t nticks, cpu_ns; /* judgements made, and their CPU time (this thread's) */
	struct readiness now;    /* the last tick's, judging set; has_now once there is one */
	struct readiness_cache rows; /* each device's value rows, counted once per sample */
	int has_now;
	struct daytally today; /* each target's verdicts since midnight, tick by tick */
	struct daytally month; /* the same since the first of the month */
	int short_settled; /* is_short matches the alerts (set silently after a restart) */
	unsigned long serial;
	long last_ack;
	/* the probes the inventory names, one alert each: silent for stale_after */
	char (*probe_name)[CFG_NAME_MAX];
	struct alert *probe;
	size_t nprobes;
	struct commune_alerts district; /* probe changes: mailed to district IT only */
	struct alertstore *kept;        /* firing alerts across restarts; NULL without a store */
	struct tallystore *tallies;     /* today's and the month's tallies, the same */
	time_t tallies_saved;           /* when they were last written there */
	/* this tick's maintenance: per commune, per site, per site and class */
	char *maint_commune, *maint_site, (*maint_cls)[CLS_COUNT];
};

/* Each site's devices, in inventory order. */
static int list_site_devices(struct alerts *a, const struct inventory *inv)
{
	a->site_first = malloc((inv->nsites ? inv->nsites : 1) * sizeof(size_t));
	a->dev_next = malloc((inv->ndevices ? inv->ndevices : 1) * sizeof(size_t));
	if (!a->site_first || !a->dev_next)
		return -1;
	for (size_t s = 0; s < inv->nsites; s++)
		a->site_first[s] = inv->ndevices;
	for (size_t i = inv->ndevices; i-- > 0;) {
		a->dev_next[i] = a->site_first[inv->devices[i].site];
		a->site_first[inv->devices[i].site] = i;
	}
	return 0;
}

/* The probes the inventory's polled devices name (their own, or the default one). */
static int list_probes(struct alerts *a, const struct collector *c)
{
	a->probe_name = calloc(c->inv->ndevices + 1, sizeof(*a->probe_name));
	a->probe = calloc(c->inv->ndevices + 1, sizeof(*a->probe));
	if (!a->probe_name || !a->probe)
		return -1;
	for (size_t i = 0; i < c->inv->ndevices; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		const char *name = assignment_owner(d, c->cfg->default_probe);
		size_t k = 0;
		if (!readiness_polled(d) || !name[0])
			continue;
		while (k < a->nprobes && strcmp(a->probe_name[k], name) != 0)
			k++;
		if (k == a->nprobes)
			snprintf(a->probe_name[a->nprobes++], CFG_NAME_MAX, "%s", name);
	}
	return 0;
}

static struct alert *find_alert(struct alerts *a, const struct collector *c, const char *commune,
				const char *site, const char *target, long *k);

struct restore_ctx {
	struct alerts *a;
	const struct collector *c;
	int n;
};

static void restore_one(void *ctx, const char *commune, const char *site, const char *target,
			const struct alert *kept)
{
	struct restore_ctx *x = ctx;
	long k;
	struct alert *al = find_alert(x->a, x->c, commune, site, target, &k);
	if (al) {
		*al = *kept;
		x->n++;
	}
}

/* The alerts firing when the collector last stopped, as they were (their mail was sent). */
static void restore_kept(struct alerts *a, const struct collector *c)
{
	char err[200];
	if (!c->store || !(a->kept = alertstore_open(c->store, err, sizeof(err)))) {
		if (c->store)
			log_warnx("alerts", "%s: firing alerts are not kept across restarts", err);
		return;
	}
	struct restore_ctx x = {a, c, 0};
	alertstore_each(a->kept, restore_one, &x);
	if (x.n)
		log_info("alerts", "%d alerts still firing since before the restart", x.n);
	if (!(a->tallies = tallystore_open(c->store, err, sizeof(err))))
		log_warnx("alerts", "%s: today's and this month's tallies count from each start",
			  err);
}

/* Every few minutes, and at a reload and a stop (alerts_keep_tallies): a crash loses this
 * much of the day's and the month's tallies, no more. */
#define TALLY_SAVE_EVERY 300

void alerts_keep_tallies(struct alerts *a, const struct inventory *inv)
{
	if (!a || !a->has_now || !a->tallies)
		return;
	tallystore_save(a->tallies, "day", &a->today, &a->now, inv);
	tallystore_save(a->tallies, "month", &a->month, &a->now, inv);
	a->tallies_saved = a->now.at;
}

/* At the first tick: what was counted today and this month before the restart (or reload). */
static void take_back_tallies(struct alerts *a, const struct readiness *r,
			      const struct inventory *inv, time_t now)
{
	a->tallies_saved = now;
	if (!a->tallies)
		return;
	int day = tallystore_load(a->tallies, "day", &a->today, r, inv, now);
	int month = tallystore_load(a->tallies, "month", &a->month, r, inv, now);
	if (day > 0 || month > 0)
		log_info("alerts", "today's tallies of %d targets and this month's of %d go on from "
			 "before the restart", day > 0 ? day : 0, month > 0 ? month : 0);
}

struct alerts *alerts_new(const struct collector *c, struct errlist *errs)
{
	struct alerts *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	char err[200];
	a->nsites = c->inv->nsites;
	a->ncommunes = c->inv->ncommunes;
	a->site = calloc(a->nsites ? a->nsites : 1, sizeof(*a->site));
	a->com = calloc(a->ncommunes ? a->ncommunes : 1, sizeof(*a->com));
	a->maint_commune = calloc(a->ncommunes ? a->ncommunes : 1, 1);
	a->maint_site = calloc(a->nsites ? a->nsites : 1, 1);
	a->maint_cls = calloc(a->nsites ? a->nsites : 1, sizeof(*a->maint_cls));
	if (!a->site || !a->com || !a->maint_commune || !a->maint_site || !a->maint_cls ||
	    hours_parse_days(c->cfg->work_days, &a->hours.days, err, sizeof(err)) < 0 ||
	    hours_parse_spans(c->cfg->work_hours, &a->hours, err, sizeof(err)) < 0 ||
	    (c->cfg->holidays[0] && hours_load_holidays(&a->hours, c->cfg->holidays, errs) < 0)) {
		alerts_free(a);
		return NULL;
	}
	a->rows.ndev = c->inv->ndevices;
	if (!(a->rows.dev = calloc(a->rows.ndev ? a->rows.ndev : 1, sizeof(*a->rows.dev))) ||
	    list_probes(a, c) < 0 || list_site_devices(a, c->inv) < 0) {
		alerts_free(a);
		return NULL;
	}
	a->ntypes = c->cfg->nsite_types;
	a->nct = c->cfg->ncommune_targets;
	a->type_hours = calloc(a->ntypes ? a->ntypes : 1, sizeof(*a->type_hours));
	a->type_why = calloc(a->ntypes + 1, sizeof(*a->type_why));
	if (!a->type_hours || !a->type_why) {
		alerts_free(a);
		return NULL;
	}
	for (size_t i = 0; i < a->ntypes; i++) {
		const struct site_type *st = &c->cfg->site_types[i];
		if (hours_override(&a->type_hours[i], &a->hours, st->work_days, st->work_hours, err,
				   sizeof(err)) < 0) {
			errlist_add(errs, "[site-type %s]: %s", st->name, err);
			alerts_free(a);
			return NULL;
		}
	}
	a->month.by_month = 1;
	restore_kept(a, c);
	return a;
}

const struct hours *alerts_hours(const struct alerts *a) { return &a->hours; }

void alerts_carry(struct alerts *dst, const struct inventory *dinv, struct alerts *src,
		  const struct inventory *sinv)
{
	if (!src)
		return;
	dst->last_tick = src->last_tick;
	dst->first_tick = src->first_tick;
	dst->serial = src->serial;
	dst->short_settled = src->short_settled;
	dst->last_ack = src->last_ack;
	for (size_t k = 0; k < dst->ncommunes && k < dinv->ncommunes; k++) {
		long o = alerts_find_commune(sinv, dinv->communes[k].name);
		if (o < 0 || (size_t)o >= src->ncommunes)
			continue;
		struct commune_alerts *d = &dst->com[k], *s = &src->com[o];
		d->uplink = s->uplink;
		if (dst->nct == src->nct) /* by position: the same list of commune targets */
			memcpy(d->ct, s->ct, sizeof(d->ct));
		free(d->chg);
		d->chg = s->chg;
		d->nchg = s->nchg;
		d->capchg = s->capchg;
		d->last_mail = s->last_mail;
		d->last_v = s->last_v;
		d->last_judged = s->last_judged;
		d->is_short = s->is_short;
		s->chg = NULL;
		s->nchg = s->capchg = 0;
	}
	for (size_t p = 0; p < dst->nprobes; p++)
		for (size_t o = 0; o < src->nprobes; o++)
			if (strcmp(dst->probe_name[p], src->probe_name[o]) == 0)
				dst->probe[p] = src->probe[o];
	free(dst->district.chg);
	dst->district = src->district;
	memset(&src->district, 0, sizeof(src->district));
	alerts_keep_tallies(src, sinv); /* dst takes them back by name at its first tick */
	for (size_t i = 0; i < dst->nsites && i < dinv->nsites; i++) {
		long k = alerts_find_commune(sinv, dinv->communes[dinv->sites[i].commune].name);
		long o = k < 0 ? -1 : alerts_find_site(sinv, (size_t)k, dinv->sites[i].name);
		if (o >= 0 && (size_t)o < src->nsites)
			memcpy(dst->site[i], src->site[o], sizeof(dst->site[i]));
	}
}

void alerts_free(struct alerts *a)
{
	if (!a)
		return;
	for (size_t i = 0; a->com && i < a->ncommunes; i++)
		free(a->com[i].chg);
	free(a->com);
	free(a->site);
	if (a->has_now)
		readiness_free(&a->now);
	daytally_free(&a->today);
	daytally_free(&a->month);
	alertstore_close(a->kept);
	tallystore_close(a->tallies);
	free(a->rows.dev);
	free(a->probe_name);
	free(a->probe);
	free(a->district.chg);
	free(a->maint_commune);
	free(a->maint_site);
	free(a->maint_cls);
	free(a->type_hours); /* they share a->hours' holidays */
	free(a->type_why);
	free(a->site_first);
	free(a->dev_next);
	hours_free(&a->hours);
	free(a);
}

static void hhmm(char *dst, size_t n, time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(dst, n, "%H:%M", &tm);
}

/* " — HP MFP (10.12.3.21) down since 09:00; …" for the devices of a class down at a site. */
static void down_devices(struct strbuf *o, const struct alerts *a, const struct collector *c,
			 enum lang l, size_t site, int cls, time_t now)
{
	const struct i18n *t = c->i18n;
	int shown = 0;
	for (size_t i = a->site_first[site]; i < c->inv->ndevices; i = a->dev_next[i]) {
		const struct inv_device *d = &c->inv->devices[i];
		if (cls >= 0 && (int)d->cls != cls)
			continue;
		if (state_status(&c->state, i, readiness_polled(d), now, c->cfg->stale_after) == DEV_UP)
			continue;
		if (shown++ == 4) {
			strbuf_puts(o, "; …");
			break;
		}
		strbuf_puts(o, shown == 1 ? " — " : "; ");
		strbuf_printf(o, "%s", d->name);
		if (d->host[0])
			strbuf_printf(o, " (%s)", d->host);
		time_t since = c->state.dev[i].down_since;
		if (since) {
			char hm[8];
			hhmm(hm, sizeof(hm), since);
			strbuf_printf(o, " %s %s", i18n_get(t, l, "alert.down_since"), hm);
		}
	}
}

static void add_change(struct commune_alerts *ca, int firing, time_t now,
		       char text[LANG_COUNT][512], const struct alert *al, long out_for)
{
	if (ca->nchg == ca->capchg) {
		size_t cap = ca->capchg ? ca->capchg * 2 : 8;
		struct digest_change *n = realloc(ca->chg, cap * sizeof(*n));
		if (!n)
			return;
		ca->chg = n;
		ca->capchg = cap;
	}
	struct digest_change *ch = &ca->chg[ca->nchg++];
	ch->firing = firing;
	ch->warning = al && al->warning;
	ch->at = now;
	ch->out_for = out_for;
	for (int l = 0; l < LANG_COUNT; l++) {
		snprintf(ch->text[l], sizeof(ch->text[l]), "%s", text[l]);
		snprintf(ch->what[l], sizeof(ch->what[l]), "%s", al ? al->what[l] : "");
	}
}

/* The state machine's input for a verdict: 1 missed, 0 met, -1 not judged (not judged now,
 * or no data: what is not known neither fires nor resolves an alert). */
static int alert_input(int judged, enum verdict v)
{
	return !judged || v == V_NODATA ? -1 : v == V_MISSED;
}

/* One step of a state machine (missed: 1, met: 0, not judged: -1); what changed is recorded
 * for the digest, the event history and the log. */
/* An alert by name: its commune (the district for a probe's), site (NULL for a commune's
 * own), target ("scanner", "uplink", "probe x"). */
struct named {
	const char *commune, *site, *target;
	long site_index; /* target NULL: a site's, named from (site_index, slot) when it changes */
	int slot;
};

static const char *site_target_name(const struct collector *c, size_t s, int t, char *buf,
				    size_t bufsz);

static void step(struct alerts *a, struct alert *al, int missed, time_t now,
		 const struct collector *c, struct commune_alerts *ca, const struct named *n)
{
	struct alert_timing t = {c->cfg->alert_pending, c->cfg->alert_recover};
	time_t fired = al->st == A_FIRING ? al->since : 0;
	enum alert_change ch = alert_step(al, (enum alert_input)missed, now, &t);
	if (ch == AC_NONE)
		return;
	const char *name = ch == AC_FIRING ? "firing" : "resolved";
	char buf[64];
	struct named nm = *n;
	if (!nm.target) /* named only now: most ticks change nothing */
		nm.target = site_target_name(c, (size_t)n->site_index, n->slot, buf, sizeof(buf));
	n = &nm;
	/* a recovery says how long it was out: from the first step missed (pending before it
	 * fired) until met again */
	long out = ch == AC_RESOLVED && fired ? (long)(al->met_since - (fired - t.pending)) : 0;
	add_change(ca, ch == AC_FIRING, now, al->reason, al, out);
	store_event(c->store, now, n->commune, n->target, name, al->reason[LANG_VI],
		    al->reason[LANG_EN]);
	if (a->kept) /* a restart neither mails it again nor forgets its recovery */
		alertstore_save(a->kept, n->commune, n->site, n->target, al);
	log_info("alerts", "%s: %s: %s", n->commune, name, al->reason[LANG_EN]);
}

/* Each commune's routers (polled ones), how many are up and not heard from lately, and its
 * other devices not up: one pass over the devices for the whole district. */
struct uplinks {
	int routers, up, unknown;
	size_t behind;
};

static void count_uplinks(const struct collector *c, time_t now, struct uplinks *u)
{
	for (size_t i = 0; i < c->inv->ndevices; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		if (!readiness_polled(d))
			continue;
		enum dev_status st = state_status(&c->state, i, 1, now, c->cfg->stale_after);
		struct uplinks *k = &u[d->commune];
		if (d->cls == CLS_ROUTER) {
			k->routers++;
			k->up += st == DEV_UP;
			k->unknown += st == DEV_UNKNOWN || st == DEV_STALE;
		} else if (st != DEV_UP) {
			k->behind++;
		}
	}
}

/* The commune's uplink: 1 down (it has polled routers, none up, all of them heard from), 0
 * up, -1 not known (no router up and one not heard from lately: its probe may be silent). */
static int uplink_state(const struct uplinks *u)
{
	if (!u->routers || u->up)
		return 0;
	return u->unknown ? -1 : 1;
}

/* What an alert is about, for mail subjects and recoveries: the thing (a catalogue key's
 * text, or label when key is NULL), "of" where, when given ("máy quét của Bộ phận một cửa");
 * the catalogue keys of its problem word and of what to check first. */
static void about(struct alert *al, const struct collector *c, const char *key, const char *label,
		  const char *where, const char *problem, const char *check, int warning)
{
	for (int l = 0; l < LANG_COUNT; l++) {
		const char *thing = key ? i18n_get(c->i18n, (enum lang)l, key) : label;
		if (where && where[0])
			snprintf(al->what[l], sizeof(al->what[l]), "%s %s %s", thing,
				 i18n_get(c->i18n, (enum lang)l, "alert.of"), where);
		else
			snprintf(al->what[l], sizeof(al->what[l]), "%s", thing);
	}
	snprintf(al->problem_key, sizeof(al->problem_key), "%s", problem);
	snprintf(al->check_key, sizeof(al->check_key), "%s", check);
	al->warning = warning;
}

/* What to check first for a target: its own text (check.class.scanner, check.value.supply)
 * when the catalogue has one, the kind's otherwise. */
static void check_key(char *dst, size_t n, const struct collector *c, const char *kind,
		      const char *name)
{
	snprintf(dst, n, "check.%s.%s", kind, name);
	if (strcmp(i18n_get(c->i18n, LANG_VI, dst), dst) == 0)
		snprintf(dst, n, "check.%s", kind);
}

static void uplink_reason(const struct alerts *a, struct alert *al, const struct collector *c,
			  size_t commune, size_t behind, time_t now)
{
	for (int l = 0; l < LANG_COUNT; l++) {
		struct strbuf sb;
		if (strbuf_init(&sb, sizeof(al->reason[l]) - 1) < 0)
			return;
		strbuf_puts(&sb, i18n_get(c->i18n, (enum lang)l, "alert.uplink"));
		for (size_t s = 0; s < c->inv->nsites; s++)
			if (c->inv->sites[s].commune == commune)
				down_devices(&sb, a, c, (enum lang)l, s, CLS_ROUTER, now);
		strbuf_printf(&sb, "; %zu %s", behind, i18n_get(c->i18n, (enum lang)l, "alert.behind"));
		snprintf(al->reason[l], sizeof(al->reason[l]), "%s", sb.data ? sb.data : "");
		strbuf_free(&sb);
	}
	about(al, c, "alert.uplink", NULL, NULL, "alert.problem.down", "check.uplink", 0);
}

static void target_reason(const struct alerts *a, struct alert *al, const struct collector *c,
			  const struct site_result *sr, const struct target_result *t, time_t now)
{
	for (int l = 0; l < LANG_COUNT; l++) {
		struct strbuf sb;
		if (strbuf_init(&sb, sizeof(al->reason[l]) - 1) < 0)
			return;
		/* the site's name, unless the type's label already says it */
		const char *name = c->inv->sites[sr->site].name;
		if (!sr->type || (strcmp(name, sr->type->label_vi) != 0 &&
				  strcmp(name, sr->type->label_en) != 0))
			strbuf_printf(&sb, "%s: ", name);
		text_reason(&sb, c->i18n, (enum lang)l, sr->type, t);
		down_devices(&sb, a, c, (enum lang)l, sr->site, (int)t->cls, now);
		snprintf(al->reason[l], sizeof(al->reason[l]), "%s", sb.data ? sb.data : "");
		strbuf_free(&sb);
	}
	char key[48], check[48];
	int value = t->kind == TK_METRIC && t->mt;
	snprintf(key, sizeof(key), value ? "group.%s" : "class.%s",
		 value ? t->mt->group : devclass_name(t->cls));
	check_key(check, sizeof(check), c, value ? "value" : "class",
		  value ? t->mt->group : devclass_name(t->cls));
	about(al, c, key, NULL, c->inv->sites[sr->site].name,
	      value ? "alert.problem.value" : "alert.problem.down", check, t->sev == SEV_WARNING);
}

static void commune_target_reason(const struct alerts *a, struct alert *al,
				  const struct collector *c, size_t commune,
				  const struct target_result *t, time_t now)
{
	for (int l = 0; l < LANG_COUNT; l++) {
		struct strbuf sb;
		if (strbuf_init(&sb, sizeof(al->reason[l]) - 1) < 0)
			return;
		text_reason(&sb, c->i18n, (enum lang)l, NULL, t);
		if (t->kind == TK_CLASS_MIN_UP)
			for (size_t s = 0; s < c->inv->nsites; s++)
				if (c->inv->sites[s].commune == commune)
					down_devices(&sb, a, c, (enum lang)l, s, (int)t->cls, now);
		snprintf(al->reason[l], sizeof(al->reason[l]), "%s", sb.data ? sb.data : "");
		strbuf_free(&sb);
	}
	char key[48], check[48];
	if (t->kind == TK_SITES_MET && t->site_type) {
		about(al, c, NULL, t->site_type->label_vi, NULL, "alert.problem.sites", "check.sites",
		      t->sev == SEV_WARNING);
		snprintf(al->what[LANG_EN], sizeof(al->what[LANG_EN]), "%s",
			 t->site_type->label_en[0] ? t->site_type->label_en : t->site_type->label_vi);
		return;
	}
	snprintf(key, sizeof(key), "class.%s", devclass_name(t->cls));
	check_key(check, sizeof(check), c, "class", devclass_name(t->cls));
	about(al, c, key, NULL, NULL, "alert.problem.down", check, t->sev == SEV_WARNING);
}

/* "pc" or "site.meeting-room": how a commune-wide target is named in events and the API. */
static const char *ct_name(const struct collector *c, int t, char *buf, size_t n)
{
	const struct commune_target *ct = &c->cfg->commune_targets[t];
	if (ct->kind == CT_CLASS)
		return devclass_name(ct->cls);
	snprintf(buf, n, "site.%s", ct->site_type);
	return buf;
}

struct rcpt_ctx {
	const char *addr[64];
	enum lang lang[64];
	int n;
};

static void add_rcpt(void *ctx, const char *addr, const char *lang)
{
	struct rcpt_ctx *r = ctx;
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->addr[i], addr) == 0)
			return;
	if (r->n < 64) {
		r->addr[r->n] = strdup(addr);
		if (!r->addr[r->n])
			return;
		r->lang[r->n++] = lang_parse(lang, LANG_VI);
	}
}

/* One message into the outbox, its queuing in the event history: 1, or 0 (told once per
 * streak: tried again each second while the disk is full). */
static int queue_mail(struct alerts *a, struct collector *c, const char *who, const char *rcpt,
		      const char *subj, const char *body, time_t now)
{
	struct strbuf msg;
	struct mail_in m = {c->cfg->mail_from, rcpt, subj ? subj : "", body ? body : "", now,
			    ++a->serial};
	int ok = strbuf_init(&msg, 4u << 20) == 0 && mailmsg_build(&msg, &m) == 0 && msg.data &&
		 store_outbox_add(c->store, now, rcpt, msg.data) > 0;
	if (ok)
		store_event(c->store, now, who, rcpt, "mail_queued", subj ? subj : "", NULL);
	else if (lograte_allow(&c->warnings, "digest not queued", who, now))
		log_warnx("alerts", "%s: digest for %s could not be queued (tried again)", who, rcpt);
	strbuf_free(&msg);
	return ok;
}

/* One recipient's message: the digest in their language, into the outbox (1, or 0). */
static int compose_and_queue(struct alerts *a, struct collector *c, const struct digest_in *in,
			     const char *who, const char *rcpt, enum lang l)
{
	struct strbuf subj = {0}, body = {0};
	int ok = strbuf_init(&subj, 1024) == 0 && strbuf_init(&body, 1u << 20) == 0 &&
		 digest_compose(&subj, &body, in, l) == 0 &&
		 queue_mail(a, c, who, rcpt, subj.data, body.data, in->now);
	strbuf_free(&subj);
	strbuf_free(&body);
	return ok;
}

/* District IT's digest of the probes' changes: to [alerts] recipients only, never to a
 * commune (a silent probe is the district's, not the communes', to fix). */
static void send_district_digest(struct alerts *a, struct collector *c, time_t now)
{
	struct commune_alerts *da = &a->district;
	struct rcpt_ctx r = {.n = 0};
	int queued = 0, hooks = 0;
	if (!c->cfg->smtp_url[0] && !c->cfg->nwebhooks) {
		da->nchg = 0;
		da->last_mail = now;
		return;
	}
	if (c->cfg->smtp_url[0])
		config_emails(c->cfg->recipients, add_rcpt, &r);
	const struct alert **firing = calloc(a->nprobes + 1, sizeof(*firing));
	struct digest_in in = {c->cfg, c->i18n, NULL, 0, da->chg, da->nchg, firing, 0, now};
	for (size_t p = 0; firing && p < a->nprobes; p++)
		if (a->probe[p].st == A_FIRING)
			firing[in.nfiring++] = &a->probe[p];
	for (int i = 0; firing && i < r.n; i++)
		queued += compose_and_queue(a, c, &in, c->cfg->district, r.addr[i], r.lang[i]);
	if (firing)
		queued += webhook_queue(c->store, &in, c->cfg->district, &a->serial, &hooks);
	free(firing);
	if (!r.n && !hooks)
		log_info("alerts", "probes: %zu changes, no recipient ([alerts] recipients)", da->nchg);
	for (int i = 0; i < r.n; i++)
		free((void *)(uintptr_t)r.addr[i]);
	if ((r.n || hooks) && !queued)
		return;
	da->nchg = 0;
	da->last_mail = now;
}

/* A commune's firing alerts in the order a mail names them: its uplink, its own targets,
 * its sites'. */
struct firing {
	const struct alert *al[1 + CFG_MAX_COMMUNE_TARGETS + 256];
	int n;
};

static void firing_add(struct firing *f, const struct alert *al)
{
	if (al->st != A_FIRING || f->n == (int)(sizeof(f->al) / sizeof(f->al[0])))
		return;
	f->al[f->n++] = al;
}

static void firing_list(struct firing *f, const struct alerts *a, const struct collector *c,
			size_t commune)
{
	const struct commune_alerts *ca = &a->com[commune];
	f->n = 0;
	firing_add(f, &ca->uplink);
	for (int t = 0; t < CFG_MAX_COMMUNE_TARGETS; t++)
		firing_add(f, &ca->ct[t]);
	for (size_t s = 0; s < a->nsites; s++)
		for (int k = 0; c->inv->sites[s].commune == commune && k < SITE_ALERTS; k++)
			firing_add(f, &a->site[s][k]);
}

/* The commune's digest, one message per recipient, into the outbox. */
static void send_digest(struct alerts *a, struct collector *c, size_t commune, time_t now)
{
	struct commune_alerts *ca = &a->com[commune];
	const char *cname = c->inv->communes[commune].name;
	struct rcpt_ctx r = {.n = 0};
	if (!c->cfg->smtp_url[0] && !c->cfg->nwebhooks) {
		/* nowhere to send: the events are the record, nothing piles up */
		ca->nchg = 0;
		ca->last_mail = now;
		return;
	}
	for (size_t i = 0; c->cfg->smtp_url[0] && i < c->inv->ndevices; i++)
		if (c->inv->devices[i].commune == commune && c->inv->devices[i].contact[0])
			config_emails(c->inv->devices[i].contact, add_rcpt, &r);
	if (c->cfg->smtp_url[0])
		config_emails(c->cfg->recipients, add_rcpt, &r);
	struct firing *f = calloc(1, sizeof(*f));
	int queued = 0, hooks = 0;
	if (f)
		firing_list(f, a, c, commune);
	struct digest_in in = {c->cfg, c->i18n, cname, commune, ca->chg, ca->nchg,
			       f ? f->al : NULL, f ? f->n : 0, now};
	for (int i = 0; f && i < r.n; i++)
		queued += compose_and_queue(a, c, &in, cname, r.addr[i], r.lang[i]);
	if (f)
		queued += webhook_queue(c->store, &in, cname, &a->serial, &hooks);
	free(f);
	if (!r.n && !hooks)
		log_info("alerts", "%s: %zu changes, no recipient (inventory contact, [alerts] "
			 "recipients or a [webhook])", cname, ca->nchg);
	for (int i = 0; i < r.n; i++)
		free((void *)(uintptr_t)r.addr[i]);
	if ((r.n || hooks) && !queued)
		return; /* the store refused them all (or no memory): the changes wait */
	ca->nchg = 0;
	ca->last_mail = now;
}

long alerts_find_commune(const struct inventory *inv, const char *name)
{
	for (size_t k = 0; k < inv->ncommunes; k++)
		if (strcmp(inv->communes[k].name, name) == 0)
			return (long)k;
	return -1;
}

long alerts_find_site(const struct inventory *inv, size_t commune, const char *name)
{
	for (size_t s = 0; s < inv->nsites; s++)
		if (inv->sites[s].commune == commune && strcmp(inv->sites[s].name, name) == 0)
			return (long)s;
	return -1;
}

struct maint_ctx {
	struct alerts *a;
	const struct collector *c;
	time_t now;
};

static void on_maint(void *ctx, const struct maint *m)
{
	struct maint_ctx *mc = ctx;
	const struct inventory *inv = mc->c->inv;
	if (m->start > mc->now)
		return;
	long k = alerts_find_commune(inv, m->commune);
	if (k < 0)
		return;
	if (m->device[0]) {
		long i = inventory_find(inv, m->commune, m->device);
		if (i >= 0)
			mc->a->maint_cls[inv->devices[i].site][inv->devices[i].cls] = 1;
	} else if (m->site[0]) {
		long s = alerts_find_site(inv, (size_t)k, m->site);
		if (s >= 0)
			mc->a->maint_site[s] = 1;
	} else {
		mc->a->maint_commune[k] = 1;
	}
}

struct ack_ctx {
	struct alerts *a;
	struct collector *c;
	time_t now;
};

/* "scanner", or a value target's "printer.supply.percent". */
static const char *site_target_name(const struct collector *c, size_t s, int t, char *buf,
				    size_t bufsz)
{
	if (t < CLS_COUNT)
		return devclass_name((enum dev_class)t);
	const struct site_type *st = config_site_type(c->cfg, c->inv->sites[s].type);
	int m = t - CLS_COUNT;
	if (!st || m >= st->nmtargets)
		return "value";
	const struct metric_target *mt = &st->mtargets[m];
	snprintf(buf, bufsz, "%s.%s.%s", devclass_name(mt->cls), mt->group, mt->metric);
	return buf;
}

/* An alert by the names events, acknowledgements and the kept states give it; NULL when
 * the inventory has no such thing (any more); *k its commune. */
static struct alert *find_alert(struct alerts *a, const struct collector *c, const char *commune,
				const char *site, const char *target, long *k)
{
	const struct inventory *inv = c->inv;
	*k = alerts_find_commune(inv, commune);
	if (*k < 0) {
		for (size_t p = 0; strcmp(commune, c->cfg->district) == 0 && p < a->nprobes; p++)
			if (strncmp(target, "probe ", 6) == 0 && strcmp(target + 6, a->probe_name[p]) == 0)
				return &a->probe[p];
		return NULL;
	}
	if (strcmp(target, "uplink") == 0)
		return &a->com[*k].uplink;
	if (!site[0]) { /* a commune-wide target, by the name alerts give it */
		for (int t = 0; t < a->nct && t < c->cfg->ncommune_targets; t++) {
			char buf[CFG_NAME_MAX + 8];
			if (strcmp(ct_name(c, t, buf, sizeof(buf)), target) == 0)
				return &a->com[*k].ct[t];
		}
		return NULL;
	}
	long s = alerts_find_site(inv, (size_t)*k, site);
	/* a class, or a value target by the name the alert shows */
	for (int t = 0; s >= 0 && t < SITE_ALERTS; t++) {
		char buf[64];
		if (strcmp(site_target_name(c, (size_t)s, t, buf, sizeof(buf)), target) == 0)
			return &a->site[s][t];
	}
	return NULL;
}

static void on_ack(void *ctx, const struct ack *ak)
{
	struct ack_ctx *x = ctx;
	long k;
	struct alert *al = find_alert(x->a, x->c, ak->commune, ak->site, ak->target, &k);
	if (!al || k < 0 || al->st != A_FIRING || al->acked_by[0])
		return;
	/* name and note come from a form or the command line: cut on a character, made valid */
	utf8_sanitize(al->acked_by, sizeof(al->acked_by), ak->by, strlen(ak->by));
	char text[LANG_COUNT][512], tmp[1400];
	for (int l = 0; l < LANG_COUNT; l++) {
		snprintf(tmp, sizeof(tmp), "%s (%s: %s%s%s)", al->reason[l],
			 i18n_get(x->c->i18n, (enum lang)l, "alert.acked_by"), al->acked_by,
			 ak->note[0] ? " — " : "", ak->note);
		utf8_sanitize(text[l], sizeof(text[l]), tmp, strlen(tmp));
	}
	add_change(&x->a->com[k], 2, x->now, text, al, 0);
	store_event(x->c->store, x->now, ak->commune, ak->target, "acknowledged", text[LANG_VI],
		    text[LANG_EN]);
	if (x->a->kept)
		alertstore_save(x->a->kept, ak->commune, ak->site[0] ? ak->site : NULL, ak->target,
				al);
}

/* "Probe x has sent nothing since 04/12 09:01 — 37 devices without recent data"; since 0:
 * "Probe x sends again". */
static void probe_reason(struct alert *al, const struct collector *c, const char *name,
			 time_t since, time_t now)
{
	size_t quiet = 0;
	char when[32];
	for (size_t i = 0; i < c->inv->ndevices; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		const char *p = assignment_owner(d, c->cfg->default_probe);
		enum dev_status st = state_status(&c->state, i, readiness_polled(d), now,
						  c->cfg->stale_after);
		quiet += strcmp(p, name) == 0 && (st == DEV_STALE || st == DEV_UNKNOWN);
	}
	text_day_time(when, sizeof(when), since);
	for (int l = 0; l < LANG_COUNT; l++) {
		const struct i18n *t = c->i18n;
		if (since)
			snprintf(al->reason[l], sizeof(al->reason[l]), "%s %s %s %s — %zu %s",
				 i18n_get(t, (enum lang)l, "alert.probe"), name,
				 i18n_get(t, (enum lang)l, "alert.probe_silent"), when, quiet,
				 i18n_get(t, (enum lang)l, "alert.probe_devices"));
		else
			snprintf(al->reason[l], sizeof(al->reason[l]), "%s %s %s",
				 i18n_get(t, (enum lang)l, "alert.probe"), name,
				 i18n_get(t, (enum lang)l, "alert.probe_back"));
	}
}

/* When the collector last heard from a probe: its last post, or the newest sample of its
 * devices (an import brings samples without a post); 0 never. */
static time_t probe_heard(const struct collector *c, const char *name)
{
	const struct probe_status *ps = probestat_find(&c->probestat, name);
	time_t t = ps ? ps->last_contact : 0;
	for (size_t i = 0; i < c->inv->ndevices; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		const struct dev_state *s = &c->state.dev[i];
		time_t heard = s->received ? s->received : s->last_poll;
		if (s->has_sample && heard > t &&
		    strcmp(assignment_owner(d, c->cfg->default_probe), name) == 0)
			t = heard;
	}
	return t;
}

/* Each probe the inventory names: silent (nothing received) for stale_after is missed. Its
 * devices have no data meanwhile, which alerts no commune: district IT gets this one. */
static void probes_step(struct alerts *a, struct collector *c, time_t now, int settling)
{
	for (size_t p = 0; p < a->nprobes; p++) {
		time_t heard = probe_heard(c, a->probe_name[p]);
		time_t since = heard ? heard : a->first_tick;
		int silent = now - since > c->cfg->stale_after;
		char what[CFG_NAME_MAX + 8];
		if (silent || a->probe[p].st == A_FIRING) /* "… sends again" when it recovers */
			probe_reason(&a->probe[p], c, a->probe_name[p], silent ? since : 0, now);
		snprintf(what, sizeof(what), "probe %s", a->probe_name[p]);
		struct named n = {c->cfg->district, NULL, what, -1, 0};
		step(a, &a->probe[p], settling ? -1 : silent, now, c, &a->district, &n);
	}
}

static void tick(struct alerts *a, struct collector *c, time_t now);

void alerts_tick(struct alerts *a, struct collector *c, time_t now, int force)
{
	/* judged again when a second passed or samples were applied since */
	if (now == a->last_tick && c->ingest.st.samples == a->last_samples && !force)
		return;
	a->last_tick = now;
	a->last_samples = c->ingest.st.samples;
	struct timespec t0, t1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	tick(a, c, now);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	a->cpu_ns += (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
	a->nticks++;
}

void alerts_tick_cost(const struct alerts *a, uint64_t *ticks, double *cpu_seconds)
{
	*ticks = a->nticks;
	*cpu_seconds = (double)a->cpu_ns / 1e9;
}

/* When this tick judges: the district's hours, the grace after each opening, the settling
 * after a start (devices not heard from yet are unknown, not down, for stale_after). */
struct when {
	time_t now;
	int working, grace, settling;
};

static struct when when_judged(struct alerts *a, const struct collector *c, time_t now)
{
	struct when w = {now, hours_working(&a->hours, now), 0, 0};
	if (!a->first_tick)
		a->first_tick = now;
	w.settling = now - a->first_tick < c->cfg->stale_after;
	w.grace = w.working && now - hours_span_start(&a->hours, now) < c->cfg->startup_grace;
	return w;
}

/* This tick's maintenance windows and new acknowledgements, from the store. */
static void load_schedule(struct alerts *a, struct collector *c, time_t now)
{
	memset(a->maint_commune, 0, a->ncommunes);
	memset(a->maint_site, 0, a->nsites);
	memset(a->maint_cls, 0, a->nsites * sizeof(*a->maint_cls));
	struct maint_ctx mc = {a, c, now};
	store_maint_each(c->store, now, on_maint, &mc);
	struct ack_ctx ac = {a, c, now};
	a->last_ack = store_acks_after(c->store, a->last_ack, on_ack, &ac);
}

/* Each commune's uplink; updown[k] set where it is down (its targets are then "upstream
 * down", not mailed). */
static void step_uplinks(struct alerts *a, struct collector *c, const struct when *w, int *updown)
{
	struct uplinks *u = calloc(a->ncommunes ? a->ncommunes : 1, sizeof(*u));
	char *routers_maint = calloc(a->ncommunes ? a->ncommunes : 1, 1);
	if (!u || !routers_maint) {
		free(u);
		free(routers_maint);
		return;
	}
	count_uplinks(c, w->now, u);
	for (size_t s = 0; s < a->nsites; s++)
		routers_maint[c->inv->sites[s].commune] |=
		    (char)(a->maint_site[s] || a->maint_cls[s][CLS_ROUTER]);
	for (size_t k = 0; k < a->ncommunes; k++) {
		struct commune_alerts *ca = &a->com[k];
		int uplink = uplink_state(&u[k]);
		updown[k] = uplink == 1;
		if (updown[k])
			uplink_reason(a, &ca->uplink, c, k, u[k].behind, w->now);
		ca->uplink.in_maint = a->maint_commune[k] || routers_maint[k];
		struct named n = {c->inv->communes[k].name, NULL, "uplink", -1, 0};
		int judged = w->working && !w->grace && !w->settling && !ca->uplink.in_maint;
		step(a, &ca->uplink, judged ? uplink : -1, w->now, c, ca, &n);
	}
	free(u);
	free(routers_maint);
}

/* Whether each site type's hours judge now, once a tick: a local time for every site and
 * target would cost more than the rest of the judging. */
static void type_hours_now(struct alerts *a, const struct collector *c, time_t now)
{
	for (size_t t = 0; t <= a->ntypes; t++) {
		const struct site_type *st = t < a->ntypes ? &c->cfg->site_types[t] : NULL;
		const struct hours *h = t < a->ntypes ? &a->type_hours[t] : &a->hours;
		if (st && st->always)
			a->type_why[t] = J_JUDGED;
		else if (!hours_working(h, now))
			a->type_why[t] = J_OFF_HOURS;
		else
			a->type_why[t] = now - hours_span_start(h, now) < c->cfg->startup_grace
					     ? J_GRACE
					     : J_JUDGED;
	}
}

/* Why a site's target is not judged now; J_JUDGED when it is. */
static enum judging site_judging(const struct alerts *a, const struct collector *c,
				 const struct site_result *sr, const struct alert *al)
{
	size_t t = sr->type && sr->type >= c->cfg->site_types &&
			   (size_t)(sr->type - c->cfg->site_types) < a->ntypes
		       ? (size_t)(sr->type - c->cfg->site_types)
		       : a->ntypes;
	if (al->in_maint)
		return J_MAINTENANCE;
	if (a->type_why[t] != J_JUDGED)
		return a->type_why[t];
	return al->suppressed ? J_UPSTREAM : J_JUDGED;
}

static void step_sites(struct alerts *a, struct collector *c, struct readiness *r,
		       const struct when *w, const int *updown)
{
	type_hours_now(a, c, w->now);
	for (size_t s = 0; s < r->nsites; s++) {
		struct site_result *sr = &r->sites[s];
		size_t k = c->inv->sites[s].commune;
		for (int t = 0; t < sr->ntargets; t++) {
			struct target_result *tr = &sr->targets[t];
			int slot = tr->kind == TK_METRIC ? CLS_COUNT + tr->mt_index : (int)tr->cls;
			struct alert *al = &a->site[s][slot];
			al->in_maint = a->maint_commune[k] || a->maint_site[s] || a->maint_cls[s][tr->cls];
			al->suppressed = updown[k] && tr->v == V_MISSED;
			tr->judging = site_judging(a, c, sr, al);
			/* reasons cost a scan of the devices: only for what is judged or shown */
			if (tr->v == V_MISSED && (tr->judging == J_JUDGED || al->st != A_OK ||
						  al->suppressed || al->in_maint))
				target_reason(a, al, c, sr, tr, w->now);
			struct named n = {c->inv->communes[k].name, c->inv->sites[s].name, NULL,
					  (long)s, slot};
			/* just started: shown as judged, but nothing fires or resolves until the
			 * probes have reported in */
			step(a, al, alert_input(tr->judging == J_JUDGED && !w->settling, tr->v), w->now,
			     c, &a->com[k], &n);
		}
	}
}

/* Commune-wide targets, in the district's working hours. */
static void step_commune_targets(struct alerts *a, struct collector *c, struct readiness *r,
				 const struct when *w, const int *updown)
{
	for (size_t k = 0; k < r->ncommunes && k < a->ncommunes; k++) {
		struct commune_result *cr = &r->communes[k];
		for (int t = 0; t < cr->nctargets && t < CFG_MAX_COMMUNE_TARGETS; t++) {
			struct target_result *tr = &cr->targets[t];
			struct alert *al = &a->com[k].ct[t];
			char what[CFG_NAME_MAX + 8];
			al->in_maint = a->maint_commune[k];
			al->suppressed = updown[k] && tr->v == V_MISSED;
			if (tr->v == V_MISSED)
				commune_target_reason(a, al, c, k, tr, w->now);
			tr->judging = al->in_maint    ? J_MAINTENANCE
				      : !w->working   ? J_OFF_HOURS
				      : w->grace      ? J_GRACE
				      : al->suppressed ? J_UPSTREAM
						       : J_JUDGED;
			struct named n = {c->inv->communes[k].name, NULL,
					  ct_name(c, t, what, sizeof(what)), -1, 0};
			/* just started: shown as judged, but nothing fires or resolves until the
			 * probes have reported in */
			step(a, al, alert_input(tr->judging == J_JUDGED && !w->settling, tr->v), w->now,
			     c, &a->com[k], &n);
		}
	}
}

/* The digests whose interval has passed: each commune's, and district IT's of the probes. */
static void send_due_digests(struct alerts *a, struct collector *c, time_t now)
{
	for (size_t k = 0; k < a->ncommunes; k++) {
		struct commune_alerts *ca = &a->com[k];
		if (ca->nchg && (!ca->last_mail || now - ca->last_mail >= c->cfg->digest_interval))
			send_digest(a, c, k, now);
	}
	if (a->district.nchg &&
	    (!a->district.last_mail || now - a->district.last_mail >= c->cfg->digest_interval))
		send_district_digest(a, c, now);
}

/* This tick's readiness kept for the pages and the API (read, never judged again there),
 * and each commune's verdict when it was last judged. */
static void keep_now(struct alerts *a, struct readiness *r, const struct inventory *inv,
		     time_t now)
{
	readiness_judged(r);
	for (size_t k = 0; k < r->ncommunes && k < a->ncommunes; k++)
		if (r->communes[k].njudged) {
			a->com[k].last_v = r->communes[k].vj;
			a->com[k].last_judged = now;
		}
	if (a->has_now) {
		daytally_add(&a->today, &a->now, now); /* what held until this tick */
		daytally_add(&a->month, &a->now, now);
		readiness_free(&a->now);
	} else {
		take_back_tallies(a, r, inv, now);
	}
	a->now = *r;
	a->has_now = 1;
	if (now - a->tallies_saved >= TALLY_SAVE_EVERY || now < a->tallies_saved)
		alerts_keep_tallies(a, inv);
}

/* A commune's worst critical alert firing, in the digest's order (uplink, its own targets,
 * its sites'), into worst[k]; NULL when none fires. One pass over the sites. */
static void worst_firing(const struct alerts *a, const struct collector *c,
			 const struct alert **worst)
{
	for (size_t k = 0; k < a->ncommunes; k++) {
		const struct commune_alerts *ca = &a->com[k];
		if (ca->uplink.st == A_FIRING && !ca->uplink.warning)
			worst[k] = &ca->uplink;
		for (int t = 0; t < CFG_MAX_COMMUNE_TARGETS && !worst[k]; t++)
			if (ca->ct[t].st == A_FIRING && !ca->ct[t].warning)
				worst[k] = &ca->ct[t];
	}
	for (size_t s = 0; s < a->nsites; s++) {
		size_t k = c->inv->sites[s].commune;
		for (int i = 0; k < a->ncommunes && !worst[k] && i < SITE_ALERTS; i++)
			if (a->site[s][i].st == A_FIRING && !a->site[s][i].warning)
				worst[k] = &a->site[s][i];
	}
}

/* A commune falling short (a critical alert of it fires where none did) or recovering (none
 * fires any more): the points where its digest records the change, told to c->on_commune
 * (SNMP notifications). After a restart the states restored are taken as known, not told
 * again, as their mail was sent. */
static void notify_communes(struct alerts *a, struct collector *c, const struct readiness *r,
			    time_t now)
{
	if (!c->on_commune)
		return;
	const struct alert **worst = calloc(a->ncommunes ? a->ncommunes : 1, sizeof(*worst));
	if (!worst)
		return; /* told at a later tick */
	worst_firing(a, c, worst);
	for (size_t k = 0; k < a->ncommunes && k < r->ncommunes; k++) {
		int is_short = worst[k] != NULL;
		if (is_short == a->com[k].is_short)
			continue;
		a->com[k].is_short = is_short;
		if (!a->short_settled)
			continue;
		struct commune_event ev = {k, is_short, now, &r->communes[k], {NULL, NULL}};
		for (int l = 0; l < LANG_COUNT; l++)
			ev.reason[l] = is_short ? worst[k]->reason[l]
						: i18n_get(c->i18n, (enum lang)l, "alert.subject.ok");
		c->on_commune(c->on_commune_ctx, c, &ev);
	}
	a->short_settled = 1;
	free(worst);
}

/* Judges every target at now, steps the alerts, queues digests, pumps the mail queue. */
static void tick(struct alerts *a, struct collector *c, time_t now)
{
	struct readiness r;
	struct readiness_input in = {c->cfg, c->inv, &c->state, now, &a->rows};
	if (c->store)
		store_retry_events(c->store); /* history held while the disk was full, in order */
	if (a->nsites != c->inv->nsites || a->ncommunes != c->inv->ncommunes)
		return; /* the inventory changed under us: the collector makes a new one */
	int *updown = calloc(a->ncommunes ? a->ncommunes : 1, sizeof(int));
	if (!updown || readiness_eval(&r, &in) < 0) {
		free(updown);
		return;
	}
	load_schedule(a, c, now);
	struct when w = when_judged(a, c, now);
	probes_step(a, c, now, w.settling);
	step_uplinks(a, c, &w, updown);
	step_sites(a, c, &r, &w, updown);
	step_commune_targets(a, c, &r, &w, updown);
	notify_communes(a, c, &r, now);
	send_due_digests(a, c, now);
	free(updown);
	keep_now(a, &r, c->inv, now);
	mailpump_run(&c->mail, c->cfg, now);
}

const struct readiness *alerts_now(const struct alerts *a, const struct readiness_input *in,
				  struct readiness *own)
{
	if (a && a->has_now && a->now.nsites == in->inv->nsites &&
	    a->now.ncommunes == in->inv->ncommunes)
		return &a->now;
	return readiness_eval(own, in) == 0 ? own : NULL;
}

const struct daytally *alerts_today(const struct alerts *a)
{
	return a && a->has_now ? &a->today : NULL;
}

const struct daytally *alerts_month(const struct alerts *a)
{
	return a && a->has_now ? &a->month : NULL;
}

time_t alerts_last_judged(const struct alerts *a, size_t commune, enum verdict *v)
{
	if (!a || commune >= a->ncommunes)
		return 0;
	*v = a->com[commune].last_v;
	return a->com[commune].last_judged;
}

static void view(const struct alert *al, const char *commune, const char *site,
		 const char *target, int lang, alerts_view_fn fn, void *ctx)
{
	struct alert_view v = {commune,       site,          target,       alert_state_name(al->st),
			       al->since,     al->suppressed, al->in_maint, al->acked_by,
			       al->reason[lang == LANG_EN ? LANG_EN : LANG_VI], al->reason[LANG_EN]};
	fn(ctx, &v);
}

void alerts_each(const struct alerts *a, const struct collector *c, int lang, alerts_view_fn fn,
		 void *ctx)
{
	char buf[CFG_NAME_MAX + 8];
	for (size_t p = 0; p < a->nprobes; p++)
		if (a->probe[p].st != A_OK)
			view(&a->probe[p], c->cfg->district, a->probe_name[p], "probe", lang, fn, ctx);
	for (size_t k = 0; k < a->ncommunes && k < c->inv->ncommunes; k++) {
		if (a->com[k].uplink.st != A_OK)
			view(&a->com[k].uplink, c->inv->communes[k].name, NULL, "uplink", lang, fn, ctx);
		for (int t = 0; t < c->cfg->ncommune_targets; t++) {
			const struct alert *al = &a->com[k].ct[t];
			if (al->st != A_OK || al->suppressed || al->in_maint)
				view(al, c->inv->communes[k].name, NULL,
				     ct_name(c, t, buf, sizeof(buf)), lang, fn, ctx);
		}
	}
	for (size_t s = 0; s < a->nsites && s < c->inv->nsites; s++)
		for (int t = 0; t < SITE_ALERTS; t++) {
			const struct alert *al = &a->site[s][t];
			if (al->st != A_OK || al->suppressed || al->in_maint)
				view(al, c->inv->communes[c->inv->sites[s].commune].name,
				     c->inv->sites[s].name, site_target_name(c, s, t, buf, sizeof(buf)),
				     lang, fn, ctx);
		}
}

/* One alert of /api/v1/alerts, from the view every listing uses. */
static void alert_obj(void *ctx, const struct alert_view *v)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "commune", json_object_new_string(v->commune));
	if (v->site)
		json_object_object_add(o, "site", json_object_new_string(v->site));
	json_object_object_add(o, "target", json_object_new_string(v->target));
	json_object_object_add(o, "state", json_object_new_string(v->state));
	json_object_object_add(o, "suppressed", json_object_new_boolean(v->suppressed));
	json_object_object_add(o, "maintenance", json_object_new_boolean(v->in_maint));
	if (v->acked_by[0])
		json_object_object_add(o, "acknowledged_by", json_object_new_string(v->acked_by));
	json_object_object_add(o, "since", json_object_new_int64((int64_t)v->since));
	json_object_object_add(o, "reason", json_object_new_string(v->reason));
	json_object_object_add(o, "reason_en", json_object_new_string(v->reason_en));
	json_object_array_add(ctx, o);
}

struct alerts_json_ctx {
	json_object *arr;
	const struct viewer *v;
};

static void alert_obj_seen(void *ctx, const struct alert_view *v)
{
	struct alerts_json_ctx *x = ctx;
	if (viewer_sees(x->v, v->commune))
		alert_obj(x->arr, v);
}

int alerts_json(struct strbuf *out, const struct alerts *a, const struct collector *c,
		const struct viewer *v)
{
	json_object *root = json_object_new_object();
	struct alerts_json_ctx x = {json_object_new_array(), v};
	alerts_each(a, c, LANG_VI, alert_obj_seen, &x);
	json_object_object_add(root, "alerts", x.arr);
	if (viewer_sees_all(v)) /* the district's outbox */
		json_object_object_add(root, "mail_queued",
				       json_object_new_int64(store_outbox_pending(c->store)));
	return json_append_put(out, root);
}
