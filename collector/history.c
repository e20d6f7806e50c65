#include "history.h"

#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector.h"
#include "judge.h"
#include "readiness.h"

/* A target counts as met over a period when met this share of its time. */
#define PERIOD_MET_SHARE 0.99

struct hdev {
	char *file; /* system.rrd; NULL: not polled */
	char *name;
	size_t site;
	int cls;
	size_t next; /* the next device of its site; ndev: none */
};

struct hsite {
	char *name;
	struct site_type type; /* a copy: the configuration may be reloaded meanwhile */
	int has_type;
	size_t commune;
	int cal; /* index into history.cal: its type's working hours; -1: the district's */
	size_t first; /* its first device; ndev: none */
};

/* A value target's steps at a site: a row out of bounds, a device of its class whose value is
 * not known (not up, nothing reported); dev: the device being read reported a row. */
struct hmetric {
	unsigned char *bad, *unknown, *dev;
	double worst;
	char where[192];
};

struct history {
	int64_t lo, hi; /* what is judged: the period asked for, up to now */
	int64_t end;    /* the end asked for */
	int64_t from, to; /* the step grid around it */
	long step;
	size_t nsteps;
	struct hours hours;
	char daemon[256];
	char *district;
	size_t ndev, nsites, ncommunes;
	struct hours *cal; /* site types' own calendars (sharing hours' holidays) */
	size_t ncal;
	struct hdev *dev;
	struct hsite *site;
	char **commune;
	struct commune_target ct[CFG_MAX_COMMUNE_TARGETS];
	char ct_label[CFG_MAX_COMMUNE_TARGETS][2][CFG_TEXT_MAX]; /* CT_SITES: its type's vi, en */
	int nct;
	history_progress_fn progress;
	void *progress_ctx;
};

static char *dupstr(const char *s)
{
	return strdup(s ? s : "");
}

/* Seconds to add to a Unix time to get its local wall-clock seconds (no DST in Vietnam). */
static int64_t local_offset(int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	return (int64_t)tm.tm_gmtoff;
}

/* The steps: archives' resolution for the span, on local boundaries (a day step is a local
 * day); time still to come is not judged. */
static void set_steps(struct history *h, int64_t from, int64_t to, int64_t now)
{
	int64_t span = to - from;
	/* the archives kept: 5 min for two weeks, 1 h for three months, 1 day beyond */
	h->step = span <= 14 * 86400 ? 300 : span <= 93 * 86400 ? 3600 : 86400;
	h->lo = from;
	h->end = to;
	h->hi = to < now ? to : now;
	if (h->hi < h->lo)
		h->hi = h->lo;
	int64_t off = local_offset(from);
	h->from = from - ((from + off) % h->step + h->step) % h->step;
	h->to = to + (h->step - ((to + off) % h->step + h->step) % h->step) % h->step;
	h->nsteps = (size_t)((h->to - h->from) / h->step);
}

/* A copy of the working hours, holidays included (the thread must not share them). */
static int copy_hours(struct history *h, const struct hours *hrs)
{
	h->hours = *hrs;
	h->hours.holidays = NULL;
	if (!hrs->nholidays)
		return 0;
	h->hours.holidays = malloc(hrs->nholidays * sizeof(int));
	if (!h->hours.holidays)
		return -1;
	memcpy(h->hours.holidays, hrs->holidays, hrs->nholidays * sizeof(int));
	return 0;
}

/* Site s: its name, commune, a copy of its type, its type's own calendar when it has one
 * (one per type, built when a site first needs it). */
static int copy_site(struct history *h, const struct collector *c, size_t s)
{
	const struct inv_site *is = &c->inv->sites[s];
	const struct site_type *st = config_site_type(c->cfg, is->type);
	struct hsite *hs = &h->site[s];
	char err[160];
	hs->cal = -1;
	if (st && (st->work_days[0] || st->work_hours[0])) {
		size_t ti = (size_t)(st - c->cfg->site_types);
		if (h->cal[ti].nspan || hours_override(&h->cal[ti], &h->hours, st->work_days,
							st->work_hours, err, sizeof(err)) == 0) {
			hs->cal = (int)ti;
			if (ti + 1 > h->ncal)
				h->ncal = ti + 1;
		}
	}
	if (!(hs->name = dupstr(is->name)))
		return -1;
	hs->commune = is->commune;
	hs->has_type = st != NULL;
	if (st)
		hs->type = *st;
	else /* a type with no targets configured: named, judged met */
		snprintf(hs->type.name, sizeof(hs->type.name), "%s", is->type);
	hs->first = c->inv->ndevices;
	return 0;
}

