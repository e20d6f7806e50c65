/*
 * The district's figures on /metrics, in the Prometheus text format (exposition format 0.0.4),
 * for a province that reads every collector with its own Prometheus and Grafana:
 *
 *   hbmon_commune_ready{district,commune}           1 met, 0 missed; absent with no data
 *   hbmon_commune_judged{district,commune}          1 when a target of it is judged now
 *   hbmon_commune_score{district,commune}           critical targets met, 0..100
 *   hbmon_target_met{district,commune[,site],target,severity}              1 / 0 / absent
 *   hbmon_target_met_share_today{...the same}       share of today's judged time met, 0..1
 *   hbmon_commune_devices{district,commune,class,state}                    devices
 *   hbmon_alerts_firing{district,commune}           alerts firing
 *   hbmon_probe_last_contact_timestamp_seconds{district,probe}, hbmon_probe_backlog_batches
 *
 * Label values are names from the configuration and the inventory only (district, commune,
 * site, device class, target kind, probe names the registry checked), never text a device sent:
 * the number of series is bounded by the inventory. A commune-wide target has no site label.
 */
#ifndef HBMON_PROMEXPORT_H
#define HBMON_PROMEXPORT_H

#include <stddef.h>

#include "collector.h"
#include "strbuf.h"
#include "viewer.h"

/* Appends the families above for the communes v sees (the probes' only when v sees every
 * commune). 0, or -1 when out of memory or the buffer's cap was reached. */
int promexport_write(struct strbuf *out, const struct collector *c, const struct viewer *v);

/* s as a label value (backslash, double quote and line feed escaped, text format 0.0.4) into
 * dst: 0, or -1 when it does not fit (dst then holds ""). */
int promexport_escape(char *dst, size_t dstsz, const char *s);

/* Helpers the SNMP subagent (mibsnap.h) shares, so both read the district the same way: */
/* The target's kind as the configuration names it: "scanner", "printer.supply.percent",
 * "site.meeting-room". */
struct target_result;
void promexport_target_name(const struct target_result *t, char *buf, size_t n);
/* Devices by commune, class and state now: [ncommunes][CLS_COUNT][DEV_STATUS_COUNT],
 * malloc'd (the caller frees); NULL out of memory. */
size_t *promexport_count_devices(const struct collector *c);
/* Alerts firing per commune (its sites' included, a probe's not), malloc'd [ncommunes];
 * NULL out of memory. */
size_t *promexport_count_firing(const struct collector *c);

#endif
