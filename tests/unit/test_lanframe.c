/* One Ethernet frame into observations: ARP, DHCP, LLDP, CDP, mDNS, NetBIOS, VLAN tags, and
 * every way a hostile frame can lie about its lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lanframe.h"
#include "lanframe_build.h"
#include "strbuf.h"

static const uint8_t PC[6] = {0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c};
static const uint8_t SW[6] = {0x00, 0x19, 0x2f, 0xa7, 0xb2, 0x8d};

static void arp_gives_the_sender(void **state)
{
	(void)state;
	struct fb f;
	struct lf_obs o;
	char buf[18];
	fb_arp(&f, PC, 0xc0a80005);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.proto, LF_PROTO_ARP);
	assert_true(o.src_ok && o.has_mac);
	assert_string_equal(lanframe_mac_str(o.mac, buf, sizeof(buf)), "00:1b:21:0a:0b:0c");
	assert_int_equal(o.naddr, 1); /* the sender; the target (10.0.0.1) is not seen */
	assert_int_equal(o.addr[0], 0xc0a80005);
	assert_int_equal(o.src_ip, 0); /* an ARP frame has no IP source of its own */

	fb_arp(&f, PC, 0); /* an ARP probe (RFC 5227): a MAC, no address yet */
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.naddr, 0);

	fb_arp(&f, PC, 0xc0a80005);
	f.b[14 + 1] = 6; /* hardware type 6: not Ethernet */
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_ARP);
	assert_false(o.has_mac);
	fb_arp(&f, PC, 0xc0a80005);
	assert_int_equal(lanframe_decode(f.b, 14 + 20, &o), LF_BAD_ARP);

	fb_arp(&f, PC, 0xe0000001); /* a multicast "address" is no host's */
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.naddr, 0);
}

static void group_and_short_sources(void **state)
{
	(void)state;
	struct fb f;
	struct lf_obs o;
	uint8_t mc[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
	fb_arp(&f, mc, 0xc0a80005);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_SOURCE);
	assert_false(o.src_ok);
	assert_int_equal(lanframe_decode(f.b, 13, &o), LF_BAD_SHORT);
	assert_int_equal(lanframe_decode(NULL, 0, &o), LF_BAD_SHORT);
	uint8_t zero[6] = {0};
	fb_arp(&f, zero, 0);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_false(o.src_ok);
}

static void vlan_tags_are_skipped(void **state)
{
	(void)state;
	struct fb f, t;
	struct lf_obs o;
	fb_arp(&f, PC, 0xc0a80005);
	/* two tags (802.1ad service, 802.1Q customer 42) between the addresses and the type */
	t.n = 0;
	fb_put(&t, f.b, 12);
	fb_u16(&t, 0x88a8);
	fb_u16(&t, 7);
	fb_u16(&t, 0x8100);
	fb_u16(&t, 0x2000 | 42);
	fb_put(&t, f.b + 12, f.n - 12);
	assert_int_equal(lanframe_decode(t.b, t.n, &o), LF_OK);
	assert_int_equal(o.vlan, 42);
	assert_int_equal(o.addr[0], 0xc0a80005);
	/* a third tag: more than any bridge stacks */
	struct fb u;
	u.n = 0;
	fb_put(&u, t.b, 12);
	fb_u16(&u, 0x8100);
	fb_u16(&u, 1);
	fb_put(&u, t.b + 12, t.n - 12);
	assert_int_equal(lanframe_decode(u.b, u.n, &o), LF_BAD_VLAN);
	assert_int_equal(lanframe_decode(t.b, 14 + 2, &o), LF_BAD_SHORT);
}