/* Device i: its name, class, site (each site's devices listed in inventory order when
 * called from the last to the first) and its availability file when it is polled. */
static int copy_device(struct history *h, const struct collector *c, size_t i)
{
	const struct inv_device *d = &c->inv->devices[i];
	char path[4096];
	h->dev[i].site = d->site;
	h->dev[i].cls = (int)d->cls;
	h->dev[i].next = h->site[d->site].first;
	h->site[d->site].first = i;
	if (!(h->dev[i].name = dupstr(d->name)))
		return -1;
	if (readiness_polled(d) &&
	    rrdstore_path(c->rrd, path, sizeof(path), c->inv->communes[d->commune].path, d->path,
			  "system") == 0 &&
	    !(h->dev[i].file = strdup(path)))
		return -1;
	return 0;
}

struct history *history_new(const struct collector *c, const struct hours *hrs, int64_t from,
			    int64_t to, int64_t now)
{
	struct history *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	set_steps(h, from, to, now);
	snprintf(h->daemon, sizeof(h->daemon), "%s", c->cfg->rrdcached);
	h->ndev = c->inv->ndevices;
	h->nsites = c->inv->nsites;
	h->ncommunes = c->inv->ncommunes;
	h->district = dupstr(c->cfg->district);
	h->dev = calloc(h->ndev ? h->ndev : 1, sizeof(*h->dev));
	h->site = calloc(h->nsites ? h->nsites : 1, sizeof(*h->site));
	h->commune = calloc(h->ncommunes ? h->ncommunes : 1, sizeof(char *));
	h->cal = calloc(c->cfg->nsite_types ? c->cfg->nsite_types : 1, sizeof(*h->cal));
	int ok = copy_hours(h, hrs) == 0 && h->district && h->dev && h->site && h->commune && h->cal;
	for (size_t k = 0; ok && k < h->ncommunes; k++)
		ok = (h->commune[k] = dupstr(c->inv->communes[k].name)) != NULL;
	for (size_t s = 0; ok && s < h->nsites; s++)
		ok = copy_site(h, c, s) == 0;
	h->nct = c->cfg->ncommune_targets;
	memcpy(h->ct, c->cfg->commune_targets, sizeof(h->ct));
	for (int t = 0; t < h->nct; t++) {
		const struct site_type *st = h->ct[t].kind == CT_SITES
						 ? config_site_type(c->cfg, h->ct[t].site_type)
						 : NULL;
		snprintf(h->ct_label[t][0], CFG_TEXT_MAX, "%s", st ? st->label_vi : "");
		snprintf(h->ct_label[t][1], CFG_TEXT_MAX, "%s", st ? st->label_en : "");
	}
	for (size_t i = h->ndev; ok && i-- > 0;)
		ok = copy_device(h, c, i) == 0;
	if (!ok) {
		history_free(h);
		return NULL;
	}
	return h;
}

void history_set_progress(struct history *h, history_progress_fn fn, void *ctx)
{
	h->progress = fn;
	h->progress_ctx = ctx;
}

void history_free(struct history *h)
{
	if (!h)
		return;
	for (size_t i = 0; h->dev && i < h->ndev; i++) {
		free(h->dev[i].file);
		free(h->dev[i].name);
	}
	for (size_t s = 0; h->site && s < h->nsites; s++)
		free(h->site[s].name);
	for (size_t k = 0; h->commune && k < h->ncommunes; k++)
		free(h->commune[k]);
	free(h->dev);
	free(h->site);
	free(h->cal); /* shares h->hours' holidays */
	free(h->commune);
	free(h->district);
	hours_free(&h->hours);
	free(h);
}

/* One rrd_fetch of a file over the step grid, at whatever resolution the file answers with. */
struct fetched {
	time_t start, end;
	unsigned long fstep, nds;
	char **names;
	rrd_value_t *data;
	size_t rows;
};

static int fetch(const struct history *h, const char *file, struct fetched *f)
{
	memset(f, 0, sizeof(*f));
	f->start = (time_t)h->from;
	f->end = (time_t)h->to;
	f->fstep = (unsigned long)h->step;
	if (h->daemon[0])
		rrdc_flush_if_daemon(h->daemon, file);
	rrd_clear_error();
	if (rrd_fetch_r(file, "AVERAGE", &f->start, &f->end, &f->fstep, &f->nds, &f->names,
			&f->data) != 0)
		return -1;
	f->rows = f->fstep ? (size_t)((f->end - f->start) / (time_t)f->fstep) : 0;
	return 0;
}

