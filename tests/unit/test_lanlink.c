/* Who an LLDP / CDP neighbour is in the inventory (address, then MAC, then sysName), and where
 * the switches' tables place devices: one link seen from both ends, loops, a neighbour two
 * devices could be, uplinks for the forwarding-table rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lanlink.h"

static const uint8_t MAC_P[6] = {0x00, 0x1b, 0x21, 0x00, 0x00, 0x07};

static struct lannbr nbr(enum lannbr_proto proto, long lport, const char *name)
{
	struct lannbr nb;
	memset(&nb, 0, sizeof(nb));
	nb.proto = proto;
	nb.lport = lport;
	nb.bport = lport;
	snprintf(nb.port, sizeof(nb.port), "Gi0/%ld", lport);
	snprintf(nb.name, sizeof(nb.name), "%s", name);
	return nb;
}

static struct lanlink_dev dev(size_t inv, uint32_t addr, const char *sys_name, int may_place)
{
	struct lanlink_dev d;
	memset(&d, 0, sizeof(d));
	d.dev = inv;
	d.addr = addr;
	d.has_addr = addr != 0;
	d.sys_name = sys_name;
	d.may_place = may_place;
	d.infra = may_place;
	return d;
}

/* Address first, then MAC, then the name without its domain or CDP's serial. */
static void match_order(void **state)
{
	(void)state;
	struct lanlink_dev d[4] = {dev(10, 0x0a016496, "", 0), dev(11, 0, "", 0),
				   dev(12, 0, "SW-Core", 1), dev(13, 0x0a016401, "core-2", 1)};
	memcpy(d[1].mac[d[1].nmac++], MAC_P, 6);
	struct lannbr nb = nbr(LANNBR_LLDP, 1, "anything");
	nb.addr[nb.naddr++] = 0x0a016496;
	memcpy(nb.mac, MAC_P, 6);
	nb.has_mac = 1;
	/* it matches 10 by address and 11 by MAC: the address decides */
	assert_int_equal(lanlink_match(&nb, d, 4, SIZE_MAX), 0);
	nb.naddr = 0;
	assert_int_equal(lanlink_match(&nb, d, 4, SIZE_MAX), 1);
	nb.has_mac = 0; /* the port's MAC (a host's interface) names it as well */
	memcpy(nb.pmac, MAC_P, 6);
	nb.has_pmac = 1;
	assert_int_equal(lanlink_match(&nb, d, 4, SIZE_MAX), 1);
	nb = nbr(LANNBR_CDP, 2, "sw-core.xa.gov.vn");
	assert_int_equal(lanlink_match(&nb, d, 4, SIZE_MAX), 2);
	nb = nbr(LANNBR_CDP, 2, "SW-CORE(FOC1234X)");
	assert_int_equal(lanlink_match(&nb, d, 4, SIZE_MAX), 2);
	nb = nbr(LANNBR_CDP, 2, "sw-core2");
	assert_int_equal(lanlink_match(&nb, d, 4, SIZE_MAX), LANLINK_NONE);
	nb = nbr(LANNBR_CDP, 2, ""); /* an empty name is nobody's, not every unnamed device's */
	assert_int_equal(lanlink_match(&nb, d, 4, SIZE_MAX), LANLINK_NONE);
	/* a switch announcing its own address (a looped cable) is not its own neighbour */
	nb.addr[nb.naddr++] = 0x0a016401;
	assert_int_equal(lanlink_match(&nb, d, 4, 3), LANLINK_NONE);
	assert_int_equal(lanlink_match(&nb, d, 4, SIZE_MAX), 3);
}

/* Two devices with one sysName: the neighbour is neither; an address that is one device's
 * still decides first. */
static void two_devices_one_name(void **state)
{
	(void)state;
	struct lanlink_dev d[3] = {dev(1, 0, "printer", 0), dev(2, 0, "PRINTER.xa.vn", 0),
				   dev(3, 0x0a000003, "printer", 0)};
	struct lannbr nb = nbr(LANNBR_LLDP, 4, "printer");
	assert_int_equal(lanlink_match(&nb, d, 3, SIZE_MAX), LANLINK_AMBIGUOUS);
	nb.addr[nb.naddr++] = 0x0a000003;
	assert_int_equal(lanlink_match(&nb, d, 3, SIZE_MAX), 2);
	/* two addresses, each one device's: ambiguous too */
	d[0].addr = 0x0a000001;
	d[0].has_addr = 1;
	nb.addr[nb.naddr++] = 0x0a000001;
	assert_int_equal(lanlink_match(&nb, d, 3, SIZE_MAX), LANLINK_AMBIGUOUS);

	/* placed nowhere, and its port not counted twice */
	struct lannbr_list l = {&nb, 1, 0};
	struct lanlink_dev set[4] = {d[0], d[1], d[2], dev(9, 0, "sw", 1)};
	set[3].nbrs = &l;
	struct lanlink_set ls = {set, 4, NULL, 0};
	assert_int_equal(lanlink_build(&ls), 0);
	assert_int_equal(ls.n, 1);
	assert_int_equal(ls.v[0].dev, LANLINK_AMBIGUOUS);
	for (size_t i = 0; i < 3; i++)
		assert_null(lanlink_place(&ls, i, NULL));
	free(ls.v);
}

