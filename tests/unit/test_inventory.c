#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assign.h"
#include "config.h"
#include "errlist.h"
#include "inventory.h"
#include "strbuf.h"

struct fx {
	char dir[64];
	char conf[PATH_MAX];
	char creds[PATH_MAX];
	char inv[PATH_MAX];
	struct errlist el;
	struct hbmon_config *cfg;
	struct inventory *invp;
};

/* Line numbers matter: the tests below name them. */
static const char base_conf[] =
	"; test configuration\n"                 /* 1 */
	"[general]\n"                            /* 2 */
	"district = Huyện Thử\n"                 /* 3 */
	"inventory = inventory.csv\n"            /* 4 */
	"credentials = credentials.conf\n"       /* 5 */
	"\n"                                     /* 6 */
	"[collector]\n"                          /* 7 */
	"stale_after = 180\n"                    /* 8 */
	"\n"                                     /* 9 */
	"[site-type one-stop]\n"                 /* 10 */
	"label_vi = Bộ phận một cửa\n"           /* 11 */
	"pc = 2\n"                               /* 12 */
	"scanner = 1\n"                          /* 13 */
	"\n"                                     /* 14 */
	"[site-type meeting-room]\n"             /* 15 */
	"vc = 1\n";                              /* 16 */

static const char base_creds[] =
	"[office]\n"
	"version = 2c\n"
	"community = s3cret\n"
	"\n"
	"[old]\n"
	"version = 1\n"
	"community = public\n";

static const char header[] = "commune,site,site_type,device,class,address,snmp,contact\n";

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/hbmon-inv-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->conf, sizeof(fx->conf), "%s/hbmon.conf", fx->dir);
	snprintf(fx->creds, sizeof(fx->creds), "%s/credentials.conf", fx->dir);
	snprintf(fx->inv, sizeof(fx->inv), "%s/inventory.csv", fx->dir);
	write_file(fx->conf, base_conf, 0644);
	write_file(fx->creds, base_creds, 0600);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	inventory_free(fx->invp);
	config_free(fx->cfg);
	errlist_free(&fx->el);
	DIR *d = opendir(fx->dir);
	if (d) {
		struct dirent *e;
		char p[PATH_MAX + 300];
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", fx->dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void dump(const struct errlist *el)
{
	for (size_t i = 0; i < el->n; i++)
		print_message("  error: %s\n", el->msg[i]);
}

/* Exactly one error, that starts with "file:line: " and contains every needle. */
static void expect_one_error(struct fx *fx, const char *file, int line, const char *n1,
			     const char *n2)
{
	char prefix[PATH_MAX + 32];
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 1);
	if (line > 0)
		snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
	else
		snprintf(prefix, sizeof(prefix), "%s", file);
	assert_non_null(strstr(fx->el.msg[0], prefix));
	assert_ptr_equal(strstr(fx->el.msg[0], prefix), fx->el.msg[0]);
	if (n1)
		assert_non_null(strstr(fx->el.msg[0], n1));
	if (n2)
		assert_non_null(strstr(fx->el.msg[0], n2));
}

static void load_config_ok(struct fx *fx)
{
	fx->cfg = config_load(fx->conf, &fx->el);
	dump(&fx->el);
	assert_non_null(fx->cfg);
	assert_int_equal(errlist_count(&fx->el), 0);
}

/* Loads the configuration, then an inventory made of header + rows. */
static void load_inventory(struct fx *fx, const char *hdr, const char *rows)
{
	size_t n = strlen(hdr) + strlen(rows) + 1;
	char *text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "%s%s", hdr, rows);
	write_file(fx->inv, text, 0644);
	free(text);
	load_config_ok(fx);
	fx->invp = inventory_load(fx->inv, fx->cfg, &fx->el);
	assert_non_null(fx->invp);
}

/* --- configuration --- */

static void config_values(void **state)
{
	struct fx *fx = *state;
	load_config_ok(fx);
	const struct hbmon_config *c = fx->cfg;
	assert_string_equal(c->district, "Huyện Thử");
	assert_string_equal(c->language, "vi");
	assert_string_equal(c->inventory, fx->inv);
	assert_string_equal(c->credentials, fx->creds);
	assert_int_equal(c->stale_after, 180);
	/* defaults */
	assert_int_equal(c->rrd_step, 60);
	assert_int_equal(c->interval, 60);
	assert_int_equal(c->listen_port, 8080);
	assert_int_equal(c->ingest_max_body, 16777216);
	assert_string_equal(c->data_dir, "/var/lib/hbmon");

	assert_int_equal(c->nsite_types, 2);
	const struct site_type *st = config_site_type(c, "one-stop");
	assert_non_null(st);
	assert_string_equal(st->label_vi, "Bộ phận một cửa");
	assert_string_equal(st->label_en, "Bộ phận một cửa"); /* falls back to label_vi */
	assert_int_equal(st->ntargets, 2);
	assert_int_equal(st->targets[0].cls, CLS_PC);
	assert_int_equal(st->targets[0].min_up, 2);
	assert_int_equal(st->targets[1].cls, CLS_SCANNER);
	assert_int_equal(st->targets[1].min_up, 1);
	st = config_site_type(c, "meeting-room");
	assert_non_null(st);
	assert_string_equal(st->label_vi, "meeting-room");
	assert_int_equal(st->ntargets, 1);
	assert_int_equal(st->targets[0].cls, CLS_VC);
	assert_null(config_site_type(c, "one-stop "));

	assert_int_equal(c->ncreds, 2);
	const struct snmp_cred *cr = config_cred(c, "office");
	assert_non_null(cr);
	assert_int_equal(cr->version, 2);
	assert_string_equal(cr->community, "s3cret");
	cr = config_cred(c, "old");
	assert_non_null(cr);
	assert_int_equal(cr->version, 1);
	assert_string_equal(cr->community, "public");
	assert_null(config_cred(c, "nope"));
}

