#include "quota.h"

#include <stdlib.h>
#include <string.h>

static size_t lower_bound(const struct file_set *s, uint64_t h)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->h[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int file_set_has(const struct file_set *s, uint64_t h)
{
	size_t i = lower_bound(s, h);
	return i < s->n && s->h[i] == h;
}

int file_set_add(struct file_set *s, uint64_t h)
{
	size_t i = lower_bound(s, h);
	if (i < s->n && s->h[i] == h)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		uint64_t *p = realloc(s->h, cap * sizeof(*p));
		if (!p)
			return -1;
		s->h = p;
		s->cap = cap;
	}
	memmove(s->h + i + 1, s->h + i, (s->n - i) * sizeof(*s->h));
	s->h[i] = h;
	s->n++;
	return 0;
}

void file_set_free(struct file_set *s)
{
	free(s->h);
	memset(s, 0, sizeof(*s));
}

int rate_take(struct rate_bucket *b, double per_minute, double now)
{
	if (b->last == 0) {
		b->tokens = per_minute; /* a start is a burst: a district's first files at once */
	} else if (now > b->last) {
		b->tokens += (now - b->last) * per_minute / 60.0;
		if (b->tokens > per_minute)
			b->tokens = per_minute;
	}
	b->last = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}

uint64_t quota_name_hash(const char *name)
{
	uint64_t h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}
