#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "loginlimit.h"

#define T0 ((time_t)1796400000)

static void fail_n(struct loginlimit *l, const char *addr, const char *user, int n, time_t now)
{
	for (int i = 0; i < n; i++)
		loginlimit_failed(l, addr, user, now);
}

static void five_failures_are_free_then_waits_double_up_to_the_cap(void **state)
{
	(void)state;
	struct loginlimit *l = loginlimit_new(100);
	int retry = -1;
	time_t t = T0;
	for (int i = 0; i < LOGINLIMIT_FREE_ADDR; i++) {
		assert_true(loginlimit_check(l, "10.0.0.9", "anh", t, &retry));
		assert_int_equal(retry, 0);
		loginlimit_failed(l, "10.0.0.9", "anh", t);
	}
	const int waits[] = {30, 60, 120, 240, 480, 900};
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		assert_false(loginlimit_check(l, "10.0.0.9", "anh", t, &retry));
		assert_int_equal(retry, waits[i]);
		assert_false(loginlimit_check(l, "10.0.0.9", "anh", t + waits[i] - 1, &retry));
		assert_int_equal(retry, 1);
		t += waits[i];
		if (waits[i] == LOGINLIMIT_MAX_WAIT_S)
			break; /* waiting the longest wait is also waiting out the forget time */
		assert_true(loginlimit_check(l, "10.0.0.9", "anh", t, &retry));
		loginlimit_failed(l, "10.0.0.9", "anh", t);
	}
	fail_n(l, "10.0.0.9", "anh", 50, t - 1); /* failures without waiting: the wait stays capped */
	assert_false(loginlimit_check(l, "10.0.0.9", "anh", t - 1, &retry));
	assert_int_equal(retry, LOGINLIMIT_MAX_WAIT_S);
	assert_false(loginlimit_check(l, "10.0.0.9", "anh", t - 1, NULL));
	loginlimit_free(l);
}

static void failures_are_forgotten_fifteen_minutes_after_the_last(void **state)
{
	(void)state;
	struct loginlimit *l = loginlimit_new(100);
	int retry;
	fail_n(l, "10.0.0.9", "anh", 5, T0);
	assert_false(loginlimit_check(l, "10.0.0.9", "anh", T0 + 29, &retry));
	assert_true(loginlimit_check(l, "10.0.0.9", "anh", T0 + LOGINLIMIT_FORGET_S, &retry));
	assert_int_equal(loginlimit_count(l), 1); /* check dropped the two it read */
	fail_n(l, "10.0.0.9", "anh", 4, T0 + LOGINLIMIT_FORGET_S); /* a fresh budget */
	assert_true(loginlimit_check(l, "10.0.0.9", "anh", T0 + LOGINLIMIT_FORGET_S, &retry));
	loginlimit_failed(l, "10.0.0.9", "anh", T0 + LOGINLIMIT_FORGET_S);
	assert_false(loginlimit_check(l, "10.0.0.9", "anh", T0 + LOGINLIMIT_FORGET_S, &retry));
	assert_int_equal(retry, 30);

	/* A failure within the forget time keeps the earlier ones: slow guessing is still counted. */
	for (int i = 0; i < 5; i++)
		loginlimit_failed(l, "10.0.0.7", "binh", T0 + 10000 + i * 800);
	assert_false(loginlimit_check(l, "10.0.0.7", "binh", T0 + 10000 + 4 * 800, &retry));
	assert_int_equal(retry, 30);
	loginlimit_free(l);
}