static void config_missing_file(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/nothere.conf", fx->dir);
	assert_null(config_load(path, &fx->el));
	expect_one_error(fx, path, 0, "cannot open", NULL);
}

static void credentials_readable_by_others(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(chmod(fx->creds, 0644), 0);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	expect_one_error(fx, fx->creds, 0, "chmod 600", NULL);
}

static void credentials_missing(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(unlink(fx->creds), 0);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	expect_one_error(fx, fx->creds, 0, "cannot open", NULL);
}

static void credentials_bad_values(void **state)
{
	struct fx *fx = *state;
	write_file(fx->creds,
		   "[office]\n"
		   "version = 4\n"
		   "community = x\n"
		   "colour = blue\n"
		   "[bad name!]\n"
		   "community = y\n",
		   0600);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 3);
	char want[PATH_MAX + 128];
	snprintf(want, sizeof(want), "%s:2: version: expected 1, 2c or 3", fx->creds);
	assert_non_null(strstr(fx->el.msg[0], want));
	snprintf(want, sizeof(want), "%s:4: colour: ", fx->creds);
	assert_non_null(strstr(fx->el.msg[1], want));
	snprintf(want, sizeof(want), "%s:6: [bad name!]: ", fx->creds);
	assert_non_null(strstr(fx->el.msg[2], want));
}

/* SNMPv3 credentials: every field checked, each error on its line, incomplete users named. */
static void credentials_v3(void **state)
{
	struct fx *fx = *state;
	write_file(fx->creds,
		   "[good]\n"
		   "version = 3\n"
		   "user = hbmon\n"
		   "level = authPriv\n"
		   "auth_protocol = SHA-256\n"
		   "auth_password = authpass123\n"
		   "priv_protocol = AES\n"
		   "priv_password = privpass123\n"
		   "[weak]\n"
		   "version = 3\n"
		   "user = x\n"
		   "level = authPriv\n"
		   "auth_password = short\n"
		   "priv_protocol = DES\n"
		   "[nouser]\n"
		   "version = 3\n"
		   "level = noauth\n",
		   0600);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 4);
	char want[PATH_MAX + 128];
	snprintf(want, sizeof(want), "%s:14: priv_protocol: expected AES", fx->creds);
	assert_non_null(strstr(fx->el.msg[0], want));
	snprintf(want, sizeof(want), "%s:17: level: expected noAuthNoPriv", fx->creds);
	assert_non_null(strstr(fx->el.msg[1], want));
	snprintf(want, sizeof(want), "%s:10: [weak]: this level needs an auth_password", fx->creds);
	assert_non_null(strstr(fx->el.msg[2], want));
	snprintf(want, sizeof(want), "%s:16: [nouser]: SNMPv3 needs a user", fx->creds);
	assert_non_null(strstr(fx->el.msg[3], want));
	const struct snmp_cred *c = config_cred(fx->cfg, "good");
	assert_non_null(c);
	assert_int_equal(c->version, 3);
	assert_int_equal(c->level, V3_AUTHPRIV);
	assert_int_equal(c->auth_proto, V3_AUTH_SHA256);
	assert_string_equal(c->priv_pass, "privpass123");
}

static void config_unknown_option(void **state)
{
	struct fx *fx = *state;
	char text[sizeof(base_conf) + 64];
	snprintf(text, sizeof(text), "%s[probe]\ncolour = blue\n", base_conf);
	write_file(fx->conf, text, 0644);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	expect_one_error(fx, fx->conf, 18, "colour: ", "unknown option in [probe]");
}

static void config_out_of_range(void **state)
{
	struct fx *fx = *state;
	char text[sizeof(base_conf) + 128];
	snprintf(text, sizeof(text), "%s[probe]\ninterval = 0\n", base_conf);
	write_file(fx->conf, text, 0644);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	expect_one_error(fx, fx->conf, 18, "interval: ", "from 1 to 86400");
}

static void config_more_bad_values(void **state)
{
	struct fx *fx = *state;
	char text[sizeof(base_conf) + 256];
	snprintf(text, sizeof(text),
		 "%s"                       /* 1..16 */
		 "pc = many\n"              /* 17 (in meeting-room) */
		 "laptop = 1\n"             /* 18 */
		 "[collector]\n"            /* 19 */
		 "stale_after = 99999999999999999999\n" /* 20: set twice + out of range */
		 "[general]\n"              /* 21 */
		 "language = fr\n",         /* 22 */
		 base_conf);
	write_file(fx->conf, text, 0644);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 5);
	char want[PATH_MAX + 128];
	snprintf(want, sizeof(want), "%s:17: pc: ", fx->conf);
	assert_non_null(strstr(fx->el.msg[0], want));
	snprintf(want, sizeof(want), "%s:18: laptop: ", fx->conf);
	assert_non_null(strstr(fx->el.msg[1], want));
	snprintf(want, sizeof(want), "%s:20: stale_after: set twice", fx->conf);
	assert_non_null(strstr(fx->el.msg[2], want));
	snprintf(want, sizeof(want), "%s:20: stale_after: expected an integer", fx->conf);
	assert_non_null(strstr(fx->el.msg[3], want));
	snprintf(want, sizeof(want), "%s:22: language: ", fx->conf);
	assert_non_null(strstr(fx->el.msg[4], want));
}

