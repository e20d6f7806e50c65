/*
 * What a probe's LAN watch tells the collector, riding in its sample batches (wire.h) as the
 * batch's "lan" member: per captured interface, the hosts whose record changed since the last
 * batch and the LLDP / CDP neighbours heard. The probe encodes; the collector decodes every
 * field as untrusted (a bad entry is dropped alone and counted, the batch is kept).
 *
 *   "lan": [{"commune": "Xã Tân Phú", "iface": "eth1",
 *            "hosts": [{"mac": "00:1b:21:3a:4f:10", "addrs": ["192.168.1.20"],
 *                       "names": ["PC-KETOAN"], "vendor": "Dell Inc.", "dhcp_vc": "MSFT 5.0",
 *                       "dhcp_fp": "1,3,6,15", "class": "pc", "first": 1795000000,
 *                       "last": 1795003600, "frames": 120, "bytes": 9800}],
 *            "neighbours": [{"mac": "...", "protocol": "lldp", "system_name": "sw-1",
 *                            "port_id": "Gi0/5", "port_descr": "...", "platform": "...",
 *                            "mgmt_addr": "192.168.1.2", "caps": ["bridge", "router"],
 *                            "last": 1795003600}]}]
 */
#ifndef HBMON_WIRELAN_H
#define HBMON_WIRELAN_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define WIRELAN_MAX_GROUPS 16    /* captured interfaces per batch */
#define WIRELAN_MAX_HOSTS 5000   /* host records per batch, all interfaces (~1 KB each decoded) */
#define WIRELAN_MAX_NBRS 2000    /* neighbour records per batch */
#define WIRELAN_ADDRS 4
#define WIRELAN_NAMES 4
#define WIRELAN_NAME 64
#define WIRELAN_TEXT 128
#define WIRELAN_CAPS 10 /* capability words, wirelan_cap_names */

struct lan_host {
	char commune[128];
	char iface[32];
	uint8_t mac[6];
	uint32_t addr[WIRELAN_ADDRS]; /* IPv4, host byte order */
	int naddr;
	char names[WIRELAN_NAMES][WIRELAN_NAME];
	int nnames;
	char vendor[WIRELAN_TEXT], dhcp_vc[WIRELAN_TEXT], dhcp_fp[96];
	char cls[32]; /* a likely class name (devclass.h), "" unknown */
	int64_t first, last;
	uint64_t frames, bytes;
};

struct lan_neighbour {
	char commune[128];
	char iface[32];
	uint8_t mac[6];
	char protocol[8]; /* "lldp" or "cdp" */
	char system_name[WIRELAN_NAME];
	char port_id[WIRELAN_TEXT], port_descr[WIRELAN_TEXT], platform[WIRELAN_TEXT];
	uint32_t mgmt_addr; /* 0: none */
	unsigned caps;      /* bit k: wirelan_cap_names[k] */
	int64_t last;
};

struct lan_report {
	struct lan_host *hosts;
	size_t nhosts;
	struct lan_neighbour *nbrs;
	size_t nnbrs;
	size_t refused; /* entries dropped as malformed */
	char first_error[160]; /* the first of them, its path first */
};

extern const char *const wirelan_cap_names[WIRELAN_CAPS];

/* One interface's group, appended to out (comma-separated with what is there). The strings
 * must already be clean UTF-8. 0, or -1 out of memory. */
int wirelan_encode_group(struct strbuf *out, const char *commune, const char *iface,
			 const struct lan_host *hosts, size_t nhosts,
			 const struct lan_neighbour *nbrs, size_t nnbrs);

struct json_object;
/* Decodes a batch's "lan" member into out (zeroed first). -1 only when the member is not an
 * array or holds more than a batch may (err says which): the caller drops the LAN part. */
int wirelan_decode(struct json_object *lan, struct lan_report *out, char *err, size_t errsz);
void wirelan_free(struct lan_report *r);

/* "aa:bb:cc:dd:ee:ff" <-> 6 bytes; parse returns 0 or -1. */
void wirelan_mac_format(char *dst, size_t dstsz, const uint8_t mac[6]);
int wirelan_mac_parse(const char *s, uint8_t mac[6]);

#endif
