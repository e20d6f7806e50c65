/* hbmon-collector: ingest, storage, readiness and the dashboard of a district. */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agentx.h"
#include "collector.h"
#include "cli.h"
#include "datadir.h"
#include "filecheck.h"
#include "identstore.h"
#include "lanhosts.h"
#include "privdrop.h"
#include "import.h"
#include "clock.h"
#include "log.h"
#include "mailer.h"
#include "render.h"
#include "rrdcached.h"
#include "siteinit.h"
#include "tlscert.h"
#include "web.h"

#ifndef HBMON_DASHBOARDS_DIR
#define HBMON_DASHBOARDS_DIR "/usr/local/share/hbmon/dashboards"
#endif

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: hbmon-collector [-c FILE] [--check-config] [-v]\n"
		"       hbmon-collector [-c FILE] maint add|list ... | ack ...   (see README)\n"
		"       hbmon-collector [-c FILE] probe add NAME [--secret-file FILE] | list | revoke NAME\n"
		"       hbmon-collector [-c FILE] user add|passwd|del|list|log ...   (dashboard users)\n"
		"       hbmon-collector [-c FILE] token add NAME [--commune C]... | list | del NAME\n"
		"                                   (read-only tokens: /metrics, /api/v1)\n"
		"       hbmon-collector [-c FILE] import FILE...   (past batches, one a line)\n"
		"       hbmon-collector [-c FILE] export readiness|inventory|events ...   (planners' files)\n"
		"       hbmon-collector init [--district NAME] [--force] DIR   (a new site's files)\n"
		"  -c, --config FILE   main configuration (default /etc/hbmon/hbmon.conf)\n"
		"      --check-config  validate configuration, inventory and catalogues, then exit\n"
		"  -v, --verbose       debug logging\n");
}

/* Plain SMTP only when the configuration says so, and never silently. */
static void warn_mail_in_clear(const struct hbmon_config *cfg)
{
	if (cfg->smtp_url[0] && !cfg->smtp_starttls && strncmp(cfg->smtp_url, "smtps://", 8) != 0)
		log_warnx("alerts", "%s: mail%s goes to the mail server in clear (smtp_starttls = 0 "
			  "in %s); use STARTTLS (smtp_starttls = 1) or smtps://", cfg->smtp_url,
			  cfg->smtp_user[0] ? " and the SMTP password" : "", cfg->path);
}

static const struct file_role holidays_file = {
	"the holidays", "point [working-hours] holidays at the right file, or leave it empty",
	"one YYYY-MM-DD a line", 0};

/* Each step adds what it finds wrong to errs; c->cfg is loaded. */
static void load_inventory(struct collector *c, struct errlist *errs)
{
	c->inv = inventory_load_configured(c->cfg, errs);
}

static void check_rrdcached_address(struct collector *c, struct errlist *errs)
{
	char err[300];
	if (!c->cfg->rrdcached[0])
		return;
	struct rrdcached *rc = rrdcached_new(c->cfg->rrdcached, 1, err, sizeof(err));
	if (!rc)
		errlist_add(errs, "%s: [collector] rrdcached: %s", c->cfg->path, err);
	rrdcached_free(rc);
}

static void check_holidays(struct collector *c, struct errlist *errs)
{
	char why[1024];
	struct hours h = {0};
	if (!c->cfg->holidays[0])
		return;
	if (file_check_readable(c->cfg->holidays, &holidays_file, why, sizeof(why)) < 0)
		errlist_add(errs, "%s", why);
	else
		hours_load_holidays(&h, c->cfg->holidays, errs);
	hours_free(&h);
}

static void check_tls(struct collector *c, struct errlist *errs)
{
	char err[PATH_MAX + 300], *cert, *key;
	if (tlscert_load(c->cfg, &cert, &key, err, sizeof(err)) < 0)
		errlist_add(errs, "%s", err);
	free(cert);
	if (key)
		memset(key, 0, strlen(key));
	free(key);
}

