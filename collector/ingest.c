#include "ingest.h"

#include <json-c/json.h>
#include <sys/stat.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "identstore.h"
#include "lanhosts.h"
#include "log.h"
#include "names.h"

#define MAX_GROUP_FILES 64  /* profile-group rows stored per sample: one file each */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* Appends the concatenation of n pieces, NUL-terminated; returns its offset or SIZE_MAX. */
static size_t put_text(struct ingest_job *j, const char *const *piece, const size_t *len, int n)
{
	size_t at = j->tlen, total = 0;
	for (int i = 0; i < n; i++)
		total += len[i];
	if (grow((void **)&j->text, &j->tcap, j->tlen + total + 1, 1) < 0)
		return SIZE_MAX;
	for (int i = 0; i < n; i++) {
		memcpy(j->text + j->tlen, piece[i], len[i]);
		j->tlen += len[i];
	}
	j->text[j->tlen++] = '\0';
	return at;
}

/* prefix: "<base>/<commune>/<device>/" of the sample's device (one snprintf per sample, not
 * per update: a big switch sends hundreds of interfaces) */
static double mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * The device may have this file: it has it already, or is under its file quota and its probe
 * under its new-files rate. A refused file is counted and never created. Files made before a
 * start are found on disk once, and count towards the quota without using the rate.
 */
static int file_allowed(struct ingest_job *j, const char *prefix, size_t plen, const char *group)
{
	struct ingest *in = j->in;
	struct dev_state *d = &in->state->dev[j->dev];
	uint64_t h = quota_name_hash(group);
	if (file_set_has(&d->files, h))
		return 1;
	if (d->files.n >= (size_t)in->max_files) {
		in->st.files_refused_quota++;
		d->files_refused++;
		return 0;
	}
	char path[4400];
	struct stat sb;
	snprintf(path, sizeof(path), "%.*s%s.rrd", (int)plen, prefix, group);
	if (stat(path, &sb) != 0 && j->from &&
	    !rate_take(&j->from->new_files, in->new_files_per_minute, mono_now())) {
		in->st.files_refused_rate++;
		d->files_refused++;
		return 0;
	}
	return file_set_add(&d->files, h) == 0;
}

/* 0 (added, or refused by a quota), or -1 out of memory. */
static int add_update(struct ingest_job *j, const char *prefix, size_t plen, const char *group,
		      const struct rrd_group_def *def, int64_t ts, const char *vals, size_t vlen)
{
	if (j->in && !file_allowed(j, prefix, plen, group))
		return 0;
	size_t ucap = j->cap;
	if (grow((void **)&j->u, &ucap, j->n + 1, sizeof(*j->u)) < 0 ||
	    grow((void **)&j->off, &j->cap, j->n + 1, sizeof(*j->off)) < 0)
		return -1;
	const char *pp[3] = {prefix, group, ".rrd"};
	size_t pl[3] = {plen, strlen(group), 4};
	size_t p = put_text(j, pp, pl, 3), v = put_text(j, &vals, &vlen, 1);
	if (p == SIZE_MAX || v == SIZE_MAX)
		return -1;
	j->off[j->n].path = p;
	j->off[j->n].vals = v;
	j->u[j->n] = (struct rrd_update){NULL, NULL, def, ts, 0};
	j->n++;
	return 0;
}

