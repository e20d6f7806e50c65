#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rrdcached.h"
#include "groupdefs.h"
#include "rrdstore.h"

#define COMMUNE "X%C3%A3%20A"
#define DEVICE "PC%201"

struct fx {
	char dir[64];
	struct rrdstore *rs;
};

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/hbmon-rrd-XXXXXX");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	fx->rs = rrdstore_new(fx->dir, 1);
	if (!fx->rs)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	rrdstore_free(fx->rs);
	nftw(fx->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* The file's last update time and its values as numbers. */
static time_t last_update(const char *path, double *vals, size_t nvals)
{
	time_t last = 0;
	unsigned long nds = 0;
	char **names = NULL, **v = NULL;
	rrd_clear_error();
	int rc = rrd_lastupdate_r(path, &last, &nds, &names, &v);
	if (rc != 0)
		print_message("rrd_lastupdate_r: %s\n", rrd_get_error());
	assert_int_equal(rc, 0);
	assert_int_equal(nds, nvals);
	for (unsigned long i = 0; i < nds; i++) {
		vals[i] = strcmp(v[i], "U") == 0 ? NAN : strtod(v[i], NULL);
		free(names[i]);
		free(v[i]);
	}
	free(names);
	free(v);
	return last;
}

struct series {
	time_t start, end;
	unsigned long step, nds, rows;
	rrd_value_t *data;
};

static void fetch(const char *path, time_t start, time_t end, struct series *s)
{
	char **names = NULL;
	s->start = start;
	s->end = end;
	s->step = 1; /* the resolution asked for */
	rrd_clear_error();
	int rc = rrd_fetch_r(path, "AVERAGE", &s->start, &s->end, &s->step, &s->nds, &names,
			     &s->data);
	if (rc != 0)
		print_message("rrd_fetch_r: %s\n", rrd_get_error());
	assert_int_equal(rc, 0);
	for (unsigned long i = 0; i < s->nds; i++)
		free(names[i]);
	free(names);
	s->rows = (unsigned long)(s->end - s->start) / s->step;
}

/* The value of data source ds for the step ending at t. */
static double at(const struct series *s, time_t t, unsigned long ds)
{
	assert_true(t > s->start && t <= s->end);
	unsigned long row = (unsigned long)(t - s->start) / s->step - 1;
	return s->data[row * s->nds + ds];
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void path_layout(void **state)
{
	struct fx *fx = *state;
	char path[512], want[512];
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), COMMUNE, DEVICE, "system"), 0);
	snprintf(want, sizeof(want), "%s/%s/%s/system.rrd", fx->dir, COMMUNE, DEVICE);
	assert_string_equal(path, want);
	assert_int_equal(rrdstore_path(fx->rs, path, strlen(want), COMMUNE, DEVICE, "system"), -1);
	assert_int_equal(rrdstore_path(fx->rs, path, strlen(want) + 1, COMMUNE, DEVICE, "system"),
			 0);
	assert_int_equal(rrdstore_step(fx->rs), 1);
}

