/*
 * rrd_raw: the librrd floor. Updates existing RRD files with rrd_update_r, one call per file per
 * round, one value each, single-threaded: what any writer built on librrd has to pay at least.
 *
 *   rrd_raw --files LIST --ts0 T --spacing S --round0 R0 --rounds R --seconds SEC
 *
 * LIST holds one .rrd path a line. Round r writes timestamp ts0 + r * spacing to every file;
 * system.rrd gets 3 values, if-<n>.rrd 6 (the data sources hbmon-collector creates). Stops
 * after R rounds or SEC seconds (checked between files), prints one JSON object.
 */
#define _GNU_SOURCE
#include <rrd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

int main(int argc, char **argv)
{
	const char *list = NULL;
	long long ts0 = 0, round0 = 0, rounds = 1;
	long spacing = 1;
	double seconds = 60;
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--files")) list = v;
		else if (!strcmp(k, "--ts0")) ts0 = atoll(v);
		else if (!strcmp(k, "--spacing")) spacing = atol(v);
		else if (!strcmp(k, "--round0")) round0 = atoll(v);
		else if (!strcmp(k, "--rounds")) rounds = atoll(v);
		else if (!strcmp(k, "--seconds")) seconds = atof(v);
		else {
			fprintf(stderr, "rrd_raw: unknown option %s\n", k);
			return 2;
		}
	}
	if (!list || ts0 <= 0 || rounds < 1 || spacing < 1) {
		fprintf(stderr, "rrd_raw: need --files and --ts0\n");
		return 2;
	}
	FILE *f = fopen(list, "r");
	if (!f) {
		perror(list);
		return 2;
	}
	size_t n = 0, cap = 1024;
	char **files = malloc(cap * sizeof(*files));
	int *is_sys = malloc(cap * sizeof(*is_sys));
	char line[4096];
	while (files && is_sys && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (n == cap) {
			cap *= 2;
			files = realloc(files, cap * sizeof(*files));
			is_sys = realloc(is_sys, cap * sizeof(*is_sys));
			if (!files || !is_sys)
				break;
		}
		const char *base = strrchr(line, '/');
		base = base ? base + 1 : line;
		is_sys[n] = strcmp(base, "system.rrd") == 0;
		files[n++] = strdup(line);
	}
	fclose(f);
	if (!files || !is_sys) {
		fprintf(stderr, "rrd_raw: out of memory\n");
		return 2;
	}

	unsigned long long updates = 0, errors = 0;
	char first_err[300] = "", val[256];
	long long done_rounds = 0;
	int timed_out = 0;
	double t0 = now_s();
	for (long long r = round0; r < round0 + rounds && !timed_out; r++) {
		long long ts = ts0 + r * spacing;
		uint64_t ur = (uint64_t)r;
		for (size_t i = 0; i < n; i++) {
			if ((i & 255) == 0 && now_s() - t0 >= seconds) {
				timed_out = 1;
				break;
			}
			if (is_sys[i])
				snprintf(val, sizeof(val), "%lld:1:%llu:%d", ts,
					 (unsigned long long)(3600 + ur * (uint64_t)spacing), (int)(1 + (i + ur) % 9));
			else
				snprintf(val, sizeof(val), "%lld:%llu:%llu:%llu:0:1:1000000000", ts,
					 (unsigned long long)(i * 1000003u + ur * 125000u),
					 (unsigned long long)(i * 999983u + ur * 62500u),
					 (unsigned long long)(ur / 16));
			const char *args[1] = {val};
			rrd_clear_error();
			if (rrd_update_r(files[i], NULL, 1, args) != 0) {
				errors++;
				if (!first_err[0])
					snprintf(first_err, sizeof(first_err), "%s: %s", files[i],
						 rrd_get_error());
			} else {
				updates++;
			}
		}
		if (!timed_out)
			done_rounds++;
	}
	double el = now_s() - t0;
	printf("{\"ok\":%s,\"files\":%zu,\"rounds_completed\":%lld,\"next_round\":%lld,"
	       "\"updates\":%llu,\"errors\":%llu,\"seconds\":%.6f,\"rate\":%.1f,\"first_error\":\"",
	       errors ? "false" : "true", n, done_rounds, round0 + done_rounds + (timed_out ? 1 : 0),
	       updates, errors, el, el > 0 ? (double)updates / el : 0.0);
	json_escape(stdout, first_err);
	printf("\"}\n");
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(is_sys);
	return 0;
}
