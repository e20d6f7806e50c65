/*
 * The live LAN watch (lanwatch.h): one libpcap handle and one host table per interface, an
 * address index for presence, and the bookkeeping of what the last batch carried.
 */
#include "lanwatch.h"

#include <net/if.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "wirelan.h"

/* The kernel's wall clock, which stamps the captured frames: asked of the kernel itself, since
 * a clock moved inside the process (libfaketime in check-future) does not move the frames'
 * stamps, and the shift to the probe's clock must be measured against what stamped them. */
static int64_t kernel_now(void)
{
	struct timespec k;
	if (syscall(SYS_clock_gettime, CLOCK_REALTIME, &k) != 0)
		return (int64_t)time(NULL);
	return (int64_t)k.tv_sec;
}

#define STATS_EVERY_S 60     /* kernel drops are looked at this often */
#define DROPS_LOG_EVERY_S 600 /* and reported at most this often per interface */
#define GONE_EVERY_S 5       /* an open interface is looked for this often (see iface_gone) */
#define INDEX_EVERY_S 1.0    /* the address index is rebuilt at most this often */

struct lw_iface {
	char name[32];
	char commune[128];
	int presence_s;
	struct hosttable *ht;
	pcap_t *pc;
	int fd;
	double retry_at; /* CLOCK_MONOTONIC seconds */
	int retry_s;
	int failing;     /* its failure was logged: a recovery line follows */
	char err[PCAP_ERRBUF_SIZE + 96];
	uint64_t drops_closed; /* kernel drops of the handles closed before */
	uint64_t drops_now;    /* of the open handle, as last read */
	uint64_t drops_logged;
	double drops_log_at;
	uint64_t opens, failures;
	unsigned ifindex; /* of the interface when opened */
};

/* A host's address in the index; the host is checked again when looked up: its slot may
 * have been evicted or reused since the index was made. */
struct lw_addr {
	uint32_t addr;
	uint16_t ifidx;
	const struct ht_host *h;
};

/* A record the last encode put in a batch. */
struct lw_key {
	uint16_t ifidx;
	uint8_t mac[LF_MAC_LEN];
	int nbr;
	enum lf_proto proto;
};

struct lanwatch {
	struct lw_iface *ifs;
	size_t n;
	int quiet;
	struct lw_addr *index;
	size_t nindex, capindex;
	double index_at, index_every_s;
	uint64_t index_frames; /* frames of every table when the index was made */
	struct lw_key *sent;
	size_t nsent;
	size_t rr; /* the interface the next encode starts with: a busy one cannot starve others */
	double stats_at;
	double gone_at; /* the next look for interfaces gone (CLOCK_MONOTONIC) */
};

static double mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct lanwatch *lanwatch_new(const struct lanwatch_opts *o)
{
	if (!o->nifs || o->nifs > LANWATCH_IFACES_MAX)
		return NULL;
	struct lanwatch *lw = calloc(1, sizeof(*lw));
	if (!lw)
		return NULL;
	lw->ifs = calloc(o->nifs, sizeof(*lw->ifs));
	lw->sent = calloc(LANWATCH_BATCH_HOSTS + LANWATCH_BATCH_NBRS, sizeof(*lw->sent));
	lw->n = o->nifs;
	lw->quiet = o->quiet;
	lw->index_every_s = o->index_every_s ? o->index_every_s : INDEX_EVERY_S;
	if (!lw->ifs || !lw->sent) {
		lanwatch_free(lw);
		return NULL;
	}
	for (size_t i = 0; i < o->nifs; i++) {
		struct lw_iface *f = &lw->ifs[i];
		f->fd = -1;
		if (str_copy(f->name, sizeof(f->name), o->ifs[i].iface) < 0 ||
		    str_copy(f->commune, sizeof(f->commune), o->ifs[i].commune) < 0 ||
		    !(f->ht = ht_new(o->hosts_max, o->oui))) {
			lanwatch_free(lw);
			return NULL;
		}
		f->presence_s = o->ifs[i].presence_s;
		f->retry_s = LANWATCH_RETRY_MIN_S;
	}
	return lw;
}

