/* The JSON API and the Prometheus /metrics page. */
#ifndef HBMON_API_H
#define HBMON_API_H

#include "collector.h"
#include "strbuf.h"
#include "viewer.h"

/* /api/v1/readiness: district, communes, sites, targets (met or missed, reason, score): the
 * communes v sees. */
int api_readiness(struct strbuf *out, const struct collector *c, enum lang l,
		  const struct viewer *v);
/* /api/v1/devices: every device v sees with its state and identity. */
int api_devices(struct strbuf *out, const struct collector *c, const struct viewer *v);
/* /metrics, Prometheus text format: the readiness, devices and alerts of the communes v sees
 * (promexport.h), and the collector's own counters when v sees every commune. */
int api_metrics(struct strbuf *out, const struct collector *c, const struct viewer *v);

/* The period readiness as a sheet (CSV, XLSX): readiness_sheet.h. */

#endif