static void dhcp_client_options(void **state)
{
	(void)state;
	static const uint8_t opts[] = {53, 1, 3,  50, 4, 192, 168, 1, 44, 12, 6, 'k', 'e', '-',
				       't', 'o', 'a', 60, 8, 'M', 'S', 'F', 'T', ' ', '5', '.',
				       '0', 55, 4,  1,  3, 6, 15, 0, 0, 255};
	struct fb f;
	struct lf_obs o;
	fb_dhcp(&f, PC, 1, 0, opts, sizeof(opts));
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.proto, LF_PROTO_DHCP);
	assert_int_equal(o.dhcp.msgtype, 3);
	assert_int_equal(o.dhcp.requested, 0xc0a8012c);
	assert_string_equal(o.dhcp.hostname, "ke-toa");
	assert_string_equal(o.dhcp.vendor_class, "MSFT 5.0");
	assert_string_equal(o.dhcp.fingerprint, "1,3,6,15");
	assert_true(o.has_mac);
	assert_memory_equal(o.mac, PC, 6);
	assert_int_equal(o.nnames, 1);
	assert_string_equal(o.names[0], "ke-toa");
	assert_int_equal(o.name_src[0], LF_NAME_DHCP);
	assert_int_equal(o.naddr, 0); /* requested is a wish, not an address */
	assert_int_equal(o.src_ip, 0); /* from 0.0.0.0 */

	/* the server's ACK names the client's address (yiaddr); its options are not the client's */
	static const uint8_t ack[] = {53, 1, 5, 12, 3, 's', 'r', 'v', 255};
	fb_dhcp(&f, PC, 2, 0xc0a8012c, ack, sizeof(ack));
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.naddr, 1);
	assert_int_equal(o.addr[0], 0xc0a8012c);
	assert_string_equal(o.dhcp.hostname, "");
	/* an OFFER's yiaddr is not yet the client's */
	static const uint8_t offer[] = {53, 1, 2, 255};
	fb_dhcp(&f, PC, 2, 0xc0a8012c, offer, sizeof(offer));
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.naddr, 0);
}

/* Option 52 hands the file and then the sname field over to options; a name split over
 * several instances (RFC 3396) is joined before it is cleaned, even inside a character. */
static void dhcp_overload_and_split_options(void **state)
{
	(void)state;
	static const uint8_t opts[] = {53, 1, 1, 52, 1, 3, 12, 3, 'K', 'e', '-', 255};
	static const uint8_t file[] = {12, 3, 't', 'o', 0xc3, 60, 4, 'M', 'S', 'F', 'T',
				       52, 1, 0, 255};
	static const uint8_t sname[] = {12, 1, 0xa1, 60, 4, ' ', '5', '.', '0', 255};
	struct fb f;
	struct lf_obs o;
	fb_dhcp(&f, PC, 1, 0, opts, sizeof(opts));
	size_t bootp = f.n - sizeof(opts) - 240;
	memcpy(f.b + bootp + 108, file, sizeof(file));
	memcpy(f.b + bootp + 44, sname, sizeof(sname));
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_string_equal(o.dhcp.hostname, "Ke-to\xc3\xa1");
	assert_string_equal(o.dhcp.vendor_class, "MSFT 5.0");
	/* without 52 the same fields are a boot file name and a server name, not options */
	static const uint8_t plain[] = {53, 1, 1, 12, 3, 'K', 'e', '-', 255};
	fb_dhcp(&f, PC, 1, 0, plain, sizeof(plain));
	bootp = f.n - sizeof(plain) - 240;
	memcpy(f.b + bootp + 108, file, sizeof(file));
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_string_equal(o.dhcp.hostname, "Ke-");
	assert_string_equal(o.dhcp.vendor_class, "");
}

