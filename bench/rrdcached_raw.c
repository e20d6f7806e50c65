/*
 * rrdcached_raw: the rrdcached floor. Feeds rrdcached over its unix socket with the BATCH
 * command, one "UPDATE <file> <ts>:<values>" line per file per round, one BATCH per round.
 *
 *   rrdcached_raw update --sock PATH --files LIST --ts0 T --spacing S --round0 R0
 *                        --rounds R --seconds SEC
 *   rrdcached_raw stats --sock PATH
 *   rrdcached_raw flushall --sock PATH --seconds SEC
 *
 * update: prints updates accepted (lines minus the errors rrdcached reports) per second.
 * stats: prints rrdcached's STATS as a JSON object.
 * flushall: sends FLUSHALL and waits until the update queue is empty and every value received
 * has been written (DataSetsWritten stops moving), at most SEC seconds; prints how long.
 * Every read and write has a 120 s socket timeout; every loop is bounded in rounds and time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"

static int fd = -1;
static char rbuf[65536];
static size_t rlen, rpos;

static void fail(const char *what)
{
	printf("{\"ok\":false,\"first_error\":\"");
	json_escape(stdout, what);
	printf(": ");
	json_escape(stdout, errno ? strerror(errno) : "protocol");
	printf("\"}\n");
	exit(1);
}

static void connect_sock(const char *path)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		fail("socket path");
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		fail("socket");
	struct timeval tv = {120, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail("connect");
}

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail("write");
		}
		p += w;
		n -= (size_t)w;
	}
}

/* One reply line, without its newline. */
static void read_line(char *dst, size_t dstsz)
{
	size_t o = 0;
	for (;;) {
		if (rpos == rlen) {
			ssize_t r = read(fd, rbuf, sizeof(rbuf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (r == 0)
					errno = 0;
				fail("read");
			}
			rlen = (size_t)r;
			rpos = 0;
		}
		char ch = rbuf[rpos++];
		if (ch == '\n')
			break;
		if (o + 1 < dstsz)
			dst[o++] = ch;
	}
	dst[o] = '\0';
}

struct stat_kv {
	char key[64];
	unsigned long long val;
};

static size_t get_stats(struct stat_kv *kv, size_t max)
{
	char line[512];
	write_all("STATS\n", 6);
	read_line(line, sizeof(line));
	long n = strtol(line, NULL, 10);
	if (n < 0 || n > 1000)
		fail("STATS reply");
	size_t k = 0;
	for (long i = 0; i < n; i++) {
		read_line(line, sizeof(line));
		char *colon = strchr(line, ':');
		if (!colon || k >= max)
			continue;
		*colon = '\0';
		snprintf(kv[k].key, sizeof(kv[k].key), "%.63s", line);
		kv[k].val = strtoull(colon + 1, NULL, 10);
		k++;
	}
	return k;
}

static unsigned long long stat_of(const struct stat_kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[i].key, key))
			return kv[i].val;
	return 0;
}

static void print_stats(const struct stat_kv *kv, size_t n)
{
	printf("{");
	for (size_t i = 0; i < n; i++) {
		printf("%s\"", i ? "," : "");
		json_escape(stdout, kv[i].key);
		printf("\":%llu", kv[i].val);
	}
	printf("}");
}

static int cmd_update(const char *list, long long ts0, long spacing, long long round0,
		      long long rounds, double seconds)
{
	FILE *f = fopen(list, "r");
	if (!f)
		fail(list);
	size_t n = 0, cap = 1024;
	char **files = malloc(cap * sizeof(*files));
	char line[4096];
	while (files && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!line[0])
			continue;
		if (n == cap) {
			cap *= 2;
			files = realloc(files, cap * sizeof(*files));
			if (!files)
				break;
		}
		files[n++] = strdup(line);
	}
	fclose(f);
	if (!files)
		fail("out of memory");
	size_t bufcap = n * 160 + 64, blen;
	char *buf = malloc(bufcap);
	if (!buf)
		fail("out of memory");

	unsigned long long sent = 0, errors = 0;
	char first_err[400] = "";
	long long done = 0;
	double t0 = now_s();
	for (long long r = round0; r < round0 + rounds; r++) {
		if (now_s() - t0 >= seconds)
			break;
		long long ts = ts0 + r * spacing;
		unsigned long long ur = (unsigned long long)r;
		blen = 0;
		for (size_t i = 0; i < n; i++) {
			const char *base = strrchr(files[i], '/');
			base = base ? base + 1 : files[i];
			int w;
			if (!strcmp(base, "system.rrd"))
				w = snprintf(buf + blen, bufcap - blen, "UPDATE %s %lld:1:%llu:%d\n",
					     files[i], ts, 3600 + ur * (unsigned long long)spacing,
					     (int)(1 + (i + ur) % 9));
			else
				w = snprintf(buf + blen, bufcap - blen,
					     "UPDATE %s %lld:%llu:%llu:%llu:0:1:1000000000\n", files[i],
					     ts, (unsigned long long)i * 1000003u + ur * 125000u,
					     (unsigned long long)i * 999983u + ur * 62500u, ur / 16);
			if (w < 0 || (size_t)w >= bufcap - blen)
				fail("update line too long");
			blen += (size_t)w;
		}
		write_all("BATCH\n", 6);
		read_line(line, sizeof(line));
		if (line[0] != '0')
			fail(line);
		write_all(buf, blen);
		write_all(".\n", 2);
		read_line(line, sizeof(line));
		long nerr = strtol(line, NULL, 10);
		if (nerr < 0)
			fail(line);
		for (long e = 0; e < nerr && e < (long)n + 1; e++) {
			read_line(line, sizeof(line));
			if (!first_err[0])
				snprintf(first_err, sizeof(first_err), "%.399s", line);
		}
		sent += n;
		errors += (unsigned long long)nerr;
		done++;
	}
	double el = now_s() - t0;
	unsigned long long acc = sent - errors;
	printf("{\"ok\":%s,\"files\":%zu,\"rounds_completed\":%lld,\"next_round\":%lld,"
	       "\"updates_sent\":%llu,\"updates\":%llu,\"errors\":%llu,\"seconds\":%.6f,"
	       "\"rate\":%.1f,\"first_error\":\"",
	       errors ? "false" : "true", n, done, round0 + done, sent, acc, errors, el,
	       el > 0 ? (double)acc / el : 0.0);
	json_escape(stdout, first_err);
	printf("\"}\n");
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(buf);
	return 0;
}

