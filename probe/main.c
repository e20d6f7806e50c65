/* hbmon-probe: polls the devices assigned to it and posts their samples to the collector. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>

#include "assign.h"
#include "assignment.h"
#include "clock.h"
#include "config.h"
#include "filecheck.h"
#include "inventory.h"
#include "lanconf.h"
#include "lanwatch.h"
#include "log.h"
#include "mibcheck.h"
#include "oui.h"
#include "pcapcmd.h"
#include "privdrop.h"
#include "ping.h"
#include "poller.h"
#include "profile.h"
#include "schedule.h"
#include "secretfile.h"
#include "spool.h"
#include "strbuf.h"
#include "uplink.h"
#include "webcheck.h"
#include "wire.h"

#define FLUSH_MS 1000          /* a partial batch waits at most this long */
#define BATCH_MAX_BYTES (2u << 20)
#define BACKOFF_MAX 2 /* intervals between polls of a device that stopped answering, at most */
#define PING_GAP_MS 100 /* between the echoes of one check */
#define FIRST_ROUND_PER_S 16.0 /* first polls started per second, at most (1,000 devices: 60 s) */
#define LAN_FLUSH_MAX_S 60 /* LAN changes wait at most min(interval, this) without samples */
#ifndef HBMON_PROFILES_DIR
#define HBMON_PROFILES_DIR "/usr/share/hbmon/profiles"
#endif