static void system_samples_are_stored(void **state)
{
	struct fx *fx = *state;
	char path[512], err[512] = "", v[3][32];
	const char *vals[3] = {v[0], v[1], v[2]};
	time_t now = time(NULL);
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), COMMUNE, DEVICE, "system"), 0);

	for (time_t ts = now - 10; ts <= now; ts++) {
		snprintf(v[0], sizeof(v[0]), "1");
		snprintf(v[1], sizeof(v[1]), "%lld", (long long)(1000 + ts - (now - 10)));
		snprintf(v[2], sizeof(v[2]), "%lld", (long long)(5 + ts - (now - 10)));
		int rc = rrdstore_update(fx->rs, path, &RRDG_SYSTEM, ts, vals, err, sizeof(err));
		if (rc != 1)
			print_message("update: %s\n", err);
		assert_int_equal(rc, 1);
	}
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	/* only the file: no temporary left behind */
	char devdir[512];
	snprintf(devdir, sizeof(devdir), "%s/%s/%s", fx->dir, COMMUNE, DEVICE);
	assert_int_equal(count_entries(devdir), 1);

	const struct rrdstore_stats *st = rrdstore_stats(fx->rs);
	assert_int_equal(st->updates, 11);
	assert_int_equal(st->created, 1);
	assert_int_equal(st->late, 0);
	assert_int_equal(st->errors, 0);

	double got[3];
	assert_int_equal(last_update(path, got, 3), now);
	assert_float_equal(got[DS_SYS_AVAIL], 1.0, 1e-9);
	assert_float_equal(got[DS_SYS_UPTIME], 1010.0, 1e-9);
	assert_float_equal(got[DS_SYS_RTT], 15.0, 1e-9);

	struct series s;
	fetch(path, now - 10, now, &s);
	assert_int_equal(s.step, 1);
	assert_int_equal(s.nds, 3);
	for (time_t t = now - 9; t <= now; t++) {
		assert_float_equal(at(&s, t, DS_SYS_AVAIL), 1.0, 1e-9);
		assert_float_equal(at(&s, t, DS_SYS_UPTIME), (double)(1000 + t - (now - 10)), 1e-6);
		assert_float_equal(at(&s, t, DS_SYS_RTT), (double)(5 + t - (now - 10)), 1e-6);
	}
	free(s.data);

	/* late samples are dropped and counted, never written */
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, now, vals, err, sizeof(err)), 0);
	assert_int_equal(st->late, 1);
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, now - 5, vals, err, sizeof(err)),
			 0);
	assert_int_equal(st->late, 2);
	assert_int_equal(st->updates, 11);
	assert_int_equal(st->errors, 0);
	assert_int_equal(last_update(path, got, 3), now);
	assert_float_equal(got[DS_SYS_UPTIME], 1010.0, 1e-9);

	/* "U" is an unknown value, not an error */
	const char *unknown[3] = {"0", "U", "U"};
	assert_int_equal(
	    rrdstore_update(fx->rs, path, &RRDG_SYSTEM, now + 1, unknown, err, sizeof(err)), 1);
	assert_int_equal(last_update(path, got, 3), now + 1);
	assert_float_equal(got[DS_SYS_AVAIL], 0.0, 1e-9);
	assert_true(isnan(got[DS_SYS_UPTIME]));
}

static void restart_keeps_the_last_update(void **state)
{
	struct fx *fx = *state;
	char path[512], err[512] = "";
	const char *vals[3] = {"1", "100", "7"};
	time_t now = time(NULL);
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), COMMUNE, DEVICE, "system"), 0);
	for (time_t ts = now - 10; ts <= now; ts++)
		assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, ts, vals, err, sizeof(err)),
				 1);
	rrdstore_free(fx->rs);

	/* a new store on the same directory learns the last update from the file */
	fx->rs = rrdstore_new(fx->dir, 1);
	assert_non_null(fx->rs);
	const struct rrdstore_stats *st = rrdstore_stats(fx->rs);
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, now, vals, err, sizeof(err)), 0);
	assert_int_equal(st->late, 1);
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, now - 3, vals, err, sizeof(err)),
			 0);
	assert_int_equal(st->late, 2);
	assert_int_equal(st->errors, 0);
	const char *newer[3] = {"1", "101", "8"};
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, now + 1, newer, err, sizeof(err)),
			 1);
	assert_int_equal(st->updates, 1);
	assert_int_equal(st->created, 0);
	double got[3];
	assert_int_equal(last_update(path, got, 3), now + 1);
	assert_float_equal(got[DS_SYS_UPTIME], 101.0, 1e-9);
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, now + 1, newer, err, sizeof(err)),
			 0);
	assert_int_equal(st->late, 3);
}