static void load_catalogues(struct collector *c, struct errlist *errs)
{
	char catalogue[PATH_MAX + 16];
	/* a wrong dashboards_dir is the usual cause: named with its fix, not by i18n_load */
	snprintf(catalogue, sizeof(catalogue), "%s/i18n/vi.ini", c->cfg->dashboards_dir);
	if (access(catalogue, R_OK) < 0) {
		errlist_add(errs, "%s: cannot read the dashboards' message catalogues (i18n/vi.ini: "
			    "%s): point [general] dashboards_dir at the dashboards folder (%s once "
			    "installed)", c->cfg->dashboards_dir, strerror(errno), HBMON_DASHBOARDS_DIR);
		return;
	}
	c->i18n = i18n_load(c->cfg->dashboards_dir, errs);
	const char *const top[LANG_COUNT] = {c->cfg->unit_top[0], c->cfg->unit_top[1]};
	const char *const member[LANG_COUNT] = {c->cfg->unit_member[0], c->cfg->unit_member[1]};
	if (c->i18n && i18n_set_units(c->i18n, top, member, errs) < 0) {
		i18n_free(c->i18n);
		c->i18n = NULL;
	}
}

enum load_mode { LOAD_CHECK, LOAD_COMMAND, LOAD_DAEMON };

/* 0, or -1 with the errors printed (LOAD_CHECK, LOAD_COMMAND) or in line (LOAD_DAEMON).
 * The daemon stops at the first failed step: the later ones' errors would follow from it. */
static int load(struct collector *c, const char *path, enum load_mode mode, char *line,
		size_t linesz)
{
	static void (*const steps[])(struct collector *, struct errlist *) = {
		load_inventory, check_rrdcached_address, check_holidays, check_tls, load_catalogues};
	struct errlist errs = {0};
	c->cfg = config_load(path, &errs);
	if (c->cfg) /* SNMP credentials by name only (the probes poll), but the informs' */
		config_keep_secrets(c->cfg, CONFIG_SMTP_SECRETS | CONFIG_INFORM_SECRETS);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && c->cfg; i++)
		if (mode != LOAD_DAEMON || !errlist_count(&errs))
			steps[i](c, &errs);
	int nerr = (int)errlist_count(&errs);
	if (nerr && mode == LOAD_DAEMON) {
		errlist_first_line(&errs, "hbmon-collector", path, line, linesz);
	} else if (nerr) {
		errlist_print(&errs, stderr);
		fprintf(stderr, "%d configuration error%s\n", nerr, nerr == 1 ? "" : "s");
	} else if (mode == LOAD_CHECK) {
		printf("configuration OK: %zu communes, %zu sites, %zu devices, %zu site types\n",
		       c->inv->ncommunes, c->inv->nsites, c->inv->ndevices, c->cfg->nsite_types);
	}
	errlist_free(&errs);
	return nerr ? -1 : 0;
}

/* Reachable before the first batch: the daemon would otherwise start and fail every write. */
static int rrdcached_reachable(const struct hbmon_config *cfg, char *err, size_t errsz)
{
	char why[300];
	if (!cfg->rrdcached[0])
		return 0;
	struct rrdcached *rc = rrdcached_new(cfg->rrdcached, 2, why, sizeof(why));
	/* a FLUSH of a file it does not hold is answered, and changes nothing */
	int ok = rc && rrdcached_flush(rc, "hbmon-start-check.rrd", why, sizeof(why)) == 0;
	rrdcached_free(rc);
	if (!ok)
		snprintf(err, errsz, "%s: [collector] rrdcached: %s: start rrdcached there, or leave "
			 "rrdcached empty to write the RRD files directly", cfg->path, why);
	return ok ? 0 : -1;
}

static void cleanup(struct collector *c)
{
	agentx_stop(c->agentx);
	alerts_free(c->alerts);
	tokens_close(c->tokens);
	users_close(c->users);
	probes_close(c->probes);
	identstore_close(c->ingest.ident);
	lanhosts_close(c->lan);
	store_close(c->store);
	gcache_free(c->gcache);
	groupdefs_free(c->ingest.groups); /* after the writer: its updates pointed at these */
	c->ingest.groups = NULL;
	rrdstore_free(c->rrd);
	state_free(&c->state);
	i18n_free(c->i18n);
	inventory_free(c->inv);
	config_free(c->cfg);
}

