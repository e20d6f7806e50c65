#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "collector.h"
#include "export.h"
#include "graph.h"
#include "i18n.h"
#include "strbuf.h"
#include "texts.h"
#include "tokencli.h"
#include "usercli.h"

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

struct open_count {
	const char *commune;
	int district, commune_n;
};

static void count_open(void *ctx, const struct maint *m)
{
	struct open_count *n = ctx;
	n->district++;
	n->commune_n += strcmp(m->commune, n->commune) == 0;
}

/* A window no longer than max_len, and not one more than the bounds let stay open: many
 * windows are a commune silenced piece by piece. */
static int check_window(struct collector *c, const struct action *a, int64_t from, int64_t to,
			long max_len, time_t now, char *err, size_t errsz)
{
	struct open_count n = {a->commune, 0, 0};
	if (to - from > max_len) {
		snprintf(err, errsz, "--to: a window is at most %ld days long%s", max_len / 86400,
			 max_len < VIEWER_MAINT_MAX_ADMIN ? " (longer ones: ask an administrator)" : "");
		return -1;
	}
	if (to <= (int64_t)now) {
		snprintf(err, errsz, "--to: the window is already over");
		return -1;
	}
	if (store_maint_each(c->store, now, count_open, &n) < 0) {
		snprintf(err, errsz, "the event store could not be read (see the log)");
		return -1;
	}
	if (n.commune_n >= MAINT_OPEN_PER_COMMUNE || n.district >= MAINT_OPEN_MAX) {
		snprintf(err, errsz, "--commune \"%s\": %d windows are open or planned already (at "
			 "most %d for a commune, %d in all): end one first", a->commune,
			 n.commune_n >= MAINT_OPEN_PER_COMMUNE ? n.commune_n : n.district,
			 MAINT_OPEN_PER_COMMUNE, MAINT_OPEN_MAX);
		return -1;
	}
	return 0;
}

long action_maint_add(struct collector *c, const struct action *a, long max_len, time_t now,
		      char *err, size_t errsz)
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
	if (check_window(c, a, from, to, max_len, now, err, errsz) < 0)
		return -1;
	struct maint m = {0, a->commune, a->site, a->device, (time_t)from, (time_t)to, a->note, a->by};
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

/* A window's end in words: "24/11 07:00" (the form's values are ISO, people's are not). */
static void window_end(char *dst, size_t n, const char *v, int end)
{
	int64_t t;
	if (graph_parse_time(v, &t, end) == 0)
		text_day_time(dst, n, (time_t)t);
	else
		snprintf(dst, n, "%s", v);
}

/* "Xã A / Bộ phận Một cửa: máy quét — note", "Xã A (12): 24/11 07:00 → 24/11 11:30": what was
 * done, in language l. */
static void describe(const struct collector *c, const struct action *a, long id, enum lang l,
		     char *dst, size_t n)
{
	char key[48], from[32], to[32];
	int used = snprintf(dst, n, "%s%s%s", a->commune, given(a->site) ? " / " : "",
			    given(a->site) ? a->site : "");
	if (used < 0 || (size_t)used >= n)
		return;
	if (given(a->target)) {
		/* a class, or a value target's class ("printer.supply.percent": the printer) */
		snprintf(key, sizeof(key), "class.%.*s", (int)strcspn(a->target, "."), a->target);
		used += snprintf(dst + used, n - (size_t)used, ": %s",
				 i18n_has(c->i18n, key) ? i18n_get(c->i18n, l, key) : a->target);
	} else {
		window_end(from, sizeof(from), a->from, 0);
		window_end(to, sizeof(to), a->to, 1);
		used += snprintf(dst + used, n - (size_t)used, " (%ld): %s → %s", id, from, to);
	}
	if (used > 0 && (size_t)used < n && given(a->note))
		snprintf(dst + used, n - (size_t)used, " — %s", a->note);
}

/* The event the commune's page and the events page show: "Nhận xử lý: … (Chị Lan)". */
static void action_event(struct collector *c, const struct action *a, enum audit_action what,
			 long id, time_t now)
{
	char text[LANG_COUNT][AUDIT_DETAIL_MAX + 256], key[48], what_done[AUDIT_DETAIL_MAX];
	snprintf(key, sizeof(key), "events.text.%s", audit_action_name(what));
	for (int l = 0; l < LANG_COUNT; l++) {
		describe(c, a, id, (enum lang)l, what_done, sizeof(what_done));
		snprintf(text[l], sizeof(text[l]), "%s: %s (%s)", i18n_get(c->i18n, (enum lang)l, key),
			 what_done, given(a->by) ? a->by : "?");
	}
	store_event(c->store, now, a->commune, given(a->target) ? a->target : "maintenance",
		    what == AUDIT_ACK ? "ack" : "maintenance", text[LANG_VI], text[LANG_EN]);
}

void action_audit(struct collector *c, const struct action *a, enum audit_action what, long id,
		  const char *who, const char *addr, time_t now)
{
	char detail[AUDIT_DETAIL_MAX];
	describe(c, a, id, lang_parse(c->cfg->language, LANG_VI), detail, sizeof(detail));
	audit_add(c->store, now, who, addr, audit_action_name(what), detail);
	action_event(c, a, what, id, now);
}

