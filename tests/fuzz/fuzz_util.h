/*
 * Shared by the fuzz targets: a private temporary folder made once per process (under $TMPDIR,
 * removed at exit; `make fuzz` also removes its parent after each run, as a crash exits without
 * running atexit), files written into it, and an input cut into parts.
 */
#ifndef HBMON_FUZZ_UTIL_H
#define HBMON_FUZZ_UTIL_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* The sanitizers' report channel: libFuzzer keeps it open when -close_fd_mask=2 sends the
 * target's own stderr (the daemons' logs) to /dev/null. */
void __sanitizer_report_error_summary(const char *error_summary);

/* A check of an invariant: a failure is a finding, reported by libFuzzer as a crash. */
#define FUZZ_CHECK(cond, ...)                                                                 \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			char fuzz_msg_[512];                                                  \
			int fuzz_n_ = snprintf(fuzz_msg_, sizeof(fuzz_msg_),                  \
					       "fuzz invariant failed (%s:%d): ", __FILE__,   \
					       __LINE__);                                     \
			if (fuzz_n_ > 0 && (size_t)fuzz_n_ < sizeof(fuzz_msg_))               \
				snprintf(fuzz_msg_ + fuzz_n_, sizeof(fuzz_msg_) - (size_t)fuzz_n_, \
					 __VA_ARGS__);                                        \
			__sanitizer_report_error_summary(fuzz_msg_);                          \
			abort();                                                              \
		}                                                                             \
	} while (0)

static char fuzz_dir_path[512];

static inline int fuzz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static inline void fuzz_dir_remove(void)
{
	if (fuzz_dir_path[0])
		nftw(fuzz_dir_path, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The process's own folder; also sets the time zone the daemons run in (the unit tests' one)
 * and logs everything (each message is formatted, so its arguments are checked too; `make
 * fuzz` discards the target's stderr with -close_fd_mask=2). */
static inline const char *fuzz_dir(void)
{
	if (fuzz_dir_path[0])
		return fuzz_dir_path;
	const char *base = getenv("TMPDIR");
	snprintf(fuzz_dir_path, sizeof(fuzz_dir_path), "%s/hbmon-fuzz-XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(fuzz_dir_path)) {
		perror(fuzz_dir_path);
		abort();
	}
	atexit(fuzz_dir_remove);
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	tzset();
	log_init("hbmon-fuzz", 0, LOG_LVL_DEBUG);
	return fuzz_dir_path;
}

/* Writes (data, n) to name inside the folder, mode 0600; path gets the full name. */
static inline void fuzz_write(char *path, size_t pathsz, const char *name, const void *data,
			      size_t n)
{
	snprintf(path, pathsz, "%s/%s", fuzz_dir(), name);
	FILE *f = fopen(path, "wb");
	if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
		perror(path);
		abort();
	}
	chmod(path, 0600);
}

/*
 * Cuts (data, n) at each separator line "\n%%\n" into at most max parts: part[i] and len[i].
 * Returns how many parts there are (1 when there is no separator; the last part takes the
 * rest, separators included).
 */
#define FUZZ_SEP "\n%%\n"
static inline size_t fuzz_split(const uint8_t *data, size_t n, const uint8_t **part, size_t *len,
			 size_t max)
{
	size_t np = 0, at = 0;
	while (np + 1 < max) {
		const uint8_t *s = memmem(data + at, n - at, FUZZ_SEP, 4);
		if (!s)
			break;
		part[np] = data + at;
		len[np++] = (size_t)(s - (data + at)) + 1; /* keep the line's newline */
		at = (size_t)(s - data) + 4;
	}
	part[np] = data + at;
	len[np++] = n - at;
	return np;
}

/* Inputs that name special files (a terminal, a FIFO, /proc) as a path are skipped: reading
 * them could block or depend on the machine. Regular files anywhere are fine to read. */
static inline int fuzz_names_special_file(const uint8_t *data, size_t n)
{
	static const char *const bad[] = {"dev/", "proc/", "sys/", "run/"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (memmem(data, n, bad[i], strlen(bad[i])))
			return 1;
	return 0;
}

#endif
