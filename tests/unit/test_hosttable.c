/* The host table: what frames add to a host, eviction at the cap, changed flags for batched
 * sending, LLDP / CDP neighbours, the likely-class rules. "Now" is fixed capture times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosttable.h"
#include "lanframe.h"
#include "lanframe_build.h"
#include "oui.h"

#define T0 1717200000000000LL /* 2024-06-01T00:00:00Z, in µs */
#define SEC 1000000LL

static const uint8_t PC[6] = {0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c};
static const uint8_t PRN[6] = {0x00, 0x26, 0xab, 0x01, 0x02, 0x03};
static const uint8_t RELAY[6] = {0x00, 0x23, 0xeb, 0x10, 0x2c, 0x29};
static const uint8_t SW[6] = {0x00, 0x19, 0x2f, 0xa7, 0xb2, 0x8d};

static void feed(struct hosttable *ht, const struct fb *f, int64_t ts)
{
	struct lf_obs o;
	lanframe_decode(f->b, f->n, &o);
	ht_observe(ht, &o, f->n, ts);
}

static size_t count_changed(const struct hosttable *ht)
{
	size_t cur = 0, n = 0;
	while (ht_next_changed(ht, &cur))
		n++;
	return n;
}

/* A small registry naming PRN's maker, written to a temporary file. */
static struct oui_table *small_oui(void)
{
	char path[] = "/tmp/hbmon-test-oui-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("Registry,Assignment,Organization Name,Organization Address\n"
	      "MA-L,0026AB,Seiko Epson Corporation,Nagano JP\n"
	      "MA-L,00192F,\"Cisco Systems, Inc\",San Jose US\n",
	      f);
	fclose(f);
	struct oui_table *t = oui_load(path);
	unlink(path);
	assert_non_null(t);
	return t;
}

static void arp_makes_a_host(void **state)
{
	(void)state;
	struct oui_table *oui = small_oui();
	struct hosttable *ht = ht_new(0, oui);
	assert_non_null(ht);
	struct fb f;
	fb_arp(&f, PRN, 0xc0a80009);
	feed(ht, &f, T0);
	feed(ht, &f, T0 + 30 * SEC);
	const struct ht_host *h = ht_find(ht, PRN);
	assert_non_null(h);
	assert_int_equal(h->naddr, 1);
	assert_int_equal(h->addr[0], 0xc0a80009);
	assert_int_equal(h->frames, 2);
	assert_int_equal(h->bytes, 2 * f.n);
	assert_int_equal(h->first_seen_us, T0);
	assert_int_equal(h->last_seen_us, T0 + 30 * SEC);
	assert_string_equal(h->vendor, "Seiko Epson Corporation");
	assert_string_equal(h->likely_class, "printer");
	/* a capture's clock stepping back only widens the range */
	feed(ht, &f, T0 - SEC);
	assert_int_equal(h->first_seen_us, T0 - SEC);
	assert_int_equal(h->last_seen_us, T0 + 30 * SEC);
	const struct ht_stats *st = ht_stats(ht);
	assert_int_equal(st->hosts, 1);
	assert_int_equal(st->frames, 3);
	assert_int_equal(st->proto[LF_PROTO_ARP], 3);
	assert_int_equal(st->malformed, 0);
	ht_free(ht);
	oui_free(oui);
}

static void dhcp_through_a_relay(void **state)
{
	(void)state;
	static const uint8_t opts[] = {53, 1, 3,  12, 6, 'k', 'e', '-', 't', 'o', 'a', 60, 8,
				       'M', 'S', 'F', 'T', ' ', '5', '.', '0', 55, 3, 1, 3, 6, 255};
	struct hosttable *ht = ht_new(0, NULL);
	struct fb f;
	fb_dhcp(&f, PC, 1, 0, opts, sizeof(opts));
	/* sent on by a relay: the frame's source and IP are the relay's, chaddr the client's */
	memcpy(f.b + 6, RELAY, 6);
	f.b[14 + 12] = 10, f.b[14 + 13] = 0, f.b[14 + 14] = 0, f.b[14 + 15] = 1;
	feed(ht, &f, T0);
	const struct ht_host *c = ht_find(ht, PC), *r = ht_find(ht, RELAY);
	assert_non_null(c);
	assert_non_null(r);
	assert_int_equal(c->frames, 0); /* told about, not heard */
	assert_int_equal(r->frames, 1);
	assert_int_equal(r->naddr, 1);
	assert_int_equal(r->addr[0], 0x0a000001);
	assert_int_equal(c->naddr, 0);
	assert_int_equal(c->nnames, 1);
	assert_string_equal(c->names[0].text, "ke-toa");
	assert_int_equal(c->names[0].src, LF_NAME_DHCP);
	assert_string_equal(c->dhcp_vendor_class, "MSFT 5.0");
	assert_string_equal(c->dhcp_fingerprint, "1,3,6");
	assert_string_equal(c->likely_class, "pc");
	ht_free(ht);
}

