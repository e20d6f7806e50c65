#include "api.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentx.h"
#include "alerts.h"
#include "judge.h"
#include "promexport.h"
#include "readiness.h"
#include "texts.h"
#include "wire.h"

static void put_time(json_object *o, const char *k, time_t t)
{
	char buf[40];
	struct tm tm;
	if (!t || !localtime_r(&t, &tm)) {
		json_object_object_add(o, k, NULL);
		return;
	}
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
	json_object_object_add(o, k, json_object_new_string(buf));
}

static json_object *target_json(const struct collector *c, enum lang l,
				const struct site_type *st, const struct target_result *t)
{
	json_object *o = json_object_new_object();
	struct strbuf reason;
	if (t->kind == TK_SITES_MET) {
		json_object_object_add(o, "kind", json_object_new_string("sites_met"));
		json_object_object_add(o, "site_type",
				       json_object_new_string(t->site_type ? t->site_type->name : ""));
	} else if (t->kind == TK_METRIC && t->mt) {
		static const char *const ops[] = {">=", "<=", "=="};
		json_object_object_add(o, "kind", json_object_new_string("metric"));
		json_object_object_add(o, "class", json_object_new_string(devclass_name(t->cls)));
		json_object_object_add(o, "group", json_object_new_string(t->mt->group));
		json_object_object_add(o, "metric", json_object_new_string(t->mt->metric));
		json_object_object_add(o, "op", json_object_new_string(ops[t->mt->op]));
		json_object_object_add(o, "bound", json_object_new_double(t->mt->value));
		if (t->v == V_MISSED && t->worst_where[0]) {
			json_object_object_add(o, "worst", json_object_new_double(t->worst));
			json_object_object_add(o, "worst_at", json_object_new_string(t->worst_where));
		}
	} else {
		json_object_object_add(o, "kind", json_object_new_string("class_min_up"));
		json_object_object_add(o, "class", json_object_new_string(devclass_name(t->cls)));
	}
	json_object_object_add(o, "need", json_object_new_int(t->need));
	json_object_object_add(o, "up", json_object_new_int(t->up));
	json_object_object_add(o, "total", json_object_new_int(t->total));
	json_object_object_add(o, "unknown", json_object_new_int(t->unknown));
	json_object_object_add(o, "verdict", json_object_new_string(judge_name(t->v)));
	json_object_object_add(o, "met", json_object_new_boolean(t->v == V_MET));
	json_object_object_add(o, "severity", json_object_new_string(config_severity_name(t->sev)));
	json_object_object_add(o, "judged", json_object_new_boolean(t->judging == J_JUDGED));
	if (t->judging != J_JUDGED)
		json_object_object_add(o, "not_judged_because",
				       json_object_new_string(readiness_judging_name(t->judging)));
	if (strbuf_init(&reason, 4096) == 0) {
		text_reason(&reason, c->i18n, l, st, t);
		json_object_object_add(o, "reason", json_object_new_string(reason.data));
		strbuf_free(&reason);
	}
	return o;
}

static json_object *site_json(const struct collector *c, enum lang l, const struct readiness *r,
			      size_t s)
{
	const struct site_result *sr = &r->sites[s];
	json_object *o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(c->inv->sites[s].name));
	json_object_object_add(o, "type", json_object_new_string(c->inv->sites[s].type));
	json_object_object_add(o, "verdict", json_object_new_string(judge_name(sr->v)));
	json_object_object_add(o, "met", json_object_new_boolean(sr->v == V_MET));
	json_object_object_add(o, "score",
			       json_object_new_double(readiness_score(sr->nmet, sr->ncrit)));
	json_object_object_add(o, "warnings", json_object_new_int(sr->nwarn));
	json_object *ts = json_object_new_array();
	for (int k = 0; k < sr->ntargets; k++)
		json_object_array_add(ts, target_json(c, l, sr->type, &sr->targets[k]));
	json_object_object_add(o, "targets", ts);
	return o;
}

/* The district's figures (an officer's answer names the district and the time only). */
static json_object *district_json(const struct collector *c, const struct readiness *r,
				  const struct viewer *v)
{
	json_object *dist = json_object_new_object();
	json_object_object_add(dist, "name", json_object_new_string(c->cfg->district));
	put_time(dist, "at", r->at);
	if (!viewer_sees_all(v))
		return dist;
	json_object_object_add(dist, "communes", json_object_new_int((int)r->ncommunes));
	json_object_object_add(dist, "communes_met", json_object_new_int(r->ncommunes_met));
	json_object_object_add(dist, "communes_no_data", json_object_new_int(r->ncommunes_nodata));
	json_object_object_add(dist, "communes_judged", json_object_new_int(r->ncommunes_judged));
	json_object_object_add(dist, "communes_judged_met",
			       json_object_new_int(r->ncommunes_judged_met));
	json_object_object_add(dist, "targets", json_object_new_int(r->ntargets));
	json_object_object_add(dist, "targets_met", json_object_new_int(r->nmet));
	json_object_object_add(dist, "score",
			       json_object_new_double(readiness_score(r->nmet, r->ntargets)));
	json_object_object_add(dist, "warnings", json_object_new_int(r->nwarn));
	return dist;
}

