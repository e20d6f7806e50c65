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

#include "audit.h"
#include "store.h"

struct fx {
	char dir[64], db[96];
	struct store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[200];
	snprintf(f->dir, sizeof(f->dir), "/tmp/hbmon-audit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/hbmon.db", f->dir);
	f->st = store_open(f->db, err, sizeof(err));
	assert_non_null(f->st);
	assert_int_equal(audit_open(f->st, err, sizeof(err)), 0);
	/* twice is harmless: users_open and any other opener may both call it */
	assert_int_equal(audit_open(f->st, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[128];
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

#define SEEN_MAX 16

struct seen {
	int n;
	long id[SEEN_MAX];
	time_t ts[SEEN_MAX];
	char user[SEEN_MAX][AUDIT_USER_MAX + 1], addr[SEEN_MAX][AUDIT_ADDR_MAX + 1];
	char action[SEEN_MAX][32], detail[SEEN_MAX][AUDIT_DETAIL_MAX + 1];
};

static void collect(void *ctx, const struct audit_entry *e)
{
	struct seen *s = ctx;
	assert_true(s->n < SEEN_MAX);
	assert_non_null(e->user);
	assert_non_null(e->addr);
	assert_non_null(e->detail);
	s->id[s->n] = e->id;
	s->ts[s->n] = e->ts;
	snprintf(s->user[s->n], sizeof(s->user[0]), "%s", e->user);
	snprintf(s->addr[s->n], sizeof(s->addr[0]), "%s", e->addr);
	snprintf(s->action[s->n], sizeof(s->action[0]), "%s", e->action);
	snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", e->detail);
	s->n++;
}

static void action_codes(void **state)
{
	(void)state;
	static const char *const want[] = {"login",	   "login_failed", "logout",
					   "ack",	   "maint_add",	   "maint_cancel",
					   "user_add",	   "user_passwd",  "user_del"};
	assert_string_equal(audit_action_name(AUDIT_LOGIN), want[0]);
	assert_string_equal(audit_action_name(AUDIT_LOGIN_FAILED), want[1]);
	assert_string_equal(audit_action_name(AUDIT_LOGOUT), want[2]);
	assert_string_equal(audit_action_name(AUDIT_ACK), want[3]);
	assert_string_equal(audit_action_name(AUDIT_MAINT_ADD), want[4]);
	assert_string_equal(audit_action_name(AUDIT_MAINT_CANCEL), want[5]);
	assert_string_equal(audit_action_name(AUDIT_USER_ADD), want[6]);
	assert_string_equal(audit_action_name(AUDIT_USER_PASSWD), want[7]);
	assert_string_equal(audit_action_name(AUDIT_USER_DEL), want[8]);
	assert_string_equal(audit_action_name(AUDIT_TOKEN_ADD), "token_add");
	assert_string_equal(audit_action_name(AUDIT_TOKEN_DEL), "token_del");
	assert_string_equal(audit_action_name(AUDIT_INVENTORY_ADD), "inventory_add");
	assert_null(audit_action_name((enum audit_action)12));
	assert_null(audit_action_name((enum audit_action)-1));
}

static void newest_first_with_filters_and_limit(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	const char *login = audit_action_name(AUDIT_LOGIN);
	assert_int_equal(audit_add(f->st, 100, "an", "192.0.2.1", login, ""), 0);
	assert_int_equal(audit_add(f->st, 200, "binh", "192.0.2.2", login, NULL), 0);
	assert_int_equal(audit_add(f->st, 300, "an", "192.0.2.1",
				   audit_action_name(AUDIT_ACK), "Tân Phú / printer"), 0);
	/* the same second twice: the later entry still comes first */
	assert_int_equal(audit_add(f->st, 300, "an", "192.0.2.1",
				   audit_action_name(AUDIT_LOGOUT), ""), 0);
	assert_int_equal(audit_add(f->st, 400, "cli:root", "local",
				   audit_action_name(AUDIT_USER_DEL), "binh"), 0);

	assert_int_equal(audit_each(f->st, 0, 0, NULL, 0, collect, &s), 5);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.ts[0], 400);
	assert_string_equal(s.user[0], "cli:root");
	assert_string_equal(s.addr[0], "local");
	assert_string_equal(s.action[0], "user_del");
	assert_string_equal(s.detail[0], "binh");
	assert_string_equal(s.action[1], "logout");
	assert_string_equal(s.action[2], "ack");
	assert_string_equal(s.detail[2], "Tân Phú / printer");
	assert_true(s.id[1] > s.id[2]);
	assert_string_equal(s.detail[3], ""); /* NULL detail */
	assert_int_equal(s.ts[4], 100);

	memset(&s, 0, sizeof(s));
	assert_int_equal(audit_each(f->st, 0, 0, "an", 0, collect, &s), 3);
	assert_string_equal(s.action[0], "logout");
	assert_string_equal(s.action[2], "login");

	memset(&s, 0, sizeof(s));
	assert_int_equal(audit_each(f->st, 0, 0, "an", 2, collect, &s), 2);
	assert_string_equal(s.action[0], "logout");
	assert_string_equal(s.action[1], "ack");

	/* from <= ts < to */
	memset(&s, 0, sizeof(s));
	assert_int_equal(audit_each(f->st, 200, 400, NULL, 0, collect, &s), 3);
	assert_int_equal(s.ts[0], 300);
	assert_int_equal(s.ts[2], 200);

	memset(&s, 0, sizeof(s));
	assert_int_equal(audit_each(f->st, 0, 0, "nobody", 0, collect, &s), 0);
	/* a filter is a value, not a pattern */
	assert_int_equal(audit_each(f->st, 0, 0, "%", 0, collect, &s), 0);
	assert_int_equal(audit_each(f->st, 0, 0, "' OR '1'='1", 0, collect, &s), 0);
}

static void hostile_text_is_kept_as_given(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	const char *user = "x'); DROP TABLE audit; --";
	const char *addr = "\"; SELECT 1; \\";
	const char *detail = "«quoted» \"đặt lịch\" 'bảo trì'; -- % _ \\ 🛠️ \t\r\n\x1b[31m";
	assert_int_equal(audit_add(f->st, 500, user, addr, audit_action_name(AUDIT_LOGIN_FAILED),
				   detail), 0);
	assert_int_equal(audit_each(f->st, 0, 0, user, 0, collect, &s), 1);
	assert_string_equal(s.user[0], user);
	assert_string_equal(s.addr[0], addr);
	assert_string_equal(s.action[0], "login_failed");
	assert_string_equal(s.detail[0], detail);
}

static void long_text_is_cut_on_a_character(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	/* "đ" is two bytes: an odd cap falls inside one */
	char user[3 * AUDIT_USER_MAX], detail[3 * AUDIT_DETAIL_MAX];
	size_t n = 0;
	user[n++] = 'a';
	while (n + 2 < sizeof(user)) {
		memcpy(user + n, "đ", 2);
		n += 2;
	}
	user[n] = '\0';
	memset(detail, 'd', sizeof(detail) - 1);
	detail[sizeof(detail) - 1] = '\0';
	assert_int_equal(audit_add(f->st, 600, user, "192.0.2.9",
				   audit_action_name(AUDIT_LOGIN_FAILED), detail), 0);
	assert_int_equal(audit_each(f->st, 0, 0, NULL, 0, collect, &s), 1);
	assert_int_equal(strlen(s.user[0]), AUDIT_USER_MAX - 1);
	assert_memory_equal(s.user[0], user, AUDIT_USER_MAX - 1);
	assert_int_equal(strlen(s.detail[0]), AUDIT_DETAIL_MAX);
}

static void unknown_action_is_refused(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	assert_int_equal(audit_add(f->st, 700, "an", "local", "sudo", ""), -1);
	assert_int_equal(audit_add(f->st, 700, "an", "local", NULL, ""), -1);
	assert_int_equal(audit_each(f->st, 0, 0, NULL, 0, collect, &s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(action_codes),
	    cmocka_unit_test_setup_teardown(newest_first_with_filters_and_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(hostile_text_is_kept_as_given, setup, teardown),
	    cmocka_unit_test_setup_teardown(long_text_is_cut_on_a_character, setup, teardown),
	    cmocka_unit_test_setup_teardown(unknown_action_is_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
