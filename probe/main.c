/* hbmon-probe: polls the devices assigned to it and posts their samples to the collector. */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "config.h"
#include "inventory.h"
#include "log.h"
#include "poller.h"
#include "strbuf.h"
#include "uplink.h"
#include "wire.h"

#define FLUSH_MS 1000          /* a partial batch waits at most this long */
#define UPLINK_MAX_QUEUED 1000 /* batches held while the collector is away */
#define BATCH_MAX_BYTES (2u << 20)

struct probe {
	struct hbmon_config *cfg;
	struct inventory *inv;
	struct poll_target *targets;
	double *due; /* per target, CLOCK_MONOTONIC seconds */
	int *busy;
	unsigned char *bad_logged; /* per target: bad values already reported once */
	size_t ntargets;
	struct poller *poller;
	struct uplink *uplink;
	struct strbuf batch; /* comma-separated encoded samples */
	size_t nbatch;
	double batch_started;
	uint64_t seq;
	size_t polled; /* finished polls, for --once */
	int once;
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

static void flush_batch(struct probe *pr)
{
	struct strbuf body;
	if (pr->nbatch == 0)
		return;
	if (strbuf_init(&body, 0) < 0 ||
	    wire_encode_batch(&body, pr->cfg->probe_name, ++pr->seq, pr->batch.data,
			      pr->batch.len) < 0) {
		log_warnx("probe", "out of memory: batch of %zu samples dropped", pr->nbatch);
		strbuf_free(&body);
	} else {
		size_t len;
		char *data = strbuf_take(&body, &len);
		uplink_post(pr->uplink, data, len);
	}
	pr->batch.len = 0;
	pr->batch.data[0] = '\0';
	pr->batch.overflow = 0;
	pr->nbatch = 0;
}

static void on_sample(void *ctx, const struct poll_target *t, const struct dev_sample *s)
{
	struct probe *pr = ctx;
	size_t mark = pr->batch.len;
	pr->busy[t->id] = 0;
	pr->polled++;
	if (s->error[0])
		log_debug("poll", "%s/%s: %s", s->commune, s->device, s->error);
	/* a device sending nonsense is named once, not every interval */
	if (s->bad_values && !pr->bad_logged[t->id]) {
		log_warnx("poll", "%s/%s (%s): %u bad values ignored, first %s", s->commune,
			  s->device, t->host, s->bad_values, s->bad_first);
		pr->bad_logged[t->id] = 1;
	}
	if (pr->nbatch == 0)
		pr->batch_started = mono_now();
	if ((pr->nbatch && strbuf_puts(&pr->batch, ",") < 0) ||
	    wire_encode_sample(&pr->batch, s) < 0) {
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
	pr->busy = calloc(inv->ndevices ? inv->ndevices : 1, sizeof(*pr->busy));
	pr->bad_logged = calloc(inv->ndevices ? inv->ndevices : 1, 1);
	if (!pr->targets || !pr->due || !pr->busy || !pr->bad_logged)
		return -1;
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		if (!d->cred[0] || !d->host[0])
			continue;
		if (d->probe[0] && strcmp(d->probe, pr->cfg->probe_name) != 0)
			continue;
		struct poll_target *t = &pr->targets[pr->ntargets];
		t->commune = inv->communes[d->commune].name;
		t->device = d->name;
		t->host = d->host;
		t->port = d->port;
		t->cred = config_cred(pr->cfg, d->cred);
		t->id = pr->ntargets;
		pr->ntargets++;
	}
	/* spread first polls over one interval so a large fleet does not burst */
	double now = mono_now();
	for (size_t i = 0; i < pr->ntargets; i++)
		pr->due[i] = pr->once ? now
				      : now + (double)pr->cfg->interval * (double)i / (double)pr->ntargets;
	return 0;
}

/* Starts every due poll the in-flight window allows; returns seconds to the next due one. */
static double start_due(struct probe *pr)
{
	double now = mono_now(), next = 1e9;
	for (size_t i = 0; i < pr->ntargets; i++) {
		if (pr->busy[i])
			continue;
		if (pr->due[i] <= now && poller_inflight(pr->poller) < pr->cfg->max_inflight) {
			pr->busy[i] = 1;
			pr->due[i] = pr->once ? 1e18 : pr->due[i] + pr->cfg->interval;
			if (pr->due[i] < now) /* fell behind: do not try to catch up in a burst */
				pr->due[i] = now + pr->cfg->interval;
			poller_start(pr->poller, &pr->targets[i]);
		}
		if (pr->due[i] - now < next)
			next = pr->due[i] - now;
	}
	return next < 0 ? 0 : next;
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
		uplink_fdset(pr->uplink, &maxfd, &r, &w, &e, &tv);
		int n = select(maxfd + 1, &r, &w, &e, &tv);
		if (n < 0 && errno != EINTR) {
			log_warn("probe", "select");
			return 1;
		}
		poller_dispatch(pr->poller, &r, n);
		uplink_dispatch(pr->uplink);
	}
	flush_batch(pr);
	return 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: hbmon-probe [-c FILE] [--check-config] [--once] [-v]\n"
		"  -c, --config FILE   main configuration (default /etc/hbmon/hbmon.conf)\n"
		"      --check-config  validate configuration and inventory, then exit\n"
		"      --once          poll every device once, deliver the samples, exit\n"
		"  -v, --verbose       debug logging\n");
}

