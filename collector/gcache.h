/*
 * Rendered graphs kept in memory: a graph is drawn again only when its device has new data
 * stored or a step has passed (its time axis moved). Bounded in entries and bytes; the
 * least recently used goes first. Event loop only.
 */
#ifndef HBMON_GCACHE_H
#define HBMON_GCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct gcache_entry {
	char *key;
	unsigned char *body;
	size_t len;
	char etag[40]; /* quoted, as the header carries it; one per drawing */
	uint64_t gen;  /* the device's storage generation when drawn */
	time_t made;
	uint64_t used;
};

struct gcache;

struct gcache *gcache_new(size_t max_entries, size_t max_bytes);
void gcache_free(struct gcache *gc);
/* The entry for key if drawn at generation gen less than ttl seconds before now. */
const struct gcache_entry *gcache_get(struct gcache *gc, const char *key, uint64_t gen,
				      time_t now, int ttl);
/* Stores a copy of body; returns the entry (for its ETag) or NULL when it cannot. */
const struct gcache_entry *gcache_put(struct gcache *gc, const char *key, uint64_t gen,
				      time_t made, const unsigned char *body, size_t len);

#endif
