#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory.h"
#include "lanhosts.h"
#include "store.h"
#include "tempstore.h"

/* Two communes; A has a PC known by its address and a clock known by its MAC. */
static struct inv_commune communes[2] = {{"Xã A", "xa-a"}, {"Xã B", "xa-b"}};
static struct inv_device devs[3];
static struct inventory inv = {communes, 2, NULL, 0, devs, 3, NULL, NULL, 0};

static void setup_inventory(void)
{
	memset(devs, 0, sizeof(devs));
	snprintf(devs[0].name, sizeof(devs[0].name), "PC");
	snprintf(devs[0].host, sizeof(devs[0].host), "192.168.1.10");
	snprintf(devs[1].name, sizeof(devs[1].name), "Clock");
	devs[1].has_mac = 1;
	memcpy(devs[1].mac, "\x00\x1b\x21\x0a\x0b\x0c", 6);
	snprintf(devs[1].host, sizeof(devs[1].host), "192.168.1.10"); /* the MAC wins */
	snprintf(devs[2].name, sizeof(devs[2].name), "PC B");
	snprintf(devs[2].host, sizeof(devs[2].host), "192.168.1.10");
	devs[2].commune = 1;
}

static struct lan_host host(const char *commune, int last_byte, uint32_t addr, int64_t last)
{
	struct lan_host h;
	memset(&h, 0, sizeof(h));
	snprintf(h.commune, sizeof(h.commune), "%s", commune);
	uint8_t mac[6] = {0x52, 0x54, 0, (uint8_t)(last_byte >> 16), (uint8_t)(last_byte >> 8),
			  (uint8_t)last_byte};
	memcpy(h.mac, mac, 6);
	if (addr)
		h.addr[h.naddr++] = addr;
	h.first = last - 60;
	h.last = last;
	return h;
}

static int only_a(void *ctx, size_t k)
{
	(void)ctx;
	return k == 0;
}

/* A store in dir, a mkdtemp template. */
static struct store *open_store(char *dir)
{
	assert_non_null(mkdtemp(dir));
	return tempstore_reopen(dir);
}

static void matched_refused_and_kept(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-lanhosts-XXXXXX", err[200];
	setup_inventory();
	struct store *st = open_store(dir);
	struct lanhosts *lh = lanhosts_open(st, &inv, err, sizeof(err));
	assert_non_null(lh);
	struct lan_host h[4] = {host("Xã A", 1, 0xc0a8010a, 1000), host("Xã A", 2, 0xc0a8010b, 1000),
				host("Xã B", 3, 0xc0a8010a, 1000), host("Xã C", 4, 0, 1000)};
	memcpy(h[1].mac, devs[1].mac, 6);
	struct lan_report r = {h, 4, NULL, 0, 0, ""};
	assert_int_equal(lanhosts_apply(lh, &r, "p1", only_a, NULL), 2);
	assert_int_equal(lanhosts_stats(lh)->hosts_refused, 2);
	assert_int_equal(lanhosts_of_device(lh, 0)->h.mac[5], 1); /* by address */
	assert_int_equal(lanhosts_of_device(lh, 1)->h.addr[0], 0xc0a8010b); /* by MAC */
	assert_null(lanhosts_of_device(lh, 2));
	assert_int_equal(lanhosts_unregistered(lh, 0), 0);
	/* the PC's address moves to another host: that one is the PC now, the first unknown */
	struct lan_host moved[2] = {host("Xã A", 1, 0xc0a80199, 1100), host("Xã A", 5, 0xc0a8010a, 1100)};
	struct lan_report r2 = {moved, 2, NULL, 0, 0, ""};
	assert_int_equal(lanhosts_apply(lh, &r2, "p1", only_a, NULL), 2);
	assert_int_equal(lanhosts_of_device(lh, 0)->h.mac[5], 5);
	assert_int_equal(lanhosts_unregistered(lh, 0), 1);
	/* an older report of a host changes nothing */
	struct lan_host old = host("Xã A", 1, 0xc0a80142, 900);
	struct lan_report r3 = {&old, 1, NULL, 0, 0, ""};
	lanhosts_apply(lh, &r3, "p1", only_a, NULL);
	size_t n;
	const struct lanhost **u = lanhosts_list(lh, 0, 1, &n);
	assert_int_equal(n, 1);
	assert_int_equal(u[0]->h.addr[0], 0xc0a80199);
	assert_int_equal(u[0]->h.first, 900 - 60); /* the earliest first seen is kept */
	free(u);
	lanhosts_close(lh);
	/* after a restart: the same, matched again */
	lh = lanhosts_open(st, &inv, err, sizeof(err));
	assert_non_null(lh);
	assert_int_equal(lanhosts_unregistered(lh, 0), 1);
	assert_int_equal(lanhosts_of_device(lh, 1)->h.addr[0], 0xc0a8010b);
	lanhosts_close(lh);
	store_close(st);
	tempstore_remove(dir);
}

/* A flood of MACs: the table holds LANHOSTS_MAX, the host seen longest ago makes room. */
static void bounded_under_a_flood(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-lanhosts-XXXXXX", err[200];
	setup_inventory();
	struct store *st = open_store(dir);
	struct lanhosts *lh = lanhosts_open(st, &inv, err, sizeof(err));
	size_t n = LANHOSTS_MAX + 10;
	struct lan_host *h = calloc(n, sizeof(*h));
	for (size_t i = 0; i < n; i++)
		h[i] = host("Xã A", (int)i + 100, 0, 2000 + (int64_t)i);
	struct lan_report r = {h, n, NULL, 0, 0, ""};
	assert_int_equal(lanhosts_apply(lh, &r, "p1", NULL, NULL), n);
	assert_int_equal(lanhosts_stats(lh)->hosts_evicted, 10);
	size_t got;
	const struct lanhost **all = lanhosts_list(lh, 0, 0, &got);
	assert_int_equal(got, LANHOSTS_MAX);
	assert_int_equal(all[0]->h.last, 2000 + (int64_t)n - 1);      /* newest first */
	assert_int_equal(all[got - 1]->h.last, 2000 + 10);            /* the 10 oldest gone */
	free(all);
	free(h);
	lanhosts_close(lh);
	store_close(st);
	tempstore_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(matched_refused_and_kept),
	    cmocka_unit_test(bounded_under_a_flood),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
