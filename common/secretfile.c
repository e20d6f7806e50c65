#include "secretfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Why the file could not be opened, and the fix: the owner's alone, a file and not a link. */
static int open_failed(const char *path, int e, char *err, size_t errsz)
{
	if (e == EACCES || e == EPERM)
		snprintf(err, errsz, "%s: cannot open the secret: %s: make the user %s runs as its "
			 "owner (as a service: chown hbmon %s; chmod 600 %s)", path, strerror(e),
			 program_invocation_short_name, path, path);
	else if (e == ELOOP) /* O_NOFOLLOW: a link could be turned to another user's file */
		snprintf(err, errsz, "%s: is a symbolic link: name the file itself (chmod 600)", path);
	else
		snprintf(err, errsz, "%s: cannot open the secret: %s", path, strerror(e));
	return -1;
}

int secret_file_read(const char *path, char *out, size_t outsz, char *err, size_t errsz)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return open_failed(path, e, err, errsz);
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO))) {
		if (S_ISREG(st.st_mode))
			snprintf(err, errsz, "%s: holds a secret but other users can read it (chmod 600)",
				 path);
		else
			snprintf(err, errsz, "%s: holds a secret but is not a regular file: put the "
				 "secret alone in a file there, mode 600", path);
		close(fd);
		return -1;
	}
	ssize_t n = read(fd, out, outsz - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errsz, "%s: cannot read the secret: %s", path, strerror(errno));
		return -1;
	}
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (!out[0] || (size_t)n == outsz - 1) {
		snprintf(err, errsz, "%s: expected the secret alone on its first line%s", path,
			 out[0] ? " (this line is too long)" : " (the file is empty)");
		memset(out, 0, outsz);
		return -1;
	}
	return 0;
}