struct probe {
	struct hbmon_config *cfg;
	char secret[128]; /* proves this probe's name to the collector */
	struct inventory *inv;
	struct profiles *profiles;
	struct poll_target *targets;
	struct poll_memory *mem;
	unsigned *fails; /* consecutive polls without an answer */
	double *due; /* per target: its next poll, CLOCK_MONOTONIC seconds */
	struct schedule sched; /* targets not being polled, by due time */
	unsigned char *bad_logged; /* per target: bad values already reported once */
	size_t ntargets;
	/*
	 * A device's round: an ICMP check (every device with an IPv4 address and no SNMP, and
	 * with ping_snmp the others), then its web page if it has a url, then its SNMP poll. The
	 * checks ride in the sample as the "icmp" and "http" groups; without SNMP they make the
	 * sample.
	 */
	struct pinger *pinger;
	char ping_off[160];         /* why there is no pinger */
	struct webcheck *web;
	const char **url;           /* per target: the inventory's url, or NULL */
	const unsigned char **mac;  /* per target: the inventory's MAC, or NULL */
	unsigned char *snmp_next;   /* per target: checked, its SNMP poll comes next */
	struct ping_result *ping;   /* per target: this round's ICMP check (sent 0: none) */
	struct web_result *page;    /* per target: this round's web check */
	unsigned char *fetched;     /* per target: page holds this round's */
	struct poller *poller;
	struct spool *spool; /* every batch, until the collector has it */
	int spool_failing;   /* for one log line per streak of failed appends */
	struct uplink *uplink;
	struct strbuf batch; /* comma-separated encoded samples */
	size_t nbatch;
	double batch_started;
	size_t polled; /* finished polls, for --once */
	int once;
	/* the assignment: digest of the devices polled, as the collector makes it of the ones it
	 * assigns (assignment_digest: same rows, same digest, wherever they were read), and the
	 * collector's digest
	 * this probe restarted for last (from the environment): a fetch that failed after the
	 * restart must not restart it again for the same one */
	uint64_t assignment, restarted_for;
	int64_t restarted_at; /* when, by clock_now(): the same one is tried again after a while */
	int assignment_served; /* collector_url lets it be fetched */
	/* the passive LAN watch ([probe] capture): its changes ride in the batches; a device
	 * without SNMP heard on its commune's LAN lately is up even when it ignores ping */
	struct lanwatch *lan;
	struct oui_table *oui;
	struct lanwatch_seen *seen; /* per target: this round's sighting (iface NULL: none) */
	struct lanwatch_ident *ident; /* per target to classify: what its LAN told of it */
	double lan_due;             /* a batch goes by then even without samples */
	int restart;           /* stopped to start again with a new assignment */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A full volume loses this batch, not the probe: polling goes on and the loss is counted.
 * 0 once the batch is in the spool (delivery is then the uplink's), -1 lost. */
static int spool_batch(struct probe *pr, const char *data, size_t len)
{
	uint64_t seq = spool_last_seq(pr->spool) + 1;
	if (spool_append(pr->spool, seq, (int64_t)clock_now(), data, len) == 0) {
		if (pr->spool_failing)
			log_info("probe", "spool: writing again; %llu batches lost meanwhile",
				 (unsigned long long)spool_stats(pr->spool)->lost_batches);
		pr->spool_failing = 0;
		return 0;
	}
	if (!pr->spool_failing)
		log_warn("probe", "spool: batch of %zu samples lost (the spool's volume full or "
			 "failing?); polling goes on", pr->nbatch);
	pr->spool_failing = 1;
	return -1;
}

/* The LAN watch's changes for the next batch into lan: records put, 0 none (or no memory:
 * they wait for the next batch). */
static int lan_changes(struct probe *pr, struct strbuf *lan)
{
	int more = 0, n = pr->lan ? lanwatch_encode(pr->lan, lan, &more) : 0;
	double period = pr->cfg->interval < LAN_FLUSH_MAX_S ? pr->cfg->interval : LAN_FLUSH_MAX_S;
	/* a backlog beyond one batch (a LAN's first minute) follows at the pace of samples */
	pr->lan_due = mono_now() + (more ? FLUSH_MS / 1000.0 : period);
	if (n < 0)
		log_warnx("probe", "out of memory: LAN changes wait for the next batch");
	return n < 0 ? 0 : n;
}

static void flush_batch(struct probe *pr)
{
	struct strbuf body, lan;
	int nlan = strbuf_init(&lan, 0) == 0 ? lan_changes(pr, &lan) : 0;
	if (pr->nbatch == 0 && nlan == 0) {
		strbuf_free(&lan);
		return;
	}
	if (strbuf_init(&body, 0) < 0 ||
	    wire_encode_batch_lan(&body, pr->cfg->probe_name, spool_epoch(pr->spool),
				  spool_last_seq(pr->spool) + 1, pr->batch.data, pr->batch.len,
				  lan.data, nlan ? lan.len : 0) < 0)
		log_warnx("probe", "out of memory: batch of %zu samples dropped", pr->nbatch);
	else if (spool_batch(pr, body.data, body.len) == 0 && nlan) {
		lanwatch_sent(pr->lan); /* the spool delivers them now */
		log_debug("probe", "batch %llu: %d LAN records",
			  (unsigned long long)spool_last_seq(pr->spool), nlan);
	}
	strbuf_free(&body);
	strbuf_free(&lan);
	pr->batch.len = 0;
	pr->batch.data[0] = '\0';
	pr->batch.overflow = 0;
	pr->nbatch = 0;
}

static void add_to_batch(struct probe *pr, const struct poll_target *t,
			 const struct dev_sample *s);
static int lan_lookup(struct probe *pr, size_t id);

static void on_sample(void *ctx, const struct poll_target *t, const struct dev_sample *s)
{
	struct probe *pr = ctx;
	struct poll_target *tt = &pr->targets[t->id];
	pr->polled++;
	/* a classified device (tt->prof NULL) stays one: its class memory (clsmem.h) keeps the
	 * class between polls and weighs it again only when the device may have changed; pinning
	 * the first profile here would hide a replaced device for good */
	if (s->up) {
		pr->fails[t->id] = 0;
		tt->retries = -1;
	} else {
		/* a silent device costs one timeout, not timeout x retries, and is asked less often,
		 * but never less than every BACKOFF_MAX intervals */
		unsigned f = ++pr->fails[t->id];
		tt->retries = 0;
		double skip = f >= 2 ? (f - 1 < 8 ? (double)(1u << (f - 1)) : 256.0) : 1.0;
		if (skip > BACKOFF_MAX)
			skip = BACKOFF_MAX;
		pr->due[t->id] += (skip - 1.0) * pr->cfg->interval;
	}
	if (!pr->once)
		schedule_push(&pr->sched, t->id, pr->due[t->id]);
	if (s->error[0])
		log_debug("poll", "%s/%s: %s", s->commune, s->device, s->error);
	/* a device sending nonsense is named once, not every interval */
	if (s->bad_values && !pr->bad_logged[t->id]) {
		log_warnx("poll", "%s/%s (%s): %u bad values ignored, first %s", s->commune,
			  s->device, t->host, s->bad_values, s->bad_first);
		pr->bad_logged[t->id] = 1;
	}
	/* a silent agent stays down (as when the host answers ping), its sighting noted */
	if (!s->up)
		lan_lookup(pr, t->id);
	add_to_batch(pr, t, s);
}

/* The check's row: round-trip times of the echoes answered, the share lost. */
static size_t icmp_row(const struct ping_result *r, struct group_row *row, struct metric_val *v)
{
	size_t n = 0;
	memset(row, 0, sizeof(*row));
	snprintf(row->group, sizeof(row->group), "icmp");
	if (r->received) {
		v[n] = (struct metric_val){.name = "rtt_ms", .kind = MV_GAUGE, .gauge = r->rtt_avg_ms};
		n++;
		v[n] = (struct metric_val){.name = "rtt_max_ms", .kind = MV_GAUGE, .gauge = r->rtt_max_ms};
		n++;
	}
	v[n] = (struct metric_val){.name = "loss_pct", .kind = MV_GAUGE,
				   .gauge = r->sent ? 100.0 * (r->sent - r->received) / r->sent : 100.0};
	n++;
	row->vals = v;
	row->nvals = n;
	return n;
}

/* The web page's row: its status, how long it took, whether it was served ("ok" is 1 or 0;
 * its label says which in words the catalogues know, as an enumeration's would). */
static void http_row(const struct web_result *r, struct group_row *row, struct metric_val *v,
		     struct metric_label *ok)
{
	size_t n = 0;
	memset(row, 0, sizeof(*row));
	snprintf(row->group, sizeof(row->group), "http");
	*ok = (struct metric_label){.name = "ok"};
	snprintf(ok->label, sizeof(ok->label), "%s", r->ok ? "reachable" : "unreachable");
	row->labels = ok;
	row->nlabels = 1;
	v[n++] = (struct metric_val){.name = "ok", .kind = MV_GAUGE, .gauge = r->ok};
	if (r->status) {
		v[n++] = (struct metric_val){.name = "status", .kind = MV_GAUGE, .gauge = (double)r->status};
		v[n++] = (struct metric_val){.name = "time_ms", .kind = MV_GAUGE, .gauge = r->time_ms};
	}
	row->vals = v;
	row->nvals = n;
}

/* The LAN watch's row: seconds since the device was last heard on its commune's LAN. */
static void lan_row(const struct lanwatch_seen *w, struct group_row *row, struct metric_val *v)
{
	memset(row, 0, sizeof(*row));
	snprintf(row->group, sizeof(row->group), "lan");
	v[0] = (struct metric_val){.name = "seen_secs", .kind = MV_GAUGE, .gauge = (double)w->secs};
	row->vals = v;
	row->nvals = 1;
}

/* Was the device heard on a LAN of its commune? By its MAC when the inventory gives one (an
 * address changes with DHCP, or another host takes it), else by its address. pr->seen[id]
 * says when (iface NULL: never). */
/* The target's IPv4 address in host order; 0 for a name or an IPv6 address. */
static uint32_t target_addr(const struct poll_target *t)
{
	struct in_addr a;
	return inet_pton(AF_INET, t->host, &a) == 1 ? ntohl(a.s_addr) : 0;
}

static int lan_lookup(struct probe *pr, size_t id)
{
	const struct poll_target *t = &pr->targets[id];
	uint32_t addr = target_addr(t);
	pr->seen[id].iface = NULL;
	if (!pr->lan || (!addr && !pr->mac[id]) ||
	    lanwatch_seen(pr->lan, t->commune, pr->mac[id] ? 0 : addr, pr->mac[id],
			  (int64_t)clock_now(), &pr->seen[id]) < 0) {
		pr->seen[id].iface = NULL;
		return 0;
	}
	return 1;
}

/* Encodes s into the batch, with the device's ICMP and web checks and its LAN sighting as
 * group rows. */
static void add_to_batch(struct probe *pr, const struct poll_target *t, const struct dev_sample *s)
{
	size_t mark = pr->batch.len, id = t->id;
	struct dev_sample with = *s;
	struct group_row *rows = NULL;
	struct metric_val ivals[3], hvals[3], lval[1];
	struct metric_label hlabel;
	const struct lanwatch_seen *seen = pr->seen[id].iface ? &pr->seen[id] : NULL;
	int extra = (pr->ping[id].sent != 0) + pr->fetched[id] + (seen != NULL);
	if (extra && s->nrows + (size_t)extra <= WIRE_MAX_ROWS &&
	    (rows = malloc((s->nrows + (size_t)extra) * sizeof(*rows)))) {
		if (s->nrows)
			memcpy(rows, s->rows, s->nrows * sizeof(*rows));
		with.rows = rows;
		if (pr->ping[id].sent)
			icmp_row(&pr->ping[id], &rows[with.nrows++], ivals);
		if (pr->fetched[id])
			http_row(&pr->page[id], &rows[with.nrows++], hvals, &hlabel);
		if (seen)
			lan_row(seen, &rows[with.nrows++], lval);
	}
	/* an agent silent while the host answers: say so, it narrows the fault down */
	if (!s->up && pr->ping[id].sent && pr->ping[id].received && t->cred)
		snprintf(with.error, sizeof(with.error), "%.90s (the host answers ping)", s->error);
	else if (!s->up && seen && seen->present)
		snprintf(with.error, sizeof(with.error), "%.80s (heard on the LAN %llds ago)", s->error,
			 (long long)seen->secs);
	pr->ping[id].sent = 0;
	pr->fetched[id] = 0;
	pr->seen[id].iface = NULL;
	if (pr->nbatch == 0)
		pr->batch_started = mono_now();
	int bad = (pr->nbatch && strbuf_puts(&pr->batch, ",") < 0) ||
		  wire_encode_sample(&pr->batch, &with) < 0;
	free(rows);
	if (bad) {
		pr->batch.len = mark;
		pr->batch.overflow = 0;
		log_warnx("probe", "%s/%s: sample could not be encoded; dropped", s->commune,
			  s->device);
		return;
	}
	/* batches stay well under the collector's body limit, whatever the devices' size */
	if (++pr->nbatch >= (size_t)pr->cfg->batch_max || pr->batch.len >= BATCH_MAX_BYTES)
		flush_batch(pr);
}

static int build_targets(struct probe *pr)
{
	const struct inventory *inv = pr->inv;
	pr->targets = calloc(inv->ndevices ? inv->ndevices : 1, sizeof(*pr->targets));
	pr->due = calloc(inv->ndevices ? inv->ndevices : 1, sizeof(*pr->due));
	pr->bad_logged = calloc(inv->ndevices ? inv->ndevices : 1, 1);
	pr->mem = calloc(inv->ndevices ? inv->ndevices : 1, sizeof(*pr->mem));
	pr->fails = calloc(inv->ndevices ? inv->ndevices : 1, sizeof(*pr->fails));
	size_t n1 = inv->ndevices ? inv->ndevices : 1;
	pr->url = calloc(n1, sizeof(*pr->url));
	pr->mac = calloc(n1, sizeof(*pr->mac));
	pr->snmp_next = calloc(n1, 1);
	pr->ping = calloc(n1, sizeof(*pr->ping));
	pr->page = calloc(n1, sizeof(*pr->page));
	pr->fetched = calloc(n1, 1);
	pr->seen = calloc(n1, sizeof(*pr->seen));
	pr->ident = calloc(n1, sizeof(*pr->ident));
	if (!pr->targets || !pr->due || !pr->bad_logged || !pr->mem || !pr->fails || !pr->url ||
	    !pr->mac || !pr->snmp_next || !pr->ping || !pr->page || !pr->fetched || !pr->seen ||
	    !pr->ident ||
	    schedule_init(&pr->sched, inv->ndevices) < 0)
		return -1;
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		if (!d->host[0] && !d->url[0]) /* listed equipment, not on the network */
			continue;
		if (!d->cred[0] && !d->url[0] && strchr(d->host, ':')) {
			log_warnx("probe", "%s: line %d: \"%s\" has no SNMP credential and an IPv6 address: "
				  "ICMP checks are IPv4 only; not checked", pr->cfg->inventory, d->line, d->name);
			continue;
		}
		/* the collector takes a device's samples only from its own probe */
		const char *owner = d->probe[0] ? d->probe : pr->cfg->default_probe;
		if (strcmp(owner, pr->cfg->probe_name) != 0)
			continue;
		struct poll_target *t = &pr->targets[pr->ntargets];
		t->commune = inv->communes[d->commune].name;
		t->device = d->name;
		t->host = d->host;
		t->port = d->port;
		t->cred = d->cred[0] ? config_cred(pr->cfg, d->cred) : NULL;
		pr->url[pr->ntargets] = d->url[0] ? d->url : NULL;
		pr->mac[pr->ntargets] = d->has_mac ? d->mac : NULL;
		t->prof = d->cls_auto ? NULL : profiles_find(pr->profiles, devclass_name(d->cls));
		t->mem = &pr->mem[pr->ntargets];
		t->retries = -1;
		t->id = pr->ntargets;
		pr->ntargets++;
	}
	/* spread first polls so a large fleet does not burst, over one interval at most: a
	 * district's fleet is all on the dashboard within seconds of a start */
	double now = mono_now();
	double spread = (double)pr->ntargets / FIRST_ROUND_PER_S;
	if (spread > pr->cfg->interval)
		spread = pr->cfg->interval;
	for (size_t i = 0; i < pr->ntargets; i++) {
		pr->due[i] = pr->once ? now : now + spread * (double)i / (double)pr->ntargets;
		schedule_push(&pr->sched, i, pr->due[i]);
	}
	return 0;
}

/* A device without SNMP: its sample is its checks alone, the web page's when it has one. */
static void check_sample(struct probe *pr, size_t id)
{
	struct poll_target *t = &pr->targets[id];
	const struct ping_result *pg = &pr->ping[id];
	const struct web_result *wr = &pr->page[id];
	struct dev_sample s;
	memset(&s, 0, sizeof(s));
	snprintf(s.commune, sizeof(s.commune), "%s", t->commune);
	snprintf(s.device, sizeof(s.device), "%s", t->device);
	s.ts = (int64_t)clock_now();
	s.rtt_ms = -1;
	if (pr->url[id]) {
		s.up = wr->ok;
		if (wr->ok)
			s.rtt_ms = (int)(wr->time_ms + 0.5);
		else
			snprintf(s.error, sizeof(s.error), "%.120s", wr->error);
	} else {
		s.up = pg->received > 0;
		if (s.up)
			s.rtt_ms = (int)(pg->rtt_avg_ms + 0.5);
		else if (pg->error[0] || !pg->sent)
			snprintf(s.error, sizeof(s.error), "%.95s", pg->error[0] ? pg->error : pr->ping_off);
		else
			snprintf(s.error, sizeof(s.error), "no answer to %d ICMP echo requests", pg->sent);
		/* presence as reachability: a terminal that ignores ping but talks on its LAN
		 * (ARP, DHCP) is on; it goes down presence_minutes after its last frame */
		if (!s.up && lan_lookup(pr, id) && pr->seen[id].present) {
			s.up = 1;
			s.error[0] = '\0';
		} else if (!s.up && pr->seen[id].iface) {
			size_t len = strlen(s.error);
			snprintf(s.error + len, sizeof(s.error) - len, "; last heard on the LAN %llds ago",
				 (long long)pr->seen[id].secs);
		}
	}
	pr->polled++;
	if (!pr->once)
		schedule_push(&pr->sched, id, pr->due[id]);
	add_to_batch(pr, t, &s);
}

/* Starts the SNMP poll of target i; one the inventory left without a class takes what its
 * LAN told of it (classify.h) along. */
static void start_snmp(struct probe *pr, size_t i)
{
	struct poll_target *t = &pr->targets[i];
	if (!t->prof && pr->lan) {
		lanwatch_identity(pr->lan, t->commune, pr->mac[i] ? 0 : target_addr(t), pr->mac[i],
				  &pr->ident[i]);
		t->lan_vendor = pr->ident[i].vendor;
		t->lan_said = pr->ident[i].said;
	}
	poller_start(pr->poller, t);
}

/* The device's next step once `done` (0 nothing, 1 the ICMP check, 2 the web page) is. */
static void next_step(struct probe *pr, size_t i, int done)
{
	const struct poll_target *t = &pr->targets[i];
	int pingable = t->host[0] && !strchr(t->host, ':');
	if (done < 1 && pingable && pr->pinger && (!t->cred || pr->cfg->ping_snmp)) {
		pinger_start(pr->pinger, t->host, i);
		return;
	}
	if (done < 2 && pr->url[i]) {
		webcheck_start(pr->web, pr->url[i], i);
		return;
	}
	if (!t->cred) {
		check_sample(pr, i);
	} else if (done == 0) {
		start_snmp(pr, i);
	} else { /* the SNMP poll follows at once, within the window */
		pr->snmp_next[i] = 1;
		schedule_push(&pr->sched, i, mono_now());
	}
}

static void on_ping(void *ctx, size_t id, const struct ping_result *r)
{
	struct probe *pr = ctx;
	pr->ping[id] = *r; /* nothing sent (an IPv6 address): no row */
	next_step(pr, id, 1);
}

static void on_page(void *ctx, size_t id, const struct web_result *r)
{
	struct probe *pr = ctx;
	pr->page[id] = *r;
	pr->fetched[id] = 1;
	next_step(pr, id, 2);
}

/* Starts every due poll the in-flight window allows; returns seconds to the next due one. */
static double start_due(struct probe *pr)
{
	double now = mono_now(), due;
	size_t i;
	/* polls due within the next moment start together: their answers then share the loop's
	 * wake-ups instead of waking it one by one (each device still comes once an interval) */
	double slack = pr->cfg->interval >= 10 ? 1.0 : pr->cfg->interval / 10.0;
	while (schedule_peek(&pr->sched, &i, &due) == 0) {
		if (due > now + slack)
			return due - now; /* then all due in the following moment go at once */
		/* the window counts devices that answer; silent ones wait aside (bounded, for fds) */
		if (poller_active(pr->poller) >= pr->cfg->max_inflight ||
		    poller_inflight(pr->poller) >= 4 * pr->cfg->max_inflight)
			return 1;
		schedule_pop(&pr->sched);
		if (pr->snmp_next[i]) { /* checked a moment ago: now SNMP */
			pr->snmp_next[i] = 0;
			start_snmp(pr, i);
			continue;
		}
		pr->due[i] = due + pr->cfg->interval;
		if (pr->due[i] < now) /* fell behind: do not try to catch up in a burst */
			pr->due[i] = now + pr->cfg->interval;
		pr->ping[i].sent = 0;
		pr->fetched[i] = 0;
		next_step(pr, i, 0);
	}
	return 1e9;
}

/* The collector's answer says its inventory gives this probe other devices than it polls: the
 * probe starts again (re-executes itself) to fetch them. Its spool carries over. A start whose
 * fetch failed (the collector busy, say) is tried again for the same assignment, not at once
 * (a failing fetch must not loop) but after ASSIGNMENT_RETRY_S. */
#define ASSIGNMENT_RETRY_S 600
static int assignment_changed(struct probe *pr)
{
	uint64_t d = uplink_assignment(pr->uplink);
	int64_t now = (int64_t)clock_now();
	if (pr->once || !pr->assignment_served || !d || d == pr->assignment ||
	    (d == pr->restarted_for && now - pr->restarted_at < ASSIGNMENT_RETRY_S &&
	     now >= pr->restarted_at))
		return 0;
	log_info("probe", "the collector's assignment for this probe changed: starting again "
		 "to poll it");
	pr->restarted_for = d;
	pr->restarted_at = now;
	return 1;
}

static int run(struct probe *pr)
{
	double deadline = 0;
	while (!stop_requested) {
		fd_set r, w, e;
		int maxfd = -1;
		double wait = start_due(pr);
		FD_ZERO(&r);
		FD_ZERO(&w);
		FD_ZERO(&e);
		if (pr->nbatch) {
			double left = pr->batch_started + FLUSH_MS / 1000.0 - mono_now();
			if (left <= 0) {
				flush_batch(pr);
			} else if (left < wait) {
				wait = left;
			}
		}
		/* LAN changes go out even while no device is polled */
		if (pr->lan && mono_now() >= pr->lan_due)
			flush_batch(pr);
		if (pr->once && pr->polled >= pr->ntargets) {
			flush_batch(pr);
			if (uplink_pending(pr->uplink) == 0)
				return 0;
			if (deadline == 0)
				deadline = mono_now() + 30;
			if (mono_now() > deadline) {
				log_warnx("probe", "collector did not take all batches in 30 s");
				return 1;
			}
		}
		if (wait > 1)
			wait = 1;
		struct timeval tv = {(time_t)wait, (suseconds_t)((wait - (double)(time_t)wait) * 1e6)};
		poller_fdset(pr->poller, &maxfd, &r, &tv);
		if (pr->pinger)
			pinger_fdset(pr->pinger, &maxfd, &r, &tv);
		if (pr->web)
			webcheck_fdset(pr->web, &maxfd, &r, &w, &e, &tv);
		uplink_fdset(pr->uplink, &maxfd, &r, &w, &e, &tv);
		if (pr->lan)
			lanwatch_fdset(pr->lan, &maxfd, &r, &tv);
		int n = select(maxfd + 1, &r, &w, &e, &tv);
		if (n < 0 && errno != EINTR) {
			log_warn("probe", "select");
			return 1;
		}
		poller_dispatch(pr->poller, &r, n);
		if (pr->pinger)
			pinger_dispatch(pr->pinger, &r);
		if (pr->web)
			webcheck_dispatch(pr->web);
		uplink_dispatch(pr->uplink);
		if (pr->lan)
			lanwatch_dispatch(pr->lan, &r);
		if (assignment_changed(pr)) {
			pr->restart = 1;
			break;
		}
	}
	flush_batch(pr);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: hbmon-probe [-c FILE] [--check-config] [--once] [-v]\n"
		"       hbmon-probe poll HOST[:PORT] [-v 1|2c|3] [-c COMMUNITY | -u USER -l LEVEL\n"
		"                        -a PROTO -A PASS -x PROTO -X PASS] [-t SECONDS] [-r RETRIES]\n"
		"                        [--credential NAME [--config FILE]] [--class CLASS]\n"
		"                        [--profiles DIR]\n"
		"       hbmon-probe pcap FILE [--oui PATH]\n"
		"       hbmon-probe watch IFACE [--seconds N] [--oui PATH]\n"
		"  -c, --config FILE   main configuration (default /etc/hbmon/hbmon.conf)\n"
		"      --check-config  validate configuration, inventory and profiles, then exit\n"
		"      --once          poll every device once, deliver the samples, exit\n"
		"  -v, --verbose       debug logging\n"
		"  poll                poll one device with its profile and print what was found as\n"
		"                      JSON (net-snmp's option letters; exit 0 if it answered);\n"
		"                      secrets from --credential NAME (the configuration's\n"
		"                      credentials file) or HBMON_SNMP_COMMUNITY,\n"
		"                      HBMON_SNMP_AUTH_PASSWORD, HBMON_SNMP_PRIV_PASSWORD\n"
		"  pcap, watch         the hosts and LLDP / CDP neighbours heard in a saved capture,\n"
		"                      or live on IFACE for N seconds (30), as JSON\n");
}