static void counter_reset_stores_no_negative_rate(void **state)
{
	struct fx *fx = *state;
	char path[512], err[512] = "", in[32];
	const char *vals[6] = {in, "U", "0", "0", "1", "1000000000"};
	const time_t t0 = 1700000000;
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), COMMUNE, DEVICE, "if-2"), 0);
	/* 1000 octets/s for 10 s, the agent restarts (counter back to 0), 1000 octets/s again */
	for (int k = 0; k <= 20; k++) {
		long long c = k <= 10 ? 1000LL * k : 1000LL * (k - 11);
		snprintf(in, sizeof(in), "%lld", c);
		int rc = rrdstore_update(fx->rs, path, &RRDG_IF, t0 + k, vals, err, sizeof(err));
		if (rc != 1)
			print_message("update: %s\n", err);
		assert_int_equal(rc, 1);
	}
	struct series s;
	fetch(path, t0, t0 + 20, &s);
	assert_int_equal(s.step, 1);
	assert_int_equal(s.nds, 6);
	int known = 0;
	for (unsigned long i = 0; i < s.rows * s.nds; i++)
		if (!isnan(s.data[i]))
			assert_true(s.data[i] >= 0);
	for (time_t t = t0 + 1; t <= t0 + 20; t++) {
		double r = at(&s, t, DS_IF_IN_OCTETS);
		if (t == t0 + 11) {
			assert_true(isnan(r)); /* the reset: unknown, not -10000 */
			continue;
		}
		assert_false(isnan(r));
		assert_float_equal(r, 1000.0, 1e-6);
		known++;
		assert_true(isnan(at(&s, t, DS_IF_OUT_OCTETS)));
		assert_float_equal(at(&s, t, DS_IF_IN_ERRORS), 0.0, 1e-9);
		assert_float_equal(at(&s, t, DS_IF_OPER), 1.0, 1e-9);
		assert_float_equal(at(&s, t, DS_IF_SPEED), 1e9, 1e-3);
	}
	assert_int_equal(known, 19);
	free(s.data);

	/* a 64-bit counter near its top is taken as it is */
	snprintf(in, sizeof(in), "18446744073709551615");
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_IF, t0 + 21, vals, err, sizeof(err)), 1);
}

static void files_are_independent(void **state)
{
	struct fx *fx = *state;
	char p1[512], p2[512], err[512] = "";
	const char *vals[3] = {"1", "1", "1"};
	assert_int_equal(rrdstore_path(fx->rs, p1, sizeof(p1), COMMUNE, DEVICE, "system"), 0);
	assert_int_equal(rrdstore_path(fx->rs, p2, sizeof(p2), COMMUNE, "PC%202", "system"), 0);
	assert_int_equal(rrdstore_update(fx->rs, p1, &RRDG_SYSTEM, 1700000100, vals, err, sizeof(err)),
			 1);
	/* an older sample of another device is not late */
	assert_int_equal(rrdstore_update(fx->rs, p2, &RRDG_SYSTEM, 1700000000, vals, err, sizeof(err)),
			 1);
	assert_int_equal(rrdstore_update(fx->rs, p1, &RRDG_SYSTEM, 1700000050, vals, err, sizeof(err)),
			 0);
	assert_int_equal(rrdstore_update(fx->rs, p2, &RRDG_SYSTEM, 1700000050, vals, err, sizeof(err)),
			 1);
	assert_int_equal(rrdstore_stats(fx->rs)->created, 2);
	double got[3];
	assert_int_equal(last_update(p1, got, 3), 1700000100);
	assert_int_equal(last_update(p2, got, 3), 1700000050);
}

static void errors_are_reported(void **state)
{
	struct fx *fx = *state;
	char path[512], err[512], file[512];
	const char *vals[3] = {"1", "1", "1"};
	const struct rrdstore_stats *st = rrdstore_stats(fx->rs);

	/* a file that is not an RRD */
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), COMMUNE, DEVICE, "system"), 0);
	snprintf(file, sizeof(file), "%s/%s", fx->dir, COMMUNE);
	assert_int_equal(mkdir(file, 0755), 0);
	snprintf(file, sizeof(file), "%s/%s/%s", fx->dir, COMMUNE, DEVICE);
	assert_int_equal(mkdir(file, 0755), 0);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("not an rrd file\n", f);
	fclose(f);
	err[0] = '\0';
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, 1700000000, vals, err, sizeof(err)),
			 -1);
	print_message("  %s\n", err);
	assert_non_null(strstr(err, path));
	assert_int_equal(st->errors, 1);

	/* a directory that cannot be made: the commune "directory" is a file */
	snprintf(file, sizeof(file), "%s/plainfile", fx->dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), "plainfile", DEVICE, "system"), 0);
	err[0] = '\0';
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, 1700000000, vals, err, sizeof(err)),
			 -1);
	print_message("  %s\n", err);
	assert_non_null(strstr(err, path));
	assert_int_equal(st->errors, 2);

	/* a value librrd refuses: an error, and the sample's time is not used up */
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), COMMUNE, "PC%202", "system"), 0);
	const char *bad[3] = {"1", "lots", "1"};
	err[0] = '\0';
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, 1700000000, bad, err, sizeof(err)),
			 -1);
	print_message("  %s\n", err);
	assert_non_null(strstr(err, path));
	assert_int_equal(st->errors, 3);
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, 1700000000, vals, err, sizeof(err)),
			 1);
	assert_int_equal(st->errors, 3);
}

