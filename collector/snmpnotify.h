/*
 * HBMON-MIB's notifications (hbmonCommuneShort, hbmonCommuneRecovered), with the commune's
 * name, its critical targets and those met, its score and its worst problem in Vietnamese
 * and English: as SNMPv2c traps to [snmp] trap_receivers, and as informs to [snmp] informs
 * (snmpinform.h: SNMPv3 or 2c, acknowledged, sent again until they are).
 *
 * A trap is one UDP datagram sent from the judge tick, nothing to wait for. An inform is
 * sent from the tick too and its answer read by the loop; SNMPv3's engine-ID discovery goes
 * the same way (snmpinform.h), so no receiver, down or slow, ever holds the loop.
 */
#ifndef HBMON_SNMPNOTIFY_H
#define HBMON_SNMPNOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "alerts.h"
#include "config.h"

#define SNMPNOTIFY_MAX_RECEIVERS 16

struct snmpnotify;

/* One session per receiver of cfg->trap_receivers and of cfg->informs ("udp:10.0.0.5:162", a
 * numeric address: opening never asks DNS). net-snmp's library is initialised (init_snmp).
 * NULL with err set when one cannot be opened or a list is malformed; NULL with err "" when
 * both are empty. */
struct snmpnotify *snmpnotify_new(const struct hbmon_config *cfg, char *err, size_t errsz);
void snmpnotify_free(struct snmpnotify *n);

/* Sends ev to every receiver; the commune's name from inv. Returns how many receivers it
 * failed to send to now (a datagram the kernel refused, an inform queue full); informs
 * that go unacknowledged are counted later (snmpinform.h). */
struct inventory;
int snmpnotify_send(struct snmpnotify *n, const struct inventory *inv,
		    const struct commune_event *ev);
/* After net-snmp read its sessions and ran its timeouts: informs' follow-up work. */
void snmpnotify_run(struct snmpnotify *n);

/* Traps handed to the kernel, and refused; the informs' sessions and counts (NULL: none). */
void snmpnotify_traps(const struct snmpnotify *n, uint64_t *sent, uint64_t *failed);
struct snmpinform;
const struct snmpinform *snmpnotify_informs(const struct snmpnotify *n);

#endif