static void success_clears_that_users_failures_from_that_address_only(void **state)
{
	(void)state;
	struct loginlimit *l = loginlimit_new(100);
	int retry;
	fail_n(l, "10.0.0.9", "anh", 4, T0);
	loginlimit_succeeded(l, "10.0.0.9", "anh", T0 + 1);
	assert_int_equal(loginlimit_count(l), 0);
	fail_n(l, "10.0.0.9", "anh", 4, T0 + 2); /* a full budget again */
	assert_true(loginlimit_check(l, "10.0.0.9", "anh", T0 + 2, &retry));
	loginlimit_succeeded(l, "10.0.0.9", "anh", T0 + 2);

	fail_n(l, "10.0.0.8", "binh", 3, T0 + 3);
	fail_n(l, "10.0.0.8", "anh", 2, T0 + 3);
	loginlimit_succeeded(l, "10.0.0.8", "anh", T0 + 4);
	fail_n(l, "10.0.0.8", "chi", 1, T0 + 4); /* 3 against binh stay: 4 of 5 */
	assert_true(loginlimit_check(l, "10.0.0.8", "dung", T0 + 4, &retry));
	loginlimit_failed(l, "10.0.0.8", "chi", T0 + 4);
	assert_false(loginlimit_check(l, "10.0.0.8", "dung", T0 + 4, &retry));
	assert_int_equal(retry, 30);
	loginlimit_succeeded(l, "10.0.0.8", "nobody", T0 + 5); /* no failures: changes nothing */
	assert_false(loginlimit_check(l, "10.0.0.8", "dung", T0 + 5, &retry));
	assert_true(loginlimit_check(l, "10.0.0.1", "anh", T0 + 5, &retry)); /* other address */
	loginlimit_free(l);
}

static void one_address_guessing_many_users_is_slowed(void **state)
{
	(void)state;
	struct loginlimit *l = loginlimit_new(100);
	int retry;
	char user[16];
	for (int i = 0; i < LOGINLIMIT_FREE_ADDR; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		assert_true(loginlimit_check(l, "10.0.0.9", user, T0, &retry));
		loginlimit_failed(l, "10.0.0.9", user, T0);
	}
	assert_false(loginlimit_check(l, "10.0.0.9", "someone-else", T0, &retry));
	assert_int_equal(retry, 30);
	assert_true(loginlimit_check(l, "10.0.0.10", "user0", T0, &retry));
	loginlimit_free(l);
}

static void many_addresses_guessing_one_user_share_its_budget(void **state)
{
	(void)state;
	struct loginlimit *l = loginlimit_new(1000);
	int retry;
	char addr[32];
	for (int i = 0; i < LOGINLIMIT_FREE_USER; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		assert_true(loginlimit_check(l, addr, "anh", T0, &retry));
		loginlimit_failed(l, addr, "anh", T0);
	}
	assert_false(loginlimit_check(l, "198.51.100.1", "anh", T0, &retry)); /* any address */
	assert_int_equal(retry, 30);
	assert_true(loginlimit_check(l, "198.51.100.1", "binh", T0, &retry));
	assert_true(loginlimit_check(l, "198.51.100.1", "anh", T0 + 30, &retry));
	loginlimit_failed(l, "198.51.100.1", "anh", T0 + 30);
	assert_false(loginlimit_check(l, "198.51.100.2", "anh", T0 + 30, &retry));
	assert_int_equal(retry, 60);

	/* One address alone cannot use up a user's budget: its own wait comes first. */
	fail_n(l, "203.0.113.5", "chi", LOGINLIMIT_FREE_ADDR, T0);
	assert_false(loginlimit_check(l, "203.0.113.5", "chi", T0, &retry));
	assert_true(loginlimit_check(l, "203.0.113.6", "chi", T0, &retry));
	loginlimit_free(l);
}

static void a_full_table_drops_the_key_failed_least_recently(void **state)
{
	(void)state;
	struct loginlimit *l = loginlimit_new(9); /* three failing pairs: 3 keys each */
	int retry;
	fail_n(l, "10.0.0.1", "anh", 5, T0);
	fail_n(l, "10.0.0.2", "binh", 5, T0 + 1);
	fail_n(l, "10.0.0.3", "chi", 1, T0 + 2);
	assert_int_equal(loginlimit_count(l), 9);
	loginlimit_failed(l, "10.0.0.4", "dung", T0 + 3);
	assert_int_equal(loginlimit_count(l), 9);
	assert_true(loginlimit_check(l, "10.0.0.1", "anh", T0 + 3, &retry)); /* dropped */
	assert_false(loginlimit_check(l, "10.0.0.2", "binh", T0 + 3, &retry));
	fail_n(l, "10.0.0.2", "binh", 1, T0 + 40); /* refreshed: now the newest */
	loginlimit_failed(l, "10.0.0.5", "em", T0 + 41);
	loginlimit_failed(l, "10.0.0.6", "giang", T0 + 42);
	assert_false(loginlimit_check(l, "10.0.0.2", "binh", T0 + 42, &retry));
	assert_int_equal(retry, 40 + 60 - 42);
	assert_int_equal(loginlimit_count(l), 9);
	loginlimit_free(l);
	assert_null(loginlimit_new(2)); /* too small for the three keys of one failure */
	l = loginlimit_new(3);
	fail_n(l, "10.0.0.1", "anh", 5, T0);
	fail_n(l, "10.0.0.2", "binh", 5, T0 + 1);
	assert_int_equal(loginlimit_count(l), 3);
	assert_false(loginlimit_check(l, "10.0.0.2", "binh", T0 + 1, &retry));
	loginlimit_free(l);
}