/* Decimal digits of v at dst (room for 20); returns the length. */
static size_t put_u64(char *dst, uint64_t v)
{
	char tmp[20];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

/* A value, or U when the agent did not give it. */
static size_t put_val(char *dst, int have, uint64_t v)
{
	if (!have) {
		*dst = 'U';
		return 1;
	}
	return put_u64(dst, v);
}

static int add_system(struct ingest_job *j, const char *prefix, size_t plen,
		      const struct dev_sample *s)
{
	char vals[64];
	size_t o = put_val(vals, 1, s->up ? 1 : 0);
	vals[o++] = ':';
	o += put_val(vals + o, s->up && s->has_uptime, s->uptime_ticks / 100);
	vals[o++] = ':';
	o += put_val(vals + o, s->up && s->rtt_ms >= 0, (uint64_t)(s->rtt_ms < 0 ? 0 : s->rtt_ms));
	return add_update(j, prefix, plen, "system", &RRDG_SYSTEM, s->ts, vals, o);
}

static int add_interfaces(struct ingest_job *j, const char *prefix, size_t plen,
			  const struct dev_sample *s)
{
	char vals[6 * 21], group[16] = "if-";
	for (size_t k = 0; k < s->nifs; k++) {
		const struct if_sample *f = &s->ifs[k];
		size_t o = put_val(vals, f->has & IFF_IN_OCTETS, f->in_octets);
		vals[o++] = ':';
		o += put_val(vals + o, f->has & IFF_OUT_OCTETS, f->out_octets);
		vals[o++] = ':';
		o += put_val(vals + o, f->has & IFF_IN_ERRORS, f->in_errors);
		vals[o++] = ':';
		o += put_val(vals + o, f->has & IFF_OUT_ERRORS, f->out_errors);
		vals[o++] = ':';
		o += put_val(vals + o, (f->has & IFF_OPER) && f->oper >= 1, (uint64_t)f->oper);
		vals[o++] = ':';
		o += put_val(vals + o, f->has & IFF_SPEED, f->speed);
		group[3 + put_u64(group + 3, f->index)] = '\0';
		if (add_update(j, prefix, plen, group, &RRDG_IF, s->ts, vals, o) < 0)
			return -1;
	}
	return 0;
}

/* The inventory left the class empty: the probe's classification decides which targets the
 * device counts for (until the next reload, then again from the next sample). The class it
 * recognised, "other" too; from an older probe, the profile it polled with. */
static void learn_class(struct inv_device *d, const struct dev_sample *s)
{
	const char *name = s->cls_auto[0] ? s->cls_auto : s->cls;
	if (!d->cls_auto || !s->up || !name[0])
		return;
	int c = devclass_parse(name);
	if (c >= 0 && (enum dev_class)c != d->cls) {
		log_info("ingest", "%s: class %s, as the probe detected it", d->name, name);
		d->cls = (enum dev_class)c;
	}
}

/* A change of class the probe confirmed (the device was replaced by another kind), applied to
 * the state for the first time: counted, logged with its commune and device, and told. The
 * inventory's class always wins: a device it gives a class is never re-classed. */
static void note_class_change(struct ingest *in, size_t i, const struct dev_class_seen *before)
{
	const struct dev_class_seen *k = &in->state->dev[i].auto_cls;
	const struct inv_device *d = &in->inv->devices[i];
	if (!d->cls_auto || !k->was[0] ||
	    (k->changed == before->changed && strcmp(k->was, before->was) == 0))
		return;
	in->st.class_changes++;
	log_warnx("ingest", "%s/%s: class %s, %s before (the probe confirmed it, %d %% sure): "
		  "replaced by another device?", in->inv->communes[d->commune].name, d->name, k->cls,
		  k->was, k->confidence);
	if (in->class_changed)
		in->class_changed(in->class_ctx, i, k->was, k->cls, k->changed);
}

/* What an answering device says it is, kept when it changed (identstore.h). */
static void keep_identity(struct ingest *in, size_t i, const struct dev_sample *s)
{
	struct dev_state *d = &in->state->dev[i];
	if (!in->ident || !s->up || d->last_poll != s->ts)
		return; /* down, or older than what the state holds */
	const struct inv_device *dev = &in->inv->devices[i];
	const struct dev_class_seen *k = &d->auto_cls;
	struct dev_ident id = {
	    .commune = in->inv->communes[dev->commune].name, .device = dev->name,
	    .model = d->model, .serial = d->serial, .sys_name = d->sys_name,
	    .sys_descr = d->sys_descr, .cls = d->cls, .seen = (time_t)s->ts,
	    .auto_cls = k->cls, .vendor = k->vendor, .why = k->why, .was = k->was,
	    .confidence = k->confidence, .changed = k->changed};
	identstore_save(in->ident, &id, &d->ident_saved);
}

/* A refusal worth a log line now (the limiter counts the rest of a flood from one peer). */
static int warn_ok(struct ingest *in, const char *kind, const char *peer)
{
	return !in->warnings || lograte_allow(in->warnings, kind, peer, time(NULL));
}

/* One file per profile-group row, named by name_row_file ("<group>-<index>.rrd" mostly). */
static int add_groups(struct ingest *in, struct ingest_job *j, const char *prefix, size_t plen,
		      const struct dev_sample *s)
{
	char vals[RRD_GROUP_MAX_DS * 24], group[ROW_FILE_STEM_MAX];
	size_t stored = 0;
	if (!in->groups)
		return 0;
	for (size_t k = 0; k < s->nrows; k++) {
		const struct group_row *r = &s->rows[k];
		if (r->nostore)
			continue;
		const struct rrd_group_def *def = groupdefs_for_row(in->groups, r, j->from ? j->from->name : NULL);
		if (!def)
			continue;
		if (stored == MAX_GROUP_FILES) {
			in->st.group_rows_capped++;
			continue;
		}
		/* the decoder checked group and index: a refusal here cannot happen */
		if (name_row_file(group, sizeof(group), r->group, r->index) < 0)
			continue;
		int n = groupdefs_values(def, r, vals, sizeof(vals));
		if (n < 0 || add_update(j, prefix, plen, group, def, s->ts, vals, (size_t)n) < 0)
			return -1;
		stored++;
	}
	return 0;
}

/* The device is the probe's to write: its inventory row names it, or names none and the probe
 * is the default one. A local import (probe NULL) writes any device. */
static int assigned(const struct ingest *in, const struct inv_device *d, const char *probe)
{
	if (!probe)
		return 1;
	const char *owner = assignment_owner(d, in->default_probe);
	return owner && strcmp(owner, probe) == 0;
}

struct lan_ctx {
	struct ingest *in;
	const char *probe;
	signed char *ok; /* per commune: 1 may, 0 may not, -1 not looked at yet */
};

/* A probe speaks for the LAN of a commune it polls a device of (an import: any). */
static int may_report_lan(void *ctx, size_t k)
{
	struct lan_ctx *x = ctx;
	if (x->ok && x->ok[k] >= 0)
		return x->ok[k];
	int may = 0;
	for (size_t i = 0; !may && i < x->in->inv->ndevices; i++)
		may = x->in->inv->devices[i].commune == k &&
		      assigned(x->in, &x->in->inv->devices[i], x->probe);
	if (x->ok)
		x->ok[k] = (signed char)may;
	return may;
}

static void take_lan(struct ingest *in, const char *peer, const char *probe, const struct batch *b)
{
	if (b->lan_error[0] && warn_ok(in, "lan refused", peer))
		log_warnx("ingest", "%s (probe %s): LAN watch report dropped: %s", peer, b->probe,
			  b->lan_error);
	if (b->lan.refused && warn_ok(in, "lan entries refused", peer))
		log_warnx("ingest", "%s (probe %s): %zu LAN watch entries dropped, first %s", peer,
			  b->probe, b->lan.refused, b->lan.first_error);
	if (!in->lan)
		return;
	struct lan_ctx x = {in, probe, malloc(in->inv->ncommunes ? in->inv->ncommunes : 1)};
	if (x.ok)
		memset(x.ok, -1, in->inv->ncommunes);
	size_t nh = b->lan.nhosts, taken = lanhosts_apply(in->lan, &b->lan, b->probe,
							   may_report_lan, &x);
	free(x.ok);
	if (taken < nh && warn_ok(in, "lan hosts refused", peer))
		log_warnx("ingest", "%s (probe %s): %zu LAN hosts of communes it polls nothing in "
			  "(or not in the inventory) ignored", peer, b->probe, nh - taken);
}

/* Why a sample is not stored (the batch's sender may not write it, or it is dated in our
 * future), counted; NULL when it is stored. */
static const char *sample_refusal(struct ingest *in, const char *probe,
				  const struct dev_sample *s, long idx, time_t now)
{
	if (idx < 0) {
		in->st.samples_unknown_device++;
		return "no such device in the inventory";
	}
	if (!assigned(in, &in->inv->devices[idx], probe)) {
		in->st.samples_not_assigned++;
		return "the inventory gives this device to another probe";
	}
	if (s->ts > now + in->max_ahead) {
		in->st.samples_bad_time++;
		return "dated ahead of the collector's clock";
	}
	return NULL;
}

/* One refusal in the answer to the probe; the first WIRE_MAX_REFUSALS are described. */
static void answer_refusal(struct json_object *list, const char *where, const char *commune,
			   const char *device, const char *reason)
{
	if (!list || json_object_array_length(list) >= WIRE_MAX_REFUSALS)
		return;
	struct json_object *o = json_object_new_object();
	if (!o)
		return;
	if (where && where[0])
		json_object_object_add(o, "where", json_object_new_string(where));
	json_object_object_add(o, "commune", json_object_new_string(commune));
	json_object_object_add(o, "device", json_object_new_string(device));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_array_add(list, o);
}

/* {"accepted":N,"refused":{"samples":S,"rows":R},"refusals":[...]}: what the probe is told. */
static void make_answer(struct ingest_job *job, struct json_object *list, size_t samples,
			size_t rows)
{
	struct json_object *o = json_object_new_object(), *r = json_object_new_object();
	if (o && r) {
		json_object_object_add(o, "accepted", json_object_new_int64(job->accepted));
		json_object_object_add(r, "samples", json_object_new_int64((int64_t)samples));
		json_object_object_add(r, "rows", json_object_new_int64((int64_t)rows));
		json_object_object_add(o, "refused", r);
		r = NULL;
		json_object_object_add(o, "refusals", json_object_get(list));
		job->answer = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	}
	json_object_put(r);
	json_object_put(o);
}

/* The parts of a good batch the decoder dropped: counted, and one line per batch names the
 * first (the answer to the probe lists them from b->refused). */
static void note_refusals(struct ingest *in, const char *peer, const struct batch *b)
{
	if (!b->refused_samples && !b->refused_rows)
		return;
	in->st.samples_malformed += b->refused_samples;
	in->st.rows_malformed += b->refused_rows;
	const struct wire_refusal *f = b->nrefused ? &b->refused[0] : NULL;
	if (warn_ok(in, "rows refused", peer))
		log_warnx("ingest", "%s (probe %s): %zu samples and %zu rows or interfaces refused, the "
		  "rest kept; first %s (%s/%s): %s", peer, b->probe, b->refused_samples,
		  b->refused_rows, f ? f->where : "?", f && f->commune[0] ? f->commune : "?",
		  f && f->device[0] ? f->device : "?", f ? f->reason : "not recorded");
}

/* The probe sent this batch before and it is stored (our answer was lost): acknowledged again,
 * not written twice. Otherwise the job remembers whose batch it is, for probestat_stored. */
static int is_duplicate(struct ingest *in, const char *probe, const struct batch *b,
			struct ingest_job *job, time_t now)
{
	struct probe_status *ps = probe && in->probes ? probestat_get(in->probes, probe) : NULL;
	if (!ps)
		return 0;
	ps->last_contact = now;
	ps->batches++;
	if (probestat_is_duplicate(ps, b->epoch, b->seq)) {
		ps->duplicates++;
		in->st.batches_duplicate++;
		job->answer = strdup("{\"accepted\":0,\"duplicate\":true}");
		return 1;
	}
	job->from = ps;
	job->epoch = b->epoch;
	job->seq = b->seq;
	return 0;
}

long ingest_refused(struct ingest *in, const char *peer, const char *err)
{
	in->st.batches++;
	in->st.batches_bad++;
	if (warn_ok(in, "batch refused", peer))
		log_warnx("ingest", "%s: batch refused: %s", peer, err);
	return -1;
}

long ingest_batch(struct ingest *in, const char *peer, const char *probe, const char *body,
		  size_t len, struct ingest_job *job, char *err, size_t errsz)
{
	struct batch b;
	if (wire_decode_batch(body, len, &b, err, errsz) < 0)
		return ingest_refused(in, peer, err);
	return ingest_decoded(in, peer, probe, &b, job, err, errsz);
}

long ingest_decoded(struct ingest *in, const char *peer, const char *probe, struct batch *bp,
		    struct ingest_job *job, char *err, size_t errsz)
{
	struct batch b = *bp;
	long accepted = 0;
	time_t now = in->now();
	memset(bp, 0, sizeof(*bp)); /* ours now */
	in->st.batches++;
	if (probe && strcmp(b.probe, probe) != 0) {
		in->st.batches_bad++;
		snprintf(err, errsz, "the batch names probe \"%s\" but was sent with %s's credential",
			 b.probe, probe);
		if (warn_ok(in, "batch refused", peer))
			log_warnx("ingest", "%s: batch refused: %s", peer, err);
		wire_batch_free(&b);
		return -1;
	}
	if (is_duplicate(in, probe, &b, job, now)) {
		wire_batch_free(&b);
		return 0;
	}
	note_refusals(in, peer, &b);
	take_lan(in, peer, probe, &b);
	struct json_object *list = json_object_new_array();
	for (size_t i = 0; i < b.nrefused; i++)
		answer_refusal(list, b.refused[i].where, b.refused[i].commune, b.refused[i].device,
			       b.refused[i].reason);
	job->devs = calloc(b.nsamples ? b.nsamples : 1, sizeof(*job->devs));
	if (!job->devs) {
		json_object_put(list);
		snprintf(err, errsz, "out of memory");
		wire_batch_free(&b);
		return -1;
	}
	job->inv = in->inv;
	for (size_t i = 0; i < b.nsamples; i++) {
		const struct dev_sample *s = &b.samples[i];
		long idx = inventory_find(in->inv, s->commune, s->device);
		const char *why = sample_refusal(in, probe, s, idx, now);
		if (why) {
			log_debug("ingest", "%s (probe %s): %s/%s: %s", peer, b.probe, s->commune,
				  s->device, why);
			answer_refusal(list, NULL, s->commune, s->device, why);
			continue;
		}
		const struct inv_device *d = &in->inv->devices[idx];
		job->in = in;
		job->dev = (size_t)idx;
		char prefix[4096];
		int plen = snprintf(prefix, sizeof(prefix), "%s/%s/%s/", rrdstore_base(in->rrd),
				    in->inv->communes[d->commune].path, d->path);
		if (plen < 0 || (size_t)plen >= sizeof(prefix) - 32 ||
		    add_system(job, prefix, (size_t)plen, s) < 0 ||
		    add_interfaces(job, prefix, (size_t)plen, s) < 0 ||
		    add_groups(in, job, prefix, (size_t)plen, s) < 0) {
			snprintf(err, errsz, "out of memory");
			json_object_put(list);
			wire_batch_free(&b);
			return -1;
		}
		struct dev_class_seen before = in->state->dev[idx].auto_cls;
		/* an older answer arriving late tells nothing new of what the device is now */
		if (state_apply(in->state, (size_t)idx, s)) {
			in->state->dev[idx].received = now;
			learn_class(&in->inv->devices[idx], s);
			note_class_change(in, (size_t)idx, &before);
		}
		keep_identity(in, (size_t)idx, s);
		job->devs[job->ndevs++] = (size_t)idx;
		accepted++;
	}
	for (size_t i = 0; i < job->n; i++) {
		job->u[i].path = job->text + job->off[i].path;
		job->u[i].vals = job->text + job->off[i].vals;
	}
	in->st.samples += (uint64_t)accepted;
	if (job->from)
		job->from->samples += (uint64_t)accepted;
	job->accepted = accepted;
	make_answer(job, list, b.refused_samples + b.nsamples - (size_t)accepted, b.refused_rows);
	json_object_put(list);
	if ((size_t)accepted < b.nsamples && warn_ok(in, "samples refused", peer))
		log_warnx("ingest", "%s (probe %s): %zu of %zu samples refused (unknown device, "
			  "not this probe's, or dated ahead)",
			  peer, b.probe, b.nsamples - (size_t)accepted, b.nsamples);
	wire_batch_free(&b);
	return accepted;
}

void ingest_job_free(struct ingest_job *job)
{
	if (!job)
		return;
	free(job->u);
	free(job->off);
	free(job->text);
	free(job->devs);
	free(job->answer);
	memset(job, 0, sizeof(*job));
}

void ingest_write_jobs(void *ctx, struct wjob **jobs, size_t n)
{
	struct rrdstore *rs = ctx;
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += ((struct ingest_job *)(void *)jobs[i])->n;
	struct rrd_update *all = malloc((total ? total : 1) * sizeof(*all));
	if (!all) {
		/* cannot merge: write each job on its own */
		for (size_t i = 0; i < n; i++) {
			struct ingest_job *j = (struct ingest_job *)(void *)jobs[i];
			j->storage_down = rrdstore_write(rs, j->u, j->n) < 0;
		}
		return;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		struct ingest_job *j = (struct ingest_job *)(void *)jobs[i];
		if (j->n) /* a batch of refused samples has no updates (and no array) */
			memcpy(all + o, j->u, j->n * sizeof(*all));
		o += j->n;
	}
	rrdstore_write(rs, all, total);
	o = 0;
	for (size_t i = 0; i < n; i++) {
		struct ingest_job *j = (struct ingest_job *)(void *)jobs[i];
		j->storage_down = 0;
		for (size_t k = 0; k < j->n; k++, o++) {
			j->u[k].result = all[o].result;
			if (all[o].result == -2)
				j->storage_down = 1;
		}
	}
	free(all);
}
