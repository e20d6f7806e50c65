/* The live LAN watch without an interface: its filter compiles and passes what the decoders
 * read, changed hosts and neighbours go out in bounded batches and are cleared only once
 * sent, presence by address and MAC per commune. "Now" is fixed capture times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lanframe_build.h"
#include "lanwatch.h"
#include "wirelan.h"

#define T0 1717200000000000LL /* 2024-06-01T00:00:00Z, in µs */
#define SEC 1000000LL
#define NOW0 (T0 / SEC)

static const struct lanwatch_iface_opts IFS[] = {
    {"eth1", "Xã Tân Phú", 600},
    {"eth2", "Xã Phú Lâm", 60},
};

static struct lanwatch *watch(size_t hosts_max)
{
	struct lanwatch_opts o = {IFS, 2, hosts_max, NULL, 1, -1};
	struct lanwatch *lw = lanwatch_new(&o);
	assert_non_null(lw);
	return lw;
}

static void mac_of(uint8_t mac[6], unsigned n)
{
	uint8_t m[6] = {0x02, 0x10, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n, 0x01};
	memcpy(mac, m, 6);
	mac[0] = 0x00; /* universal, unicast */
}

static void arp_from(struct lanwatch *lw, size_t i, unsigned n, uint32_t ip, int64_t ts)
{
	struct fb f;
	uint8_t mac[6];
	mac_of(mac, n);
	fb_arp(&f, mac, ip);
	lanwatch_observe(lw, i, f.b, f.n, f.n, ts);
}

static void lldp_from(struct lanwatch *lw, size_t i, unsigned n, int64_t ts)
{
	struct fb f;
	uint8_t mac[6];
	mac_of(mac, n);
	fb_lldp(&f, mac, "Gi0/1");
	fb_tlv(&f, 0, "", 0);
	lanwatch_observe(lw, i, f.b, f.n, f.n, ts);
}

/* One encode as the batch would carry it: {hosts, neighbours, groups} counted by parsing. */
struct counted {
	int put, more;
	size_t hosts, nbrs, groups;
};

static struct counted encode(struct lanwatch *lw)
{
	struct counted c = {0};
	struct strbuf groups, sb;
	assert_int_equal(strbuf_init(&groups, 0), 0);
	assert_int_equal(strbuf_init(&sb, 0), 0);
	c.put = lanwatch_encode(lw, &groups, &c.more); /* groups alone, as the batch wants */
	assert_true(c.put >= 0);
	if (groups.len == 0)
		assert_int_equal(c.put, 0);
	strbuf_printf(&sb, "[%s]", groups.data);
	strbuf_free(&groups);
	json_object *a = json_tokener_parse(sb.data);
	assert_non_null(a);
	c.groups = json_object_array_length(a);
	for (size_t g = 0; g < c.groups; g++) {
		json_object *grp = json_object_array_get_idx(a, g), *h, *n;
		assert_true(json_object_object_get_ex(grp, "hosts", &h));
		assert_true(json_object_object_get_ex(grp, "neighbours", &n));
		c.hosts += json_object_array_length(h);
		c.nbrs += json_object_array_length(n);
	}
	/* what the collector decodes: every record whole */
	struct lan_report rep;
	char err[160];
	assert_int_equal(wirelan_decode(a, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.refused, 0);
	assert_int_equal(rep.nhosts, c.hosts);
	assert_int_equal(rep.nnbrs, c.nbrs);
	wirelan_free(&rep);
	json_object_put(a);
	strbuf_free(&sb);
	assert_int_equal((size_t)c.put, c.hosts + c.nbrs);
	return c;
}

/* f with a VLAN tag (tpid, vid) inserted after its addresses. */
static void tag(struct fb *f, unsigned tpid, unsigned vid)
{
	uint8_t rest[sizeof(f->b)];
	size_t n = f->n - 12;
	memcpy(rest, f->b + 12, n);
	f->n = 12;
	fb_u16(f, tpid);
	fb_u16(f, vid);
	fb_put(f, rest, n);
}

static void filter_compiles_and_passes_what_is_decoded(void **state)
{
	(void)state;
	char err[PCAP_ERRBUF_SIZE];
	assert_int_equal(lanwatch_filter_check(err, sizeof(err)), 0);
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, LANWATCH_SNAPLEN);
	struct bpf_program prog;
	assert_int_equal(pcap_compile(pc, &prog, LANWATCH_FILTER, 1, PCAP_NETMASK_UNKNOWN), 0);
	uint8_t mac[6] = {0x00, 0x1b, 0x21, 1, 2, 3};
	const uint8_t opts[] = {53, 1, 1, 12, 4, 'P', 'C', '-', '1', 255};
	struct fb f;
	struct pcap_pkthdr h;
	memset(&h, 0, sizeof(h));
#define PASSES(yes)                                                                              \
	do {                                                                                     \
		h.caplen = h.len = (bpf_u_int32)f.n;                                             \
		assert_int_equal(pcap_offline_filter(&prog, &h, f.b) != 0, (yes));               \
	} while (0)
	fb_arp(&f, mac, 0xc0a80114);
	PASSES(1);
	fb_dhcp(&f, mac, 1, 0, opts, sizeof(opts));
	PASSES(1);
	fb_lldp(&f, mac, "Gi0/5");
	fb_tlv(&f, 0, "", 0);
	PASSES(1);
	fb_cdp(&f, mac);
	fb_cdp_end(&f);
	PASSES(1);
	fb_eth(&f, BCAST, mac, 0x0800);
	fb_udp(&f, 0xc0a80114, 0xe00000fb, 5353, 5353, 0); /* mDNS */
	PASSES(1);
	fb_eth(&f, BCAST, mac, 0x0800);
	fb_udp(&f, 0xc0a80114, 0xc0a801ff, 137, 137, 0); /* NetBIOS name service */
	PASSES(1);
	fb_eth(&f, BCAST, mac, 0x0800);
	fb_udp(&f, 0xc0a80114, 0x08080808, 40000, 53, 0); /* DNS: not ours */
	PASSES(0);
	fb_eth(&f, BCAST, mac, 0x86dd); /* IPv6 */
	fb_put(&f, "\x60\0\0\0\0\0\x3a\x40", 8);
	PASSES(0);
	/* the same under VLAN tags, as a trunk port without tag offload shows them */
	fb_arp(&f, mac, 0xc0a80114);
	tag(&f, 0x8100, 42);
	PASSES(1);
	fb_dhcp(&f, mac, 1, 0, opts, sizeof(opts));
	tag(&f, 0x8100, 42);
	tag(&f, 0x88a8, 7); /* 802.1ad: a service tag outside the customer's */
	PASSES(1);
	fb_lldp(&f, mac, "Gi0/5");
	fb_tlv(&f, 0, "", 0);
	tag(&f, 0x8100, 5);
	PASSES(1);
	fb_eth(&f, BCAST, mac, 0x0800);
	fb_udp(&f, 0xc0a80114, 0x08080808, 40000, 53, 0);
	tag(&f, 0x8100, 42);
	PASSES(0);
#undef PASSES
	pcap_freecode(&prog);
	pcap_close(pc);
}

