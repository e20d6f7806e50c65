/*
 * One Ethernet frame into observations (lanframe.h). Each layer is handed (p, n): its own
 * bytes, n already cut to what both the capture and the enclosing header allow, so a field is
 * read only after checking it lies below n. The first fault found is the one reported.
 */
#include "lanframe.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"

#define ETH_HDR 14
#define VLAN_TAGS_MAX 2   /* 802.1ad: a service tag and a customer tag */
#define BOOTP_FIXED 236   /* RFC 2131 §2: the fixed part, before the magic cookie */
#define DHCP_COOKIE 0x63825363u
#define DNS_HDR 12
#define DNS_RR_MAX 64     /* records looked at in one mDNS answer */
#define DNS_JUMPS_MAX 16  /* compression pointers followed in one name (RFC 1035 §4.1.4) */
#define DNS_NAME_MAX 255
#define CDP_ADDRS_MAX 16  /* addresses looked at in one CDP address TLV */

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static enum lf_bad fail(struct lf_obs *o, enum lf_bad b)
{
	if (o->bad == LF_OK)
		o->bad = b;
	return o->bad;
}

/* A MAC that names one station: not a group address, not all zero. */
static int mac_station(const uint8_t *m)
{
	return !(m[0] & 1) && (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/*
 * Wire bytes as clean text: trailing NULs and spaces dropped (agents pad names with them),
 * with first_line only up to the first CR or LF (software versions run to several lines).
 */
static void text_copy(char *dst, size_t dstsz, const uint8_t *p, size_t n, int first_line)
{
	if (first_line) {
		for (size_t i = 0; i < n; i++)
			if (p[i] == '\n' || p[i] == '\r') {
				n = i;
				break;
			}
	}
	while (n && (p[n - 1] == '\0' || p[n - 1] == ' '))
		n--;
	utf8_sanitize(dst, dstsz, (const char *)p, n);
}

static void add_name(struct lf_obs *o, enum lf_name_src src, const char *name)
{
	if (!name[0] || o->nnames >= LF_NAMES)
		return;
	for (int i = 0; i < o->nnames; i++)
		if (strcmp(o->names[i], name) == 0)
			return;
	/* name is clean text already: sanitizing again only cuts it on a character boundary */
	utf8_sanitize(o->names[o->nnames], LF_NAME_MAX, name, strlen(name));
	o->name_src[o->nnames++] = src;
}

/* An address one host can hold: not "this network" (0/8, as a DHCP client has before its
 * lease), loopback, multicast, reserved or broadcast. */
static int ip_host(uint32_t ip)
{
	uint32_t a = ip >> 24;
	return a != 0 && a != 127 && a < 224;
}

static void add_addr(struct lf_obs *o, uint32_t ip)
{
	if (!ip_host(ip) || o->naddr >= LF_ADDRS)
		return;
	for (int i = 0; i < o->naddr; i++)
		if (o->addr[i] == ip)
			return;
	o->addr[o->naddr++] = ip;
}

static void set_station(struct lf_obs *o, const uint8_t *mac)
{
	memcpy(o->mac, mac, LF_MAC_LEN);
	o->has_mac = 1;
}

/* --- ARP (RFC 826): only the sender's pair; the target is who is asked for, not seen --- */

static enum lf_bad arp(struct lf_obs *o, const uint8_t *p, size_t n)
{
	o->proto = LF_PROTO_ARP;
	if (n < 28)
		return fail(o, LF_BAD_ARP);
	uint16_t op = rd16(p + 6);
	if (rd16(p) != 1 || rd16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4 || (op != 1 && op != 2))
		return fail(o, LF_BAD_ARP);
	if (mac_station(p + 8)) {
		set_station(o, p + 8);
		add_addr(o, rd32(p + 14));
	}
	return o->bad;
}

/* --- DHCP / BOOTP (RFC 2131, 2132) --- */

/* Option 55's codes as "1,3,6,15", cut at the last whole number that fits. */
static void fingerprint(char *dst, size_t dstsz, const uint8_t *p, size_t n)
{
	size_t o = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(dst + o, dstsz - o, "%s%u", o ? "," : "", p[i]);
		if (w < 0 || (size_t)w >= dstsz - o) {
			dst[o] = '\0';
			return;
		}
		o += (size_t)w;
	}
}

/* The options a client's text may be split over (RFC 3396: the same code repeated, joined in
 * order), gathered raw and cleaned once whole, so a character split between two pieces stays
 * whole. 52 (RFC 2132 9.3) says the file and sname fields hold more options. */
struct dhcp_raw {
	uint8_t host[255], vclass[255], prl[255];
	size_t nhost, nvclass, nprl;
	uint8_t overload;
};

static void raw_append(uint8_t *dst, size_t cap, size_t *len, const uint8_t *p, size_t n)
{
	size_t room = cap - *len;
	if (n > room)
		n = room;
	memcpy(dst + *len, p, n);
	*len += n;
}

static void dhcp_option(struct lf_obs *o, struct dhcp_raw *r, uint8_t code, const uint8_t *p,
			size_t n)
{
	struct lf_dhcp *d = &o->dhcp;
	if (code == 53 && n == 1)
		d->msgtype = p[0];
	else if (code == 50 && n == 4)
		d->requested = rd32(p);
	else if (code == 52 && n == 1)
		r->overload = p[0] & 3;
	else if (code == 12)
		raw_append(r->host, sizeof(r->host), &r->nhost, p, n);
	else if (code == 60)
		raw_append(r->vclass, sizeof(r->vclass), &r->nvclass, p, n);
	else if (code == 55)
		raw_append(r->prl, sizeof(r->prl), &r->nprl, p, n);
}

/* The options in p (n bytes) up to END; 52 counts only in the options field (top). */
static enum lf_bad dhcp_options(struct lf_obs *o, struct dhcp_raw *r, const uint8_t *p, size_t n,
				int top)
{
	size_t i = 0;
	while (i < n) {
		uint8_t code = p[i++];
		if (code == 0)
			continue;
		if (code == 255)
			return o->bad;
		if (i >= n || p[i] > n - i - 1)
			return fail(o, LF_BAD_DHCP_OPTION);
		size_t len = p[i++];
		if (top || code != 52)
			dhcp_option(o, r, code, p + i, len);
		i += len;
	}
	return o->bad; /* no END option: the capture may have cut it (or a field is full) */
}

/* The options field, then the file and sname fields when option 52 gives them over to
 * options (RFC 2131 4.1: in that order). What the client says of itself is kept; a server's
 * reply may carry other hosts' values. */
static void dhcp_all_options(struct lf_obs *o, const uint8_t *p, size_t n)
{
	struct dhcp_raw r;
	r.nhost = r.nvclass = r.nprl = 0;
	r.overload = 0;
	dhcp_options(o, &r, p + BOOTP_FIXED + 4, n - BOOTP_FIXED - 4, 1);
	if (r.overload & 1)
		dhcp_options(o, &r, p + 108, 128, 0);
	if (r.overload & 2)
		dhcp_options(o, &r, p + 44, 64, 0);
	struct lf_dhcp *d = &o->dhcp;
	if (d->op != 1)
		return;
	text_copy(d->hostname, sizeof(d->hostname), r.host, r.nhost, 0);
	text_copy(d->vendor_class, sizeof(d->vendor_class), r.vclass, r.nvclass, 0);
	fingerprint(d->fingerprint, sizeof(d->fingerprint), r.prl, r.nprl);
}

static enum lf_bad dhcp(struct lf_obs *o, const uint8_t *p, size_t n)
{
	o->proto = LF_PROTO_DHCP;
	if (n < BOOTP_FIXED || p[1] != 1 || p[2] != 6)
		return fail(o, LF_BAD_DHCP);
	struct lf_dhcp *d = &o->dhcp;
	d->op = p[0];
	d->ciaddr = rd32(p + 12);
	d->yiaddr = rd32(p + 16);
	if (n >= BOOTP_FIXED + 4 && rd32(p + BOOTP_FIXED) == DHCP_COOKIE)
		dhcp_all_options(o, p, n);
	if (!mac_station(p + 28))
		return o->bad;
	set_station(o, p + 28);
	add_addr(o, d->ciaddr);
	/* yiaddr is the client's once acknowledged (an offer may go elsewhere); the requested
	 * address (option 50) is only a wish, kept in d but not given to the host */
	if (d->op == 2 && (d->msgtype == 5 || d->msgtype == 0))
		add_addr(o, d->yiaddr);
	if (d->hostname[0])
		add_name(o, LF_NAME_DHCP, d->hostname);
	return o->bad;
}

/* --- DNS names, for mDNS (RFC 6762) --- */

/*
 * The name at off in the message (msg, n) as dotted clean text in out; *next is the offset
 * just after the name where it stands (not where a pointer led). Pointers are followed at
 * most DNS_JUMPS_MAX times, so a loop ends. Returns the number of labels, or -1.
 */
static int dns_name(const uint8_t *msg, size_t n, size_t off, char *out, size_t outsz,
		    size_t *next)
{
	char raw[DNS_NAME_MAX + 1];
	size_t rl = 0, after = 0;
	int jumps = 0, labels = 0;
	for (;;) {
		if (off >= n)
			return -1;
		uint8_t c = msg[off];
		if ((c & 0xc0) == 0xc0) {
			if (off + 1 >= n || ++jumps > DNS_JUMPS_MAX)
				return -1;
			if (!after)
				after = off + 2;
			off = (size_t)(c & 0x3f) << 8 | msg[off + 1];
			continue;
		}
		if (c & 0xc0)
			return -1; /* extended label types (RFC 6891): not in names we read */
		if (c == 0) {
			if (!after)
				after = off + 1;
			break;
		}
		if (c > n - off - 1 || rl + 1 + c > DNS_NAME_MAX)
			return -1;
		if (rl)
			raw[rl++] = '.';
		memcpy(raw + rl, msg + off + 1, c);
		rl += c;
		labels++;
		off += 1u + c;
	}
	*next = after;
	utf8_sanitize(out, outsz, raw, rl);
	return labels;
}

static int ends_local(const char *s)
{
	size_t l = strlen(s);
	return l > 6 && strcasecmp(s + l - 6, ".local") == 0;
}

/* One resource record at *off: A "NAME.local" and PTR → "NAME.local" give the sender's name. */
static int mdns_rr(struct lf_obs *o, const uint8_t *p, size_t n, size_t *off)
{
	char owner[DNS_NAME_MAX + 1], target[DNS_NAME_MAX + 1];
	size_t at;
	if (dns_name(p, n, *off, owner, sizeof(owner), &at) < 0 || n - at < 10)
		return -1;
	uint16_t type = rd16(p + at);
	size_t rdlen = rd16(p + at + 8);
	at += 10;
	if (rdlen > n - at)
		return -1;
	if (type == 1 && rdlen == 4 && ends_local(owner)) {
		add_name(o, LF_NAME_MDNS, owner);
	} else if (type == 12) {
		size_t end;
		int labels = dns_name(p, n, at, target, sizeof(target), &end);
		if (labels < 0)
			return -1;
		/* a host ("NAME.local"), not a service instance ("x._http._tcp.local") */
		if (labels == 2 && target[0] != '_' && ends_local(target))
			add_name(o, LF_NAME_MDNS, target);
	}
	*off = at + rdlen;
	return 0;
}

static enum lf_bad mdns(struct lf_obs *o, const uint8_t *p, size_t n)
{
	o->proto = LF_PROTO_MDNS;
	if (n < DNS_HDR)
		return fail(o, LF_BAD_DNS);
	if (!(rd16(p + 2) & 0x8000))
		return o->bad; /* a query: names asked for are someone else's */
	size_t off = DNS_HDR, next;
	char skip[DNS_NAME_MAX + 1];
	for (unsigned q = rd16(p + 4), i = 0; i < q && i < DNS_RR_MAX; i++) {
		if (dns_name(p, n, off, skip, sizeof(skip), &next) < 0 || n - next < 4)
			return fail(o, LF_BAD_DNS);
		off = next + 4;
	}
	unsigned rrs = (unsigned)rd16(p + 6) + rd16(p + 8) + rd16(p + 10);
	for (unsigned i = 0; i < rrs && i < DNS_RR_MAX; i++)
		if (mdns_rr(o, p, n, &off) < 0)
			return fail(o, LF_BAD_DNS);
	if (o->nnames && o->src_ok)
		set_station(o, o->src);
	return o->bad;
}

/* --- NetBIOS name service (RFC 1002 §4.2) --- */

/* The first-level encoded name at p (32 letters A-P after a length byte of 32) into out,
 * trailing spaces dropped; *suffix gets its 16th byte (the service type). 0, or -1. */
static int nb_name(const uint8_t *p, size_t n, char *out, size_t outsz, uint8_t *suffix)
{
	uint8_t raw[16];
	if (n < 33 || p[0] != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		uint8_t hi = p[1 + 2 * i], lo = p[2 + 2 * i];
		if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P')
			return -1;
		raw[i] = (uint8_t)((hi - 'A') << 4 | (lo - 'A'));
	}
	*suffix = raw[15];
	text_copy(out, outsz, raw, 15, 0);
	return 0;
}

static enum lf_bad nbns(struct lf_obs *o, const uint8_t *p, size_t n)
{
	o->proto = LF_PROTO_NBNS;
	char name[LF_NAME_MAX];
	uint8_t suffix;
	if (n < DNS_HDR || nb_name(p + DNS_HDR, n - DNS_HDR, name, sizeof(name), &suffix) < 0)
		return fail(o, LF_BAD_NBNS);
	uint16_t flags = rd16(p + 2);
	unsigned response = flags >> 15, opcode = (flags >> 11) & 0xf, rcode = flags & 0xf;
	/* a query names whom it looks for; a registration or refresh (opcode 5, 8, 9) and a
	 * positive answer name their sender. Only unique workstation / server names (suffix 0x00,
	 * 0x20): the others are domains and groups. */
	if (!response && opcode == 0) {
		str_copy(o->queried, sizeof(o->queried), name);
		return o->bad;
	}
	int own = (!response && (opcode == 5 || opcode == 8 || opcode == 9)) ||
		  (response && opcode == 0 && rcode == 0 && rd16(p + 6) > 0);
	if (own && (suffix == 0x00 || suffix == 0x20) && name[0] && o->src_ok) {
		set_station(o, o->src);
		add_name(o, LF_NAME_NBNS, name);
	}
	return o->bad;
}

/* --- IPv4 / UDP --- */

static enum lf_bad udp(struct lf_obs *o, const uint8_t *p, size_t n, uint32_t src_ip)
{
	if (n < 8)
		return fail(o, LF_BAD_SHORT);
	uint16_t sport = rd16(p), dport = rd16(p + 2);
	size_t ulen = rd16(p + 4);
	if (ulen < 8)
		return fail(o, LF_BAD_UDP);
	if (ulen < n)
		n = ulen; /* what follows is Ethernet padding */
	p += 8;
	n -= 8;
	if ((sport == 67 || sport == 68) && (dport == 67 || dport == 68)) {
		if (o->src_ok && ip_host(src_ip))
			o->src_ip = src_ip;
		return dhcp(o, p, n);
	}
	if (sport == 5353 || dport == 5353)
		return mdns(o, p, n);
	if (sport == 137 || dport == 137)
		return nbns(o, p, n);
	return o->bad;
}

static enum lf_bad ipv4(struct lf_obs *o, const uint8_t *p, size_t n)
{
	o->proto = LF_PROTO_IPV4;
	if (n < 20)
		return fail(o, LF_BAD_SHORT);
	size_t ihl = (size_t)(p[0] & 0xf) * 4, total = rd16(p + 2);
	if (p[0] >> 4 != 4 || ihl < 20 || total < ihl)
		return fail(o, LF_BAD_IPV4);
	if (ihl > n)
		return fail(o, LF_BAD_SHORT);
	if (total < n)
		n = total; /* Ethernet padding after the datagram */
	/* fragments: only a whole datagram's UDP header is where it seems */
	if ((rd16(p + 6) & 0x3fff) || p[9] != 17)
		return o->bad;
	return udp(o, p + ihl, n - ihl, rd32(p + 12));
}

/* --- LLDP (IEEE 802.1AB §8.5) --- */

static unsigned lldp_caps(uint16_t bits)
{
	static const unsigned map[] = {LF_CAP_OTHER,  LF_CAP_REPEATER, LF_CAP_BRIDGE,
				       LF_CAP_AP,     LF_CAP_ROUTER,   LF_CAP_PHONE,
				       LF_CAP_DOCSIS, LF_CAP_STATION,  LF_CAP_BRIDGE,
				       LF_CAP_BRIDGE, LF_CAP_BRIDGE}; /* C-VLAN, S-VLAN, TPMR */
	unsigned caps = 0;
	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (bits & (1u << i))
			caps |= map[i];
	return caps;
}

/* A chassis or port id (subtype, value): MACs and IPv4 addresses written out, others text. */
static void lldp_id(char *dst, size_t dstsz, const uint8_t *p, size_t n, uint8_t mac_subtype)
{
	if (p[0] == mac_subtype && n == 7)
		lanframe_mac_str(p + 1, dst, dstsz);
	else if (p[0] == (mac_subtype == 4 ? 5 : 4) && n == 6 && p[1] == 1)
		lanframe_ip_str(rd32(p + 2), dst, dstsz);
	else
		text_copy(dst, dstsz, p + 1, n - 1, 0);
}

static void lldp_mgmt(struct lf_obs *o, const uint8_t *p, size_t n)
{
	/* address string length (subtype included), subtype, address, then the interface */
	if (n < 2 || p[0] < 1 || p[0] > 32 || (size_t)p[0] + 1 > n) {
		fail(o, LF_BAD_LLDP_FIELD);
		return;
	}
	if (p[1] == 1 && p[0] == 5 && !o->nbr.mgmt_addr)
		o->nbr.mgmt_addr = rd32(p + 2);
}

static void lldp_tlv(struct lf_obs *o, unsigned type, const uint8_t *p, size_t n,
		     uint8_t *chassis_mac, int *has_chassis_mac)
{
	struct lf_neighbour *nb = &o->nbr;
	if ((type == 1 || type == 2) && n < 2) {
		fail(o, LF_BAD_LLDP_FIELD);
		return;
	}
	switch (type) {
	case 1:
		lldp_id(nb->chassis_id, sizeof(nb->chassis_id), p, n, 4);
		if (p[0] == 4 && n == 7 && mac_station(p + 1)) {
			memcpy(chassis_mac, p + 1, LF_MAC_LEN);
			*has_chassis_mac = 1;
		}
		break;
	case 2: lldp_id(nb->port_id, sizeof(nb->port_id), p, n, 3); break;
	case 4: text_copy(nb->port_descr, sizeof(nb->port_descr), p, n, 0); break;
	case 5: text_copy(nb->system_name, sizeof(nb->system_name), p, n, 0); break;
	case 6: text_copy(nb->system_descr, sizeof(nb->system_descr), p, n, 1); break;
	case 7:
		if (n < 4)
			fail(o, LF_BAD_LLDP_FIELD);
		else
			nb->caps = lldp_caps(rd16(p + 2)); /* the enabled ones: what it does now */
		break;
	case 8: lldp_mgmt(o, p, n); break;
	default: break;
	}
}

static enum lf_bad lldp(struct lf_obs *o, const uint8_t *p, size_t n)
{
	o->proto = LF_PROTO_LLDP;
	uint8_t chassis_mac[LF_MAC_LEN];
	int has_chassis_mac = 0;
	size_t i = 0;
	/* every TLV moves on by at least its 2-byte header: the walk ends */
	for (;;) {
		if (n - i < 2) {
			fail(o, LF_BAD_LLDP_TLV); /* no END TLV */
			break;
		}
		uint16_t h = rd16(p + i);
		unsigned type = h >> 9;
		size_t len = h & 0x1ff;
		i += 2;
		if (type == 0)
			break;
		if (len > n - i) {
			fail(o, LF_BAD_LLDP_TLV);
			break;
		}
		lldp_tlv(o, type, p + i, len, chassis_mac, &has_chassis_mac);
		i += len;
	}
	/* the frame's source is the port's MAC; some stacks send zeros there */
	if (o->src_ok)
		set_station(o, o->src);
	else if (has_chassis_mac)
		set_station(o, chassis_mac);
	if (o->nbr.system_name[0])
		add_name(o, LF_NAME_LLDP, o->nbr.system_name);
	return o->bad;
}

/* --- CDP (Cisco: LLC/SNAP OUI 00000c, PID 0x2000) --- */

static unsigned cdp_caps(uint32_t bits)
{
	static const unsigned map[] = {LF_CAP_ROUTER, LF_CAP_BRIDGE,   LF_CAP_BRIDGE, LF_CAP_SWITCH,
				       LF_CAP_STATION, LF_CAP_IGMP, LF_CAP_REPEATER, LF_CAP_PHONE};
	unsigned caps = 0;
	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (bits & (1u << i))
			caps |= map[i];
	return caps;
}

/* An address TLV: a count, then (protocol type, length, protocol, address length, address). */
static void cdp_addrs(struct lf_obs *o, const uint8_t *p, size_t n)
{
	if (n < 4) {
		fail(o, LF_BAD_CDP_FIELD);
		return;
	}
	uint32_t count = rd32(p);
	size_t j = 4;
	for (uint32_t k = 0; k < count && k < CDP_ADDRS_MAX; k++) {
		if (n - j < 2 || p[j + 1] > n - j - 2) {
			fail(o, LF_BAD_CDP_FIELD);
			return;
		}
		uint8_t ptype = p[j], plen = p[j + 1];
		const uint8_t *proto = p + j + 2;
		j += 2u + plen;
		if (n - j < 2 || rd16(p + j) > n - j - 2) {
			fail(o, LF_BAD_CDP_FIELD);
			return;
		}
		size_t alen = rd16(p + j);
		j += 2;
		/* NLPID 0xcc: IPv4. 0.0.0.0 (no address configured) is none. */
		if (ptype == 1 && plen == 1 && proto[0] == 0xcc && alen == 4 && !o->nbr.mgmt_addr)
			o->nbr.mgmt_addr = rd32(p + j);
		j += alen;
	}
}

static void cdp_tlv(struct lf_obs *o, unsigned type, const uint8_t *p, size_t n)
{
	struct lf_neighbour *nb = &o->nbr;
	switch (type) {
	case 0x01:
		text_copy(nb->chassis_id, sizeof(nb->chassis_id), p, n, 0);
		text_copy(nb->system_name, sizeof(nb->system_name), p, n, 0);
		break;
	case 0x02:
	case 0x16: cdp_addrs(o, p, n); break;
	case 0x03: text_copy(nb->port_id, sizeof(nb->port_id), p, n, 0); break;
	case 0x04:
		if (n < 4)
			fail(o, LF_BAD_CDP_FIELD);
		else
			nb->caps = cdp_caps(rd32(p));
		break;
	case 0x05: text_copy(nb->system_descr, sizeof(nb->system_descr), p, n, 1); break;
	case 0x06: text_copy(nb->platform, sizeof(nb->platform), p, n, 0); break;
	default: break;
	}
}

static enum lf_bad cdp(struct lf_obs *o, const uint8_t *p, size_t n)
{
	o->proto = LF_PROTO_CDP;
	if (n < 4)
		return fail(o, LF_BAD_CDP_TLV);
	/* version, TTL, checksum; then TLVs whose length counts their own 4-byte header */
	size_t i = 4;
	while (i < n) {
		if (n - i < 4) {
			fail(o, LF_BAD_CDP_TLV);
			break;
		}
		size_t len = rd16(p + i + 2);
		if (len < 4 || len > n - i) {
			fail(o, LF_BAD_CDP_TLV);
			break;
		}
		cdp_tlv(o, rd16(p + i), p + i + 4, len - 4);
		i += len;
	}
	if (o->src_ok)
		set_station(o, o->src);
	if (o->nbr.system_name[0])
		add_name(o, LF_NAME_CDP, o->nbr.system_name);
	return o->bad;
}

/* An 802.3 frame of length n: LLC, and SNAP for CDP; other LLC traffic only counts. */
static enum lf_bad llc(struct lf_obs *o, const uint8_t *p, size_t n)
{
	static const uint8_t cdp_snap[] = {0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00};
	if (n < 3)
		return fail(o, LF_BAD_LLC);
	if (n >= sizeof(cdp_snap) && memcmp(p, cdp_snap, sizeof(cdp_snap)) == 0)
		return cdp(o, p + sizeof(cdp_snap), n - sizeof(cdp_snap));
	return o->bad;
}

enum lf_bad lanframe_decode(const uint8_t *d, size_t n, struct lf_obs *o)
{
	memset(o, 0, sizeof(*o));
	if (!d || n < ETH_HDR)
		return fail(o, LF_BAD_SHORT);
	memcpy(o->src, d + 6, LF_MAC_LEN);
	if (o->src[0] & 1)
		return fail(o, LF_BAD_SOURCE); /* IEEE 802: a source is never a group address */
	o->src_ok = mac_station(o->src);
	size_t off = ETH_HDR;
	uint16_t type = rd16(d + 12);
	for (int tags = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; tags++) {
		if (tags == VLAN_TAGS_MAX)
			return fail(o, LF_BAD_VLAN);
		if (n - off < 4)
			return fail(o, LF_BAD_SHORT);
		o->vlan = rd16(d + off) & 0x0fff;
		type = rd16(d + off + 2);
		off += 4;
	}
	const uint8_t *p = d + off;
	size_t len = n - off;
	if (type <= 1500) /* an 802.3 length; beyond it, padding (or a capture cut short) */
		return llc(o, p, type < len ? type : len);
	switch (type) {
	case 0x0806: return arp(o, p, len);
	case 0x0800: return ipv4(o, p, len);
	case 0x88cc: return lldp(o, p, len);
	default: return o->bad;
	}
}

const char *lanframe_bad_name(enum lf_bad b)
{
	static const char *const names[LF_BAD_COUNT] = {
	    [LF_OK] = "ok",
	    [LF_BAD_SHORT] = "short",
	    [LF_BAD_VLAN] = "vlan",
	    [LF_BAD_LLC] = "llc",
	    [LF_BAD_ARP] = "arp",
	    [LF_BAD_IPV4] = "ipv4",
	    [LF_BAD_UDP] = "udp",
	    [LF_BAD_DHCP] = "dhcp",
	    [LF_BAD_DHCP_OPTION] = "dhcp_option",
	    [LF_BAD_LLDP_TLV] = "lldp_tlv",
	    [LF_BAD_LLDP_FIELD] = "lldp_field",
	    [LF_BAD_CDP_TLV] = "cdp_tlv",
	    [LF_BAD_CDP_FIELD] = "cdp_field",
	    [LF_BAD_DNS] = "mdns",
	    [LF_BAD_NBNS] = "netbios",
	    [LF_BAD_SOURCE] = "group_source",
	};
	return (unsigned)b < LF_BAD_COUNT ? names[b] : "?";
}

const char *lanframe_proto_name(enum lf_proto p)
{
	static const char *const names[LF_PROTO_COUNT] = {"other", "ipv4", "arp", "dhcp",
							  "lldp",  "cdp",  "mdns", "netbios"};
	return (unsigned)p < LF_PROTO_COUNT ? names[p] : "?";
}

const char *lanframe_cap_name(unsigned cap)
{
	static const char *const names[LF_CAP_COUNT] = {"other", "repeater", "bridge", "switch",
							"wlan-ap", "router", "phone", "docsis",
							"station", "igmp"};
	for (unsigned i = 0; i < LF_CAP_COUNT; i++)
		if (cap == 1u << i)
			return names[i];
	return NULL;
}

char *lanframe_mac_str(const uint8_t mac[LF_MAC_LEN], char *buf, size_t n)
{
	snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}

char *lanframe_ip_str(uint32_t ip, char *buf, size_t n)
{
	snprintf(buf, n, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
	return buf;
}
