/* A device's LLDP / CDP neighbours from its sample's rows: identifiers decoded by subtype, the
 * local port named from the device's interfaces, and rows built to break a careless reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lannbr.h"
#include "lanplace.h"
#include "strbuf.h"

#define MAXV 8
#define MAXR 400

/* A sample under construction: rows with up to MAXV values each. */
struct fx {
	struct dev_sample s;
	struct if_sample ifs[4];
	struct group_row rows[MAXR];
	struct metric_val vals[MAXR][MAXV];
	char idx[MAXR][64];
};

static struct fx *fx_new(void)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	static const char *const names[] = {"Gi0/1", "Gi0/2", "Gi0/3", "Gi0/4"};
	for (int i = 0; i < 4; i++) {
		f->ifs[i].index = 10101 + (uint32_t)i;
		snprintf(f->ifs[i].name, sizeof(f->ifs[i].name), "%s", names[i]);
		snprintf(f->ifs[i].descr, sizeof(f->ifs[i].descr), "GigabitEthernet0/%d", i + 1);
	}
	f->s.ifs = f->ifs;
	f->s.nifs = 4;
	f->s.rows = f->rows;
	return f;
}

static struct group_row *add_row(struct fx *f, const char *group, const char *index)
{
	assert_true(f->s.nrows < MAXR);
	size_t k = f->s.nrows++;
	struct group_row *r = &f->rows[k];
	snprintf(r->group, sizeof(r->group), "%s", group);
	snprintf(f->idx[k], sizeof(f->idx[k]), "%s", index);
	r->index = f->idx[k];
	r->vals = f->vals[k];
	return r;
}

static void num(struct group_row *r, const char *name, double x)
{
	struct metric_val *v = &r->vals[r->nvals++];
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->kind = MV_GAUGE;
	v->gauge = x;
}

/* A text as the wire carries it (may be anything: the collector decodes untrusted batches). */
static void text(struct group_row *r, const char *name, const char *t)
{
	struct metric_val *v = &r->vals[r->nvals++];
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->kind = MV_TEXT;
	snprintf(v->text, sizeof(v->text), "%s", t);
}

/* Bytes as the probe's `hex` type sends them. */
static void octets(struct group_row *r, const char *name, const void *b, size_t n)
{
	char h[WIRE_NAME_MAX];
	hex_encode(h, sizeof(h), b, n);
	text(r, name, h);
}

static const uint8_t MAC_A[6] = {0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc};

/* An LLDP neighbour on local port 1 (lldpLocPortId "Gi0/1"): a MAC chassis id, its port by
 * ifName, its sysName, capabilities bridge and router, a management address. */
static void lldp_decoded(void **state)
{
	(void)state;
	struct fx *f = fx_new();
	struct lannbr_list l = {0};
	struct group_row *r = add_row(f, LANNBR_GROUP_LOC, "1");
	num(r, "id_type", 5);
	octets(r, "id", "Gi0/1", 5);
	text(r, "descr", "GigabitEthernet0/1");
	r = add_row(f, LANPLACE_GROUP_PORTS, "1");
	num(r, "ifindex", 10101);
	r = add_row(f, LANNBR_GROUP_LLDP, "0.1.1");
	num(r, "chassis_type", 4);
	octets(r, "chassis", MAC_A, 6);
	num(r, "port_type", 5);
	octets(r, "port_id", "eth0\0", 5); /* a counted NUL, as some agents send */
	text(r, "sys_name", "SW-Tang2.xa.gov.vn");
	octets(r, "caps", "\x28\x00", 2); /* bridge (bit 2), router (bit 4) */
	r = add_row(f, LANNBR_GROUP_MAN, "0.1.1.1.4.10.1.100.150");
	num(r, "if_type", 2);
	r = add_row(f, LANNBR_GROUP_MAN, "0.1.1.2.16.32.1.13.168.0.0.0.0.0.0.0.0.0.0.0.1"); /* v6 */
	num(r, "if_type", 2);
	r = add_row(f, LANNBR_GROUP_MAN, "0.2.1.1.4.10.9.9.9"); /* another neighbour's */
	num(r, "if_type", 2);
	assert_int_equal(lannbr_set(&l, &f->s), 0);
	assert_int_equal(l.n, 1);
	const struct lannbr *nb = &l.v[0];
	assert_int_equal(nb->proto, LANNBR_LLDP);
	assert_int_equal(nb->lport, 1);
	assert_int_equal(nb->bport, 1);
	assert_string_equal(nb->port, "Gi0/1");
	assert_true(nb->has_mac);
	assert_memory_equal(nb->mac, MAC_A, 6);
	assert_string_equal(nb->rport, "eth0");
	assert_string_equal(nb->name, "SW-Tang2.xa.gov.vn");
	assert_int_equal(nb->caps, LANNBR_CAP_BRIDGE | LANNBR_CAP_ROUTER);
	assert_int_equal(nb->naddr, 1);
	assert_int_equal(nb->addr[0], 0x0a016496u);
	assert_int_equal(nb->bad, 0);
	assert_true(lannbr_group("lldp_man") && !lannbr_group("fdb"));
	lannbr_free(&l);
	free(f);
}

