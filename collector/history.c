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
#include "readiness.h"

/* A target counts as met over a period when met this share of its time. */
#define PERIOD_MET_SHARE 0.99

struct hdev {
	char *file; /* system.rrd; NULL: not polled */
	char *name;
	size_t site;
	int cls;
};

struct hsite {
	char *name, *type;
	size_t commune;
	int always;
	int cal; /* index into history.cal: its type's working hours; -1: the district's */
	int ntargets;
	int cls[CLS_COUNT], need[CLS_COUNT];
	struct metric_target mt[CFG_MAX_METRIC_TARGETS];
	int nmt;
};

/* A value target's steps: 1 where some row of some device was out of bounds. */
struct hmetric {
	unsigned char *bad;
	double worst;
	char where[192];
};

struct history {
	int64_t lo, hi; /* what is judged: the period asked for, up to now */
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
	int nct;
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

struct history *history_new(const struct collector *c, const struct hours *hrs, int64_t from,
			    int64_t to, int64_t now)
{
	struct history *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	int64_t span = to - from;
	/* the archives kept: 5 min for two weeks, 1 h for three months, 1 day beyond */
	h->step = span <= 14 * 86400 ? 300 : span <= 93 * 86400 ? 3600 : 86400;
	h->lo = from;
	h->hi = to < now ? to : now; /* time still to come is not judged */
	if (h->hi < h->lo)
		h->hi = h->lo;
	/* steps on local boundaries: a day step is a local day */
	int64_t off = local_offset(from);
	h->from = from - ((from + off) % h->step + h->step) % h->step;
	h->to = to + (h->step - ((to + off) % h->step + h->step) % h->step) % h->step;
	h->nsteps = (size_t)((h->to - h->from) / h->step);
	h->hours = *hrs;
	h->hours.holidays = NULL;
	if (hrs->nholidays) {
		h->hours.holidays = malloc(hrs->nholidays * sizeof(int));
		if (!h->hours.holidays) {
			free(h);
			return NULL;
		}
		memcpy(h->hours.holidays, hrs->holidays, hrs->nholidays * sizeof(int));
	}
	snprintf(h->daemon, sizeof(h->daemon), "%s", c->cfg->rrdcached);
	h->district = dupstr(c->cfg->district);
	h->ndev = c->inv->ndevices;
	h->nsites = c->inv->nsites;
	h->ncommunes = c->inv->ncommunes;
	h->dev = calloc(h->ndev ? h->ndev : 1, sizeof(*h->dev));
	h->site = calloc(h->nsites ? h->nsites : 1, sizeof(*h->site));
	h->commune = calloc(h->ncommunes ? h->ncommunes : 1, sizeof(char *));
	if (!h->district || !h->dev || !h->site || !h->commune) {
		history_free(h);
		return NULL;
	}
	for (size_t k = 0; k < h->ncommunes; k++)
		if (!(h->commune[k] = dupstr(c->inv->communes[k].name)))
			goto oom;
	h->cal = calloc(c->cfg->nsite_types ? c->cfg->nsite_types : 1, sizeof(*h->cal));
	if (!h->cal)
		goto oom;
	for (size_t s = 0; s < h->nsites; s++) {
		const struct inv_site *is = &c->inv->sites[s];
		const struct site_type *st = config_site_type(c->cfg, is->type);
		struct hsite *hs = &h->site[s];
		char err[160];
		hs->cal = -1;
		if (st && (st->work_days[0] || st->work_hours[0])) {
			/* one calendar per type, built when a site first needs it */
			size_t ti = (size_t)(st - c->cfg->site_types);
			if (h->cal[ti].nspan || hours_override(&h->cal[ti], &h->hours, st->work_days,
								st->work_hours, err, sizeof(err)) == 0) {
				hs->cal = (int)ti;
				if (ti + 1 > h->ncal)
					h->ncal = ti + 1;
			}
		}
		hs->name = dupstr(is->name);
		hs->type = dupstr(is->type);
		if (!hs->name || !hs->type)
			goto oom;
		hs->commune = is->commune;
		hs->always = st && st->always;
		for (int t = 0; st && t < st->ntargets; t++) {
			hs->cls[t] = (int)st->targets[t].cls;
			hs->need[t] = st->targets[t].min_up;
		}
		hs->ntargets = st ? st->ntargets : 0;
		hs->nmt = st ? st->nmtargets : 0;
		if (st)
			memcpy(hs->mt, st->mtargets, sizeof(hs->mt));
	}
	h->nct = c->cfg->ncommune_targets;
	memcpy(h->ct, c->cfg->commune_targets, sizeof(h->ct));
	for (size_t i = 0; i < h->ndev; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		char path[4096];
		h->dev[i].site = d->site;
		h->dev[i].cls = (int)d->cls;
		if (!(h->dev[i].name = dupstr(d->name)))
			goto oom;
		if (readiness_polled(d) &&
		    rrdstore_path(c->rrd, path, sizeof(path), c->inv->communes[d->commune].path,
				  d->path, "system") == 0 &&
		    !(h->dev[i].file = strdup(path)))
			goto oom;
	}
	return h;
oom:
	history_free(h);
	return NULL;
}

void history_free(struct history *h)
{
	if (!h)
		return;
	for (size_t i = 0; h->dev && i < h->ndev; i++) {
		free(h->dev[i].file);
		free(h->dev[i].name);
	}
	for (size_t s = 0; h->site && s < h->nsites; s++) {
		free(h->site[s].name);
		free(h->site[s].type);
	}
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
 * A device's availability per step (0..1: the share of the step it was up), from system.rrd.
 * No file or no data: down.
 */
static void availability(const struct history *h, const char *file, double *up)
{
	struct fetched f;
	memset(up, 0, h->nsteps * sizeof(*up));
	if (!file || fetch(h, file, &f) != 0)
		return;
	for (size_t j = 0; j < f.rows && f.nds; j++) {
		double v = f.data[j * f.nds]; /* avail is the first data source */
		if (isnan(v) || v <= 0)
			continue;
		if (v > 1)
			v = 1;
		/* the row covers (a, b]: spread it over the steps it overlaps */
		int64_t a = (int64_t)f.start + (int64_t)(j * f.fstep), b = a + (int64_t)f.fstep;
		for (int64_t t = a > h->from ? a : h->from; t < b && t < h->to;) {
			size_t i = (size_t)((t - h->from) / h->step);
			int64_t step_end = h->from + (int64_t)(i + 1) * h->step;
			int64_t until = b < step_end ? b : step_end;
			up[i] += v * (double)(until - t) / (double)h->step;
			t = until;
		}
	}
	fetched_free(&f);
}

static int out_of_bounds(const struct metric_target *mt, double x)
{
	return mt->op == MT_GE ? !(x >= mt->value) : mt->op == MT_LE ? !(x <= mt->value) : x != mt->value;
}

/*
 * One row file of a value target's group (supply-1.1.rrd): the steps where its metric was out
 * of bounds are marked, in working time the worst value is kept. No file, no such data source
 * or no data: nothing to judge, as now (the class target speaks for reachability).
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
		if (isnan(x) || !out_of_bounds(mt, x) || !row_steps(h, &f, j, &a, &b))
			continue;
		int counts = 0;
		for (size_t i = a; i <= b; i++) {
			hm->bad[i] = 1;
			counts |= weight[i] > 0;
		}
		if (counts && (hm->where[0] == '\0' || (mt->op == MT_GE && x < hm->worst) ||
			       (mt->op == MT_LE && x > hm->worst))) {
			hm->worst = x;
			snprintf(hm->where, sizeof(hm->where), "%s — %s", device, row);
		}
	}
	fetched_free(&f);
}

/* Every row file of the device's groups that its site's value targets name. */
static void metric_device(const struct history *h, const struct hdev *hd, const struct hsite *hs,
			  const double *weight, struct hmetric *hm)
{
	char dir[4096];
	const char *slash = strrchr(hd->file, '/');
	if (!slash || (size_t)(slash - hd->file) >= sizeof(dir))
		return;
	memcpy(dir, hd->file, (size_t)(slash - hd->file));
	dir[slash - hd->file] = '\0';
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".rrd") != 0)
			continue;
		for (int m = 0; m < hs->nmt; m++) {
			const struct metric_target *mt = &hs->mt[m];
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
	closedir(dp);
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

/* The working seconds each step of a site counts for. */
static const double *site_weights(const struct history *h, const struct hsite *hs,
				  const double *work, const double *all, const double *cal_work)
{
	return hs->always ? all : hs->cal >= 0 ? cal_work + (size_t)hs->cal * h->nsteps : work;
}

/* The share of weighted time where ok[i] holds; 1 when no time is judged. */
static double met_share(const struct history *h, const double *weight, const unsigned char *ok,
			double *hours)
{
	double total = 0, met = 0;
	for (size_t i = 0; i < h->nsteps; i++) {
		total += weight[i];
		if (ok[i])
			met += weight[i];
	}
	*hours = total / 3600;
	return total > 0 ? met / total : 1.0;
}

/* One period target: its name for sheets ("pc", "printer.supply.percent >= 10",
 * "site.meeting-room"), met over the period, the share of its time it was met. */
static json_object *target_json(const char *kind, const char *target, int need, double share,
				double hours)
{
	json_object *to = json_object_new_object();
	json_object_object_add(to, "kind", json_object_new_string(kind));
	json_object_object_add(to, "target", json_object_new_string(target));
	json_object_object_add(to, "need", json_object_new_int(need));
	json_object_object_add(to, "met", json_object_new_boolean(share >= PERIOD_MET_SHARE));
	json_object_object_add(to, "met_share", json_object_new_double(share));
	json_object_object_add(to, "hours", json_object_new_double(hours));
	return to;
}

struct run {
	double *work, *all, *cal_work, *up, *count;
	unsigned char *ok, *site_ok;
	struct hmetric *hm;
};

static void run_free(struct run *r, size_t nhm)
{
	for (size_t k = 0; r->hm && k < nhm; k++)
		free(r->hm[k].bad);
	free(r->hm);
	free(r->work);
	free(r->all);
	free(r->cal_work);
	free(r->up);
	free(r->count);
	free(r->ok);
	free(r->site_ok);
}

int history_run(struct history *h, char **json, size_t *len, char *err, size_t errsz)
{
	size_t n = h->nsteps, n1 = n ? n : 1, ns = h->nsites ? h->nsites : 1;
	size_t nhm = ns * CFG_MAX_METRIC_TARGETS;
	double cls_up[CLS_COUNT] = {0}, cls_time[CLS_COUNT] = {0};
	struct run r = {
	    .work = calloc(n1, sizeof(double)),
	    .all = calloc(n1, sizeof(double)),
	    .cal_work = calloc((h->ncal ? h->ncal : 1) * n1, sizeof(double)),
	    .up = calloc(n1, sizeof(double)),
	    /* devices up per site, class and step */
	    .count = calloc(ns * CLS_COUNT * n1, sizeof(double)),
	    .ok = calloc(n1, 1),
	    /* every target of the site met, per step: what "sites meeting their targets" counts */
	    .site_ok = calloc(ns * n1, 1),
	    .hm = calloc(nhm, sizeof(struct hmetric)),
	};
	int oom = !r.work || !r.all || !r.cal_work || !r.up || !r.count || !r.ok || !r.site_ok || !r.hm;
	for (size_t s = 0; !oom && s < h->nsites; s++)
		for (int m = 0; m < h->site[s].nmt && !oom; m++)
			oom = !(r.hm[s * CFG_MAX_METRIC_TARGETS + (size_t)m].bad = calloc(n1, 1));
	if (oom) {
		run_free(&r, nhm);
		snprintf(err, errsz, "period too long for the memory available");
		return -1;
	}
	working_weights(h, &h->hours, r.work);
	add_span(h, r.all, h->lo, h->hi); /* sites judged at all hours: the whole judged window */
	for (size_t k = 0; k < h->ncal; k++)
		if (h->cal[k].nspan)
			working_weights(h, &h->cal[k], r.cal_work + k * n);
	for (size_t d = 0; d < h->ndev; d++) {
		const struct hdev *hd = &h->dev[d];
		const struct hsite *hs = &h->site[hd->site];
		const double *sw = site_weights(h, hs, r.work, r.all, r.cal_work);
		availability(h, hd->file, r.up);
		double *cnt = r.count + (hd->site * CLS_COUNT + (size_t)hd->cls) * n;
		for (size_t i = 0; i < n; i++) {
			double wt = sw[i], u = r.up[i];
			/*
			 * up is the share of the whole step; a step only partly in working time (an
			 * hour over lunch, a day) is judged on that part: a PC on exactly while the
			 * office is open counts as up. (Up only outside it would count too: coarse
			 * archives cannot tell.)
			 */
			if (!hs->always && wt > 0 && wt < (double)h->step)
				u = u * (double)h->step / wt > 1 ? 1 : u * (double)h->step / wt;
			cnt[i] += u;
			cls_up[hd->cls] += u * wt;
			cls_time[hd->cls] += wt;
		}
		if (hs->nmt && hd->file)
			metric_device(h, hd, hs, sw, &r.hm[hd->site * CFG_MAX_METRIC_TARGETS]);
	}
	for (size_t s = 0; s < h->nsites; s++) {
		const struct hsite *hs = &h->site[s];
		unsigned char *sok = r.site_ok + s * n;
		for (size_t i = 0; i < n; i++) {
			int ok = 1;
			for (int t = 0; t < hs->ntargets && ok; t++)
				ok = r.count[(s * CLS_COUNT + (size_t)hs->cls[t]) * n + i] + 1e-9 >= hs->need[t];
			for (int m = 0; m < hs->nmt && ok; m++)
				ok = !r.hm[s * CFG_MAX_METRIC_TARGETS + (size_t)m].bad[i];
			sok[i] = (unsigned char)ok;
		}
	}
	json_object *root = json_object_new_object(), *dist = json_object_new_object();
	json_object *communes = json_object_new_array();
	json_object_object_add(dist, "name", json_object_new_string(h->district));
	put_time(dist, "from", h->lo);
	put_time(dist, "to", h->hi);
	json_object_object_add(dist, "from_ts", json_object_new_int64(h->lo));
	json_object_object_add(dist, "to_ts", json_object_new_int64(h->hi));
	json_object_object_add(dist, "resolution_s", json_object_new_int64(h->step));
	int communes_met = 0, ntargets = 0, nmet = 0;
	double share_sum = 0;
	for (size_t k = 0; k < h->ncommunes; k++) {
		json_object *co = json_object_new_object(), *sites = json_object_new_array();
		int cmet = 1, ct = 0;
		double csum = 0, hours;
		for (size_t s = 0; s < h->nsites; s++) {
			const struct hsite *hs = &h->site[s];
			if (hs->commune != k)
				continue;
			json_object *so = json_object_new_object(), *ts = json_object_new_array();
			const double *sw = site_weights(h, hs, r.work, r.all, r.cal_work);
			int smet = 1;
			double ssum = 0;
			for (int t = 0; t < hs->ntargets; t++) {
				const double *cnt = r.count + (s * CLS_COUNT + (size_t)hs->cls[t]) * n;
				for (size_t i = 0; i < n; i++)
					r.ok[i] = cnt[i] + 1e-9 >= hs->need[t];
				double share = met_share(h, sw, r.ok, &hours);
				const char *cls = devclass_name((enum dev_class)hs->cls[t]);
				json_object *to = target_json("class_min_up", cls, hs->need[t], share, hours);
				json_object_object_add(to, "class", json_object_new_string(cls));
				json_object_array_add(ts, to);
				smet &= share >= PERIOD_MET_SHARE;
				nmet += share >= PERIOD_MET_SHARE;
				ssum += share;
			}
			for (int m = 0; m < hs->nmt; m++) {
				static const char *const ops[] = {">=", "<=", "=="};
				const struct metric_target *mt = &hs->mt[m];
				const struct hmetric *hm = &r.hm[s * CFG_MAX_METRIC_TARGETS + (size_t)m];
				const char *cls = devclass_name(mt->cls);
				char name[96];
				for (size_t i = 0; i < n; i++)
					r.ok[i] = !hm->bad[i];
				double share = met_share(h, sw, r.ok, &hours);
				snprintf(name, sizeof(name), "%s.%s.%s %s %g", cls, mt->group, mt->metric,
					 ops[mt->op], mt->value);
				json_object *to = target_json("metric", name, 0, share, hours);
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
				smet &= share >= PERIOD_MET_SHARE;
				nmet += share >= PERIOD_MET_SHARE;
				ssum += share;
			}
			int nst = hs->ntargets + hs->nmt;
			json_object_object_add(so, "name", json_object_new_string(hs->name));
			json_object_object_add(so, "type", json_object_new_string(hs->type));
			json_object_object_add(so, "met", json_object_new_boolean(smet));
			json_object_object_add(so, "score",
					       json_object_new_double(nst ? 100.0 * ssum / nst : 100.0));
			json_object_object_add(so, "targets", ts);
			json_object_array_add(sites, so);
			cmet &= smet;
			ct += nst;
			csum += ssum;
		}
		/* commune-wide targets, in the district's working hours */
		json_object *cts = json_object_new_array();
		for (int t = 0; t < h->nct; t++) {
			const struct commune_target *ctg = &h->ct[t];
			char name[CFG_NAME_MAX + 8];
			int need = ctg->need;
			if (need == CT_NEED_ALL) { /* every device of the class, site of the type, listed */
				need = 0;
				if (ctg->kind == CT_CLASS) {
					for (size_t d = 0; d < h->ndev; d++)
						need += h->site[h->dev[d].site].commune == k &&
							h->dev[d].cls == (int)ctg->cls;
				} else {
					for (size_t s = 0; s < h->nsites; s++)
						need += h->site[s].commune == k &&
							strcmp(h->site[s].type, ctg->site_type) == 0;
				}
			}
			for (size_t i = 0; i < n; i++) {
				double have = 0;
				for (size_t s = 0; s < h->nsites; s++) {
					if (h->site[s].commune != k)
						continue;
					if (ctg->kind == CT_CLASS)
						have += r.count[(s * CLS_COUNT + (size_t)ctg->cls) * n + i];
					else if (strcmp(h->site[s].type, ctg->site_type) == 0)
						have += r.site_ok[s * n + i];
				}
				r.ok[i] = have + 1e-9 >= need;
			}
			double share = met_share(h, r.work, r.ok, &hours);
			json_object *to;
			if (ctg->kind == CT_CLASS) {
				const char *cls = devclass_name(ctg->cls);
				to = target_json("class_min_up", cls, need, share, hours);
				json_object_object_add(to, "class", json_object_new_string(cls));
			} else {
				snprintf(name, sizeof(name), "site.%s", ctg->site_type);
				to = target_json("sites_met", name, need, share, hours);
				json_object_object_add(to, "site_type", json_object_new_string(ctg->site_type));
			}
			json_object_array_add(cts, to);
			cmet &= share >= PERIOD_MET_SHARE;
			nmet += share >= PERIOD_MET_SHARE;
			ct++;
			csum += share;
		}
		json_object_object_add(co, "name", json_object_new_string(h->commune[k]));
		json_object_object_add(co, "met", json_object_new_boolean(cmet));
		json_object_object_add(co, "score", json_object_new_double(ct ? 100.0 * csum / ct : 100.0));
		json_object_object_add(co, "targets", cts);
		json_object_object_add(co, "sites", sites);
		json_object_array_add(communes, co);
		communes_met += cmet;
		share_sum += csum;
		ntargets += ct;
	}
	json_object_object_add(dist, "communes", json_object_new_int((int)h->ncommunes));
	json_object_object_add(dist, "communes_met", json_object_new_int(communes_met));
	json_object_object_add(dist, "targets", json_object_new_int(ntargets));
	json_object_object_add(dist, "targets_met", json_object_new_int(nmet));
	json_object_object_add(dist, "score",
			       json_object_new_double(ntargets ? 100.0 * share_sum / ntargets : 100.0));
	/* headline figures: the share of (working) time each class's devices were up */
	json_object *avail = json_object_new_object();
	for (int k = 0; k < CLS_COUNT; k++)
		if (cls_time[k] > 0)
			json_object_object_add(avail, devclass_name((enum dev_class)k),
					       json_object_new_double(100.0 * cls_up[k] / cls_time[k]));
	json_object_object_add(dist, "class_availability", avail);
	json_object_object_add(root, "district", dist);
	json_object_object_add(root, "communes", communes);
	const char *txt = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	*len = strlen(txt);
	*json = malloc(*len + 2);
	int rc = -1;
	if (*json) {
		memcpy(*json, txt, *len);
		(*json)[(*len)++] = '\n';
		(*json)[*len] = '\0';
		rc = 0;
	} else {
		snprintf(err, errsz, "out of memory");
	}
	json_object_put(root);
	run_free(&r, nhm);
	return rc;
}
