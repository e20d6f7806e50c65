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

int clsmem_lan_news(struct cls_memory *m, const char *vendor, const char *said)
{
	char key[sizeof(m->lan)];
	if ((!vendor || !vendor[0]) && (!said || !said[0]))
		return 0; /* not heard (or forgotten): nothing new, the last word stands */
	snprintf(key, sizeof(key), "%.15s|%.70s", said ? said : "", vendor ? vendor : "");
	if (strcmp(key, m->lan) == 0)
		return 0;
	snprintf(m->lan, sizeof(m->lan), "%s", key);
	return 1;
}

static void keep(struct cls_memory *m, const struct cls_result *r)
{
	snprintf(m->cls, sizeof(m->cls), "%s", r->cls);
	m->confidence = r->confidence;
	classify_why(r, m->why, sizeof(m->why));
	snprintf(m->vendor, sizeof(m->vendor), "%s", r->vendor);
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

void clsmem_evidence(const struct cls_memory *m, int step, const char *was, struct dev_sample *s)
{
	snprintf(s->cls_auto, sizeof(s->cls_auto), "%s", m->cls);
	snprintf(s->cls_why, sizeof(s->cls_why), "%s", m->why);
	s->cls_confidence = m->confidence;
	snprintf(s->cls_vendor, sizeof(s->cls_vendor), "%s", m->vendor);
	s->cls_seen[0] = s->cls_was[0] = '\0';
	s->cls_seen_polls = 0;
	if (m->cand_polls > 0) {
		snprintf(s->cls_seen, sizeof(s->cls_seen), "%s", m->cand);
		s->cls_seen_polls = m->cand_polls;
	}
	/* said once, on the poll that re-profiled: the collector makes it an event */
	if (step == CLSMEM_REPROFILED && was)
		snprintf(s->cls_was, sizeof(s->cls_was), "%s", was);
}
