/* hbmon-collector: ingest, storage, readiness and the dashboard of a district. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>

#include "collector.h"
#include "log.h"
#include "web.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static time_t wall_now(void) { return time(NULL); }

static void usage(FILE *out)
{
	fprintf(out,
		"usage: hbmon-collector [-c FILE] [--check-config] [-v]\n"
		"  -c, --config FILE   main configuration (default /etc/hbmon/hbmon.conf)\n"
		"      --check-config  validate configuration, inventory and catalogues, then exit\n"
		"  -v, --verbose       debug logging\n");
}

static int load(struct collector *c, const char *path, int check_only)
{
	struct errlist errs = {0};
	c->cfg = config_load(path, &errs);
	if (c->cfg)
		c->inv = inventory_load(c->cfg->inventory, c->cfg, &errs);
	if (c->cfg) {
		c->i18n = i18n_load(c->cfg->dashboards_dir);
		if (!c->i18n)
			errlist_add(&errs, "%s/i18n: message catalogues missing or invalid",
				    c->cfg->dashboards_dir);
	}
	int nerr = (int)errlist_count(&errs);
	if (nerr) {
		errlist_print(&errs, stderr);
		fprintf(stderr, "%d configuration error%s\n", nerr, nerr == 1 ? "" : "s");
	} else if (check_only) {
		printf("configuration OK: %zu communes, %zu sites, %zu devices, %zu site types\n",
		       c->inv->ncommunes, c->inv->nsites, c->inv->ndevices, c->cfg->nsite_types);
	}
	errlist_free(&errs);
	return nerr ? -1 : 0;
}

static void cleanup(struct collector *c)
{
	rrdstore_free(c->rrd);
	state_free(&c->state);
	i18n_free(c->i18n);
	inventory_free(c->inv);
	config_free(c->cfg);
}

static int run(struct web *w)
{
	while (!stop_requested) {
		fd_set r, wr, e;
		int maxfd = -1;
		struct timeval tv = {1, 0};
		FD_ZERO(&r);
		FD_ZERO(&wr);
		FD_ZERO(&e);
		web_fdset(w, &maxfd, &r, &wr, &e, &tv);
		int n = select(maxfd + 1, &r, &wr, &e, &tv);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("collector", "select");
			return 1;
		}
		/* XXX RRD writes run on this loop; the storage issue moves them to rrdcached or a
		 * writer thread so a slow disk cannot stall the dashboard. */
		web_dispatch(w, &r, &wr, &e);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'C'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *path = "/etc/hbmon/hbmon.conf";
	int check_only = 0, verbose = 0, ch;
	struct collector c;
	char err[512], rrddir[PATH_MAX + 8];
	memset(&c, 0, sizeof(c));

	while ((ch = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'C': check_only = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* dates shown to users are Vietnamese local time unless TZ says otherwise */
	setenv("TZ", getenv("TZ") ? getenv("TZ") : "Asia/Ho_Chi_Minh", 1);
	tzset();
	log_init("hbmon-collector", 0, verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (load(&c, path, check_only) < 0 || check_only) {
		int rc = check_only && c.i18n && c.inv ? 0 : 1;
		cleanup(&c);
		return rc;
	}
	c.now = wall_now;
	c.started = wall_now();
	snprintf(rrddir, sizeof(rrddir), "%s/rrd", c.cfg->data_dir);
	if (mkdir(c.cfg->data_dir, 0755) < 0 && errno != EEXIST)
		fatalx("collector", "%s: cannot create data directory: %s", c.cfg->data_dir,
		       strerror(errno));
	if (mkdir(rrddir, 0755) < 0 && errno != EEXIST)
		fatalx("collector", "%s: cannot create: %s", rrddir, strerror(errno));
	if (state_init(&c.state, c.inv->ndevices) < 0 ||
	    !(c.rrd = rrdstore_new(rrddir, c.cfg->rrd_step)))
		fatalx("collector", "out of memory at start-up");
	c.ingest.inv = c.inv;
	c.ingest.state = &c.state;
	c.ingest.rrd = c.rrd;
	c.ingest.now = c.now;

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct web *w = web_start(&c, err, sizeof(err));
	if (!w) {
		log_warnx("collector", "%s", err);
		cleanup(&c);
		return 1;
	}
	log_info("collector", "%s: %zu communes, %zu devices; dashboard at http://%s:%d/",
		 c.cfg->district, c.inv->ncommunes, c.inv->ndevices, c.cfg->listen_addr,
		 c.cfg->listen_port);
	int rc = run(w);
	log_info("collector", "stopping: %llu samples accepted, %llu batches refused",
		 (unsigned long long)c.ingest.st.samples, (unsigned long long)c.ingest.st.batches_bad);
	web_stop(w);
	cleanup(&c);
	return rc;
}
