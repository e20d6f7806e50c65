/*
 * Who the LLDP / CDP neighbours the devices announce (lannbr.h) are in the inventory, and what
 * is plugged in where by them.
 *
 * A neighbour is an inventory device when, in this order, the first test any device passes
 * deciding: one of its management addresses (CDP's address, LLDP's management addresses or a
 * network-address chassis id) is the device's address; its chassis MAC, or the MAC of its
 * port, is the device's inventory `mac` or the MAC the LAN watch matched to it; its name (LLDP
 * sysName, CDP device id) is the device's SNMP sysName, case-insensitive, without a domain or
 * CDP's serial in brackets ("SW1.xa.gov.vn", "sw1(FOC123)" are "sw1"). A test two devices pass
 * names no one (ambiguous: listed, never placed); a device is never its own neighbour.
 *
 * Placement: a device a switch or router announces on a port is plugged into that port; this
 * outranks the forwarding tables' guess (lanplace.h). Two devices announcing each other are one
 * link seen from both ends: the one announcing more neighbours is taken as nearer the core and
 * the other as plugged into it (equal counts: the one first in the inventory is nearer), so
 * the relation never loops. Of several places: a port where it is the only neighbour, then the
 * first switch in inventory order, LLDP before CDP, the lowest port. A port with more than one
 * neighbour is shared (an unmanaged switch or a hub may sit between).
 *
 * The ports where a switch, router, access point or hub is announced (by its capabilities or
 * its inventory class) are uplinks, which lanplace.h's rule reads as shared.
 *
 * Computed when a page asks, from the devices' states: nothing of its own to go stale.
 */
#ifndef HBMON_LANLINK_H
#define HBMON_LANLINK_H

#include <stddef.h>
#include <stdint.h>

#include "lannbr.h"
#include "lanplace.h"

/* A device as a neighbour may name it. */
struct lanlink_dev {
	size_t dev;                     /* inventory index */
	uint32_t addr;                  /* its inventory address (IPv4, host order), if has_addr */
	int has_addr;
	uint8_t mac[2][6];              /* its inventory MAC, the LAN watch's */
	int nmac;
	const char *sys_name;           /* its SNMP sysName, "" unknown; not owned */
	int infra;                      /* a switch, router or access point */
	int may_place;                  /* a switch or router: what it announces is plugged in it */
	const struct lannbr_list *nbrs; /* what it announces, NULL none; not owned */
};

#define LANLINK_NONE (-1)
#define LANLINK_AMBIGUOUS (-2)

struct lanlink {
	size_t sw;               /* the announcer: an index in the set's devs */
	const struct lannbr *nb; /* what it said */
	long dev;                /* the neighbour: an index in devs, LANLINK_NONE or _AMBIGUOUS */
	size_t port_nbrs;        /* distinct neighbours sw announces on that port, this one too */
};

struct lanlink_set {
	struct lanlink_dev *devs; /* owned */
	size_t ndevs;
	struct lanlink *v;        /* owned */
	size_t n;
};

/* Which of devs (n) neighbour nb is, announced by devs[self] (SIZE_MAX: by none of them): an
 * index, LANLINK_NONE or LANLINK_AMBIGUOUS. */
long lanlink_match(const struct lannbr *nb, const struct lanlink_dev *devs, size_t n,
		   size_t self);
/* The links of ls->devs' neighbours into ls->v (replaced). 0, or -1 out of memory. */
int lanlink_build(struct lanlink_set *ls);
/* Where devs[d] is plugged in by the links, NULL nowhere; *shared (may be NULL) says whether
 * the port has other neighbours. */
const struct lanlink *lanlink_place(const struct lanlink_set *ls, size_t d, int *shared);
/* Where the host of this MAC (one in no inventory: a LAN watch's unknown host) is plugged in
 * by what a switch or router announces (a chassis or port id that is that MAC), NULL
 * nowhere; *shared as for lanlink_place. */
const struct lanlink *lanlink_place_mac(const struct lanlink_set *ls, const uint8_t mac[6],
				       int *shared);
/* The uplinks (inventory switch, bridge port) of the links: malloc'd, *n of them; NULL with
 * *n 0 when there are none or no memory. */
struct lanplace_uplink *lanlink_uplinks(const struct lanlink_set *ls, size_t *n);
/* The index in devs of inventory device i, -1 when not in the set. */
long lanlink_find(const struct lanlink_set *ls, size_t i);
void lanlink_free(struct lanlink_set *ls);

struct collector;
/* The set of commune k's devices (k SIZE_MAX: every device) as the collector knows them, with
 * the links of what they announce (only announcer's when it is not SIZE_MAX). 0, or -1 out of
 * memory (ls empty). */
int lanlink_collect(struct lanlink_set *ls, const struct collector *c, size_t k,
		    size_t announcer);

#endif
