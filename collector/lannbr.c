/* A device's LLDP and CDP neighbours, decoded from its sample's rows (lannbr.h). */
#include "lannbr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lanplace.h"
#include "strbuf.h"

#define INDEX_SUBIDS 24 /* an lldp_man index with an IPv6 address has 21 */
#define OCTETS_MAX 64   /* the probe's hex text holds 63 bytes */

/* --- one row's values --- */

static const struct metric_val *row_val(const struct group_row *r, const char *name)
{
	for (size_t k = 0; k < r->nvals; k++)
		if (strcmp(r->vals[k].name, name) == 0)
			return &r->vals[k];
	return NULL;
}

/* A whole number in [min, max], else -1 (absent, a text, a fraction, out of range). */
static long row_long(const struct group_row *r, const char *name, long min, long max)
{
	const struct metric_val *v = row_val(r, name);
	if (!v || v->kind != MV_GAUGE || !(v->gauge >= (double)min && v->gauge <= (double)max) ||
	    v->gauge != (double)(long)v->gauge)
		return -1;
	return (long)v->gauge;
}

/* The bytes of a `hex` value into b (room for OCTETS_MAX): how many, or -1. */
static long row_octets(const struct group_row *r, const char *name, uint8_t *b)
{
	const struct metric_val *v = row_val(r, name);
	return v && v->kind == MV_TEXT ? hex_decode(b, OCTETS_MAX, v->text) : -1;
}

/* A text value, sanitised again: rows may come from any batch, not only from our probe. */
static void row_text(char *dst, size_t n, const struct group_row *r, const char *name)
{
	const struct metric_val *v = row_val(r, name);
	dst[0] = '\0';
	if (v && v->kind == MV_TEXT)
		utf8_sanitize(dst, n, v->text, strnlen(v->text, sizeof(v->text)));
}

/* Bytes an identifier subtype says are text (an ifName, a local name): trailing NULs cut. */
static void octets_text(char *dst, size_t n, const uint8_t *b, long len)
{
	while (len > 0 && b[len - 1] == '\0')
		len--;
	utf8_sanitize(dst, n, (const char *)b, (size_t)len);
}

/* The sub-identifiers of a row index, at most max: how many, or -1. */
static int index_subids(const char *idx, unsigned long *v, int max)
{
	int n = 0;
	const char *p = idx;
	while (*p) {
		char *end;
		if (n == max || *p < '0' || *p > '9')
			return -1;
		errno = 0;
		v[n++] = strtoul(p, &end, 10);
		if (errno || v[n - 1] > 4294967295ul || (*end && *end != '.') ||
		    (*end == '.' && !end[1]))
			return -1;
		p = *end ? end + 1 : end;
	}
	return n;
}

/* --- identifiers by subtype (LLDP-MIB LldpChassisIdSubtype, LldpPortIdSubtype) --- */

static void add_addr(struct lannbr *nb, uint32_t a)
{
	if (!a || nb->naddr >= LANNBR_ADDRS)
		return;
	for (int i = 0; i < nb->naddr; i++)
		if (nb->addr[i] == a)
			return;
	nb->addr[nb->naddr++] = a;
}

