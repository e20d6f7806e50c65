#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "graph.h"
#include "history.h"
#include "identstore.h"
#include "hours.h"
#include "period.h"
#include "readiness_sheet.h"
#include "sheet.h"
#include "texts.h"

/* A period's events beyond this are refused rather than cut: a sheet must be whole. */
#define EXPORT_EVENTS_MAX 200000
#define EXPORT_MAX_SPAN (10 * 366 * 86400LL)

enum export_kind { EX_READINESS, EX_INVENTORY, EX_EVENTS };

struct export_args {
	enum export_kind kind;
	const char *from, *to, *period, *format, *lang, *output;
	enum sheet_format f;
	enum lang l;
	int64_t start, end; /* [start, end): readiness, events */
};

static void usage(void)
{
	fprintf(stderr,
		"usage: hbmon-collector [-c FILE] export readiness|inventory|events\n"
		"           [--period NAME | --from D [--to D]] [--format csv|xlsx|json]\n"
		"           [--lang vi|en] [--output FILE]\n"
		"  NAME: day, yesterday, week, last-week, month (the default), last-month, quarter,\n"
		"        last-quarter, year, last-year; D: YYYY-MM-DD[THH:MM] local time (--to's day\n"
		"        is included) or Unix seconds\n");
}

/* The options after the kind: each names its value; 0, or -1 with the fault told. */
static int parse_options(int argc, char **argv, struct export_args *a, char *err, size_t n)
{
	static const char *const names[] = {"--from", "--to", "--period", "--format", "--lang",
					    "--output"};
	const char **dst[] = {&a->from, &a->to, &a->period, &a->format, &a->lang, &a->output};
	for (int i = 2; i < argc; i++) {
		size_t k = 0;
		while (k < sizeof(names) / sizeof(names[0]) && strcmp(argv[i], names[k]) != 0)
			k++;
		if (k == sizeof(names) / sizeof(names[0]) || i + 1 >= argc) {
			snprintf(err, n, "%s: %s", argv[i],
				 k < sizeof(names) / sizeof(names[0]) ? "needs a value"
								      : "unknown argument");
			return -1;
		}
		if (*dst[k]) {
			snprintf(err, n, "%s: given twice", argv[i]);
			return -1;
		}
		*dst[k] = argv[++i];
	}
	return 0;
}

/* The period asked for, as /report reads it: a calendar period by name (this month when none is
 * given), or --from and --to (--to's whole day, now when absent). */
static int resolve_period(struct export_args *a, int64_t now, char *err, size_t n)
{
	if (a->kind == EX_INVENTORY) {
		const char *given = a->period ? "--period" : a->from ? "--from" : a->to ? "--to" : NULL;
		if (given)
			snprintf(err, n, "%s: an inventory export has no period (it lists the devices "
				 "configured now)", given);
		return given ? -1 : 0;
	}
	if (a->period && (a->from || a->to)) {
		snprintf(err, n, "--period: give either --period or --from/--to, not both");
		return -1;
	}
	if (!a->from && !a->to) {
		if (period_calendar(a->period ? a->period : "month", now, &a->start, &a->end) == 0)
			return 0;
		snprintf(err, n, "--period %s: expected day, yesterday, week, last-week, month, "
			 "last-month, quarter, last-quarter, year or last-year", a->period);
		return -1;
	}
	if (!a->from) {
		snprintf(err, n, "--from: required with --to");
		return -1;
	}
	if (graph_parse_time(a->from, &a->start, 0) < 0) {
		snprintf(err, n, "--from %s: expected YYYY-MM-DD[THH:MM] (local time) or Unix seconds",
			 a->from);
		return -1;
	}
	a->end = now;
	if (a->to && graph_parse_time(a->to, &a->end, 1) < 0) {
		snprintf(err, n, "--to %s: expected YYYY-MM-DD[THH:MM] (local time) or Unix seconds",
			 a->to);
		return -1;
	}
	if (a->end <= a->start || a->end - a->start > EXPORT_MAX_SPAN) {
		snprintf(err, n, "%s: must be after --from, by at most 10 years",
			 a->to ? "--to" : "--from (until now)");
		return -1;
	}
	return 0;
}