/* The profiles folder: the configured one, else the source tree's next to a build's binary,
 * else the installed one. */
static void profiles_dir(const char *configured, char *out, size_t outsz)
{
	char exe[PATH_MAX], cand[PATH_MAX + 32];
	if (configured && configured[0]) {
		snprintf(out, outsz, "%s", configured);
		return;
	}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		snprintf(cand, sizeof(cand), "%s/../profiles/classify.conf", dirname(exe));
		if (access(cand, R_OK) == 0) {
			cand[strlen(cand) - strlen("/classify.conf")] = '\0';
			snprintf(out, outsz, "%s", cand);
			return;
		}
	}
	snprintf(out, outsz, "%s", HBMON_PROFILES_DIR);
}

static struct profiles *load_profiles(const char *configured, struct errlist *errs)
{
	char dir[PATH_MAX];
	profiles_dir(configured, dir, sizeof(dir));
	return profiles_load(dir, errs);
}

/* The profiles' MIB names against the MIB files there are: the project's mibs/ beside the
 * profiles, the system's net-snmp folders, or [probe] mib_dirs ("none": no check). */
static void check_mib_names(const struct profiles *ps, const char *configured,
			    struct errlist *errs)
{
	char dirs[4096];
	if (strcmp(configured, "none") == 0)
		return;
	if (configured[0])
		snprintf(dirs, sizeof(dirs), "%s", configured);
	else
		snprintf(dirs, sizeof(dirs), "%s/../mibs:/usr/share/snmp/mibs:"
			 "/usr/share/snmp/mibs/iana:/usr/share/snmp/mibs/ietf", ps->dir);
	int unknown = 0, found = mibcheck_profiles(ps, dirs, &unknown, errs);
	if (found >= 0)
		log_info("probe", "profiles: %d MIB names checked against the MIB files in %s (%d "
			 "not in them)", found, dirs, unknown);
}