/* Targets' settings: working days and hours, recipients, a site type's hours. */
static void config_alert_values(void **state)
{
	struct fx *fx = *state;
	char text[sizeof(base_conf) + 512];
	snprintf(text, sizeof(text),
		 "%s"                                        /* 1..16 */
		 "hours = sometimes\n"                       /* 17 (in meeting-room) */
		 "[working-hours]\n"                         /* 18 */
		 "days = monday-friday\n"                    /* 19 */
		 "hours = 07:00-11:30,13:30-12:00\n"          /* 20 */
		 "[alerts]\n"                                /* 21 */
		 "recipients = it@huyen.vn, a@b.vn/fr\n"      /* 22 */
		 "mail_from = hbmon@x.vn>, Bcc <y@z.vn\n"     /* 23 */
		 "pending = -5\n",                           /* 24 */
		 base_conf);
	write_file(fx->conf, text, 0644);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 6);
	const char *want_at[] = {":17: hours: ", ":19: days: ", ":20: hours: ", ":22: recipients: ",
				 ":23: mail_from: ", ":24: pending: "};
	for (int i = 0; i < 6; i++) {
		char want[PATH_MAX + 64];
		snprintf(want, sizeof(want), "%s%s", fx->conf, want_at[i]);
		assert_non_null(strstr(fx->el.msg[i], want));
	}
}

static void config_site_type_hours(void **state)
{
	struct fx *fx = *state;
	char text[sizeof(base_conf) + 256];
	snprintf(text, sizeof(text), "%s" /* 1..16, ends in [site-type meeting-room] */
		 "work_days = mon-sat\n"     /* 17 */
		 "work_hours = 07:00-17:00\n" /* 18 */
		 "work_days = someday\n"     /* 19 */
		 "work_hours = 17:00-07:00\n", /* 20 */
		 base_conf);
	write_file(fx->conf, text, 0644);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	assert_int_equal(errlist_count(&fx->el), 2);
	char want[PATH_MAX + 64];
	snprintf(want, sizeof(want), "%s:19: work_days: ", fx->conf);
	assert_non_null(strstr(fx->el.msg[0], want));
	snprintf(want, sizeof(want), "%s:20: work_hours: ", fx->conf);
	assert_non_null(strstr(fx->el.msg[1], want));
	const struct site_type *st = config_site_type(fx->cfg, "meeting-room");
	assert_string_equal(st->work_days, "mon-sat");
	assert_string_equal(st->work_hours, "07:00-17:00");
}

/* Value targets on profile metrics: toner floor, disk ceiling, registration status. */
static void config_value_targets(void **state)
{
	struct fx *fx = *state;
	char text[sizeof(base_conf) + 512];
	snprintf(text, sizeof(text), "%s" /* 1..16, ends in [site-type meeting-room] */
		 "printer.supply.percent = >= 10\n"   /* 17 */
		 "pc.disk.used_pct = <= 90.5\n"       /* 18 */
		 "vc.poly_sip_reg.status = == 2\n"    /* 19 */
		 "printer.supply = >= 10\n"           /* 20 */
		 "toaster.crumbs.level = >= 1\n"      /* 21 */
		 "pc.disk.used_pct = > 90\n"          /* 22 */
		 "pc.disk.used_pct = <= lots\n"       /* 23 */
		 "pc.Disk.used_pct = <= 1\n",         /* 24 */
		 base_conf);
	write_file(fx->conf, text, 0644);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 5);
	static const int lines[] = {20, 21, 22, 23, 24};
	for (int i = 0; i < 5; i++) {
		char want[PATH_MAX + 64];
		snprintf(want, sizeof(want), "%s:%d: ", fx->conf, lines[i]);
		assert_non_null(strstr(fx->el.msg[i], want));
	}
	const struct site_type *st = config_site_type(fx->cfg, "meeting-room");
	assert_int_equal(st->nmtargets, 3);
	assert_int_equal(st->mtargets[0].cls, CLS_PRINTER);
	assert_string_equal(st->mtargets[0].group, "supply");
	assert_int_equal(st->mtargets[0].op, MT_GE);
	assert_true(st->mtargets[1].value == 90.5 && st->mtargets[1].op == MT_LE);
	assert_true(st->mtargets[2].value == 2 && st->mtargets[2].op == MT_EQ);
	assert_int_equal(st->mtargets[2].line, 19);
}