int api_readiness(struct strbuf *out, const struct collector *c, enum lang l,
		  const struct viewer *v)
{
	struct readiness own = {0};
	struct readiness_input in = {c->cfg, c->inv, &c->state, c->now(), NULL};
	const struct readiness *rp = alerts_now(c->alerts, &in, &own);
	if (!rp)
		return -1;
	const struct readiness r = *rp;
	json_object *root = json_object_new_object();
	json_object_object_add(root, "district", district_json(c, &r, v));
	json_object *communes = json_object_new_array();
	for (size_t k = 0; k < r.ncommunes; k++) {
		const struct commune_result *cr = &r.communes[k];
		if (!viewer_sees(v, c->inv->communes[k].name))
			continue;
		json_object *co = json_object_new_object();
		json_object_object_add(co, "name", json_object_new_string(c->inv->communes[k].name));
		json_object_object_add(co, "verdict", json_object_new_string(judge_name(cr->v)));
		json_object_object_add(co, "met", json_object_new_boolean(cr->v == V_MET));
		/* what the overview shows: over the targets judged now */
		json_object_object_add(co, "verdict_judged",
				       json_object_new_string(cr->njudged || !cr->ntargets
								  ? judge_name(cr->vj)
								  : "not_judged"));
		if (!cr->njudged && cr->ntargets)
			json_object_object_add(co, "not_judged_because",
					       json_object_new_string(readiness_judging_name(cr->why)));
		json_object_object_add(co, "score",
				       json_object_new_double(readiness_score(cr->nmet, cr->ntargets)));
		json_object_object_add(co, "warnings", json_object_new_int(cr->nwarn));
		json_object_object_add(co, "devices", json_object_new_int(cr->devices));
		json_object_object_add(co, "devices_up", json_object_new_int(cr->devices_up));
		json_object *sites = json_object_new_array();
		for (size_t s = 0; s < r.nsites; s++)
			if (c->inv->sites[s].commune == k)
				json_object_array_add(sites, site_json(c, l, &r, s));
		json_object_object_add(co, "sites", sites);
		json_object *cts = json_object_new_array();
		for (int t = 0; t < cr->nctargets; t++)
			json_object_array_add(cts, target_json(c, l, NULL, &cr->targets[t]));
		json_object_object_add(co, "targets", cts);
		json_object_array_add(communes, co);
	}
	json_object_object_add(root, "communes", communes);
	if (rp == &own)
		readiness_free(&own);
	return json_append_put(out, root);
}

/* The probe's classification of a device the inventory left without a class: what it
 * recognised, how sure, its maker, the rule files' reasons, a change pending or confirmed. */
static void put_recognised(json_object *o, const struct dev_class_seen *a)
{
	if (!a->cls[0])
		return;
	json_object *r = json_object_new_object();
	json_object_object_add(r, "class", json_object_new_string(a->cls));
	json_object_object_add(r, "confidence", json_object_new_int(a->confidence));
	json_object_object_add(r, "vendor", json_object_new_string(a->vendor));
	json_object_object_add(r, "reasons", json_object_new_string(a->why));
	if (a->seen[0]) {
		json_object_object_add(r, "seen", json_object_new_string(a->seen));
		json_object_object_add(r, "seen_polls", json_object_new_int(a->seen_polls));
	}
	if (a->was[0]) {
		json_object_object_add(r, "was", json_object_new_string(a->was));
		put_time(r, "changed", a->changed);
	}
	json_object_object_add(o, "recognised", r);
}

