#include "history.h"

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
	char *file;
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
	}
	for (size_t i = 0; i < h->ndev; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		char path[4096];
		h->dev[i].site = d->site;
		h->dev[i].cls = (int)d->cls;
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
	for (size_t i = 0; h->dev && i < h->ndev; i++)
		free(h->dev[i].file);
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

/*
 * A device's availability per step (0..1: the share of the step it was up), from system.rrd,
 * whatever resolution the file answers with. No file or no data: down.
 */
static void availability(const struct history *h, const char *file, double *up)
{
	memset(up, 0, h->nsteps * sizeof(*up));
	if (!file)
		return;
	time_t start = (time_t)h->from, end = (time_t)h->to;
	unsigned long fstep = (unsigned long)h->step, nds = 0;
	char **names = NULL;
	rrd_value_t *data = NULL;
	if (h->daemon[0])
		rrdc_flush_if_daemon(h->daemon, file);
	rrd_clear_error();
	if (rrd_fetch_r(file, "AVERAGE", &start, &end, &fstep, &nds, &names, &data) != 0)
		return;
	size_t rows = fstep ? (size_t)((end - start) / (time_t)fstep) : 0;
	for (size_t j = 0; j < rows && nds; j++) {
		double v = data[j * nds]; /* avail is the first data source */
		if (isnan(v) || v <= 0)
			continue;
		if (v > 1)
			v = 1;
		/* the row covers (a, b]: spread it over the steps it overlaps */
		int64_t a = (int64_t)start + (int64_t)(j * fstep), b = a + (int64_t)fstep;
		for (int64_t t = a > h->from ? a : h->from; t < b && t < h->to;) {
			size_t i = (size_t)((t - h->from) / h->step);
			int64_t step_end = h->from + (int64_t)(i + 1) * h->step;
			int64_t until = b < step_end ? b : step_end;
			up[i] += v * (double)(until - t) / (double)h->step;
			t = until;
		}
	}
	for (unsigned long k = 0; k < nds; k++)
		free(names[k]);
	free(names);
	free(data);
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

int history_run(struct history *h, char **json, size_t *len, char *err, size_t errsz)
{
	size_t n = h->nsteps;
	double *work = calloc(n ? n : 1, sizeof(double)), *up = calloc(n ? n : 1, sizeof(double));
	/* devices up per site, target and step */
	double *count = calloc((h->nsites ? h->nsites : 1) * CLS_COUNT * (n ? n : 1), sizeof(double));
	double cls_up[CLS_COUNT] = {0}, cls_time[CLS_COUNT] = {0};
	if (!work || !up || !count) {
		free(work);
		free(up);
		free(count);
		snprintf(err, errsz, "period too long for the memory available");
		return -1;
	}
	working_weights(h, &h->hours, work);
	/* sites judged at all hours: the whole judged window */
	double *all = calloc(n ? n : 1, sizeof(double));
	if (!all) {
		free(work);
		free(up);
		free(count);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	add_span(h, all, h->lo, h->hi);
	/* the site types with hours of their own: their weights, after the district's */
	double *cal_work = calloc((h->ncal ? h->ncal : 1) * (n ? n : 1), sizeof(double));
	if (!cal_work) {
		free(all);
		free(work);
		free(up);
		free(count);
		snprintf(err, errsz, "period too long for the memory available");
		return -1;
	}
	for (size_t k = 0; k < h->ncal; k++)
		if (h->cal[k].nspan)
			working_weights(h, &h->cal[k], cal_work + k * n);
	for (size_t d = 0; d < h->ndev; d++) {
		const struct hdev *hd = &h->dev[d];
		const struct hsite *hs = &h->site[hd->site];
		const double *sw = hs->always ? all : hs->cal >= 0 ? cal_work + (size_t)hs->cal * n : work;
		availability(h, hd->file, up);
		double *cnt = count + (hd->site * CLS_COUNT + (size_t)hd->cls) * n;
		for (size_t i = 0; i < n; i++) {
			double wt = sw[i], u = up[i];
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
		double csum = 0;
		for (size_t s = 0; s < h->nsites; s++) {
			const struct hsite *hs = &h->site[s];
			if (hs->commune != k)
				continue;
			json_object *so = json_object_new_object(), *ts = json_object_new_array();
			const double *sw = hs->always ? all : hs->cal >= 0 ? cal_work + (size_t)hs->cal * n : work;
			int smet = 1;
			double ssum = 0;
			for (int t = 0; t < hs->ntargets; t++) {
				const double *cnt = count + (s * CLS_COUNT + (size_t)hs->cls[t]) * n;
				double total = 0, met = 0;
				for (size_t i = 0; i < n; i++) {
					double wt = sw[i];
					total += wt;
					if (cnt[i] + 1e-9 >= hs->need[t])
						met += wt;
				}
				double share = total > 0 ? met / total : 1.0;
				int tmet = share >= PERIOD_MET_SHARE;
				json_object *to = json_object_new_object();
				json_object_object_add(to, "kind", json_object_new_string("class_min_up"));
				json_object_object_add(to, "class",
						       json_object_new_string(devclass_name((enum dev_class)hs->cls[t])));
				json_object_object_add(to, "need", json_object_new_int(hs->need[t]));
				json_object_object_add(to, "met", json_object_new_boolean(tmet));
				json_object_object_add(to, "met_share", json_object_new_double(share));
				json_object_object_add(to, "hours", json_object_new_double(total / 3600));
				json_object_array_add(ts, to);
				smet &= tmet;
				ssum += share;
				ntargets++;
				nmet += tmet;
			}
			json_object_object_add(so, "name", json_object_new_string(hs->name));
			json_object_object_add(so, "type", json_object_new_string(hs->type));
			json_object_object_add(so, "met", json_object_new_boolean(smet));
			json_object_object_add(
			    so, "score",
			    json_object_new_double(hs->ntargets ? 100.0 * ssum / hs->ntargets : 100.0));
			json_object_object_add(so, "targets", ts);
			json_object_array_add(sites, so);
			cmet &= smet;
			ct += hs->ntargets;
			csum += ssum;
		}
		json_object_object_add(co, "name", json_object_new_string(h->commune[k]));
		json_object_object_add(co, "met", json_object_new_boolean(cmet));
		json_object_object_add(co, "score", json_object_new_double(ct ? 100.0 * csum / ct : 100.0));
		json_object_object_add(co, "sites", sites);
		json_object_array_add(communes, co);
		communes_met += cmet;
		share_sum += csum;
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
	free(cal_work);
	free(all);
	free(work);
	free(up);
	free(count);
	return rc;
}