static void config_alert_defaults_and_lists(void **state)
{
	struct fx *fx = *state;
	char text[sizeof(base_conf) + 256];
	snprintf(text, sizeof(text), "%s[alerts]\nrecipients = it@huyen.vn, vendor@x.com/en\n",
		 base_conf);
	write_file(fx->conf, text, 0644);
	fx->cfg = config_load(fx->conf, &fx->el);
	assert_non_null(fx->cfg);
	assert_int_equal(errlist_count(&fx->el), 0);
	assert_string_equal(fx->cfg->work_days, "mon-fri");
	assert_string_equal(fx->cfg->work_hours, "07:00-11:30,13:30-17:00");
	assert_int_equal(fx->cfg->alert_pending, 300);
	assert_int_equal(fx->cfg->digest_interval, 600);
	assert_string_equal(fx->cfg->smtp_url, "");
	assert_int_equal(config_emails(fx->cfg->recipients, NULL, NULL), 0);
	assert_int_equal(config_emails("a@b", NULL, NULL), 0);
	assert_int_equal(config_emails("a@", NULL, NULL), -1);
	assert_int_equal(config_emails("a b@c", NULL, NULL), -1);
	assert_int_equal(config_emails("<a@b>", NULL, NULL), -1);
	assert_int_equal(config_emails("a@b@c", NULL, NULL), -1);
}

/* The SMTP password: never echoed in an error, refused in a file others can read, and wiped
 * from the memory of a daemon that does not use it (the probe); TLS to the mail server is the
 * default. */
/* hbmon.conf with an smtp_password line (mode, value) gives one error naming the line, with
 * needle and without the value. */
static void expect_secret_error(struct fx *fx, mode_t mode, const char *value,
				const char *needle)
{
	char text[sizeof(base_conf) + 256];
	snprintf(text, sizeof(text), "%s[alerts]\nsmtp_password = %s\n", base_conf, value);
	write_file(fx->conf, text, mode);
	fx->cfg = config_load(fx->conf, &fx->el);
	expect_one_error(fx, fx->conf, 18, "smtp_password", needle);
	assert_null(strstr(fx->el.msg[0], value));
	config_free(fx->cfg);
	fx->cfg = NULL;
	errlist_free(&fx->el);
}

static void config_smtp_secret(void **state)
{
	struct fx *fx = *state;
	expect_secret_error(fx, 0600, "s3cr\x01t-value", "not shown");
	expect_secret_error(fx, 0644, "s3cret-value", "chmod o-rwx");
	assert_int_equal(chmod(fx->conf, 0640), 0);
	load_config_ok(fx);
	assert_int_equal(fx->cfg->smtp_starttls, 1);
	assert_string_equal(fx->cfg->smtp_password, "s3cret-value");
	assert_true(fx->cfg->ncreds > 0 && fx->cfg->creds[0].community[0]);
	config_keep_secrets(fx->cfg, CONFIG_SNMP_SECRETS);
	assert_string_equal(fx->cfg->smtp_password, "");
	assert_true(fx->cfg->creds[0].community[0]);
	config_keep_secrets(fx->cfg, 0);
	assert_string_equal(fx->cfg->creds[0].community, "");
	assert_string_equal(fx->cfg->creds[0].name, "office"); /* names stay: the inventory's */
}

/* [snmp] informs with the credential they are sent with: one error each for a missing, an
 * unknown, an SNMPv1 credential and a credential with no informs; the collector keeps that
 * credential's secrets only. */
static void expect_inform_error(struct fx *fx, const char *snmp, const char *needle)
{
	char text[sizeof(base_conf) + 256];
	snprintf(text, sizeof(text), "%s[snmp]\n%s", base_conf, snmp);
	write_file(fx->conf, text, 0600);
	fx->cfg = config_load(fx->conf, &fx->el);
	expect_one_error(fx, fx->conf, 0, "[snmp] inform", needle);
	config_free(fx->cfg);
	fx->cfg = NULL;
	errlist_free(&fx->el);
}

static void config_informs(void **state)
{
	struct fx *fx = *state;
	char text[sizeof(base_conf) + 256];
	expect_inform_error(fx, "informs = udp:127.0.0.1:162\n", "name the credential");
	expect_inform_error(fx, "informs = udp:127.0.0.1:162\ninform_credential = nope\n",
			    "no [nope] in");
	expect_inform_error(fx, "informs = udp:127.0.0.1:162\ninform_credential = old\n",
			    "SNMPv1");
	expect_inform_error(fx, "inform_credential = office\n", "no informs to send");
	snprintf(text, sizeof(text), "%s[snmp]\ninforms = udp:127.0.0.1:162\n"
		 "inform_credential = office\ninform_timeout = 2\n", base_conf);
	write_file(fx->conf, text, 0600);
	load_config_ok(fx);
	assert_int_equal(fx->cfg->inform_timeout, 2);
	assert_int_equal(fx->cfg->inform_retries, 3);
	config_keep_secrets(fx->cfg, CONFIG_SMTP_SECRETS | CONFIG_INFORM_SECRETS);
	assert_string_equal(config_cred(fx->cfg, "office")->community, "s3cret");
	assert_string_equal(config_cred(fx->cfg, "old")->community, "");
}

/* --- inventory --- */