/* A start-up failure: its one line, after what was opened is closed (exit status 1). */
static void __attribute__((noreturn)) die(struct collector *c, const char *module, const char *msg)
{
	cleanup(c);
	fatalx(module, "%s", msg);
}

/*
 * Started as root, the collector becomes [general] user before it opens its data or its
 * port: what it writes is that user's, and a flaw in a request parser does not act as root.
 * A port below 1024 keeps the one capability that binds it. 1: still root, as nobody asked
 * otherwise (warned once it runs).
 */
static int drop_root(struct collector *c, int daemon)
{
	static const cap_value_t bind[] = {CAP_NET_BIND_SERVICE};
	struct privdrop p = {c->cfg->run_user, bind, daemon && c->cfg->listen_port < 1024, 0};
	char err[512];
	int rc = privdrop(&p, err, sizeof(err));
	if (rc < 0)
		die(c, "collector", err);
	if (rc > 0 && daemon)
		log_info("collector", "running as user %s", c->cfg->run_user);
	return rc == 0 && geteuid() == 0;
}

static void warn_root(const struct hbmon_config *cfg)
{
	log_warnx("collector", "running as root with every privilege: set [general] user in %s to "
		  "a user of its own (hbmon), which owns %s", cfg->path, cfg->data_dir);
}

/*
 * SIGHUP: re-reads the configuration and the inventory. Anything wrong and the collector keeps
 * running with what it had; otherwise devices keep their state by commune and name. The
 * listening socket, data directory and RRD step stay as started.
 */
static void reload(struct collector *c)
{
	struct errlist errs = {0};
	struct state st = {0};
	struct hbmon_config *cfg = config_load(c->cfg->path, &errs);
	struct inventory *inv = cfg ? inventory_load(cfg->inventory, cfg, &errs) : NULL;
	struct alerts *na = NULL;
	if (cfg)
		config_keep_secrets(cfg, CONFIG_SMTP_SECRETS | CONFIG_INFORM_SECRETS);
	if (!errlist_count(&errs) && inv) {
		/* the alerts of the new configuration, carrying the running states over by name */
		struct collector next = *c;
		next.cfg = cfg;
		next.inv = inv;
		if ((na = alerts_new(&next, &errs)))
			alerts_carry(na, inv, c->alerts, c->inv);
		else if (!errlist_count(&errs))
			errlist_add(&errs, "alerts: out of memory");
	}
	if (errlist_count(&errs) || !inv || !na || state_init(&st, inv->ndevices) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_warnx("config", "%s", errs.msg[i]);
		log_warnx("config", "reload refused (%zu errors): still running with the previous configuration",
			  errlist_count(&errs));
		errlist_free(&errs);
		alerts_free(na);
		inventory_free(inv);
		config_free(cfg);
		return;
	}
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		long old = inventory_find(c->inv, inv->communes[d->commune].name, d->name);
		if (old < 0)
			continue;
		st.dev[i] = c->state.dev[old];
		memset(&c->state.dev[old].rows, 0, sizeof(c->state.dev[old].rows)); /* moved */
		memset(&c->state.dev[old].files, 0, sizeof(c->state.dev[old].files));
		memset(&c->state.dev[old].ports, 0, sizeof(c->state.dev[old].ports));
		memset(&c->state.dev[old].nbrs, 0, sizeof(c->state.dev[old].nbrs));
		/* a device left without a class keeps the one its probe detected */
		int cls = state_probe_class(&st.dev[i]);
		if (inv->devices[i].cls_auto && cls >= 0)
			inv->devices[i].cls = (enum dev_class)cls;
	}
	memcpy(cfg->listen_addr, c->cfg->listen_addr, sizeof(cfg->listen_addr));
	cfg->listen_port = c->cfg->listen_port;
	memcpy(cfg->data_dir, c->cfg->data_dir, sizeof(cfg->data_dir));
	memcpy(cfg->dashboards_dir, c->cfg->dashboards_dir, sizeof(cfg->dashboards_dir));
	cfg->rrd_step = c->cfg->rrd_step;
	memcpy(cfg->rrdcached, c->cfg->rrdcached, sizeof(cfg->rrdcached));
	state_free(&c->state);
	inventory_free(c->inv);
	struct hbmon_config *old_cfg = c->cfg;
	c->cfg = cfg;
	c->inv = inv;
	c->inv_gen++;
	c->state = st;
	c->ingest.inv = inv;
	if (c->lan)
		lanhosts_set_inventory(c->lan, inv);
	c->ingest.default_probe = cfg->default_probe;
	c->ingest.max_ahead = cfg->max_clock_ahead;
	c->ingest.max_files = cfg->max_files_per_device;
	c->ingest.new_files_per_minute = cfg->max_new_files_per_minute;
	c->state.max_rows = (size_t)cfg->max_rows_per_device;
	alerts_free(c->alerts);
	c->alerts = na;
	agentx_reload(c, old_cfg);
	config_free(old_cfg);
	log_info("config", "reloaded: %zu communes, %zu devices", inv->ncommunes, inv->ndevices);
}

