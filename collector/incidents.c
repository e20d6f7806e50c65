#include "incidents.h"

#include <stdlib.h>
#include <string.h>

struct load_ctx {
	struct incidents *in;
	int oom;
};

static struct incident *push(struct load_ctx *x, const struct event *e)
{
	struct incidents *in = x->in;
	if (in->n == in->cap) {
		size_t ncap = in->cap ? in->cap * 2 : 64;
		struct incident *v = realloc(in->v, ncap * sizeof(*v));
		if (!v)
			return NULL;
		in->v = v;
		in->cap = ncap;
	}
	struct incident *i = &in->v[in->n];
	memset(i, 0, sizeof(*i));
	i->commune = strdup(e->commune);
	i->subject = strdup(e->subject);
	i->text = strdup(e->text);
	i->text_en = strdup(e->text_en ? e->text_en : "");
	if (!i->commune || !i->subject || !i->text || !i->text_en) {
		free(i->commune);
		free(i->subject);
		free(i->text);
		free(i->text_en);
		return NULL;
	}
	in->n++;
	return i;
}

/* The latest incident of that commune and target still open, or NULL. */
static struct incident *open_one(struct incidents *in, const struct event *e)
{
	for (size_t k = in->n; k-- > 0;) {
		struct incident *i = &in->v[k];
		if (!i->end && i->start && strcmp(i->commune, e->commune) == 0 &&
		    strcmp(i->subject, e->subject) == 0)
			return i;
	}
	return NULL;
}

static void on_event(void *ctx, const struct event *e)
{
	struct load_ctx *x = ctx;
	struct incident *i = open_one(x->in, e);
	/* firing again while open: the collector restarted during it (its state is in memory) */
	if (i && strcmp(e->kind, "firing") == 0)
		return;
	if (!i && !(i = push(x, e))) {
		x->oom = 1;
		return;
	}
	if (strcmp(e->kind, "firing") == 0)
		i->start = e->ts;
	else
		i->end = e->ts; /* a resolution without its firing: it began before the period */
}

int incidents_load(struct incidents *out, struct store *s, time_t from, time_t to)
{
	struct load_ctx x = {out, 0};
	memset(out, 0, sizeof(*out));
	int n = store_alert_events(s, from, to, INCIDENTS_MAX_EVENTS, on_event, &x);
	out->truncated = n >= INCIDENTS_MAX_EVENTS;
	return n < 0 || x.oom ? -1 : 0;
}

void incidents_free(struct incidents *in)
{
	for (size_t k = 0; k < in->n; k++) {
		free(in->v[k].commune);
		free(in->v[k].subject);
		free(in->v[k].text);
		free(in->v[k].text_en);
	}
	free(in->v);
	memset(in, 0, sizeof(*in));
}