/* A switch announcing a printer alone on port 7, two phones on port 9 (a small switch between),
 * the printer heard over LLDP and CDP both on port 7. */
static void placed_on_the_port(void **state)
{
	(void)state;
	struct lannbr v[4] = {nbr(LANNBR_LLDP, 7, "printer"), nbr(LANNBR_LLDP, 9, "phone-1"),
			      nbr(LANNBR_LLDP, 9, "phone-2"), nbr(LANNBR_CDP, 10107, "printer")};
	snprintf(v[3].port, sizeof(v[3].port), "Gi0/7"); /* CDP numbers it by ifIndex */
	struct lannbr_list l = {v, 4, 0};
	struct lanlink_dev d[4] = {dev(0, 0, "sw-1", 1), dev(1, 0, "printer", 0),
				   dev(2, 0, "phone-1", 0), dev(3, 0, "phone-2", 0)};
	d[0].nbrs = &l;
	struct lanlink_set ls = {d, 4, NULL, 0};
	int shared = -1;
	assert_int_equal(lanlink_build(&ls), 0);
	assert_int_equal(ls.n, 4);
	const struct lanlink *at = lanlink_place(&ls, 1, &shared);
	assert_non_null(at);
	assert_int_equal(at->sw, 0);
	assert_int_equal(at->nb->proto, LANNBR_LLDP); /* LLDP first of the same port */
	assert_string_equal(at->nb->port, "Gi0/7");
	assert_false(shared);
	at = lanlink_place(&ls, 3, &shared);
	assert_non_null(at);
	assert_int_equal(at->nb->lport, 9);
	assert_true(shared);
	assert_null(lanlink_place(&ls, 0, &shared)); /* nobody announces the switch */
	assert_false(shared);
	/* an access point's table places nothing: it is not where things are plugged in */
	d[0].may_place = 0;
	assert_null(lanlink_place(&ls, 1, NULL));
	free(ls.v);
}

/* A host in no inventory (a LAN watch's unknown host) is placed by the MAC a switch announces
 * as its chassis or port id; a MAC nobody announces, or only an access point, is nowhere. */
static void unknown_host_by_mac(void **state)
{
	(void)state;
	static const uint8_t other[6] = {0x02, 0, 0, 0, 0, 9};
	struct lannbr v[2] = {nbr(LANNBR_LLDP, 4, "cam-lobby"), nbr(LANNBR_LLDP, 5, "")};
	memcpy(v[0].mac, MAC_P, 6);
	v[0].has_mac = 1;
	memcpy(v[1].pmac, other, 6);
	v[1].has_pmac = 1;
	struct lannbr_list l = {v, 2, 0};
	struct lanlink_dev d[1] = {dev(0, 0, "sw-1", 1)};
	d[0].nbrs = &l;
	struct lanlink_set ls = {d, 1, NULL, 0};
	int shared = -1;
	assert_int_equal(lanlink_build(&ls), 0);
	const struct lanlink *at = lanlink_place_mac(&ls, MAC_P, &shared);
	assert_non_null(at);
	assert_string_equal(at->nb->port, "Gi0/4");
	assert_false(shared);
	at = lanlink_place_mac(&ls, other, NULL);
	assert_non_null(at);
	assert_int_equal(at->nb->lport, 5);
	static const uint8_t nobody[6] = {0x02, 0, 0, 0, 0, 1};
	assert_null(lanlink_place_mac(&ls, nobody, &shared));
	assert_false(shared);
	d[0].may_place = 0;
	assert_null(lanlink_place_mac(&ls, MAC_P, NULL));
	free(ls.v);
}

/* A loop: two switches announcing each other. The one announcing more is nearer the core and
 * the other is plugged into it, never both; equal counts: the first in the inventory. */