static int parse_args(const struct collector *c, int argc, char **argv, struct export_args *a,
		      char *err, size_t n)
{
	static const char *const kinds[] = {"readiness", "inventory", "events"};
	memset(a, 0, sizeof(*a));
	size_t k = 0;
	while (argc >= 2 && k < 3 && strcmp(argv[1], kinds[k]) != 0)
		k++;
	if (argc < 2 || k == 3) {
		snprintf(err, n, "%s: expected readiness, inventory or events",
			 argc < 2 ? "export" : argv[1]);
		return -1;
	}
	a->kind = (enum export_kind)k;
	if (parse_options(argc, argv, a, err, n) < 0)
		return -1;
	a->f = SHEET_CSV;
	if (a->format && sheet_format_parse(a->format, &a->f) < 0) {
		snprintf(err, n, "--format %s: expected csv, xlsx or json", a->format);
		return -1;
	}
	a->l = lang_parse(c->cfg->language, LANG_VI);
	if (a->lang && (strcmp(a->lang, "vi") != 0 && strcmp(a->lang, "en") != 0)) {
		snprintf(err, n, "--lang %s: expected vi or en", a->lang);
		return -1;
	}
	a->l = lang_parse(a->lang, a->l);
	if (a->f == SHEET_XLSX && !a->output && isatty(STDOUT_FILENO)) {
		snprintf(err, n, "--format xlsx: a workbook is not for a terminal: give --output FILE "
			 "or redirect standard output");
		return -1;
	}
	return resolve_period(a, (int64_t)c->now(), err, n);
}

/* "communes 12/150" on standard error, rewritten in place: only on a terminal, only once the
 * export has taken a second, at most five times a second. */
struct progress {
	int tty, shown;
	const char *what;
	struct timespec t0, last;
};

static void progress_start(struct progress *p, const char *what)
{
	memset(p, 0, sizeof(*p));
	p->tty = isatty(STDERR_FILENO);
	p->what = what;
	clock_gettime(CLOCK_MONOTONIC, &p->t0);
}