/* Updates of several files in any order: each file gets its own in time order, once each. */
static void batch_write_groups_per_file(void **state)
{
	struct fx *fx = *state;
	char p[3][4096];
	const char *groups[] = {"if-1", "if-2", "system"};
	for (int i = 0; i < 3; i++)
		assert_int_equal(rrdstore_path(fx->rs, p[i], sizeof(p[i]), COMMUNE, DEVICE, groups[i]), 0);
	time_t t0 = 1700000000;
	struct rrd_update u[16];
	size_t n = 0;
	/* shuffled: ts descending, files interleaved, one duplicate timestamp */
	for (int k = 4; k >= 0; k--) {
		u[n++] = (struct rrd_update){p[0], "100:200:0:0:1:1000", &RRDG_IF, t0 + k, 9};
		u[n++] = (struct rrd_update){p[2], "1:5:3", &RRDG_SYSTEM, t0 + k, 9};
		u[n++] = (struct rrd_update){p[1], "U:U:U:U:2:U", &RRDG_IF, t0 + k, 9};
	}
	u[n++] = (struct rrd_update){p[2], "0:5:3", &RRDG_SYSTEM, t0 + 4, 9};
	assert_int_equal(rrdstore_write(fx->rs, u, n), 0);
	int written = 0, late = 0;
	for (size_t i = 0; i < n; i++) {
		assert_true(u[i].result == 1 || u[i].result == 0);
		written += u[i].result == 1;
		late += u[i].result == 0;
	}
	assert_int_equal(written, 15);
	assert_int_equal(late, 1);
	double v[6];
	assert_int_equal(last_update(p[0], v, 6), t0 + 4);
	assert_int_equal(last_update(p[1], v, 6), t0 + 4);
	assert_int_equal(v[DS_IF_OPER], 2);
	assert_int_equal(last_update(p[2], v, 3), t0 + 4);
	assert_int_equal(rrdstore_stats(fx->rs)->created, 3);
	assert_int_equal(rrdstore_stats(fx->rs)->updates, 15);
	assert_int_equal(rrdstore_stats(fx->rs)->late, 1);
}

/* A file made before its group gained a data source is tuned in place, history kept. */
static void old_file_gains_new_data_sources(void **state)
{
	struct fx *fx = *state;
	char path[4096], err[256], dir[4200];
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), COMMUNE, DEVICE, "system"), 0);
	snprintf(dir, sizeof(dir), "%s/%s", fx->dir, COMMUNE);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/%s/%s", fx->dir, COMMUNE, DEVICE);
	assert_int_equal(mkdir(dir, 0755), 0);
	/* the older layout: availability and uptime only */
	const char *old[] = {"DS:avail:GAUGE:3:0:1", "DS:uptime:GAUGE:3:0:U", "RRA:AVERAGE:0.5:1:100"};
	time_t t0 = 1700000000;
	assert_int_equal(rrd_create_r2(path, 1, t0 - 1, 0, NULL, NULL, 3, old), 0);
	const char *two[] = {"1700000000:1:50", "1700000001:1:51"};
	assert_int_equal(rrd_updatex_r(path, NULL, 0, 2, two), 0);
	const char *vals[] = {"1", "52", "7"};
	assert_int_equal(rrdstore_update(fx->rs, path, &RRDG_SYSTEM, t0 + 2, vals, err, sizeof(err)), 1);
	double v[3];
	assert_int_equal(last_update(path, v, 3), t0 + 2);
	assert_true(v[DS_SYS_RTT] == 7);
	assert_int_equal(rrdstore_stats(fx->rs)->tuned, 1);
	struct series s;
	fetch(path, t0 - 1, t0 + 2, &s);
	assert_true(at(&s, t0 + 1, DS_SYS_UPTIME) == 51); /* history kept */
	free(s.data);
}

/* The names of a file's data sources, in file order. */
static void ds_names(const char *path, char *out, size_t outsz)
{
	time_t last;
	unsigned long nds = 0;
	char **names = NULL, **v = NULL;
	assert_int_equal(rrd_lastupdate_r(path, &last, &nds, &names, &v), 0);
	out[0] = '\0';
	for (unsigned long i = 0; i < nds; i++) {
		snprintf(out + strlen(out), outsz - strlen(out), "%s%s", i ? ":" : "", names[i]);
		free(names[i]);
		free(v[i]);
	}
	free(names);
	free(v);
}

