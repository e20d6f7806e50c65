/* Read-only API tokens: issued once, kept as a digest, checked, listed, deleted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "tokens.h"

struct fx {
	char dir[64], db[96];
	struct store *st;
	struct tokens *t;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[200];
	snprintf(f->dir, sizeof(f->dir), "/tmp/hbmon-tokens-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/hbmon.db", f->dir);
	f->st = store_open(f->db, err, sizeof(err));
	assert_non_null(f->st);
	f->t = tokens_open(f->st, err, sizeof(err));
	assert_non_null(f->t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[128];
	tokens_close(f->t);
	store_close(f->st);
	static const char *const files[] = {"hbmon.db", "hbmon.db-wal", "hbmon.db-shm"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static void issued_token_is_checked_and_never_stored(void **state)
{
	struct fx *f = *state;
	char tok[TOKEN_TEXT_LEN + 1], other[TOKEN_TEXT_LEN + 1], err[200];
	struct token_rec r;
	assert_int_equal(tokens_add(f->t, "tinh", NULL, 1000, tok, err, sizeof(err)), 0);
	assert_int_equal(strlen(tok), TOKEN_TEXT_LEN);
	assert_true(tokens_well_formed(tok));
	assert_int_equal(strncmp(tok, "hbt_", 4), 0);
	assert_int_equal(tokens_check(f->t, tok, &r), 1);
	assert_string_equal(r.name, "tinh");
	assert_string_equal(r.communes, "");
	/* a second token is another one */
	assert_int_equal(tokens_add(f->t, "xa", "Xã A\nXã B", 1000, other, err, sizeof(err)), 0);
	assert_string_not_equal(tok, other);
	assert_int_equal(tokens_check(f->t, other, &r), 1);
	assert_string_equal(r.name, "xa");
	assert_string_equal(r.communes, "Xã A\nXã B");
	/* the table holds digests, not the tokens */
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), "SELECT digest FROM tokens", -1, &q,
					    NULL), SQLITE_OK);
	int rows = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(q, 0);
		assert_null(strstr(d, tok + 4));
		assert_null(strstr(d, other + 4));
		rows++;
	}
	sqlite3_finalize(q);
	assert_int_equal(rows, 2);
}

static void wrong_or_malformed_tokens_are_nobody(void **state)
{
	struct fx *f = *state;
	char tok[TOKEN_TEXT_LEN + 1], err[200];
	struct token_rec r;
	assert_int_equal(tokens_add(f->t, "tinh", NULL, 1000, tok, err, sizeof(err)), 0);
	char flipped[TOKEN_TEXT_LEN + 1];
	memcpy(flipped, tok, sizeof(flipped));
	flipped[10] = flipped[10] == 'a' ? 'b' : 'a';
	assert_int_equal(tokens_check(f->t, flipped, &r), 0);
	char upper[TOKEN_TEXT_LEN + 1];
	memcpy(upper, tok, sizeof(upper));
	for (char *p = upper + 4; *p; p++)
		*p = (*p >= 'a' && *p <= 'f') ? (char)(*p - 32) : *p;
	const char *bad[] = {NULL, "", "hbt_", "Bearer x", upper, "hbt_zz"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(tokens_check(f->t, bad[i], &r), 0);
	char longer[TOKEN_TEXT_LEN + 2];
	snprintf(longer, sizeof(longer), "%s0", tok);
	assert_int_equal(tokens_check(f->t, longer, &r), 0);
	/* a token's text without its prefix is not the token */
	char bare[TOKEN_TEXT_LEN + 1];
	snprintf(bare, sizeof(bare), "xxx_%s", tok + 4);
	assert_int_equal(tokens_check(f->t, bare, &r), 0);
}

static void refusals_say_why(void **state)
{
	struct fx *f = *state;
	char tok[TOKEN_TEXT_LEN + 1], err[200];
	assert_int_equal(tokens_add(f->t, "tinh", NULL, 1000, tok, err, sizeof(err)), 0);
	assert_int_equal(tokens_add(f->t, "tinh", NULL, 1000, tok, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists"));
	assert_string_equal(tok, ""); /* no token shown for a refusal */
	assert_int_equal(tokens_add(f->t, "-x", NULL, 1000, tok, err, sizeof(err)), -1);
	assert_int_equal(tokens_add(f->t, "a/b", NULL, 1000, tok, err, sizeof(err)), -1);
	assert_int_equal(tokens_add(f->t, "y", "A\n\nB", 1000, tok, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty line"));
	assert_int_equal(tokens_add(f->t, "y", "A\n", 1000, tok, err, sizeof(err)), -1);
	assert_int_equal(tokens_del(f->t, "nobody", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no token"));
}

struct seen {
	char names[4][64];
	time_t created[4];
	int n;
};

static void collect(void *ctx, const struct token_entry *e)
{
	struct seen *s = ctx;
	if (s->n < 4) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s|%s", e->name, e->communes);
		s->created[s->n++] = e->created;
	}
}

static void del_ends_the_token_and_list_is_by_name(void **state)
{
	struct fx *f = *state;
	char a[TOKEN_TEXT_LEN + 1], b[TOKEN_TEXT_LEN + 1], err[200];
	struct token_rec r;
	struct seen s = {0};
	assert_int_equal(tokens_add(f->t, "zeta", NULL, 2000, a, err, sizeof(err)), 0);
	assert_int_equal(tokens_add(f->t, "alpha", "Xã A", 1000, b, err, sizeof(err)), 0);
	assert_int_equal(tokens_each(f->t, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "alpha|Xã A");
	assert_string_equal(s.names[1], "zeta|");
	assert_int_equal(s.created[0], 1000);
	assert_int_equal(tokens_del(f->t, "zeta", err, sizeof(err)), 0);
	assert_int_equal(tokens_check(f->t, a, &r), 0);
	assert_int_equal(tokens_check(f->t, b, &r), 1);
	/* the name is free again, and the new token is not the old one */
	char c[TOKEN_TEXT_LEN + 1];
	assert_int_equal(tokens_add(f->t, "zeta", NULL, 3000, c, err, sizeof(err)), 0);
	assert_string_not_equal(a, c);
	assert_int_equal(tokens_check(f->t, a, &r), 0);
}

static void opened_twice_keeps_the_tokens(void **state)
{
	struct fx *f = *state;
	char tok[TOKEN_TEXT_LEN + 1], err[200];
	struct token_rec r;
	assert_int_equal(tokens_add(f->t, "tinh", NULL, 1000, tok, err, sizeof(err)), 0);
	tokens_close(f->t);
	f->t = tokens_open(f->st, err, sizeof(err));
	assert_non_null(f->t);
	assert_int_equal(tokens_check(f->t, tok, &r), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(issued_token_is_checked_and_never_stored, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(wrong_or_malformed_tokens_are_nobody, setup, teardown),
	    cmocka_unit_test_setup_teardown(refusals_say_why, setup, teardown),
	    cmocka_unit_test_setup_teardown(del_ends_the_token_and_list_is_by_name, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(opened_twice_keeps_the_tokens, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
