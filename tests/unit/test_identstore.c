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

#include "identstore.h"
#include "store.h"
#include "tempstore.h"

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
	struct dev_ident d = {.commune = "Xã Tân Phú", .device = "Máy in", .model = "HP LaserJet 500",
			      .serial = "CNCCF1K2L8", .sys_name = "prn-1", .sys_descr = "HP ETHERNET",
			      .cls = "printer", .seen = 1795000000};
	assert_int_equal(identstore_save(is, &d, &saved), 1);
	d.seen += 60; /* the next poll, the same answer: nothing written */
	assert_int_equal(identstore_save(is, &d, &saved), 0);
	d.serial = "CNCCF1K2L9"; /* the printer was swapped */
	assert_int_equal(identstore_save(is, &d, &saved), 1);
	struct dev_ident pc = {.commune = "Xã Tân Phú", .device = "Máy tính 1", .model = "Linux pc1",
			       .serial = "", .sys_name = "pc1", .sys_descr = "Linux pc1", .cls = "pc",
			       .seen = 1795000100};
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
	tempstore_remove(dir);
}

static void collect_class(void *ctx, const struct dev_ident *d)
{
	struct seen *s = ctx;
	if (s->n < 4)
		snprintf(s->row[s->n++], sizeof(s->row[0]), "%s|%s|%d|%s|%s|%s|%lld", d->device,
			 d->auto_cls, d->confidence, d->vendor, d->why, d->was, (long long)d->changed);
}

static struct store *fresh_store(char *dir, char *path, size_t pathsz)
{
	char err[200];
	assert_non_null(mkdtemp(dir));
	snprintf(path, pathsz, "%s/hbmon.db", dir);
	struct store *st = store_open(path, err, sizeof(err));
	assert_non_null(st);
	return st;
}

/* What the probe recognised a device of no inventory class as, and why, survives a restart;
 * a new reason or confidence is written, the same classification polled again is not. */
static void classification_kept(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-identstore-XXXXXX", path[256], err[200];
	struct store *st = fresh_store(dir, path, sizeof(path));
	struct identstore *is = identstore_open(st, err, sizeof(err));
	assert_non_null(is);
	uint64_t saved = 0;
	struct dev_ident d = {.commune = "Xã A", .device = "Máy in", .model = "M551", .cls = "printer",
			      .seen = 1795000000, .auto_cls = "printer", .confidence = 92,
			      .vendor = "HP", .why = "Printer-MIB supplies; vendor 11 makes printers"};
	assert_int_equal(identstore_save(is, &d, &saved), 1);
	d.seen += 60;
	assert_int_equal(identstore_save(is, &d, &saved), 0);
	/* replaced by a camera: the probe confirmed it */
	d.auto_cls = "camera";
	d.cls = "camera";
	d.confidence = 90;
	d.vendor = "Axis";
	d.why = "vendor 368 (Axis) makes cameras";
	d.was = "printer";
	d.changed = 1795000120;
	assert_int_equal(identstore_save(is, &d, &saved), 1);
	d.confidence = 91; /* a number alone changing is a change */
	assert_int_equal(identstore_save(is, &d, &saved), 1);
	identstore_close(is);
	store_close(st);

	st = store_open(path, err, sizeof(err));
	is = identstore_open(st, err, sizeof(err));
	struct seen s = {0};
	assert_int_equal(identstore_each(is, collect_class, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.row[0], "Máy in|camera|91|Axis|vendor 368 (Axis) makes cameras|"
				      "printer|1795000120");
	identstore_close(is);
	store_close(st);
	tempstore_remove(dir);
}

/* A store an older collector made (no classification columns) opens, keeps its rows, and
 * takes a classification afterwards. */
static void older_store_migrated(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-identstore-XXXXXX", path[256], err[200];
	struct store *st = fresh_store(dir, path, sizeof(path));
	assert_int_equal(sqlite3_exec(store_db(st),
				      "CREATE TABLE device_ident (commune TEXT NOT NULL, device TEXT "
				      "NOT NULL, model TEXT NOT NULL, serial TEXT NOT NULL, sys_name "
				      "TEXT NOT NULL, sys_descr TEXT NOT NULL, class TEXT NOT NULL, "
				      "seen INTEGER NOT NULL, PRIMARY KEY (commune, device));"
				      "INSERT INTO device_ident VALUES('Xã A', 'Cũ', 'M1', 'S1', 'n', "
				      "'d', 'pc', 1795000000);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	struct identstore *is = identstore_open(st, err, sizeof(err));
	assert_non_null(is);
	struct seen s = {0};
	assert_int_equal(identstore_each(is, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.row[0], "Xã A|Cũ|M1|S1|n|pc|1795000000");
	s.n = 0;
	assert_int_equal(identstore_each(is, collect_class, &s), 0);
	assert_string_equal(s.row[0], "Cũ||0||||0");
	uint64_t saved = 0;
	struct dev_ident d = {.commune = "Xã A", .device = "Cũ", .cls = "generic",
			      .seen = 1795000060, .auto_cls = "other", .confidence = 100,
			      .vendor = "HP"};
	assert_int_equal(identstore_save(is, &d, &saved), 1);
	identstore_close(is);
	/* opened again: the columns are there, nothing is added twice */
	is = identstore_open(st, err, sizeof(err));
	assert_non_null(is);
	s.n = 0;
	assert_int_equal(identstore_each(is, collect_class, &s), 0);
	assert_string_equal(s.row[0], "Cũ|other|100|HP|||0");
	identstore_close(is);
	store_close(st);
	tempstore_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(written_only_when_changed),
	    cmocka_unit_test(classification_kept),
	    cmocka_unit_test(older_store_migrated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
