/*
 * One captured Ethernet frame (any bytes, any length) through the passive LAN watch:
 * lanframe_decode, then into a small host table kept across inputs (4 hosts, so eviction and
 * the neighbour table are exercised all the time). The decoder must be deterministic, report a
 * known reason, and leave only clean, terminated text; the table must stay within its caps
 * with every host's text clean.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "hosttable.h"
#include "lanframe.h"
#include "strbuf.h"

#define FUZZ_HOSTS 4

static struct hosttable *table;
static int64_t now_us = 1717200000000000LL; /* a fixed start; each input a second later */

static int text_ok(const char *s, size_t sz) { return memchr(s, '\0', sz) && utf8_is_clean(s); }

static void check_obs(const struct lf_obs *o)
{
	const struct lf_neighbour *n = &o->nbr;
	FUZZ_CHECK((unsigned)o->bad < LF_BAD_COUNT, "reason %d", (int)o->bad);
	FUZZ_CHECK((unsigned)o->proto < LF_PROTO_COUNT, "protocol %d", (int)o->proto);
	FUZZ_CHECK(o->nnames >= 0 && o->nnames <= LF_NAMES, "%d names", o->nnames);
	FUZZ_CHECK(o->naddr >= 0 && o->naddr <= LF_ADDRS, "%d addresses", o->naddr);
	for (int i = 0; i < o->nnames; i++)
		FUZZ_CHECK(o->names[i][0] && text_ok(o->names[i], LF_NAME_MAX), "name %d", i);
	FUZZ_CHECK(text_ok(n->chassis_id, LF_TEXT_MAX) && text_ok(n->port_id, LF_TEXT_MAX) &&
		       text_ok(n->port_descr, LF_TEXT_MAX) && text_ok(n->system_name, LF_NAME_MAX) &&
		       text_ok(n->system_descr, LF_TEXT_MAX) && text_ok(n->platform, LF_TEXT_MAX),
		   "neighbour text");
	FUZZ_CHECK(text_ok(o->dhcp.hostname, LF_NAME_MAX) &&
		       text_ok(o->dhcp.vendor_class, LF_TEXT_MAX) &&
		       text_ok(o->dhcp.fingerprint, LF_FP_MAX) && text_ok(o->queried, LF_NAME_MAX),
		   "dhcp / netbios text");
	FUZZ_CHECK(!o->has_mac || !(o->mac[0] & 1), "a group MAC as a station");
}

static void check_table(void)
{
	const struct ht_stats *st = ht_stats(table);
	FUZZ_CHECK(st->hosts <= FUZZ_HOSTS, "%zu hosts", st->hosts);
	FUZZ_CHECK(st->neighbours <= HT_NEIGHBOURS_MAX, "%zu neighbours", st->neighbours);
	size_t cur = 0, n = 0;
	const struct ht_host *h;
	while ((h = ht_next(table, &cur))) {
		n++;
		FUZZ_CHECK(h->naddr <= HT_ADDRS && h->nnames <= HT_NAMES, "host lists");
		for (int i = 0; i < h->nnames; i++)
			FUZZ_CHECK(text_ok(h->names[i].text, LF_NAME_MAX), "host name");
		FUZZ_CHECK(text_ok(h->likely_class, HT_CLASS_MAX) &&
			       text_ok(h->dhcp_vendor_class, LF_TEXT_MAX) &&
			       text_ok(h->platform, LF_TEXT_MAX),
			   "host text");
		FUZZ_CHECK(h->first_seen_us <= h->last_seen_us, "seen range");
	}
	FUZZ_CHECK(n == st->hosts, "walk found %zu of %zu hosts", n, st->hosts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lf_obs a, b;
	if (!table) {
		fuzz_dir();
		table = ht_new(FUZZ_HOSTS, NULL);
		if (!table)
			abort();
	}
	/* a copy of exactly size bytes: a read past the frame is an ASan report */
	uint8_t *frame = malloc(size ? size : 1);
	if (!frame)
		abort();
	memcpy(frame, data, size);
	enum lf_bad r = lanframe_decode(frame, size, &a);
	FUZZ_CHECK(r == a.bad, "returned %d, recorded %d", (int)r, (int)a.bad);
	check_obs(&a);
	lanframe_decode(frame, size, &b);
	FUZZ_CHECK(memcmp(&a, &b, sizeof(a)) == 0, "two decodings differ");
	now_us += 1000000;
	ht_observe(table, &a, size, now_us);
	check_table();
	if (size % 7 == 0)
		ht_clear_changed(table);
	free(frame);
	return 0;
}