static const struct file_role ca_file = {
	"the collector's certificate",
	"point [probe] ca_file at it (empty: the system's CAs verify the collector)",
	"copy the collector's tls.crt there", 0};

/* Each step adds what it finds wrong to errs; pr->cfg is loaded. */
static void load_inventory(struct probe *pr, struct errlist *errs)
{
	pr->inv = inventory_load_configured(pr->cfg, errs);
}

/* Each capture's commune, against the configured inventory (the collector's assignment for
 * this probe holds the same communes, or a subset). */
static void check_capture_step(struct probe *pr, struct errlist *errs)
{
	lanconf_resolve(pr->cfg, pr->inv, errs);
}

static void load_profiles_step(struct probe *pr, struct errlist *errs)
{
	char dir[PATH_MAX];
	profiles_dir(pr->cfg->profiles, dir, sizeof(dir));
	if (access(dir, R_OK | X_OK) < 0) {
		errlist_add(errs, "%s: cannot read the profiles folder: %s: point [probe] profiles at "
			    "it (%s once installed)", dir, strerror(errno), HBMON_PROFILES_DIR);
		return;
	}
	pr->profiles = profiles_load(dir, errs);
}

static void check_collector_url(struct probe *pr, struct errlist *errs)
{
	char why[PATH_MAX + 128];
	if (uplink_check_url(pr->cfg->collector_url, why, sizeof(why)) < 0)
		errlist_add(errs, "%s: [probe] collector_url: %s%s", pr->cfg->path, why,
			    strstr(pr->cfg->collector_url, "://") ? ""
			    : " (expected https://COLLECTOR:PORT/api/v1/ingest)");
}