static uint32_t ipv4(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* networkAddress: an IANA address family (1 = IPv4), then the address. 1, 0 another family,
 * -1 an IPv4 of the wrong length. */
static int net_addr(const uint8_t *b, long len, uint32_t *out)
{
	if (len < 1 || b[0] != 1)
		return 0;
	if (len != 5)
		return -1;
	*out = ipv4(b + 1);
	return 1;
}

static void chassis_id(struct lannbr *nb, long subtype, const uint8_t *b, long len)
{
	uint32_t a;
	if (subtype == 4) { /* macAddress */
		if (len == 6) {
			memcpy(nb->mac, b, 6);
			nb->has_mac = 1;
		} else {
			nb->bad |= LANNBR_BAD_CHASSIS;
		}
	} else if (subtype == 5) { /* networkAddress */
		int r = net_addr(b, len, &a);
		if (r > 0)
			add_addr(nb, a);
		else if (r < 0)
			nb->bad |= LANNBR_BAD_CHASSIS;
	} else { /* chassisComponent, interfaceAlias, portComponent, interfaceName, local */
		octets_text(nb->chassis, sizeof(nb->chassis), b, len);
	}
}

/* Its own port: a text subtype as it is, else its description, else the MAC. */
static void port_id(struct lannbr *nb, long subtype, const uint8_t *b, long len,
		    const char *descr)
{
	if (subtype == 3 && len == 6) { /* macAddress: a host's interface */
		memcpy(nb->pmac, b, 6);
		nb->has_pmac = 1;
	} else if (subtype == 3 || (subtype == 4 && net_addr(b, len, &(uint32_t){0}) < 0)) {
		nb->bad |= LANNBR_BAD_PORT;
	} else if (subtype != 4 && subtype > 0) {
		octets_text(nb->rport, sizeof(nb->rport), b, len);
	}
	if (!nb->rport[0] && descr[0])
		snprintf(nb->rport, sizeof(nb->rport), "%s", descr);
	if (!nb->rport[0] && nb->has_pmac)
		wirelan_mac_format(nb->rport, sizeof(nb->rport), nb->pmac);
}

/* LLDP's BITS: bit 0 is the high bit of the first byte; the later bytes (VLAN tags of 802.1AB
 * 2009) name no kind of device. */
static unsigned lldp_caps(const uint8_t *b, long len)
{
	unsigned caps = 0;
	for (int k = 0; len > 0 && k < LANNBR_CAP_COUNT; k++)
		if (b[0] & (0x80u >> k))
			caps |= 1u << k;
	return caps;
}

/* CDP's: a number of up to 4 bytes, network order (0x01 router, 0x02 / 0x04 bridges, 0x08
 * switch, 0x10 host, 0x40 repeater, 0x80 phone). Longer: none (a value of no known form). */
static unsigned cdp_caps(const uint8_t *b, long len)
{
	static const struct { uint32_t bit; unsigned cap; } map[] = {
	    {0x01, LANNBR_CAP_ROUTER}, {0x02, LANNBR_CAP_BRIDGE}, {0x04, LANNBR_CAP_BRIDGE},
	    {0x08, LANNBR_CAP_BRIDGE}, {0x10, LANNBR_CAP_STATION}, {0x40, LANNBR_CAP_REPEATER},
	    {0x80, LANNBR_CAP_PHONE},
	};
	uint32_t v = 0;
	unsigned caps = 0;
	if (len > 4)
		return 0;
	for (long i = 0; i < len; i++)
		v = v << 8 | b[i];
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (v & map[i].bit)
			caps |= map[i].cap;
	return caps;
}

/* --- rows to neighbours --- */

/* An lldp_rem row: 0, or -1 when its index is no TimeMark.LocalPortNum.Index. */
static int from_lldp(struct lannbr *nb, const struct group_row *r)
{
	unsigned long sub[3];
	uint8_t b[OCTETS_MAX];
	char descr[LANNBR_TEXT];
	if (index_subids(wire_row_index(r), sub, 3) != 3 || sub[1] < 1 || sub[1] > 2147483647ul)
		return -1;
	nb->proto = LANNBR_LLDP;
	nb->lport = (long)sub[1];
	row_text(nb->name, sizeof(nb->name), r, "sys_name");
	row_text(descr, sizeof(descr), r, "port_descr");
	long st = row_long(r, "chassis_type", 1, 7), len = row_octets(r, "chassis", b);
	if (st > 0 && len >= 0)
		chassis_id(nb, st, b, len);
	st = row_long(r, "port_type", 1, 7);
	len = row_octets(r, "port_id", b);
	port_id(nb, len >= 0 ? st : -1, b, len, descr);
	if ((len = row_octets(r, "caps", b)) >= 0)
		nb->caps = lldp_caps(b, len);
	return 0;
}

/* A cdp row: 0, or -1 when its index is no ifIndex.DeviceIndex. */
static int from_cdp(struct lannbr *nb, const struct group_row *r)
{
	unsigned long sub[2];
	uint8_t b[OCTETS_MAX];
	if (index_subids(wire_row_index(r), sub, 2) != 2 || sub[0] < 1 || sub[0] > 2147483647ul)
		return -1;
	nb->proto = LANNBR_CDP;
	nb->lport = (long)sub[0];
	row_text(nb->name, sizeof(nb->name), r, "device_id");
	row_text(nb->rport, sizeof(nb->rport), r, "port");
	row_text(nb->platform, sizeof(nb->platform), r, "platform");
	long len = row_octets(r, "addr", b);
	if (row_long(r, "addr_type", 1, 1) == 1 && len >= 0) { /* CiscoNetworkProtocol ip(1) */
		if (len == 4)
			add_addr(nb, ipv4(b));
		else
			nb->bad |= LANNBR_BAD_ADDR;
	}
	if ((len = row_octets(r, "caps", b)) >= 0)
		nb->caps = cdp_caps(b, len);
	return 0;
}

/* The IPv4 address of an lldp_man row whose index begins with rem's (TimeMark.LocalPortNum.
 * Index) then subtype 1: the address with its length (4), or without (agents that wrote the
 * index IMPLIED). 0 when none. */
static uint32_t man_addr(const char *idx, const char *rem)
{
	unsigned long v[INDEX_SUBIDS];
	size_t k = strlen(rem);
	if (strncmp(idx, rem, k) != 0 || idx[k] != '.')
		return 0;
	int n = index_subids(idx + k + 1, v, INDEX_SUBIDS);
	int at = n == 6 && v[1] == 4 ? 2 : n == 5 ? 1 : -1;
	if (at < 0 || v[0] != 1 || v[at] > 255 || v[at + 1] > 255 || v[at + 2] > 255 ||
	    v[at + 3] > 255)
		return 0;
	return (uint32_t)(v[at] << 24 | v[at + 1] << 16 | v[at + 2] << 8 | v[at + 3]);
}

static void man_addrs(struct lannbr *nb, const char *rem, const struct dev_sample *s)
{
	for (size_t k = 0; k < s->nrows; k++)
		if (strcmp(s->rows[k].group, LANNBR_GROUP_MAN) == 0)
			add_addr(nb, man_addr(wire_row_index(&s->rows[k]), rem));
}

/* --- the local port a neighbour is heard on --- */

struct ifpos {
	uint32_t index;
	size_t at;
};

struct bport {
	long port;
	uint32_t ifindex;
};

/* A sample's ports, to name the one a neighbour is heard on. */
struct portmap {
	const struct dev_sample *s;
	struct ifpos *ifs; /* by ifIndex */
	struct bport *bp;  /* bridge ports, as the rows come */
	size_t nbp;
};

static int cmp_ifpos(const void *a, const void *b)
{
	const struct ifpos *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

static const struct if_sample *if_find(const struct portmap *pm, uint32_t ifindex)
{
	struct ifpos key = {ifindex, 0};
	const struct ifpos *f = pm->s->nifs ? bsearch(&key, pm->ifs, pm->s->nifs, sizeof(key),
						      cmp_ifpos)
					    : NULL;
	return f ? &pm->s->ifs[f->at] : NULL;
}

/* The interface whose ifName or ifDescr is name (LLDP names its ports so), 0 none. */
static uint32_t if_named(const struct portmap *pm, const char *name)
{
	for (size_t i = 0; name[0] && i < pm->s->nifs; i++)
		if (strcmp(pm->s->ifs[i].name, name) == 0 || strcmp(pm->s->ifs[i].descr, name) == 0)
			return pm->s->ifs[i].index;
	return 0;
}

static long bport_of_if(const struct portmap *pm, uint32_t ifindex)
{
	for (size_t i = 0; i < pm->nbp; i++)
		if (pm->bp[i].ifindex == ifindex)
			return pm->bp[i].port;
	return 0;
}

static uint32_t if_of_bport(const struct portmap *pm, long port)
{
	for (size_t i = 0; i < pm->nbp; i++)
		if (pm->bp[i].port == port)
			return pm->bp[i].ifindex;
	return 0;
}

/* The names lldpLocPortTable gives local port n: its id when that is text, its description. */
static void loc_names(const struct dev_sample *s, long n, char *id, char *descr, size_t sz)
{
	char idx[24];
	uint8_t b[OCTETS_MAX];
	id[0] = descr[0] = '\0';
	snprintf(idx, sizeof(idx), "%ld", n);
	for (size_t k = 0; k < s->nrows; k++) {
		const struct group_row *r = &s->rows[k];
		if (strcmp(r->group, LANNBR_GROUP_LOC) != 0 || strcmp(wire_row_index(r), idx) != 0)
			continue;
		long st = row_long(r, "id_type", 1, 7), len = row_octets(r, "id", b);
		if (len >= 0 && st > 0 && st != 3 && st != 4) /* not a MAC, not an address */
			octets_text(id, sz, b, len);
		row_text(descr, sz, r, "descr");
		return;
	}
}

/* The port as people know it: its interface's ifName or ifDescr, else LLDP's name for it;
 * and the bridge port it is, for the forwarding-table placement. */
static void name_port(struct lannbr *nb, const struct portmap *pm)
{
	char id[LANNBR_PORT], descr[LANNBR_PORT];
	uint32_t ifindex = 0;
	id[0] = descr[0] = '\0';
	if (nb->proto == LANNBR_CDP) {
		ifindex = (uint32_t)nb->lport;
	} else {
		loc_names(pm->s, nb->lport, id, descr, sizeof(id));
		if (!(ifindex = if_named(pm, id)))
			ifindex = if_named(pm, descr);
		/* IEEE 802.1AB: on a bridge the LLDP port number is the dot1dBasePort */
		if (!ifindex && (ifindex = if_of_bport(pm, nb->lport)))
			nb->bport = nb->lport;
	}
	const struct if_sample *f = ifindex ? if_find(pm, ifindex) : NULL;
	if (f)
		lanplace_port_label(nb->port, sizeof(nb->port), f);
	if (ifindex && !nb->bport)
		nb->bport = bport_of_if(pm, ifindex);
	if (!nb->port[0])
		snprintf(nb->port, sizeof(nb->port), "%s", id[0] ? id : descr);
}

static int portmap_init(struct portmap *pm, const struct dev_sample *s)
{
	memset(pm, 0, sizeof(*pm));
	pm->s = s;
	size_t n = 0;
	for (size_t k = 0; k < s->nrows; k++)
		n += strcmp(s->rows[k].group, LANPLACE_GROUP_PORTS) == 0;
	pm->ifs = malloc((s->nifs ? s->nifs : 1) * sizeof(*pm->ifs));
	pm->bp = malloc((n ? n : 1) * sizeof(*pm->bp));
	if (!pm->ifs || !pm->bp)
		return -1;
	for (size_t i = 0; i < s->nifs; i++)
		pm->ifs[i] = (struct ifpos){s->ifs[i].index, i};
	qsort(pm->ifs, s->nifs, sizeof(*pm->ifs), cmp_ifpos);
	for (size_t k = 0; k < s->nrows; k++) {
		const struct group_row *r = &s->rows[k];
		unsigned long port;
		long ifindex = row_long(r, "ifindex", 1, 2147483647);
		if (strcmp(r->group, LANPLACE_GROUP_PORTS) == 0 && ifindex > 0 &&
		    index_subids(wire_row_index(r), &port, 1) == 1 && port >= 1 && port <= 65535)
			pm->bp[pm->nbp++] = (struct bport){(long)port, (uint32_t)ifindex};
	}
	return 0;
}

static void portmap_free(struct portmap *pm)
{
	free(pm->ifs);
	free(pm->bp);
}

/* --- the list --- */

/* Row k of s as a neighbour into nb: 1, 0 not a neighbour row (or a bad index). */
static int take_row(struct lannbr *nb, const struct dev_sample *s, size_t k)
{
	const struct group_row *r = &s->rows[k];
	int lldp = strcmp(r->group, LANNBR_GROUP_LLDP) == 0;
	if (!lldp && strcmp(r->group, LANNBR_GROUP_CDP) != 0)
		return 0;
	memset(nb, 0, sizeof(*nb));
	if ((lldp ? from_lldp(nb, r) : from_cdp(nb, r)) < 0)
		return 0;
	if (lldp)
		man_addrs(nb, wire_row_index(r), s);
	return 1;
}

int lannbr_set(struct lannbr_list *dst, const struct dev_sample *s)
{
	struct portmap pm;
	size_t rows = 0;
	lannbr_free(dst);
	for (size_t k = 0; k < s->nrows; k++)
		rows += strcmp(s->rows[k].group, LANNBR_GROUP_LLDP) == 0 ||
			strcmp(s->rows[k].group, LANNBR_GROUP_CDP) == 0;
	if (!rows)
		return 0;
	size_t max = rows < LANNBR_MAX ? rows : LANNBR_MAX;
	dst->v = malloc(max * sizeof(*dst->v));
	if (!dst->v || portmap_init(&pm, s) < 0) {
		if (dst->v)
			portmap_free(&pm);
		lannbr_free(dst);
		return -1;
	}
	for (size_t k = 0; k < s->nrows; k++) {
		if (dst->n == max) {
			dst->dropped = rows - dst->n; /* bad rows among them are counted too */
			break;
		}
		if (take_row(&dst->v[dst->n], s, k))
			name_port(&dst->v[dst->n++], &pm);
	}
	portmap_free(&pm);
	return 0;
}

void lannbr_free(struct lannbr_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int lannbr_group(const char *group)
{
	return strcmp(group, LANNBR_GROUP_LOC) == 0 || strcmp(group, LANNBR_GROUP_LLDP) == 0 ||
	       strcmp(group, LANNBR_GROUP_MAN) == 0 || strcmp(group, LANNBR_GROUP_CDP) == 0;
}

const char *lannbr_proto_name(enum lannbr_proto p)
{
	return p == LANNBR_CDP ? "CDP" : "LLDP";
}

const char *lannbr_display_name(const struct lannbr *nb)
{
	return nb->name[0] ? nb->name : nb->chassis[0] ? nb->chassis : NULL;
}
