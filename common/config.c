#include <arpa/inet.h>
#include "config.h"
#include "hours.h"

#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "filecheck.h"
#include "inifile.h"
#include "log.h"
#include "wire.h"
#include "strbuf.h"

enum opt_type { OPT_STR, OPT_PATH, OPT_INT, OPT_LANG, OPT_DAYS, OPT_SPANS, OPT_EMAILS, OPT_EMAIL };

/* Each option is described once: where it lives, its type, bounds and default. */
struct opt {
	const char *section;
	const char *key;
	enum opt_type type;
	size_t offset;
	size_t size; /* for strings */
	long min, max;
	const char *def;
};

#define S(f) offsetof(struct hbmon_config, f), sizeof(((struct hbmon_config *)0)->f)
static const struct opt options[] = {
	{"general", "district", OPT_STR, S(district), 0, 0, "District"},
	{"general", "language", OPT_LANG, S(language), 0, 0, "vi"},
	/* the words for the unit watching and its members, since the 2025 reform a province
	 * centre (tỉnh) or a cluster, and communes, wards, special zones (xã, phường, đặc khu) */
	{"units", "top_vi", OPT_STR, S(unit_top[0]), 0, 0, "huyện"},
	{"units", "top_en", OPT_STR, S(unit_top[1]), 0, 0, "district"},
	{"units", "member_vi", OPT_STR, S(unit_member[0]), 0, 0, "xã"},
	{"units", "member_en", OPT_STR, S(unit_member[1]), 0, 0, "commune"},
	{"general", "inventory", OPT_PATH, S(inventory), 0, 0, "inventory.csv"},
	{"general", "credentials", OPT_PATH, S(credentials), 0, 0, "credentials.conf"},
	{"general", "data_dir", OPT_PATH, S(data_dir), 0, 0, "/var/lib/hbmon"},
	/* polls, and alone may write, the inventory's devices whose probe column is empty */
	{"general", "default_probe", OPT_STR, S(default_probe), 0, 0, "district"},
	/* started as root, each daemon becomes this user before it touches data or network */
	{"general", "user", OPT_STR, S(run_user), 0, 0, ""},
	{"general", "dashboards_dir", OPT_PATH, S(dashboards_dir), 0, 0,
	 "/usr/local/share/hbmon/dashboards"},
	{"collector", "listen_address", OPT_STR, S(listen_addr), 0, 0, "127.0.0.1"},
	{"collector", "listen_port", OPT_INT, S(listen_port), 0, 65535, "8080"},
	{"collector", "rrd_step", OPT_INT, S(rrd_step), 1, 3600, "60"},
	{"collector", "stale_after", OPT_INT, S(stale_after), 1, 86400, "300"},
	{"collector", "ingest_max_body", OPT_INT, S(ingest_max_body), 1024, 256L << 20, "16777216"},
	/* empty: librrd writes the files itself; else rrdcached's address (unix:/path, host:port) */
	{"collector", "rrdcached", OPT_STR, S(rrdcached), 0, 0, ""},
	/* batches waiting for the storage writer before probes are told to come back later */
	{"collector", "write_queue_max", OPT_INT, S(write_queue_max), 1, 100000, "64"},
	/* and the memory they may hold, in MiB: a small box must not swap under a backlog */
	{"collector", "write_queue_mb", OPT_INT, S(write_queue_mb), 1, 65536, "256"},
	/* a probe's clock set a little ahead must not hide the samples that follow its own */
	{"collector", "max_clock_ahead", OPT_INT, S(max_clock_ahead), 0, 3600, "30"},
	/* quotas: the largest real device (a 2,000-port stack) fits; a runaway one does not */
	{"collector", "max_files_per_device", OPT_INT, S(max_files_per_device), 1, 1000000, "2100"},
	{"collector", "max_rows_per_device", OPT_INT, S(max_rows_per_device), 1, WIRE_MAX_ROWS,
	 "512"},
	{"collector", "max_new_files_per_minute", OPT_INT, S(max_new_files_per_minute), 1,
	 10000000, "6000"},
	/* HTTPS (PEM files); without them the collector listens on loopback addresses only */
	{"collector", "tls_cert", OPT_PATH, S(tls_cert), 0, 0, ""},
	{"collector", "tls_key", OPT_PATH, S(tls_key), 0, 0, ""},
	/* 1: /metrics answers anyone (a scraper on a trusted network); 0: a token or a session */
	{"collector", "metrics_public", OPT_INT, S(metrics_public), 0, 1, "0"},
	{"probe", "name", OPT_STR, S(probe_name), 0, 0, "district"},
	{"probe", "secret_file", OPT_PATH, S(secret_file), 0, 0, "probe.secret"},
	/* empty: the system's CAs verify an https collector_url */
	{"probe", "ca_file", OPT_PATH, S(ca_file), 0, 0, ""},
	/* empty: <data_dir>/spool/<name> */
	{"probe", "spool_dir", OPT_PATH, S(spool_dir), 0, 0, ""},
	{"probe", "spool_mb", OPT_INT, S(spool_mb), 1, 1 << 20, "512"},
	{"probe", "replay_per_s", OPT_INT, S(replay_per_s), 1, 10000, "200"},
	{"probe", "collector_url", OPT_STR, S(collector_url), 0, 0,
	 "http://127.0.0.1:8080/api/v1/ingest"},
	{"probe", "interval", OPT_INT, S(interval), 1, 86400, "60"},
	{"probe", "timeout_ms", OPT_INT, S(timeout_ms), 50, 60000, "2000"},
	{"probe", "retries", OPT_INT, S(retries), 0, 10, "1"},
	/* each device in flight holds a socket; select() sets stop at FD_SETSIZE */
	{"probe", "max_inflight", OPT_INT, S(max_inflight), 1, 500, "64"},
	{"probe", "batch_max", OPT_INT, S(batch_max), 1, 10000, "100"},
	{"probe", "profiles", OPT_PATH, S(profiles), 0, 0, ""},
	{"probe", "mib_dirs", OPT_STR, S(mib_dirs), 0, 0, ""},
	{"probe", "max_rows", OPT_INT, S(max_rows), 1, WIRE_MAX_IFS, "4096"},
	{"probe", "ping_count", OPT_INT, S(ping_count), 1, 10, "3"},
	{"probe", "ping_snmp", OPT_INT, S(ping_snmp), 0, 1, "1"},
	{"probe", "http_timeout_ms", OPT_INT, S(http_timeout_ms), 100, 120000, "10000"},
	/* interfaces watched passively ("eth1, eth2"), and hosts remembered on each: a table
	 * slot is about 1 KB, so the default bounds the watch near 4 MB per interface */
	{"probe", "capture", OPT_STR, S(capture), 0, 0, ""},
	{"probe", "lan_hosts_max", OPT_INT, S(lan_hosts_max), 2, 1 << 20, "4096"},
	/* alert mail: empty smtp_url = alerts are evaluated and logged, nothing is mailed */
	{"alerts", "smtp_url", OPT_STR, S(smtp_url), 0, 0, ""},
	/* 1: the password and the mail never cross the network in clear; smtps:// URLs use
	 * implicit TLS; 0 must be written out, and the collector warns at start */
	{"alerts", "smtp_starttls", OPT_INT, S(smtp_starttls), 0, 1, "1"},
	/* empty: the system's CAs verify the mail server's certificate */
	{"alerts", "smtp_ca_file", OPT_PATH, S(smtp_ca_file), 0, 0, ""},
	{"alerts", "smtp_user", OPT_STR, S(smtp_user), 0, 0, ""},
	{"alerts", "smtp_password", OPT_STR, S(smtp_password), 0, 0, ""},
	{"alerts", "mail_from", OPT_EMAIL, S(mail_from), 0, 0, "hbmon@localhost"},
	/* district IT, besides each commune's contacts from the inventory; "/en" for English */
	{"alerts", "recipients", OPT_EMAILS, S(recipients), 0, 0, ""},
	/* in every commune's mail: whom to call, and where the dashboard is */
	{"alerts", "it_contact", OPT_STR, S(it_contact), 0, 0, ""},
	{"alerts", "dashboard_url", OPT_STR, S(dashboard_url), 0, 0, ""},
	{"alerts", "pending", OPT_INT, S(alert_pending), 0, 86400, "300"},
	{"alerts", "recover", OPT_INT, S(alert_recover), 0, 86400, "300"},
	{"alerts", "digest_interval", OPT_INT, S(digest_interval), 0, 86400, "600"},
	/* after each working span opens: staff switch their PCs on */
	{"alerts", "startup_grace", OPT_INT, S(startup_grace), 0, 86400, "1800"},
	{"snmp", "agentx", OPT_INT, S(snmp_agentx), 0, 1, "0"},
	{"snmp", "agentx_socket", OPT_STR, S(agentx_socket), 0, 0, "/var/agentx/master"},
	{"snmp", "agentx_ping", OPT_INT, S(agentx_ping), 1, 3600, "15"},
	{"snmp", "trap_receivers", OPT_STR, S(trap_receivers), 0, 0, ""},
	{"snmp", "trap_community", OPT_STR, S(trap_community), 0, 0, "public"},
	/* informs: acknowledged, sent again until they are; SNMPv3 with a credential of
	 * credentials.conf (collector/snmpinform.h) */
	{"snmp", "informs", OPT_STR, S(informs), 0, 0, ""},
	{"snmp", "inform_credential", OPT_STR, S(inform_credential), 0, 0, ""},
	{"snmp", "inform_timeout", OPT_INT, S(inform_timeout), 1, 60, "5"},
	{"snmp", "inform_retries", OPT_INT, S(inform_retries), 0, 10, "3"},
	{"working-hours", "days", OPT_DAYS, S(work_days), 0, 0, "mon-fri"},
	{"working-hours", "hours", OPT_SPANS, S(work_hours), 0, 0, "07:00-11:30,13:30-17:00"},
	{"working-hours", "holidays", OPT_PATH, S(holidays), 0, 0, ""},
};
#undef S
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

