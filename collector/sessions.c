#include "sessions.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LEN crypto_generichash_BYTES /* 32: a digest as hard to guess as the token */
#define RAW_LEN (SESSION_TOKEN_LEN / 2)

struct entry {
	struct session se;
	unsigned char key[KEY_LEN];  /* keyed BLAKE2b of the token; the token itself is not kept */
	struct entry *hnext;         /* bucket chain */
	struct entry *older, *newer; /* by last use: the oldest is evicted when the table is full */
	size_t slot;
};

struct sessions {
	struct entry **bucket; /* power of two at least max: chains average under one entry */
	size_t mask;
	/* Every session by a fixed slot: sessions_each walks slots by index, so fn may end any
	 * session without leaving the walk on freed memory. */
	struct entry **slot;
	size_t *free_slot, n_free;
	size_t max, n;
	struct entry *oldest, *newest;
	int idle_s, absolute_s;
	unsigned char hkey[crypto_generichash_KEYBYTES];
};

struct sessions *sessions_new(size_t max, int idle_s, int absolute_s)
{
	if (max == 0 || max > SIZE_MAX / 4 || idle_s <= 0 || absolute_s <= 0 || sodium_init() < 0)
		return NULL;
	struct sessions *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	size_t nb = 16;
	while (nb < max)
		nb *= 2;
	s->bucket = calloc(nb, sizeof(*s->bucket));
	s->slot = calloc(max, sizeof(*s->slot));
	s->free_slot = calloc(max, sizeof(*s->free_slot));
	if (!s->bucket || !s->slot || !s->free_slot) {
		sessions_free(s);
		return NULL;
	}
	s->mask = nb - 1;
	s->max = max;
	for (size_t i = 0; i < max; i++)
		s->free_slot[s->n_free++] = max - 1 - i; /* slot 0 is taken first */
	s->idle_s = idle_s;
	s->absolute_s = absolute_s;
	randombytes_buf(s->hkey, sizeof(s->hkey));
	return s;
}