int api_devices(struct strbuf *out, const struct collector *c, const struct viewer *v)
{
	time_t now = c->now();
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < c->inv->ndevices; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		if (!viewer_sees(v, c->inv->communes[d->commune].name))
			continue;
		const struct dev_state *s = &c->state.dev[i];
		enum dev_status st = state_status(&c->state, i, readiness_polled(d), now,
						  c->cfg->stale_after);
		json_object *o = json_object_new_object();
		json_object_object_add(o, "commune",
				       json_object_new_string(c->inv->communes[d->commune].name));
		json_object_object_add(o, "site", json_object_new_string(c->inv->sites[d->site].name));
		json_object_object_add(o, "device", json_object_new_string(d->name));
		json_object_object_add(o, "class", json_object_new_string(devclass_name(d->cls)));
		json_object_object_add(o, "address", json_object_new_string(d->host));
		json_object_object_add(o, "status", json_object_new_string(status_name(st)));
		put_time(o, "last_seen", s->last_seen);
		put_time(o, "last_poll", s->last_poll);
		put_time(o, "down_since", s->down_since);
		json_object_object_add(o, "error", json_object_new_string(s->error));
		json_object_object_add(o, "sys_name", json_object_new_string(s->sys_name));
		json_object_object_add(o, "sys_descr", json_object_new_string(s->sys_descr));
		json_object_object_add(o, "sys_objectid", json_object_new_string(s->sys_objectid));
		if (s->has_uptime)
			json_object_object_add(o, "uptime_s", json_object_new_int64(s->uptime_ticks / 100));
		json_object_object_add(o, "interfaces", json_object_new_int64((int64_t)s->nifs));
		json_object_object_add(o, "interfaces_up", json_object_new_int64((int64_t)s->nifs_up));
		put_recognised(o, &s->auto_cls);
		json_object_array_add(arr, o);
	}
	return json_append_put(out, arr);
}

/* One family of one sample, unlabelled: its HELP, its TYPE, its value. */
static void one(struct strbuf *o, const char *name, const char *type, const char *help,
		unsigned long long x)
{
	strbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name, x);
}

static void head(struct strbuf *o, const char *name, const char *type, const char *help)
{
	strbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Per probe: its last contact, what it sent, what waits in its spool and what it lost. */
static void probe_metrics(struct strbuf *out, const struct probestat *ps, time_t now)
{
	static const char *const fam[][3] = {
	    {"hbmon_probe_last_contact_age_seconds", "gauge", "Seconds since the probe last posted"},
	    {"hbmon_probe_batches_total", "counter", "Batches the probe posted"},
	    {"hbmon_probe_duplicate_batches_total", "counter", "Batches the probe sent again"},
	    {"hbmon_probe_spool_batches", "gauge", "Batches waiting in the probe's spool"},
	    {"hbmon_probe_spool_oldest_age_seconds", "gauge", "Age of the oldest batch waiting"},
	    {"hbmon_probe_spool_lost_batches_total", "counter", "Batches the probe's spool lost"}};
	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		head(out, fam[f][0], fam[f][1], fam[f][2]);
		for (size_t i = 0; i < ps->n; i++) {
			const struct probe_status *p = &ps->p[i];
			long long x = f == 0   ? (long long)(now - p->last_contact)
				      : f == 1 ? (long long)p->batches
				      : f == 2 ? (long long)p->duplicates
				      : f == 3 ? (long long)p->spool_batches
				      : f == 4 ? (long long)(p->spool_oldest ? now - p->spool_oldest : 0)
					       : (long long)p->spool_lost;
			/* probes_valid_name: nothing to escape */
			strbuf_printf(out, "%s{probe=\"%s\"} %lld\n", fam[f][0], p->name, x);
		}
	}
}

/* A family of counters by reason. */
static void by_reason(struct strbuf *o, const char *name, const char *help,
		      const char *const *reasons, const unsigned long long *x, size_t n)
{
	head(o, name, "counter", help);
	for (size_t i = 0; i < n; i++)
		strbuf_printf(o, "%s{reason=\"%s\"} %llu\n", name, reasons[i], x[i]);
}