/* Options whose values are secrets: never echoed in an error, and the file that holds one must
 * be readable by its owner only. */
static int opt_is_secret(const struct opt *o)
{
	return strcmp(o->key, "smtp_password") == 0 || strcmp(o->key, "trap_community") == 0;
}

struct loader;
static void check_private(struct loader *ld, const char *key);
static int valid_name(const char *s);

struct loader {
	struct hbmon_config *cfg;
	struct errlist *errs;
	struct ini_file ini; /* the file being read, and the line */
	int seen[NOPTIONS];
	int in_creds; /* parsing the credentials file */
};

static void resolve_path(const struct hbmon_config *cfg, char *dst, size_t dstsz,
			 const char *value)
{
	if (value[0] == '/' || !cfg->dir[0])
		snprintf(dst, dstsz, "%s", value);
	else
		snprintf(dst, dstsz, "%s/%s", cfg->dir, value);
}

static int set_option(struct loader *ld, const struct opt *o, const char *value)
{
	char *field = (char *)ld->cfg + o->offset;
	long v;

	switch (o->type) {
	case OPT_STR:
		if (!utf8_is_clean(value) || str_copy(field, o->size, value) < 0)
			return -1;
		return 0;
	case OPT_PATH:
		if (*value)
			resolve_path(ld->cfg, field, o->size, value);
		else
			*field = '\0';
		return 0;
	case OPT_DAYS: {
		unsigned days;
		char err[160];
		if (hours_parse_days(value, &days, err, sizeof(err)) < 0)
			return -1;
		return str_copy(field, o->size, value);
	}
	case OPT_SPANS: {
		struct hours h = {0};
		char err[160];
		if (hours_parse_spans(value, &h, err, sizeof(err)) < 0)
			return -1;
		return str_copy(field, o->size, value);
	}
	case OPT_EMAILS:
		if (config_emails(value, NULL, NULL) < 0)
			return -1;
		return str_copy(field, o->size, value);
	case OPT_EMAIL: /* exactly one bare address: it goes into From and MAIL FROM */
		if (strpbrk(value, ", /") || config_emails(value, NULL, NULL) < 0 || !strchr(value, '@'))
			return -1;
		return str_copy(field, o->size, value);
	case OPT_LANG:
		if (strcmp(value, "vi") != 0 && strcmp(value, "en") != 0)
			return -1;
		return str_copy(field, o->size, value);
	case OPT_INT:
		if (parse_long(value, o->min, o->max, &v) < 0)
			return -1;
		if (o->size == sizeof(long))
			*(long *)(void *)field = v;
		else
			*(int *)(void *)field = (int)v;
		return 0;
	}
	return -1;
}

