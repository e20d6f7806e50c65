#include "siteinit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devclass.h"
#include "strbuf.h"
#include "tlscert.h"

#ifndef HBMON_DASHBOARDS_DIR
#define HBMON_DASHBOARDS_DIR "/usr/local/share/hbmon/dashboards"
#endif

#define MAX_HOSTS 8

struct site_init {
	const char *dir, *district;
	int force;
	const char *hosts[MAX_HOSTS + 2]; /* in the certificate: --host names, then loopback */
	size_t nhosts;
	char hostname[256];
	char community[25], auth[25], priv[25]; /* random secrets: nobody keeps "public" */
	int year;
};

/* The provincial targets of a commune: a one-stop office and an online meeting room. */
static const char conf_targets[] =
	"; Office hours, Asia/Ho_Chi_Minh: targets of PCs, scanners, printers are judged only then\n"
	"[working-hours]\n"
	"days = mon-fri\n"
	"hours = 07:00-11:30,13:30-17:00\n"
	"holidays = holidays.txt\n"
	"\n"
	"; Equipment targets per site type: a device class = how many must be up. A missed\n"
	"; target is critical (the site misses its targets), a value target a warning (counted\n"
	"; apart), unless its line ends with the other word: critical or warning.\n"
	"[site-type one-stop]\n"
	"label_vi = Bộ phận một cửa\n"
	"label_en = one-stop office\n"
	"pc = 2\n"
	"scanner = 1\n"
	"printer = 1\n"
	"router = 1\n"
	"printer.supply.percent = >= 10   ; toner above 10 % (a warning)\n"
	"pc.disk.used_pct = <= 90         ; PC disks below 90 % full (a warning)\n"
	"router.icmp.loss_pct = <= 5 critical ; the Internet router loses at most 5 % of echoes\n"
	"\n"
	"[site-type meeting-room]\n"
	"label_vi = Phòng họp trực tuyến\n"
	"label_en = online meeting room\n"
	"vc = 1\n"
	"\n"
	"; Network gear, judged round the clock\n"
	"[site-type network]\n"
	"label_vi = Hạ tầng mạng\n"
	"label_en = network\n"
	"hours = always\n"
	"switch = 1\n"
	"\n"
	"; Each commune as a whole: a web portal that is served, an online meeting room\n"
	"[commune-targets]\n"
	"portal = 1\n"
	"site.meeting-room = 1\n";

static void write_conf(FILE *f, const struct site_init *si)
{
	fprintf(f,
		"; hbmon configuration, written by `hbmon-collector init`. Edit it, then check it:\n"
		";   hbmon-collector -c %s/hbmon.conf --check-config\n"
		"; README.md (English) and README.vi.md (tiếng Việt) explain every part.\n"
		"; Relative paths are relative to this file's directory.\n\n"
		"[general]\n"
		"district = %s\n"
		"language = vi\n"
		"inventory = inventory.csv\n"
		"credentials = credentials.conf\n"
		"data_dir = /var/lib/hbmon\n"
		"dashboards_dir = %s\n"
		"; started as root (the systemd units start them as hbmon already), the daemons\n"
		"; become this user, which owns data_dir and can read these files\n"
		"; user = hbmon\n\n"
		"[units]\n"
		"; what pages and mails call the unit watching and its members: a province IT\n"
		"; centre writes top_vi = tỉnh, top_en = province; wards: member_vi = phường\n"
		"top_vi = huyện\n"
		"top_en = district\n"
		"member_vi = xã\n"
		"member_en = commune\n\n",
		si->dir, si->district, HBMON_DASHBOARDS_DIR);
	fputs("[collector]\n"
	      "; every address of this box: the office LAN reaches the dashboard on this port\n"
	      "; (open it in the firewall to the office LAN only)\n"
	      "listen_address = 0.0.0.0\n"
	      "listen_port = 8080\n"
	      "; HTTPS: a self-signed pair made by init for the names in tls.crt; replace both\n"
	      "; files with the district's own certificate if it has one\n"
	      "tls_cert = tls.crt\n"
	      "tls_key = tls.key\n"
	      "rrd_step = 60\n"
	      "stale_after = 180\n\n"
	      "[probe]\n"
	      "; a probe inside a commune LAN gets a name of its own (the inventory's probe column)\n"
	      "; and the district collector's address here\n"
	      "name = district\n"
	      "; the secret the collector issued to this name, alone in a file only hbmon reads:\n"
	      ";   hbmon-collector probe add district --secret-file /etc/hbmon/probe.secret\n"
	      "secret_file = probe.secret\n"
	      "; a probe elsewhere: https://<this box's name or address>:8080/api/v1/ingest, with a\n"
	      "; copy of tls.crt as its ca_file\n"
	      "collector_url = https://127.0.0.1:8080/api/v1/ingest\n"
	      "ca_file = tls.crt\n"
	      "interval = 60\n"
	      "timeout_ms = 2000\n"
	      "retries = 1\n\n"
	      "[alerts]\n"
	      "; the district's mail server; empty: alerts are shown and logged, not mailed\n"
	      "smtp_url =\n"
	      "; smtp_url = smtp://mail.example.gov.vn:587\n"
	      "; STARTTLS is required unless smtp_starttls = 0 (mail in clear, warned at start)\n"
	      "; smtp_ca_file = /etc/hbmon/mail-ca.crt\n"
	      "; smtp_user = hbmon\n"
	      "; smtp_password = ...\n"
	      "mail_from = hbmon@localhost\n"
	      "; district IT, besides each commune's contacts from the inventory\n"
	      "recipients =\n\n",
	      f);
	fputs(conf_targets, f);
}