/* One turn of the event loop: at most ms milliseconds waiting. -1 on a select error. */
static int loop_once(struct collector *c, struct web *w, int ms)
{
	fd_set r, wr, e;
	int maxfd = -1;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	FD_ZERO(&r);
	FD_ZERO(&wr);
	FD_ZERO(&e);
	web_fdset(w, &maxfd, &r, &wr, &e, &tv);
	int wfd = worker_fd(c->writer), rfd = worker_fd(c->render), mfd = worker_fd(c->mailer);
	FD_SET(wfd, &r);
	FD_SET(rfd, &r);
	FD_SET(mfd, &r);
	maxfd = wfd > maxfd ? wfd : maxfd;
	maxfd = rfd > maxfd ? rfd : maxfd;
	maxfd = mfd > maxfd ? mfd : maxfd;
	agentx_fdset(c->agentx, &maxfd, &r, &tv);
	int n = select(maxfd + 1, &r, &wr, &e, &tv);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		log_warn("collector", "select");
		return -1;
	}
	/* disk writes and rendering run on their threads; finished jobs resume their
	 * connections, which MHD then answers */
	if (n > 0 && FD_ISSET(wfd, &r))
		worker_reap(c->writer);
	if (n > 0 && FD_ISSET(rfd, &r))
		worker_reap(c->render);
	if (n > 0 && FD_ISSET(mfd, &r))
		worker_reap(c->mailer);
	/* requests read states judged at this second, with every sample applied so far */
	if (!c->stopping)
		alerts_tick(c->alerts, c, c->now(), 0);
	web_dispatch(w, &r, &wr, &e);
	agentx_dispatch(c->agentx, &r); /* answers from the snapshot of the last tick */
	lograte_flush(&c->warnings, time(NULL));
	if (!c->stopping)
		alerts_tick(c->alerts, c, c->now(), 0);
	return 0;
}

static int run(struct collector *c, struct web *w)
{
	while (!stop_requested) {
		if (reload_requested || c->reload_wanted) {
			reload_requested = 0;
			c->reload_wanted = 0;
			reload(c);
		}
		if (loop_once(c, w, 1000) < 0)
			return 1;
	}
	return 0;
}

/*
 * Stopping: new requests get 503 while the loop keeps running until every accepted batch is
 * stored and its probe answered (10 s at most); only then do the threads stop, so no
 * connection is left suspended and nothing touches a stopped thread.
 */
