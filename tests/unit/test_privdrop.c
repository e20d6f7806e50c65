/* Dropping root: run in a child process (the drop is for good), as root only. The child
 * reports what /proc/self/status and the kernel say about it through its exit code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

#define NOBODY "nobody"

static int root_and_nobody(void)
{
	return geteuid() == 0 && getpwnam(NOBODY);
}

/* The hex mask of one "CapXxx:" line of /proc/self/status, or ~0 if missing. */
static unsigned long long status_caps(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long v = ~0ULL;
	size_t kl = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':')
			v = strtoull(line + kl + 1, NULL, 16);
	if (f)
		fclose(f);
	return v;
}

/* Exit codes of the child: 0 all as expected, else the number of the first check failed. */
static int child_checks(const struct privdrop *p, unsigned long long want_caps)
{
	char err[256];
	const struct passwd *pw = getpwnam(NOBODY);
	uid_t uid = pw->pw_uid;
	if (privdrop(p, err, sizeof(err)) != 1)
		return 1;
	if (getuid() != uid || geteuid() != uid || getgid() != pw->pw_gid)
		return 2;
	if (status_caps("CapEff") != want_caps || status_caps("CapPrm") != want_caps)
		return 3;
	if (status_caps("CapAmb") != (p->ambient ? want_caps : 0))
		return 4;
	if (status_caps("CapBnd") != want_caps)
		return 5;
	if (setuid(0) == 0 || seteuid(0) == 0)
		return 6;
	if (p->ambient) { /* what a re-executed probe has: the kept capability, effective */
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "grep -q '^CapEff:[[:space:]]*0*%llx$' /proc/self/status",
			 want_caps);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		return 7;
	}
	return 0;
}

static int in_child(const struct privdrop *p, unsigned long long want_caps)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_checks(p, want_caps));
	int st = -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

static void no_capability_left(void **state)
{
	(void)state;
	if (!root_and_nobody())
		skip();
	struct privdrop p = {NOBODY, NULL, 0, 0};
	assert_int_equal(in_child(&p, 0), 0);
}

static void keeps_net_raw_across_exec(void **state)
{
	(void)state;
	if (!root_and_nobody())
		skip();
	static const cap_value_t raw[] = {CAP_NET_RAW};
	struct privdrop p = {NOBODY, raw, 1, 1};
	assert_int_equal(in_child(&p, 1ULL << CAP_NET_RAW), 0);
}

static void nothing_to_do(void **state)
{
	(void)state;
	char err[256] = "";
	uid_t before = geteuid();
	struct privdrop p = {"", NULL, 0, 0};
	assert_int_equal(privdrop(&p, err, sizeof(err)), 0); /* no user named: run as started */
	assert_int_equal(geteuid(), before);
}

static void unknown_or_root_user_refused(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char err[256];
	struct privdrop p = {"hbmon-no-such-user", NULL, 0, 0};
	assert_int_equal(privdrop(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no user named 'hbmon-no-such-user'"));
	assert_non_null(strstr(err, "useradd"));
	p.user = "root";
	assert_int_equal(privdrop(&p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is root"));
	assert_int_equal(geteuid(), 0); /* refused before anything changed */
}

int main(void)
{
	log_init("test_privdrop", 0, LOG_LVL_ERR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_capability_left),
		cmocka_unit_test(keeps_net_raw_across_exec),
		cmocka_unit_test(nothing_to_do),
		cmocka_unit_test(unknown_or_root_user_refused),
	};
	return cmocka_run_group_tests_name("privdrop", tests, NULL, NULL);
}
