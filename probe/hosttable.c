/*
 * The host table (hosttable.h): a fixed pool of slots, a bucket array of chains, and a list
 * by last sighting whose oldest end is evicted when the pool is full (as loginlimit.c does).
 */
#include "hosttable.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"

struct slot {
	struct ht_host h; /* first: a host's slot is found from its pointer */
	int used;
	int class_known;  /* h.likely_class is up to date with what it was computed from */
	struct slot *hnext;          /* bucket chain; the free list while unused */
	struct slot *older, *newer;  /* by last sighting */
};

struct hosttable {
	struct slot *pool, *unused;
	struct slot **bucket; /* a power of two, at least max */
	size_t mask, max;
	struct slot *oldest, *newest;
	const struct oui_table *oui;
	struct ht_neighbour nbr[HT_NEIGHBOURS_MAX];
	size_t nnbr;
	struct ht_stats st;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
};

/* --- the likely class: the one rule table --- */

enum rule_on { ON_CAPS, ON_PLATFORM, ON_DHCP_VENDOR, ON_VENDOR };

struct class_rule {
	enum rule_on on;
	unsigned caps;    /* ON_CAPS: any of these bits */
	const char *word; /* the others: a substring, case ignored */
	const char *cls;  /* a devclass.h name */
};

/* First match wins: what a device announces of itself (LLDP / CDP capabilities, CDP platform)
 * outweighs its DHCP client's vendor class, which outweighs who made its network card (a
 * vendor's OUI may serve several of its product lines). An AP bridges too, and a layer 3
 * switch routes: AP before switch before router. */
static const struct class_rule class_rules[] = {
    {ON_CAPS, LF_CAP_AP, NULL, "ap"},
    {ON_CAPS, LF_CAP_SWITCH | LF_CAP_BRIDGE, NULL, "switch"},
    {ON_CAPS, LF_CAP_ROUTER, NULL, "router"},
    {ON_PLATFORM, 0, "AIR-", "ap"},
    {ON_PLATFORM, 0, "WS-C", "switch"},
    {ON_PLATFORM, 0, "Catalyst", "switch"},
    {ON_PLATFORM, 0, "ISR", "router"},
    {ON_DHCP_VENDOR, 0, "MSFT", "pc"},
    {ON_DHCP_VENDOR, 0, "JetDirect", "printer"},
    {ON_DHCP_VENDOR, 0, "Polycom", "vc"},
    {ON_VENDOR, 0, "Brother Industries", "printer"},
    {ON_VENDOR, 0, "Seiko Epson", "printer"},
    {ON_VENDOR, 0, "Kyocera", "printer"},
    {ON_VENDOR, 0, "Xerox", "printer"},
    {ON_VENDOR, 0, "Lexmark", "printer"},
    {ON_VENDOR, 0, "Ricoh", "printer"},
    {ON_VENDOR, 0, "Konica Minolta", "printer"},
    {ON_VENDOR, 0, "Canon", "printer"},
    {ON_VENDOR, 0, "Hikvision", "camera"},
    {ON_VENDOR, 0, "Dahua", "camera"},
    {ON_VENDOR, 0, "Axis Communications", "camera"},
    {ON_VENDOR, 0, "Polycom", "vc"},
    {ON_VENDOR, 0, "ZKTeco", "attendance"},
    {ON_VENDOR, 0, "American Power Conversion", "ups"},
    {ON_VENDOR, 0, "Ubiquiti", "ap"},
};

const char *ht_likely_class(unsigned caps, const char *platform, const char *dhcp_vendor_class,
			    const char *vendor)
{
	for (size_t i = 0; i < sizeof(class_rules) / sizeof(class_rules[0]); i++) {
		const struct class_rule *r = &class_rules[i];
		const char *s = r->on == ON_PLATFORM	? platform
				: r->on == ON_DHCP_VENDOR ? dhcp_vendor_class
				: r->on == ON_VENDOR	? vendor
							: NULL;
		if (r->on == ON_CAPS ? (caps & r->caps) != 0 : s && strcasestr(s, r->word) != NULL)
			return r->cls;
	}
	return "";
}

