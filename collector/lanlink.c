/* Neighbours to inventory devices, and the places they give (lanlink.h). */
#include "lanlink.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>

#include "collector.h"
#include "devclass.h"
#include "lanhosts.h"

/* --- who a neighbour is --- */

static int by_addr(const struct lannbr *nb, const struct lanlink_dev *d)
{
	for (int i = 0; d->has_addr && i < nb->naddr; i++)
		if (nb->addr[i] == d->addr)
			return 1;
	return 0;
}

static int by_mac(const struct lannbr *nb, const struct lanlink_dev *d)
{
	for (int i = 0; i < d->nmac; i++)
		if ((nb->has_mac && memcmp(nb->mac, d->mac[i], 6) == 0) ||
		    (nb->has_pmac && memcmp(nb->pmac, d->mac[i], 6) == 0))
			return 1;
	return 0;
}

/* The part of a name that names the host: before a domain or CDP's "(serial)". */
static size_t host_len(const char *s)
{
	return strcspn(s, ".(");
}

static int same_name(const char *a, const char *b)
{
	size_t n = host_len(a);
	return n && n == host_len(b) && strncasecmp(a, b, n) == 0;
}

static int by_name(const struct lannbr *nb, const struct lanlink_dev *d)
{
	return d->sys_name && same_name(nb->name, d->sys_name);
}

/* The one device of devs test holds for, LANLINK_NONE, or LANLINK_AMBIGUOUS for several. */
static long match_by(const struct lannbr *nb, const struct lanlink_dev *devs, size_t n,
		     size_t self, int (*test)(const struct lannbr *, const struct lanlink_dev *))
{
	long found = LANLINK_NONE;
	for (size_t i = 0; i < n; i++) {
		if (i == self || !test(nb, &devs[i]))
			continue;
		if (found != LANLINK_NONE)
			return LANLINK_AMBIGUOUS;
		found = (long)i;
	}
	return found;
}

long lanlink_match(const struct lannbr *nb, const struct lanlink_dev *devs, size_t n,
		   size_t self)
{
	long r = match_by(nb, devs, n, self, by_addr);
	if (r == LANLINK_NONE)
		r = match_by(nb, devs, n, self, by_mac);
	if (r == LANLINK_NONE)
		r = match_by(nb, devs, n, self, by_name);
	return r;
}

/* --- the links --- */

/* One local port, however the table numbers it (LLDP's port number, CDP's ifIndex). */
static int same_port(const struct lannbr *a, const struct lannbr *b)
{
	return (a->proto == b->proto && a->lport == b->lport) ||
	       (a->port[0] && strcmp(a->port, b->port) == 0);
}

/* One neighbour, heard over LLDP and CDP both, or twice. */
static int same_nbr(const struct lanlink *x, const struct lanlink *y)
{
	if (x->dev >= 0 || y->dev >= 0)
		return x->dev == y->dev;
	return same_name(x->nb->name, y->nb->name) ||
	       (x->nb->has_mac && y->nb->has_mac && memcmp(x->nb->mac, y->nb->mac, 6) == 0);
}

/* How many distinct neighbours links v[from, to) (one announcer's) have on v[k]'s port. */
static size_t port_count(const struct lanlink *v, size_t from, size_t to, size_t k)
{
	size_t n = 0;
	for (size_t i = from; i < to; i++) {
		if (!same_port(v[i].nb, v[k].nb))
			continue;
		size_t j = from;
		while (j < i && !(same_port(v[j].nb, v[k].nb) && same_nbr(&v[j], &v[i])))
			j++;
		n += j == i; /* the first of its kind on the port */
	}
	return n;
}

int lanlink_build(struct lanlink_set *ls)
{
	size_t total = 0;
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
	for (size_t s = 0; s < ls->ndevs; s++)
		total += ls->devs[s].nbrs ? ls->devs[s].nbrs->n : 0;
	if (!total)
		return 0;
	if (!(ls->v = malloc(total * sizeof(*ls->v))))
		return -1;
	for (size_t s = 0; s < ls->ndevs; s++) {
		const struct lannbr_list *l = ls->devs[s].nbrs;
		size_t from = ls->n;
		for (size_t k = 0; l && k < l->n; k++)
			ls->v[ls->n++] = (struct lanlink){
			    s, &l->v[k], lanlink_match(&l->v[k], ls->devs, ls->ndevs, s), 0};
		for (size_t k = from; k < ls->n; k++)
			ls->v[k].port_nbrs = port_count(ls->v, from, ls->n, k);
	}
	return 0;
}

/* --- places --- */

static size_t announced(const struct lanlink_dev *d)
{
	return d->nbrs ? d->nbrs->n : 0;
}

/* devs[a] is nearer the core than devs[b] (lanlink.h). */
static int nearer(const struct lanlink_set *ls, size_t a, size_t b)
{
	size_t na = announced(&ls->devs[a]), nb = announced(&ls->devs[b]);
	return na != nb ? na > nb : ls->devs[a].dev < ls->devs[b].dev;
}

static int announces(const struct lanlink_set *ls, size_t a, size_t b)
{
	for (size_t k = 0; k < ls->n; k++)
		if (ls->v[k].sw == a && ls->v[k].dev == (long)b)
			return 1;
	return 0;
}