/* One address: local@domain, conservative characters only (it goes into mail headers). */
static int email_ok(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	if (!at || at == s || at == s + n - 1 || n > 254)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			 strchr("._%+-", ch) || (s + i == at);
		if (!ok || (ch == '@' && s + i != at))
			return 0;
	}
	return 1;
}

int config_emails(const char *list, config_email_fn fn, void *ctx)
{
	const char *rest = list, *s;
	size_t n;
	while ((s = list_next(&rest, &n))) {
		char addr[256];
		const char *slash = memchr(s, '/', n);
		size_t alen = slash ? (size_t)(slash - s) : n;
		const char *lang = "vi";
		if (slash) {
			size_t ln = n - alen - 1;
			if (ln == 2 && (strncmp(slash + 1, "vi", 2) == 0 || strncmp(slash + 1, "en", 2) == 0))
				lang = strncmp(slash + 1, "en", 2) == 0 ? "en" : "vi";
			else
				return -1;
		}
		if (alen >= sizeof(addr) || !email_ok(s, alen))
			return -1;
		memcpy(addr, s, alen);
		addr[alen] = '\0';
		if (fn)
			fn(ctx, addr, lang);
	}
	return 0;
}

static const char *opt_expect(const struct opt *o, char *buf, size_t bufsz)
{
	switch (o->type) {
	case OPT_INT:
		snprintf(buf, bufsz, "an integer from %ld to %ld", o->min, o->max);
		return buf;
	case OPT_LANG:
		return "\"vi\" or \"en\"";
	case OPT_DAYS:
		return "days like mon-fri or mon,tue,sat";
	case OPT_SPANS:
		return "spans like 07:00-11:30,13:30-17:00";
	case OPT_EMAILS:
		return "addresses like it@huyen.gov.vn, a@b.vn/en";
	case OPT_EMAIL:
		return "one address like hbmon@huyen.gov.vn";
	default:
		return "UTF-8 text that fits";
	}
}

static struct site_type *site_type_get(struct loader *ld, const char *name)
{
	struct hbmon_config *cfg = ld->cfg;
	for (size_t i = 0; i < cfg->nsite_types; i++)
		if (strcmp(cfg->site_types[i].name, name) == 0)
			return &cfg->site_types[i];
	struct site_type *n = realloc(cfg->site_types, (cfg->nsite_types + 1) * sizeof(*n));
	if (!n)
		return NULL;
	cfg->site_types = n;
	struct site_type *st = &n[cfg->nsite_types++];
	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", name);
	return st;
}

const char *config_severity_name(enum severity s)
{
	return s == SEV_WARNING ? "warning" : "critical";
}

/* Takes a trailing "critical" or "warning" off a target's value (copied into buf): the
 * severity it names, or def when the value has none. */
static enum severity take_severity(char *buf, size_t n, const char *value, enum severity def)
{
	static const char *const words[] = {"critical", "warning"};
	snprintf(buf, n, "%s", value);
	size_t len = strlen(buf);
	while (len && buf[len - 1] == ' ')
		buf[--len] = '\0';
	for (int k = 0; k < 2; k++) {
		size_t w = strlen(words[k]);
		if (len > w && buf[len - w - 1] == ' ' && strcmp(buf + len - w, words[k]) == 0) {
			buf[len - w - 1] = '\0';
			return (enum severity)k;
		}
	}
	return def;
}

