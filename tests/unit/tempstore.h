/* A store (hbmon.db) in a temporary folder for the unit tests of the store modules, and its
 * removal: the SQLite file and its WAL companions, then the folder; no shell. */
#ifndef HBMON_TEST_TEMPSTORE_H
#define HBMON_TEST_TEMPSTORE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store.h"

/* The store of folder dir (made before), opened; the test fails when it cannot be. */
static inline struct store *tempstore_reopen(const char *dir)
{
	char path[300], err[200];
	snprintf(path, sizeof(path), "%s/hbmon.db", dir);
	struct store *st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	return st;
}

/* A new folder /tmp/hbmon-NAME-XXXXXX into dir (n bytes) and the store in it. */
static inline struct store *tempstore_open(char *dir, size_t n, const char *name)
{
	snprintf(dir, n, "/tmp/hbmon-%s-XXXXXX", name);
	assert_non_null(mkdtemp(dir));
	return tempstore_reopen(dir);
}

/* The folder and what a store leaves in it (the store closed first). */
static inline void tempstore_remove(const char *dir)
{
	static const char *const names[] = {"hbmon.db", "hbmon.db-wal", "hbmon.db-shm"};
	char path[300];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

#endif
