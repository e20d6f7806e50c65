/*
 * hbmon-probe pcap (pcapcmd.h). Reading a file needs no privilege; the frames go through the
 * same decoder and table the live capture will use. Output order is fixed (hosts and
 * neighbours by MAC) so two runs over one file print the same text.
 */
#include "pcapcmd.h"

#include <getopt.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hosttable.h"
#include "lanframe.h"
#include "oui.h"

#define PROG "hbmon-probe pcap"

static void usage(FILE *out)
{
	fprintf(out, "usage: hbmon-probe pcap FILE [--oui PATH]\n"
		     "  reads a saved Ethernet capture and prints the hosts and LLDP / CDP\n"
		     "  neighbours seen in it as JSON\n"
		     "  --oui PATH   the IEEE OUI registry (default " OUI_DEFAULT_PATH ")\n");
}

/* "2024-05-06T07:08:09Z" */
static json_object *iso_time(int64_t us)
{
	char buf[32];
	struct tm tm;
	time_t t = (time_t)(us / 1000000);
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
	return json_object_new_string(buf);
}

static json_object *ip_json(uint32_t ip)
{
	char buf[16];
	return json_object_new_string(lanframe_ip_str(ip, buf, sizeof(buf)));
}

static json_object *mac_json(const uint8_t *mac)
{
	char buf[18];
	return json_object_new_string(lanframe_mac_str(mac, buf, sizeof(buf)));
}

static json_object *host_json(const struct ht_host *h)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array(),
		    *n = json_object_new_array();
	json_object_object_add(o, "mac", mac_json(h->mac));
	json_object_object_add(o, "vendor", json_object_new_string(h->vendor));
	for (int i = 0; i < h->naddr; i++)
		json_object_array_add(a, ip_json(h->addr[i]));
	json_object_object_add(o, "addresses", a);
	for (int i = 0; i < h->nnames; i++)
		json_object_array_add(n, json_object_new_string(h->names[i].text));
	json_object_object_add(o, "names", n);
	json_object_object_add(o, "dhcp_vendor_class",
			       json_object_new_string(h->dhcp_vendor_class));
	json_object_object_add(o, "dhcp_fingerprint", json_object_new_string(h->dhcp_fingerprint));
	json_object_object_add(o, "likely_class", json_object_new_string(h->likely_class));
	json_object_object_add(o, "first_seen", iso_time(h->first_seen_us));
	json_object_object_add(o, "last_seen", iso_time(h->last_seen_us));
	json_object_object_add(o, "frames", json_object_new_int64((int64_t)h->frames));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)h->bytes));
	return o;
}

static json_object *caps_json(unsigned caps)
{
	json_object *a = json_object_new_array();
	for (unsigned i = 0; i < LF_CAP_COUNT; i++)
		if (caps & (1u << i))
			json_object_array_add(a, json_object_new_string(lanframe_cap_name(1u << i)));
	return a;
}

static json_object *neighbour_json(const struct ht_neighbour *nb)
{
	const struct lf_neighbour *i = &nb->info;
	json_object *o = json_object_new_object();
	json_object_object_add(o, "mac", mac_json(nb->mac));
	json_object_object_add(o, "protocol", json_object_new_string(lanframe_proto_name(nb->proto)));
	json_object_object_add(o, "chassis_id", json_object_new_string(i->chassis_id));
	json_object_object_add(o, "system_name", json_object_new_string(i->system_name));
	json_object_object_add(o, "system_descr", json_object_new_string(i->system_descr));
	json_object_object_add(o, "port_id", json_object_new_string(i->port_id));
	json_object_object_add(o, "port_descr", json_object_new_string(i->port_descr));
	json_object_object_add(o, "mgmt_address",
			       i->mgmt_addr ? ip_json(i->mgmt_addr) : json_object_new_string(""));
	json_object_object_add(o, "capabilities", caps_json(i->caps));
	json_object_object_add(o, "platform", json_object_new_string(i->platform));
	json_object_object_add(o, "first_seen", iso_time(nb->first_seen_us));
	json_object_object_add(o, "last_seen", iso_time(nb->last_seen_us));
	return o;
}

static int cmp_host(const void *a, const void *b)
{
	const struct ht_host *const *x = a, *const *y = b;
	return memcmp((*x)->mac, (*y)->mac, LF_MAC_LEN);
}

static int cmp_nbr(const void *a, const void *b)
{
	const struct ht_neighbour *const *x = a, *const *y = b;
	int c = memcmp((*x)->mac, (*y)->mac, LF_MAC_LEN);
	return c ? c : ((*x)->proto > (*y)->proto) - ((*x)->proto < (*y)->proto);
}

