/* Where a host is plugged in: the edge port over the uplinks a MAC is also learned on, across
 * switches, and the bridge ports named from a switch's interfaces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lanplace.h"

#define SW_A 3 /* inventory indexes of two switches */
#define SW_B 7

static struct lanplace_fdb entry(size_t sw, long port, uint8_t last)
{
	struct lanplace_fdb e = {sw, port, {0x00, 0x1b, 0x21, 0x00, 0x00, last}};
	return e;
}

static const uint8_t *mac(uint8_t last)
{
	static uint8_t m[6] = {0x00, 0x1b, 0x21, 0x00, 0x00, 0};
	m[5] = last;
	return m;
}

/* Switch A: hosts 1..3 on edge port 5, hosts 10..19 (ten) learned on port 24. */
static size_t one_switch(struct lanplace_fdb *f)
{
	size_t n = 0;
	for (uint8_t h = 1; h <= 3; h++)
		f[n++] = entry(SW_A, 5, h);
	for (uint8_t h = 10; h < 20; h++)
		f[n++] = entry(SW_A, 24, h);
	return n;
}

static void edge_and_uplink(void **state)
{
	(void)state;
	struct lanplace_fdb f[32];
	struct lanplace lp;
	size_t n = one_switch(f);
	assert_int_equal(lanplace_build(&lp, f, n, NULL, 0, NULL, 0), 0);
	assert_int_equal(lp.n, 13);
	const struct lanplace_at *at = lanplace_find(&lp, mac(2));
	assert_non_null(at);
	assert_int_equal(at->sw, SW_A);
	assert_int_equal(at->port, 5);
	assert_int_equal(at->macs, 3);
	assert_false(at->shared);
	/* ten MACs on one port: more than LANPLACE_EDGE_MAX, the hosts are behind it */
	at = lanplace_find(&lp, mac(12));
	assert_non_null(at);
	assert_int_equal(at->port, 24);
	assert_true(at->shared);
	assert_null(lanplace_find(&lp, mac(99)));
	lanplace_free(&lp);
}

/* Host 12 is on switch B's port 2 alone; switch A learns it (and B's others) on its uplink. */
static void two_switches(void **state)
{
	(void)state;
	struct lanplace_fdb f[32];
	struct lanplace lp;
	size_t n = one_switch(f);
	f[n++] = entry(SW_B, 2, 12);
	f[n++] = entry(SW_B, 3, 13);
	f[n++] = entry(SW_B, 3, 13); /* both tables, or two VLANs: once */
	f[n++] = entry(SW_B, 48, 1);  /* B reaches A's hosts through its own uplink */
	f[n++] = entry(SW_B, 48, 2);
	assert_int_equal(lanplace_build(&lp, f, n, NULL, 0, NULL, 0), 0);
	const struct lanplace_at *at = lanplace_find(&lp, mac(12));
	assert_non_null(at);
	assert_int_equal(at->sw, SW_B);
	assert_int_equal(at->port, 2);
	assert_false(at->shared);
	at = lanplace_find(&lp, mac(13));
	assert_int_equal(at->sw, SW_B);
	assert_int_equal(at->macs, 1);
	/* host 1: port 5 of A has 3 MACs, port 48 of B 2 — but switch A's own MAC is learned on
	 * B's port 48 (an LLDP neighbour or an inventory switch): A's edge port wins */
	const uint8_t infra[1][6] = {{0x00, 0x1b, 0x21, 0x00, 0x00, 0xa0}};
	lanplace_free(&lp);
	n = one_switch(f);
	f[n++] = entry(SW_B, 48, 1);
	f[n++] = entry(SW_B, 48, 0xa0);
	assert_int_equal(lanplace_build(&lp, f, n, infra, 1, NULL, 0), 0);
	at = lanplace_find(&lp, mac(1));
	assert_int_equal(at->sw, SW_A);
	assert_int_equal(at->port, 5);
	lanplace_free(&lp);
}

/* A MAC on several ports of one switch (it moved, or flooding): the port with fewest MACs. */
static void several_ports_pick_the_edge(void **state)
{
	(void)state;
	struct lanplace_fdb f[32];
	struct lanplace lp;
	size_t n = 0;
	for (uint8_t h = 1; h <= 4; h++) /* port 1: four MACs, still an edge */
		f[n++] = entry(SW_A, 1, h);
	f[n++] = entry(SW_A, 9, 4); /* host 4 alone on port 9 */
	f[n++] = entry(SW_A, 7, 5); /* host 5 alone on port 7, but a router sits there */
	f[n++] = entry(SW_A, 7, 6);
	f[n++] = entry(SW_A, 8, 5); /* and with three others on port 8 */
	f[n++] = entry(SW_A, 8, 30);
	f[n++] = entry(SW_A, 8, 31);
	const uint8_t infra[1][6] = {{0x00, 0x1b, 0x21, 0x00, 0x00, 6}};
	assert_int_equal(lanplace_build(&lp, f, n, infra, 1, NULL, 0), 0);
	const struct lanplace_at *at = lanplace_find(&lp, mac(4));
	assert_int_equal(at->port, 9);
	at = lanplace_find(&lp, mac(5));
	assert_int_equal(at->port, 8); /* a port a router sits on is shared, whatever its count */
	assert_false(at->shared);
	at = lanplace_find(&lp, mac(6)); /* the router itself: on its shared port only */
	assert_int_equal(at->port, 7);
	assert_true(at->shared);
	lanplace_free(&lp);
	/* nothing learned: an empty placement */
	assert_int_equal(lanplace_build(&lp, f, 0, NULL, 0, NULL, 0), 0);
	assert_null(lanplace_find(&lp, mac(4)));
	lanplace_free(&lp);
}

