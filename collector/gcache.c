#include "gcache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gcache {
	struct gcache_entry *e;
	size_t n, max, bytes, max_bytes;
	uint64_t clock;
	uint64_t drawn;  /* graphs stored since start */
	time_t born;     /* with drawn, makes ETags unique across restarts */
};

struct gcache *gcache_new(size_t max_entries, size_t max_bytes)
{
	struct gcache *gc = calloc(1, sizeof(*gc));
	if (!gc)
		return NULL;
	gc->e = calloc(max_entries ? max_entries : 1, sizeof(*gc->e));
	if (!gc->e) {
		free(gc);
		return NULL;
	}
	gc->max = max_entries ? max_entries : 1;
	gc->born = time(NULL);
	gc->max_bytes = max_bytes;
	return gc;
}

static void drop(struct gcache *gc, size_t i)
{
	gc->bytes -= gc->e[i].len;
	free(gc->e[i].key);
	free(gc->e[i].body);
	gc->e[i] = gc->e[--gc->n];
}

void gcache_free(struct gcache *gc)
{
	if (!gc)
		return;
	while (gc->n)
		drop(gc, 0);
	free(gc->e);
	free(gc);
}

static long find(const struct gcache *gc, const char *key)
{
	for (size_t i = 0; i < gc->n; i++)
		if (strcmp(gc->e[i].key, key) == 0)
			return (long)i;
	return -1;
}

const struct gcache_entry *gcache_get(struct gcache *gc, const char *key, uint64_t gen,
				      time_t now, int ttl)
{
	long i = find(gc, key);
	if (i < 0)
		return NULL;
	struct gcache_entry *e = &gc->e[i];
	if (e->gen != gen || now - e->made >= ttl || now < e->made) {
		drop(gc, (size_t)i);
		return NULL;
	}
	e->used = ++gc->clock;
	return e;
}

const struct gcache_entry *gcache_put(struct gcache *gc, const char *key, uint64_t gen,
				      time_t made, const unsigned char *body, size_t len)
{
	if (len > gc->max_bytes)
		return NULL;
	long old = find(gc, key);
	if (old >= 0)
		drop(gc, (size_t)old);
	while (gc->n && (gc->n >= gc->max || gc->bytes + len > gc->max_bytes)) {
		size_t lru = 0;
		for (size_t i = 1; i < gc->n; i++)
			if (gc->e[i].used < gc->e[lru].used)
				lru = i;
		drop(gc, lru);
	}
	struct gcache_entry *e = &gc->e[gc->n];
	memset(e, 0, sizeof(*e));
	e->key = strdup(key);
	e->body = malloc(len ? len : 1);
	if (!e->key || !e->body) {
		free(e->key);
		free(e->body);
		return NULL;
	}
	memcpy(e->body, body, len);
	e->len = len;
	e->gen = gen;
	e->made = made;
	e->used = ++gc->clock;
	/* one ETag per drawing: hashing an 80 kB SVG would cost more than serving it */
	snprintf(e->etag, sizeof(e->etag), "\"%llx-%llx\"", (unsigned long long)gc->born,
		 (unsigned long long)++gc->drawn);
	gc->bytes += len;
	gc->n++;
	return e;
}