static void inventory_valid(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header,
		       "Xã Tân Phú,Một cửa,one-stop,Máy tính 1,pc,192.0.2.1,office,a@example.gov.vn\n"
		       "Xã Tân Phú,Một cửa,one-stop,Máy tính 2,pc,192.0.2.2:1161,office,\n"
		       "Xã Tân Phú,Một cửa,one-stop,Máy quét,scanner,[::1]:1161,old,\n"
		       "Xã Tân Phú,Phòng họp,meeting-room,\"Hội nghị, truyền hình\",vc,2001:db8::1,office,\n"
		       "\n"
		       "Thị trấn Z,Một cửa,one-stop,Máy tính 1,pc,,,\n"
		       "Thị trấn Z,Một cửa,one-stop,Máy tính 3,printer,192.0.2.9,,\n");
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 0);
	const struct inventory *inv = fx->invp;
	assert_int_equal(inv->ncommunes, 2);
	assert_int_equal(inv->nsites, 3);
	assert_int_equal(inv->ndevices, 6);

	assert_string_equal(inv->communes[0].name, "Xã Tân Phú");
	assert_string_equal(inv->communes[0].path, "X%C3%A3%20T%C3%A2n%20Ph%C3%BA");
	assert_string_equal(inv->communes[1].name, "Thị trấn Z");

	assert_string_equal(inv->sites[0].name, "Một cửa");
	assert_string_equal(inv->sites[0].type, "one-stop");
	assert_int_equal(inv->sites[0].commune, 0);
	assert_string_equal(inv->sites[1].name, "Phòng họp");
	assert_string_equal(inv->sites[1].type, "meeting-room");
	assert_int_equal(inv->sites[1].commune, 0);
	assert_string_equal(inv->sites[2].name, "Một cửa");
	assert_int_equal(inv->sites[2].commune, 1);

	const struct inv_device *d = inv->devices;
	assert_string_equal(d[0].name, "Máy tính 1");
	assert_string_equal(d[0].host, "192.0.2.1");
	assert_int_equal(d[0].port, 161);
	assert_int_equal(d[0].cls, CLS_PC);
	assert_string_equal(d[0].cred, "office");
	assert_string_equal(d[0].contact, "a@example.gov.vn");
	assert_int_equal(d[0].site, 0);
	assert_int_equal(d[0].commune, 0);
	assert_int_equal(d[0].line, 2);

	assert_string_equal(d[1].host, "192.0.2.2");
	assert_int_equal(d[1].port, 1161);
	assert_string_equal(d[1].contact, "");

	assert_string_equal(d[2].host, "::1");
	assert_int_equal(d[2].port, 1161);
	assert_int_equal(d[2].cls, CLS_SCANNER);
	assert_string_equal(d[2].cred, "old");

	assert_string_equal(d[3].name, "Hội nghị, truyền hình");
	assert_string_equal(d[3].host, "2001:db8::1");
	assert_int_equal(d[3].port, 161);
	assert_int_equal(d[3].cls, CLS_VC);
	assert_int_equal(d[3].site, 1);
	assert_int_equal(d[3].line, 5);

	/* same device name in another commune is fine; no address, no credential: not polled */
	assert_string_equal(d[4].name, "Máy tính 1");
	assert_string_equal(d[4].host, "");
	assert_string_equal(d[4].cred, "");
	assert_int_equal(d[4].site, 2);
	assert_int_equal(d[4].commune, 1);
	assert_int_equal(d[4].line, 7);
	assert_int_equal(d[5].cls, CLS_PRINTER);
	assert_int_equal(d[5].line, 8);

	assert_int_equal(inventory_find(inv, "Xã Tân Phú", "Máy tính 1"), 0);
	assert_int_equal(inventory_find(inv, "Thị trấn Z", "Máy tính 1"), 4);
	assert_int_equal(inventory_find(inv, "Thị trấn Z", "Máy quét"), -1);
	assert_int_equal(inventory_find(inv, "Xã Khác", "Máy tính 1"), -1);
	/* by the path forms URLs carry; lengths bound the compared part */
	const char *cp = inv->communes[d[4].commune].path;
	assert_int_equal(inventory_find_path(inv, cp, strlen(cp), d[4].path, strlen(d[4].path)), 4);
	assert_int_equal(inventory_find_path(inv, cp, strlen(cp), d[4].path, strlen(d[4].path) - 1),
			 -1);
	assert_int_equal(inventory_find_path(inv, cp, 0, d[4].path, strlen(d[4].path)), -1);
}

/* Thousands of devices: every one found by name and by path through the index. */
static void inventory_index_finds_all(void **state)
{
	struct fx *fx = *state;
	enum { N = 3000 };
	size_t cap = (size_t)N * 96;
	char *rows = malloc(cap);
	assert_non_null(rows);
	size_t o = 0;
	for (int i = 0; i < N; i++)
		o += (size_t)snprintf(rows + o, cap - o,
				      "Xã %d,UBND,one-stop,Máy %d,pc,10.%d.%d.%d,office,\n", i % 37, i,
				      i / 65536, (i / 256) % 256, i % 256 + 0);
	load_inventory(fx, header, rows);
	free(rows);
	const struct inventory *inv = fx->invp;
	assert_int_equal(inv->ndevices, N);
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		const struct inv_commune *c = &inv->communes[d->commune];
		assert_int_equal(inventory_find(inv, c->name, d->name), (long)i);
		assert_int_equal(inventory_find_path(inv, c->path, strlen(c->path), d->path,
						     strlen(d->path)),
				 (long)i);
	}
	assert_int_equal(inventory_find(inv, "Xã 1", "Máy 0"), -1); /* Máy 0 is in Xã 0 */
}