/* --- slots --- */

struct hosttable *ht_new(size_t max_hosts, const struct oui_table *oui)
{
	if (max_hosts == 0)
		max_hosts = HT_DEFAULT_MAX;
	/* 2 at least: the sender of a frame and the host it tells about are both kept */
	if (max_hosts < 2 || max_hosts > SIZE_MAX / 4 / sizeof(struct slot) || sodium_init() < 0)
		return NULL;
	struct hosttable *ht = calloc(1, sizeof(*ht));
	if (!ht)
		return NULL;
	size_t nb = 16;
	while (nb < max_hosts)
		nb *= 2;
	ht->pool = calloc(max_hosts, sizeof(*ht->pool));
	ht->bucket = calloc(nb, sizeof(*ht->bucket));
	if (!ht->pool || !ht->bucket) {
		ht_free(ht);
		return NULL;
	}
	ht->mask = nb - 1;
	ht->max = max_hosts;
	ht->oui = oui;
	for (size_t i = max_hosts; i-- > 0;) {
		ht->pool[i].hnext = ht->unused;
		ht->unused = &ht->pool[i];
	}
	randombytes_buf(ht->hkey, sizeof(ht->hkey));
	return ht;
}

void ht_free(struct hosttable *ht)
{
	if (!ht)
		return;
	free(ht->pool);
	free(ht->bucket);
	free(ht);
}

static size_t bucket_of(const struct hosttable *ht, const uint8_t *mac)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;
	crypto_shorthash(h, mac, LF_MAC_LEN, ht->hkey);
	memcpy(&v, h, sizeof(v));
	return (size_t)(v & ht->mask);
}

static struct slot *find(const struct hosttable *ht, const uint8_t *mac)
{
	for (struct slot *s = ht->bucket[bucket_of(ht, mac)]; s; s = s->hnext)
		if (memcmp(s->h.mac, mac, LF_MAC_LEN) == 0)
			return s;
	return NULL;
}

const struct ht_host *ht_find(const struct hosttable *ht, const uint8_t mac[LF_MAC_LEN])
{
	struct slot *s = find(ht, mac);
	return s ? &s->h : NULL;
}

static void lru_unlink(struct hosttable *ht, struct slot *s)
{
	if (s->older)
		s->older->newer = s->newer;
	else
		ht->oldest = s->newer;
	if (s->newer)
		s->newer->older = s->older;
	else
		ht->newest = s->older;
	s->older = s->newer = NULL;
}

static void lru_push(struct hosttable *ht, struct slot *s)
{
	s->older = ht->newest;
	s->newer = NULL;
	if (ht->newest)
		ht->newest->newer = s;
	else
		ht->oldest = s;
	ht->newest = s;
}

static void evict_oldest(struct hosttable *ht)
{
	struct slot *s = ht->oldest;
	struct slot **pp = &ht->bucket[bucket_of(ht, s->h.mac)];
	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	lru_unlink(ht, s);
	memset(s, 0, sizeof(*s));
	s->hnext = ht->unused;
	ht->unused = s;
	ht->st.hosts--;
	ht->st.evicted++;
}

/* The host of mac, made (evicting the least recently seen when full) if new; seen at ts. */
static struct ht_host *touch(struct hosttable *ht, const uint8_t *mac, int64_t ts)
{
	struct slot *s = find(ht, mac);
	if (s) {
		lru_unlink(ht, s);
	} else {
		if (!ht->unused)
			evict_oldest(ht);
		s = ht->unused;
		ht->unused = s->hnext;
		size_t b = bucket_of(ht, mac);
		memset(s, 0, sizeof(*s));
		s->used = 1;
		s->hnext = ht->bucket[b];
		ht->bucket[b] = s;
		memcpy(s->h.mac, mac, LF_MAC_LEN);
		s->h.first_seen_us = s->h.last_seen_us = ts;
		s->h.changed = 1;
		const char *v = oui_lookup(ht->oui, mac);
		if (v)
			str_copy(s->h.vendor, sizeof(s->h.vendor), v);
		ht->st.hosts++;
	}
	lru_push(ht, s);
	/* a capture's clock may step back: the range only widens */
	if (ts > s->h.last_seen_us)
		s->h.last_seen_us = ts;
	if (ts < s->h.first_seen_us)
		s->h.first_seen_us = ts;
	return &s->h;
}