/* The Cisco c3560 recording's CDP row: ifIndex 10102, an IPv4 address, capabilities 0x29
 * (router, switch, IGMP). Port 2 of the bridge is that interface. */
static void cdp_decoded(void **state)
{
	(void)state;
	struct fx *f = fx_new();
	struct lannbr_list l = {0};
	struct group_row *r = add_row(f, LANPLACE_GROUP_PORTS, "2");
	num(r, "ifindex", 10102);
	r = add_row(f, LANNBR_GROUP_CDP, "10102.3");
	num(r, "addr_type", 1);
	octets(r, "addr", "\x0a\x01\x64\x95", 4);
	text(r, "device_id", "ShiTang02");
	text(r, "port", "GigabitEthernet0/52");
	text(r, "platform", "cisco WS-C3560G-48TS");
	octets(r, "caps", "\x00\x00\x00\x29", 4);
	assert_int_equal(lannbr_set(&l, &f->s), 0);
	assert_int_equal(l.n, 1);
	const struct lannbr *nb = &l.v[0];
	assert_int_equal(nb->proto, LANNBR_CDP);
	assert_int_equal(nb->lport, 10102);
	assert_int_equal(nb->bport, 2);
	assert_string_equal(nb->port, "Gi0/2");
	assert_string_equal(nb->name, "ShiTang02");
	assert_string_equal(nb->rport, "GigabitEthernet0/52");
	assert_string_equal(nb->platform, "cisco WS-C3560G-48TS");
	assert_int_equal(nb->naddr, 1);
	assert_int_equal(nb->addr[0], 0x0a016495u);
	assert_int_equal(nb->caps, LANNBR_CAP_ROUTER | LANNBR_CAP_BRIDGE);
	assert_false(nb->has_mac);
	assert_string_equal(lannbr_proto_name(nb->proto), "CDP");
	lannbr_free(&l);
	free(f);
}

/* Without lldpLocPortTable the LLDP port number is the bridge port (IEEE 802.1AB); a port no
 * interface names keeps its number only (the page shows it). */
static void lldp_port_is_bridge_port(void **state)
{
	(void)state;
	struct fx *f = fx_new();
	struct lannbr_list l = {0};
	struct group_row *r = add_row(f, LANPLACE_GROUP_PORTS, "3");
	num(r, "ifindex", 10103);
	r = add_row(f, LANNBR_GROUP_LLDP, "55.3.2");
	num(r, "chassis_type", 7); /* local: a text */
	octets(r, "chassis", "may-in-1", 8);
	num(r, "port_type", 3); /* the host's interface MAC, its description beside it */
	octets(r, "port_id", MAC_A, 6);
	text(r, "port_descr", "eth0");
	r = add_row(f, LANNBR_GROUP_LLDP, "55.9.1"); /* no such bridge port, no name */
	num(r, "port_type", 3);
	octets(r, "port_id", MAC_A, 6);
	assert_int_equal(lannbr_set(&l, &f->s), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].port, "Gi0/3");
	assert_int_equal(l.v[0].bport, 3);
	assert_string_equal(l.v[0].chassis, "may-in-1");
	assert_string_equal(lannbr_display_name(&l.v[0]), "may-in-1");
	assert_true(l.v[0].has_pmac);
	assert_string_equal(l.v[0].rport, "eth0");
	assert_string_equal(l.v[1].port, "");
	assert_int_equal(l.v[1].bport, 0);
	assert_string_equal(l.v[1].rport, "00:1b:21:aa:bb:cc"); /* no description: the MAC */
	assert_null(lannbr_display_name(&l.v[1]));
	lannbr_free(&l);
	free(f);
}

