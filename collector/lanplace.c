/* Where hosts are plugged in, from the switches' forwarding tables (lanplace.h). */
#include "lanplace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "devclass.h"
#include "lanhosts.h"
#include "lanlink.h"

/* --- bridge port names --- */

struct ifpos {
	uint32_t index;
	size_t at;
};

static int cmp_ifpos(const void *a, const void *b)
{
	const struct ifpos *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

static int cmp_port(const void *a, const void *b)
{
	const struct lanplace_port *x = a, *y = b;
	return (x->port > y->port) - (x->port < y->port);
}

/* One decimal number in [0, max] at s, ending at *end ('\0' or '.'): 0, or -1. */
static int parse_num(const char *s, const char **end, unsigned long max, unsigned long *out)
{
	char *e;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &e, 10);
	if (errno || v > max || (*e && *e != '.'))
		return -1;
	*out = v;
	*end = e;
	return 0;
}

/* A row's value named name as a whole number in [1, max]: 0, or -1. */
static int row_num(const struct group_row *r, const char *name, double max, long *out)
{
	for (size_t k = 0; k < r->nvals; k++) {
		const struct metric_val *v = &r->vals[k];
		if (strcmp(v->name, name) != 0 || v->kind == MV_TEXT)
			continue;
		double x = v->kind == MV_COUNTER ? (double)v->counter : v->gauge;
		if (!(x >= 1 && x <= max) || x != (double)(long)x)
			return -1;
		*out = (long)x;
		return 0;
	}
	return -1;
}

