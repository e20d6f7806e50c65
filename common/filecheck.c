#include "filecheck.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Errors name the program as the operator typed or installed it: hbmon-collector, hbmon-probe. */
static const char *prog(void) { return program_invocation_short_name; }

/* A file refused by its own mode bits, or by a folder on its path: the fixes differ. */
static int denied(const char *path, const struct file_role *r, int e, char *err, size_t errsz)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return snprintf(err, errsz, "%s: cannot open %s: %s (by a folder on its path): let "
				"the user %s runs as enter each folder of the path (chmod o+x, or g+x "
				"with group hbmon)", path, r->what, strerror(e), prog()), -1;
	/* both daemons run as user hbmon under systemd; a secret stays its owner's alone */
	if (r->secret)
		return snprintf(err, errsz, "%s: cannot open %s: %s: make the user %s runs as its "
				"owner (as a service: chown hbmon %s; chmod 600 %s)", path, r->what,
				strerror(e), prog(), path, path), -1;
	return snprintf(err, errsz, "%s: cannot open %s: %s: let the user %s runs as read it (as "
			"a service: chgrp hbmon %s; chmod g+r %s)", path, r->what, strerror(e),
			prog(), path, path), -1;
}

static int open_failed(const char *path, const struct file_role *r, int e, char *err,
		       size_t errsz)
{
	if (e == EACCES || e == EPERM)
		return denied(path, r, e, err, errsz);
	if (e == ENOENT)
		return snprintf(err, errsz, "%s: cannot open %s: %s: create it%s%s%s or %s", path,
				r->what, strerror(e), r->create ? " (" : "",
				r->create ? r->create : "", r->create ? ")" : "", r->elsewhere), -1;
	return snprintf(err, errsz, "%s: cannot open %s: %s: check the file or %s", path, r->what,
			strerror(e), r->elsewhere), -1;
}

int file_check_readable(const char *path, const struct file_role *r, char *err, size_t errsz)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO named by mistake must not hang the start */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return open_failed(path, r, errno, err, errsz);
	int rc = fstat(fd, &st);
	close(fd);
	/* a folder opens for reading, and then reads as an empty file: say so instead */
	if (rc == 0 && S_ISDIR(st.st_mode))
		return snprintf(err, errsz, "%s: is a folder, not %s: %s", path, r->what,
				r->elsewhere), -1;
	return 0;
}

static int mkdir_failed(const char *dir, const struct file_role *r, int e, char *err,
			size_t errsz)
{
	if (e == ENOENT)
		return snprintf(err, errsz, "%s: cannot create %s: its parent folder does not exist: "
				"create it (mkdir -p %s, owned by the user %s runs as) or %s", dir,
				r->what, dir, prog(), r->elsewhere), -1;
	if (e == EACCES || e == EPERM || e == EROFS)
		return snprintf(err, errsz, "%s: cannot create %s: %s: create it for the user %s "
				"runs as (as a service: mkdir %s; chown hbmon %s) or %s", dir, r->what,
				strerror(e), prog(), dir, dir, r->elsewhere), -1;
	return snprintf(err, errsz, "%s: cannot create %s: %s: check the path or %s", dir,
			r->what, strerror(e), r->elsewhere), -1;
}

int file_check_dir(const char *dir, mode_t mode, const struct file_role *r, char *err,
		   size_t errsz)
{
	struct stat st;
	if (mkdir(dir, mode) < 0 && errno != EEXIST)
		return mkdir_failed(dir, r, errno, err, errsz);
	if (stat(dir, &st) < 0)
		return snprintf(err, errsz, "%s: cannot use %s: %s: check the path or %s", dir,
				r->what, strerror(errno), r->elsewhere), -1;
	if (!S_ISDIR(st.st_mode))
		return snprintf(err, errsz, "%s: is a file, not %s (a folder): move it aside or %s",
				dir, r->what, r->elsewhere), -1;
	/* the real user is the effective one for these daemons: access() answers for them */
	if (access(dir, W_OK | X_OK) < 0)
		return snprintf(err, errsz, "%s: cannot write in %s: %s: make the user %s runs as "
				"its owner (as a service: chown -R hbmon %s)", dir, r->what,
				strerror(errno), prog(), dir), -1;
	return 0;
}
