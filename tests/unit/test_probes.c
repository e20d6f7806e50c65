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

#include "probes.h"
#include "store.h"

struct fx {
	char dir[64], db[96];
	struct store *st;
	struct probes *p;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[200];
	snprintf(f->dir, sizeof(f->dir), "/tmp/hbmon-probes-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/hbmon.db", f->dir);
	f->st = store_open(f->db, err, sizeof(err));
	assert_non_null(f->st);
	f->p = probes_open(f->st, err, sizeof(err));
	assert_non_null(f->p);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char path[128];
	probes_close(f->p);
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

static void issued_secret_proves_its_name_only(void **state)
{
	struct fx *f = *state;
	char a[PROBE_SECRET_LEN + 1], b[PROBE_SECRET_LEN + 1], err[200];
	assert_int_equal(probes_add(f->p, "district", 1000, a, err, sizeof(err)), 0);
	assert_int_equal(probes_add(f->p, "xa-tan-phu", 1000, b, err, sizeof(err)), 0);
	assert_int_equal(strlen(a), PROBE_SECRET_LEN);
	assert_string_not_equal(a, b);
	assert_int_equal(probes_check(f->p, "district", a), 1);
	assert_int_equal(probes_check(f->p, "xa-tan-phu", b), 1);
	/* another probe's secret, a changed digit, a prefix, nothing */
	assert_int_equal(probes_check(f->p, "district", b), 0);
	a[10] = a[10] == '0' ? '1' : '0';
	assert_int_equal(probes_check(f->p, "district", a), 0);
	b[20] = '\0';
	assert_int_equal(probes_check(f->p, "xa-tan-phu", b), 0);
	assert_int_equal(probes_check(f->p, "xa-tan-phu", ""), 0);
	assert_int_equal(probes_check(f->p, "nobody", a), 0);
}

static void only_a_hash_is_stored(void **state)
{
	struct fx *f = *state;
	char s[PROBE_SECRET_LEN + 1], err[200];
	assert_int_equal(probes_add(f->p, "district", 1000, s, err, sizeof(err)), 0);
	/* the whole file, read back as bytes: the secret is nowhere in it */
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(store_db(f->st), "SELECT salt || hash FROM probes", -1,
					    &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_null(strstr((const char *)sqlite3_column_text(q, 0), s));
	sqlite3_finalize(q);
}

static int n_listed, n_revoked;

static void count(void *ctx, const struct probe_entry *e)
{
	(void)ctx;
	n_listed++;
	n_revoked += e->revoked != 0;
}

static void revoked_secret_is_refused_and_can_be_reissued(void **state)
{
	struct fx *f = *state;
	char s[PROBE_SECRET_LEN + 1], t[PROBE_SECRET_LEN + 1], err[200];
	assert_int_equal(probes_add(f->p, "district", 1000, s, err, sizeof(err)), 0);
	/* a name holding a valid secret is not issued a second one */
	assert_int_equal(probes_add(f->p, "district", 1001, t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "revoke it first"));
	assert_int_equal(probes_revoke(f->p, "district", 1002, err, sizeof(err)), 0);
	assert_int_equal(probes_check(f->p, "district", s), 0);
	assert_int_equal(probes_revoke(f->p, "district", 1003, err, sizeof(err)), -1);
	n_listed = n_revoked = 0;
	assert_int_equal(probes_each(f->p, count, NULL), 0);
	assert_int_equal(n_listed, 1);
	assert_int_equal(n_revoked, 1);
	assert_int_equal(probes_add(f->p, "district", 1004, t, err, sizeof(err)), 0);
	assert_int_equal(probes_check(f->p, "district", t), 1);
	assert_int_equal(probes_check(f->p, "district", s), 0);
}

static void names_are_plain(void **state)
{
	struct fx *f = *state;
	char s[PROBE_SECRET_LEN + 1], err[200];
	assert_int_equal(probes_add(f->p, "xã", 1000, s, err, sizeof(err)), -1);
	assert_int_equal(probes_add(f->p, "", 1000, s, err, sizeof(err)), -1);
	assert_int_equal(probes_add(f->p, "a:b", 1000, s, err, sizeof(err)), -1);
	assert_int_equal(probes_valid_name("probe-1.xa_tan_phu"), 1);
	char longname[80];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(probes_valid_name(longname), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(issued_secret_proves_its_name_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(only_a_hash_is_stored, setup, teardown),
	    cmocka_unit_test_setup_teardown(revoked_secret_is_refused_and_can_be_reissued, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(names_are_plain, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