/* A CA file curl cannot use would fail every post, each with a TLS error: named at start. */
static void check_ca_file(struct probe *pr, struct errlist *errs)
{
	char why[1024];
	const char *path = pr->cfg->ca_file;
	gnutls_datum_t d = {NULL, 0};
	gnutls_x509_crt_t *crts = NULL;
	unsigned n = 0;
	if (!path[0])
		return;
	if (file_check_readable(path, &ca_file, why, sizeof(why)) < 0) {
		errlist_add(errs, "%s", why);
		return;
	}
	int rc = gnutls_load_file(path, &d);
	if (rc >= 0)
		rc = gnutls_x509_crt_list_import2(&crts, &n, &d, GNUTLS_X509_FMT_PEM, 0);
	for (unsigned i = 0; rc >= 0 && i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (rc >= 0)
		gnutls_free(crts);
	gnutls_free(d.data);
	if (rc < 0 || !n)
		errlist_add(errs, "%s: [probe] ca_file: not a PEM certificate (GnuTLS: %s): copy the "
			    "collector's tls.crt there, or the certificate of the CA that signed it", path,
			    rc < 0 ? gnutls_strerror(rc) : "none in the file");
}

static void read_secret(struct probe *pr, struct errlist *errs)
{
	char why[PATH_MAX + 256];
	const char *path = pr->cfg->secret_file;
	/* none yet: the fix is the collector administrator's, who issues the secret */
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		errlist_add(errs, "%s: no secret for probe %s (No such file or directory): the "
			    "collector's administrator issues one with 'hbmon-collector probe add %s "
			    "--secret-file FILE'; put it there, mode 600", path, pr->cfg->probe_name,
			    pr->cfg->probe_name);
		return;
	}
	if (secret_file_read(path, pr->secret, sizeof(pr->secret), why, sizeof(why)) < 0)
		errlist_add(errs, "%s", why);
}

/* Only over sound profiles: it checks their names, not their files. */
static void check_mib_step(struct probe *pr, struct errlist *errs)
{
	if (pr->profiles && !errlist_count(errs))
		check_mib_names(pr->profiles, pr->cfg->mib_dirs, errs);
}

/* 0, or -1 with the errors printed (check_only) or in line (the daemon).
 * The daemon stops at the first failed step: the later ones' errors would follow from it. */
static int load(struct probe *pr, const char *path, int check_only, char *line, size_t linesz)
{
	static void (*const steps[])(struct probe *, struct errlist *) = {
		load_inventory, check_capture_step, load_profiles_step, check_mib_step,
		check_collector_url, check_ca_file, read_secret};
	struct errlist errs = {0};
	pr->cfg = config_load(path, &errs);
	if (pr->cfg) /* the mail server's password is the collector's */
		config_keep_secrets(pr->cfg, CONFIG_SNMP_SECRETS);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && pr->cfg; i++)
		if (check_only || !errlist_count(&errs))
			steps[i](pr, &errs);
	int nerr = (int)errlist_count(&errs);
	if (nerr && !check_only) {
		errlist_first_line(&errs, "hbmon-probe", path, line, linesz);
	} else if (nerr) {
		errlist_print(&errs, stderr);
		fprintf(stderr, "%d configuration error%s\n", nerr, nerr == 1 ? "" : "s");
	} else if (check_only) {
		printf("configuration OK: %zu communes, %zu sites, %zu devices, %zu profiles, %zu "
		       "classification rules\n", pr->inv->ncommunes, pr->inv->nsites,
		       pr->inv->ndevices, pr->profiles->np, pr->profiles->nrules);
	}
	errlist_free(&errs);
	return nerr ? -1 : 0;
}