static void iface_close(struct lw_iface *f)
{
	if (!f->pc)
		return;
	f->drops_closed += f->drops_now;
	f->drops_now = 0;
	pcap_close(f->pc);
	f->pc = NULL;
	f->fd = -1;
}

void lanwatch_free(struct lanwatch *lw)
{
	if (!lw)
		return;
	for (size_t i = 0; lw->ifs && i < lw->n; i++) {
		iface_close(&lw->ifs[i]);
		ht_free(lw->ifs[i].ht);
	}
	free(lw->ifs);
	free(lw->index);
	free(lw->sent);
	free(lw);
}

/* --- capture handles --- */

/* Sets up and activates a handle for f; 0, or -1 with the reason in f->err. */
static int handle_activate(struct lw_iface *f, pcap_t *pc)
{
	char eb[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	/* these fail only on an activated handle */
	pcap_set_snaplen(pc, LANWATCH_SNAPLEN);
	pcap_set_promisc(pc, 0); /* broadcasts and the multicasts below reach us without it */
	pcap_set_immediate_mode(pc, 1);
	pcap_set_buffer_size(pc, LANWATCH_BUFFER);
	int rc = pcap_activate(pc);
	if (rc < 0) {
		/* libpcap's detail often repeats the status: once is enough */
		const char *detail = pcap_geterr(pc), *status = pcap_statustostr(rc);
		int same = !detail || !detail[0] || strcmp(detail, status) == 0;
		snprintf(f->err, sizeof(f->err), "%s%s%s", status, same ? "" : ": ",
			 same ? "" : detail);
		return -1;
	}
	if (rc > 0) /* a warning: capture works */
		log_warnx("lanwatch", "%s: %s", f->name, pcap_statustostr(rc));
	if (pcap_datalink(pc) != DLT_EN10MB) {
		const char *link = pcap_datalink_val_to_name(pcap_datalink(pc));
		snprintf(f->err, sizeof(f->err), "link type %s: only Ethernet interfaces are watched",
			 link ? link : "?");
		return -1;
	}
	if (pcap_compile(pc, &prog, LANWATCH_FILTER, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(f->err, sizeof(f->err), "filter: %s", pcap_geterr(pc));
		return -1;
	}
	rc = pcap_setfilter(pc, &prog);
	pcap_freecode(&prog);
	if (rc < 0 || pcap_setnonblock(pc, 1, eb) < 0) {
		snprintf(f->err, sizeof(f->err), "%s", rc < 0 ? pcap_geterr(pc) : eb);
		return -1;
	}
	int fd = pcap_get_selectable_fd(pc);
	if (fd < 0 || fd >= FD_SETSIZE) {
		snprintf(f->err, sizeof(f->err), "no descriptor select() can wait on");
		return -1;
	}
	f->fd = fd;
	return 0;
}

/* Failure noted: logged once per streak, retried with a growing interval. */
static void iface_failed(struct lanwatch *lw, struct lw_iface *f)
{
	iface_close(f);
	f->failures++;
	f->retry_at = mono_now() + f->retry_s;
	if (!f->failing && !lw->quiet)
		log_warnx("lanwatch", "%s: cannot capture: %s; the probe goes on without this LAN "
			  "and tries again every %d s or more", f->name, f->err, f->retry_s);
	else if (!lw->quiet)
		log_debug("lanwatch", "%s: still cannot capture: %s", f->name, f->err);
	f->failing = 1;
	f->retry_s = f->retry_s * 2 > LANWATCH_RETRY_MAX_S ? LANWATCH_RETRY_MAX_S : f->retry_s * 2;
}

static int iface_open(struct lanwatch *lw, struct lw_iface *f)
{
	char eb[PCAP_ERRBUF_SIZE];
	eb[0] = '\0';
	pcap_t *pc = pcap_create(f->name, eb);
	if (!pc) {
		snprintf(f->err, sizeof(f->err), "%s", eb);
		iface_failed(lw, f);
		return -1;
	}
	f->pc = pc;
	if (handle_activate(f, pc) < 0) {
		iface_failed(lw, f);
		return -1;
	}
	f->opens++;
	f->ifindex = if_nametoindex(f->name);
	f->err[0] = '\0';
	f->retry_s = LANWATCH_RETRY_MIN_S;
	if (!lw->quiet && f->failing)
		log_info("lanwatch", "%s: capturing again (%s)", f->name, f->commune);
	else if (!lw->quiet)
		log_info("lanwatch", "%s: watching the LAN of %s", f->name, f->commune);
	f->failing = 0;
	return 0;
}

size_t lanwatch_open_all(struct lanwatch *lw)
{
	size_t open = 0;
	for (size_t i = 0; i < lw->n; i++)
		open += lw->ifs[i].pc || iface_open(lw, &lw->ifs[i]) == 0;
	return open;
}

void lanwatch_fdset(struct lanwatch *lw, int *maxfd, fd_set *r, struct timeval *tv)
{
	double now = mono_now();
	for (size_t i = 0; i < lw->n; i++) {
		const struct lw_iface *f = &lw->ifs[i];
		if (f->pc) {
			FD_SET(f->fd, r);
			if (f->fd > *maxfd)
				*maxfd = f->fd;
			continue;
		}
		double left = f->retry_at - now;
		if (left < 0)
			left = 0;
		if (left < (double)tv->tv_sec + (double)tv->tv_usec / 1e6) {
			tv->tv_sec = (time_t)left;
			tv->tv_usec = (suseconds_t)((left - (double)(time_t)left) * 1e6);
		}
	}
}

/* --- frames --- */

struct turn {
	struct lw_iface *f;
	int64_t shift_us; /* the probe's clock minus the wall clock (0 but in tests) */
};

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	const struct turn *t = (const struct turn *)(void *)user;
	struct lf_obs obs;
	int64_t ts = (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec + t->shift_us;
	lanframe_decode(data, h->caplen, &obs);
	ht_observe(t->f->ht, &obs, h->len > h->caplen ? h->len : h->caplen, ts);
}

void lanwatch_observe(struct lanwatch *lw, size_t i, const uint8_t *frame, size_t caplen,
		      size_t wirelen, int64_t ts_us)
{
	struct lf_obs obs;
	if (i >= lw->n)
		return;
	lanframe_decode(frame, caplen, &obs);
	ht_observe(lw->ifs[i].ht, &obs, wirelen > caplen ? wirelen : caplen, ts_us);
}

/* Kernel drops of each open handle; a growing count is reported, not more than every
 * DROPS_LOG_EVERY_S (a flood must not flood the log too). */
static void check_drops(struct lanwatch *lw, double now)
{
	for (size_t i = 0; i < lw->n; i++) {
		struct lw_iface *f = &lw->ifs[i];
		struct pcap_stat ps;
		if (!f->pc || pcap_stats(f->pc, &ps) < 0)
			continue;
		f->drops_now = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
		uint64_t total = f->drops_closed + f->drops_now;
		if (total > f->drops_logged && now >= f->drops_log_at && !lw->quiet) {
			log_warnx("lanwatch", "%s: %llu frames dropped by the kernel since the last report "
				  "(a flood, or the probe too busy); hosts may be seen late",
				  f->name, (unsigned long long)(total - f->drops_logged));
			f->drops_logged = total;
			f->drops_log_at = now + DROPS_LOG_EVERY_S;
		}
	}
}

/* Open interfaces that went away (a USB adapter pulled, a veth deleted) or were made anew
 * under the same name: libpcap reports a removal only when its socket error still says so
 * when read, and takes one that comes while the device is going down for an interface merely
 * down; the capture would then wait for frames that never come. */
static void iface_gone(struct lanwatch *lw)
{
	for (size_t i = 0; i < lw->n; i++) {
		struct lw_iface *f = &lw->ifs[i];
		if (!f->pc || if_nametoindex(f->name) == f->ifindex)
			continue;
		snprintf(f->err, sizeof(f->err), "the interface disappeared");
		iface_failed(lw, f);
	}
}

void lanwatch_dispatch(struct lanwatch *lw, const fd_set *r)
{
	double now = mono_now();
	struct turn t = {NULL, 0};
	int shift_known = 0;
	for (size_t i = 0; i < lw->n; i++) {
		struct lw_iface *f = &lw->ifs[i];
		if (!f->pc) {
			if (now >= f->retry_at)
				iface_open(lw, f);
			continue;
		}
		if (!FD_ISSET(f->fd, r))
			continue;
		if (!shift_known) { /* clock_now may read a file: once per turn */
			t.shift_us = ((int64_t)clock_now() - kernel_now()) * 1000000;
			shift_known = 1;
		}
		t.f = f;
		if (pcap_dispatch(f->pc, LANWATCH_BURST, on_frame, (u_char *)(void *)&t) ==
		    PCAP_ERROR) {
			snprintf(f->err, sizeof(f->err), "%s", pcap_geterr(f->pc));
			iface_failed(lw, f);
		}
	}
	if (now >= lw->stats_at) {
		check_drops(lw, now);
		lw->stats_at = now + STATS_EVERY_S;
	}
	if (now >= lw->gone_at) {
		iface_gone(lw);
		lw->gone_at = now + GONE_EVERY_S;
	}
}

/* --- batches --- */

static void to_wire_host(const struct lw_iface *f, const struct ht_host *h, struct lan_host *w)
{
	memset(w, 0, sizeof(*w));
	str_copy(w->commune, sizeof(w->commune), f->commune);
	str_copy(w->iface, sizeof(w->iface), f->name);
	memcpy(w->mac, h->mac, LF_MAC_LEN);
	for (int i = 0; i < h->naddr && w->naddr < WIRELAN_ADDRS; i++)
		w->addr[w->naddr++] = h->addr[i];
	for (int i = 0; i < h->nnames && w->nnames < WIRELAN_NAMES; i++)
		str_copy(w->names[w->nnames++], WIRELAN_NAME, h->names[i].text);
	str_copy(w->vendor, sizeof(w->vendor), h->vendor);
	str_copy(w->dhcp_vc, sizeof(w->dhcp_vc), h->dhcp_vendor_class);
	str_copy(w->dhcp_fp, sizeof(w->dhcp_fp), h->dhcp_fingerprint);
	str_copy(w->cls, sizeof(w->cls), h->likely_class);
	w->first = h->first_seen_us / 1000000;
	w->last = h->last_seen_us / 1000000;
	w->frames = h->frames;
	w->bytes = h->bytes;
}

/* lanframe's capability bits as wirelan's words: matched by name, not by position */
static unsigned wire_caps(unsigned caps)
{
	unsigned out = 0;
	for (unsigned b = 0; b < LF_CAP_COUNT; b++) {
		const char *name = (caps & (1u << b)) ? lanframe_cap_name(1u << b) : NULL;
		for (int k = 0; name && k < WIRELAN_CAPS; k++)
			if (strcmp(name, wirelan_cap_names[k]) == 0)
				out |= 1u << k;
	}
	return out;
}

static void to_wire_nbr(const struct lw_iface *f, const struct ht_neighbour *n,
			struct lan_neighbour *w)
{
	memset(w, 0, sizeof(*w));
	str_copy(w->commune, sizeof(w->commune), f->commune);
	str_copy(w->iface, sizeof(w->iface), f->name);
	memcpy(w->mac, n->mac, LF_MAC_LEN);
	str_copy(w->protocol, sizeof(w->protocol), lanframe_proto_name(n->proto));
	str_copy(w->system_name, sizeof(w->system_name), n->info.system_name);
	str_copy(w->port_id, sizeof(w->port_id), n->info.port_id);
	str_copy(w->port_descr, sizeof(w->port_descr), n->info.port_descr);
	str_copy(w->platform, sizeof(w->platform), n->info.platform);
	w->mgmt_addr = n->info.mgmt_addr;
	w->caps = wire_caps(n->info.caps);
	w->last = n->last_seen_us / 1000000;
}

struct enc {
	struct lan_host *hosts;
	struct lan_neighbour *nbrs;
	size_t hosts_left, nbrs_left; /* room in this batch */
	int more;
};

/* Interface f's changed records, as many as there is room for, into one group. */
static int encode_iface(struct lanwatch *lw, size_t ifidx, struct enc *e, struct strbuf *out)
{
	const struct lw_iface *f = &lw->ifs[ifidx];
	size_t nh = 0, nn = 0, cur = 0;
	const struct ht_host *h;
	const struct ht_neighbour *nb;
	while ((h = ht_next_changed(f->ht, &cur))) {
		if (nh == e->hosts_left) {
			e->more = 1;
			break;
		}
		to_wire_host(f, h, &e->hosts[nh]);
		lw->sent[lw->nsent++] = (struct lw_key){.ifidx = (uint16_t)ifidx, .nbr = 0};
		memcpy(lw->sent[lw->nsent - 1].mac, h->mac, LF_MAC_LEN);
		nh++;
	}
	cur = 0;
	while ((nb = ht_next_changed_neighbour(f->ht, &cur))) {
		if (nn == e->nbrs_left) {
			e->more = 1;
			break;
		}
		to_wire_nbr(f, nb, &e->nbrs[nn]);
		lw->sent[lw->nsent++] =
		    (struct lw_key){.ifidx = (uint16_t)ifidx, .nbr = 1, .proto = nb->proto};
		memcpy(lw->sent[lw->nsent - 1].mac, nb->mac, LF_MAC_LEN);
		nn++;
	}
	e->hosts_left -= nh;
	e->nbrs_left -= nn;
	if (!nh && !nn)
		return 0;
	if (wirelan_encode_group(out, f->commune, f->name, e->hosts, nh, e->nbrs, nn) < 0)
		return -1;
	return (int)(nh + nn);
}

int lanwatch_encode(struct lanwatch *lw, struct strbuf *out, int *more)
{
	struct enc e = {NULL, NULL, LANWATCH_BATCH_HOSTS, LANWATCH_BATCH_NBRS, 0};
	int put = 0;
	lw->nsent = 0;
	*more = 0;
	e.hosts = malloc(LANWATCH_BATCH_HOSTS * sizeof(*e.hosts));
	e.nbrs = malloc(LANWATCH_BATCH_NBRS * sizeof(*e.nbrs));
	for (size_t k = 0; e.hosts && e.nbrs && k < lw->n && put >= 0; k++) {
		int n = encode_iface(lw, (lw->rr + k) % lw->n, &e, out);
		put = n < 0 ? -1 : put + n;
	}
	if (!e.hosts || !e.nbrs)
		put = -1;
	free(e.hosts);
	free(e.nbrs);
	if (put < 0) {
		lw->nsent = 0;
		return -1;
	}
	lw->rr = (lw->rr + 1) % lw->n;
	*more = e.more;
	return put;
}

void lanwatch_sent(struct lanwatch *lw)
{
	for (size_t i = 0; i < lw->nsent; i++) {
		const struct lw_key *k = &lw->sent[i];
		if (k->nbr)
			ht_clear_neighbour_changed(lw->ifs[k->ifidx].ht, k->mac, k->proto);
		else
			ht_clear_host_changed(lw->ifs[k->ifidx].ht, k->mac);
	}
	lw->nsent = 0;
}

/* --- presence --- */

static int cmp_addr(const void *a, const void *b)
{
	const struct lw_addr *x = a, *y = b;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

static uint64_t all_frames(const struct lanwatch *lw)
{
	uint64_t n = 0;
	for (size_t i = 0; i < lw->n; i++)
		n += ht_stats(lw->ifs[i].ht)->frames;
	return n;
}

/* The index of every host address, sorted: made again when frames came since, at most every
 * index_every_s (a host new within that second is found a second later). */
static void index_refresh(struct lanwatch *lw)
{
	double now = mono_now();
	uint64_t frames = all_frames(lw);
	if (lw->index && (frames == lw->index_frames || now - lw->index_at < lw->index_every_s))
		return;
	size_t need = 0;
	for (size_t i = 0; i < lw->n; i++)
		need += ht_stats(lw->ifs[i].ht)->hosts * HT_ADDRS;
	if (need > lw->capindex || !lw->index) {
		struct lw_addr *p = realloc(lw->index, (need ? need : 1) * sizeof(*p));
		if (!p)
			return; /* the old index serves, checked host by host */
		lw->index = p;
		lw->capindex = need ? need : 1;
	}
	lw->nindex = 0;
	for (size_t i = 0; i < lw->n; i++) {
		size_t cur = 0;
		const struct ht_host *h;
		while ((h = ht_next(lw->ifs[i].ht, &cur)))
			for (int a = 0; a < h->naddr && lw->nindex < lw->capindex; a++)
				lw->index[lw->nindex++] = (struct lw_addr){h->addr[a], (uint16_t)i, h};
	}
	qsort(lw->index, lw->nindex, sizeof(*lw->index), cmp_addr);
	lw->index_at = now;
	lw->index_frames = frames;
}

static int host_has(const struct ht_host *h, uint32_t addr)
{
	for (int a = 0; a < h->naddr; a++)
		if (h->addr[a] == addr)
			return 1;
	return 0;
}

/* The most recently heard host of commune's LANs holding addr; its interface in *ifidx. */
static const struct ht_host *by_addr(struct lanwatch *lw, const char *commune, uint32_t addr,
				     size_t *ifidx)
{
	const struct ht_host *best = NULL;
	index_refresh(lw);
	size_t lo = 0, hi = lw->nindex;
	while (lo < hi) { /* the first entry not below addr */
		size_t mid = lo + (hi - lo) / 2;
		if (lw->index[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t k = lo; k < lw->nindex && lw->index[k].addr == addr; k++) {
		const struct lw_addr *e = &lw->index[k];
		if (strcmp(lw->ifs[e->ifidx].commune, commune) != 0 || !host_has(e->h, addr))
			continue;
		if (!best || e->h->last_seen_us > best->last_seen_us) {
			best = e->h;
			*ifidx = e->ifidx;
		}
	}
	return best;
}

/* The host heard most lately by mac (when given) or addr on commune's LANs; *where its
 * interface. NULL when none was. */
static const struct ht_host *find_host(struct lanwatch *lw, const char *commune, uint32_t addr,
				       const uint8_t *mac, size_t *where)
{
	const struct ht_host *best = NULL;
	for (size_t i = 0; mac && i < lw->n; i++) {
		const struct ht_host *h = strcmp(lw->ifs[i].commune, commune) == 0
					      ? ht_find(lw->ifs[i].ht, mac) : NULL;
		if (h && (!best || h->last_seen_us > best->last_seen_us)) {
			best = h;
			*where = i;
		}
	}
	size_t ai = 0;
	const struct ht_host *ha = addr ? by_addr(lw, commune, addr, &ai) : NULL;
	if (ha && (!best || ha->last_seen_us > best->last_seen_us)) {
		best = ha;
		*where = ai;
	}
	return best;
}

int lanwatch_seen(struct lanwatch *lw, const char *commune, uint32_t addr,
		  const uint8_t *mac, int64_t now, struct lanwatch_seen *out)
{
	size_t where = 0;
	const struct ht_host *best = find_host(lw, commune, addr, mac, &where);
	if (!best)
		return -1;
	int64_t secs = now - best->last_seen_us / 1000000;
	out->secs = secs < 0 ? 0 : secs;
	out->present = out->secs <= lw->ifs[where].presence_s;
	out->iface = lw->ifs[where].name;
	return 0;
}

int lanwatch_identity(struct lanwatch *lw, const char *commune, uint32_t addr,
		      const uint8_t *mac, struct lanwatch_ident *out)
{
	size_t where = 0;
	const struct ht_host *h = find_host(lw, commune, addr, mac, &where);
	out->vendor[0] = out->said[0] = '\0';
	if (!h)
		return -1;
	snprintf(out->vendor, sizeof(out->vendor), "%s", h->vendor);
	/* what the host says of itself only: its card's maker is weighed apart (classify.c) */
	snprintf(out->said, sizeof(out->said), "%s",
		 ht_likely_class(h->caps, h->platform, h->dhcp_vendor_class, NULL));
	return 0;
}

/* --- state --- */

size_t lanwatch_count(const struct lanwatch *lw) { return lw->n; }

const char *lanwatch_iface(const struct lanwatch *lw, size_t i)
{
	return i < lw->n ? lw->ifs[i].name : "";
}

const struct hosttable *lanwatch_table(const struct lanwatch *lw, size_t i)
{
	return i < lw->n ? lw->ifs[i].ht : NULL;
}

const char *lanwatch_error(const struct lanwatch *lw, size_t i)
{
	return i < lw->n && !lw->ifs[i].pc ? lw->ifs[i].err : "";
}

void lanwatch_stats(struct lanwatch *lw, size_t i, struct lanwatch_iface_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (i >= lw->n)
		return;
	struct lw_iface *f = &lw->ifs[i];
	const struct ht_stats *st = ht_stats(f->ht);
	struct pcap_stat ps;
	if (f->pc && pcap_stats(f->pc, &ps) == 0)
		f->drops_now = (uint64_t)ps.ps_drop + ps.ps_ifdrop;
	out->frames = st->frames;
	out->malformed = st->malformed;
	out->evicted = st->evicted;
	memcpy(out->bad, st->bad, sizeof(out->bad));
	out->hosts = st->hosts;
	out->neighbours = st->neighbours;
	out->kernel_drops = f->drops_closed + f->drops_now;
	out->opens = f->opens;
	out->failures = f->failures;
	out->open = f->pc != NULL;
}

void lanwatch_log_stats(struct lanwatch *lw)
{
	for (size_t i = 0; i < lw->n; i++) {
		struct lanwatch_iface_stats s;
		struct strbuf why;
		lanwatch_stats(lw, i, &s);
		if (strbuf_init(&why, 0) < 0)
			return;
		for (int b = LF_OK + 1; b < LF_BAD_COUNT; b++)
			if (s.bad[b])
				strbuf_printf(&why, "%s%s %llu", why.len ? ", " : " (", lanframe_bad_name(b),
					      (unsigned long long)s.bad[b]);
		if (why.len)
			strbuf_puts(&why, ")");
		log_info("lanwatch", "%s (%s): %llu frames, %llu malformed%s, %zu hosts, %llu evicted, "
			 "%zu neighbours, %llu dropped by the kernel, %llu capture failures",
			 lw->ifs[i].name, lw->ifs[i].commune, (unsigned long long)s.frames,
			 (unsigned long long)s.malformed, why.data ? why.data : "", s.hosts,
			 (unsigned long long)s.evicted, s.neighbours,
			 (unsigned long long)s.kernel_drops, (unsigned long long)s.failures);
		strbuf_free(&why);
	}
}

int lanwatch_filter_check(char *err, size_t errsz)
{
	struct bpf_program prog;
	pcap_t *pc = pcap_open_dead(DLT_EN10MB, LANWATCH_SNAPLEN);
	if (!pc)
		return snprintf(err, errsz, "pcap_open_dead: out of memory"), -1;
	int rc = pcap_compile(pc, &prog, LANWATCH_FILTER, 1, PCAP_NETMASK_UNKNOWN);
	if (rc < 0)
		snprintf(err, errsz, "%s", pcap_geterr(pc));
	else
		pcap_freecode(&prog);
	pcap_close(pc);
	return rc < 0 ? -1 : 0;
}