static void changed_hosts_go_in_bounded_batches(void **state)
{
	(void)state;
	struct lanwatch *lw = watch(2048);
	for (unsigned n = 0; n < 1500; n++)
		arp_from(lw, 0, n, 0x0a000000u + n + 1, T0 + n);
	for (unsigned n = 0; n < 10; n++)
		arp_from(lw, 1, 5000 + n, 0x0a010000u + n + 1, T0 + n);

	struct counted c = encode(lw);
	assert_int_equal(c.hosts, LANWATCH_BATCH_HOSTS);
	assert_int_equal(c.groups, 1); /* eth1 filled the batch */
	assert_true(c.more);
	/* not in the spool (it failed): records again, eth2 first this time (a busy LAN cannot
	 * hold the others' back) */
	c = encode(lw);
	assert_int_equal(c.hosts, LANWATCH_BATCH_HOSTS);
	assert_int_equal(c.groups, 2);
	lanwatch_sent(lw);
	c = encode(lw);
	assert_int_equal(c.hosts, 1510 - LANWATCH_BATCH_HOSTS);
	assert_false(c.more);
	assert_int_equal(c.groups, 1); /* only eth1 had some left */
	lanwatch_sent(lw);
	c = encode(lw);
	assert_int_equal(c.put, 0);
	assert_int_equal(c.groups, 0);

	/* a frame that only counts changes nothing; a new address does */
	arp_from(lw, 0, 7, 0x0a000000u + 8, T0 + 100 * SEC);
	assert_int_equal(encode(lw).put, 0);
	arp_from(lw, 0, 7, 0x0a0000feu, T0 + 101 * SEC);
	c = encode(lw);
	assert_int_equal(c.hosts, 1);
	lanwatch_sent(lw);
	lanwatch_free(lw);
}

static void neighbours_are_bounded_too(void **state)
{
	(void)state;
	struct lanwatch *lw = watch(0);
	for (unsigned n = 0; n < HT_NEIGHBOURS_MAX; n++)
		lldp_from(lw, 0, 100 + n, T0 + n);
	for (unsigned n = 0; n < 10; n++)
		lldp_from(lw, 1, 900 + n, T0 + n);
	struct counted c = encode(lw);
	assert_int_equal(c.nbrs, LANWATCH_BATCH_NBRS);
	assert_true(c.more);
	lanwatch_sent(lw);
	c = encode(lw);
	assert_int_equal(c.nbrs, HT_NEIGHBOURS_MAX + 10 - LANWATCH_BATCH_NBRS);
	lanwatch_sent(lw);
	assert_int_equal(encode(lw).put, 0);
	lanwatch_free(lw);
}