static void on_poll_sample(void *ctx, const struct poll_target *t, const struct dev_sample *s)
{
	struct strbuf *out = ctx;
	(void)t;
	struct strbuf enc;
	if (strbuf_init(&enc, 0) < 0 || wire_encode_sample(&enc, s) < 0) {
		strbuf_free(&enc);
		return;
	}
	json_object *o = json_tokener_parse(enc.data);
	strbuf_free(&enc);
	if (!o)
		return;
	json_object_object_del(o, "commune");
	json_object_object_del(o, "device");
	json_object_object_add(o, "host", json_object_new_string(t->host));
	json_object_object_add(o, "port", json_object_new_int(t->port));
	json_object_object_add(o, "version", json_object_new_string(
		t->cred->version == 1 ? "1" : t->cred->version == 2 ? "2c" : "3"));
	/* the classification's evidence (class_auto, class_confidence, class_why, class_vendor)
	 * is the sample's own, as the collector gets it */
	json_object_object_add(o, "classified", json_object_new_boolean(t->prof == NULL));
	if (s->bad_values) {
		json_object_object_add(o, "bad_values", json_object_new_int((int)s->bad_values));
		json_object_object_add(o, "bad_first", json_object_new_string(s->bad_first));
	}
	const char *txt = json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	strbuf_puts(out, txt);
	strbuf_puts(out, "\n");
	json_object_put(o);
}

/* -t: seconds as net-snmp takes them (0.5 allowed), over 0 and at most 60. */
static int parse_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v <= 60))
		return 0;
	*out = v;
	return 1;
}

/* `poll`'s secrets from the environment, when set (not visible in ps, unlike arguments). */
static int poll_secrets_from_env(struct snmp_cred *c)
{
	static const char *const env[] = {"HBMON_SNMP_COMMUNITY", "HBMON_SNMP_AUTH_PASSWORD",
					  "HBMON_SNMP_PRIV_PASSWORD"};
	char *dst[] = {c->community, c->auth_pass, c->priv_pass};
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(env[i]);
		if (v && str_copy(dst[i], CFG_NAME_MAX, v) < 0) {
			fprintf(stderr, "hbmon-probe poll: %s: too long\n", env[i]);
			return -1;
		}
	}
	return 0;
}

/* `poll --credential NAME`: the credential as the daemon uses it, from the configuration's
 * credentials file (which must be private, as for the daemon). */
static int poll_credential(struct snmp_cred *c, const char *name, const char *config)
{
	struct errlist errs = {0};
	struct hbmon_config *cfg = config_load(config, &errs);
	const struct snmp_cred *found = cfg && !errlist_count(&errs) ? config_cred(cfg, name) : NULL;
	if (found)
		*c = *found;
	else if (cfg && !errlist_count(&errs))
		fprintf(stderr, "hbmon-probe poll: no credential [%s] in %s\n", name,
			cfg->credentials);
	errlist_print(&errs, stderr);
	errlist_free(&errs);
	if (cfg)
		config_keep_secrets(cfg, 0);
	config_free(cfg);
	return found ? 0 : -1;
}

/* A secret given as an argument: used, then wiped from argv (ps shows the blanks), with a
 * word on the better ways. */
static void secret_argument(int opt, char *arg)
{
	fprintf(stderr, "hbmon-probe poll: -%c: a secret on the command line can be seen by every "
		"user while it starts (ps); use --credential NAME or the environment "
		"(HBMON_SNMP_COMMUNITY, HBMON_SNMP_AUTH_PASSWORD, HBMON_SNMP_PRIV_PASSWORD)\n", opt);
	explicit_bzero(arg, strlen(arg));
}

/* hbmon-probe poll HOST[:PORT] ...: one device, its profile, JSON on stdout. */
static int poll_command(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"class", required_argument, NULL, 'K'},
		{"profiles", required_argument, NULL, 'P'},
		{"credential", required_argument, NULL, 'N'},
		{"config", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct snmp_cred cred;
	memset(&cred, 0, sizeof(cred));
	snprintf(cred.name, sizeof(cred.name), "command-line");
	cred.version = 2;
	snprintf(cred.community, sizeof(cred.community), "public");
	const char *cls = NULL, *pdir = NULL, *why = NULL, *named = NULL;
	const char *config = "/etc/hbmon/hbmon.conf";
	double timeout = 2;
	long retries = 1;
	int c, timeout_ok = 1, retries_ok = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "v:c:u:l:a:A:x:X:t:r:h", longopts, NULL)) != -1) {
		const char *key = NULL;
		char *dst = NULL;
		switch (c) {
		case 'v': key = "version"; break;
		case 'l': key = "level"; break;
		case 'a': key = "auth_protocol"; break;
		case 'x': key = "priv_protocol"; break;
		case 'c': dst = cred.community; break;
		case 'u': dst = cred.user; break;
		case 'A': dst = cred.auth_pass; break;
		case 'X': dst = cred.priv_pass; break;
		case 't': timeout_ok = parse_seconds(optarg, &timeout); break;
		case 'r': retries_ok = parse_long(optarg, 0, 10, &retries) == 0; break;
		case 'K': cls = optarg; break;
		case 'P': pdir = optarg; break;
		case 'N': named = optarg; break;
		case 'F': config = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (key && config_cred_word(&cred, key, optarg, &why) < 0) {
			fprintf(stderr, "hbmon-probe poll: -%c: expected %s, got \"%s\"\n", c, why,
				optarg);
			return 2;
		}
		if (dst && str_copy(dst, CFG_NAME_MAX, optarg) < 0) {
			fprintf(stderr, "hbmon-probe poll: -%c: too long\n", c);
			return 2;
		}
		if (dst && dst != cred.user)
			secret_argument(c, optarg);
	}
	if (poll_secrets_from_env(&cred) < 0 || (named && poll_credential(&cred, named, config) < 0))
		return 2;
	if (optind != argc - 1 || !timeout_ok || !retries_ok) {
		usage(stderr);
		return 2;
	}
	if (config_cred_check(&cred, &why) < 0) {
		fprintf(stderr, "hbmon-probe poll: %s\n", why);
		return 2;
	}
	char host[256];
	int port = 161;
	if (inventory_parse_address(argv[optind], host, sizeof(host), &port) < 0) {
		fprintf(stderr, "hbmon-probe poll: %s: expected HOST, HOST:PORT or [IPv6]:PORT\n",
			argv[optind]);
		return 2;
	}
	struct errlist errs = {0};
	struct profiles *ps = load_profiles(pdir, &errs);
	if (!ps || errlist_count(&errs)) {
		errlist_print(&errs, stderr);
		errlist_free(&errs);
		profiles_free(ps);
		return 1;
	}
	errlist_free(&errs);
	const struct profile *prof = NULL;
	if (cls && (!(prof = profiles_find(ps, cls)) || strcmp(prof->name, cls) != 0)) {
		fprintf(stderr, "hbmon-probe poll: no profile for class %s\n", cls);
		profiles_free(ps);
		return 2;
	}

	poller_lib_init("hbmon-probe");
	struct strbuf out;
	struct poll_memory mem;
	memset(&mem, 0, sizeof(mem));
	strbuf_init(&out, 0);
	struct poller_opts po = {(int)(timeout * 1000), (int)retries, WIRE_MAX_IFS, 0, ps};
	struct poller *p = poller_new(&po, on_poll_sample, &out);
	struct poll_target t = {"-", argv[optind], host, port, &cred, prof, &mem, -1, 0,
				NULL, NULL};
	if (!p)
		fatalx("probe", "out of memory");
	poller_prepare(p, &cred);
	poller_start(p, &t);
	while (poller_inflight(p) > 0 && !stop_requested) {
		fd_set r;
		int maxfd = -1;
		struct timeval tv = {1, 0};
		FD_ZERO(&r);
		poller_fdset(p, &maxfd, &r, &tv);
		if (poller_inflight(p) == 0)
			break;
		int n = select(maxfd + 1, &r, NULL, NULL, &tv);
		if (n < 0 && errno != EINTR)
			break;
		poller_dispatch(p, &r, n);
	}
	int up = poller_stats(p)->answered > 0;
	fputs(out.data ? out.data : "", stdout);
	strbuf_free(&out);
	poller_free(p);
	profiles_free(ps);
	poller_lib_shutdown("hbmon-probe");
	return up ? 0 : 1;
}