static void fetched_free(struct fetched *f)
{
	for (unsigned long k = 0; k < f->nds; k++)
		free(f->names[k]);
	free(f->names);
	free(f->data);
}

/* The steps row j of f overlaps: [*first, *last], clipped to the grid; 0 if none. */
static int row_steps(const struct history *h, const struct fetched *f, size_t j, size_t *first,
		     size_t *last)
{
	/* the row covers (a, b] */
	int64_t a = (int64_t)f->start + (int64_t)(j * f->fstep), b = a + (int64_t)f->fstep;
	if (a < h->from)
		a = h->from;
	if (b > h->to)
		b = h->to;
	if (a >= b)
		return 0;
	*first = (size_t)((a - h->from) / h->step);
	*last = (size_t)((b - 1 - h->from) / h->step);
	return 1;
}

/*
 * A device's availability per step from system.rrd: up[i] the share of step i it was up,
 * seen[i] the share of it with data. No data (before its first sample, nothing heard): not
 * seen, which is not down.
 */
static void availability(const struct history *h, const char *file, double *up, double *seen)
{
	struct fetched f;
	memset(up, 0, h->nsteps * sizeof(*up));
	memset(seen, 0, h->nsteps * sizeof(*seen));
	if (!file) { /* not polled: known never to be up, as readiness now counts it */
		for (size_t i = 0; i < h->nsteps; i++)
			seen[i] = 1;
		return;
	}
	if (fetch(h, file, &f) != 0)
		return;
	for (size_t j = 0; j < f.rows && f.nds; j++) {
		double v = f.data[j * f.nds]; /* avail is the first data source */
		if (isnan(v))
			continue;
		v = v < 0 ? 0 : v > 1 ? 1 : v;
		/* the row covers (a, b]: spread it over the steps it overlaps */
		int64_t a = (int64_t)f.start + (int64_t)(j * f.fstep), b = a + (int64_t)f.fstep;
		for (int64_t t = a > h->from ? a : h->from; t < b && t < h->to;) {
			size_t i = (size_t)((t - h->from) / h->step);
			int64_t step_end = h->from + (int64_t)(i + 1) * h->step;
			int64_t until = b < step_end ? b : step_end;
			double part = (double)(until - t) / (double)h->step;
			up[i] += v * part;
			seen[i] += part;
			t = until;
		}
	}
	fetched_free(&f);
}

/*
 * One row file of a value target's group (supply-1.1.rrd): the steps where its metric was
 * reported, and where it was out of bounds; in working time the worst value is kept.
 */
static void metric_file(const struct history *h, const char *file, const char *device,
			const char *row, const struct metric_target *mt, const double *weight,
			struct hmetric *hm)
{
	struct fetched f;
	if (fetch(h, file, &f) != 0)
		return;
	unsigned long ds = f.nds;
	for (unsigned long k = 0; k < f.nds; k++)
		if (strcmp(f.names[k], mt->metric) == 0)
			ds = k;
	for (size_t j = 0; j < f.rows && ds < f.nds; j++) {
		double x = f.data[j * f.nds + ds];
		size_t a, b;
		if (isnan(x) || !row_steps(h, &f, j, &a, &b))
			continue;
		int out = !judge_within(mt, x), counts = 0;
		for (size_t i = a; i <= b; i++) {
			hm->dev[i] = 1;
			hm->bad[i] |= (unsigned char)out;
			counts |= weight[i] > 0;
		}
		if (out && counts &&
		    (hm->where[0] == '\0' || (mt->op == MT_GE && x < hm->worst) ||
		     (mt->op == MT_LE && x > hm->worst))) {
			hm->worst = x;
			snprintf(hm->where, sizeof(hm->where), "%s — %s", device, row);
		}
	}
	fetched_free(&f);
}

/* Every row file of the device's groups that its site's value targets name; up: its share
 * of each step up, in working time. */
