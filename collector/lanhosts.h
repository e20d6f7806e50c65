/*
 * The hosts the probes' LAN watch saw on each commune's LAN (wirelan.h), kept in the store's
 * SQLite file so they survive a restart, and in memory for the pages: which inventory device
 * each one is (by MAC, else by address), and the ones in no inventory ("unregistered"), listed
 * on their commune's page. A probe reports only for the communes it polls devices of. Bounded:
 * at most LANHOSTS_MAX hosts, the one seen longest ago making room. Event loop only.
 *
 * The LLDP / CDP neighbours of the reports are kept the same way (at most LANHOSTS_NBRS_MAX):
 * the probe sends one only when it changes, so a restart must not forget it. The switch-port
 * placement (lanplace.h) reads which of them are switches and routers.
 */
#ifndef HBMON_LANHOSTS_H
#define HBMON_LANHOSTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "wirelan.h"

#define LANHOSTS_MAX 20000
#define LANHOSTS_NBRS_MAX 1024 /* a commune has a few switch and router ports */

struct store;
struct inventory;
struct lanhosts;

struct lanhost {
	struct lan_host h; /* as last reported (commune, iface, addresses, names ...) */
	char probe[64];
	long device; /* the inventory device it is; -1: unregistered */
	long commune; /* in the inventory; -1: a commune no longer listed */
};

struct lanhosts_stats {
	uint64_t hosts_taken, hosts_refused, hosts_evicted, store_failures;
	uint64_t nbrs_taken, nbrs_refused, nbrs_evicted;
};

struct lanhosts *lanhosts_open(struct store *st, const struct inventory *inv, char *err,
			       size_t errsz);
void lanhosts_close(struct lanhosts *lh);
/* A new inventory (a reload): every host matched again. */
void lanhosts_set_inventory(struct lanhosts *lh, const struct inventory *inv);
/* Takes a batch's hosts and neighbours from probe; may_report(ctx, commune index) says whether
 * the probe may speak for that commune. Returns the hosts taken. */
size_t lanhosts_apply(struct lanhosts *lh, const struct lan_report *r, const char *probe,
		      int (*may_report)(void *ctx, size_t commune), void *ctx);

/* The hosts of commune k (inventory index), newest first (unregistered ones only if asked),
 * as a malloc'd array of *n pointers into the table (valid until the next apply); NULL when
 * out of memory. */
const struct lanhost **lanhosts_list(const struct lanhosts *lh, size_t k, int unregistered_only,
				     size_t *n);
/* How many unregistered hosts commune k has. */
size_t lanhosts_unregistered(const struct lanhosts *lh, size_t k);
/* The host that is inventory device i, NULL when none was seen. */
const struct lanhost *lanhosts_of_device(const struct lanhosts *lh, size_t i);
const struct lanhosts_stats *lanhosts_stats(const struct lanhosts *lh);
/* The MACs of the neighbours heard on commune k's LAN that announce bridge, switch or router,
 * at most max into out. Returns how many. */
size_t lanhosts_infra_macs(const struct lanhosts *lh, size_t k, uint8_t (*out)[6], size_t max);

#endif