/* One example row per device class, in the order of the classes. */
static const struct example {
	const char *site, *type, *device, *address, *snmp, *url;
} examples[CLS_COUNT] = {
	[CLS_PC] = {"Bộ phận một cửa", "one-stop", "Máy tính 1", "10.10.1.11", "office-v2c", ""},
	[CLS_PRINTER] = {"Bộ phận một cửa", "one-stop", "Máy in", "10.10.1.21", "office-v2c", ""},
	[CLS_SCANNER] = {"Bộ phận một cửa", "one-stop", "Máy quét", "10.10.1.22", "office-v2c", ""},
	[CLS_SWITCH] = {"Hạ tầng mạng", "network", "Switch tầng 1", "10.10.1.2", "network-v3", ""},
	[CLS_ROUTER] = {"Bộ phận một cửa", "one-stop", "Router Internet", "10.10.1.1", "network-v3",
			""},
	[CLS_AP] = {"Hạ tầng mạng", "network", "Wi-Fi hội trường", "10.10.1.3", "network-v3", ""},
	[CLS_VC] = {"Phòng họp trực tuyến", "meeting-room", "Thiết bị họp trực tuyến", "10.10.1.31",
		    "office-v2c", ""},
	[CLS_CAMERA] = {"Phòng họp trực tuyến", "meeting-room", "Camera phòng họp", "10.10.1.32",
			"office-v2c", ""},
	[CLS_KIOSK] = {"Bộ phận một cửa", "one-stop", "Kiosk tra cứu thủ tục", "10.10.1.41", "", ""},
	[CLS_ATTENDANCE] = {"Bộ phận một cửa", "one-stop", "Máy chấm công", "10.10.1.42", "", ""},
	[CLS_UPS] = {"Phòng họp trực tuyến", "meeting-room", "Bộ lưu điện", "10.10.1.33",
		     "office-v2c", ""},
	[CLS_PORTAL] = {"Bộ phận một cửa", "one-stop", "Cổng thông tin điện tử", "", "",
			"https://tanphu.example.gov.vn/"},
	[CLS_OTHER] = {"Bộ phận một cửa", "one-stop", "Thiết bị khác", "10.10.1.50", "", ""},
};

static void write_inventory(FILE *f, const struct site_init *si)
{
	(void)si;
	fputs("commune,site,site_type,device,class,address,snmp,contact,probe,url\n", f);
	for (int c = 0; c < CLS_COUNT; c++) {
		const struct example *e = &examples[c];
		fprintf(f, "Xã Tân Phú,%s,%s,%s,%s,%s,%s,vanphong.tanphu@example.gov.vn,,%s\n",
			e->site, e->type, e->device, devclass_name((enum dev_class)c), e->address,
			e->snmp, e->url);
	}
}

