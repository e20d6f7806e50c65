#include "ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MAX_CLOCK_AHEAD 300 /* seconds a probe's clock may run ahead of ours */

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

static size_t put_text(struct ingest_job *j, const char *s, size_t len)
{
	size_t at = j->tlen;
	if (grow((void **)&j->text, &j->tcap, j->tlen + len + 1, 1) < 0)
		return SIZE_MAX;
	memcpy(j->text + at, s, len);
	j->text[at + len] = '\0';
	j->tlen += len + 1;
	return at;
}

static int add_update(struct ingest_job *j, const struct rrdstore *rs, const char *cpath,
		      const char *dpath, const char *group, const struct rrd_group_def *def,
		      int64_t ts, const char *vals)
{
	char path[4096];
	size_t ucap = j->cap;
	if (rrdstore_path(rs, path, sizeof(path), cpath, dpath, group) < 0)
		return -1;
	if (grow((void **)&j->u, &ucap, j->n + 1, sizeof(*j->u)) < 0 ||
	    grow((void **)&j->off, &j->cap, j->n + 1, sizeof(*j->off)) < 0)
		return -1;
	size_t p = put_text(j, path, strlen(path)), v = put_text(j, vals, strlen(vals));
	if (p == SIZE_MAX || v == SIZE_MAX)
		return -1;
	j->off[j->n].path = p;
	j->off[j->n].vals = v;
	j->u[j->n] = (struct rrd_update){NULL, NULL, def, ts, 0};
	j->n++;
	return 0;
}

static int add_system(struct ingest_job *j, const struct rrdstore *rs, const char *cpath,
		      const char *dpath, const struct dev_sample *s)
{
	char vals[64], uptime[24] = "U", rtt[16] = "U";
	if (s->up && s->has_uptime)
		snprintf(uptime, sizeof(uptime), "%u", s->uptime_ticks / 100);
	if (s->up && s->rtt_ms >= 0)
		snprintf(rtt, sizeof(rtt), "%d", s->rtt_ms);
	snprintf(vals, sizeof(vals), "%d:%s:%s", s->up ? 1 : 0, uptime, rtt);
	return add_update(j, rs, cpath, dpath, "system", &RRDG_SYSTEM, s->ts, vals);
}

static size_t fmt_u64(char *dst, size_t n, int have, uint64_t v)
{
	int len = have ? snprintf(dst, n, "%llu", (unsigned long long)v) : snprintf(dst, n, "U");
	return len < 0 ? 0 : (size_t)len;
}

static int add_interfaces(struct ingest_job *j, const struct rrdstore *rs, const char *cpath,
			  const char *dpath, const struct dev_sample *s)
{
	char vals[160], group[32];
	for (size_t k = 0; k < s->nifs; k++) {
		const struct if_sample *f = &s->ifs[k];
		size_t o = 0;
		o += fmt_u64(vals + o, sizeof(vals) - o, f->has & IFF_IN_OCTETS, f->in_octets);
		vals[o++] = ':';
		o += fmt_u64(vals + o, sizeof(vals) - o, f->has & IFF_OUT_OCTETS, f->out_octets);
		vals[o++] = ':';
		o += fmt_u64(vals + o, sizeof(vals) - o, f->has & IFF_IN_ERRORS, f->in_errors);
		vals[o++] = ':';
		o += fmt_u64(vals + o, sizeof(vals) - o, f->has & IFF_OUT_ERRORS, f->out_errors);
		vals[o++] = ':';
		o += fmt_u64(vals + o, sizeof(vals) - o, (f->has & IFF_OPER) && f->oper >= 1,
			     (uint64_t)f->oper);
		vals[o++] = ':';
		fmt_u64(vals + o, sizeof(vals) - o, f->has & IFF_SPEED, f->speed);
		snprintf(group, sizeof(group), "if-%u", f->index);
		if (add_update(j, rs, cpath, dpath, group, &RRDG_IF, s->ts, vals) < 0)
			return -1;
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
		const char *cpath = in->inv->communes[d->commune].path;
		if (add_system(job, in->rrd, cpath, d->path, s) < 0 ||
		    add_interfaces(job, in->rrd, cpath, d->path, s) < 0) {
			snprintf(err, errsz, "out of memory");
			wire_batch_free(&b);
			return -1;
		}
		if (state_apply(in->state, (size_t)idx, s))
			in->state->dev[idx].received = now;
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