/* "<class>.<group>.<metric> = >= N [critical|warning]" (or <= N, == N) */
static void metric_target_key(struct loader *ld, struct site_type *st, const char *key,
			      const char *value)
{
	/* group and metric names are at most 19 bytes: a longer one stops the scan and fails */
	char cls[32], group[20], metric[20], op[3], tail, bound[CFG_TEXT_MAX];
	double v;
	enum severity sev = take_severity(bound, sizeof(bound), value, SEV_WARNING);
	if (sscanf(key, "%31[a-z].%19[a-z0-9_].%19[a-z0-9_]%c", cls, group, metric, &tail) != 3 ||
	    devclass_parse(cls) < 0 || !wire_valid_metric(group) || !wire_valid_metric(metric)) {
		errlist_add(ld->errs, "%s:%d: %s: expected <class>.<group>.<metric> (a device class, "
			    "then a profile group and metric, e.g. printer.supply.percent)",
			    ld->ini.path, ld->ini.line, key);
		return;
	}
	if (sscanf(bound, " %2[<>=] %lf %c", op, &v, &tail) != 2 ||
	    (strcmp(op, ">=") != 0 && strcmp(op, "<=") != 0 && strcmp(op, "==") != 0) || v != v) {
		errlist_add(ld->errs, "%s:%d: %s: expected \">= N\", \"<= N\" or \"== N\", then perhaps critical or warning, got \"%.60s\"",
			    ld->ini.path, ld->ini.line, key, value);
		return;
	}
	if (st->nmtargets == CFG_MAX_METRIC_TARGETS) {
		errlist_add(ld->errs, "%s:%d: %s: more than %d value targets in one site type",
			    ld->ini.path, ld->ini.line, key, CFG_MAX_METRIC_TARGETS);
		return;
	}
	struct metric_target *mt = &st->mtargets[st->nmtargets++];
	mt->cls = (enum dev_class)devclass_parse(cls);
	snprintf(mt->group, sizeof(mt->group), "%s", group);
	snprintf(mt->metric, sizeof(mt->metric), "%s", metric);
	mt->op = op[0] == '>' ? MT_GE : op[0] == '<' ? MT_LE : MT_EQ;
	mt->value = v;
	mt->sev = sev;
	mt->line = ld->ini.line;
}

/* "<class> = N [critical|warning]": at least N devices of the class up at the site. */
static void class_target_key(struct loader *ld, struct site_type *st, const char *tname,
			     const char *key, const char *value)
{
	int cls = devclass_parse(key);
	long n;
	char count[CFG_TEXT_MAX];
	enum severity sev = take_severity(count, sizeof(count), value, SEV_CRITICAL);
	if (cls < 0) {
		errlist_add(ld->errs, "%s:%d: %s: unknown key in site type \"%s\" (a device class, class.group.metric, hours, work_days, work_hours, label_vi or label_en)",
			    ld->ini.path, ld->ini.line, key, tname);
		return;
	}
	if (parse_long(count, 0, 10000, &n) < 0) {
		errlist_add(ld->errs, "%s:%d: %s: expected a device count from 0 to 10000, then perhaps critical or warning, got \"%.60s\"",
			    ld->ini.path, ld->ini.line, key, value);
		return;
	}
	int i = 0;
	while (i < st->ntargets && st->targets[i].cls != (enum dev_class)cls)
		i++;
	st->ntargets += i == st->ntargets;
	st->targets[i].cls = (enum dev_class)cls;
	st->targets[i].min_up = (int)n;
	st->targets[i].sev = sev;
}

static void site_type_key(struct loader *ld, const char *tname, const char *key, const char *value)
{
	struct site_type *st = site_type_get(ld, tname);
	if (!st) {
		errlist_add(ld->errs, "%s:%d: out of memory", ld->ini.path, ld->ini.line);
		return;
	}
	if (strcmp(key, "work_days") == 0 || strcmp(key, "work_hours") == 0) {
		char err[160];
		unsigned days;
		struct hours h = {0};
		int days_key = key[5] == 'd';
		int rc = days_key ? hours_parse_days(value, &days, err, sizeof(err))
				  : hours_parse_spans(value, &h, err, sizeof(err));
		char *dst = days_key ? st->work_days : st->work_hours;
		size_t n = days_key ? sizeof(st->work_days) : sizeof(st->work_hours);
		if (rc < 0 || str_copy(dst, n, value) < 0)
			errlist_add(ld->errs, "%s:%d: %s: %s", ld->ini.path, ld->ini.line, key,
				    rc < 0 ? err : "too long");
		return;
	}
	if (strcmp(key, "hours") == 0) {
		if (strcmp(value, "working") == 0 || strcmp(value, "always") == 0)
			st->always = value[0] == 'a';
		else
			errlist_add(ld->errs, "%s:%d: hours: expected \"working\" or \"always\", got \"%.60s\"",
				    ld->ini.path, ld->ini.line, value);
		return;
	}
	if (strcmp(key, "label_vi") == 0 || strcmp(key, "label_en") == 0) {
		char *dst = key[6] == 'v' ? st->label_vi : st->label_en;
		if (!utf8_is_clean(value) || str_copy(dst, CFG_TEXT_MAX, value) < 0)
			errlist_add(ld->errs, "%s:%d: %s: expected UTF-8 text under %d bytes", ld->ini.path,
				    ld->ini.line, key, CFG_TEXT_MAX);
		return;
	}
	if (strchr(key, '.')) {
		metric_target_key(ld, st, key, value);
		return;
	}
	class_target_key(ld, st, tname, key, value);
}