/* --- what a frame tells about a host --- */

static void host_addr(struct ht_host *h, uint32_t ip)
{
	for (int i = 0; i < h->naddr; i++)
		if (h->addr[i] == ip)
			return;
	if (h->naddr == HT_ADDRS) {
		memmove(h->addr, h->addr + 1, (HT_ADDRS - 1) * sizeof(h->addr[0]));
		h->naddr--;
	}
	h->addr[h->naddr++] = ip;
	h->changed = 1;
}

static void host_name(struct ht_host *h, const char *name, enum lf_name_src src)
{
	for (int i = 0; i < h->nnames; i++)
		if (strcasecmp(h->names[i].text, name) == 0)
			return;
	if (h->nnames == HT_NAMES) {
		memmove(h->names, h->names + 1, (HT_NAMES - 1) * sizeof(h->names[0]));
		h->nnames--;
	}
	str_copy(h->names[h->nnames].text, sizeof(h->names[0].text), name);
	h->names[h->nnames++].src = src;
	h->changed = 1;
}

/* dst = src when src says something and differs; marks the host changed. 1 when it did. */
static int host_text(struct ht_host *h, char *dst, size_t dstsz, const char *src)
{
	if (src[0] && strcmp(dst, src) != 0) {
		str_copy(dst, dstsz, src);
		h->changed = 1;
		return 1;
	}
	return 0;
}

static void neighbour(struct hosttable *ht, const struct lf_obs *o, int64_t ts)
{
	struct ht_neighbour *n = NULL, *oldest = NULL;
	for (size_t i = 0; i < ht->nnbr; i++) {
		struct ht_neighbour *c = &ht->nbr[i];
		if (c->proto == o->proto && memcmp(c->mac, o->mac, LF_MAC_LEN) == 0) {
			n = c;
			break;
		}
		if (!oldest || c->last_seen_us < oldest->last_seen_us)
			oldest = c;
	}
	if (!n) {
		if (ht->nnbr < HT_NEIGHBOURS_MAX) {
			n = &ht->nbr[ht->nnbr++];
			ht->st.neighbours++;
		} else {
			n = oldest;
			ht->st.neighbours_evicted++;
		}
		memset(n, 0, sizeof(*n));
		memcpy(n->mac, o->mac, LF_MAC_LEN);
		n->proto = o->proto;
		n->first_seen_us = ts;
		n->changed = 1;
	}
	if (memcmp(&n->info, &o->nbr, sizeof(n->info)) != 0) {
		n->info = o->nbr;
		n->changed = 1;
	}
	if (ts > n->last_seen_us)
		n->last_seen_us = ts;
}

/* The station a frame tells about (not necessarily its sender). The likely class is worked
 * out again only when what it rests on changed: the rule table's substring searches were the
 * largest cost per frame (bench/lanwatch_replay.py). */
