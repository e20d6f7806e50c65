#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sessions.h"

#define T0 ((time_t)1796400000)
#define IDLE (8 * 3600)
#define ABSOLUTE (7 * 86400)

typedef char token_t[SESSION_TOKEN_LEN + 1];

static int is_token(const char *t)
{
	if (strlen(t) != SESSION_TOKEN_LEN)
		return 0;
	for (const char *p = t; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static int cmp_token(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void tokens_are_random_lowercase_hex_and_distinct(void **state)
{
	(void)state;
	enum { N = 2000 };
	struct sessions *s = sessions_new(N, IDLE, ABSOLUTE);
	assert_non_null(s);
	token_t *tok = calloc(2 * N, sizeof(*tok));
	assert_non_null(tok);
	for (size_t i = 0; i < N; i++) {
		struct session *se = sessions_create(s, "officer", 1, "", 0, "10.0.0.1", T0, tok[i]);
		assert_non_null(se);
		assert_true(is_token(tok[i]));
		assert_true(is_token(se->csrf));
		assert_string_not_equal(se->csrf, tok[i]);
		memcpy(tok[N + i], se->csrf, sizeof(token_t)); /* CSRF tokens are in the same pool */
	}
	qsort(tok, 2 * N, sizeof(*tok), cmp_token);
	for (size_t i = 1; i < 2 * N; i++)
		assert_string_not_equal(tok[i - 1], tok[i]);
	free(tok);
	sessions_free(s);
}

static void a_session_keeps_copies_of_what_it_was_given(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(8, IDLE, ABSOLUTE);
	token_t tok;
	char communes[] = "district-1\ndistrict-2";
	char addr[100];
	memset(addr, 'a', sizeof(addr) - 1);
	addr[sizeof(addr) - 1] = '\0';
	struct session *se = sessions_create(s, "anh", 2, communes, T0 - 5, addr, T0, tok);
	assert_non_null(se);
	communes[0] = 'X';
	se = sessions_find(s, tok, T0 + 10);
	assert_non_null(se);
	assert_string_equal(se->user, "anh");
	assert_int_equal(se->role, 2);
	assert_string_equal(se->communes, "district-1\ndistrict-2");
	assert_int_equal(strlen(se->addr), sizeof(se->addr) - 1); /* truncated, terminated */
	assert_int_equal(se->created, T0);
	assert_int_equal(se->checked, T0);
	assert_int_equal(se->seen, T0 + 10);
	assert_int_equal(se->user_changed, T0 - 5);
	se = sessions_create(s, "binh", 1, NULL, 0, NULL, T0, tok);
	assert_string_equal(se->communes, "");
	assert_string_equal(se->addr, "");
	sessions_free(s);
}

static void a_user_name_is_never_cut(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(8, IDLE, ABSOLUTE);
	token_t tok;
	char user[SESSION_USER_MAX + 1];
	memset(user, 'u', sizeof(user) - 1);
	user[sizeof(user) - 1] = '\0';
	assert_null(sessions_create(s, user, 1, "", 0, "", T0, tok)); /* 64 chars: no room */
	user[SESSION_USER_MAX - 1] = '\0';
	assert_non_null(sessions_create(s, user, 1, "", 0, "", T0, tok)); /* 63 fit */
	assert_null(sessions_create(s, NULL, 1, "", 0, "", T0, tok));
	assert_int_equal(sessions_count(s), 1);
	sessions_free(s);
}

static void a_session_ends_when_idle_too_long(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(8, IDLE, ABSOLUTE);
	token_t tok;
	sessions_create(s, "anh", 1, "", 0, "", T0, tok);
	assert_non_null(sessions_find(s, tok, T0 + IDLE)); /* exactly idle_s: still alive */
	assert_non_null(sessions_find(s, tok, T0 + 2 * IDLE)); /* each request restarts the idle time */
	assert_null(sessions_find(s, tok, T0 + 3 * IDLE + 1));
	assert_int_equal(sessions_count(s), 0); /* freed by the find */
	assert_null(sessions_find(s, tok, T0 + 3 * IDLE + 1));
	sessions_free(s);
}

static void a_session_ends_at_its_absolute_age_even_in_use(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(8, IDLE, ABSOLUTE);
	token_t tok;
	sessions_create(s, "anh", 1, "", 0, "", T0, tok);
	time_t t;
	for (t = T0; t <= T0 + ABSOLUTE; t += IDLE / 2)
		assert_non_null(sessions_find(s, tok, t));
	assert_non_null(sessions_find(s, tok, T0 + ABSOLUTE));
	assert_null(sessions_find(s, tok, T0 + ABSOLUTE + 1));
	assert_int_equal(sessions_count(s), 0);
	sessions_free(s);
}

static void a_clock_stepped_back_ends_nothing(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(8, IDLE, ABSOLUTE);
	token_t tok;
	sessions_create(s, "anh", 1, "", 0, "", T0, tok);
	assert_non_null(sessions_find(s, tok, T0 - 3600));
	sessions_expire(s, T0 - 86400);
	assert_int_equal(sessions_count(s), 1);
	sessions_free(s);
}

static void expire_frees_only_expired_sessions(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(8, IDLE, ABSOLUTE);
	token_t a, b, c;
	sessions_create(s, "a", 1, "x", 0, "", T0, a);
	sessions_create(s, "b", 1, "x", 0, "", T0, b);
	sessions_create(s, "c", 1, "x", 0, "", T0 + IDLE, c);
	sessions_find(s, b, T0 + IDLE);
	sessions_expire(s, T0 + IDLE + 1);
	assert_int_equal(sessions_count(s), 2);
	assert_null(sessions_find(s, a, T0 + IDLE + 1));
	assert_non_null(sessions_find(s, b, T0 + IDLE + 1));
	assert_non_null(sessions_find(s, c, T0 + IDLE + 1));
	sessions_expire(s, T0 + ABSOLUTE + 1); /* b: older than absolute; c: idle */
	assert_int_equal(sessions_count(s), 0);
	sessions_free(s);
}

static void a_full_table_ends_the_session_seen_least_recently(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(3, IDLE, ABSOLUTE);
	token_t a, b, c, d;
	sessions_create(s, "a", 1, "", 0, "", T0, a);
	sessions_create(s, "b", 1, "", 0, "", T0 + 1, b);
	sessions_create(s, "c", 1, "", 0, "", T0 + 2, c);
	assert_non_null(sessions_find(s, a, T0 + 3)); /* a is now the most recent */
	assert_non_null(sessions_create(s, "d", 1, "", 0, "", T0 + 4, d));
	assert_int_equal(sessions_count(s), 3);
	assert_null(sessions_find(s, b, T0 + 5));
	assert_non_null(sessions_find(s, a, T0 + 5));
	assert_non_null(sessions_find(s, c, T0 + 5));
	assert_non_null(sessions_find(s, d, T0 + 5));
	sessions_free(s);
}

static void end_and_end_user_end_exactly_theirs(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(16, IDLE, ABSOLUTE);
	token_t t[6];
	const char *users[] = {"anh", "binh", "anh", "chi", "anh", "anhx"};
	for (size_t i = 0; i < 6; i++)
		assert_non_null(sessions_create(s, users[i], 1, "", 0, "", T0, t[i]));
	sessions_end(s, t[1]);
	assert_null(sessions_find(s, t[1], T0));
	assert_int_equal(sessions_count(s), 5);
	sessions_end(s, t[1]); /* again, unknown, malformed: no-ops */
	sessions_end(s, "nope");
	sessions_end(s, NULL);
	assert_int_equal(sessions_count(s), 5);
	assert_int_equal(sessions_end_user(s, "anh"), 3);
	assert_int_equal(sessions_end_user(s, "anh"), 0);
	assert_int_equal(sessions_end_user(s, NULL), 0);
	assert_int_equal(sessions_count(s), 2);
	assert_non_null(sessions_find(s, t[3], T0));
	assert_non_null(sessions_find(s, t[5], T0));
	assert_null(sessions_find(s, t[0], T0));
	sessions_free(s);
}

static void csrf_compares_whole_tokens_only(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(4, IDLE, ABSOLUTE);
	token_t tok, other;
	struct session *se = sessions_create(s, "anh", 1, "", 0, "", T0, tok);
	struct session *se2 = sessions_create(s, "anh", 1, "", 0, "", T0, other);
	char buf[SESSION_TOKEN_LEN + 2];
	assert_true(sessions_csrf_ok(se, se->csrf));
	assert_false(sessions_csrf_ok(se, se2->csrf));
	assert_false(sessions_csrf_ok(se, tok)); /* the session token is not its CSRF token */
	assert_false(sessions_csrf_ok(se, NULL));
	assert_false(sessions_csrf_ok(NULL, se->csrf));
	assert_false(sessions_csrf_ok(se, ""));
	memcpy(buf, se->csrf, SESSION_TOKEN_LEN - 1);
	buf[SESSION_TOKEN_LEN - 1] = '\0';
	assert_false(sessions_csrf_ok(se, buf)); /* a prefix */
	snprintf(buf, sizeof(buf), "%s0", se->csrf);
	assert_false(sessions_csrf_ok(se, buf)); /* one more character */
	memcpy(buf, se->csrf, sizeof(token_t));
	buf[SESSION_TOKEN_LEN - 1] = buf[SESSION_TOKEN_LEN - 1] == '0' ? '1' : '0';
	assert_false(sessions_csrf_ok(se, buf)); /* last digit differs */
	sessions_free(s);
}

static void malformed_tokens_find_nothing(void **state)
{
	(void)state;
	struct sessions *s = sessions_new(4, IDLE, ABSOLUTE);
	token_t tok;
	char buf[2 * SESSION_TOKEN_LEN];
	sessions_create(s, "anh", 1, "", 0, "", T0, tok);
	assert_null(sessions_find(s, NULL, T0));
	assert_null(sessions_find(s, "", T0));
	memcpy(buf, tok, SESSION_TOKEN_LEN - 1); /* short */
	buf[SESSION_TOKEN_LEN - 1] = '\0';
	assert_null(sessions_find(s, buf, T0));
	snprintf(buf, sizeof(buf), "%sa", tok); /* long */
	assert_null(sessions_find(s, buf, T0));
	snprintf(buf, sizeof(buf), "%s", tok);
	for (char *p = buf; *p; p++) /* uppercase: the same bytes, not the same token */
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_null(sessions_find(s, buf, T0));
	snprintf(buf, sizeof(buf), "%s", tok);
	buf[10] = 'g';
	assert_null(sessions_find(s, buf, T0));
	buf[10] = ' ';
	assert_null(sessions_find(s, buf, T0));
	memset(buf, '0', SESSION_TOKEN_LEN); /* well formed, unknown */
	buf[SESSION_TOKEN_LEN] = '\0';
	assert_null(sessions_find(s, buf, T0));
	assert_int_equal(sessions_count(s), 1);
	assert_non_null(sessions_find(s, tok, T0));
	sessions_free(s);
}

struct each_ctx {
	struct sessions *s;
	size_t seen, ended;
};

static void end_each_anh(void *arg, struct session *se)
{
	struct each_ctx *ctx = arg;
	ctx->seen++;
	if (strcmp(se->user, "anh") == 0)
		ctx->ended += sessions_end_user(ctx->s, "anh"); /* se among them */
}

static void each_visits_all_and_may_end_sessions(void **state)
{
	(void)state;
	struct each_ctx ctx = {sessions_new(64, IDLE, ABSOLUTE), 0, 0};
	token_t tok;
	for (int i = 0; i < 40; i++)
		sessions_create(ctx.s, i % 4 ? "binh" : "anh", 1, "c", 0, "", T0, tok);
	sessions_each(ctx.s, end_each_anh, &ctx);
	assert_int_equal(ctx.ended, 10); /* all at the first anh met */
	assert_int_equal(ctx.seen, 31);  /* 30 binh and that one anh */
	assert_int_equal(sessions_count(ctx.s), 30);
	sessions_free(ctx.s);
}

static void ten_thousand_sessions_stay_bounded_and_found(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct sessions *s = sessions_new(N, IDLE, ABSOLUTE);
	token_t *tok = calloc(2 * N, sizeof(*tok));
	assert_non_null(tok);
	for (size_t i = 0; i < 2 * N; i++) {
		char user[16];
		snprintf(user, sizeof(user), "u%zu", i);
		assert_non_null(sessions_create(s, user, 1, "c", 0, "", T0 + (time_t)i, tok[i]));
		assert_true(sessions_count(s) <= N);
	}
	assert_int_equal(sessions_count(s), N);
	for (size_t i = 0; i < N; i++) {
		assert_null(sessions_find(s, tok[i], T0 + 2 * N)); /* the first half made room */
		struct session *se = sessions_find(s, tok[N + i], T0 + 2 * N);
		assert_non_null(se);
		char user[16];
		snprintf(user, sizeof(user), "u%zu", N + i);
		assert_string_equal(se->user, user);
	}
	for (size_t i = 0; i < N; i += 2)
		sessions_end(s, tok[N + i]);
	assert_int_equal(sessions_count(s), N / 2);
	sessions_expire(s, T0 + 2 * N + IDLE + 1);
	assert_int_equal(sessions_count(s), 0);
	free(tok);
	sessions_free(s);
}

static void bad_arguments_make_no_table(void **state)
{
	(void)state;
	assert_null(sessions_new(0, IDLE, ABSOLUTE));
	assert_null(sessions_new(4, 0, ABSOLUTE));
	assert_null(sessions_new(4, IDLE, -1));
	sessions_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tokens_are_random_lowercase_hex_and_distinct),
	    cmocka_unit_test(a_session_keeps_copies_of_what_it_was_given),
	    cmocka_unit_test(a_user_name_is_never_cut),
	    cmocka_unit_test(a_session_ends_when_idle_too_long),
	    cmocka_unit_test(a_session_ends_at_its_absolute_age_even_in_use),
	    cmocka_unit_test(a_clock_stepped_back_ends_nothing),
	    cmocka_unit_test(expire_frees_only_expired_sessions),
	    cmocka_unit_test(a_full_table_ends_the_session_seen_least_recently),
	    cmocka_unit_test(end_and_end_user_end_exactly_theirs),
	    cmocka_unit_test(csrf_compares_whole_tokens_only),
	    cmocka_unit_test(malformed_tokens_find_nothing),
	    cmocka_unit_test(each_visits_all_and_may_end_sessions),
	    cmocka_unit_test(ten_thousand_sessions_stay_bounded_and_found),
	    cmocka_unit_test(bad_arguments_make_no_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
