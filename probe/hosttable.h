/*
 * Passive LAN watch, second stage: the hosts seen on the LAN, keyed by MAC, built from the
 * observations of lanframe.h — their IPv4 addresses, names, vendor (OUI), DHCP vendor class
 * and fingerprint, a likely device class, first / last seen, frames and bytes — and the LLDP /
 * CDP neighbours that announced themselves.
 *
 * Memory is bounded: at most max_hosts hosts (the one seen least recently makes room for a new
 * one, and is counted) and HT_NEIGHBOURS_MAX neighbours. Lookup is a SipHash table keyed at
 * random, so a sender choosing MACs cannot aim at one bucket.
 *
 * "Changed" marks a host or neighbour that is new or whose description (addresses, names,
 * vendor, DHCP fields, class, neighbour fields) changed since ht_clear_changed: later code sends
 * those in batches. Counters and last_seen alone do not mark it, or every busy host would be
 * sent every time.
 */
#ifndef HBMON_HOSTTABLE_H
#define HBMON_HOSTTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "lanframe.h"
#include "oui.h"

#define HT_DEFAULT_MAX 4096
#define HT_ADDRS 4            /* IPv4 addresses kept per host: the newest */
#define HT_NAMES 4            /* names kept per host: the newest */
#define HT_NEIGHBOURS_MAX 256 /* LLDP / CDP senders: switch and router ports, few per LAN */
#define HT_CLASS_MAX 16

struct ht_name {
	char text[LF_NAME_MAX];
	enum lf_name_src src;
};

struct ht_host {
	uint8_t mac[LF_MAC_LEN];
	uint32_t addr[HT_ADDRS]; /* host byte order, oldest first */
	int naddr;
	struct ht_name names[HT_NAMES]; /* oldest first */
	int nnames;
	char vendor[OUI_NAME_MAX]; /* "" unknown */
	char dhcp_vendor_class[LF_TEXT_MAX];
	char dhcp_fingerprint[LF_FP_MAX];
	char platform[LF_TEXT_MAX]; /* what CDP calls its platform */
	unsigned caps;              /* enum lf_cap bits it announced over LLDP / CDP */
	char likely_class[HT_CLASS_MAX]; /* a device class (devclass.h names); "" unknown */
	int64_t first_seen_us, last_seen_us; /* capture time, µs since the epoch */
	uint64_t frames, bytes; /* frames it sent, and their bytes on the wire */
	int changed;
};

struct ht_neighbour {
	uint8_t mac[LF_MAC_LEN]; /* the port that sent the LLDP / CDP frame */
	enum lf_proto proto;     /* LF_PROTO_LLDP or LF_PROTO_CDP */
	struct lf_neighbour info;
	int64_t first_seen_us, last_seen_us;
	int changed;
};

struct ht_stats {
	size_t hosts, neighbours;
	uint64_t evicted, neighbours_evicted;
	uint64_t frames, bytes, malformed;
	uint64_t bad[LF_BAD_COUNT];      /* malformed frames by reason (bad[LF_OK]: well formed) */
	uint64_t proto[LF_PROTO_COUNT];
};

struct hosttable;

/* max_hosts: 0 for HT_DEFAULT_MAX, at least 2. oui (borrowed, may be NULL) names vendors.
 * NULL on no memory or a bad max_hosts. */
struct hosttable *ht_new(size_t max_hosts, const struct oui_table *oui);
void ht_free(struct hosttable *ht);

/* Takes in one decoded frame: wirelen bytes on the wire, captured at ts_us. */
void ht_observe(struct hosttable *ht, const struct lf_obs *o, size_t wirelen, int64_t ts_us);

const struct ht_host *ht_find(const struct hosttable *ht, const uint8_t mac[LF_MAC_LEN]);

/* Iterators: start with *cursor = 0; NULL at the end. In no particular order; the table must
 * not change during a walk. */
const struct ht_host *ht_next(const struct hosttable *ht, size_t *cursor);
const struct ht_host *ht_next_changed(const struct hosttable *ht, size_t *cursor);
const struct ht_neighbour *ht_next_neighbour(const struct hosttable *ht, size_t *cursor);
const struct ht_neighbour *ht_next_changed_neighbour(const struct hosttable *ht, size_t *cursor);
/* Clears the changed flag of every host and neighbour (after they were sent). */
void ht_clear_changed(struct hosttable *ht);
/* The same for one host, one neighbour (mac, proto): what one batch carried, when a batch
 * holds only part of the changes. Nothing when there is none (evicted meanwhile). */
void ht_clear_host_changed(struct hosttable *ht, const uint8_t mac[LF_MAC_LEN]);
void ht_clear_neighbour_changed(struct hosttable *ht, const uint8_t mac[LF_MAC_LEN],
				enum lf_proto proto);

const struct ht_stats *ht_stats(const struct hosttable *ht);

/* The likely device class from what a host says of itself, by the one rule table: LLDP / CDP
 * capabilities, then CDP platform, then DHCP vendor class, then the NIC's vendor. "" when
 * nothing matches. Any argument may be NULL or "". */
const char *ht_likely_class(unsigned caps, const char *platform, const char *dhcp_vendor_class,
			    const char *vendor);

#endif