/* [commune-targets]: "<class> = N|all" or "site.<site type> = N|all". */
static void commune_target_key(struct loader *ld, const char *key, const char *value)
{
	struct hbmon_config *cfg = ld->cfg;
	long n;
	if (cfg->ncommune_targets >= CFG_MAX_COMMUNE_TARGETS) {
		errlist_add(ld->errs, "%s:%d: %s: more than %d commune targets", ld->ini.path, ld->ini.line,
			    key, CFG_MAX_COMMUNE_TARGETS);
		return;
	}
	struct commune_target *t = &cfg->commune_targets[cfg->ncommune_targets];
	memset(t, 0, sizeof(*t));
	t->line = ld->ini.line;
	if (strncmp(key, "site.", 5) == 0) {
		t->kind = CT_SITES;
		if (str_copy(t->site_type, sizeof(t->site_type), key + 5) < 0 || !key[5]) {
			errlist_add(ld->errs, "%s:%d: %s: expected site.<site type>", ld->ini.path, ld->ini.line,
				    key);
			return;
		}
	} else {
		int cls = devclass_parse(key);
		if (cls < 0) {
			errlist_add(ld->errs, "%s:%d: %s: unknown key in [commune-targets] (a device class or site.<site type>)",
				    ld->ini.path, ld->ini.line, key);
			return;
		}
		t->kind = CT_CLASS;
		t->cls = (enum dev_class)cls;
	}
	char count[CFG_TEXT_MAX];
	t->sev = take_severity(count, sizeof(count), value, SEV_CRITICAL);
	if (strcmp(count, "all") == 0) {
		n = CT_NEED_ALL; /* every one the inventory lists: each official's PC */
	} else if (parse_long(count, 0, 10000, &n) < 0) {
		errlist_add(ld->errs, "%s:%d: %s: expected a count from 0 to 10000 or all, then perhaps critical or warning, got \"%.60s\"",
			    ld->ini.path, ld->ini.line, key, value);
		return;
	}
	t->need = (int)n;
	cfg->ncommune_targets++;
}

/* A Linux interface name: 1 to 15 bytes, no '/', ':', blank or control (dev_valid_name),
 * not "." or "..". */