static void two_switches_announce_each_other(void **state)
{
	(void)state;
	struct lannbr a[2] = {nbr(LANNBR_LLDP, 24, "sw-b"), nbr(LANNBR_LLDP, 3, "pc-1")};
	struct lannbr b[1] = {nbr(LANNBR_CDP, 48, "sw-a.xa.gov.vn")};
	b[0].caps = LANNBR_CAP_BRIDGE;
	a[0].caps = LANNBR_CAP_BRIDGE | LANNBR_CAP_ROUTER;
	struct lannbr_list la = {a, 2, 0}, lb = {b, 1, 0};
	struct lanlink_dev d[3] = {dev(5, 0, "sw-b", 1), dev(6, 0, "SW-A", 1), dev(7, 0, "pc-1", 0)};
	d[0].nbrs = &lb; /* sw-b (inventory 5) announces sw-a on its port 48 */
	d[1].nbrs = &la; /* sw-a (inventory 6) announces sw-b on 24 and a PC on 3 */
	struct lanlink_set ls = {d, 3, NULL, 0};
	assert_int_equal(lanlink_build(&ls), 0);
	const struct lanlink *at = lanlink_place(&ls, 0, NULL);
	assert_non_null(at);
	assert_int_equal(d[at->sw].dev, 6);
	assert_int_equal(at->nb->lport, 24);
	assert_null(lanlink_place(&ls, 1, NULL));
	at = lanlink_place(&ls, 2, NULL);
	assert_non_null(at);
	assert_int_equal(at->nb->lport, 3);
	/* both ends are uplinks for the forwarding tables (switches on them), the PC's port not */
	size_t n = 0;
	struct lanplace_uplink *up = lanlink_uplinks(&ls, &n);
	assert_int_equal(n, 2);
	assert_int_equal(up[0].sw, 5);
	assert_int_equal(up[0].port, 48);
	assert_int_equal(up[1].sw, 6);
	assert_int_equal(up[1].port, 24);
	free(up);
	/* the same number of neighbours: inventory order decides, sw-b (5) is nearer (build
	 * replaces the links) */
	la.n = 1;
	assert_int_equal(lanlink_build(&ls), 0);
	assert_null(lanlink_place(&ls, 0, NULL));
	at = lanlink_place(&ls, 1, NULL);
	assert_non_null(at);
	assert_int_equal(d[at->sw].dev, 5);
	assert_int_equal(at->nb->lport, 48);
	free(ls.v);
}

/* A ring of three switches, each announcing both others: still a tree of places. */
static void ring_of_three(void **state)
{
	(void)state;
	struct lannbr n0[2] = {nbr(LANNBR_LLDP, 1, "s1"), nbr(LANNBR_LLDP, 2, "s2")};
	struct lannbr n1[2] = {nbr(LANNBR_LLDP, 1, "s0"), nbr(LANNBR_LLDP, 2, "s2")};
	struct lannbr n2[2] = {nbr(LANNBR_LLDP, 1, "s0"), nbr(LANNBR_LLDP, 2, "s1")};
	struct lannbr_list l0 = {n0, 2, 0}, l1 = {n1, 2, 0}, l2 = {n2, 2, 0};
	struct lanlink_dev d[3] = {dev(0, 0, "s0", 1), dev(1, 0, "s1", 1), dev(2, 0, "s2", 1)};
	d[0].nbrs = &l0;
	d[1].nbrs = &l1;
	d[2].nbrs = &l2;
	struct lanlink_set ls = {d, 3, NULL, 0};
	assert_int_equal(lanlink_build(&ls), 0);
	assert_null(lanlink_place(&ls, 0, NULL));
	const struct lanlink *at = lanlink_place(&ls, 1, NULL);
	assert_non_null(at);
	assert_int_equal(at->sw, 0);
	at = lanlink_place(&ls, 2, NULL);
	assert_non_null(at);
	assert_int_equal(at->sw, 0); /* of s0 and s1, the first switch */
	free(ls.v);
}

/* An unmatched neighbour announcing no capability is no uplink; one matched to an inventory
 * access point is; a port with no bridge number cannot be one. */
static void uplinks_by_class_or_caps(void **state)
{
	(void)state;
	struct lannbr v[3] = {nbr(LANNBR_LLDP, 2, "unknown"), nbr(LANNBR_CDP, 3, "ap-1"),
			      nbr(LANNBR_CDP, 4, "router")};
	v[2].caps = LANNBR_CAP_ROUTER;
	v[2].bport = 0;
	struct lannbr_list l = {v, 3, 0};
	struct lanlink_dev d[2] = {dev(0, 0, "sw", 1), dev(1, 0, "ap-1", 0)};
	d[1].infra = 1;
	d[0].nbrs = &l;
	struct lanlink_set ls = {d, 2, NULL, 0};
	size_t n = 9;
	assert_int_equal(lanlink_build(&ls), 0);
	struct lanplace_uplink *up = lanlink_uplinks(&ls, &n);
	assert_int_equal(n, 1);
	assert_int_equal(up[0].port, 3);
	free(up);
	free(ls.v);
	/* none at all: NULL, 0 */
	ls.v = NULL;
	ls.n = 0;
	assert_null(lanlink_uplinks(&ls, &n));
	assert_int_equal(n, 0);
	assert_int_equal(lanlink_find(&ls, 1), 1);
	assert_int_equal(lanlink_find(&ls, 7), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(match_order),
	    cmocka_unit_test(two_devices_one_name),
	    cmocka_unit_test(placed_on_the_port),
	    cmocka_unit_test(unknown_host_by_mac),
	    cmocka_unit_test(two_switches_announce_each_other),
	    cmocka_unit_test(ring_of_three),
	    cmocka_unit_test(uplinks_by_class_or_caps),
	};
	return cmocka_run_group_tests_name("lanlink", tests, NULL, NULL);
}