static double seconds_since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progress_step(void *ctx, size_t done, size_t total)
{
	struct progress *p = ctx;
	struct timespec now;
	if (!p->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (seconds_since(&p->t0, &now) < 1 || (p->shown && seconds_since(&p->last, &now) < 0.2 &&
						 done < total))
		return;
	fprintf(stderr, "\r%s %zu/%zu", p->what, done, total);
	p->shown = 1;
	p->last = now;
}

static void progress_end(struct progress *p)
{
	if (p->shown)
		fputc('\n', stderr);
}

/* The district's working hours, as the running collector judges them (alerts_new). */
static int district_hours(const struct hbmon_config *cfg, struct hours *h, char *err, size_t n)
{
	struct errlist errs = {0};
	char why[200];
	memset(h, 0, sizeof(*h));
	if (hours_parse_days(cfg->work_days, &h->days, why, sizeof(why)) < 0 ||
	    hours_parse_spans(cfg->work_hours, h, why, sizeof(why)) < 0) {
		snprintf(err, n, "%s: [working-hours]: %s", cfg->path, why);
		return -1;
	}
	if (cfg->holidays[0] && hours_load_holidays(h, cfg->holidays, &errs) < 0) {
		snprintf(err, n, "%s", errs.n ? errs.msg[0] : cfg->holidays);
		errlist_free(&errs);
		hours_free(h);
		return -1;
	}
	errlist_free(&errs);
	return 0;
}

/* Paths of the RRD files (history_new asks c->rrd): the daemon's own store is not open here. */
static int open_rrd_paths(struct collector *c, char *err, size_t n)
{
	char dir[PATH_MAX + 8];
	if (c->rrd)
		return 0;
	snprintf(dir, sizeof(dir), "%s/rrd", c->cfg->data_dir);
	if (!(c->rrd = rrdstore_new(dir, c->cfg->rrd_step))) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	return 0;
}

static int export_readiness(struct collector *c, const struct export_args *a, char **data,
			    size_t *len, char *err, size_t n)
{
	struct hours h;
	struct progress p;
	json_object *root = NULL;
	if (open_rrd_paths(c, err, n) < 0 || district_hours(c->cfg, &h, err, n) < 0)
		return -1;
	struct history *hist = history_new(c, &h, a->start, a->end, (int64_t)c->now());
	hours_free(&h); /* history_new copied it */
	if (!hist) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	progress_start(&p, "communes");
	history_set_progress(hist, progress_step, &p);
	int rc = history_run(hist, &root, err, n);
	progress_end(&p);
	history_free(hist);
	if (rc == 0)
		rc = readiness_sheet(root, c->i18n, a->l, a->f, data, len, err, n);
	json_object_put(root);
	return rc;
}

/* "127.0.0.20", "127.0.0.20:1161", "[2001:db8::1]:1161"; a web page's address for a device
 * checked by its URL only. */
static void device_address(char *dst, size_t n, const struct inv_device *d)
{
	if (!d->host[0])
		snprintf(dst, n, "%s", d->url);
	else if (d->port == 161)
		snprintf(dst, n, "%s", d->host);
	else
		snprintf(dst, n, strchr(d->host, ':') ? "[%s]:%d" : "%s:%d", d->host, d->port);
}

/* When data was last stored for device i: its system.rrd's last update (what rrdcached still
 * holds flushed first); 0: none. */
static time_t last_stored(const struct collector *c, const struct inv_device *d)
{
	char path[PATH_MAX];
	if (rrdstore_path(c->rrd, path, sizeof(path), c->inv->communes[d->commune].path, d->path,
			  "system") < 0 ||
	    access(path, R_OK) < 0)
		return 0;
	if (c->cfg->rrdcached[0])
		rrdc_flush_if_daemon(c->cfg->rrdcached, path);
	rrd_clear_error();
	time_t t = rrd_last_r(path);
	return t > 0 ? t : 0;
}

/* The identities the store keeps, by inventory device (identstore.h); owned strings. */
struct inv_idents {
	const struct inventory *inv;
	char **model, **serial, **sys_name, **cls;
};

static void take_ident(void *ctx, const struct dev_ident *id)
{
	struct inv_idents *x = ctx;
	long i = inventory_find(x->inv, id->commune, id->device);
	if (i < 0 || x->model[i])
		return;
	x->model[i] = strdup(id->model);
	x->serial[i] = strdup(id->serial);
	x->sys_name[i] = strdup(id->sys_name);
	/* the class the probe recognised ("other" too), else the profile it polled with */
	x->cls[i] = strdup(id->auto_cls[0] ? id->auto_cls : id->cls);
}

static int idents_read(struct collector *c, struct inv_idents *x, char *err, size_t n)
{
	size_t nd = c->inv->ndevices ? c->inv->ndevices : 1;
	*x = (struct inv_idents){c->inv, calloc(nd, sizeof(char *)), calloc(nd, sizeof(char *)),
				 calloc(nd, sizeof(char *)), calloc(nd, sizeof(char *))};
	if (!x->model || !x->serial || !x->sys_name || !x->cls) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	struct identstore *is = identstore_open(c->store, err, n);
	if (!is)
		return -1;
	int rc = identstore_each(is, take_ident, x);
	identstore_close(is);
	if (rc < 0)
		snprintf(err, n, "device identities: cannot read the store");
	return rc;
}

static void idents_free(struct inv_idents *x, size_t nd)
{
	char **all[] = {x->model, x->serial, x->sys_name, x->cls};
	for (size_t k = 0; k < 4; k++) {
		for (size_t i = 0; all[k] && i < nd; i++)
			free(all[k][i]);
		free(all[k]);
	}
}

/* The class the inventory gives, else the one its probe detected and the store kept. */
static const char *inventory_class(const struct collector *c, const struct export_args *a,
				   const struct inv_device *d, const char *kept)
{
	char key[48];
	int cls = d->cls_auto && kept ? devclass_parse(kept) : -1;
	if (d->cls_auto && cls < 0)
		return NULL;
	snprintf(key, sizeof(key), "class.%s", devclass_name(cls >= 0 ? (enum dev_class)cls : d->cls));
	return i18n_get(c->i18n, a->l, key);
}

static void inventory_row(struct collector *c, const struct export_args *a, struct sheet *s,
			  const struct inv_idents *x, size_t i)
{
	char addr[300];
	const struct inv_device *d = &c->inv->devices[i];
	const struct inv_site *site = &c->inv->sites[d->site];
	sheet_text(s, c->inv->communes[d->commune].name);
	sheet_text(s, site->name);
	sheet_text(s, text_site_type(c->cfg, a->l, site->type));
	sheet_text(s, d->name);
	sheet_text(s, inventory_class(c, a, d, x->cls[i]));
	sheet_text(s, x->model[i]);
	sheet_text(s, x->serial[i]);
	sheet_text(s, x->sys_name[i]);
	device_address(addr, sizeof(addr), d);
	sheet_text(s, addr);
	sheet_text(s, d->contact);
	sheet_time(s, last_stored(c, d));
	sheet_end_row(s);
}

static int export_inventory(struct collector *c, const struct export_args *a, char **data,
			    size_t *len, char *err, size_t n)
{
	static const char *const keys[][2] = {
	    {"commune", "csv.commune"}, {"site", "csv.site"},	    {"site_type", "csv.site_type"},
	    {"device", "csv.device"},	{"class", "csv.class"},	    {"model", "csv.model"},
	    {"serial", "csv.serial"},	{"sys_name", "csv.sys_name"}, {"address", "csv.address"},
	    {"contact", "csv.contact"}, {"last_data", "csv.last_data"}};
	enum { NCOLS = sizeof(keys) / sizeof(keys[0]) };
	static const int widths[NCOLS] = {22, 24, 22, 28, 26, 28, 20, 24, 18, 28, 18};
	struct sheet_column cols[NCOLS];
	struct progress p;
	struct inv_idents x;
	if (open_rrd_paths(c, err, n) < 0)
		return -1;
	if (idents_read(c, &x, err, n) < 0) {
		idents_free(&x, c->inv->ndevices);
		return -1;
	}
	for (size_t k = 0; k < NCOLS; k++)
		cols[k] = (struct sheet_column){keys[k][0], i18n_get(c->i18n, a->l, keys[k][1]),
						widths[k]};
	struct sheet *s = sheet_new(a->f, a->l, i18n_get(c->i18n, a->l, "sheet.inventory"));
	int rc = -1;
	if (!s) {
		snprintf(err, n, "out of memory");
	} else {
		sheet_header(s, cols, NCOLS);
		progress_start(&p, "devices");
		for (size_t i = 0; i < c->inv->ndevices; i++) {
			inventory_row(c, a, s, &x, i);
			progress_step(&p, i + 1, c->inv->ndevices);
		}
		progress_end(&p);
		rc = sheet_finish(s, data, len, err, n);
	}
	sheet_free(s);
	idents_free(&x, c->inv->ndevices);
	return rc;
}

/* One row of the events sheet, its strings owned. */
struct ev_row {
	time_t ts;
	size_t seq; /* the order read: ties keep it */
	char *commune, *kind, *what;
};

struct ev_list {
	const struct collector *c;
	enum lang l;
	struct ev_row *v;
	size_t n, cap;
	size_t nread; /* events read, newest first */
	int oom;
};

/* seq: ties in time keep this order (the event store's, then the activity log's). */
static void ev_add(struct ev_list *x, time_t ts, size_t seq, const char *commune,
		   const char *kind, const char *what)
{
	if (x->oom)
		return;
	if (x->n == x->cap) {
		size_t ncap = x->cap ? 2 * x->cap : 256;
		struct ev_row *v = realloc(x->v, ncap * sizeof(*v));
		if (!v) {
			x->oom = 1;
			return;
		}
		x->v = v;
		x->cap = ncap;
	}
	struct ev_row *r = &x->v[x->n];
	*r = (struct ev_row){ts, seq, strdup(commune), strdup(kind), strdup(what)};
	if (!r->commune || !r->kind || !r->what) {
		free(r->commune);
		free(r->kind);
		free(r->what);
		x->oom = 1;
		return;
	}
	x->n++;
}

/* The store reads newest first: an older event of the same second gets the smaller seq. */
static void on_event(void *ctx, const struct event *e)
{
	struct ev_list *x = ctx;
	char key[48];
	snprintf(key, sizeof(key), "events.kind.%s", e->kind);
	ev_add(x, e->ts, SIZE_MAX - ++x->nread, e->commune ? e->commune : "",
	       i18n_get(x->c->i18n, x->l, key),
	       x->l == LANG_EN && e->text_en && e->text_en[0] ? e->text_en : e->text);
}

static int ev_cmp(const void *pa, const void *pb)
{
	const struct ev_row *a = pa, *b = pb;
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void ev_free(struct ev_list *x)
{
	for (size_t k = 0; k < x->n; k++) {
		free(x->v[k].commune);
		free(x->v[k].kind);
		free(x->v[k].what);
	}
	free(x->v);
}

/* The events of [start, end), oldest first: 0, or -1 with err. */
static int read_events(struct collector *c, const struct export_args *a, struct ev_list *x,
		       char *err, size_t n)
{
	/* alerts firing and resolved, acknowledgements, windows planned and ended, each in both
	 * languages (the commune's page and the events page read the same) */
	int na = store_events_newest(c->store, (time_t)a->start, (time_t)a->end, NULL,
				     EXPORT_EVENTS_MAX + 1, on_event, x);
	if (na < 0) {
		snprintf(err, n, "%s/hbmon.db: the event store could not be read", c->cfg->data_dir);
		return -1;
	}
	if (x->oom) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	if (x->n > EXPORT_EVENTS_MAX) {
		snprintf(err, n, "--from/--to: more than %d events in the period: export a shorter "
			 "one", EXPORT_EVENTS_MAX);
		return -1;
	}
	qsort(x->v, x->n, sizeof(*x->v), ev_cmp);
	return 0;
}

static int export_events(struct collector *c, const struct export_args *a, char **data,
			 size_t *len, char *err, size_t n)
{
	static const char *const keys[][2] = {{"time", "csv.time"},
					      {"commune", "csv.commune"},
					      {"kind", "csv.kind"},
					      {"what", "csv.what"}};
	static const int widths[] = {17, 22, 24, 90};
	struct sheet_column cols[4];
	struct ev_list x = {.c = c, .l = a->l};
	if (read_events(c, a, &x, err, n) < 0) {
		ev_free(&x);
		return -1;
	}
	for (size_t k = 0; k < 4; k++)
		cols[k] = (struct sheet_column){keys[k][0], i18n_get(c->i18n, a->l, keys[k][1]),
						widths[k]};
	struct sheet *s = sheet_new(a->f, a->l, i18n_get(c->i18n, a->l, "sheet.events"));
	if (!s) {
		ev_free(&x);
		snprintf(err, n, "out of memory");
		return -1;
	}
	sheet_header(s, cols, 4);
	for (size_t k = 0; k < x.n; k++) {
		sheet_time(s, x.v[k].ts);
		sheet_text(s, x.v[k].commune);
		sheet_text(s, x.v[k].kind);
		sheet_text(s, x.v[k].what);
		sheet_end_row(s);
	}
	int rc = sheet_finish(s, data, len, err, n);
	sheet_free(s);
	ev_free(&x);
	return rc;
}

/* The file to --output (created or emptied) or standard output. */
static int write_out(const char *path, const char *data, size_t len, char *err, size_t n)
{
	int fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : STDOUT_FILENO;
	if (fd < 0) {
		snprintf(err, n, "--output %s: %s", path, strerror(errno));
		return -1;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	int saved = errno;
	if ((path && close(fd) < 0) || done < len) {
		snprintf(err, n, "%s: %s", path ? path : "standard output",
			 strerror(done < len ? saved : errno));
		return -1;
	}
	return 0;
}

int export_main(struct collector *c, int argc, char **argv)
{
	struct export_args a;
	char err[PATH_MAX + 300], *data = NULL;
	size_t len = 0;
	if (parse_args(c, argc, argv, &a, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		usage();
		return 2;
	}
	int rc = a.kind == EX_READINESS ? export_readiness(c, &a, &data, &len, err, sizeof(err))
		 : a.kind == EX_INVENTORY ? export_inventory(c, &a, &data, &len, err, sizeof(err))
					  : export_events(c, &a, &data, &len, err, sizeof(err));
	if (rc == 0)
		rc = write_out(a.output, data, len, err, sizeof(err));
	free(data);
	if (rc < 0) {
		fprintf(stderr, "export %s: %s\n", argv[1], err);
		return 1;
	}
	return 0;
}
