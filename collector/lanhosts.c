/* Hosts seen on the communes' LANs (lanhosts.h). */
#include "lanhosts.h"

#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "log.h"
#include "store.h"

struct lannbr {
	struct lan_neighbour n;
	long commune; /* in the inventory; -1: no longer listed */
};

struct lanhosts {
	sqlite3 *db;
	sqlite3_stmt *put, *all, *nput, *nall;
	const struct inventory *inv;
	struct lannbr *nb; /* LANHOSTS_NBRS_MAX */
	size_t nnb;
	struct lanhost *v;
	size_t n, cap;
	long *by_device; /* inventory device -> host index, -1 none */
	size_t *slot;    /* open addressing by (commune, mac): host index + 1, 0 empty */
	size_t nslot;    /* a power of two, over twice LANHOSTS_MAX */
	struct lanhosts_stats st;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS lan_hosts ("
    " commune TEXT NOT NULL, mac TEXT NOT NULL, iface TEXT NOT NULL, probe TEXT NOT NULL,"
    " addrs TEXT NOT NULL, names TEXT NOT NULL, vendor TEXT NOT NULL, dhcp_vc TEXT NOT NULL,"
    " dhcp_fp TEXT NOT NULL, class TEXT NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,"
    " frames INTEGER NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (commune, mac));"
    "CREATE TABLE IF NOT EXISTS lan_neighbours ("
    " commune TEXT NOT NULL, mac TEXT NOT NULL, protocol TEXT NOT NULL, iface TEXT NOT NULL,"
    " system_name TEXT NOT NULL, port_id TEXT NOT NULL, caps INTEGER NOT NULL,"
    " mgmt INTEGER NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (commune, mac, protocol));";

/* --- matching: which inventory device a host is --- */

static int same_addr(const struct inv_device *d, const struct lan_host *h)
{
	struct in_addr in;
	if (!d->host[0] || inet_pton(AF_INET, d->host, &in) != 1)
		return 0;
	for (int i = 0; i < h->naddr; i++)
		if (h->addr[i] == ntohl(in.s_addr))
			return 1;
	return 0;
}

/* By MAC first (an address changes with DHCP), then by address, within the host's commune. */
static long match_device(const struct inventory *inv, long commune, const struct lan_host *h)
{
	long by_addr = -1;
	for (size_t i = 0; inv && commune >= 0 && i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		if (d->commune != (size_t)commune)
			continue;
		if (d->has_mac && memcmp(d->mac, h->mac, 6) == 0)
			return (long)i;
		if (by_addr < 0 && !d->has_mac && same_addr(d, h))
			by_addr = (long)i;
	}
	return by_addr;
}

static long commune_of(const struct inventory *inv, const char *name)
{
	for (size_t k = 0; inv && k < inv->ncommunes; k++)
		if (strcmp(inv->communes[k].name, name) == 0)
			return (long)k;
	return -1;
}

static void index_devices(struct lanhosts *lh)
{
	size_t nd = lh->inv ? lh->inv->ndevices : 0;
	free(lh->by_device);
	lh->by_device = malloc((nd ? nd : 1) * sizeof(long));
	for (size_t i = 0; lh->by_device && i < nd; i++)
		lh->by_device[i] = -1;
	for (size_t j = 0; lh->by_device && j < lh->n; j++) {
		long d = lh->v[j].device;
		if (d >= 0 && (lh->by_device[d] < 0 || lh->v[lh->by_device[d]].h.last < lh->v[j].h.last))
			lh->by_device[d] = (long)j;
	}
}

void lanhosts_set_inventory(struct lanhosts *lh, const struct inventory *inv)
{
	lh->inv = inv;
	for (size_t j = 0; j < lh->nnb; j++)
		lh->nb[j].commune = commune_of(inv, lh->nb[j].n.commune);
	for (size_t j = 0; j < lh->n; j++) {
		lh->v[j].commune = commune_of(inv, lh->v[j].h.commune);
		lh->v[j].device = match_device(inv, lh->v[j].commune, &lh->v[j].h);
	}
	index_devices(lh);
}

/* --- lookup by (commune, MAC) --- */

static size_t key_hash(const char *commune, const uint8_t mac[6])
{
	uint64_t h = 14695981039346656037ull;
	for (const char *p = commune; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (int i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 1099511628211ull;
	return (size_t)h;
}

static size_t *find_slot(const struct lanhosts *lh, const char *commune, const uint8_t mac[6])
{
	size_t m = lh->nslot - 1, i = key_hash(commune, mac) & m;
	for (;; i = (i + 1) & m) {
		size_t j = lh->slot[i];
		if (!j || (memcmp(lh->v[j - 1].h.mac, mac, 6) == 0 &&
			   strcmp(lh->v[j - 1].h.commune, commune) == 0))
			return &lh->slot[i];
	}
}

static void rehash(struct lanhosts *lh)
{
	memset(lh->slot, 0, lh->nslot * sizeof(*lh->slot));
	for (size_t j = 0; j < lh->n; j++)
		*find_slot(lh, lh->v[j].h.commune, lh->v[j].h.mac) = j + 1;
}

/* A place for a new host: a free one, else the one seen longest ago (counted). */
static struct lanhost *new_host(struct lanhosts *lh, const struct lan_host *h)
{
	size_t j = lh->n;
	if (lh->n == LANHOSTS_MAX) {
		j = 0;
		for (size_t k = 1; k < lh->n; k++)
			if (lh->v[k].h.last < lh->v[j].h.last)
				j = k;
		lh->st.hosts_evicted++;
		lh->v[j].h = *h;
		rehash(lh);
		return &lh->v[j];
	}
	lh->v[lh->n++].h = *h;
	*find_slot(lh, h->commune, h->mac) = j + 1;
	return &lh->v[j];
}

/* --- the store --- */

static void join_addrs(char *dst, size_t n, const struct lan_host *h)
{
	size_t o = 0;
	dst[0] = '\0';
	for (int i = 0; i < h->naddr && o < n; i++) {
		struct in_addr in = {htonl(h->addr[i])};
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &in, a, sizeof(a));
		int w = snprintf(dst + o, n - o, "%s%s", i ? " " : "", a);
		o += w > 0 ? (size_t)w : 0;
	}
}

static void join_names(char *dst, size_t n, const struct lan_host *h)
{
	size_t o = 0;
	dst[0] = '\0';
	for (int i = 0; i < h->nnames && o < n; i++) {
		int w = snprintf(dst + o, n - o, "%s%s", i ? "\n" : "", h->names[i]);
		o += w > 0 ? (size_t)w : 0;
	}
}

static void save(struct lanhosts *lh, const struct lanhost *x)
{
	char mac[18], addrs[WIRELAN_ADDRS * 16], names[WIRELAN_NAMES * WIRELAN_NAME];
	const struct lan_host *h = &x->h;
	wirelan_mac_format(mac, sizeof(mac), h->mac);
	join_addrs(addrs, sizeof(addrs), h);
	join_names(names, sizeof(names), h);
	const char *t[] = {h->commune, mac, h->iface, x->probe, addrs, names, h->vendor,
			   h->dhcp_vc, h->dhcp_fp, h->cls};
	for (int i = 0; i < 10; i++)
		sqlite3_bind_text(lh->put, i + 1, t[i], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(lh->put, 11, h->first);
	sqlite3_bind_int64(lh->put, 12, h->last);
	sqlite3_bind_int64(lh->put, 13, (sqlite3_int64)h->frames);
	sqlite3_bind_int64(lh->put, 14, (sqlite3_int64)h->bytes);
	if (sqlite3_step(lh->put) != SQLITE_DONE && !lh->st.store_failures++)
		log_warnx("lan", "%s: hosts seen on the LAN are not kept (%s): after a restart they "
			  "are learnt again", h->commune, sqlite3_errmsg(lh->db));
	sqlite3_reset(lh->put);
	sqlite3_clear_bindings(lh->put);
}

static const char *col(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);
	return t ? (const char *)t : "";
}

/* A stored row back into a host; 0, or -1 when it is not one (skipped). */
static int row_host(sqlite3_stmt *q, struct lanhost *x)
{
	struct lan_host *h = &x->h;
	memset(x, 0, sizeof(*x));
	snprintf(h->commune, sizeof(h->commune), "%s", col(q, 0));
	if (wirelan_mac_parse(col(q, 1), h->mac) < 0)
		return -1;
	snprintf(h->iface, sizeof(h->iface), "%s", col(q, 2));
	snprintf(x->probe, sizeof(x->probe), "%s", col(q, 3));
	char addrs[WIRELAN_ADDRS * 16 + 1], *save_a = NULL;
	snprintf(addrs, sizeof(addrs), "%s", col(q, 4));
	for (char *a = strtok_r(addrs, " ", &save_a); a && h->naddr < WIRELAN_ADDRS;
	     a = strtok_r(NULL, " ", &save_a)) {
		struct in_addr in;
		if (inet_pton(AF_INET, a, &in) == 1)
			h->addr[h->naddr++] = ntohl(in.s_addr);
	}
	char names[WIRELAN_NAMES * WIRELAN_NAME + 1], *save_n = NULL;
	snprintf(names, sizeof(names), "%s", col(q, 5));
	for (char *n = strtok_r(names, "\n", &save_n); n && h->nnames < WIRELAN_NAMES;
	     n = strtok_r(NULL, "\n", &save_n))
		snprintf(h->names[h->nnames++], WIRELAN_NAME, "%s", n);
	snprintf(h->vendor, sizeof(h->vendor), "%s", col(q, 6));
	snprintf(h->dhcp_vc, sizeof(h->dhcp_vc), "%s", col(q, 7));
	snprintf(h->dhcp_fp, sizeof(h->dhcp_fp), "%s", col(q, 8));
	snprintf(h->cls, sizeof(h->cls), "%s", col(q, 9));
	h->first = sqlite3_column_int64(q, 10);
	h->last = sqlite3_column_int64(q, 11);
	h->frames = (uint64_t)sqlite3_column_int64(q, 12);
	h->bytes = (uint64_t)sqlite3_column_int64(q, 13);
	return 0;
}

/* The newest LANHOSTS_MAX rows: what was seen before the restart. */
static void load(struct lanhosts *lh)
{
	struct lanhost x;
	while (sqlite3_step(lh->all) == SQLITE_ROW && lh->n < LANHOSTS_MAX)
		if (row_host(lh->all, &x) == 0 && !*find_slot(lh, x.h.commune, x.h.mac)) {
			lh->v[lh->n] = x;
			*find_slot(lh, x.h.commune, x.h.mac) = ++lh->n;
		}
	sqlite3_reset(lh->all);
}

/* --- neighbours --- */

static void save_nbr(struct lanhosts *lh, const struct lan_neighbour *n)
{
	char mac[18];
	wirelan_mac_format(mac, sizeof(mac), n->mac);
	const char *t[] = {n->commune, mac, n->protocol, n->iface, n->system_name, n->port_id};
	for (int i = 0; i < 6; i++)
		sqlite3_bind_text(lh->nput, i + 1, t[i], -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(lh->nput, 7, n->caps);
	sqlite3_bind_int64(lh->nput, 8, n->mgmt_addr);
	sqlite3_bind_int64(lh->nput, 9, n->last);
	if (sqlite3_step(lh->nput) != SQLITE_DONE && !lh->st.store_failures++)
		log_warnx("lan", "%s: LLDP / CDP neighbours are not kept (%s): after a restart they "
			  "are learnt again", n->commune, sqlite3_errmsg(lh->db));
	sqlite3_reset(lh->nput);
	sqlite3_clear_bindings(lh->nput);
}

static struct lannbr *find_nbr(struct lanhosts *lh, const struct lan_neighbour *n)
{
	for (size_t j = 0; j < lh->nnb; j++) {
		const struct lan_neighbour *x = &lh->nb[j].n;
		if (memcmp(x->mac, n->mac, 6) == 0 && strcmp(x->protocol, n->protocol) == 0 &&
		    strcmp(x->commune, n->commune) == 0)
			return &lh->nb[j];
	}
	return NULL;
}

/* n's place: its own, a free one, else the one heard longest ago (counted). NULL when n is
 * older than what is kept of it. */
static struct lannbr *nbr_slot(struct lanhosts *lh, const struct lan_neighbour *n)
{
	struct lannbr *x = find_nbr(lh, n);
	if (x)
		return x->n.last <= n->last ? x : NULL;
	if (lh->nnb < LANHOSTS_NBRS_MAX)
		return &lh->nb[lh->nnb++];
	x = &lh->nb[0];
	for (size_t j = 1; j < lh->nnb; j++)
		if (lh->nb[j].n.last < x->n.last)
			x = &lh->nb[j];
	lh->st.nbrs_evicted++;
	return x;
}

static void take_nbr(struct lanhosts *lh, const struct lan_neighbour *n, long commune)
{
	struct lannbr *x = nbr_slot(lh, n);
	if (!x)
		return; /* an older report (a spooled batch sent late) */
	x->n = *n;
	x->commune = commune;
	save_nbr(lh, n);
	lh->st.nbrs_taken++;
}

static void load_nbrs(struct lanhosts *lh)
{
	while (lh->nnb < LANHOSTS_NBRS_MAX && sqlite3_step(lh->nall) == SQLITE_ROW) {
		struct lan_neighbour *n = &lh->nb[lh->nnb].n;
		memset(&lh->nb[lh->nnb], 0, sizeof(lh->nb[0]));
		if (wirelan_mac_parse(col(lh->nall, 1), n->mac) < 0)
			continue;
		snprintf(n->commune, sizeof(n->commune), "%s", col(lh->nall, 0));
		snprintf(n->protocol, sizeof(n->protocol), "%s", col(lh->nall, 2));
		snprintf(n->iface, sizeof(n->iface), "%s", col(lh->nall, 3));
		snprintf(n->system_name, sizeof(n->system_name), "%s", col(lh->nall, 4));
		snprintf(n->port_id, sizeof(n->port_id), "%s", col(lh->nall, 5));
		n->caps = (unsigned)sqlite3_column_int64(lh->nall, 6);
		n->mgmt_addr = (uint32_t)sqlite3_column_int64(lh->nall, 7);
		n->last = sqlite3_column_int64(lh->nall, 8);
		if (!find_nbr(lh, n))
			lh->nnb++;
	}
	sqlite3_reset(lh->nall);
}

size_t lanhosts_infra_macs(const struct lanhosts *lh, size_t k, uint8_t (*out)[6], size_t max)
{
	/* wirelan_cap_names: bit 2 bridge, 3 switch, 5 router */
	const unsigned infra = 1u << 2 | 1u << 3 | 1u << 5;
	size_t n = 0;
	for (size_t j = 0; lh && j < lh->nnb && n < max; j++)
		if (lh->nb[j].commune == (long)k && (lh->nb[j].n.caps & infra))
			memcpy(out[n++], lh->nb[j].n.mac, 6);
	return n;
}

struct lanhosts *lanhosts_open(struct store *st, const struct inventory *inv, char *err,
			       size_t errsz)
{
	struct lanhosts *lh = calloc(1, sizeof(*lh));
	if (!lh || !(lh->v = calloc(LANHOSTS_MAX, sizeof(*lh->v))) ||
	    !(lh->nb = calloc(LANHOSTS_NBRS_MAX, sizeof(*lh->nb)))) {
		if (lh)
			free(lh->v);
		free(lh);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	for (lh->nslot = 1; lh->nslot < 2 * LANHOSTS_MAX + 1; lh->nslot <<= 1)
		;
	lh->slot = calloc(lh->nslot, sizeof(*lh->slot));
	lh->db = store_db(st);
	char *msg = NULL;
	if (!lh->slot || sqlite3_exec(lh->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_prepare_v2(lh->db, "INSERT OR REPLACE INTO lan_hosts VALUES(?,?,?,?,?,?,?,?,?,?,"
				       "?,?,?,?)", -1, &lh->put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(lh->db, "SELECT * FROM lan_hosts ORDER BY last DESC", -1, &lh->all,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(lh->db, "INSERT OR REPLACE INTO lan_neighbours VALUES(?,?,?,?,?,?,?,"
				       "?,?)", -1, &lh->nput, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(lh->db, "SELECT * FROM lan_neighbours ORDER BY last DESC", -1,
			       &lh->nall, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "LAN hosts: %s", msg ? msg : lh->db ? sqlite3_errmsg(lh->db)
									 : "out of memory");
		sqlite3_free(msg);
		lanhosts_close(lh);
		return NULL;
	}
	load(lh);
	load_nbrs(lh);
	lanhosts_set_inventory(lh, inv);
	return lh;
}

void lanhosts_close(struct lanhosts *lh)
{
	if (!lh)
		return;
	sqlite3_finalize(lh->put);
	sqlite3_finalize(lh->all);
	sqlite3_finalize(lh->nput);
	sqlite3_finalize(lh->nall);
	free(lh->nb);
	free(lh->by_device);
	free(lh->slot);
	free(lh->v);
	free(lh);
}

/* --- taking a batch's report --- */

static void take(struct lanhosts *lh, const struct lan_host *h, long commune, const char *probe)
{
	size_t *slot = find_slot(lh, h->commune, h->mac);
	struct lanhost *x;
	if (*slot) {
		x = &lh->v[*slot - 1];
		int64_t first = x->h.first < h->first ? x->h.first : h->first;
		if (h->last < x->h.last) { /* an older report (a spooled batch sent late) */
			if (first < x->h.first) {
				x->h.first = first; /* it still tells when the host first came */
				save(lh, x);
			}
			return;
		}
		x->h = *h;
		x->h.first = first;
	} else {
		x = new_host(lh, h);
	}
	snprintf(x->probe, sizeof(x->probe), "%s", probe ? probe : "");
	x->commune = commune;
	x->device = match_device(lh->inv, commune, &x->h);
	if (x->device >= 0 && lh->by_device) {
		long *b = &lh->by_device[x->device];
		if (*b < 0 || lh->v[*b].h.last <= x->h.last)
			*b = x - lh->v;
	}
	save(lh, x);
	lh->st.hosts_taken++;
}

size_t lanhosts_apply(struct lanhosts *lh, const struct lan_report *r, const char *probe,
		      int (*may_report)(void *ctx, size_t commune), void *ctx)
{
	size_t taken = 0, evicted = lh->st.hosts_evicted;
	if (!r->nhosts && !r->nnbrs)
		return 0;
	sqlite3_exec(lh->db, "BEGIN", NULL, NULL, NULL); /* one write for the batch */
	for (size_t i = 0; i < r->nnbrs; i++) {
		long k = commune_of(lh->inv, r->nbrs[i].commune);
		if (k < 0 || (may_report && !may_report(ctx, (size_t)k)))
			lh->st.nbrs_refused++;
		else
			take_nbr(lh, &r->nbrs[i], k);
	}
	for (size_t i = 0; i < r->nhosts; i++) {
		long k = commune_of(lh->inv, r->hosts[i].commune);
		if (k < 0 || (may_report && !may_report(ctx, (size_t)k))) {
			lh->st.hosts_refused++;
			continue;
		}
		take(lh, &r->hosts[i], k, probe);
		taken++;
	}
	sqlite3_exec(lh->db, "COMMIT", NULL, NULL, NULL);
	if (lh->st.hosts_evicted != evicted)
		index_devices(lh); /* a host evicted may have been a device's */
	return taken;
}

/* --- reading --- */

static int newest_first(const void *a, const void *b)
{
	const struct lanhost *x = *(const struct lanhost *const *)a,
			     *y = *(const struct lanhost *const *)b;
	return (y->h.last > x->h.last) - (y->h.last < x->h.last);
}

const struct lanhost **lanhosts_list(const struct lanhosts *lh, size_t k, int unregistered_only,
				     size_t *n)
{
	*n = 0;
	const struct lanhost **out = malloc((lh && lh->n ? lh->n : 1) * sizeof(*out));
	for (size_t j = 0; out && lh && j < lh->n; j++)
		if (lh->v[j].commune == (long)k && (!unregistered_only || lh->v[j].device < 0))
			out[(*n)++] = &lh->v[j];
	if (out)
		qsort(out, *n, sizeof(*out), newest_first);
	return out;
}

size_t lanhosts_unregistered(const struct lanhosts *lh, size_t k)
{
	size_t n = 0;
	for (size_t j = 0; lh && j < lh->n; j++)
		n += lh->v[j].commune == (long)k && lh->v[j].device < 0;
	return n;
}

const struct lanhost *lanhosts_of_device(const struct lanhosts *lh, size_t i)
{
	if (!lh || !lh->by_device || !lh->inv || i >= lh->inv->ndevices || lh->by_device[i] < 0)
		return NULL;
	return &lh->v[lh->by_device[i]];
}

const struct lanhosts_stats *lanhosts_stats(const struct lanhosts *lh)
{
	return &lh->st;
}