/* A port where the switch's own LLDP / CDP table announces a switch is an uplink even with
 * one MAC learned on it: a host learned there and on an edge port of another switch goes to
 * the edge; one learned only there is marked shared. */
static void uplink_from_neighbour_table(void **state)
{
	(void)state;
	struct lanplace_fdb f[8];
	struct lanplace lp;
	struct lanplace_uplink up[] = {{SW_B, 9}, {SW_A, 24}}; /* any order */
	size_t n = 0;
	f[n++] = entry(SW_A, 24, 40); /* alone on A's port 24: without the table, an edge */
	f[n++] = entry(SW_B, 3, 40);  /* B learned it on port 3, also alone */
	f[n++] = entry(SW_A, 24, 41); /* only behind A's uplink */
	f[n++] = entry(SW_A, 5, 42);
	assert_int_equal(lanplace_build(&lp, f, n, NULL, 0, up, 2), 0);
	const struct lanplace_at *at = lanplace_find(&lp, mac(40));
	assert_non_null(at);
	assert_int_equal(at->sw, SW_B);
	assert_int_equal(at->port, 3);
	assert_false(at->shared);
	at = lanplace_find(&lp, mac(41));
	assert_non_null(at);
	assert_int_equal(at->port, 24);
	assert_true(at->shared);
	at = lanplace_find(&lp, mac(42));
	assert_non_null(at);
	assert_false(at->shared); /* port 5 of A is no uplink: B's port 9 is */
	lanplace_free(&lp);
	/* the neighbour groups are not measures either */
	assert_true(lanplace_group_hidden("lldp_rem"));
	assert_true(lanplace_group_hidden("cdp"));
}

static void row(struct group_row *r, struct metric_val *v, const char *group, char *index,
		const char *name, double x)
{
	memset(r, 0, sizeof(*r));
	memset(v, 0, sizeof(*v));
	snprintf(r->group, sizeof(r->group), "%s", group);
	r->index = index;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->kind = MV_GAUGE;
	v->gauge = x;
	r->vals = v;
	r->nvals = 1;
}

static void ports_named(void **state)
{
	(void)state;
	struct if_sample ifs[3];
	struct group_row rows[4];
	struct metric_val vals[4];
	struct dev_sample s;
	struct lanplace_ports p = {0};
	memset(ifs, 0, sizeof(ifs));
	memset(&s, 0, sizeof(s));
	ifs[0].index = 1001;
	snprintf(ifs[0].name, sizeof(ifs[0].name), "Gi0/1");
	ifs[1].index = 1002; /* no ifName: ifDescr, its padding cut */
	snprintf(ifs[1].descr, sizeof(ifs[1].descr), "D-Link Port 2 ");
	ifs[2].index = 5; /* listed out of order */
	snprintf(ifs[2].name, sizeof(ifs[2].name), "eth5");
	row(&rows[0], &vals[0], LANPLACE_GROUP_PORTS, "2", "ifindex", 1002);
	row(&rows[1], &vals[1], LANPLACE_GROUP_PORTS, "1", "ifindex", 1001);
	row(&rows[2], &vals[2], LANPLACE_GROUP_PORTS, "3", "ifindex", 77); /* no such interface */
	row(&rows[3], &vals[3], LANPLACE_GROUP_FDB, "0.27.33.0.0.1", "port", 1);
	s.ifs = ifs;
	s.nifs = 3;
	s.rows = rows;
	s.nrows = 4;
	assert_int_equal(lanplace_ports_set(&p, &s), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(lanplace_port_name(&p, 1), "Gi0/1");
	assert_string_equal(lanplace_port_name(&p, 2), "D-Link Port 2");
	assert_null(lanplace_port_name(&p, 3));
	assert_true(lanplace_group_hidden("fdb_q"));
	assert_false(lanplace_group_hidden("supply"));
	/* a sample without bridge ports leaves none */
	s.nrows = 0;
	assert_int_equal(lanplace_ports_set(&p, &s), 0);
	assert_int_equal(p.n, 0);
	assert_null(lanplace_port_name(&p, 1));
	lanplace_ports_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(edge_and_uplink),
	    cmocka_unit_test(two_switches),
	    cmocka_unit_test(several_ports_pick_the_edge),
	    cmocka_unit_test(ports_named),
	    cmocka_unit_test(uplink_from_neighbour_table),
	};
	return cmocka_run_group_tests_name("lanplace", tests, NULL, NULL);
}
