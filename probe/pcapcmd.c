/*
 * hbmon-probe pcap and watch (pcapcmd.h). Reading a file needs no privilege; the frames go
 * through the same decoder and table the live capture uses, and both print one report. Output
 * order is fixed (hosts and neighbours by MAC) so two runs over one file print the same text.
 */
#include "pcapcmd.h"

#include <getopt.h>
#include <json-c/json.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <sys/select.h>
#include <unistd.h>

#include "hosttable.h"
#include "lanframe.h"
#include "lanwatch.h"
#include "oui.h"
#include "privdrop.h"
#include "strbuf.h"

#define PROG "hbmon-probe pcap"
#define WPROG "hbmon-probe watch"
#define WATCH_DEFAULT_S 30
#define WATCH_MAX_S 86400

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

/* The table as one JSON document, its source first ("file": "x.pcap"); NULL on no memory. */
static json_object *report(const char *what, const char *source, const struct hosttable *ht)
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
	json_object_object_add(o, what, json_object_new_string(source));
	json_object_object_add(o, "frames", json_object_new_int64((int64_t)st->frames));
	json_object_object_add(o, "malformed", bad);
	json_object_object_add(o, "evicted", json_object_new_int64((int64_t)st->evicted));
	json_object_object_add(o, "hosts", ha);
	json_object_object_add(o, "neighbours", na);
	free(hosts);
	free(nbrs);
	return o;
}

int pcapcmd_print(const char *prog, const char *what, const char *source,
		  const struct hosttable *ht)
{
	json_object *doc = report(what, source, ht);
	if (!doc) {
		fprintf(stderr, "%s: %s: out of memory\n", prog, source);
		return 1;
	}
	int status = 0;
	const char *txt = json_object_to_json_string_ext(
	    doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (fputs(txt, stdout) < 0 || fputs("\n", stdout) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "%s: %s: cannot write the report\n", prog, source);
		status = 1;
	}
	json_object_put(doc);
	return status;
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
	} else {
		status = pcapcmd_print(PROG, "file", file, ht);
	}
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

/* --- hbmon-probe watch --- */

static volatile sig_atomic_t watch_stop;

static void on_watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static void watch_usage(FILE *out)
{
	fprintf(out, "usage: hbmon-probe watch IFACE [--seconds N] [--oui PATH]\n"
		     "  captures on IFACE (root or CAP_NET_RAW) and prints the hosts and LLDP / CDP\n"
		     "  neighbours heard, as hbmon-probe pcap does\n"
		     "  --seconds N  how long to listen (default %d; Ctrl-C ends it early)\n"
		     "  --oui PATH   the IEEE OUI registry (default " OUI_DEFAULT_PATH ")\n",
		WATCH_DEFAULT_S);
}

static double watch_mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Listens until the deadline or a signal. 0, or -1 with the reason on stderr. */
static int watch_loop(struct lanwatch *lw, const char *iface, long seconds)
{
	double end = watch_mono() + (double)seconds;
	while (!watch_stop) {
		double left = end - watch_mono();
		if (left <= 0)
			break;
		if (left > 1)
			left = 1;
		fd_set r;
		int maxfd = -1;
		struct timeval tv = {(time_t)left, (suseconds_t)((left - (double)(time_t)left) * 1e6)};
		FD_ZERO(&r);
		lanwatch_fdset(lw, &maxfd, &r, &tv);
		int n = select(maxfd + 1, &r, NULL, NULL, &tv);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, WPROG ": %s: select: %s\n", iface, strerror(errno));
			return -1;
		}
		if (n > 0)
			lanwatch_dispatch(lw, &r);
		if (lanwatch_error(lw, 0)[0]) {
			fprintf(stderr, WPROG ": %s: %s\n", iface, lanwatch_error(lw, 0));
			return -1;
		}
	}
	return 0;
}

/* Opens iface, becomes nobody (a parser bug then holds no privilege), listens, reports. */
static int watch_run(const char *iface, long seconds, const struct oui_table *oui)
{
	struct lanwatch_iface_opts io = {iface, "-", 0};
	struct lanwatch_opts o = {&io, 1, 0, oui, 1, 0};
	struct lanwatch *lw = lanwatch_new(&o);
	char err[512];
	int status = 1;
	if (!lw) {
		fprintf(stderr, WPROG ": %s: out of memory, or not an interface name\n", iface);
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watch_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct privdrop p = {getpwnam("nobody") ? "nobody" : "", NULL, 0, 0};
	if (lanwatch_open_all(lw) != 1)
		fprintf(stderr, WPROG ": %s: %s\n", iface, lanwatch_error(lw, 0));
	else if (privdrop(&p, err, sizeof(err)) < 0)
		fprintf(stderr, WPROG ": %s\n", err);
	else if (watch_loop(lw, iface, seconds) == 0)
		status = pcapcmd_print(WPROG, "interface", iface, lanwatch_table(lw, 0));
	lanwatch_free(lw);
	return status;
}

int watchcmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"oui", required_argument, NULL, 'O'},
	    {"seconds", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *oui_path = OUI_DEFAULT_PATH;
	long seconds = WATCH_DEFAULT_S;
	int c, oui_given = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			oui_path = optarg;
			oui_given = 1;
			break;
		case 's':
			if (parse_long(optarg, 1, WATCH_MAX_S, &seconds) < 0) {
				fprintf(stderr, WPROG ": --seconds: expected 1 to %d\n", WATCH_MAX_S);
				return 2;
			}
			break;
		case 'h': watch_usage(stdout); return 0;
		default: watch_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		watch_usage(stderr);
		return 2;
	}
	/* read while still root: nobody may not reach the file */
	struct oui_table *oui = oui_load(oui_path);
	if (!oui) {
		fprintf(stderr, WPROG ": out of memory\n");
		return 1;
	}
	const struct oui_stats *os = oui_stats(oui);
	if (os->error[0] || (os->missing && oui_given))
		fprintf(stderr, WPROG ": warning: OUI registry %s: %s; vendors unknown\n", oui_path,
			os->error[0] ? os->error : "no such file");
	int status = watch_run(argv[optind], seconds, oui);
	oui_free(oui);
	return status;
}
