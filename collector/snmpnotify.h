/*
 * HBMON-MIB's notifications (hbmonCommuneShort, hbmonCommuneRecovered) as SNMPv2c traps to
 * [snmp] trap_receivers, with the commune's name, its critical targets and those met, its
 * score and its worst problem in Vietnamese and English.
 *
 * Traps, not informs: a trap is one UDP datagram sent from the judge tick, nothing to wait
 * for. XXX SNMPv3 informs are not done: net-snmp discovers the receiver's engine ID with a
 * synchronous request when a v3 session opens, which would need a helper thread to keep the
 * loop free; a province that needs them points the receivers at its local snmptrapd, or at
 * snmpd's own trap forwarding.
 */
#ifndef HBMON_SNMPNOTIFY_H
#define HBMON_SNMPNOTIFY_H

#include <stddef.h>
#include <time.h>

#include "alerts.h"
#include "config.h"

#define SNMPNOTIFY_MAX_RECEIVERS 16

struct snmpnotify;

/* One session per receiver of cfg->trap_receivers ("udp:10.0.0.5:162", a numeric address:
 * opening never asks DNS). net-snmp's library is initialised (init_snmp). NULL with err set
 * when one cannot be opened or the list is malformed; NULL with err "" when it is empty. */
struct snmpnotify *snmpnotify_new(const struct hbmon_config *cfg, char *err, size_t errsz);
void snmpnotify_free(struct snmpnotify *n);

/* Sends ev to every receiver; the commune's name from inv. Returns how many receivers it
 * failed to send to (a datagram the kernel refused). */
struct inventory;
int snmpnotify_send(struct snmpnotify *n, const struct inventory *inv,
		    const struct commune_event *ev);

#endif