void lanplace_port_label(char *dst, size_t n, const struct if_sample *f)
{
	const char *src = f->name[0] ? f->name : f->descr;
	size_t len = strlen(src);
	while (len && (src[len - 1] == ' ' || src[len - 1] == '\t'))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* The bridge_port rows of s joined with its interfaces, into v (room for s->nrows). */
static size_t join_ports(struct lanplace_port *v, const struct dev_sample *s, struct ifpos *pos)
{
	size_t n = 0;
	for (size_t i = 0; i < s->nifs; i++)
		pos[i] = (struct ifpos){s->ifs[i].index, i};
	qsort(pos, s->nifs, sizeof(*pos), cmp_ifpos);
	for (size_t k = 0; k < s->nrows; k++) {
		const struct group_row *r = &s->rows[k];
		const char *idx = wire_row_index(r), *end;
		unsigned long port;
		long ifindex;
		if (strcmp(r->group, LANPLACE_GROUP_PORTS) != 0 ||
		    parse_num(idx, &end, 65535, &port) < 0 || *end || port == 0 ||
		    row_num(r, "ifindex", 2147483647.0, &ifindex) < 0)
			continue;
		struct ifpos key = {(uint32_t)ifindex, 0};
		const struct ifpos *f = bsearch(&key, pos, s->nifs, sizeof(*pos), cmp_ifpos);
		if (!f)
			continue; /* an interface the walk cut: the number will do */
		v[n].port = (long)port;
		lanplace_port_label(v[n].name, sizeof(v[n].name), &s->ifs[f->at]);
		if (v[n].name[0])
			n++;
	}
	return n;
}

int lanplace_ports_set(struct lanplace_ports *dst, const struct dev_sample *s)
{
	lanplace_ports_free(dst);
	size_t nports = 0;
	for (size_t k = 0; k < s->nrows; k++)
		nports += strcmp(s->rows[k].group, LANPLACE_GROUP_PORTS) == 0;
	if (!nports || !s->nifs)
		return 0;
	struct ifpos *pos = malloc(s->nifs * sizeof(*pos));
	dst->v = malloc(nports * sizeof(*dst->v));
	if (!pos || !dst->v) {
		free(pos);
		lanplace_ports_free(dst);
		return -1;
	}
	dst->n = join_ports(dst->v, s, pos);
	free(pos);
	qsort(dst->v, dst->n, sizeof(*dst->v), cmp_port);
	return 0;
}

void lanplace_ports_free(struct lanplace_ports *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

const char *lanplace_port_name(const struct lanplace_ports *p, long port)
{
	struct lanplace_port key = {.port = port};
	const struct lanplace_port *f = p->n ? bsearch(&key, p->v, p->n, sizeof(*p->v), cmp_port)
					     : NULL;
	return f ? f->name : NULL;
}

int lanplace_group_hidden(const char *group)
{
	return strcmp(group, LANPLACE_GROUP_PORTS) == 0 || strcmp(group, LANPLACE_GROUP_FDB) == 0 ||
	       strcmp(group, LANPLACE_GROUP_FDB_Q) == 0 || lannbr_group(group);
}

/* --- the rule --- */

static int cmp_fdb(const void *a, const void *b)
{
	const struct lanplace_fdb *x = a, *y = b;
	if (x->sw != y->sw)
		return x->sw < y->sw ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return memcmp(x->mac, y->mac, 6);
}

static int cmp_mac(const void *a, const void *b) { return memcmp(a, b, 6); }

/* By MAC, then the better place first: not shared, fewer MACs, first switch and port. */
static int cmp_at(const void *a, const void *b)
{
	const struct lanplace_at *x = a, *y = b;
	int c = memcmp(x->mac, y->mac, 6);
	if (c)
		return c;
	if (x->shared != y->shared)
		return x->shared - y->shared;
	if (x->macs != y->macs)
		return x->macs < y->macs ? -1 : 1;
	if (x->sw != y->sw)
		return x->sw < y->sw ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

static int cmp_uplink(const void *a, const void *b)
{
	const struct lanplace_uplink *x = a, *y = b;
	if (x->sw != y->sw)
		return x->sw < y->sw ? -1 : 1;
	return (x->port > y->port) - (x->port < y->port);
}

/* What marks a port shared besides its count of MACs: sorted infra MACs and uplinks. */
struct shared_by {
	const uint8_t (*infra)[6];
	size_t ninfra;
	const struct lanplace_uplink *up;
	size_t nup;
};

/* Every (switch, port, MAC) once, with how many MACs its port has and whether it is shared;
 * fdb sorted and without duplicates. Returns how many went into at. */
static size_t rate_ports(struct lanplace_at *at, const struct lanplace_fdb *fdb, size_t n,
			 const struct shared_by *by)
{
	size_t out = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		struct lanplace_uplink key = {fdb[i].sw, fdb[i].port};
		int shared = by->nup && bsearch(&key, by->up, by->nup, sizeof(key), cmp_uplink);
		for (; j < n && fdb[j].sw == fdb[i].sw && fdb[j].port == fdb[i].port; j++)
			shared |= by->ninfra &&
				  bsearch(fdb[j].mac, by->infra, by->ninfra, 6, cmp_mac) != NULL;
		shared |= j - i > LANPLACE_EDGE_MAX;
		for (size_t k = i; k < j; k++) {
			memcpy(at[out].mac, fdb[k].mac, 6);
			at[out].sw = fdb[k].sw;
			at[out].port = fdb[k].port;
			at[out].macs = j - i;
			at[out].shared = shared;
			out++;
		}
		i = j;
	}
	return out;
}

int lanplace_build(struct lanplace *out, struct lanplace_fdb *fdb, size_t n,
		   const uint8_t (*infra)[6], size_t ninfra, struct lanplace_uplink *up,
		   size_t nup)
{
	memset(out, 0, sizeof(*out));
	uint8_t(*inf)[6] = malloc((ninfra ? ninfra : 1) * sizeof(*inf));
	struct lanplace_at *at = malloc((n ? n : 1) * sizeof(*at));
	if (!inf || !at) {
		free(inf);
		free(at);
		return -1;
	}
	if (ninfra)
		memcpy(inf, infra, ninfra * sizeof(*inf));
	qsort(inf, ninfra, sizeof(*inf), cmp_mac);
	qsort(fdb, n, sizeof(*fdb), cmp_fdb);
	size_t u = 0; /* the same MAC in two VLANs, or in both tables, is learned there once */
	for (size_t i = 0; i < n; i++)
		if (!u || cmp_fdb(&fdb[u - 1], &fdb[i]) != 0)
			fdb[u++] = fdb[i];
	if (nup)
		qsort(up, nup, sizeof(*up), cmp_uplink);
	struct shared_by by = {(const uint8_t(*)[6])inf, ninfra, up, nup};
	size_t m = rate_ports(at, fdb, u, &by);
	free(inf);
	qsort(at, m, sizeof(*at), cmp_at);
	size_t w = 0; /* the best place of each MAC: the first of its run */
	for (size_t i = 0; i < m; i++)
		if (!w || memcmp(at[w - 1].mac, at[i].mac, 6) != 0)
			at[w++] = at[i];
	out->v = at;
	out->n = w;
	return 0;
}

const struct lanplace_at *lanplace_find(const struct lanplace *lp, const uint8_t mac[6])
{
	/* the MAC is the first member: a key of it alone compares as the array's elements do */
	return lp->n ? bsearch(mac, lp->v, lp->n, sizeof(*lp->v), cmp_mac) : NULL;
}

void lanplace_free(struct lanplace *lp)
{
	free(lp->v);
	memset(lp, 0, sizeof(*lp));
}

/* --- the collector's data --- */

/* The MAC of a forwarding row's index: dot1dTpFdbTable's is the MAC (6 sub-ids), Q-BRIDGE's
 * the FDB id then the MAC (7). 0, or -1 for anything else. */
static int index_mac(const char *idx, size_t subids, uint8_t mac[6])
{
	unsigned long v[7];
	const char *p = idx, *end;
	for (size_t i = 0; i < subids; i++) {
		if (parse_num(p, &end, i + 6 < subids ? 4294967295ul : 255, &v[i]) < 0 ||
		    (i + 1 < subids ? *end != '.' : *end != '\0'))
			return -1;
		p = end + 1;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[subids - 6 + i];
	return 0;
}

/* Device i's learned entries appended to fdb (room for max); returns the new count. */
static size_t device_fdb(struct lanplace_fdb *fdb, size_t n, size_t max, size_t i,
			 const struct devrows *rows)
{
	for (size_t k = 0; k < rows->nrows && n < max; k++) {
		const struct devrow *r = &rows->row[k];
		int q = strcmp(r->group, LANPLACE_GROUP_FDB_Q) == 0;
		if (!q && strcmp(r->group, LANPLACE_GROUP_FDB) != 0)
			continue;
		const struct devrow_val *port = devrow_find(r, "port");
		/* port 0: learned, but the agent cannot say where */
		if (!port || port->kind == MV_TEXT || !(port->num >= 1 && port->num <= 65535) ||
		    index_mac(r->index, q ? 7 : 6, fdb[n].mac) < 0)
			continue;
		fdb[n].sw = i;
		fdb[n].port = (long)port->num;
		n++;
	}
	return n;
}

/* The MACs of commune k's switches and routers: the inventory's, and the LLDP / CDP
 * neighbours that say they bridge or route. malloc'd, *n of them; NULL out of memory. */
static uint8_t (*infra_macs(const struct collector *c, size_t k, size_t *n))[6]
{
	size_t max = c->inv->ndevices + LANHOSTS_NBRS_MAX;
	uint8_t(*v)[6] = malloc(max * sizeof(*v));
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < c->inv->ndevices; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		if (d->commune == k && d->has_mac && (d->cls == CLS_SWITCH || d->cls == CLS_ROUTER))
			memcpy(v[(*n)++], d->mac, 6);
	}
	*n += lanhosts_infra_macs(c->lan, k, v + *n, max - *n);
	return v;
}

int lanplace_commune(struct lanplace *out, const struct collector *c, size_t k)
{
	size_t total = 0, n = 0, ninfra;
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < c->inv->ndevices && i < c->state.n; i++)
		if (c->inv->devices[i].commune == k)
			total += c->state.dev[i].rows.nrows;
	struct lanplace_fdb *fdb = malloc((total ? total : 1) * sizeof(*fdb));
	if (!fdb)
		return -1;
	for (size_t i = 0; i < c->inv->ndevices && i < c->state.n; i++)
		if (c->inv->devices[i].commune == k)
			n = device_fdb(fdb, n, total, i, &c->state.dev[i].rows);
	uint8_t(*infra)[6] = n ? infra_macs(c, k, &ninfra) : NULL;
	struct lanplace_uplink *up = NULL;
	size_t nup = 0;
	struct lanlink_set ls;
	/* out of memory for the links: placed without them, as before the switches spoke */
	if (n && lanlink_collect(&ls, c, k, SIZE_MAX) == 0) {
		up = lanlink_uplinks(&ls, &nup);
		lanlink_free(&ls);
	}
	int rc = n && !infra ? -1 : n ? lanplace_build(out, fdb, n, (const uint8_t(*)[6])infra,
							ninfra, up, nup)
				      : 0;
	free(up);
	free(infra);
	free(fdb);
	return rc;
}