static void inventory_header_variants(void **state)
{
	struct fx *fx = *state;
	/* Excel BOM, other order, "unit" for commune, case and blanks, extra columns, CRLF */
	load_inventory(fx,
		       "\xEF\xBB\xBF" "Device,Unit,Class, Site Type ,site,Address,SNMP,Contact,Notes,Probe\r\n",
		       "PC 1,Xã A,pc,one-stop,Một cửa,192.0.2.1:2000,office,,ghi chú,north\r\n"
		       "PC 2,Xã A,pc,one-stop,Một cửa,192.0.2.2,office,,,\r\n");
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 0);
	assert_int_equal(fx->invp->ndevices, 2);
	assert_int_equal(fx->invp->ncommunes, 1);
	assert_string_equal(fx->invp->communes[0].name, "Xã A");
	assert_string_equal(fx->invp->devices[0].name, "PC 1");
	assert_int_equal(fx->invp->devices[0].port, 2000);
	assert_string_equal(fx->invp->devices[0].probe, "north");
	assert_string_equal(fx->invp->devices[1].probe, "");
	assert_int_equal(fx->invp->devices[1].line, 3);
}

static void inventory_crlf_line_numbers(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, "commune,site,site_type,device,class,address,snmp,contact\r\n",
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\r\n"
		       "Xã A,Một cửa,one-stop,PC 2,pc,192.0.2.256,office,\r\n");
	expect_one_error(fx, fx->inv, 3, "address: ", "192.0.2.256");
	assert_int_equal(fx->invp->ndevices, 1);
}

static void inventory_missing_column(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, "commune,site,site_type,device,class,snmp,contact\n",
		       "Xã A,Một cửa,one-stop,PC 1,pc,office,\n");
	expect_one_error(fx, fx->inv, 1, "header: missing column \"address\"", NULL);
	assert_int_equal(fx->invp->ndevices, 0);
}

static void inventory_bad_address(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header,
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\n"
		       "Xã A,Một cửa,one-stop,PC 2,pc,999.1.1.1,office,\n");
	expect_one_error(fx, fx->inv, 3, "address: ", "\"999.1.1.1\"");
	assert_int_equal(fx->invp->ndevices, 1);
}

static void inventory_bad_addresses(void **state)
{
	struct fx *fx = *state;
	static const char *const bad[] = {
		"192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:", "192.0.2.1:16x", "[::1]",
		"[::1]:", "[::1]x", "::1:161x", "host.example", "[192.0.2.1]:161", "1.2.3",
	};
	char rows[2048];
	size_t o = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		o += (size_t)snprintf(rows + o, sizeof(rows) - o,
				      "Xã A,Một cửa,one-stop,PC %zu,pc,%s,office,\n", i, bad[i]);
	load_inventory(fx, header, rows);
	dump(&fx->el);
	/* "[::1]" (an IPv6 address in brackets without a port) is accepted */
	assert_int_equal(errlist_count(&fx->el), sizeof(bad) / sizeof(bad[0]) - 1);
	assert_int_equal(fx->invp->ndevices, 1);
	assert_string_equal(fx->invp->devices[0].host, "::1");
	assert_int_equal(fx->invp->devices[0].port, 161);
	for (size_t i = 0; i < fx->el.n; i++)
		assert_non_null(strstr(fx->el.msg[i], ": address: "));
}

static void inventory_duplicate_device(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header,
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\n"
		       "Xã B,Một cửa,one-stop,PC 1,pc,192.0.2.2,office,\n"
		       "Xã A,Phòng họp,meeting-room,PC 1,pc,192.0.2.3,office,\n");
	expect_one_error(fx, fx->inv, 4, "device: \"PC 1\"", "line 2");
	assert_int_equal(fx->invp->ndevices, 2);
}

static void inventory_duplicate_address(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header,
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\n"
		       "Xã A,Một cửa,one-stop,PC 2,pc,192.0.2.1:1161,office,\n"
		       "Xã B,Một cửa,one-stop,PC 3,pc,192.0.2.1:161,office,\n");
	expect_one_error(fx, fx->inv, 4, "address: ", "\"PC 1\"");
	assert_int_equal(fx->invp->ndevices, 2);
}

static void inventory_not_utf8(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header,
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\n"
		       "Xã A,Một cửa,one-stop,M\xe1y t\xednh \xff,pc,192.0.2.2,office,\n");
	expect_one_error(fx, fx->inv, 3, "device: ", "UTF-8");
	assert_int_equal(fx->invp->ndevices, 1);
}

static void inventory_nul_and_bidi_in_names(void **state)
{
	struct fx *fx = *state;
	/* a NUL must not cut "PC 1\0evil" to "PC 1"; a right-to-left override must not pass */
	static const char rows[] = "Xã A,Một cửa,one-stop,PC 1\0evil,pc,192.0.2.1,office,\n"
				   "Xã A,Một cửa,one-stop,PC \xE2\x80\xAE" "2,pc,192.0.2.2,office,\n"
				   "Xã A,Một cửa,one-stop,PC 3,pc,192.0.2.3,office,\n";
	FILE *f = fopen(fx->inv, "w");
	assert_non_null(f);
	fputs(header, f);
	fwrite(rows, 1, sizeof(rows) - 1, f);
	fclose(f);
	load_config_ok(fx);
	fx->invp = inventory_load(fx->inv, fx->cfg, &fx->el);
	assert_non_null(fx->invp);
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 2);
	assert_non_null(strstr(fx->el.msg[0], ":2: device: not valid UTF-8 text"));
	assert_non_null(strstr(fx->el.msg[1], ":3: device: "));
	assert_int_equal(fx->invp->ndevices, 1);
}