/* Profile groups: layouts learnt from the rows, a metric arriving later is added to the file
 * in place, and values always land in their own data source, whatever order the file has
 * (after a restart the collector may learn the metrics in another order). */
static void profile_group_layouts(void **state)
{
	struct fx *fx = *state;
	char path[4096], order[256];
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), COMMUNE, DEVICE, "supply-1.1"), 0);
	struct groupdefs *gd = groupdefs_new();
	struct metric_val v1[2] = {{"level", MV_GAUGE, 40, 0, ""}, {"max", MV_GAUGE, 100, 0, ""}};
	struct group_row r1 = {"supply", "1.1", "Black", 0, v1, 2, NULL, 0};
	const struct rrd_group_def *d1 = groupdefs_for_row(gd, &r1, "district");
	assert_non_null(d1);
	assert_true(d1->dynamic);
	assert_ptr_equal(groupdefs_for_row(gd, &r1, "district"), d1); /* nothing new: the same layout */
	char vals[256];
	assert_true(groupdefs_values(d1, &r1, vals, sizeof(vals)) > 0);
	assert_string_equal(vals, "40:100");
	time_t t0 = 1700000000;
	struct rrd_update u = {path, vals, d1, t0, 0};
	assert_int_equal(rrdstore_write(fx->rs, &u, 1), 0);
	assert_int_equal(u.result, 1);

	/* a percent and an error counter appear: a new layout, the file gains them */
	struct metric_val v2[4] = {{"percent", MV_GAUGE, 39, 0, ""},
				   {"level", MV_GAUGE, 39, 0, ""},
				   {"errors", MV_COUNTER, 0, 12, ""},
				   {"descr", MV_TEXT, 0, 0, "Black"}};
	struct group_row r2 = {"supply", "1.1", "Black", 0, v2, 4, NULL, 0};
	const struct rrd_group_def *d2 = groupdefs_for_row(gd, &r2, "district");
	assert_true(d2 != d1 && d2->nds == 4 && d1->nds == 2); /* the old one is left intact */
	assert_true(groupdefs_values(d2, &r2, vals, sizeof(vals)) > 0);
	assert_string_equal(vals, "39:U:39:12"); /* level, max (absent), percent, errors */
	u = (struct rrd_update){path, vals, d2, t0 + 1, 0};
	assert_int_equal(rrdstore_write(fx->rs, &u, 1), 0);
	assert_int_equal(u.result, 1);
	ds_names(path, order, sizeof(order));
	assert_string_equal(order, "level:max:percent:errors");
	double v[4];
	assert_int_equal(last_update(path, v, 4), t0 + 1);
	assert_true(v[0] == 39 && isnan(v[1]) && v[2] == 39);

	/* restart: a new registry learns percent first; values still go by name */
	rrdstore_free(fx->rs);
	fx->rs = rrdstore_new(fx->dir, 1);
	struct groupdefs *gd2 = groupdefs_new();
	struct metric_val v3[3] = {{"percent", MV_GAUGE, 38, 0, ""},
				   {"max", MV_GAUGE, 100, 0, ""},
				   {"level", MV_GAUGE, 38, 0, ""}};
	struct group_row r3 = {"supply", "1.1", "Black", 0, v3, 3, NULL, 0};
	const struct rrd_group_def *d3 = groupdefs_for_row(gd2, &r3, NULL);
	assert_true(groupdefs_values(d3, &r3, vals, sizeof(vals)) > 0);
	assert_string_equal(vals, "38:100:38"); /* percent, max, level */
	/* an older layout's update still queued in the same batch is placed by name too */
	char old_vals[64] = "37:100";
	struct rrd_update us[2] = {{path, vals, d3, t0 + 3, 0}, {path, old_vals, d1, t0 + 2, 0}};
	assert_int_equal(rrdstore_write(fx->rs, us, 2), 0);
	assert_int_equal(us[0].result, 1);
	assert_int_equal(us[1].result, 1);
	assert_int_equal(last_update(path, v, 4), t0 + 3);
	assert_true(v[0] == 38 && v[1] == 100 && v[2] == 38 && isnan(v[3]));
	struct series s;
	fetch(path, t0 - 1, t0 + 3, &s);
	assert_true(at(&s, t0 + 2, 0) == 37 && at(&s, t0 + 2, 1) == 100); /* level, max */
	free(s.data);
	groupdefs_free(gd);
	groupdefs_free(gd2);
}

