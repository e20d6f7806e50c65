/*
 * The probe's LAN watch from its configuration: which commune each captured interface's LAN
 * belongs to ([capture IFACE] commune, else the only commune among this probe's devices), and
 * the lanwatch made and opened from it. The commune is settled before anything is opened, so
 * an ambiguous configuration stops the probe at start (or --check-config) with the fix.
 */
#ifndef HBMON_LANCONF_H
#define HBMON_LANCONF_H

#include "config.h"
#include "errlist.h"
#include "inventory.h"
#include "lanwatch.h"
#include "oui.h"

/* Fills in the commune of each capture without one, checks the given ones against the
 * inventory; what is wrong goes to errs (file, interface, what to add). */
void lanconf_resolve(struct hbmon_config *cfg, const struct inventory *inv, struct errlist *errs);

/* The watch over cfg's captures, opened (a failed interface is logged and retried later);
 * NULL when nothing is captured. Out of memory is fatal: this runs at start-up. oui is
 * borrowed for the watch's life. */
struct lanwatch *lanconf_start(const struct hbmon_config *cfg, const struct oui_table *oui);

#endif
