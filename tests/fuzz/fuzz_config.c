/*
 * The configuration (config_load): the input is hbmon.conf, then after a line "%%" the
 * credentials file (credentials.conf, the default name), then after another the holidays file
 * (holidays.txt, read when [working-hours] holidays names it). A configuration loaded without
 * errors must then be usable the way the daemons use it: its working hours, each site type's
 * own, its recipients and its credentials parse again (alerts_new, the mailer and the poller
 * would otherwise refuse or misread what --check-config accepted).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "errlist.h"
#include "fuzz_util.h"
#include "hours.h"

static void count_email(void *ctx, const char *addr, const char *lang)
{
	(void)addr;
	FUZZ_CHECK(strcmp(lang, "vi") == 0 || strcmp(lang, "en") == 0, "language %s", lang);
	++*(int *)ctx;
}

static void check_usable(const struct hbmon_config *cfg)
{
	char err[200];
	struct hours base = {0}, own;
	struct errlist errs = {0};
	int n = 0;
	FUZZ_CHECK(hours_parse_days(cfg->work_days, &base.days, err, sizeof(err)) == 0,
		   "days \"%s\": %s", cfg->work_days, err);
	FUZZ_CHECK(hours_parse_spans(cfg->work_hours, &base, err, sizeof(err)) == 0,
		   "hours \"%s\": %s", cfg->work_hours, err);
	if (cfg->holidays[0])
		hours_load_holidays(&base, cfg->holidays, &errs);
	for (size_t i = 0; i < cfg->nsite_types; i++) {
		const struct site_type *st = &cfg->site_types[i];
		FUZZ_CHECK(hours_override(&own, &base, st->work_days, st->work_hours, err,
					  sizeof(err)) == 0,
			   "site type %s: %s", st->name, err);
		/* a week of the site type's calendar, every three hours */
		for (time_t t = 1764547200; t < 1764547200 + 7 * 86400; t += 3 * 3600)
			if (hours_working(&own, t))
				FUZZ_CHECK(hours_span_start(&own, t) <= t, "span start");
	}
	FUZZ_CHECK(config_emails(cfg->recipients, count_email, &n) == 0, "recipients");
	for (size_t i = 0; i < cfg->ncreds; i++) {
		const char *why;
		FUZZ_CHECK(config_cred_check(&cfg->creds[i], &why) == 0, "credential %s",
			   cfg->creds[i].name);
		FUZZ_CHECK(config_cred(cfg, cfg->creds[i].name) != NULL, "credential lookup");
	}
	for (size_t i = 0; i < cfg->nsite_types; i++)
		FUZZ_CHECK(config_site_type(cfg, cfg->site_types[i].name) != NULL, "site type lookup");
	config_host_is_loopback(cfg->listen_addr);
	hours_free(&base);
	errlist_free(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"hbmon.conf", "credentials.conf", "holidays.txt"};
	const uint8_t *part[3];
	size_t len[3];
	char path[3][600];
	struct errlist errs = {0};

	if (fuzz_names_special_file(data, size))
		return 0;
	size_t np = fuzz_split(data, size, part, len, 3);
	for (size_t i = 0; i < 3; i++) {
		if (i < np) {
			fuzz_write(path[i], sizeof(path[i]), names[i], part[i], len[i]);
		} else {
			/* not in this input: not left over from the one before */
			snprintf(path[i], sizeof(path[i]), "%s/%s", fuzz_dir(), names[i]);
			unlink(path[i]);
		}
	}
	struct hbmon_config *cfg = config_load(path[0], &errs);
	if (cfg && errlist_count(&errs) == 0)
		check_usable(cfg);
	if (cfg) {
		config_keep_secrets(cfg, 0);
		for (size_t i = 0; i < cfg->ncreds; i++)
			FUZZ_CHECK(!cfg->creds[i].community[0] && !cfg->creds[i].auth_pass[0],
				   "a secret kept");
	}
	config_free(cfg);
	errlist_free(&errs);
	return 0;
}