static int valid_ifname(const char *s, size_t n)
{
	if (n == 0 || n >= CFG_IFNAME_MAX || (n == 1 && s[0] == '.') ||
	    (n == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || (unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	return 1;
}

static struct capture_cfg *capture_get(struct hbmon_config *cfg, const char *iface, size_t n)
{
	for (int i = 0; i < cfg->ncaptures; i++)
		if (strlen(cfg->captures[i].iface) == n && memcmp(cfg->captures[i].iface, iface, n) == 0)
			return &cfg->captures[i];
	if (cfg->ncaptures == CFG_CAPTURE_MAX)
		return NULL;
	struct capture_cfg *c = &cfg->captures[cfg->ncaptures++];
	memset(c, 0, sizeof(*c));
	memcpy(c->iface, iface, n);
	c->presence_minutes = -1; /* the default, set once every section is read */
	return c;
}

/* [capture IFACE]: commune = NAME, presence_minutes = N. */
static void capture_key(struct loader *ld, const char *iface, const char *key, const char *value)
{
	size_t n = strlen(iface);
	long v;
	struct capture_cfg *c = valid_ifname(iface, n) ? capture_get(ld->cfg, iface, n) : NULL;
	if (!c) {
		errlist_add(ld->errs, "%s:%d: [capture %.40s]: %s", ld->ini.path, ld->ini.line, iface,
			    valid_ifname(iface, n) ? "more than 16 captured interfaces"
			    : "expected an interface name (1 to 15 bytes, no '/', ':' or blank)");
		return;
	}
	if (!c->line)
		c->line = ld->ini.line;
	if (strcmp(key, "commune") == 0) {
		if (!value[0] || !utf8_is_clean(value) || str_copy(c->commune, sizeof(c->commune), value) < 0)
			errlist_add(ld->errs, "%s:%d: commune: expected a commune's name as the inventory "
				    "writes it (UTF-8, under %zu bytes)", ld->ini.path, ld->ini.line,
				    sizeof(c->commune));
	} else if (strcmp(key, "presence_minutes") == 0) {
		if (parse_long(value, 1, 1440, &v) < 0)
			errlist_add(ld->errs, "%s:%d: presence_minutes: expected an integer from 1 to "
				    "1440, got \"%.60s\"", ld->ini.path, ld->ini.line, value);
		else
			c->presence_minutes = (int)v;
	} else {
		errlist_add(ld->errs, "%s:%d: %s: unknown key in [capture %s] (commune or "
			    "presence_minutes)", ld->ini.path, ld->ini.line, key, iface);
	}
}

/* [webhook NAME]: its keys (webhookcfg.c); the secret makes the file one to keep private. */
static void webhook_key(struct loader *ld, const char *name, const char *key, const char *value)
{
	struct hbmon_config *cfg = ld->cfg;
	struct webhook_cfg *w = NULL;
	char why[300];
	for (int i = 0; i < cfg->nwebhooks; i++)
		if (strcmp(cfg->webhooks[i].name, name) == 0)
			w = &cfg->webhooks[i];
	if (!w && (!valid_name(name) || cfg->nwebhooks == CFG_WEBHOOK_MAX)) {
		errlist_add(ld->errs, "%s:%d: [webhook %.40s]: %s", ld->ini.path, ld->ini.line, name,
			    valid_name(name) ? "more than 8 webhooks" : "names use A-Z a-z 0-9 - _ .");
		return;
	}
	if (!w) {
		w = &cfg->webhooks[cfg->nwebhooks++];
		memset(w, 0, sizeof(*w));
		snprintf(w->name, sizeof(w->name), "%s", name);
		w->line = ld->ini.line;
	}
	if (webhookcfg_key(w, key, value, why, sizeof(why)) < 0)
		errlist_add(ld->errs, "%s:%d: %s", ld->ini.path, ld->ini.line, why);
	else if (strcmp(key, "secret") == 0)
		check_private(ld, key);
}

/* [probe] capture against the [capture IFACE] sections: each section's interface is listed,
 * none twice. */
static void check_captures(struct loader *ld)
{
	struct hbmon_config *cfg = ld->cfg;
	const char *rest = cfg->capture, *s;
	size_t n;
	while ((s = list_next(&rest, &n))) {
		struct capture_cfg *c = valid_ifname(s, n) ? capture_get(cfg, s, n) : NULL;
		if (!c || c->listed) {
			errlist_add(ld->errs, "%s: [probe] capture: \"%.*s\": %s", cfg->path,
				    (int)(n > 40 ? 40 : n), s,
				    !valid_ifname(s, n) ? "expected interface names (eth1, eth2)"
				    : c ? "named twice" : "more than 16 interfaces");
			continue;
		}
		c->listed = 1;
	}
	for (int i = 0; i < cfg->ncaptures; i++) {
		struct capture_cfg *c = &cfg->captures[i];
		if (c->presence_minutes < 0)
			c->presence_minutes = 10;
		if (!c->listed)
			errlist_add(ld->errs, "%s:%d: [capture %s]: %s is not in [probe] capture: add it "
				    "to that list, or remove the section", cfg->path, c->line, c->iface,
				    c->iface);
	}
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) >= CFG_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static void cred_key(struct loader *ld, const char *section, const char *key, const char *value)
{
	struct hbmon_config *cfg = ld->cfg;
	struct snmp_cred *c = NULL;
	for (size_t i = 0; i < cfg->ncreds; i++)
		if (strcmp(cfg->creds[i].name, section) == 0)
			c = &cfg->creds[i];
	if (!c) {
		if (!valid_name(section)) {
			errlist_add(ld->errs, "%s:%d: [%s]: credential names use A-Z a-z 0-9 - _ . (under %d bytes)",
				    ld->ini.path, ld->ini.line, section, CFG_NAME_MAX);
			return;
		}
		struct snmp_cred *n = realloc(cfg->creds, (cfg->ncreds + 1) * sizeof(*n));
		if (!n)
			return;
		cfg->creds = n;
		c = &n[cfg->ncreds++];
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "%s", section);
		c->version = 2;
		c->line = ld->ini.line;
	}
	const char *why = NULL;
	if (config_cred_word(c, key, value, &why) == 0)
		return;
	if (why) {
		errlist_add(ld->errs, "%s:%d: %s: expected %s, got \"%.60s\"", ld->ini.path,
			    ld->ini.line, key, why, value);
		return;
	}
	char *dst = strcmp(key, "community") == 0   ? c->community
		    : strcmp(key, "user") == 0	    ? c->user
		    : strcmp(key, "auth_password") == 0 ? c->auth_pass
		    : strcmp(key, "priv_password") == 0 ? c->priv_pass
							: NULL;
	if (!dst) {
		errlist_add(ld->errs, "%s:%d: %s: unknown key in credential [%s]", ld->ini.path,
			    ld->ini.line, key, section);
		return;
	}
	size_t cap = dst == c->community ? sizeof(c->community) : sizeof(c->user);
	if (str_copy(dst, cap, value) < 0 || !*value)
		errlist_add(ld->errs, "%s:%d: %s: expected 1 to %zu bytes", ld->ini.path, ld->ini.line,
			    key, cap - 1);
}

int config_cred_word(struct snmp_cred *c, const char *key, const char *value, const char **why)
{
	static const struct {
		const char *key, *word;
		int val;
	} words[] = {
		{"version", "1", 1},
		{"version", "2c", 2},
		{"version", "3", 3},
		{"level", "noAuthNoPriv", V3_NOAUTH},
		{"level", "authNoPriv", V3_AUTHNOPRIV},
		{"level", "authPriv", V3_AUTHPRIV},
		{"auth_protocol", "SHA", V3_AUTH_SHA},
		{"auth_protocol", "SHA-256", V3_AUTH_SHA256},
		{"auth_protocol", "SHA-512", V3_AUTH_SHA512},
		{"priv_protocol", "AES", V3_PRIV_AES128},
		{"priv_protocol", "AES-128", V3_PRIV_AES128},
	};
	static const char *const expect[] = {"version", "1, 2c or 3", "level",
					     "noAuthNoPriv, authNoPriv or authPriv", "auth_protocol",
					     "SHA, SHA-256 or SHA-512", "priv_protocol", "AES (AES-128)"};
	int known = 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(words[i].key, key) != 0)
			continue;
		known = 1;
		if (strcasecmp(words[i].word, value) != 0)
			continue;
		if (strcmp(key, "version") == 0)
			c->version = words[i].val;
		else if (strcmp(key, "level") == 0)
			c->level = (enum v3_level)words[i].val;
		else if (strcmp(key, "auth_protocol") == 0)
			c->auth_proto = (enum v3_auth)words[i].val;
		else
			c->priv_proto = (enum v3_priv)words[i].val;
		return 0;
	}
	*why = NULL;
	for (size_t i = 0; known && i < sizeof(expect) / sizeof(expect[0]); i += 2)
		if (strcmp(expect[i], key) == 0)
			*why = expect[i + 1];
	return -1;
}