static void presence_by_address_and_mac(void **state)
{
	(void)state;
	struct lanwatch *lw = watch(0);
	struct lanwatch_seen s;
	const uint32_t ip = 0xc0a80114; /* 192.168.1.20 */
	uint8_t mac[6];
	mac_of(mac, 1);
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", ip, NULL, NOW0, &s), -1);
	arp_from(lw, 0, 1, ip, T0);

	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", ip, NULL, NOW0 + 30, &s), 0);
	assert_int_equal(s.secs, 30);
	assert_true(s.present);
	assert_string_equal(s.iface, "eth1");
	/* presence_s 600: present up to ten minutes, not after */
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", ip, NULL, NOW0 + 600, &s), 0);
	assert_true(s.present);
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", ip, NULL, NOW0 + 601, &s), 0);
	assert_false(s.present);
	assert_int_equal(s.secs, 601);
	/* a clock behind the frame: just heard */
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", ip, NULL, NOW0 - 5, &s), 0);
	assert_int_equal(s.secs, 0);

	/* the same private address in another commune's LAN is another device */
	assert_int_equal(lanwatch_seen(lw, "Xã Phú Lâm", ip, NULL, NOW0, &s), -1);
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", ip + 1, NULL, NOW0, &s), -1);
	/* by MAC, whatever the address */
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", 0, mac, NOW0 + 10, &s), 0);
	assert_int_equal(s.secs, 10);
	assert_int_equal(lanwatch_seen(lw, "Xã Phú Lâm", 0, mac, NOW0 + 10, &s), -1);

	/* eth2's LAN (presence 60 s) holds the address too: each by its own commune */
	arp_from(lw, 1, 2, ip, T0 + 100 * SEC);
	assert_int_equal(lanwatch_seen(lw, "Xã Phú Lâm", ip, NULL, NOW0 + 130, &s), 0);
	assert_string_equal(s.iface, "eth2");
	assert_true(s.present);
	assert_int_equal(lanwatch_seen(lw, "Xã Phú Lâm", ip, NULL, NOW0 + 161, &s), 0);
	assert_false(s.present);
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", ip, NULL, NOW0 + 130, &s), 0);
	assert_int_equal(s.secs, 130);

	/* a second host announcing the address: the one heard last answers */
	arp_from(lw, 0, 3, ip, T0 + 200 * SEC);
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", ip, NULL, NOW0 + 205, &s), 0);
	assert_int_equal(s.secs, 5);
	lanwatch_free(lw);
}

/* Eviction frees a slot the index still names: the lookup checks the host again. */
static void presence_survives_eviction(void **state)
{
	(void)state;
	struct lanwatch_opts o = {IFS, 1, 2, NULL, 1, 3600}; /* an index made once an hour */
	struct lanwatch *lw = lanwatch_new(&o);
	struct lanwatch_seen s;
	assert_non_null(lw);
	arp_from(lw, 0, 1, 0x0a000001, T0);
	arp_from(lw, 0, 2, 0x0a000002, T0 + SEC);
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", 0x0a000001, NULL, NOW0 + 2, &s), 0);
	arp_from(lw, 0, 3, 0x0a000003, T0 + 2 * SEC); /* evicts host 1 */
	assert_int_equal(lanwatch_seen(lw, "Xã Tân Phú", 0x0a000001, NULL, NOW0 + 3, &s), -1);
	lanwatch_free(lw);
}

static void nothing_opened_without_an_interface(void **state)
{
	(void)state;
	struct lanwatch_iface_opts bad = {"hbmon-no-such0", "X", 60};
	struct lanwatch_opts o = {&bad, 1, 0, NULL, 1, 0};
	struct lanwatch *lw = lanwatch_new(&o);
	struct lanwatch_iface_stats st;
	assert_non_null(lw);
	assert_int_equal(lanwatch_open_all(lw), 0);
	assert_true(lanwatch_error(lw, 0)[0] != '\0');
	lanwatch_stats(lw, 0, &st);
	assert_int_equal(st.failures, 1);
	assert_false(st.open);
	/* the retry waits: the loop's timeout shrinks to it, never below zero */
	fd_set r;
	int maxfd = -1;
	struct timeval tv = {100, 0};
	FD_ZERO(&r);
	lanwatch_fdset(lw, &maxfd, &r, &tv);
	assert_int_equal(maxfd, -1);
	assert_true(tv.tv_sec <= LANWATCH_RETRY_MIN_S && tv.tv_sec >= LANWATCH_RETRY_MIN_S - 1);
	struct lanwatch_opts none = {&bad, 0, 0, NULL, 1, 0};
	assert_null(lanwatch_new(&none));
	lanwatch_free(lw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(filter_compiles_and_passes_what_is_decoded),
	    cmocka_unit_test(changed_hosts_go_in_bounded_batches),
	    cmocka_unit_test(neighbours_are_bounded_too),
	    cmocka_unit_test(presence_by_address_and_mac),
	    cmocka_unit_test(presence_survives_eviction),
	    cmocka_unit_test(nothing_opened_without_an_interface),
	};
	return cmocka_run_group_tests_name("lanwatch", tests, NULL, NULL);
}