static const struct file_role data_dir_role = {
	"the data directory (the probe's spool goes under it)",
	"point [general] data_dir or [probe] spool_dir at another folder", NULL, 0};
static const struct file_role spool_role = {
	"the probe's spool", "point [probe] spool_dir at another folder", NULL, 0};

/* Another probe holding the spool is told apart from a damaged one: the fixes differ. The lock
 * is the one spool_open takes (flock of the folder), released at once. */
static int spool_busy(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* spool_open says why */
	int busy = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

/* The spool's folder: [probe] spool_dir, or <data_dir>/spool/<name>, made and writable. */
static int spool_folder(const struct hbmon_config *cfg, char *dir, size_t dirsz, char *err,
			size_t errsz)
{
	if (cfg->spool_dir[0]) {
		snprintf(dir, dirsz, "%s", cfg->spool_dir);
	} else {
		snprintf(dir, dirsz, "%s/spool", cfg->data_dir);
		if (file_check_dir(cfg->data_dir, 0750, &data_dir_role, err, errsz) < 0 ||
		    file_check_dir(dir, 0700, &spool_role, err, errsz) < 0)
			return -1;
		snprintf(dir, dirsz, "%s/spool/%s", cfg->data_dir, cfg->probe_name);
	}
	if (file_check_dir(dir, 0700, &spool_role, err, errsz) < 0)
		return -1;
	if (spool_busy(dir))
		return snprintf(err, errsz, "%s: another hbmon-probe uses this spool: stop it first, or "
				"give this probe its own [probe] name or spool_dir", dir), -1;
	return 0;
}

/* Opened before polling starts, or the probe does not start (a probe that would lose data
 * without saying so is worse than none). */
static struct spool *open_spool(const struct hbmon_config *cfg, char *dir, size_t dirsz)
{
	char err[PATH_MAX + 400];
	if (spool_folder(cfg, dir, dirsz, err, sizeof(err)) < 0)
		fatalx("probe", "%s", err);
	struct spool *sp = spool_open(dir, (uint64_t)cfg->spool_mb << 20, err, sizeof(err));
	if (!sp)
		fatalx("probe", "cannot open the spool: %s: make the user hbmon-probe runs as its owner "
		       "(as a service: chown -R hbmon %s), or move it aside to start an empty one",
		       err, dir);
	const struct spool_stats *st = spool_stats(sp);
	if (st->batches)
		log_info("probe", "spool %s: %llu batches from before wait for the collector", dir,
			 (unsigned long long)st->batches);
	return sp;
}

/*
 * The devices to poll: the collector's assignment for this probe (fetched now, or as cached
 * from the last start when the collector is away), else the local inventory.
 */
static void use_assignment(struct probe *pr, const struct uplink_opts *uo, const char *dir)
{
	char cache[PATH_MAX + 100], why[1200];
	struct errlist errs = {0};
	snprintf(cache, sizeof(cache), "%s/assignment.csv", dir);
	int got = assignment_fetch(uo, cache, why, sizeof(why));
	pr->assignment_served = got || strstr(why, "collector_url") == NULL;
	if (!got && access(cache, R_OK) != 0) {
		/* a collector away at start is usual; one that refuses this probe is not */
		if (strstr(why, "credential"))
			log_warnx("probe", "assignment: %s; polling the devices of %s", why,
				  pr->cfg->inventory);
		else
			log_info("probe", "assignment: %s; polling the devices of %s", why,
				 pr->cfg->inventory);
		return;
	}
	if (!got)
		log_warnx("probe", "assignment: %s; working from the one cached in %s", why, cache);
	struct inventory *inv = inventory_load(cache, pr->cfg, &errs);
	if (!inv || errlist_count(&errs)) {
		/* one line: the first reason is enough to act on; the rest follow from it */
		log_warnx("probe", "assignment: %s%s: it does not fit this probe's configuration "
			  "(credential names in %s?); polling the devices of %s",
			  errs.n ? errs.msg[0] : cache, errlist_count(&errs) > 1 ? " (and more)" : "",
			  pr->cfg->credentials, pr->cfg->inventory);
		inventory_free(inv);
	} else {
		inventory_free(pr->inv);
		pr->inv = inv;
	}
	errlist_free(&errs);
}

/*
 * Started as root, the probe becomes [general] user before it opens its spool or parses a
 * packet, keeping CAP_NET_RAW alone (ICMP echo), also across the exec that follows a changed
 * assignment. 1: still root, as nobody asked otherwise (warned once it runs).
 */
static int drop_root(struct probe *pr)
{
	static const cap_value_t raw[] = {CAP_NET_RAW};
	struct privdrop p = {pr->cfg->run_user, raw, 1, 1};
	char err[512];
	int rc = privdrop(&p, err, sizeof(err));
	if (rc < 0)
		fatalx("probe", "%s", err);
	if (rc > 0)
		log_info("probe", "running as user %s, with CAP_NET_RAW only", pr->cfg->run_user);
	return rc == 0 && geteuid() == 0;
}

#define RESTART_ENV "HBMON_ASSIGNMENT_RESTART"

/* Everything is closed (the spool's lock released); the batches in it are sent again. */
/* "<digest in hex>:<when>" in the environment of the process that follows. */
static void restart(char **argv, uint64_t digest, int64_t at)
{
	char val[48];
	snprintf(val, sizeof(val), "%016llx:%lld", (unsigned long long)digest, (long long)at);
	setenv(RESTART_ENV, val, 1);
	execv("/proc/self/exe", argv);
	log_warn("probe", "cannot start again (/proc/self/exe); exiting, the service manager "
		 "starts it");
	exit(75); /* EX_TEMPFAIL: systemd's Restart=on-failure brings it back */
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'C'},
		{"once", no_argument, NULL, 'o'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = "/etc/hbmon/hbmon.conf";
	int check_only = 0, verbose = 0, c;
	struct probe pr;
	memset(&pr, 0, sizeof(pr));

	setenv("TZ", getenv("TZ") ? getenv("TZ") : "Asia/Ho_Chi_Minh", 1);
	tzset();
	clock_init(); /* samples are dated by the same clock as the collector's */
	if (argc >= 2 && strcmp(argv[1], "poll") == 0) {
		log_init("hbmon-probe", 0, getenv("HBMON_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
		return poll_command(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "pcap") == 0) {
		log_init("hbmon-probe", 0, getenv("HBMON_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
		return pcapcmd_main(argc - 1, argv + 1);
	}
	if (argc >= 2 && strcmp(argv[1], "watch") == 0) {
		log_init("hbmon-probe", 0, getenv("HBMON_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_WARN);
		return watchcmd_main(argc - 1, argv + 1);
	}

	while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'C': check_only = 1; break;
		case 'o': pr.once = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	log_init("hbmon-probe", 0, verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	umask(027); /* its spool and cached assignment: for its own group at most */
	char line[PATH_MAX + 1024];
	int loaded = load(&pr, path, check_only, line, sizeof(line));
	if (loaded < 0 || check_only) {
		explicit_bzero(pr.secret, sizeof(pr.secret));
		config_free(pr.cfg);
		inventory_free(pr.inv);
		profiles_free(pr.profiles);
		if (loaded < 0 && !check_only)
			fatalx("config", "%s", line);
		return loaded < 0 ? 1 : 0;
	}

	/* capture handles are opened while root; parsing happens after the drop */
	if (pr.cfg->ncaptures && !pr.once) {
		pr.oui = oui_load(OUI_DEFAULT_PATH);
		if (!pr.oui)
			fatalx("probe", "out of memory at start-up");
		pr.lan = lanconf_start(pr.cfg, pr.oui);
	}
	int as_root = drop_root(&pr);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* the spool first: a start that fails on it says so before any library speaks */
	char spool_dir[PATH_MAX + 80];
	pr.spool = open_spool(pr.cfg, spool_dir, sizeof(spool_dir));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	poller_lib_init("hbmon-probe");
	struct poller_opts po = {pr.cfg->timeout_ms, pr.cfg->retries, pr.cfg->max_rows, 0,
				 pr.profiles};
	pr.poller = poller_new(&po, on_sample, &pr);
	const char *tried = getenv(RESTART_ENV);
	if (tried) {
		char *end;
		pr.restarted_for = strtoull(tried, &end, 16);
		pr.restarted_at = *end == ':' ? strtoll(end + 1, NULL, 10) : 0;
	}
	struct uplink_opts uo = {pr.cfg->collector_url, pr.cfg->probe_name, pr.secret,
				 pr.cfg->ca_file, pr.spool, pr.cfg->replay_per_s};
	use_assignment(&pr, &uo, spool_dir);
	pr.assignment = assignment_digest(pr.inv, pr.cfg->probe_name, pr.cfg->default_probe);
	pr.uplink = uplink_new(&uo);
	memset(pr.secret, 0, sizeof(pr.secret)); /* the uplink keeps its copy */
	if (!pr.poller || !pr.uplink || strbuf_init(&pr.batch, 0) < 0 || build_targets(&pr) < 0)
		fatalx("probe", "out of memory at start-up");
	for (size_t i = 0; i < pr.cfg->ncreds; i++)
		poller_prepare(pr.poller, &pr.cfg->creds[i]);
	size_t nicmp = 0, nweb = 0;
	for (size_t i = 0; i < pr.ntargets; i++) {
		nicmp += !pr.targets[i].cred && !pr.url[i];
		nweb += pr.url[i] != NULL;
	}
	if (nweb && !(pr.web = webcheck_new(pr.cfg->http_timeout_ms, on_page, &pr)))
		fatalx("probe", "out of memory at start-up");
	/* a libcurl resolving names in the caller's thread would stop the loop at every portal */
	if (nweb && !(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_ASYNCHDNS))
		log_warnx("probe", "this libcurl resolves names synchronously: portal checks by "
			  "host name can stall polling; use addresses in their urls");
	if (nicmp || pr.cfg->ping_snmp) {
		pr.pinger = pinger_new(pr.cfg->ping_count, PING_GAP_MS, pr.cfg->timeout_ms, on_ping,
				       &pr, pr.ping_off, sizeof(pr.ping_off));
		if (!pr.pinger)
			log_warnx("probe", "ICMP checks off: %s; the %zu devices without SNMP are "
				  "reported down", pr.ping_off, nicmp);
	}
	log_info("probe", "%s: polling %zu devices every %d s, posting to %s", pr.cfg->probe_name,
		 pr.ntargets, pr.cfg->interval, pr.cfg->collector_url);
	if (as_root)
		log_warnx("probe", "running as root with every privilege: set [general] user in %s "
			  "to a user of its own (hbmon), which owns %s", pr.cfg->path, spool_dir);

	int rc = run(&pr);

	const struct poller_stats *ps = poller_stats(pr.poller);
	const struct uplink_stats *us = uplink_stats(pr.uplink);
	log_info("probe", "stopping: %llu polls, %llu answered, %llu timeouts, %llu SNMPv3 errors, "
		 "%llu bad values, %llu requests, %llu varbinds; %llu class changes seen, %llu "
		 "devices re-profiled; "
		 "%llu batches sent, %llu refused, %llu lost, %llu waiting in the spool",
		 (unsigned long long)ps->polls, (unsigned long long)ps->answered,
		 (unsigned long long)ps->timeouts, (unsigned long long)ps->v3_errors,
		 (unsigned long long)ps->bad_values, (unsigned long long)ps->requests,
		 (unsigned long long)ps->varbinds, (unsigned long long)ps->class_changes,
		 (unsigned long long)ps->reprofiled,
		 (unsigned long long)us->sent, (unsigned long long)us->rejected,
		 (unsigned long long)spool_stats(pr.spool)->lost_batches,
		 (unsigned long long)spool_stats(pr.spool)->batches);
	if (pr.lan)
		lanwatch_log_stats(pr.lan);
	lanwatch_free(pr.lan);
	oui_free(pr.oui);
	free(pr.seen);
	free(pr.ident);
	poller_free(pr.poller);
	pinger_free(pr.pinger);
	webcheck_free(pr.web);
	uplink_free(pr.uplink);
	spool_close(pr.spool);
	free(pr.url);
	free(pr.mac);
	free(pr.snmp_next);
	free(pr.ping);
	free(pr.page);
	free(pr.fetched);
	strbuf_free(&pr.batch);
	free(pr.targets);
	free(pr.due);
	schedule_free(&pr.sched);
	free(pr.bad_logged);
	free(pr.mem);
	free(pr.fails);
	profiles_free(pr.profiles);
	inventory_free(pr.inv);
	config_free(pr.cfg);
	poller_lib_shutdown("hbmon-probe");
	curl_global_cleanup();
	if (pr.restart)
		restart(argv, pr.restarted_for, pr.restarted_at);
	return rc;
}
