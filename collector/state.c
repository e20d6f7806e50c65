#include "state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devclass.h"
#include "strbuf.h"

int state_init(struct state *st, size_t ndevices)
{
	st->n = ndevices;
	st->dev = calloc(ndevices ? ndevices : 1, sizeof(*st->dev));
	return st->dev ? 0 : -1;
}

void state_free(struct state *st)
{
	for (size_t i = 0; st->dev && i < st->n; i++) {
		devrows_free(&st->dev[i].rows);
		lanplace_ports_free(&st->dev[i].ports);
		lannbr_free(&st->dev[i].nbrs);
		file_set_free(&st->dev[i].files);
	}
	free(st->dev);
	st->dev = NULL;
	st->n = 0;
}

static void pick_main_if(struct dev_state *d, const struct dev_sample *s)
{
	d->nifs = s->nifs;
	d->nifs_up = 0;
	d->main_if = 0;
	uint64_t best = 0;
	for (size_t k = 0; k < s->nifs; k++) {
		const struct if_sample *f = &s->ifs[k];
		if ((f->has & IFF_OPER) && f->oper == 1) {
			d->nifs_up++;
			/* the busiest up interface that is not loopback (ifType 24) */
			uint64_t traffic = f->in_octets > UINT64_MAX - f->out_octets
					       ? UINT64_MAX
					       : f->in_octets + f->out_octets;
			if (f->type != 24 && (!d->main_if || traffic > best)) {
				d->main_if = f->index;
				best = traffic;
			}
		}
	}
	if (!d->main_if && s->nifs)
		d->main_if = s->ifs[0].index;
}

/* The classification's evidence of an answering device's sample (state.h dev_class_seen). A
 * sample without it (the inventory gives a class now, an older probe) clears it; a change
 * once confirmed stays known until another. */
static void take_class(struct dev_class_seen *c, const struct dev_sample *s)
{
	struct dev_class_seen n = {0};
	if (s->cls_auto[0]) {
		snprintf(n.cls, sizeof(n.cls), "%s", s->cls_auto);
		n.confidence = s->cls_confidence;
		snprintf(n.vendor, sizeof(n.vendor), "%s", s->cls_vendor);
		snprintf(n.why, sizeof(n.why), "%s", s->cls_why);
		snprintf(n.seen, sizeof(n.seen), "%s", s->cls_seen);
		n.seen_polls = s->cls_seen[0] ? s->cls_seen_polls : 0;
		memcpy(n.was, c->was, sizeof(n.was));
		n.changed = c->changed;
		if (s->cls_was[0]) {
			snprintf(n.was, sizeof(n.was), "%s", s->cls_was);
			n.changed = s->ts;
		}
	}
	*c = n;
}

int state_probe_class(const struct dev_state *d)
{
	return devclass_parse(d->auto_cls.cls[0] ? d->auto_cls.cls : d->cls);
}

int state_apply(struct state *st, size_t i, const struct dev_sample *s)
{
	if (i >= st->n)
		return 0;
	struct dev_state *d = &st->dev[i];
	if (d->has_sample && s->ts < d->last_poll)
		return 0;
	d->has_sample = 1;
	d->last_poll = s->ts;
	snprintf(d->error, sizeof(d->error), "%s", s->error);
	if (!s->up) {
		if (d->up || !d->down_since)
			d->down_since = s->ts;
		d->up = 0;
		return 1;
	}
	d->up = 1;
	d->down_since = 0;
	d->last_seen = s->ts;
	d->rtt_ms = s->rtt_ms;
	snprintf(d->sys_descr, sizeof(d->sys_descr), "%s", s->sys_descr);
	snprintf(d->sys_name, sizeof(d->sys_name), "%s", s->sys_name);
	snprintf(d->sys_objectid, sizeof(d->sys_objectid), "%s", s->sys_objectid);
	snprintf(d->model, sizeof(d->model), "%s", s->model);
	snprintf(d->serial, sizeof(d->serial), "%s", s->serial);
	d->has_uptime = s->has_uptime;
	d->uptime_ticks = s->uptime_ticks;
	pick_main_if(d, s);
	snprintf(d->cls, sizeof(d->cls), "%s", s->cls);
	take_class(&d->auto_cls, s);
	/* decoded once, in one block: read by every tick and the device page as they are */
	size_t keep = st->max_rows && s->nrows > st->max_rows ? st->max_rows : s->nrows;
	d->rows_dropped = s->nrows - keep;
	if (devrows_set(&d->rows, s->rows, keep) < 0)
		d->rows_dropped = s->nrows;
	/* out of memory: the ports go unnamed (their numbers are shown), nothing else is lost */
	lanplace_ports_set(&d->ports, s);
	/* from the whole sample, before the row quota: few rows, and the placement needs them.
	 * Out of memory: no neighbours until the next answer */
	lannbr_set(&d->nbrs, s);
	return 1;
}

enum dev_status state_status(const struct state *st, size_t i, int polled, time_t now,
			     int stale_after)
{
	const struct dev_state *d = &st->dev[i];
	if (!polled)
		return DEV_NOT_POLLED;
	if (!d->has_sample)
		return DEV_UNKNOWN;
	time_t heard = d->received ? d->received : d->last_poll;
	if (now - heard > stale_after)
		return DEV_STALE;
	return d->up ? DEV_UP : DEV_DOWN;
}
