/*
 * Passive LAN watch, first stage: one captured Ethernet frame decoded into what it says about
 * the hosts on the LAN — who sent it (source MAC) and, for the protocols hosts announce
 * themselves with, their addresses, names and neighbours: ARP (sender), DHCP/BOOTP (client,
 * host name, vendor class, parameter-request fingerprint), LLDP and CDP (the switch or router
 * next to us), mDNS (A / PTR answers) and NetBIOS name service. 802.1Q / 802.1ad tags are
 * skipped. Other frames only count.
 *
 * The frame is hostile: every read is bounded by the captured length, every string copied into
 * a fixed buffer as clean UTF-8 (utf8_sanitize), every TLV walk stops at its end marker or at
 * the first field that overruns. Nothing is allocated; the result is a flat struct.
 */
#ifndef HBMON_LANFRAME_H
#define HBMON_LANFRAME_H

#include <stddef.h>
#include <stdint.h>

#define LF_MAC_LEN 6
#define LF_NAME_MAX 64  /* a host name (DHCP option 12, mDNS, NetBIOS, LLDP/CDP system name) */
#define LF_TEXT_MAX 128 /* descriptions, platform, vendor class, ids */
#define LF_FP_MAX 96    /* "1,3,6,15,..." — cut at the last whole number that fits */
#define LF_NAMES 4      /* names one frame may carry (mDNS answers) */
#define LF_ADDRS 2      /* IPv4 addresses one frame gives the station it tells about */

enum lf_proto {
	LF_PROTO_OTHER, /* not decoded beyond the Ethernet header: counts only */
	LF_PROTO_IPV4,  /* an IPv4 frame of no protocol below */
	LF_PROTO_ARP,
	LF_PROTO_DHCP,
	LF_PROTO_LLDP,
	LF_PROTO_CDP,
	LF_PROTO_MDNS,
	LF_PROTO_NBNS,
	LF_PROTO_COUNT
};

/* Why a frame was malformed. Fields decoded before the fault are kept. */
enum lf_bad {
	LF_OK,
	LF_BAD_SHORT,      /* under an Ethernet header, or a header cut by the capture */
	LF_BAD_VLAN,       /* more tags than 802.1ad stacks */
	LF_BAD_LLC,        /* an 802.3 length beyond the frame */
	LF_BAD_ARP,        /* not Ethernet/IPv4, or cut */
	LF_BAD_IPV4,       /* version, header length or total length wrong */
	LF_BAD_UDP,        /* UDP length wrong */
	LF_BAD_DHCP,       /* BOOTP header cut, not Ethernet, or no magic cookie */
	LF_BAD_DHCP_OPTION, /* an option overruns the packet */
	LF_BAD_LLDP_TLV,   /* a TLV overruns the frame, or no END TLV */
	LF_BAD_LLDP_FIELD, /* a TLV too short for what it says it holds */
	LF_BAD_CDP_TLV,    /* a TLV shorter than its header, or overrunning */
	LF_BAD_CDP_FIELD,  /* an address list or capability field that does not fit */
	LF_BAD_DNS,        /* mDNS: a record or a name that does not fit, a pointer loop */
	LF_BAD_NBNS,       /* a NetBIOS name that is not 32 letters A-P */
	LF_BAD_SOURCE,     /* a group (multicast) source MAC */
	LF_BAD_COUNT
};

/* Capabilities a neighbour announces, LLDP's and CDP's bits mapped onto one set. */
enum lf_cap {
	LF_CAP_OTHER = 1u << 0,
	LF_CAP_REPEATER = 1u << 1,
	LF_CAP_BRIDGE = 1u << 2, /* LLDP bridge, CDP transparent / source-route bridge */
	LF_CAP_SWITCH = 1u << 3, /* CDP "switch" (layer 2) */
	LF_CAP_AP = 1u << 4,     /* LLDP WLAN access point */
	LF_CAP_ROUTER = 1u << 5,
	LF_CAP_PHONE = 1u << 6,
	LF_CAP_DOCSIS = 1u << 7,
	LF_CAP_STATION = 1u << 8, /* LLDP station only, CDP host */
	LF_CAP_IGMP = 1u << 9,    /* CDP IGMP snooping */
	LF_CAP_COUNT = 10
};