static void dhcp_hostile_options(void **state)
{
	(void)state;
	struct fb f;
	struct lf_obs o;
	/* a host name with a newline, an escape and a broken UTF-8 byte, then an overrun */
	static const uint8_t bad[] = {12, 7, 'a', '\n', 0x1b, 'b', 0xc3, 'c', 0xff,
				      60, 40, 'x', 'y'};
	fb_dhcp(&f, PC, 1, 0, bad, sizeof(bad));
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_DHCP_OPTION);
	assert_true(utf8_is_clean(o.dhcp.hostname));
	assert_non_null(strstr(o.dhcp.hostname, "\xEF\xBF\xBD")); /* replaced, not dropped */
	assert_string_equal(o.dhcp.vendor_class, "");
	assert_true(o.has_mac); /* chaddr comes before the options */

	/* option 55 asking for 200 codes: the fingerprint is cut at a whole number */
	uint8_t prl[2 + 200 + 1];
	prl[0] = 55;
	prl[1] = 200;
	for (int i = 0; i < 200; i++)
		prl[2 + i] = 200;
	prl[202] = 255;
	fb_dhcp(&f, PC, 1, 0, prl, sizeof(prl));
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	size_t l = strlen(o.dhcp.fingerprint);
	assert_true(l > 0 && l < LF_FP_MAX);
	assert_int_equal(o.dhcp.fingerprint[l - 1], '0');
	assert_int_equal(l % 4, 3); /* "200,200,...,200" */

	/* a BOOTP header cut short, and one that is not Ethernet */
	fb_dhcp(&f, PC, 1, 0, (const uint8_t *)"\xff", 1);
	assert_int_equal(lanframe_decode(f.b, 14 + 28 + 100, &o), LF_BAD_DHCP);
	f.b[14 + 28 + 2] = 16;
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_DHCP);
}

/* An LLDP frame like a Cisco switch's, with the management address and capabilities. */
static void lldp_frame(struct fb *f)
{
	static const uint8_t caps[] = {0x00, 0x14, 0x00, 0x14}; /* bridge, router */
	static const uint8_t mgmt[] = {5, 1, 10, 1, 2, 3, 2, 0, 0, 0, 1, 0};
	fb_lldp(f, SW, "Gi0/13");
	fb_tlv(f, 4, "GigabitEthernet0/13", 19);
	fb_tlv(f, 5, "S2.cisco.com", 12);
	static const char descr[] = "Cisco IOS Software\nCopyright (c) Cisco";
	fb_tlv(f, 6, descr, sizeof(descr) - 1);
	fb_tlv(f, 7, caps, sizeof(caps));
	fb_tlv(f, 8, mgmt, sizeof(mgmt));
}

static void lldp_neighbour(void **state)
{
	(void)state;
	struct fb f;
	struct lf_obs o;
	lldp_frame(&f);
	fb_u16(&f, 0); /* END */
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.proto, LF_PROTO_LLDP);
	assert_string_equal(o.nbr.chassis_id, "00:19:2f:a7:b2:8d");
	assert_string_equal(o.nbr.port_id, "Gi0/13");
	assert_string_equal(o.nbr.port_descr, "GigabitEthernet0/13");
	assert_string_equal(o.nbr.system_name, "S2.cisco.com");
	assert_string_equal(o.nbr.system_descr, "Cisco IOS Software");
	assert_int_equal(o.nbr.caps, LF_CAP_BRIDGE | LF_CAP_ROUTER);
	assert_int_equal(o.nbr.mgmt_addr, 0x0a010203);
	assert_memory_equal(o.mac, SW, 6);
	assert_string_equal(o.names[0], "S2.cisco.com");
	assert_int_equal(o.name_src[0], LF_NAME_LLDP);
}

static void lldp_overruns_stop_the_walk(void **state)
{
	(void)state;
	struct fb f;
	struct lf_obs o;
	/* a TLV saying 400 bytes where 10 are left: what came before is kept */
	lldp_frame(&f);
	fb_u16(&f, 5u << 9 | 400);
	fb_str(&f, "0123456789");
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_LLDP_TLV);
	assert_string_equal(o.nbr.system_name, "S2.cisco.com");
	assert_int_equal(o.nbr.mgmt_addr, 0x0a010203);

	/* no END TLV: zero-length TLVs to the frame's end (the infinite-loop input's shape) */
	fb_lldp(&f, SW, "p");
	while (f.n < 1500)
		fb_u16(&f, 127u << 9);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_LLDP_TLV);

	/* a management address longer than its TLV */
	static const uint8_t mgmt[] = {30, 1, 10, 1, 2, 3};
	fb_lldp(&f, SW, "p");
	fb_tlv(&f, 8, mgmt, sizeof(mgmt));
	fb_u16(&f, 0);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_LLDP_FIELD);
	assert_int_equal(o.nbr.mgmt_addr, 0);

	/* an all-zero source (seen in real captures): the chassis MAC names the station */
	uint8_t zero[6] = {0};
	lldp_frame(&f);
	fb_u16(&f, 0);
	memcpy(f.b + 6, zero, 6);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_true(o.has_mac);
	assert_memory_equal(o.mac, SW, 6);
}