/* The table as one JSON document; NULL on no memory. */
static json_object *report(const char *file, const struct hosttable *ht)
{
	const struct ht_stats *st = ht_stats(ht);
	const struct ht_host **hosts = calloc(st->hosts + 1, sizeof(*hosts));
	const struct ht_neighbour **nbrs = calloc(st->neighbours + 1, sizeof(*nbrs));
	json_object *o = json_object_new_object();
	if (!hosts || !nbrs || !o) {
		free(hosts);
		free(nbrs);
		json_object_put(o);
		return NULL;
	}
	size_t nh = 0, nn = 0, cur = 0;
	const struct ht_host *h;
	while (nh < st->hosts && (h = ht_next(ht, &cur)))
		hosts[nh++] = h;
	cur = 0;
	const struct ht_neighbour *nb;
	while (nn < st->neighbours && (nb = ht_next_neighbour(ht, &cur)))
		nbrs[nn++] = nb;
	qsort(hosts, nh, sizeof(*hosts), cmp_host);
	qsort(nbrs, nn, sizeof(*nbrs), cmp_nbr);

	json_object *bad = json_object_new_object(), *ha = json_object_new_array(),
		    *na = json_object_new_array();
	for (int b = LF_OK + 1; b < LF_BAD_COUNT; b++)
		json_object_object_add(bad, lanframe_bad_name(b),
				       json_object_new_int64((int64_t)st->bad[b]));
	for (size_t i = 0; i < nh; i++)
		json_object_array_add(ha, host_json(hosts[i]));
	for (size_t i = 0; i < nn; i++)
		json_object_array_add(na, neighbour_json(nbrs[i]));
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "frames", json_object_new_int64((int64_t)st->frames));
	json_object_object_add(o, "malformed", bad);
	json_object_object_add(o, "evicted", json_object_new_int64((int64_t)st->evicted));
	json_object_object_add(o, "hosts", ha);
	json_object_object_add(o, "neighbours", na);
	free(hosts);
	free(nbrs);
	return o;
}

/* Every frame of the open capture into ht. 0, or -1 with the reason in err. */
static int read_frames(pcap_t *pc, struct hosttable *ht, char *err, size_t errsz)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	struct lf_obs obs;
	int rc;
	while ((rc = pcap_next_ex(pc, &hdr, &data)) == 1) {
		int64_t ts = (int64_t)hdr->ts.tv_sec * 1000000 + hdr->ts.tv_usec;
		lanframe_decode(data, hdr->caplen, &obs);
		ht_observe(ht, &obs, hdr->len > hdr->caplen ? hdr->len : hdr->caplen, ts);
	}
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	snprintf(err, errsz, "%s", pcap_geterr(pc));
	return -1;
}

/* Reads file and prints its report. The exit status. */
static int run(const char *file, const char *oui_path, int oui_given)
{
	char errbuf[PCAP_ERRBUF_SIZE + 256];
	struct oui_table *oui = oui_load(oui_path);
	if (!oui) {
		fprintf(stderr, PROG ": %s: out of memory\n", file);
		return 1;
	}
	const struct oui_stats *os = oui_stats(oui);
	if (os->error[0] || (os->missing && oui_given))
		fprintf(stderr, PROG ": warning: OUI registry %s: %s; vendors unknown\n", oui_path,
			os->error[0] ? os->error : "no such file");
	int status = 1;
	struct hosttable *ht = ht_new(0, oui);
	pcap_t *pc = pcap_open_offline(file, errbuf);
	json_object *doc = NULL;
	if (!ht) {
		fprintf(stderr, PROG ": %s: out of memory\n", file);
	} else if (!pc) {
		fprintf(stderr, PROG ": %s: %s\n", file, errbuf);
	} else if (pcap_datalink(pc) != DLT_EN10MB) {
		const char *name = pcap_datalink_val_to_name(pcap_datalink(pc));
		fprintf(stderr, PROG ": %s: link type %s (%d): only Ethernet (EN10MB) captures are "
			"read\n", file, name ? name : "unknown", pcap_datalink(pc));
	} else if (read_frames(pc, ht, errbuf, sizeof(errbuf)) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", file, errbuf);
	} else if (!(doc = report(file, ht))) {
		fprintf(stderr, PROG ": %s: out of memory\n", file);
	} else {
		const char *txt = json_object_to_json_string_ext(
		    doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE);
		if (fputs(txt, stdout) < 0 || fputs("\n", stdout) < 0 || fflush(stdout) != 0)
			fprintf(stderr, PROG ": %s: cannot write the report\n", file);
		else
			status = 0;
	}
	json_object_put(doc);
	if (pc)
		pcap_close(pc);
	ht_free(ht);
	oui_free(oui);
	return status;
}

int pcapcmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"oui", required_argument, NULL, 'O'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *oui = OUI_DEFAULT_PATH;
	int c, oui_given = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			oui = optarg;
			oui_given = 1;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	return run(argv[optind], oui, oui_given);
}
