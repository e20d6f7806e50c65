/*
 * Passive LAN watch, live: the interfaces of [probe] capture opened with libpcap (non-blocking,
 * immediate mode, a BPF filter that passes only what lanframe.h decodes), their descriptors in
 * the probe's select() loop, each frame decoded into the interface's host table (hosttable.h).
 * From the tables it makes the "lan" groups of the sample batches (wirelan.h) and answers
 * whether an address was heard on a commune's LAN lately (presence).
 *
 * Handles are opened before the probe drops root; one that fails or whose interface goes away
 * is closed and opened again later, with the CAP_NET_RAW the probe keeps (privdrop.h). A flood
 * cannot starve polling: one interface gives at most LANWATCH_BURST frames per loop turn.
 */
#ifndef HBMON_LANWATCH_H
#define HBMON_LANWATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>

#include "hosttable.h"
#include "lanframe.h"
#include "oui.h"
#include "strbuf.h"

/* Only the frames the decoders read: ARP, DHCP / BOOTP, mDNS, NetBIOS name service, LLDP and
 * CDP (its multicast address; CDP rides in 802.3 SNAP frames a protocol test cannot name).
 * The same once more under one and under two VLAN tags: a trunk port whose kernel does not
 * strip tags shows them in the frame, where the plain test would look at the tag, not the
 * type (where the kernel strips them, libpcap's "vlan" reads the tag from the metadata and the
 * plain test already matches). `vlan` moves the offsets of all that follows it, even in another
 * branch of an "or": so the tagged tests nest, last. */
#define LANWATCH_MATCH                                                                           \
	"(arp or (udp and (port 67 or port 68 or port 5353 or port 137)) or ether proto 0x88cc " \
	"or (ether dst 01:00:0c:cc:cc:cc))"
#define LANWATCH_FILTER                                                                          \
	LANWATCH_MATCH " or (vlan and (" LANWATCH_MATCH " or (vlan and " LANWATCH_MATCH ")))"
#define LANWATCH_SNAPLEN 1600         /* an untagged or double-tagged Ethernet frame, whole */
#define LANWATCH_BUFFER (2u << 20)    /* the kernel's ring per interface */
#define LANWATCH_BURST 256            /* frames taken from one interface per loop turn */
#define LANWATCH_BATCH_HOSTS 1024     /* host records per batch (under WIRELAN_MAX_HOSTS):  */
#define LANWATCH_BATCH_NBRS 256       /* a batch stays near 400 KB; the rest go in the next */
#define LANWATCH_RETRY_MIN_S 10       /* a failed interface is opened again after this, */
#define LANWATCH_RETRY_MAX_S 300      /* doubling up to this */
#define LANWATCH_IFACES_MAX 16        /* WIRELAN_MAX_GROUPS */

struct lanwatch_iface_opts {
	const char *iface;   /* copied */
	const char *commune; /* copied; the commune its LAN belongs to */
	int presence_s;      /* a host heard within this long is present */
};

struct lanwatch_opts {
	const struct lanwatch_iface_opts *ifs;
	size_t nifs;              /* 1 to LANWATCH_IFACES_MAX */
	size_t hosts_max;         /* per interface; 0: HT_DEFAULT_MAX */
	const struct oui_table *oui; /* borrowed, may be NULL: vendors unknown */
	int quiet;                /* no log lines (the watch command reports itself) */
	double index_every_s;     /* the address index is made again at most this often (it
				   * costs a sort of every address); 0: 1 s, < 0: at each lookup
				   * after new frames (tests) */
};

struct lanwatch_iface_stats {
	uint64_t frames, malformed, evicted;
	uint64_t bad[LF_BAD_COUNT]; /* malformed frames by reason */
	size_t hosts, neighbours;
	uint64_t kernel_drops;      /* frames the kernel dropped (pcap_stats), every handle's */
	uint64_t opens, failures;   /* handles opened, and lost or not opened */
	int open;
};

