/*
 * The request that makes an SNMPv3 engine report its ID (RFC 3414 4): no user, no auth. The
 * probe sends it to an agent it polls, the collector to a receiver of its informs; both
 * through their own loop, never net-snmp's synchronous probe.
 */
#ifndef HBMON_V3DISCOVERY_H
#define HBMON_V3DISCOVERY_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

/* A new GET PDU for discovery (the caller sends or frees it); NULL when out of memory. */
netsnmp_pdu *v3_discovery_pdu(void);

#endif