struct find_window {
	long id;
	char commune[256];
	int found;
};

static void find_window(void *ctx, const struct maint *m)
{
	struct find_window *f = ctx;
	if (m->id == f->id) {
		snprintf(f->commune, sizeof(f->commune), "%s", m->commune);
		f->found = 1;
	}
}

int action_maint_cancel(struct collector *c, long id, const struct viewer *v, const char *addr,
			time_t now, char *err, size_t errsz)
{
	struct find_window f = {id, "", 0};
	char detail[300];
	if (store_maint_each(c->store, now, find_window, &f) < 0 || !f.found) {
		snprintf(err, errsz, "maintenance window %ld: none such is open or planned", id);
		return -1;
	}
	if (!viewer_may_act(v, f.commune)) {
		snprintf(err, errsz, "maintenance window %ld: not one of your commune's", id);
		return -2;
	}
	if (store_maint_cancel(c->store, id, now) != 1) {
		snprintf(err, errsz, "maintenance window %ld: the event store refused it", id);
		return -1;
	}
	snprintf(detail, sizeof(detail), "%s (%ld)", f.commune, id);
	audit_add(c->store, now, v->user, addr, audit_action_name(AUDIT_MAINT_CANCEL), detail);
	char text[LANG_COUNT][400];
	for (int l = 0; l < LANG_COUNT; l++)
		snprintf(text[l], sizeof(text[l]), "%s: %s (%s)",
			 i18n_get(c->i18n, (enum lang)l, "events.text.maint_cancel"), detail, v->user);
	store_event(c->store, now, f.commune, "maintenance", "maintenance", text[LANG_VI],
		    text[LANG_EN]);
	return 0;
}

static void print_maint(void *ctx, const struct maint *m)
{
	char from[32], to[32];
	(void)ctx;
	text_time(from, sizeof(from), m->start);
	text_time(to, sizeof(to), m->end);
	printf("%ld\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", m->id, from, to, m->commune, m->site,
	       m->device, m->by ? m->by : "", m->note);
}

/* The command line acts as an administrator (it runs on the collector's box, as its user):
 * "cli:root" in the audit log. */
static struct viewer cli_viewer(char *who, size_t n)
{
	const struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name)
		snprintf(who, n, "cli:%s", pw->pw_name);
	else
		snprintf(who, n, "cli:uid %u", (unsigned)geteuid());
	return (struct viewer){who, ROLE_ADMIN, "", ""};
}

static int maint_cancel(struct collector *c, const char *arg)
{
	char who[AUDIT_USER_MAX], err[300];
	long id;
	struct viewer v = cli_viewer(who, sizeof(who));
	if (parse_long(arg, 1, 9007199254740991L, &id) < 0) {
		fprintf(stderr, "%s: expected a window's number (maint list)\n", arg);
		return 2;
	}
	if (action_maint_cancel(c, id, &v, "local", c->now(), err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("maintenance window %ld ended\n", id);
	return 0;
}

static int maint(struct collector *c, int argc, char **argv)
{
	struct action a;
	char err[300];
	if (argc >= 2 && strcmp(argv[1], "list") == 0) {
		/* current and future windows, and those of the past week */
		printf("id\tfrom\tto\tcommune\tsite\tdevice\tby\tnote\n");
		return store_maint_each(c->store, c->now() - 7 * 86400, print_maint, NULL) < 0;
	}
	if (argc == 3 && strcmp(argv[1], "cancel") == 0)
		return maint_cancel(c, argv[2]);
	if (argc < 2 || strcmp(argv[1], "add") != 0 || parse_args(argc, argv, 2, &a) < 0) {
		fprintf(stderr, "usage: hbmon-collector [-c FILE] maint add --commune C [--site S] "
				"[--device D] --from T --to T [--note TEXT]\n"
				"       hbmon-collector [-c FILE] maint list\n"
				"       hbmon-collector [-c FILE] maint cancel ID\n"
				"  T: YYYY-MM-DD[THH:MM] local time, or Unix seconds\n");
		return 2;
	}
	char who[AUDIT_USER_MAX];
	struct viewer v = cli_viewer(who, sizeof(who));
	if (!given(a.by))
		a.by = v.user;
	long id = action_maint_add(c, &a, VIEWER_MAINT_MAX_ADMIN, c->now(), err, sizeof(err));
	if (id < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	action_audit(c, &a, AUDIT_MAINT_ADD, id, v.user, "local", c->now());
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
	char who[AUDIT_USER_MAX];
	action_audit(c, &a, AUDIT_ACK, id, cli_viewer(who, sizeof(who)).user, "local", c->now());
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
	if (strcmp(argv[0], "user") == 0)
		return usercli_main(c, argc, argv);
	if (strcmp(argv[0], "token") == 0)
		return tokencli_main(c, argc, argv);
	if (strcmp(argv[0], "export") == 0)
		return export_main(c, argc, argv);
	fprintf(stderr, "%s: unknown command (maint, ack, probe, user, token, export)\n", argv[0]);
	return 2;
}
