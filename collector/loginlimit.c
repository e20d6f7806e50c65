#include "loginlimit.h"

#include <limits.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum kind { KIND_ADDR = 1, KIND_USER, KIND_PAIR };

/* Zero-filled, then hashed and compared as whole bytes: no padding (all chars), exact keys. */
struct key {
	unsigned char kind;
	char addr[LOGINLIMIT_ADDR_MAX]; /* "" in a user key */
	char user[LOGINLIMIT_USER_MAX]; /* "" in an address key */
};

struct entry {
	struct key k;
	unsigned failures;
	time_t last;                 /* the most recent failure */
	struct entry *hnext;         /* bucket chain; the free list while unused */
	struct entry *older, *newer; /* by last failure: the oldest is dropped when full */
};

struct loginlimit {
	struct entry *pool, *unused;
	struct entry **bucket; /* power of two at least max */
	size_t mask, n;
	struct entry *oldest, *newest;
	/* SipHash keyed at random: a client choosing names and addresses cannot aim at a bucket. */
	unsigned char hkey[crypto_shorthash_KEYBYTES];
};

struct loginlimit *loginlimit_new(size_t max_entries)
{
	if (max_entries < 3 || max_entries > SIZE_MAX / 4 / sizeof(struct entry) ||
	    sodium_init() < 0)
		return NULL;
	struct loginlimit *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	size_t nb = 16;
	while (nb < max_entries)
		nb *= 2;
	l->pool = calloc(max_entries, sizeof(*l->pool));
	l->bucket = calloc(nb, sizeof(*l->bucket));
	if (!l->pool || !l->bucket) {
		loginlimit_free(l);
		return NULL;
	}
	l->mask = nb - 1;
	for (size_t i = max_entries; i-- > 0;) {
		l->pool[i].hnext = l->unused;
		l->unused = &l->pool[i];
	}
	randombytes_buf(l->hkey, sizeof(l->hkey));
	return l;
}

void loginlimit_free(struct loginlimit *l)
{
	if (!l)
		return;
	free(l->pool);
	free(l->bucket);
	free(l);
}

static void copy_trunc(char *dst, size_t size, const char *src)
{
	size_t len = src ? strnlen(src, size - 1) : 0;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

static void make_key(struct key *k, enum kind kind, const char *addr, const char *user)
{
	memset(k, 0, sizeof(*k));
	k->kind = (unsigned char)kind;
	if (kind != KIND_USER)
		copy_trunc(k->addr, sizeof(k->addr), addr);
	if (kind != KIND_ADDR)
		copy_trunc(k->user, sizeof(k->user), user);
}

static size_t bucket_of(const struct loginlimit *l, const struct key *k)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v;
	crypto_shorthash(h, (const unsigned char *)k, sizeof(*k), l->hkey);
	memcpy(&v, h, sizeof(v));
	return (size_t)(v & l->mask);
}

static void list_unlink(struct loginlimit *l, struct entry *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		l->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		l->newest = e->older;
	e->older = e->newer = NULL;
}

static void list_push_newest(struct loginlimit *l, struct entry *e)
{
	e->older = l->newest;
	e->newer = NULL;
	if (l->newest)
		l->newest->newer = e;
	else
		l->oldest = e;
	l->newest = e;
}

static void drop(struct loginlimit *l, struct entry *e)
{
	struct entry **pp = &l->bucket[bucket_of(l, &e->k)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	list_unlink(l, e);
	memset(e, 0, sizeof(*e));
	e->hnext = l->unused;
	l->unused = e;
	l->n--;
}

/* A clock stepped back gives a negative age: remembered, not forgotten at random. */
static int forgotten(const struct entry *e, time_t now)
{
	return now - e->last >= LOGINLIMIT_FORGET_S;
}

/* The entry of k, or NULL; an entry found forgotten is dropped here. */
static struct entry *get(struct loginlimit *l, const struct key *k, time_t now)
{
	struct entry *e = l->bucket[bucket_of(l, k)];
	while (e && memcmp(&e->k, k, sizeof(*k)) != 0)
		e = e->hnext;
	if (e && forgotten(e, now)) {
		drop(l, e);
		return NULL;
	}
	return e;
}

/* A new entry for k (not in the table). Forgotten entries go first, as the list's oldest;
 * when none is, the entry failed least recently. */
static struct entry *add(struct loginlimit *l, const struct key *k, time_t now)
{
	while (l->oldest && forgotten(l->oldest, now))
		drop(l, l->oldest);
	if (!l->unused)
		drop(l, l->oldest);
	struct entry *e = l->unused;
	l->unused = e->hnext;
	e->k = *k;
	size_t b = bucket_of(l, k);
	e->hnext = l->bucket[b];
	l->bucket[b] = e;
	list_push_newest(l, e);
	l->n++;
	return e;
}

/* Seconds still to wait before the next attempt against e, 0 when none. */
static long wait_left(const struct entry *e, unsigned free_failures, time_t now)
{
	if (!e || e->failures < free_failures)
		return 0;
	long wait = LOGINLIMIT_FIRST_WAIT_S;
	for (unsigned i = free_failures; i < e->failures && wait < LOGINLIMIT_MAX_WAIT_S; i++)
		wait *= 2;
	if (wait > LOGINLIMIT_MAX_WAIT_S)
		wait = LOGINLIMIT_MAX_WAIT_S;
	time_t left = e->last + wait - now;
	if (left <= 0)
		return 0;
	return left > wait ? wait : (long)left; /* a clock stepped back: no more than one wait */
}

int loginlimit_check(struct loginlimit *l, const char *addr, const char *user, time_t now,
                     int *retry_after)
{
	struct key k;
	make_key(&k, KIND_ADDR, addr, user);
	long wait = wait_left(get(l, &k, now), LOGINLIMIT_FREE_ADDR, now);
	make_key(&k, KIND_USER, addr, user);
	long wait_user = wait_left(get(l, &k, now), LOGINLIMIT_FREE_USER, now);
	if (wait_user > wait)
		wait = wait_user;
	if (retry_after)
		*retry_after = (int)wait;
	return wait == 0;
}

void loginlimit_failed(struct loginlimit *l, const char *addr, const char *user, time_t now)
{
	/* At least three entries: the keys touched here are the newest, so adding one of them
	 * never drops another. */
	static const enum kind kinds[] = {KIND_PAIR, KIND_USER, KIND_ADDR};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct key k;
		make_key(&k, kinds[i], addr, user);
		struct entry *e = get(l, &k, now);
		if (!e)
			e = add(l, &k, now);
		if (e->failures < UINT_MAX)
			e->failures++;
		e->last = now;
		list_unlink(l, e);
		list_push_newest(l, e);
	}
}

static void take_back(struct loginlimit *l, const struct key *k, unsigned failures, time_t now)
{
	struct entry *e = get(l, k, now);
	if (!e)
		return;
	e->failures -= failures < e->failures ? failures : e->failures;
	if (e->failures == 0)
		drop(l, e);
}

void loginlimit_succeeded(struct loginlimit *l, const char *addr, const char *user, time_t now)
{
	struct key k;
	make_key(&k, KIND_PAIR, addr, user);
	struct entry *pair = get(l, &k, now);
	if (!pair)
		return; /* no failure remembered, or the pair was dropped: the counts stay (stricter) */
	unsigned failures = pair->failures;
	drop(l, pair);
	make_key(&k, KIND_ADDR, addr, user);
	take_back(l, &k, failures, now);
	make_key(&k, KIND_USER, addr, user);
	take_back(l, &k, failures, now);
}

size_t loginlimit_count(const struct loginlimit *l)
{
	return l->n;
}
