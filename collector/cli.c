#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "collector.h"
#include "graph.h"
#include "texts.h"

static int parse_args(int argc, char **argv, int first, struct action *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = first; i < argc; i++) {
		const char **dst = NULL;
		if (strcmp(argv[i], "--commune") == 0)
			dst = &a->commune;
		else if (strcmp(argv[i], "--site") == 0)
			dst = &a->site;
		else if (strcmp(argv[i], "--device") == 0)
			dst = &a->device;
		else if (strcmp(argv[i], "--from") == 0)
			dst = &a->from;
		else if (strcmp(argv[i], "--to") == 0)
			dst = &a->to;
		else if (strcmp(argv[i], "--note") == 0)
			dst = &a->note;
		else if (strcmp(argv[i], "--target") == 0)
			dst = &a->target;
		else if (strcmp(argv[i], "--by") == 0)
			dst = &a->by;
		if (!dst || i + 1 >= argc) {
			fprintf(stderr, "%s: %s\n", argv[i], dst ? "needs a value" : "unknown argument");
			return -1;
		}
		*dst = argv[++i];
	}
	return 0;
}

static int given(const char *s) { return s && *s; }

/* The commune (and site, device) must be in the inventory. */
static int check_place(const struct collector *c, const struct action *a, char *err, size_t n)
{
	if (!given(a->commune)) {
		snprintf(err, n, "--commune: required");
		return -1;
	}
	long k = alerts_find_commune(c->inv, a->commune);
	if (k < 0) {
		snprintf(err, n, "--commune \"%s\": not in %s", a->commune, c->cfg->inventory);
		return -1;
	}
	if (given(a->site) && alerts_find_site(c->inv, (size_t)k, a->site) < 0) {
		snprintf(err, n, "--site \"%s\": no such site in \"%s\"", a->site, a->commune);
		return -1;
	}
	if (given(a->device) && inventory_find(c->inv, a->commune, a->device) < 0) {
		snprintf(err, n, "--device \"%s\": no such device in \"%s\"", a->device, a->commune);
		return -1;
	}
	return 0;
}

long action_maint_add(struct collector *c, const struct action *a, time_t now, char *err,
		      size_t errsz)
{
	int64_t from, to;
	if (check_place(c, a, err, errsz) < 0)
		return -1;
	if (!given(a->from) || graph_parse_time(a->from, &from, 0) < 0) {
		snprintf(err, errsz, "--from: expected YYYY-MM-DD[THH:MM] or Unix seconds");
		return -1;
	}
	if (!given(a->to) || graph_parse_time(a->to, &to, 1) < 0 || to <= from) {
		snprintf(err, errsz, "--to: expected YYYY-MM-DD[THH:MM] or Unix seconds, after --from");
		return -1;
	}
	struct maint m = {0, a->commune, a->site, a->device, (time_t)from, (time_t)to, a->note};
	long id = store_maint_add(c->store, &m, now);
	if (id < 0)
		snprintf(err, errsz, "the event store refused it (see the log)");
	return id;
}

/* "scanner", or a value target "printer.supply.percent" */
static int site_target(const char *t)
{
	char cls[32], group[20], metric[20], tail;
	if (devclass_parse(t) >= 0)
		return 1;
	return sscanf(t, "%31[a-z].%19[a-z0-9_].%19[a-z0-9_]%c", cls, group, metric, &tail) == 3 &&
	       devclass_parse(cls) >= 0;
}

/* A [commune-targets] entry by the name alerts give it: "portal", "site.meeting-room". */
static int commune_target(const struct collector *c, const char *t)
{
	for (int k = 0; k < c->cfg->ncommune_targets; k++) {
		const struct commune_target *ct = &c->cfg->commune_targets[k];
		if (ct->kind == CT_CLASS ? strcmp(devclass_name(ct->cls), t) == 0
					 : strncmp(t, "site.", 5) == 0 && strcmp(t + 5, ct->site_type) == 0)
			return 1;
	}
	return 0;
}

long action_ack(struct collector *c, const struct action *a, time_t now, char *err,
		size_t errsz)
{
	if (check_place(c, a, err, errsz) < 0)
		return -1;
	int ok = given(a->target) &&
		 (strcmp(a->target, "uplink") == 0 ||
		  (given(a->site) ? site_target(a->target) : commune_target(c, a->target)));
	if (!ok) {
		snprintf(err, errsz, "--target \"%s\": a device class or a value target "
			 "(printer.supply.percent) with --site; uplink, or a [commune-targets] name "
			 "(portal, site.meeting-room) without", a->target ? a->target : "");
		return -1;
	}
	if (!given(a->by)) {
		snprintf(err, errsz, "--by: who takes it on is required");
		return -1;
	}
	struct ack k = {0, a->commune, a->site, a->target, now, a->by, a->note};
	long id = store_ack_add(c->store, &k);
	if (id < 0)
		snprintf(err, errsz, "the event store refused it (see the log)");
	return id;
}