/* x is a better place than y. */
static int better(const struct lanlink_set *ls, const struct lanlink *x, const struct lanlink *y)
{
	size_t dx = ls->devs[x->sw].dev, dy = ls->devs[y->sw].dev;
	if ((x->port_nbrs > 1) != (y->port_nbrs > 1))
		return x->port_nbrs <= 1;
	if (dx != dy)
		return dx < dy;
	if (x->nb->proto != y->nb->proto)
		return x->nb->proto == LANNBR_LLDP;
	return x->nb->lport < y->nb->lport;
}

const struct lanlink *lanlink_place(const struct lanlink_set *ls, size_t d, int *shared)
{
	const struct lanlink *best = NULL;
	for (size_t k = 0; k < ls->n; k++) {
		const struct lanlink *l = &ls->v[k];
		if (l->dev != (long)d || !ls->devs[l->sw].may_place)
			continue;
		if (announces(ls, d, l->sw) && nearer(ls, d, l->sw))
			continue; /* the other end of an uplink: d is the one nearer the core */
		if (!best || better(ls, l, best))
			best = l;
	}
	if (shared)
		*shared = best && best->port_nbrs > 1;
	return best;
}

const struct lanlink *lanlink_place_mac(const struct lanlink_set *ls, const uint8_t mac[6],
				       int *shared)
{
	const struct lanlink *best = NULL;
	for (size_t k = 0; k < ls->n; k++) {
		const struct lanlink *l = &ls->v[k];
		const struct lannbr *nb = l->nb;
		int same = (nb->has_mac && memcmp(nb->mac, mac, 6) == 0) ||
			   (nb->has_pmac && memcmp(nb->pmac, mac, 6) == 0);
		if (same && ls->devs[l->sw].may_place && (!best || better(ls, l, best)))
			best = l;
	}
	if (shared)
		*shared = best && best->port_nbrs > 1;
	return best;
}

struct lanplace_uplink *lanlink_uplinks(const struct lanlink_set *ls, size_t *n)
{
	struct lanplace_uplink *up = ls->n ? malloc(ls->n * sizeof(*up)) : NULL;
	*n = 0;
	for (size_t k = 0; up && k < ls->n; k++) {
		const struct lanlink *l = &ls->v[k];
		int infra = (l->nb->caps & LANNBR_CAP_INFRA) || (l->dev >= 0 && ls->devs[l->dev].infra);
		if (infra && l->nb->bport > 0)
			up[(*n)++] = (struct lanplace_uplink){ls->devs[l->sw].dev, l->nb->bport};
	}
	if (up && !*n) {
		free(up);
		up = NULL;
	}
	return up;
}

long lanlink_find(const struct lanlink_set *ls, size_t i)
{
	for (size_t k = 0; k < ls->ndevs; k++)
		if (ls->devs[k].dev == i)
			return (long)k;
	return -1;
}

void lanlink_free(struct lanlink_set *ls)
{
	free(ls->devs);
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

/* --- the collector's data --- */

static void fill_dev(struct lanlink_dev *x, const struct collector *c, size_t i)
{
	const struct inv_device *d = &c->inv->devices[i];
	const struct dev_state *s = i < c->state.n ? &c->state.dev[i] : NULL;
	const struct lanhost *h = lanhosts_of_device(c->lan, i);
	struct in_addr a;
	memset(x, 0, sizeof(*x));
	x->dev = i;
	if (d->host[0] && inet_pton(AF_INET, d->host, &a) == 1) {
		x->addr = ntohl(a.s_addr);
		x->has_addr = 1;
	}
	if (d->has_mac)
		memcpy(x->mac[x->nmac++], d->mac, 6);
	if (h && !(d->has_mac && memcmp(d->mac, h->h.mac, 6) == 0))
		memcpy(x->mac[x->nmac++], h->h.mac, 6);
	x->sys_name = s ? s->sys_name : "";
	int cls = d->cls_auto && s ? state_probe_class(s) : (int)d->cls;
	x->may_place = cls == CLS_SWITCH || cls == CLS_ROUTER;
	x->infra = x->may_place || cls == CLS_AP;
	x->nbrs = s && s->nbrs.n ? &s->nbrs : NULL;
}

int lanlink_collect(struct lanlink_set *ls, const struct collector *c, size_t k,
		    size_t announcer)
{
	size_t n = 0;
	memset(ls, 0, sizeof(*ls));
	for (size_t i = 0; i < c->inv->ndevices; i++)
		n += k == SIZE_MAX || c->inv->devices[i].commune == k;
	if (!n)
		return 0;
	if (!(ls->devs = malloc(n * sizeof(*ls->devs))))
		return -1;
	for (size_t i = 0; i < c->inv->ndevices; i++) {
		if (k != SIZE_MAX && c->inv->devices[i].commune != k)
			continue;
		fill_dev(&ls->devs[ls->ndevs], c, i);
		if (announcer != SIZE_MAX && i != announcer)
			ls->devs[ls->ndevs].nbrs = NULL;
		ls->ndevs++;
	}
	if (lanlink_build(ls) < 0) {
		lanlink_free(ls);
		return -1;
	}
	return 0;
}
