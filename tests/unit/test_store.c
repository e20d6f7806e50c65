/* The event store: events the database cannot take (a full disk) are held in order and
 * written when it can again, so the alert history keeps its "firing" before its "resolved". */
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

#include "log.h"
#include "store.h"

struct seen {
	int n;
	char kinds[8][16];
	char en[8][16];
	time_t ts[8];
};

static void collect(void *ctx, const struct event *e)
{
	struct seen *s = ctx;
	if (s->n < 8) {
		snprintf(s->kinds[s->n], sizeof(s->kinds[0]), "%s", e->kind);
		snprintf(s->en[s->n], sizeof(s->en[0]), "%s", e->text_en);
		s->ts[s->n] = e->ts;
	}
	s->n++;
}

static void pragma(struct store *s, const char *sql)
{
	assert_int_equal(sqlite3_exec(store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
}

static void events_held_while_the_database_is_full(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-store-XXXXXX", path[64], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hbmon.db", dir);
	struct store *s = store_open(path, err, sizeof(err));
	assert_non_null(s);
	char big[3000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* the database may not grow by a page: as full as a full disk makes it */
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA page_count", -1, &st, NULL), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %d", sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	pragma(s, "PRAGMA wal_checkpoint(TRUNCATE)");
	pragma(s, "PRAGMA journal_mode=DELETE");
	pragma(s, sql);
	int failed = 0, firing = 0;
	for (int i = 0; i < 4 && !failed; i++, firing++) /* until a page is needed */
		failed = store_event(s, 1000 + i, "Xã A", "pc", "firing", big, NULL) != 0 ||
			 store_retry_events(s) != 0;
	assert_true(failed);
	assert_int_equal(store_event(s, 2000, "Xã A", "pc", "resolved", big, "en"), 0); /* held */
	assert_int_equal(store_retry_events(s), -1);
	pragma(s, "PRAGMA max_page_count = 1000000"); /* room again */
	assert_int_equal(store_retry_events(s), 0);
	struct seen seen = {0};
	store_alert_events(s, 0, 3000, 100, collect, &seen);
	assert_int_equal(seen.n, firing + 1); /* none lost: the held ones written too */
	assert_string_equal(seen.kinds[seen.n - 1], "resolved"); /* after every firing */
	assert_int_equal(seen.ts[seen.n - 1], 2000);
	assert_string_equal(seen.en[seen.n - 1], "en"); /* its English held with it */
	store_close(s);
	unlink(path);
	rmdir(dir);
}

/* A store made before events had an English text: opened, it gains the column; its old
 * events read with none, new ones with theirs. */
static void old_store_gains_english_texts(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-store-XXXXXX", path[64], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hbmon.db", dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE events (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
				      " commune TEXT, subject TEXT, kind TEXT NOT NULL, text TEXT);"
				      "INSERT INTO events(ts, commune, subject, kind, text)"
				      " VALUES(100, 'Xã A', 'pc', 'firing', 'máy tính');",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	struct store *s = store_open(path, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(store_event(s, 200, "Xã A", "pc", "resolved", "đã đạt", "met again"), 0);
	struct seen seen = {0};
	assert_int_equal(store_alert_events(s, 0, 300, 10, collect, &seen), 2);
	assert_string_equal(seen.en[0], "");
	assert_string_equal(seen.en[1], "met again");
	store_close(s);
	s = store_open(path, err, sizeof(err)); /* opened again: nothing to add */
	assert_non_null(s);
	store_close(s);
	unlink(path);
	rmdir(dir);
}

struct windows {
	int n;
	long id[4];
	char by[4][32];
};

static void collect_window(void *ctx, const struct maint *m)
{
	struct windows *w = ctx;
	if (w->n < 4) {
		w->id[w->n] = m->id;
		snprintf(w->by[w->n], sizeof(w->by[0]), "%s", m->by ? m->by : "(none)");
	}
	w->n++;
}

/* A window keeps its author; ended, it leaves the open list at once, whether it had begun or
 * not; a store made before authors gets the column, its windows without one. */
static void windows_authored_and_ended(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-store-XXXXXX", path[64], err[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hbmon.db", dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE maintenance (id INTEGER PRIMARY KEY, commune TEXT "
				      "NOT NULL, site TEXT, device TEXT, starts INTEGER NOT NULL, ends "
				      "INTEGER NOT NULL, note TEXT, created INTEGER NOT NULL);"
				      "INSERT INTO maintenance(commune, starts, ends, created)"
				      " VALUES('Xã A', 100, 5000, 50);",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	struct store *s = store_open(path, err, sizeof(err));
	assert_non_null(s);
	struct maint now_on = {0, "Xã A", "", "", 900, 2000, "cắt điện", "Chị Lan"};
	struct maint later = {0, "Xã B", "", "", 3000, 4000, "", "Anh Tư"};
	long a = store_maint_add(s, &now_on, 900), b = store_maint_add(s, &later, 900);
	assert_true(a > 1 && b > a);
	struct windows w = {0};
	assert_int_equal(store_maint_each(s, 1000, collect_window, &w), 3);
	assert_string_equal(w.by[0], ""); /* the old one: no author kept */
	assert_string_equal(w.by[1], "Chị Lan");
	assert_string_equal(w.by[2], "Anh Tư");
	assert_int_equal(store_maint_cancel(s, a, 1000), 1); /* begun: ends now */
	assert_int_equal(store_maint_cancel(s, b, 1000), 1); /* not begun: never will */
	assert_int_equal(store_maint_cancel(s, b, 1000), 0); /* over already */
	assert_int_equal(store_maint_cancel(s, 999, 1000), 0);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_maint_each(s, 1000, collect_window, &w), 1);
	assert_int_equal(w.id[0], 1);
	memset(&w, 0, sizeof(w));
	assert_int_equal(store_maint_each(s, 3500, collect_window, &w), 1); /* b stays ended */
	store_close(s);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	log_init("test_store", 0, LOG_LVL_ERR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(events_held_while_the_database_is_full),
		cmocka_unit_test(old_store_gains_english_texts),
		cmocka_unit_test(windows_authored_and_ended),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