static void write_credentials(FILE *f, const struct site_init *si)
{
	fprintf(f,
		"; SNMP credentials, named by the inventory's snmp column. This file holds secrets:\n"
		"; hbmon refuses it when other users can read it (chmod 600, owner hbmon).\n"
		"; The secrets below were drawn at random by `hbmon-collector init`: set the same\n"
		"; on the devices (read-only), or replace them with the ones the devices use.\n\n"
		"[office-v2c]\n"
		"version = 2c\n"
		"community = %s\n\n"
		"[network-v3]\n"
		"version = 3\n"
		"user = hbmon\n"
		"level = authPriv              ; noAuthNoPriv, authNoPriv or authPriv\n"
		"auth_protocol = SHA-256       ; SHA, SHA-256 or SHA-512\n"
		"auth_password = %s\n"
		"priv_protocol = AES           ; AES-128\n"
		"priv_password = %s\n",
		si->community, si->auth, si->priv);
}

/* Fixed-date public holidays of this year and the next; the lunar ones change every year. */
static void write_holidays(FILE *f, const struct site_init *si)
{
	static const struct { int m, d; const char *name; } fixed[] = {
		{1, 1, "Tết Dương lịch"},
		{4, 30, "Ngày Chiến thắng"},
		{5, 1, "Ngày Quốc tế Lao động"},
		{9, 2, "Quốc khánh"},
	};
	fputs("# Public holidays: one YYYY-MM-DD a line, a name after it. No target is judged then.\n"
	      "# Add each year, from the government's announcement: Tết Nguyên đán (lunar new year,\n"
	      "# about five days), Giỗ Tổ Hùng Vương (10/3 âm lịch), the day beside Quốc khánh, and\n"
	      "# the days moved by compensatory working days.\n",
	      f);
	for (int y = si->year; y <= si->year + 1; y++)
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			fprintf(f, "%04d-%02d-%02d %s\n", y, fixed[i].m, fixed[i].d, fixed[i].name);
}

static const struct out_file {
	const char *name;
	mode_t mode;
	void (*write)(FILE *f, const struct site_init *si);
} files[] = {
	{"hbmon.conf", 0640, write_conf}, /* may hold the mail server's password */
	{"inventory.csv", 0644, write_inventory},
	{"credentials.conf", 0600, write_credentials},
	{"holidays.txt", 0644, write_holidays},
};
#define NFILES (sizeof(files) / sizeof(files[0]))

/* A secret of letters and digits, from the kernel's random pool. */
static int random_secret(char *out, size_t n)
{
	static const char abc[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	unsigned char raw[64];
	if (n < 2 || n - 1 > sizeof(raw) || getrandom(raw, n - 1, 0) != (ssize_t)(n - 1))
		return -1;
	for (size_t i = 0; i + 1 < n; i++)
		out[i] = abc[raw[i] % (sizeof(abc) - 1)];
	out[n - 1] = '\0';
	return 0;
}

/* Written under a temporary name, synced, then renamed: never half a file. */
static int write_one(const struct site_init *si, const struct out_file *o)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	snprintf(path, sizeof(path), "%s/%s", si->dir, o->name);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, o->mode);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		fprintf(stderr, "%s: %s\n", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	o->write(f, si);
	/* the daemons run as hbmon: the secrets are its own, the configuration its group's */
	struct passwd *pw = o->mode & 0007 ? NULL : getpwnam("hbmon");
	if (pw && fchown(fd, o->mode == 0600 ? pw->pw_uid : (uid_t)-1, pw->pw_gid) < 0)
		fprintf(stderr, "%s: chown hbmon: %s\n", tmp, strerror(errno));
	int bad = fflush(f) != 0 || fsync(fd) != 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	printf("wrote %s\n", path);
	return 0;
}

