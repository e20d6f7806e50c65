/*
 * The collector as an AgentX subagent (RFC 2741) of the host's snmpd: HBMON-MIB served
 * read-only from a snapshot of the judge's last tick (mibsnap.h), and the notifications of a
 * commune falling short or recovering (snmpnotify.h). net-snmp's agent library runs inside the
 * collector's one event loop: its sockets join the loop's select, its timers (pings of the
 * master, reconnection, every [snmp] agentx_ping seconds) its timeout; nothing in here waits.
 *
 * net-snmp keeps its sessions and registrations in globals: one agentx per process.
 */
#ifndef HBMON_AGENTX_H
#define HBMON_AGENTX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>

struct collector;
struct agentx;

/*
 * Starts what [snmp] asks for: the subagent (agentx = 1; snmpd need not be up, it is
 * reached when it comes) and the notification sessions (trap_receivers, informs). Sets c->agentx and
 * c->on_commune. NULL with err "" when neither is configured; NULL with err set when a
 * receiver cannot be opened (a start-up error).
 */
struct agentx *agentx_start(struct collector *c, char *err, size_t errsz);
/* After a reload (c->cfg the new configuration, old the one before): notification receivers
 * that changed are opened anew (the old ones kept when the new cannot be opened), and started
 * when none were; a change of the subagent's own settings is logged as needing a restart. */
struct hbmon_config;
void agentx_reload(struct collector *c, const struct hbmon_config *old);
/* Unregisters from the master, closes every session. NULL is a no-op. */
void agentx_stop(struct agentx *ax);

/* Adds its sockets to r (and *maxfd), and lowers *tv to its next timer. */
void agentx_fdset(struct agentx *ax, int *maxfd, fd_set *r, struct timeval *tv);
/* After select: reads and answers what came, runs the timers that are due. */
void agentx_dispatch(struct agentx *ax, fd_set *r);

/* What /metrics and the tests read: snapshots built, requests answered, master connected,
 * registrations after the first (snmpd restarted, or the link to it lost). */
struct agentx_stats {
	uint64_t builds, requests, notifications, notify_failed, reconnects;
	int connected;
};
void agentx_get_stats(const struct agentx *ax, struct agentx_stats *out);

/* The subagent's and the notifications' counters as Prometheus text (/metrics): requests,
 * reconnections, traps sent and refused, informs per receiver sent, acknowledged, failed
 * and pending. Nothing when ax is NULL ([snmp] configures nothing). */
struct strbuf;
void agentx_metrics(const struct agentx *ax, struct strbuf *out);

#endif
