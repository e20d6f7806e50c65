#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static struct lan_host host(const char *mac, uint32_t addr, const char *name)
{
	struct lan_host h;
	memset(&h, 0, sizeof(h));
	assert_int_equal(wirelan_mac_parse(mac, h.mac), 0);
	h.addr[h.naddr++] = addr;
	snprintf(h.names[h.nnames++], WIRELAN_NAME, "%s", name);
	snprintf(h.vendor, sizeof(h.vendor), "Dell Inc.");
	snprintf(h.dhcp_vc, sizeof(h.dhcp_vc), "MSFT 5.0");
	snprintf(h.dhcp_fp, sizeof(h.dhcp_fp), "1,3,6,15");
	snprintf(h.cls, sizeof(h.cls), "pc");
	h.first = 1795000000;
	h.last = 1795003600;
	h.frames = 120;
	h.bytes = 9800;
	return h;
}

/* What the probe encodes, the collector reads back, in a batch with samples. */
static void round_trip_in_a_batch(void **state)
{
	(void)state;
	struct strbuf lan, body;
	struct lan_host h[2] = {host("00:1b:21:3a:4f:10", 0xc0a80114, "PC-KETOAN"),
				host("f4:39:09:aa:bb:cc", 0xc0a80115, "<b>máy in</b>")};
	struct lan_neighbour n;
	memset(&n, 0, sizeof(n));
	assert_int_equal(wirelan_mac_parse("00:1e:13:00:00:01", n.mac), 0);
	snprintf(n.protocol, sizeof(n.protocol), "cdp");
	snprintf(n.system_name, sizeof(n.system_name), "Switch");
	snprintf(n.port_id, sizeof(n.port_id), "GigabitEthernet0/5");
	n.mgmt_addr = 0xc0a80001;
	n.caps = 1u << 3 | 1u << 9;
	n.last = 1795003600;
	assert_int_equal(strbuf_init(&lan, 0), 0);
	assert_int_equal(strbuf_init(&body, 0), 0);
	assert_int_equal(wirelan_encode_group(&lan, "Xã Tân Phú", "eth1", h, 2, &n, 1), 0);
	assert_int_equal(wirelan_encode_group(&lan, "Xã Hòa Bình", "eth2", h, 1, NULL, 0), 0);
	assert_int_equal(wire_encode_batch_lan(&body, "p1", 0, 7, "", 0, lan.data, lan.len), 0);
	struct batch b;
	char err[200];
	assert_int_equal(wire_decode_batch(body.data, body.len, &b, err, sizeof(err)), 0);
	assert_int_equal(b.nsamples, 0);
	assert_int_equal(b.lan.nhosts, 3);
	assert_int_equal(b.lan.nnbrs, 1);
	assert_int_equal(b.lan.refused, 0);
	assert_string_equal(b.lan.hosts[0].commune, "Xã Tân Phú");
	assert_string_equal(b.lan.hosts[2].commune, "Xã Hòa Bình");
	assert_string_equal(b.lan.hosts[2].iface, "eth2");
	assert_memory_equal(b.lan.hosts[1].mac, h[1].mac, 6);
	assert_int_equal(b.lan.hosts[1].addr[0], 0xc0a80115);
	assert_string_equal(b.lan.hosts[1].names[0], "<b>máy in</b>"); /* text: pages escape it */
	assert_string_equal(b.lan.hosts[0].dhcp_fp, "1,3,6,15");
	assert_int_equal(b.lan.hosts[0].frames, 120);
	assert_int_equal(b.lan.nbrs[0].caps, 1u << 3 | 1u << 9);
	assert_int_equal(b.lan.nbrs[0].mgmt_addr, 0xc0a80001);
	assert_string_equal(b.lan.nbrs[0].port_id, "GigabitEthernet0/5");
	wire_batch_free(&b);
	/* a batch without LAN part: nothing */
	body.len = 0;
	assert_int_equal(wire_encode_batch(&body, "p1", 0, 8, "", 0), 0);
	assert_int_equal(wire_decode_batch(body.data, body.len, &b, err, sizeof(err)), 0);
	assert_int_equal(b.lan.nhosts, 0);
	wire_batch_free(&b);
	strbuf_free(&lan);
	strbuf_free(&body);
}

/* A bad entry is dropped alone and named; a LAN part over the limits is dropped whole, the
 * samples kept. */
static void bad_entries_dropped_alone(void **state)
{
	(void)state;
	const char *body =
	    "{\"version\":1,\"probe\":\"p1\",\"seq\":1,\"samples\":[],\"lan\":[{\"commune\":\"Xã A\","
	    "\"iface\":\"eth1\",\"hosts\":[{\"mac\":\"00:11:22:33:44:55\",\"last\":5},"
	    "{\"mac\":\"+0:11:22:33:44:55\",\"last\":5},{\"mac\":\"00:11:22:33:44:56\"},"
	    "{\"mac\":\"00:11:22:33:44:57\",\"last\":5,\"addrs\":[\"999.1.1.1\"]},"
	    "{\"mac\":\"00:11:22:33:44:58\",\"last\":5,\"frames\":-1},"
	    "{\"mac\":\"00:11:22:33:44:59\",\"last\":5,\"names\":[\"\\u0007x\",\"\"]}],"
	    "\"neighbours\":[{\"mac\":\"00:11:22:33:44:55\",\"protocol\":\"stp\"},"
	    "{\"mac\":\"00:11:22:33:44:55\",\"protocol\":\"lldp\",\"caps\":[\"bridge\",\"warp\"]}]},"
	    "{\"iface\":\"eth2\",\"hosts\":[{\"mac\":\"00:11:22:33:44:55\",\"last\":5}]}]}";
	struct batch b;
	char err[200];
	assert_int_equal(wire_decode_batch(body, strlen(body), &b, err, sizeof(err)), 0);
	assert_int_equal(b.lan.nhosts, 2);
	assert_string_equal(b.lan.hosts[1].names[0], "\xef\xbf\xbdx"); /* a control character: U+FFFD */
	assert_int_equal(b.lan.hosts[1].nnames, 1);
	assert_int_equal(b.lan.nnbrs, 1);
	assert_int_equal(b.lan.nbrs[0].caps, 1u << 2);
	assert_int_equal(b.lan.refused, 6);
	assert_string_equal(b.lan.first_error, "lan[0].hosts[1].mac: expected aa:bb:cc:dd:ee:ff");
	wire_batch_free(&b);

	struct strbuf big;
	assert_int_equal(strbuf_init(&big, 0), 0);
	strbuf_puts(&big, "{\"version\":1,\"probe\":\"p1\",\"seq\":1,\"samples\":[],\"lan\":[");
	for (int g = 0; g < WIRELAN_MAX_GROUPS + 1; g++)
		strbuf_printf(&big, "%s{\"commune\":\"A\",\"iface\":\"e%d\"}", g ? "," : "", g);
	strbuf_puts(&big, "]}");
	assert_int_equal(wire_decode_batch(big.data, big.len, &b, err, sizeof(err)), 0);
	assert_int_equal(b.lan.nhosts, 0);
	assert_non_null(strstr(b.lan_error, "interfaces"));
	wire_batch_free(&b);
	strbuf_free(&big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip_in_a_batch),
	    cmocka_unit_test(bad_entries_dropped_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