static int parse_args(struct site_init *si, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			si->force = 1;
		else if (strcmp(argv[i], "--district") == 0 && i + 1 < argc)
			si->district = argv[++i];
		else if (strcmp(argv[i], "--host") == 0 && i + 1 < argc && si->nhosts < MAX_HOSTS)
			si->hosts[si->nhosts++] = argv[++i];
		else if (argv[i][0] != '-' && !si->dir)
			si->dir = argv[i];
		else
			return -1;
	}
	return si->dir ? 0 : -1;
}

static const char *const tls_files[] = {"tls.crt", "tls.key"};

/* Nothing is written when one file is there already (a half-new configuration is worse). */
static int refuse_existing(const struct site_init *si)
{
	int found = 0;
	for (size_t i = 0; i < NFILES + 2; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", si->dir,
			 i < NFILES ? files[i].name : tls_files[i - NFILES]);
		if (access(path, F_OK) == 0) {
			fprintf(stderr, "%s: exists; nothing written (--force replaces it)\n", path);
			found = 1;
		}
	}
	return found ? -1 : 0;
}

/*
 * The HTTPS pair, for the names probes and browsers use (--host, else this box's name) and for
 * loopback, where the district's own probe posts. The key is hbmon's, like credentials.conf.
 */
static int write_tls(struct site_init *si, time_t now)
{
	char crt[PATH_MAX], key[PATH_MAX], err[PATH_MAX + 100];
	if (!si->nhosts && gethostname(si->hostname, sizeof(si->hostname) - 1) == 0 &&
	    si->hostname[0])
		si->hosts[si->nhosts++] = si->hostname;
	si->hosts[si->nhosts++] = "localhost";
	si->hosts[si->nhosts++] = "127.0.0.1";
	snprintf(crt, sizeof(crt), "%s/%s", si->dir, tls_files[0]);
	snprintf(key, sizeof(key), "%s/%s", si->dir, tls_files[1]);
	if (si->force) {
		unlink(crt);
		unlink(key);
	}
	if (tlscert_generate(crt, key, si->hosts, si->nhosts, now, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	struct passwd *pw = getpwnam("hbmon");
	if (pw && chown(key, pw->pw_uid, pw->pw_gid) < 0)
		fprintf(stderr, "%s: chown hbmon: %s\n", key, strerror(errno));
	return 0;
}

int siteinit_main(int argc, char **argv, time_t now)
{
	struct site_init si = {.district = "Huyện Mẫu"};
	if (parse_args(&si, argc, argv) < 0 || !utf8_is_clean(si.district)) {
		fprintf(stderr, "usage: hbmon-collector init [--district NAME] [--host NAME]... [--force] DIR\n"
				"  writes DIR/hbmon.conf, inventory.csv, credentials.conf, holidays.txt and\n"
				"  an HTTPS key and certificate (tls.key, tls.crt) for each --host name or\n"
				"  address probes and browsers use (default: this machine's name)\n");
		return 2;
	}
	struct tm tm;
	localtime_r(&now, &tm);
	si.year = tm.tm_year + 1900;
	if (mkdir(si.dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", si.dir, strerror(errno));
		return 1;
	}
	if (!si.force && refuse_existing(&si) < 0)
		return 1;
	if (random_secret(si.community, sizeof(si.community)) < 0 ||
	    random_secret(si.auth, sizeof(si.auth)) < 0 || random_secret(si.priv, sizeof(si.priv)) < 0) {
		fprintf(stderr, "no random numbers from the kernel: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < NFILES; i++)
		if (write_one(&si, &files[i]) < 0)
			return 1;
	if (write_tls(&si, now) < 0)
		return 1;
	printf("\nNext: list the devices in %s/inventory.csv (one example row per class is there),\n"
	       "set the same SNMP secrets on the devices, issue the probe its secret, check, start:\n"
	       "  hbmon-collector -c %s/hbmon.conf probe add district --secret-file %s/probe.secret\n"
	       "  hbmon-collector -c %s/hbmon.conf --check-config\n"
	       "  hbmon-probe -c %s/hbmon.conf --check-config\n"
	       "  hbmon-probe poll ADDRESS -c COMMUNITY     # what one device answers\n",
	       si.dir, si.dir, si.dir, si.dir, si.dir);
	return 0;
}