static void station(struct hosttable *ht, struct ht_host *h, const struct lf_obs *o, int64_t ts)
{
	struct slot *s = (struct slot *)h;
	int redo = !s->class_known;
	for (int i = 0; i < o->naddr; i++)
		host_addr(h, o->addr[i]);
	for (int i = 0; i < o->nnames; i++)
		host_name(h, o->names[i], o->name_src[i]);
	if (o->proto == LF_PROTO_DHCP) {
		redo |= host_text(h, h->dhcp_vendor_class, sizeof(h->dhcp_vendor_class),
				  o->dhcp.vendor_class);
		host_text(h, h->dhcp_fingerprint, sizeof(h->dhcp_fingerprint),
			  o->dhcp.fingerprint);
	} else if (o->proto == LF_PROTO_LLDP || o->proto == LF_PROTO_CDP) {
		redo |= host_text(h, h->platform, sizeof(h->platform), o->nbr.platform);
		if (o->nbr.caps && o->nbr.caps != h->caps) {
			h->caps = o->nbr.caps;
			h->changed = 1;
			redo = 1;
		}
		neighbour(ht, o, ts);
	}
	if (redo) {
		host_text(h, h->likely_class, sizeof(h->likely_class),
			  ht_likely_class(h->caps, h->platform, h->dhcp_vendor_class, h->vendor));
		s->class_known = 1;
	}
}

void ht_observe(struct hosttable *ht, const struct lf_obs *o, size_t wirelen, int64_t ts)
{
	struct ht_stats *st = &ht->st;
	st->frames++;
	st->bytes += wirelen;
	if ((unsigned)o->bad < LF_BAD_COUNT)
		st->bad[o->bad]++;
	st->malformed += o->bad != LF_OK;
	if ((unsigned)o->proto < LF_PROTO_COUNT)
		st->proto[o->proto]++;
	struct ht_host *src = NULL;
	if (o->src_ok) {
		src = touch(ht, o->src, ts);
		src->frames++;
		src->bytes += wirelen;
		if (o->src_ip)
			host_addr(src, o->src_ip);
	}
	if (!o->has_mac)
		return;
	/* touching the station cannot evict src: src is now the newest and max_hosts >= 2 */
	struct ht_host *h = src && memcmp(o->mac, o->src, LF_MAC_LEN) == 0 ? src
									     : touch(ht, o->mac, ts);
	station(ht, h, o, ts);
}

/* --- walks --- */

static const struct ht_host *next_host(const struct hosttable *ht, size_t *cursor, int changed)
{
	while (*cursor < ht->max) {
		const struct slot *s = &ht->pool[(*cursor)++];
		if (s->used && (!changed || s->h.changed))
			return &s->h;
	}
	return NULL;
}

const struct ht_host *ht_next(const struct hosttable *ht, size_t *cursor)
{
	return next_host(ht, cursor, 0);
}

const struct ht_host *ht_next_changed(const struct hosttable *ht, size_t *cursor)
{
	return next_host(ht, cursor, 1);
}

static const struct ht_neighbour *next_nbr(const struct hosttable *ht, size_t *cursor,
					   int changed)
{
	while (*cursor < ht->nnbr) {
		const struct ht_neighbour *n = &ht->nbr[(*cursor)++];
		if (!changed || n->changed)
			return n;
	}
	return NULL;
}

const struct ht_neighbour *ht_next_neighbour(const struct hosttable *ht, size_t *cursor)
{
	return next_nbr(ht, cursor, 0);
}

const struct ht_neighbour *ht_next_changed_neighbour(const struct hosttable *ht, size_t *cursor)
{
	return next_nbr(ht, cursor, 1);
}

void ht_clear_changed(struct hosttable *ht)
{
	for (size_t i = 0; i < ht->max; i++)
		ht->pool[i].h.changed = 0;
	for (size_t i = 0; i < ht->nnbr; i++)
		ht->nbr[i].changed = 0;
}

void ht_clear_host_changed(struct hosttable *ht, const uint8_t mac[LF_MAC_LEN])
{
	struct slot *s = find(ht, mac);
	if (s)
		s->h.changed = 0;
}

void ht_clear_neighbour_changed(struct hosttable *ht, const uint8_t mac[LF_MAC_LEN],
				enum lf_proto proto)
{
	for (size_t i = 0; i < ht->nnbr; i++)
		if (ht->nbr[i].proto == proto && memcmp(ht->nbr[i].mac, mac, LF_MAC_LEN) == 0)
			ht->nbr[i].changed = 0;
}

const struct ht_stats *ht_stats(const struct hosttable *ht) { return &ht->st; }