/* Exactly 64 lowercase hex digits: anything else is refused before it is hashed. */
static int token_ok(const char *t)
{
	if (!t)
		return 0;
	for (size_t i = 0; i < SESSION_TOKEN_LEN; i++) {
		char c = t[i]; /* a NUL stops here too: never read past a short string */
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return t[SESSION_TOKEN_LEN] == '\0';
}

static void token_key(const struct sessions *s, const char *token, unsigned char key[KEY_LEN])
{
	crypto_generichash(key, KEY_LEN, (const unsigned char *)token, SESSION_TOKEN_LEN, s->hkey,
	                   sizeof(s->hkey));
}

static size_t bucket_of(const struct sessions *s, const unsigned char key[KEY_LEN])
{
	uint64_t h;
	memcpy(&h, key, sizeof(h)); /* the digest is already uniform and secret-keyed */
	return (size_t)(h & s->mask);
}

static struct entry *lookup(const struct sessions *s, const char *token)
{
	unsigned char key[KEY_LEN];
	token_key(s, token, key);
	struct entry *e = s->bucket[bucket_of(s, key)];
	while (e && sodium_memcmp(e->key, key, KEY_LEN) != 0)
		e = e->hnext;
	sodium_memzero(key, sizeof(key));
	return e;
}

static void list_unlink(struct sessions *s, struct entry *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		s->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		s->newest = e->older;
	e->older = e->newer = NULL;
}

static void list_push_newest(struct sessions *s, struct entry *e)
{
	e->older = s->newest;
	e->newer = NULL;
	if (s->newest)
		s->newest->newer = e;
	else
		s->oldest = e;
	s->newest = e;
}

static void end_entry(struct sessions *s, struct entry *e)
{
	struct entry **pp = &s->bucket[bucket_of(s, e->key)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	list_unlink(s, e);
	s->slot[e->slot] = NULL;
	s->free_slot[s->n_free++] = e->slot;
	s->n--;
	free(e->se.communes);
	sodium_memzero(e, sizeof(*e)); /* the CSRF token and the digest */
	free(e);
}

void sessions_free(struct sessions *s)
{
	if (!s)
		return;
	if (s->slot)
		for (size_t i = 0; i < s->max; i++)
			if (s->slot[i])
				end_entry(s, s->slot[i]);
	free(s->bucket);
	free(s->slot);
	free(s->free_slot);
	sodium_memzero(s->hkey, sizeof(s->hkey));
	free(s);
}

/* Bounded copy for display fields: truncated, always terminated. */
static void copy_trunc(char *dst, size_t size, const char *src)
{
	size_t len = src ? strnlen(src, size - 1) : 0;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

static void new_token(char out[SESSION_TOKEN_LEN + 1])
{
	unsigned char raw[RAW_LEN];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, SESSION_TOKEN_LEN + 1, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

struct session *sessions_create(struct sessions *s, const char *user, int role,
                                const char *communes, time_t user_changed, const char *addr,
                                time_t now, char token[SESSION_TOKEN_LEN + 1])
{
	if (!user || strnlen(user, SESSION_USER_MAX) >= SESSION_USER_MAX)
		return NULL;
	struct entry *e = calloc(1, sizeof(*e));
	char *copy = strdup(communes ? communes : "");
	if (!e || !copy) {
		free(e);
		free(copy);
		return NULL;
	}
	if (s->n == s->max)
		end_entry(s, s->oldest);
	memcpy(e->se.user, user, strlen(user) + 1);
	e->se.role = role;
	e->se.communes = copy;
	new_token(e->se.csrf);
	copy_trunc(e->se.addr, sizeof(e->se.addr), addr);
	e->se.created = e->se.seen = e->se.checked = now;
	e->se.user_changed = user_changed;
	/* A repeated 256-bit token is not a case worth code: the odds are 2^-256 per pair. */
	new_token(token);
	token_key(s, token, e->key);
	size_t b = bucket_of(s, e->key);
	e->hnext = s->bucket[b];
	s->bucket[b] = e;
	e->slot = s->free_slot[--s->n_free];
	s->slot[e->slot] = e;
	list_push_newest(s, e);
	s->n++;
	return &e->se;
}

/* Ages are differences: a clock stepped back gives negative ones, which expire nothing. */
static int expired(const struct sessions *s, const struct session *se, time_t now)
{
	return now - se->seen > s->idle_s || now - se->created > s->absolute_s;
}

struct session *sessions_find(struct sessions *s, const char *token, time_t now)
{
	if (!token_ok(token))
		return NULL;
	struct entry *e = lookup(s, token);
	if (!e)
		return NULL;
	if (expired(s, &e->se, now)) {
		end_entry(s, e);
		return NULL;
	}
	e->se.seen = now;
	list_unlink(s, e);
	list_push_newest(s, e);
	return &e->se;
}

int sessions_csrf_ok(const struct session *se, const char *token)
{
	if (!se || !token || strnlen(token, SESSION_TOKEN_LEN + 1) != SESSION_TOKEN_LEN)
		return 0;
	return sodium_memcmp(se->csrf, token, SESSION_TOKEN_LEN) == 0;
}

void sessions_end(struct sessions *s, const char *token)
{
	if (!token_ok(token))
		return;
	struct entry *e = lookup(s, token);
	if (e)
		end_entry(s, e);
}

size_t sessions_end_user(struct sessions *s, const char *user)
{
	size_t ended = 0;
	if (!user)
		return 0;
	for (size_t i = 0; i < s->max; i++) {
		struct entry *e = s->slot[i];
		if (e && strcmp(e->se.user, user) == 0) {
			end_entry(s, e);
			ended++;
		}
	}
	return ended;
}

size_t sessions_count(const struct sessions *s)
{
	return s->n;
}

void sessions_each(struct sessions *s, void (*fn)(void *ctx, struct session *se), void *ctx)
{
	for (size_t i = 0; i < s->max; i++)
		if (s->slot[i])
			fn(ctx, &s->slot[i]->se);
}

void sessions_expire(struct sessions *s, time_t now)
{
	for (size_t i = 0; i < s->max; i++)
		if (s->slot[i] && expired(s, &s->slot[i]->se, now))
			end_entry(s, s->slot[i]);
}
