#include "groupdefs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct layout {
	struct rrd_group_def def;
	struct rrd_ds_def ds[RRD_GROUP_MAX_DS];
	char names[RRD_GROUP_MAX_DS][WIRE_METRIC_MAX];
	char title[WIRE_METRIC_MAX];
	char owner[GROUPDEFS_OWNER_MAX]; /* the probe that introduced the group ("" an import) */
	struct layout *older; /* kept: queued updates may still point at it */
};

struct groupdefs {
	struct layout *latest[GROUPDEFS_MAX];
	size_t n;
	uint64_t dropped;
};

struct groupdefs *groupdefs_new(void) { return calloc(1, sizeof(struct groupdefs)); }

void groupdefs_free(struct groupdefs *gd)
{
	if (!gd)
		return;
	for (size_t i = 0; i < gd->n; i++)
		for (struct layout *l = gd->latest[i], *o; l; l = o) {
			o = l->older;
			free(l);
		}
	free(gd);
}

uint64_t groupdefs_dropped(const struct groupdefs *gd) { return gd->dropped; }

static int has_ds(const struct layout *l, const char *name)
{
	for (size_t i = 0; l && i < l->def.nds; i++)
		if (strcmp(l->names[i], name) == 0)
			return 1;
	return 0;
}

/* May probe introduce one more group? */
static int room_for(const struct groupdefs *gd, const char *probe)
{
	size_t mine = 0;
	if (gd->n == GROUPDEFS_MAX)
		return 0;
	for (size_t g = 0; probe && g < gd->n; g++)
		mine += strcmp(gd->latest[g]->owner, probe) == 0;
	return mine < GROUPDEFS_PER_PROBE;
}

const struct rrd_group_def *groupdefs_for_row(struct groupdefs *gd, const struct group_row *r,
					      const char *probe)
{
	size_t g;
	for (g = 0; g < gd->n; g++)
		if (strcmp(gd->latest[g]->title, r->group) == 0)
			break;
	struct layout *cur = g < gd->n ? gd->latest[g] : NULL;
	size_t missing = 0;
	for (size_t i = 0; i < r->nvals; i++)
		if (r->vals[i].kind != MV_TEXT && !has_ds(cur, r->vals[i].name))
			missing++;
	if (!missing)
		return cur ? &cur->def : NULL;
	if (!cur && !room_for(gd, probe)) {
		gd->dropped++;
		return NULL;
	}
	struct layout *l = calloc(1, sizeof(*l));
	if (!l)
		return cur ? &cur->def : NULL;
	if (cur)
		*l = *cur;
	snprintf(l->title, sizeof(l->title), "%s", r->group);
	if (!cur)
		snprintf(l->owner, sizeof(l->owner), "%s", probe ? probe : "");
	for (size_t i = 0; i < r->nvals; i++) {
		const struct metric_val *m = &r->vals[i];
		if (m->kind == MV_TEXT || has_ds(l, m->name))
			continue;
		if (l->def.nds == RRD_GROUP_MAX_DS) {
			gd->dropped++;
			break;
		}
		size_t k = l->def.nds++;
		snprintf(l->names[k], sizeof(l->names[k]), "%s", m->name);
		/* a level may be negative (temperatures, Printer-MIB's "unknown"); a counter's rate
		 * never is: a wrap or a restart reads unknown rather than a spike */
		l->ds[k] = (struct rrd_ds_def){NULL, m->kind == MV_COUNTER ? "DERIVE" : "GAUGE",
					       m->kind == MV_COUNTER ? "0" : "U", "U"};
	}
	/* the names and the title live in the layout itself: point at this copy's */
	for (size_t k = 0; k < l->def.nds; k++)
		l->ds[k].name = l->names[k];
	l->def = (struct rrd_group_def){l->title, l->ds, l->def.nds, 1};
	l->older = cur;
	if (cur)
		gd->latest[g] = l;
	else
		gd->latest[gd->n++] = l;
	return &l->def;
}

int groupdefs_values(const struct rrd_group_def *def, const struct group_row *r, char *dst,
		     size_t dstsz)
{
	size_t off = 0;
	for (size_t k = 0; k < def->nds; k++) {
		const struct metric_val *m = NULL;
		for (size_t i = 0; i < r->nvals && !m; i++)
			if (r->vals[i].kind != MV_TEXT && strcmp(r->vals[i].name, def->ds[k].name) == 0)
				m = &r->vals[i];
		int n;
		if (!m || (m->kind == MV_GAUGE && !isfinite(m->gauge)))
			n = snprintf(dst + off, dstsz - off, "%sU", k ? ":" : "");
		else if (m->kind == MV_COUNTER)
			n = snprintf(dst + off, dstsz - off, "%s%llu", k ? ":" : "",
				     (unsigned long long)m->counter);
		else
			n = snprintf(dst + off, dstsz - off, "%s%.10g", k ? ":" : "", m->gauge);
		if (n < 0 || (size_t)n >= dstsz - off)
			return -1;
		off += (size_t)n;
	}
	return (int)off;
}