static void the_least_recently_seen_is_evicted(void **state)
{
	(void)state;
	struct hosttable *ht = ht_new(3, NULL);
	struct fb f;
	uint8_t mac[4][6];
	for (int i = 0; i < 4; i++) {
		memcpy(mac[i], PC, 6);
		mac[i][5] = (uint8_t)i;
	}
	for (int i = 0; i < 3; i++) {
		fb_arp(&f, mac[i], 0xc0a80010 + (uint32_t)i);
		feed(ht, &f, T0 + i * SEC);
	}
	fb_arp(&f, mac[0], 0xc0a80010);
	feed(ht, &f, T0 + 10 * SEC); /* host 0 seen again: host 1 is now the oldest */
	fb_arp(&f, mac[3], 0xc0a80013);
	feed(ht, &f, T0 + 11 * SEC);
	const struct ht_stats *st = ht_stats(ht);
	assert_int_equal(st->hosts, 3);
	assert_int_equal(st->evicted, 1);
	assert_non_null(ht_find(ht, mac[0]));
	assert_null(ht_find(ht, mac[1]));
	assert_non_null(ht_find(ht, mac[2]));
	assert_non_null(ht_find(ht, mac[3]));
	size_t cur = 0, n = 0;
	while (ht_next(ht, &cur))
		n++;
	assert_int_equal(n, 3);
	/* a flood of new MACs keeps the table at its cap */
	for (int i = 0; i < 1000; i++) {
		uint8_t m[6] = {0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i};
		fb_arp(&f, m, 0);
		feed(ht, &f, T0 + (20 + i) * SEC);
	}
	assert_int_equal(st->hosts, 3);
	assert_int_equal(st->evicted, 1001);
	assert_null(ht_new(1, NULL)); /* sender and station must both fit */
	ht_free(ht);
}

static void changed_flags_for_batches(void **state)
{
	(void)state;
	struct hosttable *ht = ht_new(0, NULL);
	struct fb f;
	fb_arp(&f, PC, 0xc0a80005);
	feed(ht, &f, T0);
	fb_arp(&f, PRN, 0xc0a80009);
	feed(ht, &f, T0);
	assert_int_equal(count_changed(ht), 2);
	ht_clear_changed(ht);
	assert_int_equal(count_changed(ht), 0);
	/* the same again: counters move, the description does not */
	feed(ht, &f, T0 + SEC);
	assert_int_equal(count_changed(ht), 0);
	assert_int_equal(ht_find(ht, PRN)->frames, 2);
	/* a new address is a change, of that host only */
	fb_arp(&f, PRN, 0xc0a8000a);
	feed(ht, &f, T0 + 2 * SEC);
	size_t cur = 0;
	const struct ht_host *h = ht_next_changed(ht, &cur);
	assert_non_null(h);
	assert_memory_equal(h->mac, PRN, 6);
	assert_null(ht_next_changed(ht, &cur));
	/* addresses beyond HT_ADDRS: the oldest goes */
	for (uint32_t i = 0; i < HT_ADDRS + 2; i++) {
		fb_arp(&f, PC, 0xc0a80100 + i);
		feed(ht, &f, T0 + 3 * SEC);
	}
	h = ht_find(ht, PC);
	assert_int_equal(h->naddr, HT_ADDRS);
	assert_int_equal(h->addr[HT_ADDRS - 1], 0xc0a80100 + HT_ADDRS + 1);
	assert_int_equal(h->addr[0], 0xc0a80102);
	ht_free(ht);
}

static void names_are_bounded(void **state)
{
	(void)state;
	struct hosttable *ht = ht_new(0, NULL);
	struct lf_obs o;
	memset(&o, 0, sizeof(o));
	memcpy(o.src, PC, 6);
	o.src_ok = o.has_mac = 1;
	memcpy(o.mac, PC, 6);
	o.proto = LF_PROTO_MDNS;
	o.nnames = 1;
	for (int i = 0; i < HT_NAMES + 2; i++) {
		snprintf(o.names[0], sizeof(o.names[0]), "host-%d.local", i);
		ht_observe(ht, &o, 100, T0 + i);
	}
	snprintf(o.names[0], sizeof(o.names[0]), "HOST-5.LOCAL"); /* the same, case aside */
	ht_observe(ht, &o, 100, T0 + 10);
	const struct ht_host *h = ht_find(ht, PC);
	assert_int_equal(h->nnames, HT_NAMES);
	assert_string_equal(h->names[0].text, "host-2.local");
	assert_string_equal(h->names[HT_NAMES - 1].text, "host-5.local");
	ht_free(ht);
}