static void inventory_unknown_class(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header, "Xã A,Một cửa,one-stop,PC 1,laptop,192.0.2.1,office,\n");
	expect_one_error(fx, fx->inv, 2, "class: ", "\"laptop\"");
	assert_int_equal(fx->invp->ndevices, 0);
}

static void inventory_unknown_site_type(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header, "Xã A,Một cửa,one-stop-x,PC 1,pc,192.0.2.1,office,\n");
	expect_one_error(fx, fx->inv, 2, "site_type: ", "\"one-stop-x\"");
	assert_int_equal(fx->invp->ndevices, 0);
	assert_int_equal(fx->invp->nsites, 0);
}

static void inventory_site_type_conflict(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header,
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\n"
		       "Xã A,Một cửa,meeting-room,VC,vc,192.0.2.2,office,\n");
	expect_one_error(fx, fx->inv, 3, "site_type: ", "\"meeting-room\"");
	assert_int_equal(fx->invp->ndevices, 1);
	assert_int_equal(fx->invp->nsites, 1);
}

static void inventory_unknown_credential(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header, "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,nope,\n");
	expect_one_error(fx, fx->inv, 2, "snmp: ", "nope");
	assert_int_equal(fx->invp->ndevices, 0);
}

static void inventory_credential_without_address(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header, "Xã A,Một cửa,one-stop,PC 1,pc,,office,\n");
	expect_one_error(fx, fx->inv, 2, "address: ", "office");
}

static void inventory_bad_contact(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header,
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\"a@x.vn, b@x.vn\"\n");
	expect_one_error(fx, fx->inv, 2, "contact: ", NULL);
}

/* A portal is checked by its page: the url column, optional, http(s) only. */
static void inventory_url(void **state)
{
	struct fx *fx = *state;
	static const char hdr[] = "commune,site,site_type,device,class,address,snmp,contact,url\n";
	load_inventory(fx, hdr,
		       "Xã A,Một cửa,one-stop,Cổng TTĐT,portal,,,,https://tanphu.example.gov.vn/\n"
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,,\n"
		       "Xã A,Một cửa,one-stop,Cổng cũ,portal,,,,ftp://tanphu.example.gov.vn/\n"
		       "Xã A,Một cửa,one-stop,Cổng lạ,portal,,,,\"http://a.vn/<script>\"\n");
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 2);
	assert_non_null(strstr(fx->el.msg[0], ":4: url: expected http://"));
	assert_non_null(strstr(fx->el.msg[1], ":5: url: "));
	assert_int_equal(fx->invp->ndevices, 2);
	assert_string_equal(fx->invp->devices[0].url, "https://tanphu.example.gov.vn/");
	assert_string_equal(fx->invp->devices[0].host, "");
	assert_string_equal(fx->invp->devices[1].url, "");
}

static void inventory_too_few_fields(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header,
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\n"
		       "Xã A,Một cửa,one-stop,PC 2\n"
		       "Xã A,Một cửa,one-stop,PC 3,pc,192.0.2.3,office,\n");
	expect_one_error(fx, fx->inv, 3, "missing column \"class\"", NULL);
	assert_int_equal(fx->invp->ndevices, 2);
	assert_int_equal(fx->invp->devices[1].line, 4);
}

/* An unquoted comma in a name: the row is refused, not read with its columns shifted; empty
 * trailing fields (spreadsheets write them) are nothing. */
static void inventory_too_many_fields(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header,
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,,,\n"
		       "Xã A,Một cửa,one-stop,PC 2, tầng 2,pc,192.0.2.2,office,a@xa.vn\n");
	expect_one_error(fx, fx->inv, 3, "row has 9 fields, the header names 8: a name holding a "
			 "comma must be in double quotes", NULL);
	assert_int_equal(fx->invp->ndevices, 1);
}

static void inventory_empty_required_field(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header, "Xã A,,one-stop,PC 1,pc,192.0.2.1,office,\n");
	expect_one_error(fx, fx->inv, 2, "site: empty", NULL);
}

static const char notes_header[] =
	"commune,site,site_type,device,class,address,snmp,contact,notes\n";

static void inventory_multiline_field_keeps_line_numbers(void **state)
{
	struct fx *fx = *state;
	/* an ignored notes column holding a line break, as Excel writes it */
	load_inventory(fx, notes_header,
		       "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,,\n"
		       "Xã A,Một cửa,one-stop,PC 2,pc,192.0.2.2,office,,\"dòng 1\ndòng 2\"\n"
		       "Xã A,Một cửa,one-stop,PC 3,pc,192.0.2.300,office,,\n");
	/* the error is on the 5th line of the file */
	expect_one_error(fx, fx->inv, 5, "address: ", NULL);
	assert_int_equal(fx->invp->ndevices, 2);
	assert_int_equal(fx->invp->devices[1].line, 3);
}

static void inventory_multiline_first_field_line_number(void **state)
{
	struct fx *fx = *state;
	/* the notes column comes first: the row with the bad address starts on line 3 */
	load_inventory(fx, "notes,commune,site,site_type,device,class,address,snmp,contact\n",
		       ",Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\n"
		       "\"dòng 1\ndòng 2\",Xã A,Một cửa,one-stop,PC 2,pc,192.0.2.300,office,\n");
	expect_one_error(fx, fx->inv, 3, "address: ", NULL);
}