/* Values built to break a reader: a MAC chassis id of 5 bytes, a port MAC of 7, a name of
 * invalid UTF-8 with markup, an over-long name, hex that is not hex, a CDP address of 16
 * bytes, capabilities longer than CDP's 4 bytes, indexes that are no table's. */
static void hostile_rows(void **state)
{
	(void)state;
	struct fx *f = fx_new();
	struct lannbr_list l = {0};
	char huge[WIRE_NAME_MAX];
	memset(huge, 'x', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	struct group_row *r = add_row(f, LANNBR_GROUP_LLDP, "0.4.1");
	num(r, "chassis_type", 4);
	octets(r, "chassis", MAC_A, 5);
	num(r, "port_type", 3);
	octets(r, "port_id", "\x00\x1b\x21\xaa\xbb\xcc\xdd", 7);
	text(r, "sys_name", "\xff\xfe<script>alert(1)</script>\x1b[2J");
	octets(r, "caps", "\xff", 1);
	r = add_row(f, LANNBR_GROUP_LLDP, "0.5.1");
	num(r, "chassis_type", 4);
	text(r, "chassis", "zz1b21aabbcc"); /* not hex: no chassis id at all */
	text(r, "sys_name", huge);
	num(r, "port_type", 99); /* no such subtype */
	octets(r, "port_id", "p", 1);
	r = add_row(f, LANNBR_GROUP_CDP, "10101.1");
	num(r, "addr_type", 1);
	octets(r, "addr", "0123456789abcdef", 16);
	octets(r, "caps", "\x00\x00\x00\x00\x08", 5);
	add_row(f, LANNBR_GROUP_LLDP, "0.0.1");     /* port 0 */
	add_row(f, LANNBR_GROUP_LLDP, "1.2");       /* too short */
	add_row(f, LANNBR_GROUP_CDP, "10101");      /* no device index */
	add_row(f, LANNBR_GROUP_LLDP, "0.1..2");    /* not an OID suffix */
	add_row(f, LANNBR_GROUP_CDP, "10101.1.");
	add_row(f, LANNBR_GROUP_CDP, "99999999999.1");
	assert_int_equal(lannbr_set(&l, &f->s), 0);
	assert_int_equal(l.n, 3);
	const struct lannbr *nb = &l.v[0];
	assert_false(nb->has_mac);
	assert_false(nb->has_pmac);
	assert_int_equal(nb->bad, LANNBR_BAD_CHASSIS | LANNBR_BAD_PORT);
	assert_true(utf8_is_clean(nb->name));
	assert_non_null(strstr(nb->name, "\xEF\xBF\xBD")); /* the bad bytes stay visible */
	assert_int_equal(nb->caps, 0xff);
	nb = &l.v[1];
	assert_false(nb->has_mac);
	assert_int_equal(strlen(nb->name), WIRE_NAME_MAX - 1);
	assert_string_equal(nb->rport, "");
	nb = &l.v[2];
	assert_int_equal(nb->naddr, 0);
	assert_int_equal(nb->bad, LANNBR_BAD_ADDR);
	assert_int_equal(nb->caps, 0);
	assert_string_equal(nb->port, "Gi0/1");
	lannbr_free(&l);
	free(f);
}

/* A table longer than LANNBR_MAX: the first kept, the rest counted. */
static void bounded(void **state)
{
	(void)state;
	struct fx *f = fx_new();
	struct lannbr_list l = {0};
	char idx[32];
	for (int i = 0; i < LANNBR_MAX + 40; i++) {
		snprintf(idx, sizeof(idx), "10101.%d", i + 1);
		text(add_row(f, LANNBR_GROUP_CDP, idx), "device_id", "phone");
	}
	assert_int_equal(lannbr_set(&l, &f->s), 0);
	assert_int_equal(l.n, LANNBR_MAX);
	assert_int_equal(l.dropped, 40);
	/* a sample without neighbour rows empties the list */
	f->s.nrows = 0;
	assert_int_equal(lannbr_set(&l, &f->s), 0);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	lannbr_free(&l);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lldp_decoded),
	    cmocka_unit_test(cdp_decoded),
	    cmocka_unit_test(lldp_port_is_bridge_port),
	    cmocka_unit_test(hostile_rows),
	    cmocka_unit_test(bounded),
	};
	return cmocka_run_group_tests_name("lannbr", tests, NULL, NULL);
}