int config_cred_check(const struct snmp_cred *c, const char **why)
{
	/* USM turns passwords into keys; RFC 3414 and net-snmp want at least 8 characters */
	if (c->version != 3) {
		*why = c->community[0] ? NULL : "no community";
		return c->community[0] ? 0 : -1;
	}
	if (!c->user[0])
		*why = "SNMPv3 needs a user";
	else if (c->level >= V3_AUTHNOPRIV && strlen(c->auth_pass) < 8)
		*why = "this level needs an auth_password of at least 8 characters";
	else if (c->level == V3_AUTHPRIV && strlen(c->priv_pass) < 8)
		*why = "authPriv needs a priv_password of at least 8 characters";
	else
		return 0;
	return -1;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct loader *ld = user;

	if (ld->in_creds) {
		cred_key(ld, section, key, value);
		return 1;
	}
	if (strcmp(section, "commune-targets") == 0) {
		commune_target_key(ld, key, value);
		return 1;
	}
	if (strncmp(section, "capture ", 8) == 0) {
		capture_key(ld, section + 8, key, value);
		return 1;
	}
	if (strncmp(section, "webhook ", 8) == 0) {
		webhook_key(ld, section + 8, key, value);
		return 1;
	}
	if (strncmp(section, "site-type ", 10) == 0) {
		const char *tname = section + 10;
		if (!valid_name(tname))
			errlist_add(ld->errs, "%s:%d: [%s]: site type names use A-Z a-z 0-9 - _ .",
				    ld->ini.path, ld->ini.line, section);
		else
			site_type_key(ld, tname, key, value);
		return 1;
	}
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct opt *o = &options[i];
		if (strcmp(o->section, section) != 0 || strcmp(o->key, key) != 0)
			continue;
		if (ld->seen[i])
			errlist_add(ld->errs, "%s:%d: %s: set twice in [%s]", ld->ini.path, ld->ini.line, key,
				    section);
		ld->seen[i] = 1;
		char expect[64];
		if (set_option(ld, o, value) == 0) {
			if (opt_is_secret(o) && value[0])
				check_private(ld, key);
		} else if (opt_is_secret(o)) {
			errlist_add(ld->errs, "%s:%d: %s: expected %s (the value is not shown)",
				    ld->ini.path, ld->ini.line, key, opt_expect(o, expect, sizeof(expect)));
		} else {
			errlist_add(ld->errs, "%s:%d: %s: expected %s, got \"%.60s\"", ld->ini.path,
				    ld->ini.line, key, opt_expect(o, expect, sizeof(expect)), value);
		}
		return 1;
	}
	errlist_add(ld->errs, "%s:%d: %s: unknown option in [%s]", ld->ini.path, ld->ini.line, key, section);
	return 1;
}

static int parse_file(struct loader *ld, const char *path)
{
	return ini_file_parse(&ld->ini, path, ld->errs, handler, ld);
}

static void set_defaults(struct loader *ld)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (!ld->seen[i] && set_option(ld, &options[i], options[i].def) < 0)
			fatalx("config", "built-in default of %s is invalid", options[i].key);
}

/* The file being read holds a secret (key): not for other users. Its group may read it
 * (`init` writes hbmon.conf 0640, group hbmon: both daemons read it). */
static void check_private(struct loader *ld, const char *key)
{
	struct stat st;
	if (stat(ld->ini.path, &st) == 0 && (st.st_mode & S_IRWXO))
		errlist_add(ld->errs, "%s:%d: %s: this file holds a secret but other users can read "
			    "it (chmod o-rwx %s)", ld->ini.path, ld->ini.line, key, ld->ini.path);
}

/* The files config_load reads, as its errors name them (with the fix) when they cannot be. */
static const struct file_role config_file = {
	"the configuration", "name the right file with -c FILE",
	"'hbmon-collector init DIR' writes one", 0};
static const struct file_role credentials_file = {
	"the SNMP credentials", "point [general] credentials at the right file",
	"'hbmon-collector init DIR' writes one, mode 600", 1};

/* -1 when the file cannot be read at all: parsing it would only add a vaguer error. */
static int check_credentials_file(struct loader *ld)
{
	struct stat st;
	char why[1024];
	if (file_check_readable(ld->cfg->credentials, &credentials_file, why, sizeof(why)) < 0) {
		errlist_add(ld->errs, "%s", why);
		return -1;
	}
	if (stat(ld->cfg->credentials, &st) == 0 &&
	    (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)))
		errlist_add(ld->errs, "%s: holds SNMP secrets but other users can read it (chmod 600)",
			    ld->cfg->credentials);
	return 0;
}

