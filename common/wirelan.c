/* The LAN watch's part of a batch (wirelan.h). */
#include "wirelan.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const wirelan_cap_names[WIRELAN_CAPS] = {
    "other", "repeater", "bridge", "switch", "ap", "router", "phone", "docsis", "station", "igmp"};

void wirelan_mac_format(char *dst, size_t dstsz, const uint8_t m[6])
{
	snprintf(dst, dstsz, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

int wirelan_mac_parse(const char *s, uint8_t mac[6])
{
	if (strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(s[i * 3]), lo = hexval(s[i * 3 + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* --- encoding --- */

static void add_str(json_object *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_object_add(o, k, json_object_new_string(v));
}

static json_object *ipv4(uint32_t a)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr in = {htonl(a)};
	inet_ntop(AF_INET, &in, buf, sizeof(buf));
	return json_object_new_string(buf);
}

static json_object *host_json(const struct lan_host *h)
{
	char mac[18];
	json_object *o = json_object_new_object(), *a = json_object_new_array(),
		    *n = json_object_new_array();
	wirelan_mac_format(mac, sizeof(mac), h->mac);
	json_object_object_add(o, "mac", json_object_new_string(mac));
	for (int i = 0; i < h->naddr && i < WIRELAN_ADDRS; i++)
		json_object_array_add(a, ipv4(h->addr[i]));
	json_object_object_add(o, "addrs", a);
	for (int i = 0; i < h->nnames && i < WIRELAN_NAMES; i++)
		json_object_array_add(n, json_object_new_string(h->names[i]));
	json_object_object_add(o, "names", n);
	add_str(o, "vendor", h->vendor);
	add_str(o, "dhcp_vc", h->dhcp_vc);
	add_str(o, "dhcp_fp", h->dhcp_fp);
	add_str(o, "class", h->cls);
	json_object_object_add(o, "first", json_object_new_int64(h->first));
	json_object_object_add(o, "last", json_object_new_int64(h->last));
	json_object_object_add(o, "frames", json_object_new_uint64(h->frames));
	json_object_object_add(o, "bytes", json_object_new_uint64(h->bytes));
	return o;
}

static json_object *nbr_json(const struct lan_neighbour *b)
{
	char mac[18];
	json_object *o = json_object_new_object(), *caps = json_object_new_array();
	wirelan_mac_format(mac, sizeof(mac), b->mac);
	json_object_object_add(o, "mac", json_object_new_string(mac));
	add_str(o, "protocol", b->protocol);
	add_str(o, "system_name", b->system_name);
	add_str(o, "port_id", b->port_id);
	add_str(o, "port_descr", b->port_descr);
	add_str(o, "platform", b->platform);
	if (b->mgmt_addr)
		json_object_object_add(o, "mgmt_addr", ipv4(b->mgmt_addr));
	for (int k = 0; k < WIRELAN_CAPS; k++)
		if (b->caps & (1u << k))
			json_object_array_add(caps, json_object_new_string(wirelan_cap_names[k]));
	json_object_object_add(o, "caps", caps);
	json_object_object_add(o, "last", json_object_new_int64(b->last));
	return o;
}

int wirelan_encode_group(struct strbuf *out, const char *commune, const char *iface,
			 const struct lan_host *hosts, size_t nhosts,
			 const struct lan_neighbour *nbrs, size_t nnbrs)
{
	json_object *g = json_object_new_object(), *h = json_object_new_array(),
		    *n = json_object_new_array();
	if (!g || !h || !n) {
		json_object_put(g);
		json_object_put(h);
		json_object_put(n);
		return -1;
	}
	json_object_object_add(g, "commune", json_object_new_string(commune));
	json_object_object_add(g, "iface", json_object_new_string(iface));
	for (size_t i = 0; i < nhosts; i++)
		json_object_array_add(h, host_json(&hosts[i]));
	for (size_t i = 0; i < nnbrs; i++)
		json_object_array_add(n, nbr_json(&nbrs[i]));
	json_object_object_add(g, "hosts", h);
	json_object_object_add(g, "neighbours", n);
	if (out->len && strbuf_puts(out, ",") < 0) { /* out holds only groups */
		json_object_put(g);
		return -1;
	}
	const char *txt = json_object_to_json_string_ext(g, JSON_C_TO_STRING_PLAIN);
	int rc = txt ? strbuf_puts(out, txt) : -1;
	json_object_put(g);
	return rc;
}

/* --- decoding: each entry checked, a bad one dropped alone --- */

struct ldec {
	struct lan_report *r;
	char path[64];
};

static int bad(struct ldec *d, const char *field, const char *why)
{
	if (!d->r->refused++)
		snprintf(d->r->first_error, sizeof(d->r->first_error), "%s.%s: %s", d->path, field,
			 why);
	return -1;
}

/* An optional string member, clean and bounded; a required one must be non-empty. */
static int str_field(struct ldec *d, json_object *o, const char *k, char *dst, size_t n, int req)
{
	json_object *v;
	dst[0] = '\0';
	if (!json_object_object_get_ex(o, k, &v))
		return req ? bad(d, k, "missing") : 0;
	if (!json_object_is_type(v, json_type_string))
		return bad(d, k, "expected a string");
	utf8_sanitize(dst, n, json_object_get_string(v), (size_t)json_object_get_string_len(v));
	return req && !dst[0] ? bad(d, k, "empty") : 0;
}

static int int_field(struct ldec *d, json_object *o, const char *k, int64_t *out)
{
	json_object *v;
	*out = 0;
	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return bad(d, k, "expected an integer");
	int64_t x = json_object_get_int64(v);
	return x < 0 ? bad(d, k, "negative") : (*out = x, 0);
}

static int mac_field(struct ldec *d, json_object *o, uint8_t mac[6])
{
	char s[32];
	if (str_field(d, o, "mac", s, sizeof(s), 1) < 0)
		return -1;
	return wirelan_mac_parse(s, mac) < 0 ? bad(d, "mac", "expected aa:bb:cc:dd:ee:ff") : 0;
}

static int addr_parse(const char *s, uint32_t *a)
{
	struct in_addr in;
	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*a = ntohl(in.s_addr);
	return 0;
}

/* An array of strings: each kept as text (names) or as an IPv4 address (addrs). */
static int list_field(struct ldec *d, json_object *o, const char *k, char (*names)[WIRELAN_NAME],
		      uint32_t *addrs, int max, int *n)
{
	json_object *v;
	*n = 0;
	if (!json_object_object_get_ex(o, k, &v))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return bad(d, k, "expected an array");
	for (size_t i = 0; i < json_object_array_length(v) && *n < max; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return bad(d, k, "expected strings");
		const char *s = json_object_get_string(e);
		if (addrs && addr_parse(s, &addrs[*n]) < 0)
			return bad(d, k, "expected IPv4 addresses");
		if (names)
			utf8_sanitize(names[*n], WIRELAN_NAME, s, strlen(s));
		if (!names || names[*n][0])
			(*n)++;
	}
	return 0;
}

static int decode_host(struct ldec *d, json_object *o, struct lan_host *h)
{
	int64_t first, last, frames, bytes;
	if (!json_object_is_type(o, json_type_object))
		return bad(d, "", "expected an object");
	if (mac_field(d, o, h->mac) < 0 ||
	    list_field(d, o, "addrs", NULL, h->addr, WIRELAN_ADDRS, &h->naddr) < 0 ||
	    list_field(d, o, "names", h->names, NULL, WIRELAN_NAMES, &h->nnames) < 0 ||
	    str_field(d, o, "vendor", h->vendor, sizeof(h->vendor), 0) < 0 ||
	    str_field(d, o, "dhcp_vc", h->dhcp_vc, sizeof(h->dhcp_vc), 0) < 0 ||
	    str_field(d, o, "dhcp_fp", h->dhcp_fp, sizeof(h->dhcp_fp), 0) < 0 ||
	    str_field(d, o, "class", h->cls, sizeof(h->cls), 0) < 0 ||
	    int_field(d, o, "first", &first) < 0 || int_field(d, o, "last", &last) < 0 ||
	    int_field(d, o, "frames", &frames) < 0 || int_field(d, o, "bytes", &bytes) < 0)
		return -1;
	if (!last || first > last)
		return bad(d, "last", "missing, or before first");
	h->first = first ? first : last;
	h->last = last;
	h->frames = (uint64_t)frames;
	h->bytes = (uint64_t)bytes;
	return 0;
}

static int decode_caps(struct ldec *d, json_object *o, unsigned *caps)
{
	json_object *v;
	*caps = 0;
	if (!json_object_object_get_ex(o, "caps", &v))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return bad(d, "caps", "expected an array");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(v, i));
		for (int k = 0; s && k < WIRELAN_CAPS; k++)
			if (strcmp(s, wirelan_cap_names[k]) == 0)
				*caps |= 1u << k; /* an unknown word: ignored, a newer probe's */
	}
	return 0;
}

static int decode_nbr(struct ldec *d, json_object *o, struct lan_neighbour *b)
{
	char mgmt[64];
	if (!json_object_is_type(o, json_type_object))
		return bad(d, "", "expected an object");
	if (mac_field(d, o, b->mac) < 0 ||
	    str_field(d, o, "protocol", b->protocol, sizeof(b->protocol), 1) < 0 ||
	    str_field(d, o, "system_name", b->system_name, sizeof(b->system_name), 0) < 0 ||
	    str_field(d, o, "port_id", b->port_id, sizeof(b->port_id), 0) < 0 ||
	    str_field(d, o, "port_descr", b->port_descr, sizeof(b->port_descr), 0) < 0 ||
	    str_field(d, o, "platform", b->platform, sizeof(b->platform), 0) < 0 ||
	    str_field(d, o, "mgmt_addr", mgmt, sizeof(mgmt), 0) < 0 || decode_caps(d, o, &b->caps) < 0 ||
	    int_field(d, o, "last", &b->last) < 0)
		return -1;
	if (strcmp(b->protocol, "lldp") != 0 && strcmp(b->protocol, "cdp") != 0)
		return bad(d, "protocol", "expected lldp or cdp");
	if (mgmt[0] && addr_parse(mgmt, &b->mgmt_addr) < 0)
		return bad(d, "mgmt_addr", "expected an IPv4 address");
	return 0;
}

/* Counts a group's entries first: a batch over the limits loses its LAN part, not memory. */
static int count_entries(json_object *lan, size_t *nh, size_t *nn, char *err, size_t errsz)
{
	json_object *h, *n;
	*nh = *nn = 0;
	if (json_object_array_length(lan) > WIRELAN_MAX_GROUPS) {
		snprintf(err, errsz, "lan: more than %d interfaces", WIRELAN_MAX_GROUPS);
		return -1;
	}
	for (size_t g = 0; g < json_object_array_length(lan); g++) {
		json_object *o = json_object_array_get_idx(lan, g);
		if (json_object_object_get_ex(o, "hosts", &h) && json_object_is_type(h, json_type_array))
			*nh += json_object_array_length(h);
		if (json_object_object_get_ex(o, "neighbours", &n) &&
		    json_object_is_type(n, json_type_array))
			*nn += json_object_array_length(n);
	}
	if (*nh > WIRELAN_MAX_HOSTS || *nn > WIRELAN_MAX_NBRS) {
		snprintf(err, errsz, "lan: more hosts or neighbours than a batch may hold");
		return -1;
	}
	return 0;
}

static void decode_group(struct ldec *d, json_object *g, size_t gi)
{
	char commune[128], iface[32];
	json_object *h, *n;
	snprintf(d->path, sizeof(d->path), "lan[%zu]", gi);
	if (!json_object_is_type(g, json_type_object) ||
	    str_field(d, g, "commune", commune, sizeof(commune), 1) < 0 ||
	    str_field(d, g, "iface", iface, sizeof(iface), 1) < 0)
		return;
	if (json_object_object_get_ex(g, "hosts", &h) && json_object_is_type(h, json_type_array))
		for (size_t i = 0; i < json_object_array_length(h); i++) {
			struct lan_host *x = &d->r->hosts[d->r->nhosts];
			memset(x, 0, sizeof(*x));
			snprintf(d->path, sizeof(d->path), "lan[%zu].hosts[%zu]", gi, i);
			if (decode_host(d, json_object_array_get_idx(h, i), x) == 0) {
				snprintf(x->commune, sizeof(x->commune), "%s", commune);
				snprintf(x->iface, sizeof(x->iface), "%s", iface);
				d->r->nhosts++;
			}
		}
	if (json_object_object_get_ex(g, "neighbours", &n) && json_object_is_type(n, json_type_array))
		for (size_t i = 0; i < json_object_array_length(n); i++) {
			struct lan_neighbour *x = &d->r->nbrs[d->r->nnbrs];
			memset(x, 0, sizeof(*x));
			snprintf(d->path, sizeof(d->path), "lan[%zu].neighbours[%zu]", gi, i);
			if (decode_nbr(d, json_object_array_get_idx(n, i), x) == 0) {
				snprintf(x->commune, sizeof(x->commune), "%s", commune);
				snprintf(x->iface, sizeof(x->iface), "%s", iface);
				d->r->nnbrs++;
			}
		}
}

int wirelan_decode(json_object *lan, struct lan_report *out, char *err, size_t errsz)
{
	size_t nh, nn;
	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(lan, json_type_array)) {
		snprintf(err, errsz, "lan: expected an array");
		return -1;
	}
	if (count_entries(lan, &nh, &nn, err, errsz) < 0)
		return -1;
	out->hosts = calloc(nh ? nh : 1, sizeof(*out->hosts));
	out->nbrs = calloc(nn ? nn : 1, sizeof(*out->nbrs));
	if (!out->hosts || !out->nbrs) {
		wirelan_free(out);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	struct ldec d = {out, ""};
	for (size_t g = 0; g < json_object_array_length(lan); g++)
		decode_group(&d, json_object_array_get_idx(lan, g), g);
	return 0;
}

void wirelan_free(struct lan_report *r)
{
	free(r->hosts);
	free(r->nbrs);
	memset(r, 0, sizeof(*r));
}