static void metric_device(const struct history *h, const struct hdev *hd, const struct hsite *hs,
			  const double *weight, const double *up, struct hmetric *hm)
{
	char dir[4096];
	struct dirent *e;
	const char *slash = strrchr(hd->file, '/');
	if (!slash || (size_t)(slash - hd->file) >= sizeof(dir))
		return;
	memcpy(dir, hd->file, (size_t)(slash - hd->file));
	dir[slash - hd->file] = '\0';
	for (int m = 0; m < hs->type.nmtargets; m++)
		memset(hm[m].dev, 0, h->nsteps);
	DIR *dp = opendir(dir);
	while (dp && (e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".rrd") != 0)
			continue;
		for (int m = 0; m < hs->type.nmtargets; m++) {
			const struct metric_target *mt = &hs->type.mtargets[m];
			size_t gl = strlen(mt->group);
			/* "<group>.rrd" or "<group>-<index>.rrd" */
			if (mt->cls != (enum dev_class)hd->cls || strncmp(e->d_name, mt->group, gl) != 0 ||
			    (e->d_name[gl] != '.' && e->d_name[gl] != '-') ||
			    (e->d_name[gl] == '.' && len != gl + 4))
				continue;
			char file[sizeof(dir) + sizeof(e->d_name) + 1], row[64];
			snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
			snprintf(row, sizeof(row), "%.*s", (int)(len - 4), e->d_name);
			metric_file(h, file, hd->name, row, mt, weight, &hm[m]);
		}
	}
	if (dp)
		closedir(dp);
	/* steps it reported nothing and was not up all along: its values are not known */
	for (int m = 0; m < hs->type.nmtargets; m++)
		for (size_t i = 0; i < h->nsteps && hs->type.mtargets[m].cls == (enum dev_class)hd->cls;
		     i++)
			hm[m].unknown[i] |= !hm[m].dev[i] && up[i] < 1 - 1e-9;
}

/* Adds the seconds of [a, b) that fall in the judged window to the steps they cover. */
static void add_span(const struct history *h, double *w, int64_t a, int64_t b)
{
	if (a < h->lo)
		a = h->lo;
	if (b > h->hi)
		b = h->hi;
	while (a < b) {
		size_t i = (size_t)((a - h->from) / h->step);
		int64_t end = h->from + (int64_t)(i + 1) * h->step;
		int64_t until = b < end ? b : end;
		w[i] += (double)(until - a);
		a = until;
	}
}