static int load(struct probe *pr, const char *path, int check_only)
{
	struct errlist errs = {0};
	pr->cfg = config_load(path, &errs);
	if (pr->cfg)
		pr->inv = inventory_load(pr->cfg->inventory, pr->cfg, &errs);
	int nerr = (int)errlist_count(&errs);
	if (nerr) {
		errlist_print(&errs, stderr);
		fprintf(stderr, "%d configuration error%s\n", nerr, nerr == 1 ? "" : "s");
	} else if (check_only) {
		printf("configuration OK: %zu communes, %zu sites, %zu devices\n",
		       pr->inv->ncommunes, pr->inv->nsites, pr->inv->ndevices);
	}
	errlist_free(&errs);
	return nerr ? -1 : 0;
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
	setenv("TZ", getenv("TZ") ? getenv("TZ") : "Asia/Ho_Chi_Minh", 1);
	tzset();
	log_init("hbmon-probe", 0, verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (load(&pr, path, check_only) < 0) {
		config_free(pr.cfg);
		inventory_free(pr.inv);
		return 1;
	}
	if (check_only) {
		config_free(pr.cfg);
		inventory_free(pr.inv);
		return 0;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	poller_lib_init("hbmon-probe");
	struct poller_opts po = {pr.cfg->timeout_ms, pr.cfg->retries, pr.cfg->max_rows};
	pr.poller = poller_new(&po, on_sample, &pr);
	pr.uplink = uplink_new(pr.cfg->collector_url, UPLINK_MAX_QUEUED);
	if (!pr.poller || !pr.uplink || strbuf_init(&pr.batch, 0) < 0 || build_targets(&pr) < 0)
		fatalx("probe", "out of memory at start-up");
	log_info("probe", "%s: polling %zu devices every %d s, posting to %s", pr.cfg->probe_name,
		 pr.ntargets, pr.cfg->interval, pr.cfg->collector_url);

	int rc = run(&pr);

	const struct poller_stats *ps = poller_stats(pr.poller);
	const struct uplink_stats *us = uplink_stats(pr.uplink);
	log_info("probe", "stopping: %llu polls, %llu answered, %llu timeouts, %llu bad values; "
		 "%llu batches sent, %llu rejected, %llu dropped",
		 (unsigned long long)ps->polls, (unsigned long long)ps->answered,
		 (unsigned long long)ps->timeouts, (unsigned long long)ps->bad_values,
		 (unsigned long long)us->sent, (unsigned long long)us->rejected,
		 (unsigned long long)us->dropped);
	poller_free(pr.poller);
	uplink_free(pr.uplink);
	strbuf_free(&pr.batch);
	free(pr.targets);
	free(pr.due);
	free(pr.busy);
	free(pr.bad_logged);
	inventory_free(pr.inv);
	config_free(pr.cfg);
	poller_lib_shutdown("hbmon-probe");
	curl_global_cleanup();
	return rc;
}