static void print_maint(void *ctx, const struct maint *m)
{
	char from[32], to[32];
	(void)ctx;
	text_time(from, sizeof(from), m->start);
	text_time(to, sizeof(to), m->end);
	printf("%ld\t%s\t%s\t%s\t%s\t%s\t%s\n", m->id, from, to, m->commune, m->site, m->device,
	       m->note);
}

static int maint(struct collector *c, int argc, char **argv)
{
	struct action a;
	char err[300];
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		/* current and future windows, and those of the past week */
		printf("id\tfrom\tto\tcommune\tsite\tdevice\tnote\n");
		return store_maint_each(c->store, c->now() - 7 * 86400, print_maint, NULL) < 0;
	}
	if (argc < 2 || strcmp(argv[1], "add") != 0 || parse_args(argc, argv, 2, &a) < 0) {
		fprintf(stderr, "usage: hbmon-collector [-c FILE] maint add --commune C [--site S] "
				"[--device D] --from T --to T [--note TEXT]\n"
				"       hbmon-collector [-c FILE] maint list\n"
				"  T: YYYY-MM-DD[THH:MM] local time, or Unix seconds\n");
		return 2;
	}
	long id = action_maint_add(c, &a, c->now(), err, sizeof(err));
	if (id < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("maintenance window %ld: %s%s%s%s%s, %s → %s\n", id, a.commune, a.site ? " / " : "",
	       a.site ? a.site : "", a.device ? " / " : "", a.device ? a.device : "", a.from, a.to);
	return 0;
}

static int ack(struct collector *c, int argc, char **argv)
{
	struct action a;
	char err[300];
	if (parse_args(argc, argv, 1, &a) < 0) {
		fprintf(stderr, "usage: hbmon-collector [-c FILE] ack --commune C [--site S] "
				"--target CLASS|CLASS.GROUP.METRIC|uplink|COMMUNE-TARGET --by NAME [--note TEXT]\n");
		return 2;
	}
	long id = action_ack(c, &a, c->now(), err, sizeof(err));
	if (id < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("acknowledgement %ld recorded; the collector applies it to a firing alert\n", id);
	return 0;
}

/* The secret, alone on a line, in a new file only its owner reads (the probe refuses others). */
static int write_secret(const char *path, const char *secret)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "--secret-file %s: %s\n", path,
			errno == EEXIST ? "exists already (a secret is never overwritten)"
					: strerror(errno));
		return -1;
	}
	char line[PROBE_SECRET_LEN + 2];
	int n = snprintf(line, sizeof(line), "%s\n", secret);
	int ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
	if (close(fd) < 0 || !ok) {
		fprintf(stderr, "--secret-file %s: %s\n", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

static int probe_add(struct collector *c, const char *name, const char *file)
{
	char secret[PROBE_SECRET_LEN + 1], err[200];
	if (probes_add(c->probes, name, c->now(), secret, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (file) {
		if (write_secret(file, secret) < 0) {
			probes_revoke(c->probes, name, c->now(), err, sizeof(err));
			return 1;
		}
		printf("probe %s: secret written to %s; set [probe] name = %s and secret_file = %s "
		       "in the probe's hbmon.conf\n", name, file, name, file);
		return 0;
	}
	printf("probe %s: secret %s\n"
	       "It is shown only this once: put it alone in the probe's secret file (chmod 600, "
	       "[probe] secret_file) and set [probe] name = %s.\n", name, secret, name);
	return 0;
}

static void print_probe(void *ctx, const struct probe_entry *e)
{
	char when[40];
	(void)ctx;
	text_time(when, sizeof(when), e->revoked ? e->revoked : e->created);
	printf("%s\t%s\t%s\n", e->name, e->revoked ? "revoked" : "valid", when);
}

static int probe_cmd(struct collector *c, int argc, char **argv)
{
	char err[200];
	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		printf("probe\tsecret\tsince\n");
		return probes_each(c->probes, print_probe, NULL) < 0;
	}
	if (argc == 3 && strcmp(argv[1], "revoke") == 0) {
		if (probes_revoke(c->probes, argv[2], c->now(), err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		printf("probe %s: secret revoked; its batches are refused from now on\n", argv[2]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "add") == 0)
		return probe_add(c, argv[2], NULL);
	if (argc == 5 && strcmp(argv[1], "add") == 0 && strcmp(argv[3], "--secret-file") == 0)
		return probe_add(c, argv[2], argv[4]);
	fprintf(stderr, "usage: hbmon-collector [-c FILE] probe add NAME [--secret-file FILE]\n"
			"       hbmon-collector [-c FILE] probe list\n"
			"       hbmon-collector [-c FILE] probe revoke NAME\n");
	return 2;
}

int cli_main(struct collector *c, int argc, char **argv)
{
	if (strcmp(argv[0], "probe") == 0)
		return probe_cmd(c, argc, argv);
	if (strcmp(argv[0], "maint") == 0)
		return maint(c, argc, argv);
	if (strcmp(argv[0], "ack") == 0)
		return ack(c, argc, argv);
	fprintf(stderr, "%s: unknown command (maint, ack, probe)\n", argv[0]);
	return 2;
}
