#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "identstore.h"
#include "store.h"

/* The temporary store's folder removed: the SQLite file and its WAL companions, no shell. */
static void remove_store_dir(const char *dir)
{
	static const char *const names[] = {"hbmon.db", "hbmon.db-wal", "hbmon.db-shm"};
	char path[256];
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

struct seen {
	int n;
	char row[4][400];
};

static void collect(void *ctx, const struct dev_ident *d)
{
	struct seen *s = ctx;
	if (s->n < 4)
		snprintf(s->row[s->n++], sizeof(s->row[0]), "%s|%s|%s|%s|%s|%s|%lld", d->commune,
			 d->device, d->model, d->serial, d->sys_name, d->cls, (long long)d->seen);
}

/* Written on a device's first answer and when it changes, never on a steady poll; read back
 * after a reopen (the export runs while the collector is stopped). */
static void written_only_when_changed(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-identstore-XXXXXX", path[256], err[200];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hbmon.db", dir);
	struct store *st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	struct identstore *is = identstore_open(st, err, sizeof(err));
	assert_non_null(is);
	uint64_t saved = 0, other = 0;
	struct dev_ident d = {"Xã Tân Phú", "Máy in", "HP LaserJet 500", "CNCCF1K2L8", "prn-1",
			      "HP ETHERNET", "printer", 1795000000};
	assert_int_equal(identstore_save(is, &d, &saved), 1);
	d.seen += 60; /* the next poll, the same answer: nothing written */
	assert_int_equal(identstore_save(is, &d, &saved), 0);
	d.serial = "CNCCF1K2L9"; /* the printer was swapped */
	assert_int_equal(identstore_save(is, &d, &saved), 1);
	struct dev_ident pc = {"Xã Tân Phú", "Máy tính 1", "Linux pc1", "", "pc1", "Linux pc1",
			       "pc", 1795000100};
	assert_int_equal(identstore_save(is, &pc, &other), 1);
	assert_int_not_equal(saved, other);
	identstore_close(is);
	store_close(st);

	st = store_open(path, err, sizeof(err));
	is = identstore_open(st, err, sizeof(err));
	struct seen s = {0};
	assert_int_equal(identstore_each(is, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.row[0], "Xã Tân Phú|Máy in|HP LaserJet 500|CNCCF1K2L9|prn-1|printer|"
				      "1795000060");
	assert_string_equal(s.row[1], "Xã Tân Phú|Máy tính 1|Linux pc1||pc1|pc|1795000100");
	identstore_close(is);
	store_close(st);
	remove_store_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(written_only_when_changed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