static void shutdown_gracefully(struct collector *c, struct web *w)
{
	struct timespec t0, t;
	c->stopping = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (loop_once(c, w, 50) < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((worker_pending(c->writer) || worker_pending(c->render) || c->mail.inflight ||
		  web_pending(w)) &&
		 t.tv_sec - t0.tv_sec < 10);
	worker_stop(c->writer);
	worker_stop(c->render);
	worker_stop(c->mailer);
	c->writer = c->render = c->mailer = NULL;
	web_drain(w, 1000);
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
	char err[PATH_MAX + 1024];
	const char *clock_file;
	memset(&c, 0, sizeof(c));

	while ((ch = getopt_long(argc, argv, "+c:vh", longopts, NULL)) != -1) {
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
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* before anything reads the time: commands and the daemon share one clock */
	if ((clock_file = clock_init()))
		log_warnx("collector", "clock read from %s (tests only)", clock_file);
	c.now = clock_now;
	if (optind < argc && strcmp(argv[optind], "init") == 0) /* before any configuration */
		return siteinit_main(argc - optind, argv + optind, clock_now());
	/* RRD files, hbmon.db (mail bodies, credentials' hashes): 0640, directories 0750, whoever
	 * makes them first (the daemon, or `probe add` before it ever ran) */
	umask(027);
	enum load_mode mode = check_only ? LOAD_CHECK : optind < argc ? LOAD_COMMAND : LOAD_DAEMON;
	int loaded = load(&c, path, mode, err, sizeof(err));
	if (loaded < 0 && mode == LOAD_DAEMON)
		die(&c, "config", err);
	if (loaded < 0 || check_only) {
		cleanup(&c);
		return loaded < 0 ? 1 : 0;
	}
	int as_root = drop_root(&c, mode == LOAD_DAEMON);
	if (optind < argc && strcmp(argv[optind], "import") == 0) {
		int rc = import_main(&c, argc - optind, argv + optind);
		cleanup(&c);
		return rc;
	}
	if (optind < argc) {
		/* maint / ack / probe: written to the store the running collector reads */
		if (datadir_open_store(&c, err, sizeof(err)) < 0)
			fatalx("collector", "%s", err);
		int rc = cli_main(&c, argc - optind, argv + optind);
		cleanup(&c);
		return rc;
	}
	if (datadir_open(&c, err, sizeof(err)) < 0 || rrdcached_reachable(c.cfg, err, sizeof(err)) < 0)
		die(&c, "collector", err);
	/* listening before any thread starts: a port in use ends the start with nothing to stop */
	struct web *w = web_start(&c, err, sizeof(err));
	if (!w)
		die(&c, "web", err);
	/* from here the store belongs to the writer thread */
	c.writer = worker_new("writer", ingest_write_jobs, c.rrd, 256);
	c.render = worker_new("render", render_run, NULL, 16);
	c.gcache = gcache_new(512, 64u << 20);
	c.mailer = worker_new("mailer", mailer_run, NULL, 1);
	if (!c.writer || !c.render || !c.gcache || !c.mailer)
		fatalx("collector", "cannot start the writer, render and mail threads");
	c.mail = (struct mail_pump){c.store, c.mailer, c.now, 0};
	struct errlist aerr = {0};
	if (!(c.alerts = alerts_new(&c, &aerr)))
		fatalx("collector", "alerts: %s", aerr.n ? aerr.msg[0] : "out of memory");
	errlist_free(&aerr);
	if (!agentx_start(&c, err, sizeof(err)) && err[0])
		die(&c, "snmp", err);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_info("collector", "%s: %zu communes, %zu devices; dashboard at %s://%s:%d/",
		 c.cfg->district, c.inv->ncommunes, c.inv->ndevices,
		 c.cfg->tls_cert[0] ? "https" : "http", c.cfg->listen_addr, c.cfg->listen_port);
	warn_mail_in_clear(c.cfg);
	if (as_root)
		warn_root(c.cfg);
	c.warnings.module = "ingest";
	c.ingest.warnings = &c.warnings;
	int rc = run(&c, w);
	shutdown_gracefully(&c, w);
	alerts_keep_tallies(c.alerts, c.inv); /* the next start goes on from them */
	lograte_flush(&c.warnings, time(NULL) + 60); /* the floods' counts, before the last line */
	log_info("collector", "stopping: %llu samples accepted, %llu batches refused",
		 (unsigned long long)c.ingest.st.samples, (unsigned long long)c.ingest.st.batches_bad);
	web_stop(w);
	cleanup(&c);
	return rc;
}
