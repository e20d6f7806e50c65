#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MAX_CLOCK_AHEAD 300 /* seconds a probe's clock may run ahead of ours */
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
static int add_update(struct ingest_job *j, const char *prefix, size_t plen, const char *group,
		      const struct rrd_group_def *def, int64_t ts, const char *vals, size_t vlen)
{
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
 * device counts for (until the next reload, then again from the next sample). */
static void learn_class(struct inv_device *d, const struct dev_sample *s)
{
	if (!d->cls_auto || !s->up || !s->cls[0])
		return;
	int c = devclass_parse(s->cls);
	if (c >= 0 && (enum dev_class)c != d->cls) {
		log_info("ingest", "%s: class %s, as the probe detected it", d->name, s->cls);
		d->cls = (enum dev_class)c;
	}
}

/* One file per profile-group row: "<group>.rrd" for scalars, "<group>-<index>.rrd" for rows. */
static int add_groups(struct ingest *in, struct ingest_job *j, const char *prefix, size_t plen,
		      const struct dev_sample *s)
{
	char vals[RRD_GROUP_MAX_DS * 24], group[WIRE_METRIC_MAX + WIRE_INDEX_MAX + 2];
	size_t stored = 0;
	if (!in->groups)
		return 0;
	for (size_t k = 0; k < s->nrows; k++) {
		const struct group_row *r = &s->rows[k];
		if (r->nostore)
			continue;
		const struct rrd_group_def *def = groupdefs_for_row(in->groups, r);
		if (!def)
			continue;
		if (stored == MAX_GROUP_FILES) {
			in->st.group_rows_capped++;
			continue;
		}
		int n = groupdefs_values(def, r, vals, sizeof(vals));
		snprintf(group, sizeof(group), "%s%s%s", r->group, r->index[0] ? "-" : "", r->index);
		if (n < 0 || add_update(j, prefix, plen, group, def, s->ts, vals, (size_t)n) < 0)
			return -1;
		stored++;
	}
	return 0;
}

long ingest_batch(struct ingest *in, const char *peer, const char *body, size_t len,
		  struct ingest_job *job, char *err, size_t errsz)
{
	struct batch b;
	long accepted = 0;
	in->st.batches++;
	if (wire_decode_batch(body, len, &b, err, errsz) < 0) {
		in->st.batches_bad++;
		log_warnx("ingest", "%s: batch refused: %s", peer, err);
		return -1;
	}
	job->devs = calloc(b.nsamples ? b.nsamples : 1, sizeof(*job->devs));
	if (!job->devs) {
		snprintf(err, errsz, "out of memory");
		wire_batch_free(&b);
		return -1;
	}
	time_t now = in->now();
	job->inv = in->inv;
	for (size_t i = 0; i < b.nsamples; i++) {
		const struct dev_sample *s = &b.samples[i];
		long idx = inventory_find(in->inv, s->commune, s->device);
		if (idx < 0) {
			in->st.samples_unknown_device++;
			log_debug("ingest", "%s (probe %s): sample for unknown device %s/%s",
				  peer, b.probe, s->commune, s->device);
			continue;
		}
		if (s->ts > now + MAX_CLOCK_AHEAD) {
			in->st.samples_bad_time++;
			log_debug("ingest", "%s (probe %s): %s/%s: sample from the future", peer,
				  b.probe, s->commune, s->device);
			continue;
		}
		const struct inv_device *d = &in->inv->devices[idx];
		char prefix[4096];
		int plen = snprintf(prefix, sizeof(prefix), "%s/%s/%s/", rrdstore_base(in->rrd),
				    in->inv->communes[d->commune].path, d->path);
		if (plen < 0 || (size_t)plen >= sizeof(prefix) - 32 ||
		    add_system(job, prefix, (size_t)plen, s) < 0 ||
		    add_interfaces(job, prefix, (size_t)plen, s) < 0 ||
		    add_groups(in, job, prefix, (size_t)plen, s) < 0) {
			snprintf(err, errsz, "out of memory");
			wire_batch_free(&b);
			return -1;
		}
		if (state_apply(in->state, (size_t)idx, s))
			in->state->dev[idx].received = now;
		learn_class(&in->inv->devices[idx], s);
		job->devs[job->ndevs++] = (size_t)idx;
		accepted++;
	}
	for (size_t i = 0; i < job->n; i++) {
		job->u[i].path = job->text + job->off[i].path;
		job->u[i].vals = job->text + job->off[i].vals;
	}
	in->st.samples += (uint64_t)accepted;
	job->accepted = accepted;
	if ((size_t)accepted < b.nsamples)
		log_warnx("ingest", "%s (probe %s): %zu of %zu samples refused (unknown device or clock)",
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
