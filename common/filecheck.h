/*
 * Start-up checks of the files and folders the configuration names, so that a daemon that
 * cannot start says in one line which file or folder, what the system answered, and what to
 * do: an operator reads it in the journal, usually as the service's only line.
 */
#ifndef HBMON_FILECHECK_H
#define HBMON_FILECHECK_H

#include <stddef.h>
#include <sys/types.h>

/* What a file or folder is for, in the words of the errors about it. */
struct file_role {
	const char *what;      /* "the inventory" */
	const char *elsewhere; /* how to name another one: "set [general] inventory" */
	const char *create;    /* how to make one, or NULL: "'hbmon-collector init DIR' writes one" */
	int secret;            /* readable by its owner only: the fix is chown, not chmod g+r */
};

/* 0 if path is a file this process can open for reading; else -1 with err saying why (the
 * system's own words: "Permission denied") and the fix. */
int file_check_readable(const char *path, const struct file_role *r, char *err, size_t errsz);

/*
 * Makes dir (one level, with mode, as umask allows) unless it exists, and checks that this
 * process can create files in it. 0, or -1 with err naming the folder, the cause and the fix.
 */
int file_check_dir(const char *dir, mode_t mode, const struct file_role *r, char *err,
		   size_t errsz);

#endif