/* The district's working days in [h->lo, h->end): the period's, to come included. */
static int working_days(const struct history *h)
{
	struct tm tm;
	time_t day = (time_t)h->lo;
	int n = 0;
	localtime_r(&day, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	for (int guard = 0; guard < 4000 && h->hours.nspan; guard++) {
		tm.tm_isdst = -1;
		time_t midnight = mktime(&tm);
		if (midnight == (time_t)-1 || (int64_t)midnight >= h->end)
			break;
		n += hours_working(&h->hours, midnight + h->hours.span[0].from * 60);
		tm.tm_mday++;
	}
	return n;
}

/* Working seconds in each step: each local day's working spans, if the day works. */
static void working_weights(const struct history *h, const struct hours *cal, double *w)
{
	memset(w, 0, h->nsteps * sizeof(*w));
	struct tm tm;
	time_t day = (time_t)h->lo;
	localtime_r(&day, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	for (int guard = 0; guard < 4000; guard++) {
		time_t midnight = mktime(&tm);
		if (midnight == (time_t)-1 || (int64_t)midnight >= h->hi)
			break;
		for (int k = 0; k < cal->nspan; k++) {
			int64_t a = (int64_t)midnight + cal->span[k].from * 60;
			int64_t b = (int64_t)midnight + cal->span[k].to * 60;
			if (hours_working(cal, (time_t)a)) /* the day works and is no holiday */
				add_span(h, w, a, b);
		}
		tm.tm_mday++; /* mktime carries into months and years */
		tm.tm_isdst = -1;
	}
}

static void put_time(json_object *o, const char *k, int64_t t)
{
	char buf[40];
	struct tm tm;
	time_t tt = (time_t)t;
	localtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
	json_object_object_add(o, k, json_object_new_string(buf));
}

/* A share (0..1) as JSON: null when there is none (no data). */
static json_object *share_json(double share)
{
	return isnan(share) ? NULL : json_object_new_double(share);
}

/* Scratch of one run, sized for the step grid and reused commune after commune. */
struct run {
	double *work, *all, *cal_work; /* working seconds per step: district, always, per type */
	double *up, *seen;             /* one device's availability */
	struct judge_count *site_cls;  /* [step][class]: devices of the site being judged */
	struct judge_count *com_cls;   /* [step][class]: devices of the commune */
	struct judge_count *ct_sites;  /* [commune target][step]: sites of its type */
	struct hmetric hm[CFG_MAX_METRIC_TARGETS];
	double cls_up[CLS_COUNT], cls_seen[CLS_COUNT]; /* working seconds, for the headline */
};

static void run_free(struct run *r)
{
	for (int k = 0; k < CFG_MAX_METRIC_TARGETS; k++) {
		free(r->hm[k].bad);
		free(r->hm[k].unknown);
		free(r->hm[k].dev);
	}
	free(r->work);
	free(r->all);
	free(r->cal_work);
	free(r->up);
	free(r->seen);
	free(r->site_cls);
	free(r->com_cls);
	free(r->ct_sites);
}

static int run_alloc(struct run *r, const struct history *h)
{
	size_t n1 = h->nsteps ? h->nsteps : 1;
	memset(r, 0, sizeof(*r));
	r->work = calloc(n1, sizeof(double));
	r->all = calloc(n1, sizeof(double));
	r->cal_work = calloc((h->ncal ? h->ncal : 1) * n1, sizeof(double));
	r->up = calloc(n1, sizeof(double));
	r->seen = calloc(n1, sizeof(double));
	r->site_cls = calloc(n1 * CLS_COUNT, sizeof(struct judge_count));
	r->com_cls = calloc(n1 * CLS_COUNT, sizeof(struct judge_count));
	r->ct_sites = calloc(n1 * (size_t)(h->nct ? h->nct : 1), sizeof(struct judge_count));
	int ok = r->work && r->all && r->cal_work && r->up && r->seen && r->site_cls &&
		 r->com_cls && r->ct_sites;
	for (int k = 0; ok && k < CFG_MAX_METRIC_TARGETS; k++)
		ok = (r->hm[k].bad = calloc(n1, 1)) && (r->hm[k].unknown = calloc(n1, 1)) &&
		     (r->hm[k].dev = calloc(n1, 1));
	if (!ok)
		run_free(r);
	return ok ? 0 : -1;
}

/* The working seconds each step of a site counts for. */
static const double *site_weights(const struct history *h, const struct hsite *hs,
				  const struct run *r)
{
	return hs->type.always ? r->all : hs->cal >= 0 ? r->cal_work + (size_t)hs->cal * h->nsteps
						       : r->work;
}

/* Totals over a site, a commune or the district: target time by verdict, the mean share. */
struct agg {
	struct judge_tally time;
	double share_sum;
	int nshare, ntargets, nmet; /* critical targets */
	int nwarn;                  /* warnings missed over the period: counted apart */
	enum verdict v;
};

static void agg_add(struct agg *a, const struct judge_tally *t, enum verdict v, enum severity sev)
{
	double share = judge_met_share(t);
	if (sev == SEV_WARNING) {
		a->nwarn += v == V_MISSED;
		return;
	}
	a->time.met += t->met;
	a->time.missed += t->missed;
	a->time.nodata += t->nodata;
	if (!isnan(share)) {
		a->share_sum += share;
		a->nshare++;
	}
	a->ntargets++;
	a->nmet += v == V_MET;
	a->v = judge_and(a->v, v);
}

static void agg_merge(struct agg *dst, const struct agg *src)
{
	dst->time.met += src->time.met;
	dst->time.missed += src->time.missed;
	dst->time.nodata += src->time.nodata;
	dst->share_sum += src->share_sum;
	dst->nshare += src->nshare;
	dst->ntargets += src->ntargets;
	dst->nmet += src->nmet;
	dst->nwarn += src->nwarn;
	dst->v = judge_and(dst->v, src->v);
}

/* verdict, met, score (the mean share of its critical targets with data, in %), coverage
 * and the warnings missed. */
static void agg_json(json_object *o, const struct agg *a)
{
	json_object_object_add(o, "warnings", json_object_new_int(a->nwarn));
	json_object_object_add(o, "verdict", json_object_new_string(judge_name(a->v)));
	json_object_object_add(o, "met", json_object_new_boolean(a->v == V_MET));
	json_object_object_add(o, "score",
			       share_json(a->nshare ? 100.0 * a->share_sum / a->nshare : NAN));
	json_object_object_add(o, "coverage", json_object_new_double(judge_coverage(&a->time)));
}

/* One period target: its name for sheets ("pc", "printer.supply.percent >= 10",
 * "site.meeting-room"), its verdict, the share of its time with data it was met, and that
 * time's share of the judged time (coverage). */
static json_object *target_json(const char *kind, const char *target, int need,
				enum severity sev, const struct judge_tally *t, struct agg *a)
{
	enum verdict v = judge_period(t, PERIOD_MET_SHARE);
	json_object *to = json_object_new_object();
	json_object_object_add(to, "kind", json_object_new_string(kind));
	json_object_object_add(to, "target", json_object_new_string(target));
	json_object_object_add(to, "need", json_object_new_int(need));
	json_object_object_add(to, "verdict", json_object_new_string(judge_name(v)));
	json_object_object_add(to, "met", json_object_new_boolean(v == V_MET));
	json_object_object_add(to, "severity", json_object_new_string(config_severity_name(sev)));
	json_object_object_add(to, "met_share", share_json(judge_met_share(t)));
	json_object_object_add(to, "coverage", json_object_new_double(judge_coverage(t)));
	json_object_object_add(to, "hours",
			       json_object_new_double((t->met + t->missed + t->nodata) / 3600));
	agg_add(a, t, v, sev);
	return to;
}

/* A device's steps added to its site's and its commune's counts (and the headline's). */
static void count_device(const struct history *h, struct run *r, const struct hdev *hd,
			 const double *sw, int always)
{
	availability(h, hd->file, r->up, r->seen);
	for (size_t i = 0; i < h->nsteps; i++) {
		double wt = sw[i], u = r->up[i], d = r->seen[i];
		/*
		 * The shares are of the whole step; a step only partly in working time (an hour
		 * over lunch, a day) is judged on that part: a PC on exactly while the office is
		 * open counts as up. (Up only outside it would count too: coarse archives cannot
		 * tell.)
		 */
		if (!always && wt > 0 && wt < (double)h->step) {
			double scale = (double)h->step / wt;
			u = u * scale > 1 ? 1 : u * scale;
			d = d * scale > 1 ? 1 : d * scale;
		}
		r->up[i] = u; /* what the value targets ask: up all the (working) step? */
		struct judge_count *sc = &r->site_cls[i * CLS_COUNT + (size_t)hd->cls];
		struct judge_count *cc = &r->com_cls[i * CLS_COUNT + (size_t)hd->cls];
		sc->up += u;
		sc->unknown += 1 - d;
		sc->total++;
		cc->up += u;
		cc->unknown += 1 - d;
		cc->total++;
		r->cls_up[hd->cls] += u * wt;
		r->cls_seen[hd->cls] += d * wt;
	}
}

/* A site type's words, for pages and sheets made from the tree away from the configuration
 * (which a reload may replace meanwhile): "<key>_label_vi", "<key>_label_en" when it has them. */
static void add_labels(json_object *o, const char *key, const char *vi, const char *en)
{
	char k[48];
	if (vi[0]) {
		snprintf(k, sizeof(k), "%s_label_vi", key);
		json_object_object_add(o, k, json_object_new_string(vi));
	}
	if (en[0]) {
		snprintf(k, sizeof(k), "%s_label_en", key);
		json_object_object_add(o, k, json_object_new_string(en));
	}
}

/* A site's targets over the period: its class targets, then its value targets. */
static json_object *site_targets_json(const struct run *r,
				      const struct hsite *hs, const struct judge_tally *tl,
				      struct agg *a)
{
	static const char *const ops[] = {">=", "<=", "=="};
	const struct site_type *st = &hs->type;
	json_object *so = json_object_new_object(), *ts = json_object_new_array();
	int n = 0;
	a->v = V_MET;
	for (int t = 0; hs->has_type && t < st->ntargets; t++) {
		const char *cls = devclass_name(st->targets[t].cls);
		json_object *to = target_json("class_min_up", cls, st->targets[t].min_up,
					      st->targets[t].sev, &tl[n++], a);
		json_object_object_add(to, "class", json_object_new_string(cls));
		json_object_array_add(ts, to);
	}
	for (int m = 0; hs->has_type && m < st->nmtargets; m++) {
		const struct metric_target *mt = &st->mtargets[m];
		const struct hmetric *hm = &r->hm[m];
		const char *cls = devclass_name(mt->cls);
		char name[96];
		snprintf(name, sizeof(name), "%s.%s.%s %s %g", cls, mt->group, mt->metric, ops[mt->op],
			 mt->value);
		json_object *to = target_json("metric", name, 0, mt->sev, &tl[n++], a);
		json_object_object_add(to, "class", json_object_new_string(cls));
		json_object_object_add(to, "group", json_object_new_string(mt->group));
		json_object_object_add(to, "metric", json_object_new_string(mt->metric));
		json_object_object_add(to, "op", json_object_new_string(ops[mt->op]));
		json_object_object_add(to, "bound", json_object_new_double(mt->value));
		if (hm->where[0]) {
			json_object_object_add(to, "worst", json_object_new_double(hm->worst));
			json_object_object_add(to, "worst_at", json_object_new_string(hm->where));
		}
		json_object_array_add(ts, to);
	}
	json_object_object_add(so, "name", json_object_new_string(hs->name));
	json_object_object_add(so, "type", json_object_new_string(st->name));
	add_labels(so, "type", hs->has_type ? st->label_vi : "", hs->has_type ? st->label_en : "");
	agg_json(so, a);
	json_object_object_add(so, "targets", ts);
	return so;
}

/* A site's devices read, each step judged, its targets as JSON; its steps counted for the
 * commune's targets on sites of its type. */
static json_object *site_json(const struct history *h, struct run *r, const struct hsite *hs,
			      struct agg *a)
{
	const struct site_type *st = hs->has_type ? &hs->type : NULL;
	const double *sw = site_weights(h, hs, r);
	struct judge_tally tl[CLS_COUNT + CFG_MAX_METRIC_TARGETS] = {{0}};
	memset(r->site_cls, 0, h->nsteps * CLS_COUNT * sizeof(*r->site_cls));
	for (int m = 0; m < CFG_MAX_METRIC_TARGETS; m++) {
		memset(r->hm[m].bad, 0, h->nsteps);
		memset(r->hm[m].unknown, 0, h->nsteps);
		r->hm[m].where[0] = '\0';
	}
	for (size_t d = hs->first; d < h->ndev; d = h->dev[d].next) {
		count_device(h, r, &h->dev[d], sw, hs->type.always);
		if (st && st->nmtargets && h->dev[d].file)
			metric_device(h, &h->dev[d], hs, sw, r->up, r->hm);
	}
	for (size_t i = 0; i < h->nsteps; i++) {
		enum verdict mv[CFG_MAX_METRIC_TARGETS], out[CLS_COUNT + CFG_MAX_METRIC_TARGETS];
		for (int m = 0; st && m < st->nmtargets; m++)
			mv[m] = judge_rows(r->hm[m].bad[i], r->hm[m].unknown[i]);
		enum verdict v = judge_site(st, &r->site_cls[i * CLS_COUNT], mv, out);
		for (int t = 0; st && t < st->ntargets + st->nmtargets; t++)
			judge_tally_add(&tl[t], out[t], sw[i]);
		for (int t = 0; t < h->nct; t++)
			if (h->ct[t].kind == CT_SITES && strcmp(hs->type.name, h->ct[t].site_type) == 0) {
				struct judge_count *c = &r->ct_sites[(size_t)t * h->nsteps + i];
				c->up += v == V_MET;
				c->unknown += v == V_NODATA;
				c->total++;
			}
	}
	return site_targets_json(r, hs, tl, a);
}

/* A commune-wide target over the period, in the district's working hours. */
static json_object *commune_target_json(const struct history *h, const struct run *r, int t,
					struct agg *a)
{
	const struct commune_target *ct = &h->ct[t];
	struct judge_tally tl = {0};
	int need = 0;
	for (size_t i = 0; i < h->nsteps; i++) {
		enum verdict v = judge_commune(ct, &r->com_cls[i * CLS_COUNT],
					       r->ct_sites[(size_t)t * h->nsteps + i], &need);
		judge_tally_add(&tl, v, r->work[i]);
	}
	json_object *to;
	if (ct->kind == CT_CLASS) {
		const char *cls = devclass_name(ct->cls);
		to = target_json("class_min_up", cls, need, ct->sev, &tl, a);
		json_object_object_add(to, "class", json_object_new_string(cls));
	} else {
		char name[CFG_NAME_MAX + 8];
		snprintf(name, sizeof(name), "site.%s", ct->site_type);
		to = target_json("sites_met", name, need, ct->sev, &tl, a);
		json_object_object_add(to, "site_type", json_object_new_string(ct->site_type));
		add_labels(to, "site_type", h->ct_label[t][0], h->ct_label[t][1]);
	}
	return to;
}

/* A commune: its sites, then its commune-wide targets; its totals added to the district's. */
static json_object *commune_json(const struct history *h, struct run *r, size_t k,
				 struct agg *dist, enum verdict *v)
{
	json_object *co = json_object_new_object(), *sites = json_object_new_array();
	json_object *cts = json_object_new_array();
	struct agg ca = {.v = V_MET};
	memset(r->com_cls, 0, h->nsteps * CLS_COUNT * sizeof(*r->com_cls));
	memset(r->ct_sites, 0, h->nsteps * (size_t)h->nct * sizeof(*r->ct_sites));
	for (size_t s = 0; s < h->nsites; s++) {
		if (h->site[s].commune != k)
			continue;
		struct agg sa = {.v = V_MET};
		json_object_array_add(sites, site_json(h, r, &h->site[s], &sa));
		agg_merge(&ca, &sa);
	}
	for (int t = 0; t < h->nct; t++)
		json_object_array_add(cts, commune_target_json(h, r, t, &ca));
	json_object_object_add(co, "name", json_object_new_string(h->commune[k]));
	agg_json(co, &ca);
	json_object_object_add(co, "targets", cts);
	json_object_object_add(co, "sites", sites);
	agg_merge(dist, &ca);
	*v = ca.v;
	return co;
}

/* The district's totals and headline: the share of its time with data each class's devices
 * were up, in working time. */
static void district_json(json_object *dist, const struct history *h, const struct run *r,
			  const struct agg *a, const int *communes)
{
	json_object_object_add(dist, "name", json_object_new_string(h->district));
	put_time(dist, "from", h->lo);
	put_time(dist, "to", h->hi);
	json_object_object_add(dist, "from_ts", json_object_new_int64(h->lo));
	json_object_object_add(dist, "to_ts", json_object_new_int64(h->hi));
	json_object_object_add(dist, "end_ts", json_object_new_int64(h->end));
	json_object_object_add(dist, "working_days", json_object_new_int(working_days(h)));
	json_object_object_add(dist, "resolution_s", json_object_new_int64(h->step));
	json_object_object_add(dist, "communes", json_object_new_int((int)h->ncommunes));
	json_object_object_add(dist, "communes_met", json_object_new_int(communes[V_MET]));
	json_object_object_add(dist, "communes_missed", json_object_new_int(communes[V_MISSED]));
	json_object_object_add(dist, "communes_no_data", json_object_new_int(communes[V_NODATA]));
	json_object_object_add(dist, "targets", json_object_new_int(a->ntargets));
	json_object_object_add(dist, "targets_met", json_object_new_int(a->nmet));
	agg_json(dist, a);
	json_object *avail = json_object_new_object();
	for (int k = 0; k < CLS_COUNT; k++)
		if (r->cls_seen[k] > 0)
			json_object_object_add(avail, devclass_name((enum dev_class)k),
					       json_object_new_double(100.0 * r->cls_up[k] / r->cls_seen[k]));
	json_object_object_add(dist, "class_availability", avail);
}

int history_text(json_object *root, char **json, size_t *len, char *err, size_t errsz)
{
	const char *txt = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	*len = strlen(txt);
	*json = malloc(*len + 2);
	if (!*json) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	memcpy(*json, txt, *len);
	(*json)[(*len)++] = '\n';
	(*json)[*len] = '\0';
	return 0;
}

int history_run(struct history *h, json_object **out, char *err, size_t errsz)
{
	struct run r;
	if (run_alloc(&r, h) < 0) {
		snprintf(err, errsz, "period too long for the memory available");
		return -1;
	}
	working_weights(h, &h->hours, r.work);
	add_span(h, r.all, h->lo, h->hi); /* sites judged at all hours: the whole judged window */
	for (size_t k = 0; k < h->ncal; k++)
		if (h->cal[k].nspan)
			working_weights(h, &h->cal[k], r.cal_work + k * h->nsteps);
	json_object *root = json_object_new_object(), *dist = json_object_new_object();
	json_object *communes = json_object_new_array();
	struct agg da = {.v = V_MET};
	int nverdict[3] = {0};
	for (size_t k = 0; k < h->ncommunes; k++) {
		enum verdict v;
		json_object_array_add(communes, commune_json(h, &r, k, &da, &v));
		nverdict[v]++;
		if (h->progress)
			h->progress(h->progress_ctx, k + 1, h->ncommunes);
	}
	district_json(dist, h, &r, &da, nverdict);
	json_object_object_add(root, "district", dist);
	json_object_object_add(root, "communes", communes);
	run_free(&r);
	*out = root;
	return 0;
}