static void inventory_line_break_in_name(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header, "Xã A,\"Một\ncửa\",one-stop,PC 1,pc,192.0.2.1,office,\n");
	expect_one_error(fx, fx->inv, 2, "site: ", NULL);
	assert_int_equal(fx->invp->ndevices, 0);
}

static void inventory_malformed_csv(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, header, "Xã A,Một \"cửa,one-stop,PC 1,pc,192.0.2.1,office,\n");
	dump(&fx->el);
	assert_true(errlist_count(&fx->el) >= 1);
	char want[PATH_MAX + 128];
	snprintf(want, sizeof(want), "%s:2: ", fx->inv);
	assert_non_null(strstr(fx->el.msg[0], want));
	assert_int_equal(fx->invp->ndevices, 0);
}

static void inventory_empty_and_missing(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, "", "");
	expect_one_error(fx, fx->inv, 0, "empty file", NULL);
	inventory_free(fx->invp);
	fx->invp = NULL;
	errlist_free(&fx->el);
	assert_int_equal(unlink(fx->inv), 0);
	assert_null(inventory_load(fx->inv, fx->cfg, &fx->el));
	expect_one_error(fx, fx->inv, 0, "cannot open", NULL);
}

/* A probe's assignment (collector/assign.c) reads back as the same rows, its own only. */
static void assignment_round_trips(void **state)
{
	struct fx *fx = *state;
	load_inventory(fx, "commune,site,site_type,device,class,address,snmp,contact,probe,url\n",
		       "Xã Tân Phú,Bộ phận một cửa,one-stop,\"PC \"\"kế toán\"\", 1\",pc,"
		       "10.0.0.1:1161,office,a@b.vn,tanphu,\n"
		       "Xã Tân Phú,Bộ phận một cửa,one-stop,Máy quét,,[fd00::5]:2161,office,,tanphu,\n"
		       "Xã Tân Phú,Bộ phận một cửa,one-stop,Cổng,portal,,,,tanphu,https://x.vn/a?b=1\n"
		       "Xã Hoà Bình,Bộ phận một cửa,one-stop,PC 2,pc,10.0.1.1,office,,,\n");
	dump(&fx->el);
	assert_int_equal(errlist_count(&fx->el), 0);
	struct strbuf sb;
	assert_int_equal(strbuf_init(&sb, 0), 0);
	assert_int_equal(assignment_csv(&sb, fx->invp, "tanphu", "district"), 0);
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/assignment.csv", fx->dir);
	write_file(path, sb.data, 0644);
	strbuf_free(&sb);
	struct inventory *back = inventory_load(path, fx->cfg, &fx->el);
	dump(&fx->el);
	assert_non_null(back);
	assert_int_equal(errlist_count(&fx->el), 0);
	assert_int_equal(back->ndevices, 3);
	for (size_t i = 0; i < 3; i++) {
		const struct inv_device *a = &fx->invp->devices[i], *b = &back->devices[i];
		assert_string_equal(a->name, b->name);
		assert_string_equal(a->host, b->host);
		assert_int_equal(a->port, b->port);
		assert_int_equal(a->cls, b->cls);
		assert_int_equal(a->cls_auto, b->cls_auto);
		assert_string_equal(a->cred, b->cred);
		assert_string_equal(a->contact, b->contact);
		assert_string_equal(a->url, b->url);
		assert_string_equal(back->sites[b->site].name, "Bộ phận một cửa");
	}
	inventory_free(back);
	/* the default probe gets the row with no probe column */
	assert_int_equal(strbuf_init(&sb, 0), 0);
	assert_int_equal(assignment_csv(&sb, fx->invp, "district", "district"), 0);
	assert_non_null(strstr(sb.data, "\"PC 2\""));
	assert_null(strstr(sb.data, "Máy quét"));
	strbuf_free(&sb);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(config_values),
		T(config_missing_file),
		T(credentials_readable_by_others),
		T(credentials_missing),
		T(credentials_bad_values),
		T(credentials_v3),
		T(config_value_targets),
		T(config_unknown_option),
		T(config_out_of_range),
		T(config_more_bad_values),
		T(config_alert_values),
		T(config_alert_defaults_and_lists),
		T(config_smtp_secret),
	T(config_informs),
		T(config_site_type_hours),
		T(inventory_valid),
		T(inventory_index_finds_all),
		T(inventory_header_variants),
		T(inventory_crlf_line_numbers),
		T(inventory_missing_column),
		T(inventory_bad_address),
		T(inventory_bad_addresses),
		T(inventory_duplicate_device),
		T(inventory_duplicate_address),
		T(inventory_not_utf8),
		T(inventory_nul_and_bidi_in_names),
		T(inventory_unknown_class),
		T(inventory_unknown_site_type),
		T(inventory_site_type_conflict),
		T(inventory_unknown_credential),
		T(inventory_credential_without_address),
		T(inventory_bad_contact),
		T(inventory_url),
		T(inventory_too_few_fields),
		T(inventory_too_many_fields),
		T(inventory_empty_required_field),
		T(inventory_multiline_field_keeps_line_numbers),
		T(inventory_multiline_first_field_line_number),
		T(inventory_line_break_in_name),
		T(inventory_malformed_csv),
		T(inventory_empty_and_missing),
		T(assignment_round_trips),
	};
	return cmocka_run_group_tests_name("inventory", tests, NULL, NULL);
}