static void cdp_frame(struct fb *f)
{
	static const uint8_t addrs[] = {0, 0, 0, 1, 1, 1, 0xcc, 0, 4, 192, 168, 0, 1};
	fb_cdp(f, SW);
	fb_cdp_tlv(f, 0x01, "Switch", 6);
	fb_cdp_tlv(f, 0x05, "Cisco IOS Software, C3560\nCopyright", 35);
	fb_cdp_tlv(f, 0x06, "cisco WS-C3560G-24PS", 20);
	fb_cdp_tlv(f, 0x02, addrs, sizeof(addrs));
	fb_cdp_tlv(f, 0x03, "GigabitEthernet0/5", 18);
	fb_cdp_tlv(f, 0x04, "\0\0\0\x28", 4);
}

static void cdp_neighbour(void **state)
{
	(void)state;
	struct fb f;
	struct lf_obs o;
	cdp_frame(&f);
	fb_cdp_end(&f);
	size_t n = f.n;
	while (f.n < 60) /* Ethernet padding, beyond the 802.3 length */
		fb_u8(&f, 0xee);
	assert_true(n <= f.n);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.proto, LF_PROTO_CDP);
	assert_string_equal(o.nbr.system_name, "Switch");
	assert_string_equal(o.nbr.port_id, "GigabitEthernet0/5");
	assert_string_equal(o.nbr.platform, "cisco WS-C3560G-24PS");
	assert_string_equal(o.nbr.system_descr, "Cisco IOS Software, C3560");
	assert_int_equal(o.nbr.mgmt_addr, 0xc0a80001);
	assert_int_equal(o.nbr.caps, LF_CAP_SWITCH | LF_CAP_IGMP);
	assert_string_equal(o.names[0], "Switch");
	assert_int_equal(o.name_src[0], LF_NAME_CDP);
}

static void cdp_bad_lengths(void **state)
{
	(void)state;
	struct fb f;
	struct lf_obs o;
	/* a TLV length under its own header would never move the walk on */
	cdp_frame(&f);
	fb_u16(&f, 0x01);
	fb_u16(&f, 2);
	fb_cdp_end(&f);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_CDP_TLV);
	assert_string_equal(o.nbr.platform, "cisco WS-C3560G-24PS");
	/* an address list claiming 2^32-1 entries in 9 bytes */
	static const uint8_t addrs[] = {0xff, 0xff, 0xff, 0xff, 1, 1, 0xcc, 0, 40};
	fb_cdp(&f, SW);
	fb_cdp_tlv(&f, 0x02, addrs, sizeof(addrs));
	fb_cdp_end(&f);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_CDP_FIELD);
	assert_int_equal(o.nbr.mgmt_addr, 0);
	/* an 802.3 length beyond the captured bytes: read what is there */
	cdp_frame(&f);
	f.b[12] = 0x05;
	f.b[13] = 0xdc;
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_string_equal(o.nbr.system_name, "Switch");
}

static void dns_label(struct fb *f, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);
		fb_u8(f, (unsigned)l);
		fb_put(f, name, l);
		name += l + (dot != NULL);
	}
	fb_u8(f, 0);
}

