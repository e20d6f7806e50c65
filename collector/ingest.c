#include "ingest.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

#define MAX_CLOCK_AHEAD 300 /* seconds a probe's clock may run ahead of ours */

static void write_system(struct ingest *in, const struct inv_device *d, const char *cpath,
			 const struct dev_sample *s)
{
	char path[4096], up[2], uptime[24] = "U", rtt[16] = "U", err[512];
	snprintf(up, sizeof(up), "%d", s->up ? 1 : 0);
	if (s->up && s->has_uptime)
		snprintf(uptime, sizeof(uptime), "%u", s->uptime_ticks / 100);
	if (s->up && s->rtt_ms >= 0)
		snprintf(rtt, sizeof(rtt), "%d", s->rtt_ms);
	const char *vals[] = {up, uptime, rtt};
	if (rrdstore_path(in->rrd, path, sizeof(path), cpath, d->path, "system") < 0 ||
	    rrdstore_update(in->rrd, path, &RRDG_SYSTEM, s->ts, vals, err, sizeof(err)) < 0) {
		in->st.rrd_errors++;
		log_warnx("ingest", "%s", err);
	}
}

static void fmt_u64(char *dst, size_t n, int have, uint64_t v)
{
	if (have)
		snprintf(dst, n, "%llu", (unsigned long long)v);
	else
		snprintf(dst, n, "U");
}

static void write_interfaces(struct ingest *in, const struct inv_device *d, const char *cpath,
			     const struct dev_sample *s)
{
	char path[4096], group[32], err[512];
	char v[6][24];
	const char *vals[6] = {v[0], v[1], v[2], v[3], v[4], v[5]};
	for (size_t k = 0; k < s->nifs; k++) {
		const struct if_sample *f = &s->ifs[k];
		fmt_u64(v[DS_IF_IN_OCTETS], 24, f->has & IFF_IN_OCTETS, f->in_octets);
		fmt_u64(v[DS_IF_OUT_OCTETS], 24, f->has & IFF_OUT_OCTETS, f->out_octets);
		fmt_u64(v[DS_IF_IN_ERRORS], 24, f->has & IFF_IN_ERRORS, f->in_errors);
		fmt_u64(v[DS_IF_OUT_ERRORS], 24, f->has & IFF_OUT_ERRORS, f->out_errors);
		fmt_u64(v[DS_IF_OPER], 24, (f->has & IFF_OPER) && f->oper >= 1, (uint64_t)f->oper);
		fmt_u64(v[DS_IF_SPEED], 24, f->has & IFF_SPEED, f->speed);
		snprintf(group, sizeof(group), "if-%u", f->index);
		if (rrdstore_path(in->rrd, path, sizeof(path), cpath, d->path, group) < 0 ||
		    rrdstore_update(in->rrd, path, &RRDG_IF, s->ts, vals, err, sizeof(err)) < 0) {
			in->st.rrd_errors++;
			log_warnx("ingest", "%s", err);
		}
	}
}

long ingest_batch(struct ingest *in, const char *peer, const char *body, size_t len, char *err,
		  size_t errsz)
{
	struct batch b;
	long accepted = 0;
	in->st.batches++;
	if (wire_decode_batch(body, len, &b, err, errsz) < 0) {
		in->st.batches_bad++;
		log_warnx("ingest", "%s: batch refused: %s", peer, err);
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
		if (state_apply(in->state, (size_t)idx, s))
			in->state->dev[idx].received = now;
		write_system(in, d, cpath, s);
		write_interfaces(in, d, cpath, s);
		accepted++;
	}
	in->st.samples += (uint64_t)accepted;
	if ((size_t)accepted < b.nsamples)
		log_warnx("ingest", "%s (probe %s): %zu of %zu samples refused (unknown device or clock)",
			  peer, b.probe, b.nsamples - (size_t)accepted, b.nsamples);
	wire_batch_free(&b);
	return accepted;
}