/* One probe's made-up group names fill its own share of the layouts, not the others'. */
static void group_layouts_limited_per_probe(void **state)
{
	(void)state;
	struct groupdefs *gd = groupdefs_new();
	struct metric_val v = {"level", MV_GAUGE, 1, 0, ""};
	struct group_row r = {"", "1", "x", 0, &v, 1, NULL, 0};
	for (int i = 0; i < GROUPDEFS_PER_PROBE + 10; i++) {
		snprintf(r.group, sizeof(r.group), "forged%d", i);
		const struct rrd_group_def *d = groupdefs_for_row(gd, &r, "rogue");
		assert_true(i < GROUPDEFS_PER_PROBE ? d != NULL : d == NULL);
	}
	assert_int_equal(groupdefs_dropped(gd), 10);
	/* a group the rogue probe introduced is still used by it and by others */
	snprintf(r.group, sizeof(r.group), "forged0");
	assert_non_null(groupdefs_for_row(gd, &r, "rogue"));
	assert_non_null(groupdefs_for_row(gd, &r, "district"));
	/* another probe and an import still introduce theirs */
	snprintf(r.group, sizeof(r.group), "supply");
	assert_non_null(groupdefs_for_row(gd, &r, "district"));
	snprintf(r.group, sizeof(r.group), "ups_battery");
	assert_non_null(groupdefs_for_row(gd, &r, NULL));
	assert_int_equal(groupdefs_dropped(gd), 10);
	groupdefs_free(gd);
}

static void rrdcached_addresses(void **state)
{
	(void)state;
	char err[256];
	const char *good[] = {"unix:/run/rrdcached.sock", "/run/rrdcached.sock", "localhost",
			      "127.0.0.1:42217", "[::1]:42217", "[::1]", "cache.example:1"};
	const char *bad[] = {"", "unix:relative", ":42217", "host:0", "host:70000", "host:x",
			     "[::1", "[]:1", "[::1]x"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct rrdcached *c = rrdcached_new(good[i], 1, err, sizeof(err));
		if (!c)
			print_message("%s: %s\n", good[i], err);
		assert_non_null(c);
		assert_string_equal(rrdcached_addr(c), good[i]);
		rrdcached_free(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		struct rrdcached *c = rrdcached_new(bad[i], 1, err, sizeof(err));
		if (c)
			print_message("accepted: %s\n", bad[i]);
		assert_null(c);
		assert_non_null(strstr(err, "rrdcached address"));
	}
	assert_false(rrdcached_path_ok("/data/a b.rrd"));
	assert_false(rrdcached_path_ok("/data/a\nb.rrd"));
	assert_true(rrdcached_path_ok("/data/X%C3%A3/a.rrd"));
}

/* No daemon there: every update is reported as not stored (to be sent again), none lost. */
static void rrdcached_down_marks_updates_for_resend(void **state)
{
	struct fx *fx = *state;
	char path[4096], err[256], sock[128];
	snprintf(sock, sizeof(sock), "unix:%s/no-such.sock", fx->dir);
	assert_int_equal(rrdstore_use_rrdcached(fx->rs, sock, err, sizeof(err)), 0);
	assert_int_equal(rrdstore_path(fx->rs, path, sizeof(path), COMMUNE, DEVICE, "system"), 0);
	struct rrd_update u[2] = {{path, "1:2:3", &RRDG_SYSTEM, 1700000000, 9},
				  {path, "1:2:3", &RRDG_SYSTEM, 1700000001, 9}};
	assert_int_equal(rrdstore_write(fx->rs, u, 2), -1);
	assert_int_equal(u[0].result, -2);
	assert_int_equal(u[1].result, -2);
	assert_int_equal(rrdstore_stats(fx->rs)->updates, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(path_layout),
		T(system_samples_are_stored),
		T(restart_keeps_the_last_update),
		T(counter_reset_stores_no_negative_rate),
		T(files_are_independent),
		T(errors_are_reported),
		T(batch_write_groups_per_file),
		T(old_file_gains_new_data_sources),
		T(profile_group_layouts),
		cmocka_unit_test(group_layouts_limited_per_probe),
		cmocka_unit_test(rrdcached_addresses),
		T(rrdcached_down_marks_updates_for_resend),
	};
	return cmocka_run_group_tests_name("rrdstore", tests, NULL, NULL);
}
