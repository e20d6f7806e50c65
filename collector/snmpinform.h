/*
 * HBMON-MIB's notifications as informs (RFC 3416 4.2.7) to [snmp] informs, sent with the
 * credential [snmp] inform_credential names (SNMPv3 USM, or a 2c community): the receiver
 * acknowledges each; net-snmp sends it again every inform_timeout seconds, inform_retries
 * times, and then it is counted failed.
 *
 * Nothing waits. The sessions are net-snmp's ordinary ones, read and timed out from the
 * collector's loop with the subagent's (agentx_fdset / agentx_dispatch). For an inform the
 * receiver is the authoritative SNMPv3 engine (RFC 3414 1.5.1), whose engine ID net-snmp
 * would learn with a synchronous request as the session opens; the sessions open without
 * it (SNMP_FLAGS_DONT_PROBE) and the discovery request (RFC 3414 4) goes out like any other,
 * its report handled when it comes, while the informs for that receiver wait in a short
 * queue. A receiver that is down delays only its own informs. An SNMPv3 inform that gets
 * no answer is sent once more after the engine ID is learnt again (a receiver reinstalled,
 * or restarted without its persistent files, has a new one, and answers the old one with an
 * unauthenticated report net-snmp drops) before it counts as failed.
 *
 * XXX an inform given up, or pending when the collector stops, is not kept for later: a
 * receiver down for longer than its tries misses that change (the events table and the mail
 * digest still record it); a store-and-forward queue like the webhooks' would close that.
 */
#ifndef HBMON_SNMPINFORM_H
#define HBMON_SNMPINFORM_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define SNMPINFORM_MAX_RECEIVERS 16
/* Informs of one receiver waiting for its engine ID or for their acknowledgement: more are
 * counted failed at once (a receiver down for hours must not pile up memory). */
#define SNMPINFORM_MAX_PENDING 32

struct snmpinform;

/* What /metrics shows, per receiver and summed: every inform sent ends acknowledged or
 * failed (no answer after the retries, refused, or dropped for a full queue); the rest are
 * pending. */
struct snmpinform_stats {
	uint64_t sent, acked, failed;
	uint64_t discoveries; /* engine-ID discoveries answered (SNMPv3) */
};

/*
 * A session per receiver of cfg->informs (numeric addresses: opening never asks DNS), with
 * a copy of the credential's user, keys or community (cfg may be reloaded and freed). The
 * password-to-key hashing (RFC 3414 A.2, a million bytes per password) happens here, once.
 * NULL with err set on a malformed list or a session that cannot be opened; NULL with err ""
 * when the list is empty. net-snmp must be initialised (init_snmp) first.
 */
struct snmpinform *snmpinform_new(const struct hbmon_config *cfg, char *err, size_t errsz);
/* Closes the sessions; informs not yet acknowledged are abandoned. NULL is a no-op. */
void snmpinform_free(struct snmpinform *si);

/* Sends a copy of pdu (a notification PDU: sysUpTime.0, snmpTrapOID.0, objects) as an
 * inform to every receiver; pdu stays the caller's. Returns how many receivers could not
 * take it now (queue full, out of memory, a datagram refused). */
struct snmp_pdu;
int snmpinform_send(struct snmpinform *si, const struct snmp_pdu *pdu);
/* After net-snmp read and timed out its sessions: the work its callbacks left (informs
 * waiting for an engine ID just learnt, sessions to open again). */
void snmpinform_run(struct snmpinform *si);

/* Receivers, and one's peer and counts (i < snmpinform_count). */
int snmpinform_count(const struct snmpinform *si);
const char *snmpinform_peer(const struct snmpinform *si, int i);
void snmpinform_get_stats(const struct snmpinform *si, int i, struct snmpinform_stats *out);

#endif