static void long_keys_are_truncated_never_overflowed(void **state)
{
	(void)state;
	struct loginlimit *l = loginlimit_new(100);
	int retry;
	char user1[300], user2[300], addr1[200], addr2[200];
	memset(user1, 'u', sizeof(user1) - 1);
	user1[sizeof(user1) - 1] = '\0';
	memcpy(user2, user1, sizeof(user2));
	user2[LOGINLIMIT_USER_MAX] = 'v'; /* differs after what is keyed */
	memset(addr1, 'a', sizeof(addr1) - 1);
	addr1[sizeof(addr1) - 1] = '\0';
	memcpy(addr2, addr1, sizeof(addr2));
	addr2[LOGINLIMIT_ADDR_MAX] = 'b';
	fail_n(l, addr1, user1, LOGINLIMIT_FREE_ADDR, T0);
	assert_false(loginlimit_check(l, addr2, "short", T0, &retry)); /* same address key */
	for (int i = 0; i < LOGINLIMIT_FREE_USER; i++) {
		char addr[32];
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		loginlimit_failed(l, addr, user1, T0);
	}
	assert_false(loginlimit_check(l, "198.51.100.1", user2, T0, &retry)); /* same user key */
	assert_true(loginlimit_check(l, "198.51.100.1", "short", T0, &retry));
	user2[LOGINLIMIT_USER_MAX - 2] = 'v'; /* differs within what is keyed */
	assert_true(loginlimit_check(l, "198.51.100.1", user2, T0, &retry));
	loginlimit_free(l);
}

static void kinds_of_keys_never_collide(void **state)
{
	(void)state;
	struct loginlimit *l = loginlimit_new(100);
	int retry;
	/* An address named like a user, and empty or NULL parts, are separate keys. */
	fail_n(l, "anh", "", LOGINLIMIT_FREE_ADDR, T0);
	assert_false(loginlimit_check(l, "anh", NULL, T0, &retry)); /* NULL is "" */
	assert_true(loginlimit_check(l, "", "anh", T0, &retry));
	assert_true(loginlimit_check(l, NULL, "x", T0, &retry));
	loginlimit_free(l);
}

static void a_clock_stepped_back_waits_no_more_than_one_wait(void **state)
{
	(void)state;
	struct loginlimit *l = loginlimit_new(100);
	int retry;
	fail_n(l, "10.0.0.9", "anh", 5, T0);
	assert_false(loginlimit_check(l, "10.0.0.9", "anh", T0 - 86400, &retry));
	assert_int_equal(retry, 30);
	assert_null(loginlimit_new(0));
	loginlimit_free(NULL);
	loginlimit_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(five_failures_are_free_then_waits_double_up_to_the_cap),
	    cmocka_unit_test(failures_are_forgotten_fifteen_minutes_after_the_last),
	    cmocka_unit_test(success_clears_that_users_failures_from_that_address_only),
	    cmocka_unit_test(one_address_guessing_many_users_is_slowed),
	    cmocka_unit_test(many_addresses_guessing_one_user_share_its_budget),
	    cmocka_unit_test(a_full_table_drops_the_key_failed_least_recently),
	    cmocka_unit_test(long_keys_are_truncated_never_overflowed),
	    cmocka_unit_test(kinds_of_keys_never_collide),
	    cmocka_unit_test(a_clock_stepped_back_waits_no_more_than_one_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