static void check_site_types(struct loader *ld)
{
	struct hbmon_config *cfg = ld->cfg;
	for (size_t i = 0; i < cfg->nsite_types; i++) {
		struct site_type *st = &cfg->site_types[i];
		if (!st->label_vi[0])
			snprintf(st->label_vi, sizeof(st->label_vi), "%s", st->name);
		if (!st->label_en[0])
			snprintf(st->label_en, sizeof(st->label_en), "%s", st->label_vi);
	}
	for (int i = 0; i < cfg->ncommune_targets; i++) {
		const struct commune_target *t = &cfg->commune_targets[i];
		if (t->kind == CT_SITES && !config_site_type(cfg, t->site_type))
			errlist_add(ld->errs, "%s:%d: site.%s: no [site-type %s] in this file",
				    ld->ini.path, t->line, t->site_type, t->site_type);
	}
}

/* [snmp] informs against the credential they are sent with: one that exists, and a version
 * that has informs (SNMPv1 has none). */
static void check_informs(struct loader *ld)
{
	const struct hbmon_config *cfg = ld->cfg;
	const char *name = cfg->inform_credential;
	const struct snmp_cred *c = name[0] ? config_cred(cfg, name) : NULL;
	if (!cfg->informs[0] && !name[0])
		return;
	if (!cfg->informs[0])
		errlist_add(ld->errs, "%s: [snmp] inform_credential: no informs to send with it (set "
			    "informs = udp:ADDRESS:PORT, or remove it)", cfg->path);
	else if (!name[0])
		errlist_add(ld->errs, "%s: [snmp] informs: name the credential they are sent with "
			    "(inform_credential = a section of %s)", cfg->path, cfg->credentials);
	else if (!c)
		errlist_add(ld->errs, "%s: [snmp] inform_credential: no [%s] in %s", cfg->path, name,
			    cfg->credentials);
	else if (c->version == 1)
		errlist_add(ld->errs, "%s: [snmp] inform_credential: [%s] is SNMPv1, which has no "
			    "informs (use version 2c or 3)", cfg->path, name);
}

struct hbmon_config *config_load(const char *path, struct errlist *errs)
{
	struct loader ld;
	memset(&ld, 0, sizeof(ld));
	ld.errs = errs;
	ld.cfg = calloc(1, sizeof(*ld.cfg));
	if (!ld.cfg)
		return NULL;
	snprintf(ld.cfg->path, sizeof(ld.cfg->path), "%s", path);
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(ld.cfg->dir, sizeof(ld.cfg->dir), "%s", dirname(tmp));

	char unreadable[1024];
	if (file_check_readable(path, &config_file, unreadable, sizeof(unreadable)) < 0) {
		errlist_add(errs, "%s", unreadable);
		config_free(ld.cfg);
		return NULL;
	}
	if (parse_file(&ld, path) < 0 && !ld.cfg->nsite_types && ld.ini.line == 0) {
		config_free(ld.cfg);
		return NULL;
	}
	set_defaults(&ld);
	check_site_types(&ld);
	check_captures(&ld);
	for (int i = 0; i < ld.cfg->nwebhooks; i++) {
		char why[300];
		if (webhookcfg_check(&ld.cfg->webhooks[i], why, sizeof(why)) < 0)
			errlist_add(errs, "%s:%d: %s", ld.cfg->path, ld.cfg->webhooks[i].line, why);
	}
	ld.in_creds = 1;
	if (check_credentials_file(&ld) == 0)
		parse_file(&ld, ld.cfg->credentials);
	for (size_t i = 0; i < ld.cfg->ncreds; i++) {
		const char *why;
		if (config_cred_check(&ld.cfg->creds[i], &why) < 0)
			errlist_add(errs, "%s:%d: [%s]: %s", ld.cfg->credentials, ld.cfg->creds[i].line,
				    ld.cfg->creds[i].name, why);
	}
	check_informs(&ld);
	return ld.cfg;
}

void config_free(struct hbmon_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->site_types);
	free(cfg->creds);
	free(cfg);
}

void config_keep_secrets(struct hbmon_config *cfg, unsigned keep)
{
	if (!(keep & CONFIG_SMTP_SECRETS))
		explicit_bzero(cfg->smtp_password, sizeof(cfg->smtp_password));
	for (int i = 0; !(keep & CONFIG_SMTP_SECRETS) && i < cfg->nwebhooks; i++)
		explicit_bzero(cfg->webhooks[i].secret, sizeof(cfg->webhooks[i].secret));
	for (size_t i = 0; !(keep & CONFIG_SNMP_SECRETS) && i < cfg->ncreds; i++) {
		struct snmp_cred *c = &cfg->creds[i];
		if ((keep & CONFIG_INFORM_SECRETS) && strcmp(c->name, cfg->inform_credential) == 0)
			continue;
		explicit_bzero(c->community, sizeof(c->community));
		explicit_bzero(c->auth_pass, sizeof(c->auth_pass));
		explicit_bzero(c->priv_pass, sizeof(c->priv_pass));
	}
}

int config_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (strcmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

const struct site_type *config_site_type(const struct hbmon_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsite_types; i++)
		if (strcmp(cfg->site_types[i].name, name) == 0)
			return &cfg->site_types[i];
	return NULL;
}

const struct snmp_cred *config_cred(const struct hbmon_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ncreds; i++)
		if (strcmp(cfg->creds[i].name, name) == 0)
			return &cfg->creds[i];
	return NULL;
}
