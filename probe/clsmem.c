/* The class a device keeps between polls (clsmem.h). */
#include "clsmem.h"

#include <stdio.h>
#include <string.h>

int clsmem_due(struct cls_memory *m, const char *objectid, int has_uptime, uint32_t uptime)
{
	/* sysUpTime going back is a restart (or its 497-day wrap: one more weighing, harmless) */
	int restarted = has_uptime && m->has_uptime && uptime < m->uptime;
	int moved = strncmp(m->objectid, objectid ? objectid : "", sizeof(m->objectid) - 1) != 0;
	if (has_uptime) {
		m->uptime = uptime;
		m->has_uptime = 1;
	}
	return !m->cls[0] || m->cand_polls > 0 || restarted || moved;
}

static void keep(struct cls_memory *m, const struct cls_result *r)
{
	snprintf(m->cls, sizeof(m->cls), "%s", r->cls);
	m->confidence = r->confidence;
	classify_why(r, m->why, sizeof(m->why));
}

enum clsmem_step clsmem_take(struct cls_memory *m, const struct cls_result *r,
			     const char *objectid, char was[32])
{
	snprintf(was, 32, "%s", m->cls);
	snprintf(m->objectid, sizeof(m->objectid), "%s", objectid ? objectid : "");
	if (!m->cls[0]) {
		keep(m, r);
		return CLSMEM_FIRST;
	}
	if (strcmp(r->cls, m->cls) == 0) {
		keep(m, r);
		m->cand_polls = 0;
		return CLSMEM_SAME;
	}
	if (r->confidence < CLSMEM_SURE) {
		/* the streak must be unbroken: an unsure poll ends it */
		m->cand_polls = 0;
		return CLSMEM_UNSURE;
	}
	if (m->cand_polls && strcmp(m->cand, r->cls) == 0)
		m->cand_polls++;
	else
		m->cand_polls = 1;
	snprintf(m->cand, sizeof(m->cand), "%s", r->cls);
	m->cand_confidence = r->confidence;
	if (m->cand_polls < CLSMEM_CONFIRM)
		return CLSMEM_CHANGE_SEEN;
	keep(m, r);
	m->cand_polls = 0;
	return CLSMEM_REPROFILED;
}