static void lldp_and_cdp_neighbours(void **state)
{
	(void)state;
	struct hosttable *ht = ht_new(0, NULL);
	struct fb f;
	static const uint8_t caps[] = {0x00, 0x14, 0x00, 0x04};
	fb_lldp(&f, SW, "Gi0/13");
	fb_tlv(&f, 5, "S2.cisco.com", 12);
	fb_tlv(&f, 7, caps, sizeof(caps));
	fb_u16(&f, 0);
	feed(ht, &f, T0);
	fb_cdp(&f, SW);
	fb_cdp_tlv(&f, 0x01, "S2", 2);
	fb_cdp_tlv(&f, 0x06, "cisco WS-C3560G-24PS", 20);
	fb_cdp_end(&f);
	feed(ht, &f, T0 + SEC);
	const struct ht_stats *st = ht_stats(ht);
	assert_int_equal(st->neighbours, 2);
	size_t cur = 0;
	const struct ht_neighbour *a = ht_next_neighbour(ht, &cur), *b = ht_next_neighbour(ht, &cur);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(ht_next_neighbour(ht, &cur));
	assert_int_equal(a->proto, LF_PROTO_LLDP);
	assert_string_equal(a->info.system_name, "S2.cisco.com");
	assert_string_equal(a->info.port_id, "Gi0/13");
	assert_int_equal(a->info.caps, LF_CAP_BRIDGE);
	assert_int_equal(b->proto, LF_PROTO_CDP);
	assert_string_equal(b->info.platform, "cisco WS-C3560G-24PS");
	const struct ht_host *h = ht_find(ht, SW);
	assert_int_equal(h->nnames, 2);
	assert_string_equal(h->likely_class, "switch");
	assert_string_equal(h->platform, "cisco WS-C3560G-24PS");
	/* sent; the same announcement again changes nothing */
	ht_clear_changed(ht);
	feed(ht, &f, T0 + 60 * SEC);
	cur = 0;
	assert_null(ht_next_changed_neighbour(ht, &cur));
	assert_int_equal(b->last_seen_us, T0 + 60 * SEC);
	/* many switches: the table of neighbours stays bounded */
	for (int i = 0; i < HT_NEIGHBOURS_MAX + 5; i++) {
		uint8_t m[6] = {0x00, 0x19, 0x2f, 0, (uint8_t)(i >> 8), (uint8_t)i};
		fb_lldp(&f, m, "p");
		fb_u16(&f, 0);
		feed(ht, &f, T0 + (100 + i) * SEC);
	}
	assert_int_equal(st->neighbours, HT_NEIGHBOURS_MAX);
	assert_true(st->neighbours_evicted >= 5);
	ht_free(ht);
}

static void malformed_frames_are_counted(void **state)
{
	(void)state;
	struct hosttable *ht = ht_new(0, NULL);
	struct fb f;
	fb_arp(&f, PC, 0xc0a80005);
	f.b[14 + 1] = 6;
	feed(ht, &f, T0);
	f.b[0] = 0;
	f.n = 10;
	feed(ht, &f, T0);
	const struct ht_stats *st = ht_stats(ht);
	assert_int_equal(st->frames, 2);
	assert_int_equal(st->malformed, 2);
	assert_int_equal(st->bad[LF_BAD_ARP], 1);
	assert_int_equal(st->bad[LF_BAD_SHORT], 1);
	/* the sender of a malformed ARP frame was still on the LAN */
	assert_non_null(ht_find(ht, PC));
	ht_free(ht);
}

static void likely_class_rules(void **state)
{
	(void)state;
	assert_string_equal(ht_likely_class(LF_CAP_AP | LF_CAP_BRIDGE, NULL, NULL, NULL), "ap");
	assert_string_equal(ht_likely_class(LF_CAP_BRIDGE | LF_CAP_ROUTER, "", "", ""), "switch");
	assert_string_equal(ht_likely_class(LF_CAP_ROUTER, NULL, NULL, NULL), "router");
	assert_string_equal(ht_likely_class(0, "cisco AIR-CAP3702I", NULL, NULL), "ap");
	assert_string_equal(ht_likely_class(0, NULL, "MSFT 5.0", "Intel Corporate"), "pc");
	assert_string_equal(ht_likely_class(0, NULL, "dhcpcd-6.11.5", "Hangzhou Hikvision Digital"),
			    "camera");
	assert_string_equal(ht_likely_class(0, NULL, NULL, "BROTHER INDUSTRIES, LTD."), "printer");
	assert_string_equal(ht_likely_class(0, NULL, NULL, "Intel Corporate"), "");
	assert_string_equal(ht_likely_class(0, NULL, NULL, NULL), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(arp_makes_a_host),
	    cmocka_unit_test(dhcp_through_a_relay),
	    cmocka_unit_test(the_least_recently_seen_is_evicted),
	    cmocka_unit_test(changed_flags_for_batches),
	    cmocka_unit_test(names_are_bounded),
	    cmocka_unit_test(lldp_and_cdp_neighbours),
	    cmocka_unit_test(malformed_frames_are_counted),
	    cmocka_unit_test(likely_class_rules),
	};
	return cmocka_run_group_tests_name("hosttable", tests, NULL, NULL);
}