/* Where a name came from. */
enum lf_name_src { LF_NAME_DHCP, LF_NAME_MDNS, LF_NAME_NBNS, LF_NAME_LLDP, LF_NAME_CDP };

struct lf_dhcp {
	uint8_t op;       /* 1 request (from the client), 2 reply */
	uint8_t msgtype;  /* option 53; 0 for plain BOOTP */
	uint32_t ciaddr, yiaddr, requested; /* host byte order; 0: none */
	char hostname[LF_NAME_MAX];         /* option 12 */
	char vendor_class[LF_TEXT_MAX];     /* option 60 */
	char fingerprint[LF_FP_MAX];        /* option 55 as "1,3,6,15" */
};

/* What an LLDP or CDP frame says about the device that sent it. */
struct lf_neighbour {
	char chassis_id[LF_TEXT_MAX]; /* LLDP chassis id (a MAC as aa:bb:..); CDP Device-ID */
	char port_id[LF_TEXT_MAX];
	char port_descr[LF_TEXT_MAX];
	char system_name[LF_NAME_MAX];  /* LLDP system name; CDP Device-ID */
	char system_descr[LF_TEXT_MAX]; /* LLDP system description, CDP software version: first
					 * line only */
	char platform[LF_TEXT_MAX];     /* CDP only */
	uint32_t mgmt_addr;             /* the first non-zero IPv4 management address; 0: none */
	unsigned caps;                  /* enum lf_cap bits: LLDP's enabled ones, CDP's */
};

struct lf_obs {
	enum lf_proto proto;
	enum lf_bad bad;
	uint8_t src[LF_MAC_LEN]; /* the Ethernet source */
	int src_ok;              /* src is a unicast, non-zero MAC: a station */
	uint16_t vlan;           /* the innermost tag's VLAN id; 0: untagged */
	uint32_t src_ip;         /* IPv4 source of an ARP or DHCP frame (host order); 0: none */
	/* The station the frame tells about: the ARP sender, the DHCP client (chaddr), the LLDP /
	 * CDP / mDNS / NetBIOS sender. has_mac 0: none. */
	int has_mac;
	uint8_t mac[LF_MAC_LEN];
	uint32_t addr[LF_ADDRS]; /* its IPv4 addresses, host order */
	int naddr;
	char names[LF_NAMES][LF_NAME_MAX]; /* its names, clean UTF-8, never empty */
	enum lf_name_src name_src[LF_NAMES];
	int nnames;
	char queried[LF_NAME_MAX]; /* NetBIOS: a name asked for (someone else's); "" none */
	struct lf_dhcp dhcp;       /* proto LF_PROTO_DHCP */
	struct lf_neighbour nbr;   /* proto LF_PROTO_LLDP or LF_PROTO_CDP */
};

/*
 * Decodes the frame (data, caplen: the bytes captured, which may be fewer than were on the
 * wire) into *out (overwritten). Returns out->bad: LF_OK, or why the frame was malformed.
 */
enum lf_bad lanframe_decode(const uint8_t *data, size_t caplen, struct lf_obs *out);

/* Short stable names for reports and /metrics: "short", "lldp_tlv", ...; "?" out of range. */
const char *lanframe_bad_name(enum lf_bad b);
const char *lanframe_proto_name(enum lf_proto p);
/* The name of one capability bit ("router", "bridge", ...), NULL when cap is not one. */
const char *lanframe_cap_name(unsigned cap);

/* "aa:bb:cc:dd:ee:ff" into buf (at least 18 bytes). Returns buf. */
char *lanframe_mac_str(const uint8_t mac[LF_MAC_LEN], char *buf, size_t n);
/* Dotted quad of a host-order address into buf (at least 16 bytes). Returns buf. */
char *lanframe_ip_str(uint32_t ip, char *buf, size_t n);

#endif
