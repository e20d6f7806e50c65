#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int fail(char *err, size_t errsz, const char *user, const char *what)
{
	snprintf(err, errsz, "cannot become user %s: %s: %s", user, what, strerror(errno));
	return -1;
}

static int kept(const struct privdrop *p, cap_value_t c)
{
	for (size_t i = 0; i < p->nkeep; i++)
		if (p->keep[i] == c)
			return 1;
	return 0;
}

/* While still root: no capability outside the kept ones can come back, even through exec. */
static int drop_bounding(const struct privdrop *p, char *err, size_t errsz)
{
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (!kept(p, c) && cap_drop_bound(c) < 0 && errno != EINVAL)
			return fail(err, errsz, p->user, "capability bounding set");
	return 0;
}

/* After setuid() with PR_SET_KEEPCAPS: exactly the kept capabilities, effective now. */
static int set_caps(const struct privdrop *p, char *err, size_t errsz)
{
	cap_t caps = cap_init();
	if (!caps)
		return fail(err, errsz, p->user, "capabilities");
	int rc = 0;
	if (p->nkeep && (cap_set_flag(caps, CAP_PERMITTED, (int)p->nkeep, p->keep, CAP_SET) < 0 ||
			 cap_set_flag(caps, CAP_EFFECTIVE, (int)p->nkeep, p->keep, CAP_SET) < 0 ||
			 cap_set_flag(caps, CAP_INHERITABLE, (int)p->nkeep, p->keep, CAP_SET) < 0))
		rc = -1;
	if (rc == 0 && cap_set_proc(caps) < 0)
		rc = -1;
	cap_free(caps);
	if (rc < 0)
		return fail(err, errsz, p->user, "capabilities");
	for (size_t i = 0; p->ambient && i < p->nkeep; i++)
		if (cap_set_ambient(p->keep[i], CAP_SET) < 0)
			return fail(err, errsz, p->user, "ambient capabilities");
	return 0;
}

static int become(const struct privdrop *p, const struct passwd *pw, char *err, size_t errsz)
{
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0)
		return fail(err, errsz, p->user, "keep capabilities");
	/* its own groups too: a group may be how it reads its certificate key (ssl-cert) */
	if (initgroups(pw->pw_name, pw->pw_gid) < 0)
		return fail(err, errsz, p->user, "groups");
	if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0)
		return fail(err, errsz, p->user, "group id");
	if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return fail(err, errsz, p->user, "user id");
	if (set_caps(p, err, errsz) < 0)
		return -1;
	prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
		return fail(err, errsz, p->user, "no new privileges");
	if (setuid(0) == 0 || seteuid(0) == 0) { /* the drop must be for good */
		errno = EPERM;
		return fail(err, errsz, p->user, "root could be regained");
	}
	return 0;
}

int privdrop(const struct privdrop *p, char *err, size_t errsz)
{
	if (geteuid() != 0 || !p->user || !p->user[0])
		return 0;
	errno = 0;
	struct passwd *pw = getpwnam(p->user);
	if (!pw) {
		snprintf(err, errsz, "[general] user: no user named '%s' on this system: create it "
			 "(useradd --system --home-dir /var/lib/hbmon %s) or name another", p->user,
			 p->user);
		return -1;
	}
	if (pw->pw_uid == 0) {
		snprintf(err, errsz, "[general] user: '%s' is root: name an unprivileged user "
			 "(hbmon), or leave it empty to run as started", p->user);
		return -1;
	}
	if (drop_bounding(p, err, errsz) < 0 || become(p, pw, err, errsz) < 0)
		return -1;
	return 1;
}