static void ingest_metrics(struct strbuf *out, const struct collector *c)
{
	const struct ingest_stats *in = &c->ingest.st;
	static const char *const why[] = {"unknown_device", "clock", "not_assigned", "malformed"};
	static const char *const rows[] = {"rows_per_sample", "layout_limit"};
	unsigned long long refused[] = {in->samples_unknown_device, in->samples_bad_time,
					in->samples_not_assigned, in->samples_malformed};
	unsigned long long capped[] = {
	    in->group_rows_capped, c->ingest.groups ? groupdefs_dropped(c->ingest.groups) : 0};
	one(out, "hbmon_ingest_batches_total", "counter", "Batches received", in->batches);
	one(out, "hbmon_ingest_batches_refused_total", "counter", "Batches refused as malformed",
	    in->batches_bad);
	one(out, "hbmon_ingest_samples_total", "counter", "Samples received", in->samples);
	by_reason(out, "hbmon_ingest_samples_refused_total", "Samples refused, by reason", why,
		  refused, 4);
	by_reason(out, "hbmon_ingest_rows_refused_total", "Table rows refused, by reason", why + 3,
		  &(unsigned long long){in->rows_malformed}, 1);
	one(out, "hbmon_ingest_unauthorized_total", "counter",
	    "Batches refused for a missing or wrong credential", in->batches_unauthorized);
	by_reason(out, "hbmon_profile_rows_not_stored_total",
		  "Profile rows not stored because a limit was reached", rows, capped, 2);
	one(out, "hbmon_ingest_busy_total", "counter", "Batches answered 503: the writer was busy",
	    in->batches_busy);
	one(out, "hbmon_ingest_storage_failed_total", "counter", "Batches the store failed to write",
	    in->batches_storage_failed);
	one(out, "hbmon_ingest_duplicate_batches_total", "counter",
	    "Batches received again, acknowledged without a second write", in->batches_duplicate);
	one(out, "hbmon_device_class_changes_total", "counter",
	    "Devices the probe confirmed as another class than before (replaced?)",
	    in->class_changes);
	by_reason(out, "hbmon_rrd_files_refused_total", "RRD files not created, by quota",
		  (const char *const[]){"device_quota", "probe_rate"},
		  (unsigned long long[]){in->files_refused_quota, in->files_refused_rate}, 2);
}

static void store_metrics(struct strbuf *out, const struct collector *c)
{
	const struct rrdstore_stats *rs = rrdstore_stats(c->rrd);
	one(out, "hbmon_rrd_updates_total", "counter", "RRD updates written", rs->updates);
	one(out, "hbmon_rrd_files_created_total", "counter", "RRD files created", rs->created);
	one(out, "hbmon_rrd_late_samples_total", "counter",
	    "Samples not newer than their RRD file's last update", rs->late);
	one(out, "hbmon_rrd_errors_total", "counter", "RRD writes that failed", rs->errors);
	one(out, "hbmon_rrd_files_tuned_total", "counter", "RRD files given new data sources",
	    rs->tuned);
	one(out, "hbmon_rrdcached_batches_total", "counter", "Batches sent to rrdcached",
	    rs->batches);
	one(out, "hbmon_write_queue_batches", "gauge", "Batches waiting for the writer thread",
	    c->writer ? worker_pending(c->writer) : 0);
	one(out, "hbmon_log_lines_suppressed_total", "counter",
	    "Repeated warnings summarised instead of logged", c->warnings.suppressed);
}

/* The collector's own counters: its work, not a commune's. */
static void own_metrics(struct strbuf *out, const struct collector *c, time_t now)
{
	size_t count[DEV_STATUS_COUNT] = {0};
	for (size_t i = 0; i < c->inv->ndevices; i++)
		count[state_status(&c->state, i, readiness_polled(&c->inv->devices[i]), now,
				   c->cfg->stale_after)]++;
	ingest_metrics(out, c);
	store_metrics(out, c);
	head(out, "hbmon_devices", "gauge", "Devices of the inventory by status");
	for (int s = 0; s < DEV_STATUS_COUNT; s++)
		strbuf_printf(out, "hbmon_devices{status=\"%s\"} %zu\n",
			      status_name((enum dev_status)s), count[s]);
	probe_metrics(out, &c->probestat, now);
	if (c->alerts) {
		uint64_t ticks;
		double cpu;
		alerts_tick_cost(c->alerts, &ticks, &cpu);
		one(out, "hbmon_judge_ticks_total", "counter", "Readiness judgements made", ticks);
		head(out, "hbmon_judge_cpu_seconds_total", "counter", "CPU time the judgements took");
		strbuf_printf(out, "hbmon_judge_cpu_seconds_total %.6f\n", cpu);
	}
	agentx_metrics(c->agentx, out);
	if (c->conn_stats) {
		one(out, "hbmon_http_connections", "gauge", "HTTP connections open",
		    c->conn_stats->open);
		by_reason(out, "hbmon_http_connections_cut_total", "HTTP connections cut, by reason",
			  (const char *const[]){"slow_request", "slow_upload"},
			  (unsigned long long[]){c->conn_stats->cut_headers, c->conn_stats->cut_body}, 2);
	}
}

int api_metrics(struct strbuf *out, const struct collector *c, const struct viewer *v)
{
	/* a reader of some communes gets their figures, not the district's machinery */
	if (viewer_sees_all(v))
		own_metrics(out, c, c->now());
	if (promexport_write(out, c, v) < 0)
		return -1;
	return out->overflow ? -1 : 0;
}
