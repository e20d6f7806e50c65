/*
 * Where each host of a commune's LAN is plugged in: the switch (an inventory device) and its
 * port, from the switches' forwarding tables (profiles/bridge.conf: groups bridge_port, fdb,
 * fdb_q, kept in the device state like any rows), the LLDP / CDP neighbours the LAN watch
 * heard (lanhosts.h) and those the switches' own tables announce (lanlink.h).
 *
 * A MAC is learned on every port on its way to a switch: its own (an edge port) and each
 * uplink between switches. The rule: a port is shared when more than LANPLACE_EDGE_MAX MACs
 * are learned on it, or when a switch or router sits there (a MAC of an LLDP / CDP neighbour
 * announcing bridge, switch or router, or of an inventory switch or router), or when the
 * switch's own LLDP / CDP table announces a switch, router, access point or hub on it (an
 * uplink, lanlink.h); a MAC is placed on
 * a port that is not shared if it has one, then on the port with the fewest MACs, then the
 * first switch and port. A MAC seen on shared ports only is placed and marked shared (behind
 * a switch no one polls, or a small unmanaged one).
 *
 * Computed when a page asks, from the latest rows: no state of its own to go stale.
 */
#ifndef HBMON_LANPLACE_H
#define HBMON_LANPLACE_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define LANPLACE_GROUP_PORTS "bridge_port" /* dot1dBasePortIfIndex: bridge port -> ifIndex */
#define LANPLACE_GROUP_FDB "fdb"           /* dot1dTpFdbTable, learned rows; index the MAC */
#define LANPLACE_GROUP_FDB_Q "fdb_q"       /* dot1qTpFdbTable: index FDB id, then the MAC */
#define LANPLACE_EDGE_MAX 4 /* a PC, a phone and a few virtual machines behind one port */
#define LANPLACE_PORT_NAME 64

/* --- a switch's bridge ports by name, kept in its state (state.h) --- */

struct lanplace_port {
	long port;                     /* the bridge port number (dot1dBasePort) */
	char name[LANPLACE_PORT_NAME]; /* its interface's ifName, else ifDescr */
};

struct lanplace_ports {
	struct lanplace_port *v; /* by port, ascending */
	size_t n;
};

/* Replaces dst with the names of the bridge ports of sample s (its bridge_port rows joined
 * with its interfaces); empty when s has none. 0, or -1 out of memory (dst left empty). */
int lanplace_ports_set(struct lanplace_ports *dst, const struct dev_sample *s);
void lanplace_ports_free(struct lanplace_ports *p);
/* The interface's name as people know the port: ifName, else ifDescr, trailing blanks cut
 * (D-Link pads ifDescr); "" when it has neither. */
void lanplace_port_label(char *dst, size_t n, const struct if_sample *f);
/* The name of bridge port port, NULL when unknown. */
const char *lanplace_port_name(const struct lanplace_ports *p, long port);

/* 1 for the groups read here (thousands of rows on a big switch) and the neighbour tables
 * (lannbr.h, listed on their own): the device page does not list them as measures. */
int lanplace_group_hidden(const char *group);

/* --- the rule --- */

struct lanplace_fdb {
	size_t sw;      /* the switch: an inventory device index */
	long port;      /* bridge port, > 0 */
	uint8_t mac[6]; /* learned there */
};

struct lanplace_at {
	uint8_t mac[6];
	size_t sw;
	long port;
	size_t macs; /* MACs learned on that port */
	int shared;  /* the port is shared (see above): the host is somewhere behind it */
};

struct lanplace {
	struct lanplace_at *v; /* by MAC */
	size_t n;
};

/* A port the switch's own neighbour table says a switch, router or access point is on. */
struct lanplace_uplink {
	size_t sw; /* an inventory device index */
	long port; /* bridge port */
};

/* Where each MAC of fdb (n entries, sorted in place; duplicates allowed) is plugged in; infra
 * (ninfra MACs, any order, may be NULL) are the switches' and routers' MACs, up (nup ports,
 * any order, sorted in place, may be NULL) the uplinks. 0, or -1 out of memory (out empty).
 * out is overwritten: lanplace_free it after. */
int lanplace_build(struct lanplace *out, struct lanplace_fdb *fdb, size_t n,
		   const uint8_t (*infra)[6], size_t ninfra, struct lanplace_uplink *up,
		   size_t nup);
/* The place of mac, NULL when no switch learned it. */
const struct lanplace_at *lanplace_find(const struct lanplace *lp, const uint8_t mac[6]);
void lanplace_free(struct lanplace *lp);

/* --- the collector's data --- */

struct collector;
/* The placement of commune k's hosts from the latest rows of its inventory devices that
 * answered forwarding tables, the neighbours heard on its LAN and those its devices announce.
 * 0, or -1 out of memory. */
int lanplace_commune(struct lanplace *out, const struct collector *c, size_t k);

#endif