static void mdns_answers(void **state)
{
	(void)state;
	struct fb f, d;
	struct lf_obs o;
	d.n = 0;
	fb_u16(&d, 0);
	fb_u16(&d, 0x8400); /* a response, authoritative */
	fb_u16(&d, 0);
	fb_u16(&d, 3);
	fb_u16(&d, 0);
	fb_u16(&d, 0);
	size_t owner = d.n;
	dns_label(&d, "may-in-tang2.local"); /* A */
	fb_u16(&d, 1);
	fb_u16(&d, 0x8001);
	fb_u32(&d, 120);
	fb_u16(&d, 4);
	fb_u32(&d, 0xc0a80063);
	dns_label(&d, "5.0.168.192.in-addr.arpa"); /* PTR to a host name, compressed */
	fb_u16(&d, 12);
	fb_u16(&d, 1);
	fb_u32(&d, 120);
	fb_u16(&d, 9);
	fb_u8(&d, 6);
	fb_str(&d, "scan-1");
	fb_u16(&d, 0xc000 | (unsigned)(owner + 13)); /* -> "local" */
	size_t svc = d.n;
	dns_label(&d, "_ipp._tcp.local"); /* PTR to a service instance: not a host name */
	fb_u16(&d, 12);
	fb_u16(&d, 1);
	fb_u32(&d, 120);
	fb_u16(&d, 6);
	fb_u8(&d, 3);
	fb_str(&d, "svc");
	fb_u16(&d, 0xc000 | (unsigned)svc);
	fb_eth(&f, BCAST, PC, 0x0800);
	fb_udp(&f, 0xc0a80063, 0xe00000fb, 5353, 5353, d.n);
	fb_put(&f, d.b, d.n);
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.proto, LF_PROTO_MDNS);
	assert_int_equal(o.nnames, 2);
	assert_string_equal(o.names[0], "may-in-tang2.local");
	assert_string_equal(o.names[1], "scan-1.local");
	assert_int_equal(o.name_src[1], LF_NAME_MDNS);
	assert_memory_equal(o.mac, PC, 6);

	/* a compression pointer to itself */
	size_t at = 14 + 28 + owner;
	f.b[at] = 0xc0;
	f.b[at + 1] = (uint8_t)owner;
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_DNS);
}

/* "NAME" as NetBIOS first-level encoding (RFC 1001 §14.1), padded with spaces, suffix s. */
static void nb_encode(struct fb *f, const char *name, uint8_t s)
{
	uint8_t raw[16];
	memset(raw, ' ', 15);
	memcpy(raw, name, strlen(name));
	raw[15] = s;
	fb_u8(f, 32);
	for (int i = 0; i < 16; i++) {
		fb_u8(f, 'A' + (raw[i] >> 4));
		fb_u8(f, 'A' + (raw[i] & 15));
	}
	fb_u8(f, 0);
}

static void nbns_frame(struct fb *f, unsigned flags, const char *name, uint8_t suffix)
{
	struct fb d;
	d.n = 0;
	fb_u16(&d, 0x1234);
	fb_u16(&d, flags);
	fb_u16(&d, 1);
	fb_u16(&d, 0);
	fb_u16(&d, 0);
	fb_u16(&d, 0);
	nb_encode(&d, name, suffix);
	fb_u16(&d, 0x20);
	fb_u16(&d, 1);
	fb_eth(f, BCAST, PC, 0x0800);
	fb_udp(f, 0xc0a80005, 0xc0a800ff, 137, 137, d.n);
	fb_put(f, d.b, d.n);
}

static void netbios_names(void **state)
{
	(void)state;
	struct fb f;
	struct lf_obs o;
	nbns_frame(&f, 5u << 11, "PC-KETOAN", 0x00); /* a registration */
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.proto, LF_PROTO_NBNS);
	assert_int_equal(o.nnames, 1);
	assert_string_equal(o.names[0], "PC-KETOAN");
	assert_int_equal(o.name_src[0], LF_NAME_NBNS);

	nbns_frame(&f, 0, "SERVER", 0x20); /* a query: the name is someone else's */
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.nnames, 0);
	assert_string_equal(o.queried, "SERVER");
	assert_false(o.has_mac);

	nbns_frame(&f, 5u << 11, "WORKGROUP", 0x1e); /* a group name */
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_OK);
	assert_int_equal(o.nnames, 0);

	nbns_frame(&f, 5u << 11, "PC", 0);
	f.b[14 + 28 + 12 + 5] = 'Z'; /* not A-P */
	assert_int_equal(lanframe_decode(f.b, f.n, &o), LF_BAD_NBNS);
	nbns_frame(&f, 5u << 11, "PC", 0);
	assert_int_equal(lanframe_decode(f.b, 14 + 28 + 20, &o), LF_BAD_NBNS);
}

