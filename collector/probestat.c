#include "probestat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct probe_status *probestat_get(struct probestat *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].name, name) == 0)
			return &ps->p[i];
	if (ps->n == PROBESTAT_MAX || strlen(name) >= PROBE_NAME_MAX)
		return NULL;
	struct probe_status *p = &ps->p[ps->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

const struct probe_status *probestat_find(const struct probestat *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].name, name) == 0)
			return &ps->p[i];
	return NULL;
}

/* "key=<decimal>" at the start of s, or -1. */
static int field(const char *s, const char *key, long long *v)
{
	size_t k = strlen(key);
	if (strncmp(s, key, k) != 0 || s[k] != '=')
		return -1;
	char *end;
	long long x = strtoll(s + k + 1, &end, 10);
	if (end == s + k + 1 || x < 0 || (*end && *end != ';'))
		return -1;
	*v = x;
	return 0;
}

void probestat_spool(struct probe_status *p, const char *header)
{
	long long v;
	for (const char *s = header; s && *s; s = strchr(s, ';') ? strchr(s, ';') + 1 : NULL) {
		while (*s == ' ')
			s++;
		if (field(s, "batches", &v) == 0)
			p->spool_batches = (uint64_t)v;
		else if (field(s, "oldest", &v) == 0)
			p->spool_oldest = v;
		else if (field(s, "lost", &v) == 0)
			p->spool_lost = (uint64_t)v;
	}
}

int probestat_is_duplicate(const struct probe_status *p, uint64_t epoch, uint64_t seq)
{
	return epoch && p->epoch == epoch && seq <= p->stored_seq;
}

void probestat_stored(struct probe_status *p, uint64_t epoch, uint64_t seq)
{
	if (!epoch)
		return;
	if (p->epoch != epoch) { /* a new spool (reinstalled probe): its own numbering */
		p->epoch = epoch;
		p->stored_seq = 0;
	}
	if (seq > p->stored_seq)
		p->stored_seq = seq;
}
