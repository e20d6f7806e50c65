/*
 * The main configuration file (INI, parsed by inih), the SNMP credentials file it points to,
 * and the site types with their equipment targets. Both daemons load the same file and use
 * the sections that concern them.
 */
#ifndef HBMON_CONFIG_H
#define HBMON_CONFIG_H

#include <limits.h>
#include <stddef.h>

#include "devclass.h"
#include "errlist.h"
#include "webhookcfg.h"

#define CFG_NAME_MAX 64
#define CFG_TEXT_MAX 160

enum v3_level { V3_NOAUTH, V3_AUTHNOPRIV, V3_AUTHPRIV };
enum v3_auth { V3_AUTH_SHA, V3_AUTH_SHA256, V3_AUTH_SHA512 };
enum v3_priv { V3_PRIV_AES128 };

struct snmp_cred {
	char name[CFG_NAME_MAX];
	int version; /* 1, 2 (v2c) or 3 */
	char community[CFG_TEXT_MAX];
	/* SNMPv3 USM */
	char user[CFG_NAME_MAX];
	enum v3_level level;
	enum v3_auth auth_proto;
	char auth_pass[CFG_NAME_MAX];
	enum v3_priv priv_proto;
	char priv_pass[CFG_NAME_MAX];
	int line;
};

/* Sets a credential field from net-snmp-style words ("3", "authPriv", "SHA-256", "AES"):
 * 0, or -1 with what was expected in why. key is version, level, auth_protocol or
 * priv_protocol. */
int config_cred_word(struct snmp_cred *c, const char *key, const char *value, const char **why);
/* Checks a complete credential (user and passwords present for its level): 0, or -1 + why. */
int config_cred_check(const struct snmp_cred *c, const char **why);

/*
 * How much a missed target weighs. Critical: connectivity and availability (a device class
 * up, the uplink, the portal, a meeting room): the site or commune misses its targets.
 * Warning: consumables and capacity (toner, disk): counted and shown apart, the site still
 * meets its targets ("met, 1 warning"). A target's value may end with the word to override
 * its kind's default: class and commune targets critical, value targets warning.
 */
enum severity { SEV_CRITICAL, SEV_WARNING };
const char *config_severity_name(enum severity s); /* "critical", "warning" */

/* Minimum number of devices of one class that must be up at a site of a type. */
struct class_target {
	enum dev_class cls;
	int min_up;
	enum severity sev;
};

/* A bound on a value the devices' profiles report: "printer.supply.percent = >= 10" holds when
 * every such row of every printer of the site that answers is at least 10. */
enum mt_op { MT_GE, MT_LE, MT_EQ };
#define CFG_MAX_METRIC_TARGETS 8 /* per site type */

struct metric_target {
	enum dev_class cls;
	char group[20], metric[20];
	enum mt_op op;
	double value;
	enum severity sev;
	int line;
};

struct site_type {
	char name[CFG_NAME_MAX];
	struct metric_target mtargets[CFG_MAX_METRIC_TARGETS];
	int nmtargets;
	char label_vi[CFG_TEXT_MAX];
	char label_en[CFG_TEXT_MAX];
	struct class_target targets[CLS_COUNT];
	int ntargets;
	int always; /* targets hold at all hours, not only working hours */
	char work_days[64], work_hours[128]; /* this type's own working hours; "" = the district's */
};

/*
 * A target for a whole commune: devices of a class up anywhere in it ("portal = 1"), or sites
 * of a type meeting their own targets ("site.meeting-room = 1": an online meeting room).
 */
enum commune_target_kind { CT_CLASS, CT_SITES };
#define CT_NEED_ALL (-1) /* "pc = all": every device of the class (site of the type) listed */
#define CFG_MAX_COMMUNE_TARGETS 32

struct commune_target {
	enum commune_target_kind kind;
	enum dev_class cls;           /* CT_CLASS */
	char site_type[CFG_NAME_MAX]; /* CT_SITES */
	int need; /* or CT_NEED_ALL */
	enum severity sev;
	int line; /* in the config file, for errors found once every section is read */
};

/*
 * One interface the probe watches (libpcap): [probe] capture names it, a [capture IFACE]
 * section may say which commune its LAN is ("" here: the only commune among the probe's
 * devices, which the probe settles once it has read the inventory) and for how long a host
 * heard on it counts as present.
 */
#define CFG_CAPTURE_MAX 16 /* a batch carries at most WIRELAN_MAX_GROUPS interfaces */
#define CFG_IFNAME_MAX 16  /* IFNAMSIZ */
struct capture_cfg {
	char iface[CFG_IFNAME_MAX];
	char commune[128]; /* "": not given */
	int presence_minutes;
	int listed;  /* named in [probe] capture */
	int line;    /* of its section's first key; 0: no section */
};

struct hbmon_config {
	char path[PATH_MAX];
	char dir[PATH_MAX]; /* relative paths in the file are relative to this */

	/* [general] */
	char district[CFG_TEXT_MAX];
	char language[8]; /* "vi" or "en" */
	/* [units]: what pages and mails call the unit watching and its members, per language
	 * (vi, en): "huyện"/"district", "xã"/"commune" by default */
	char unit_top[2][64], unit_member[2][64];
	char inventory[PATH_MAX];
	char credentials[PATH_MAX];
	char data_dir[PATH_MAX];
	char default_probe[CFG_NAME_MAX]; /* the probe of inventory rows with no probe column */
	char dashboards_dir[PATH_MAX];
	char run_user[CFG_NAME_MAX]; /* "": run as started */