/* Every prefix of every frame above, as a capture cut at any byte would give it: no fault,
 * and every string clean and terminated. */
static void check_obs(const struct lf_obs *o)
{
	assert_true(utf8_is_clean(o->nbr.system_name) && utf8_is_clean(o->nbr.port_id) &&
		    utf8_is_clean(o->nbr.chassis_id) && utf8_is_clean(o->dhcp.hostname) &&
		    utf8_is_clean(o->dhcp.vendor_class) && utf8_is_clean(o->queried));
	assert_true(o->nnames >= 0 && o->nnames <= LF_NAMES);
	assert_true(o->naddr >= 0 && o->naddr <= LF_ADDRS);
	for (int i = 0; i < o->nnames; i++)
		assert_true(o->names[i][0] && utf8_is_clean(o->names[i]));
	assert_string_not_equal(lanframe_bad_name(o->bad), "?");
}

static void every_prefix_is_safe(void **state)
{
	(void)state;
	static const uint8_t opts[] = {53, 1, 1, 12, 2, 'p', 'c', 55, 2, 1, 3, 255};
	struct fb frames[6];
	struct lf_obs o;
	fb_arp(&frames[0], PC, 0xc0a80005);
	fb_dhcp(&frames[1], PC, 1, 0, opts, sizeof(opts));
	lldp_frame(&frames[2]);
	fb_u16(&frames[2], 0);
	cdp_frame(&frames[3]);
	fb_cdp_end(&frames[3]);
	nbns_frame(&frames[4], 5u << 11, "PC", 0);
	nbns_frame(&frames[5], 0x8400, "PC", 0);
	for (size_t k = 0; k < 6; k++)
		for (size_t n = 0; n <= frames[k].n; n++) {
			lanframe_decode(frames[k].b, n, &o);
			check_obs(&o);
		}
}

static void names_of_reasons(void **state)
{
	(void)state;
	for (int i = 0; i < LF_BAD_COUNT; i++) {
		assert_string_not_equal(lanframe_bad_name(i), "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(lanframe_bad_name(i), lanframe_bad_name(j));
	}
	assert_string_equal(lanframe_bad_name(LF_BAD_COUNT), "?");
	for (int i = 0; i < LF_PROTO_COUNT; i++)
		assert_string_not_equal(lanframe_proto_name(i), "?");
	for (unsigned i = 0; i < LF_CAP_COUNT; i++)
		assert_non_null(lanframe_cap_name(1u << i));
	assert_null(lanframe_cap_name(3));
	char ip[16];
	assert_string_equal(lanframe_ip_str(0xffffffffu, ip, sizeof(ip)), "255.255.255.255");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(arp_gives_the_sender),
	    cmocka_unit_test(group_and_short_sources),
	    cmocka_unit_test(vlan_tags_are_skipped),
	    cmocka_unit_test(dhcp_overload_and_split_options),
	    cmocka_unit_test(dhcp_client_options),
	    cmocka_unit_test(dhcp_hostile_options),
	    cmocka_unit_test(lldp_neighbour),
	    cmocka_unit_test(lldp_overruns_stop_the_walk),
	    cmocka_unit_test(cdp_neighbour),
	    cmocka_unit_test(cdp_bad_lengths),
	    cmocka_unit_test(mdns_answers),
	    cmocka_unit_test(netbios_names),
	    cmocka_unit_test(every_prefix_is_safe),
	    cmocka_unit_test(names_of_reasons),
	};
	return cmocka_run_group_tests_name("lanframe", tests, NULL, NULL);
}
