#include "secretfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int secret_file_read(const char *path, char *out, size_t outsz, char *err, size_t errsz)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO))) {
		snprintf(err, errsz, "%s: holds a secret but %s (chmod 600)", path,
			 S_ISREG(st.st_mode) ? "other users can read it" : "is not a regular file");
		close(fd);
		return -1;
	}
	ssize_t n = read(fd, out, outsz - 1);
	close(fd);
	if (n < 0) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
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
