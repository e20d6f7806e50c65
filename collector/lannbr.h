/*
 * The LLDP and CDP neighbours a device's own tables announce (profiles/neighbours.conf: groups
 * lldp_loc, lldp_rem, lldp_man, cdp), decoded once when its sample is applied and kept in its
 * state (state.h): per neighbour the local port it is heard on (named as people know it, and
 * as a bridge port for the forwarding-table placement), its names, addresses and capabilities.
 * Who the neighbours are in the inventory, and what is plugged in where, is lanlink.h's.
 *
 * Every value comes from the network: identifiers are decoded by their subtype with their
 * lengths checked (a MAC is 6 bytes or none), texts sanitised to UTF-8 and cut to their fields,
 * at most LANNBR_MAX neighbours a device and LANNBR_ADDRS addresses a neighbour.
 */
#ifndef HBMON_LANNBR_H
#define HBMON_LANNBR_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define LANNBR_GROUP_LOC "lldp_loc" /* lldpLocPortTable: index the local port number */
#define LANNBR_GROUP_LLDP "lldp_rem" /* lldpRemTable: TimeMark.LocalPortNum.Index */
#define LANNBR_GROUP_MAN "lldp_man"  /* lldpRemManAddrTable: the address in the index */
#define LANNBR_GROUP_CDP "cdp"       /* cdpCacheTable: ifIndex.DeviceIndex */
#define LANNBR_MAX 256 /* neighbours kept a device: a core switch has a few dozen */
#define LANNBR_ADDRS 4 /* IPv4 management addresses kept a neighbour */
#define LANNBR_PORT 64 /* a local port's name, as lanplace.h's */
#define LANNBR_TEXT WIRE_NAME_MAX

enum lannbr_proto { LANNBR_LLDP, LANNBR_CDP };

/* Capabilities, numbered as LLDP's BITS (IEEE 802.1AB LldpSystemCapabilitiesMap); CDP's are
 * mapped onto them. */
enum lannbr_cap {
	LANNBR_CAP_OTHER = 1 << 0,
	LANNBR_CAP_REPEATER = 1 << 1,
	LANNBR_CAP_BRIDGE = 1 << 2,
	LANNBR_CAP_AP = 1 << 3,
	LANNBR_CAP_ROUTER = 1 << 4,
	LANNBR_CAP_PHONE = 1 << 5,
	LANNBR_CAP_DOCSIS = 1 << 6,
	LANNBR_CAP_STATION = 1 << 7,
};
#define LANNBR_CAP_COUNT 8
/* A neighbour that forwards others' frames: the port it is on is an uplink. */
#define LANNBR_CAP_INFRA \
	(LANNBR_CAP_REPEATER | LANNBR_CAP_BRIDGE | LANNBR_CAP_AP | LANNBR_CAP_ROUTER)

/* What was refused of a neighbour (its other values are kept). */
enum lannbr_bad {
	LANNBR_BAD_CHASSIS = 1 << 0, /* a MAC or address subtype of the wrong length */
	LANNBR_BAD_PORT = 1 << 1,    /* the same for its port id */
	LANNBR_BAD_ADDR = 1 << 2,    /* a CDP address of another length than IPv4's */
};

struct lannbr {
	enum lannbr_proto proto;
	long lport;               /* LLDP: lldpRemLocalPortNum; CDP: cdpCacheIfIndex */
	long bport;               /* the bridge port it is heard on; 0 unknown */
	char port[LANNBR_PORT];   /* that port as people know it (ifName ...); "" unknown */
	char name[LANNBR_TEXT];   /* its sysName (LLDP) or device id (CDP); "" none */
	char chassis[LANNBR_TEXT]; /* a chassis id that is text (LLDP local, ifName ...); "" */
	char rport[LANNBR_TEXT];  /* its own port: port id or description; "" none */
	char platform[LANNBR_TEXT]; /* CDP's platform (a model); "" none */
	unsigned caps;            /* enum lannbr_cap, enabled ones */
	uint8_t mac[6];           /* chassis id that is a MAC, if has_mac */
	uint8_t pmac[6];          /* port id that is a MAC, if has_pmac */
	int has_mac, has_pmac;
	uint32_t addr[LANNBR_ADDRS]; /* IPv4 management addresses, host order */
	int naddr;
	unsigned bad;             /* enum lannbr_bad */
};

struct lannbr_list {
	struct lannbr *v; /* in the sample's order: LLDP rows, then CDP rows */
	size_t n;
	size_t dropped;   /* rows past LANNBR_MAX */
};

/* Replaces dst with the neighbours of sample s (none when it has no such rows). 0, or -1 out
 * of memory (dst left empty). */
int lannbr_set(struct lannbr_list *dst, const struct dev_sample *s);
void lannbr_free(struct lannbr_list *l);
/* 1 for the groups read here: the device page lists them as neighbours, not as measures. */
int lannbr_group(const char *group);
/* "LLDP", "CDP": protocol names, the same in every language. */
const char *lannbr_proto_name(enum lannbr_proto p);
/* The name people know the neighbour by, NULL none: its name, else a chassis id that is text.
 * Used to say what a neighbour is, never to decide who it is. */
const char *lannbr_display_name(const struct lannbr *nb);

#endif
