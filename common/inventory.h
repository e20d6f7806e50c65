/*
 * The district inventory: one CSV row per device (commune, site, site_type, device, class,
 * address, snmp, contact; optional probe, url, mac), the way planners keep equipment lists. The header
 * row names the columns, in any order; other columns are ignored.
 */
#ifndef HBMON_INVENTORY_H
#define HBMON_INVENTORY_H

#include <stddef.h>

#include "config.h"
#include "devclass.h"
#include "errlist.h"

#define INV_NAME_MAX 128

struct inv_commune {
	char name[INV_NAME_MAX];
	char path[128]; /* name_to_path(name) */
};

struct inv_site {
	char name[INV_NAME_MAX];
	char type[CFG_NAME_MAX];
	size_t commune;
};

struct inv_device {
	char name[INV_NAME_MAX];
	char path[128]; /* name_to_path(name) */
	enum dev_class cls;
	int cls_auto; /* the inventory left the class empty: the probe classifies the device */
	char host[64];   /* numeric address; empty: not polled */
	int port;        /* SNMP port, 161 unless given */
	char cred[CFG_NAME_MAX]; /* credential name; empty: no SNMP */
	char contact[INV_NAME_MAX];
	char probe[CFG_NAME_MAX]; /* empty: [general] default_probe's */
	char url[256];            /* a web page to fetch (a portal); empty: none */
	unsigned char mac[6];     /* its Ethernet address (the LAN watch's key), if has_mac */
	int has_mac;
	size_t site;
	size_t commune;
	int line;
};

struct inventory {
	struct inv_commune *communes;
	size_t ncommunes;
	struct inv_site *sites;
	size_t nsites;
	struct inv_device *devices;
	size_t ndevices;
	/* hash indexes (device index + 1, 0 empty) by commune and device name, and by their
	 * path forms; NULL if memory ran out, lookups then scan */
	size_t *by_name, *by_path;
	size_t idxsz;
};

/*
 * Reads path; site types and credential names are checked against cfg. Every error goes to
 * errs as "file:line: field: message". Returns NULL if the file cannot be read at all.
 */
struct inventory *inventory_load(const char *path, const struct hbmon_config *cfg,
				 struct errlist *errs);
/* The configuration's own inventory ([general] inventory): a missing or unreadable file is
 * one error naming the fix (inventory_load alone could only say it cannot open it). */
struct inventory *inventory_load_configured(const struct hbmon_config *cfg,
					    struct errlist *errs);
void inventory_free(struct inventory *inv);

/* Looks a device up by its commune and device name; returns its index or -1. */
/* By the path forms (name_to_path) of commune and device, as URLs carry them. */
long inventory_find_path(const struct inventory *inv, const char *commune, size_t clen,
			 const char *device, size_t dlen);
long inventory_find(const struct inventory *inv, const char *commune, const char *device);
/* A commune by its path form (as /commune/<path> carries it): its index or -1. */
long inventory_find_commune_path(const struct inventory *inv, const char *path);

/* Parses HOST, HOST:PORT or [IPv6]:PORT (port 161 when absent): 0, or -1. */
int inventory_parse_address(const char *s, char *host, size_t hostsz, int *port);

#endif