struct lanwatch;

/* The tables, nothing opened. NULL on no memory or bad options. */
struct lanwatch *lanwatch_new(const struct lanwatch_opts *o);
void lanwatch_free(struct lanwatch *lw);

/* Opens every interface not open yet (a failure is logged and tried again later). Returns how
 * many are open. */
size_t lanwatch_open_all(struct lanwatch *lw);

/* The open handles' descriptors into r; tv shortened to the next retry of a closed one. */
void lanwatch_fdset(struct lanwatch *lw, int *maxfd, fd_set *r, struct timeval *tv);
/* Reads what the readable handles hold (LANWATCH_BURST frames each at most), dated on the
 * probe's clock (clock.h); opens again the failed interfaces whose retry is due. */
void lanwatch_dispatch(struct lanwatch *lw, const fd_set *r);

/* One frame into interface i's table, as a capture would give it (tests, replay). */
void lanwatch_observe(struct lanwatch *lw, size_t i, const uint8_t *frame, size_t caplen,
		      size_t wirelen, int64_t ts_us);

/*
 * Appends the "lan" groups (wirelan_encode_group, comma-separated) of the hosts and neighbours
 * changed since they were last sent, LANWATCH_BATCH_HOSTS / _NBRS at most, to out, and
 * remembers which went in. Returns the number of records put (0: nothing waits), -1 out of
 * memory (out may hold part of a group: the caller drops it). *more: some were left for the
 * next batch.
 */
int lanwatch_encode(struct lanwatch *lw, struct strbuf *out, int *more);
/* The records of the last lanwatch_encode are in the spool: their changed flags are cleared,
 * so each change is sent once the spool guarantees delivery, and again if it was not. */
void lanwatch_sent(struct lanwatch *lw);

/* When a host holding IPv4 address addr (host order; 0: none) or MAC mac (NULL: none) was
 * last heard on a LAN of commune, at now (the probe's clock, Unix seconds). */
struct lanwatch_seen {
	int64_t secs;      /* seconds since its last frame (0 when in the future) */
	int present;       /* secs within the interface's presence_s */
	const char *iface; /* where: the lanwatch's string */
};
/* 0 with *out filled, -1 never heard (or not on that commune's LANs). */
int lanwatch_seen(struct lanwatch *lw, const char *commune, uint32_t addr,
		  const uint8_t *mac, int64_t now, struct lanwatch_seen *out);

/* Who a host is, as its LAN tells: the maker of its network card (IEEE registry) and the
 * class its own LLDP / CDP capabilities or DHCP vendor class name (hosttable.h's rules, its
 * card's maker left out). Text of the LAN (untrusted), sanitised; "" unknown. */
struct lanwatch_ident {
	char vendor[OUI_NAME_MAX];
	char said[HT_CLASS_MAX];
};
/* 0 with *out filled, -1 never heard (out emptied). Looked up as lanwatch_seen does. */
int lanwatch_identity(struct lanwatch *lw, const char *commune, uint32_t addr,
		      const uint8_t *mac, struct lanwatch_ident *out);

size_t lanwatch_count(const struct lanwatch *lw);
const char *lanwatch_iface(const struct lanwatch *lw, size_t i);
const struct hosttable *lanwatch_table(const struct lanwatch *lw, size_t i);
/* Why interface i is not open ("" when it is). */
const char *lanwatch_error(const struct lanwatch *lw, size_t i);
void lanwatch_stats(struct lanwatch *lw, size_t i, struct lanwatch_iface_stats *out);
/* One log line per interface: frames, malformed by reason, hosts, evictions, kernel drops. */
void lanwatch_log_stats(struct lanwatch *lw);

/* Compiles LANWATCH_FILTER for Ethernet on a dead handle: 0, or -1 with libpcap's reason. */
int lanwatch_filter_check(char *err, size_t errsz);

#endif