static int cmd_flushall(double seconds)
{
	struct stat_kv a[32], b[32];
	char line[512];
	size_t na = get_stats(a, 32), nb;
	unsigned long long written0 = stat_of(a, na, "DataSetsWritten");
	double t0 = now_s();
	write_all("FLUSHALL\n", 9);
	read_line(line, sizeof(line));
	if (line[0] != '0')
		fail(line);
	/* done when the queue is empty and nothing has been written for 100 ms */
	unsigned long long last = written0;
	double stable_since = now_s(), t_done = t0;
	int ok = 0;
	for (int i = 0; i < 1000000 && now_s() - t0 < seconds; i++) {
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
		nb = get_stats(b, 32);
		unsigned long long w = stat_of(b, nb, "DataSetsWritten");
		if (w != last) {
			last = w;
			stable_since = now_s();
			t_done = stable_since;
		}
		if (stat_of(b, nb, "QueueLength") == 0 && now_s() - stable_since >= 0.1) {
			ok = 1;
			break;
		}
	}
	nb = get_stats(b, 32);
	double el = t_done - t0;
	unsigned long long ds = stat_of(b, nb, "DataSetsWritten") - written0;
	printf("{\"ok\":%s,\"seconds\":%.6f,\"values_written\":%llu,\"files_written\":%llu,"
	       "\"rate\":%.1f,\"stats_after\":",
	       ok ? "true" : "false", el, ds,
	       stat_of(b, nb, "UpdatesWritten") - stat_of(a, na, "UpdatesWritten"),
	       el > 0 ? (double)ds / el : 0.0);
	print_stats(b, nb);
	printf(",\"first_error\":\"%s\"}\n", ok ? "" : "flush did not finish in time");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rrdcached_raw update|stats|flushall --sock PATH ...\n");
		return 2;
	}
	const char *cmd = argv[1], *sock = NULL, *list = NULL;
	long long ts0 = 0, round0 = 0, rounds = 1;
	long spacing = 1;
	double seconds = 60;
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--sock")) sock = v;
		else if (!strcmp(k, "--files")) list = v;
		else if (!strcmp(k, "--ts0")) ts0 = atoll(v);
		else if (!strcmp(k, "--spacing")) spacing = atol(v);
		else if (!strcmp(k, "--round0")) round0 = atoll(v);
		else if (!strcmp(k, "--rounds")) rounds = atoll(v);
		else if (!strcmp(k, "--seconds")) seconds = atof(v);
		else {
			fprintf(stderr, "rrdcached_raw: unknown option %s\n", k);
			return 2;
		}
	}
	if (!sock) {
		fprintf(stderr, "rrdcached_raw: --sock is needed\n");
		return 2;
	}
	connect_sock(sock);
	int rc = 2;
	if (!strcmp(cmd, "update")) {
		if (!list || ts0 <= 0 || spacing < 1 || rounds < 1) {
			fprintf(stderr, "rrdcached_raw update: need --files and --ts0\n");
			return 2;
		}
		rc = cmd_update(list, ts0, spacing, round0, rounds, seconds);
	} else if (!strcmp(cmd, "stats")) {
		struct stat_kv kv[32];
		size_t n = get_stats(kv, 32);
		print_stats(kv, n);
		printf("\n");
		rc = 0;
	} else if (!strcmp(cmd, "flushall")) {
		rc = cmd_flushall(seconds);
	} else {
		fprintf(stderr, "rrdcached_raw: unknown command %s\n", cmd);
	}
	write_all("QUIT\n", 5);
	close(fd);
	return rc;
}
