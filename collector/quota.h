/*
 * Quotas on what a probe can make the collector keep: RRD files per device (a device cannot
 * grow interfaces and groups without limit), profile rows kept per device, and new files a
 * probe may have created per minute (a flood of new names cannot fill the disk in seconds).
 * Above them a row is refused and counted, and its file is never created.
 */
#ifndef HBMON_QUOTA_H
#define HBMON_QUOTA_H

#include <stddef.h>
#include <stdint.h>

/* The files of one device, by the hash of their names (sorted: a lookup is a binary search). */
struct file_set {
	uint64_t *h;
	size_t n, cap;
};

int file_set_has(const struct file_set *s, uint64_t h);
/* 0, or -1 out of memory. */
int file_set_add(struct file_set *s, uint64_t h);
void file_set_free(struct file_set *s);

/* A token bucket: per_minute tokens a minute, at most per_minute held. */
struct rate_bucket {
	double tokens, last; /* last: monotonic seconds of the last refill, 0 new */
};

/* Takes a token at now (monotonic seconds): 1, or 0 when the bucket is empty. */
int rate_take(struct rate_bucket *b, double per_minute, double now);

/* FNV-1a of a file name: the key of a file_set. */
uint64_t quota_name_hash(const char *name);

#endif