	/* [collector] */
	char listen_addr[64];
	int listen_port;
	int rrd_step;       /* seconds between RRD primary data points */
	int stale_after;    /* seconds without news before a device has no data (not down) */
	long ingest_max_body;
	char rrdcached[256];
	long write_queue_max, write_queue_mb;
	int max_clock_ahead; /* seconds a sample may be dated ahead of the collector's clock */
	int max_files_per_device, max_rows_per_device, max_new_files_per_minute; /* quotas */
	char tls_cert[PATH_MAX], tls_key[PATH_MAX]; /* HTTPS; without them: loopback only */
	int metrics_public; /* /metrics without a token or a session */

	/* [probe] */
	char probe_name[CFG_NAME_MAX];
	char collector_url[512];
	char secret_file[PATH_MAX]; /* the secret `hbmon-collector probe add` issued this probe */
	char ca_file[PATH_MAX];     /* the collector's certificate (or its CA) for https */
	char spool_dir[PATH_MAX];   /* batches wait here until the collector has them */
	int spool_mb;               /* its size cap: beyond it the oldest batches go */
	int replay_per_s;           /* batches posted a second, at most (after an outage) */
	int interval; /* seconds between polls of one device */
	int timeout_ms;
	int retries;
	int max_inflight;
	int batch_max;
	int max_rows; /* rows accepted per polled table */
	int ping_count; /* ICMP echoes per check */
	int ping_snmp;  /* devices polled with SNMP are pinged too (LAN latency and loss) */
	int http_timeout_ms; /* a portal's page, redirects included */
	char profiles[PATH_MAX]; /* device-class profiles; "" = the installed ones */
	char mib_dirs[1024];     /* MIB folders the profiles' names are checked against */
	/* the passive LAN watch: interfaces captured ("eth1, eth2"; "" none), each with its
	 * [capture IFACE] section or the defaults (captures) */
	char capture[CFG_CAPTURE_MAX * 18];
	int lan_hosts_max; /* hosts kept per captured interface */
	struct capture_cfg captures[CFG_CAPTURE_MAX];
	int ncaptures;
	struct webhook_cfg webhooks[CFG_WEBHOOK_MAX]; /* [webhook NAME]: digests as JSON POSTs */
	int nwebhooks;

	/* [alerts] */
	char smtp_url[256];
	int smtp_starttls;
	char smtp_ca_file[PATH_MAX];
	char smtp_user[128], smtp_password[128];
	char mail_from[256];
	char recipients[1024];
	int alert_pending, alert_recover, digest_interval, startup_grace;
	char it_contact[CFG_TEXT_MAX]; /* whom a commune calls: "Tổ CNTT huyện, 0263 3822 123" */
	char dashboard_url[256];       /* the dashboard as the recipients reach it, for links */

	/* [snmp]: HBMON-MIB served as an AgentX subagent of the host's snmpd, and the
	 * notifications of a commune falling short or recovering (collector/agentx.h) */
	int snmp_agentx;              /* 0: no subagent */
	char agentx_socket[PATH_MAX]; /* the master's: /var/agentx/master, or tcp:host:port */
	int agentx_ping;              /* seconds between pings of the master (reconnects) */
	char trap_receivers[1024];    /* "udp:127.0.0.1:162, udp:10.0.0.5:16200"; "": none */
	char trap_community[128];     /* SNMPv2c */
	char informs[1024];           /* receivers of informs, like trap_receivers; "": none */
	char inform_credential[CFG_NAME_MAX]; /* a credential of credentials.conf: 2c or 3 */
	int inform_timeout, inform_retries;   /* seconds per try; tries after the first */

	/* [working-hours] */
	char work_days[64], work_hours[128];
	char holidays[PATH_MAX];

	struct commune_target commune_targets[CFG_MAX_COMMUNE_TARGETS];
	int ncommune_targets;

	struct site_type *site_types;
	size_t nsite_types;
	struct snmp_cred *creds;
	size_t ncreds;
};

/*
 * Loads path (and the credentials file it names). Every problem goes to errs as
 * "file:line: field: message"; returns NULL only when nothing usable could be read.
 * The caller checks errlist_count(errs) and frees with config_free.
 */
struct hbmon_config *config_load(const char *path, struct errlist *errs);
void config_free(struct hbmon_config *cfg);

/* Each daemon keeps only the secrets it uses: the others are wiped from memory after loading
 * (a core dump or a bug that prints memory cannot give them away). */
enum config_secrets {
	CONFIG_SNMP_SECRETS = 1,  /* every SNMP credential's: the probe */
	CONFIG_SMTP_SECRETS = 2,  /* mail and webhooks: the collector */
	CONFIG_INFORM_SECRETS = 4 /* the one credential [snmp] inform_credential names */
};
void config_keep_secrets(struct hbmon_config *cfg, unsigned keep);

/* 127.0.0.0/8, ::1 or "localhost": traffic that never leaves this machine. */
int config_host_is_loopback(const char *host);

/* Calls fn for each address of a list "a@b.vn, c@d.vn/en" with its language ("vi" default);
 * -1 (fn perhaps called for the first ones) when an item is not an address. */
typedef void (*config_email_fn)(void *ctx, const char *addr, const char *lang);
int config_emails(const char *list, config_email_fn fn, void *ctx);

const struct site_type *config_site_type(const struct hbmon_config *cfg, const char *name);
const struct snmp_cred *config_cred(const struct hbmon_config *cfg, const char *name);

#endif
