/*
 * Each password hash costs ~70 ms and 64 MiB: the tests compute nine (the dummy hash once per
 * process, two adds, three checks, two passwds and one check); the other rows are written with
 * a stand-in hash straight into the table.
 */
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
#include "users.h"

struct fx {
	char dir[64], db[96];
	struct store *st;
	struct users *u;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[200];
	snprintf(f->dir, sizeof(f->dir), "/tmp/hbmon-users-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/hbmon.db", f->dir);
	f->st = store_open(f->db, err, sizeof(err));
	assert_non_null(f->st);
	f->u = users_open(f->st, err, sizeof(err));
	assert_non_null(f->u);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[128];
	users_close(f->u);
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

/* A row as users_add would write it, without the cost of a hash. */
static void put_row(struct fx *f, const char *name, const char *role, const char *communes,
		    long created, long changed)
{
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st),
					    "INSERT INTO users(name, role, communes, hash, created, "
					    "changed) VALUES(?, ?, ?, 'stand-in', ?, ?)",
					    -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, communes, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 4, created);
	sqlite3_bind_int64(q, 5, changed);
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
}

static void added_user_logs_in_with_its_password_only(void **state)
{
	struct fx *f = *state;
	struct user_rec r;
	char err[200];
	time_t t;
	assert_int_equal(users_add(f->u, "an.nguyen", ROLE_OFFICER, "Tân Phú\nPhú Lâm",
				   "correct horse battery", 1000, err, sizeof(err)), 0);
	assert_int_equal(users_get(f->u, "an.nguyen", &r), 1);
	assert_string_equal(r.name, "an.nguyen");
	assert_int_equal(r.role, ROLE_OFFICER);
	assert_string_equal(r.communes, "Tân Phú\nPhú Lâm");
	assert_int_equal(r.changed, 1000);
	assert_string_equal(r.full_name, "");
	/* the name people read: printable text only, of a user who exists */
	assert_int_equal(users_set_name(f->u, "an.nguyen", "Anh An (Xã Tân Phú)", err, sizeof(err)),
			 0);
	assert_int_equal(users_set_name(f->u, "an.nguyen", "An\x1b[2J", err, sizeof(err)), -1);
	assert_int_equal(users_set_name(f->u, "binh", "Bình", err, sizeof(err)), -1);
	assert_int_equal(users_get(f->u, "an.nguyen", &r), 1);
	assert_string_equal(r.full_name, "Anh An (Xã Tân Phú)");
	assert_non_null(strstr(r.hash, "$argon2id$"));
	assert_null(strstr(r.hash, "correct horse"));
	assert_int_equal(users_verify(r.hash, "correct horse battery"), 1);
	assert_int_equal(users_verify(r.hash, "correct horse batterY"), 0);
	/* refused without hashing: longer than any password may be */
	char longpw[USER_PASSWORD_MAX + 2];
	memset(longpw, 'x', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	assert_int_equal(users_verify(r.hash, longpw), 0);
	assert_int_equal(users_verify("", "correct horse battery"), 0);
	assert_int_equal(users_verify("$argon2id$garbage", "correct horse battery"), 0);
	/* an unknown name: nothing found, and the stand-in check says no */
	assert_int_equal(users_get(f->u, "binh", &r), 0);
	assert_int_equal(users_get(f->u, "../etc", &r), 0);
	assert_int_equal(users_changed(f->u, "binh", &t), 0);
	assert_int_equal(users_verify(users_dummy_hash(), ""), 0); /* "" before it is made */
	assert_int_equal(users_dummy_init(), 0);
	assert_non_null(strstr(users_dummy_hash(), "$argon2id$"));
	assert_int_equal(users_verify(users_dummy_hash(), "correct horse battery"), 0);
	assert_int_equal(users_changed(f->u, "an.nguyen", &t), 1);
	assert_int_equal(t, 1000);
}

static void passwd_changes_hash_and_stamp(void **state)
{
	struct fx *f = *state;
	struct user_rec r;
	char err[200];
	time_t t;
	put_row(f, "binh", "viewer", "", 500, 500);
	assert_int_equal(users_passwd(f->u, "binh", "a new pass phrase", 2000, err, sizeof(err)), 0);
	assert_int_equal(users_get(f->u, "binh", &r), 1);
	assert_string_not_equal(r.hash, "stand-in");
	assert_int_equal(r.changed, 2000);
	assert_int_equal(users_verify(r.hash, "a new pass phrase"), 1);
	assert_int_equal(users_changed(f->u, "binh", &t), 1);
	assert_int_equal(t, 2000);
	/* the rules hold for passwd too, and nothing changes when they fail */
	assert_int_equal(users_passwd(f->u, "binh", "short", 3000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too short"));
	assert_int_equal(users_passwd(f->u, "nobody", "long enough pw", 3000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no user"));
	assert_int_equal(users_changed(f->u, "binh", &t), 1);
	assert_int_equal(t, 2000);
}

static void passwd_stamp_moves_on_within_a_second(void **state)
{
	struct fx *f = *state;
	char err[200];
	time_t t;
	/* the clock reads what it read at the last change (or less): sessions opened since
	 * must still see a new stamp */
	put_row(f, "chi", "admin", "", 500, 2000);
	assert_int_equal(users_passwd(f->u, "chi", "another passphrase", 2000, err, sizeof(err)), 0);
	assert_int_equal(users_changed(f->u, "chi", &t), 1);
	assert_int_equal(t, 2001);
}

static void refusals_say_why(void **state)
{
	struct fx *f = *state;
	char err[200];
	const char *pw = "long enough password";
	put_row(f, "an", "admin", "", 100, 100);
	/* a name taken: one hash spent, then the key refuses it */
	assert_int_equal(users_add(f->u, "an", ROLE_VIEWER, NULL, pw, 1000, err, sizeof(err)), -1);
	assert_string_equal(err, "user an exists: use passwd");
	/* the rest is refused before any hash */
	assert_int_equal(users_add(f->u, "dung", ROLE_OFFICER, "", pw, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "officer needs"));
	assert_int_equal(users_add(f->u, "dung", ROLE_OFFICER, NULL, pw, 1000, err, sizeof(err)), -1);
	assert_int_equal(users_add(f->u, "dung", ROLE_OFFICER, "A\n\nB", pw, 1000, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "empty line"));
	assert_int_equal(users_add(f->u, "dung", ROLE_OFFICER, "A\n", pw, 1000, err, sizeof(err)), -1);
	assert_int_equal(users_add(f->u, "dung", ROLE_VIEWER, "A", pw, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "only an officer"));
	assert_int_equal(users_add(f->u, "dung", ROLE_ADMIN, "A", pw, 1000, err, sizeof(err)), -1);
	assert_int_equal(users_add(f->u, "dung", (enum role)7, NULL, pw, 1000, err, sizeof(err)), -1);
	assert_int_equal(users_add(f->u, "dung", ROLE_VIEWER, NULL, "123456789", 1000, err,
				   sizeof(err)), -1);
	assert_non_null(strstr(err, "too short"));
	assert_null(strstr(err, "123456789"));
	char longpw[USER_PASSWORD_MAX + 2];
	memset(longpw, 'x', sizeof(longpw) - 1);
	longpw[sizeof(longpw) - 1] = '\0';
	assert_int_equal(users_add(f->u, "dung", ROLE_VIEWER, NULL, longpw, 1000, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(users_add(f->u, "dung.tran.van", ROLE_VIEWER, NULL, "Dung.Tran.Van", 1000,
				   err, sizeof(err)), -1);
	assert_non_null(strstr(err, "user name"));
	assert_int_equal(users_add(f->u, "-dung", ROLE_VIEWER, NULL, pw, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "a user name is"));
	/* none of them was written */
	assert_int_equal(users_changed(f->u, "dung", &(time_t){0}), 0);
	assert_int_equal(users_changed(f->u, "dung.tran.van", &(time_t){0}), 0);
}

static void names_are_plain(void **state)
{
	(void)state;
	assert_int_equal(users_valid_name("an.nguyen_2-b"), 1);
	assert_int_equal(users_valid_name("9a"), 1);
	assert_int_equal(users_valid_name("A"), 1);
	assert_int_equal(users_valid_name(""), 0);
	assert_int_equal(users_valid_name(NULL), 0);
	assert_int_equal(users_valid_name(".hidden"), 0);
	assert_int_equal(users_valid_name("-rf"), 0);
	assert_int_equal(users_valid_name("_x"), 0);
	assert_int_equal(users_valid_name("a b"), 0);
	assert_int_equal(users_valid_name("a/b"), 0);
	assert_int_equal(users_valid_name("an'--"), 0);
	assert_int_equal(users_valid_name("xã"), 0);
	char name[USER_NAME_MAX + 1];
	memset(name, 'a', sizeof(name));
	name[USER_NAME_MAX - 1] = '\0'; /* 63 */
	assert_int_equal(users_valid_name(name), 1);
	name[USER_NAME_MAX - 1] = 'a';
	name[USER_NAME_MAX] = '\0'; /* 64 */
	assert_int_equal(users_valid_name(name), 0);
}

static void roles_by_name(void **state)
{
	(void)state;
	assert_string_equal(role_name(ROLE_ADMIN), "admin");
	assert_string_equal(role_name(ROLE_VIEWER), "viewer");
	assert_string_equal(role_name(ROLE_OFFICER), "officer");
	assert_null(role_name((enum role)3));
	assert_int_equal(role_parse("admin"), ROLE_ADMIN);
	assert_int_equal(role_parse("viewer"), ROLE_VIEWER);
	assert_int_equal(role_parse("officer"), ROLE_OFFICER);
	assert_int_equal(role_parse("Admin"), -1);
	assert_int_equal(role_parse("root"), -1);
	assert_int_equal(role_parse(""), -1);
	assert_int_equal(role_parse(NULL), -1);
}

static void del_removes_the_user(void **state)
{
	struct fx *f = *state;
	struct user_rec r;
	char err[200];
	time_t t;
	put_row(f, "an", "admin", "", 100, 100);
	put_row(f, "binh", "viewer", "", 100, 100);
	assert_int_equal(users_del(f->u, "an", err, sizeof(err)), 0);
	assert_int_equal(users_get(f->u, "an", &r), 0);
	assert_int_equal(users_changed(f->u, "an", &t), 0);
	assert_int_equal(users_get(f->u, "binh", &r), 1);
	assert_int_equal(users_del(f->u, "an", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no user named \"an\""));
	assert_int_equal(users_del(f->u, "a b", err, sizeof(err)), -1);
}

struct seen {
	char names[8][USER_NAME_MAX];
	struct user_entry e[8];
	char communes[8][64];
	int n;
};

static void collect(void *ctx, const struct user_entry *e)
{
	struct seen *s = ctx;
	assert_true(s->n < 8);
	snprintf(s->names[s->n], USER_NAME_MAX, "%s", e->name);
	snprintf(s->communes[s->n], 64, "%s", e->communes);
	s->e[s->n++] = *e;
}

static void each_lists_by_name(void **state)
{
	struct fx *f = *state;
	struct seen s = {0};
	assert_int_equal(users_each(f->u, collect, &s), 0);
	assert_int_equal(s.n, 0);
	put_row(f, "chi", "officer", "Tân Phú\nPhú Lâm", 300, 310);
	put_row(f, "an", "admin", "", 100, 110);
	put_row(f, "binh", "viewer", "", 200, 210);
	assert_int_equal(users_each(f->u, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.names[0], "an");
	assert_string_equal(s.names[1], "binh");
	assert_string_equal(s.names[2], "chi");
	assert_int_equal(s.e[0].role, ROLE_ADMIN);
	assert_int_equal(s.e[1].role, ROLE_VIEWER);
	assert_int_equal(s.e[2].role, ROLE_OFFICER);
	assert_string_equal(s.communes[0], "");
	assert_string_equal(s.communes[2], "Tân Phú\nPhú Lâm");
	assert_int_equal(s.e[2].created, 300);
	assert_int_equal(s.e[2].changed, 310);
}

static void table_refuses_what_code_would(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = store_db(f->st);
	/* a hand-edited row cannot make a superuser or an officer of nothing */
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO users VALUES('x', 'root', '', 'h', 1, 1)",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO users VALUES('x', 'officer', '', 'h', 1,"
					  " 1)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO users VALUES('x', 'admin', 'A', 'h', 1,"
					  " 1)", NULL, NULL, NULL), SQLITE_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(added_user_logs_in_with_its_password_only, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(passwd_changes_hash_and_stamp, setup, teardown),
	    cmocka_unit_test_setup_teardown(passwd_stamp_moves_on_within_a_second, setup, teardown),
	    cmocka_unit_test_setup_teardown(refusals_say_why, setup, teardown),
	    cmocka_unit_test(names_are_plain),
	    cmocka_unit_test(roles_by_name),
	    cmocka_unit_test_setup_teardown(del_removes_the_user, setup, teardown),
	    cmocka_unit_test_setup_teardown(each_lists_by_name, setup, teardown),
	    cmocka_unit_test_setup_teardown(table_refuses_what_code_would, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
