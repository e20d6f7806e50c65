/* The disk spool, on real files in a temporary directory: order across segments, restarts,
 * torn tails, corruption, the size cap, a full disk (RLIMIT_FSIZE) and hostile files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"
#include "spool.h"

#define HDR 28 /* record header size, part of the on-disk format */
#define MAXSEG 256

struct fx {
	char dir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/hbmon-spool-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static struct spool *open_spool(const struct fx *f, uint64_t cap)
{
	char err[256] = "";
	struct spool *s = spool_open(f->dir, cap, err, sizeof(err));
	if (!s)
		fail_msg("spool_open: %s", err);
	return s;
}

/* A payload that names its seq, padded to len bytes (len >= 24). */
static void payload(char *buf, uint64_t seq, size_t len)
{
	int n = snprintf(buf, len + 1, "{\"seq\":%llu,\"pad\":\"", (unsigned long long)seq);
	for (size_t i = (size_t)n; i + 2 < len; i++)
		buf[i] = (char)('a' + (seq + i) % 26);
	memcpy(buf + len - 2, "\"}", 2);
	buf[len] = '\0';
}

static size_t len_of(uint64_t seq) { return 40 + (seq * 37) % 90; }

static void append_n(struct spool *s, uint64_t from, uint64_t to, size_t fixed)
{
	char buf[512];
	for (uint64_t q = from; q <= to; q++) {
		size_t len = fixed ? fixed : len_of(q);
		payload(buf, q, len);
		assert_int_equal(spool_append(s, q, 1000 + (int64_t)q, buf, len), 0);
	}
}

/* Peeks seq, checks its payload, acknowledges it. */
static void expect_and_ack(struct spool *s, uint64_t seq, size_t fixed)
{
	uint64_t got;
	char *data, want[512];
	size_t len, wlen = fixed ? fixed : len_of(seq);
	assert_int_equal(spool_peek(s, &got, &data, &len), 1);
	assert_int_equal(got, seq);
	payload(want, seq, wlen);
	assert_int_equal(len, wlen);
	assert_memory_equal(data, want, wlen);
	assert_int_equal(data[len], '\0');
	free(data);
	assert_int_equal(spool_ack(s, seq), 0);
}

static void expect_empty(struct spool *s)
{
	uint64_t seq;
	char *data;
	size_t len;
	assert_int_equal(spool_peek(s, &seq, &data, &len), 0);
}

static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }

/* Segment files in the directory, sorted; returns their count. */
static int segs(const struct fx *f, char names[MAXSEG][64])
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strlen(e->d_name) == 26 && !strncmp(e->d_name, "seg-", 4) && n < MAXSEG)
			memcpy(names[n++], e->d_name, 27); /* 26 characters and the NUL */
	closedir(d);
	qsort(names, (size_t)n, 64, cmp_str);
	return n;
}

static void path_of(const struct fx *f, const char *name, char *out, size_t sz)
{
	int n = snprintf(out, sz, "%s/%s", f->dir, name);
	assert_true(n > 0 && (size_t)n < sz);
}

static off_t size_of(const struct fx *f, const char *name)
{
	char p[128];
	struct stat st;
	path_of(f, name, p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	return st.st_size;
}

static void write_at(const struct fx *f, const char *name, off_t off, const void *b, size_t n)
{
	char p[128];
	path_of(f, name, p, sizeof(p));
	int fd = open(p, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, b, n, off), (ssize_t)n);
	close(fd);
}

static void flip_byte(const struct fx *f, const char *name, off_t off)
{
	char p[128];
	unsigned char c;
	path_of(f, name, p, sizeof(p));
	int fd = open(p, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, off), 1);
	c ^= 0x40;
	assert_int_equal(pwrite(fd, &c, 1, off), 1);
	close(fd);
}

static void order_across_rotation(void **state)
{
	struct fx *f = *state;
	char names[MAXSEG][64];
	struct spool *s = open_spool(f, 1 << 20);
	spool_set_segment_size(s, 300);
	assert_int_equal(spool_last_seq(s), 0);
	assert_true(spool_epoch(s) != 0);
	append_n(s, 1, 30, 0);
	assert_true(segs(f, names) >= 5);
	assert_int_equal(spool_stats(s)->batches, 30);
	assert_int_equal(spool_stats(s)->oldest_wall, 1001);

	uint64_t seq;
	char *data;
	size_t len;
	assert_int_equal(spool_peek(s, &seq, &data, &len), 1);
	free(data);
	assert_int_equal(spool_peek(s, &seq, &data, &len), 1); /* same one until acked */
	free(data);
	assert_int_equal(seq, 1);
	assert_int_equal(spool_ack(s, 5), -1); /* not the oldest */
	for (uint64_t q = 1; q <= 30; q++)
		expect_and_ack(s, q, 0);
	expect_empty(s);
	assert_int_equal(spool_ack(s, 30), 0); /* again: harmless */
	assert_int_equal(spool_ack(s, 31), -1);
	assert_int_equal(segs(f, names), 0); /* acknowledged segments are unlinked */
	const struct spool_stats *st = spool_stats(s);
	assert_int_equal(st->appended, 30);
	assert_int_equal(st->acked, 30);
	assert_int_equal(st->batches, 0);
	assert_int_equal(st->bytes, 0);
	assert_int_equal(st->oldest_wall, 0);
	assert_int_equal(st->lost_batches, 0);
	spool_close(s);
}

static void reopen_keeps_state(void **state)
{
	struct fx *f = *state;
	char names[MAXSEG][64];
	struct spool *s = open_spool(f, 1 << 20);
	spool_set_segment_size(s, 200);
	uint64_t epoch = spool_epoch(s);
	append_n(s, 1, 10, 0);
	for (uint64_t q = 1; q <= 3; q++)
		expect_and_ack(s, q, 0);
	spool_close(s);

	s = open_spool(f, 1 << 20);
	spool_set_segment_size(s, 200);
	assert_int_equal(spool_epoch(s), epoch);
	assert_int_equal(spool_last_seq(s), 10);
	assert_int_equal(spool_stats(s)->batches, 7);
	assert_int_equal(spool_stats(s)->oldest_wall, 1004);
	for (uint64_t q = 4; q <= 10; q++)
		expect_and_ack(s, q, 0);
	spool_close(s);
	assert_int_equal(segs(f, names), 0);

	/* every segment gone: last_seq comes from the state file alone */
	s = open_spool(f, 1 << 20);
	assert_int_equal(spool_epoch(s), epoch);
	assert_int_equal(spool_last_seq(s), 10);
	expect_empty(s);
	char b[64];
	payload(b, 10, 30);
	assert_int_equal(spool_append(s, 10, 1, b, 30), -1);
	assert_int_equal(errno, EINVAL);
	append_n(s, 11, 11, 0);
	spool_close(s);
}

static void second_open_refused(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_spool(f, 1 << 20);
	char err[256] = "";
	assert_null(spool_open(f->dir, 1 << 20, err, sizeof(err)));
	assert_non_null(strstr(err, "in use"));
	assert_null(spool_open(f->dir, 0, err, sizeof(err)));
	spool_close(s);
}

static void torn_tail(void **state)
{
	struct fx *f = *state;
	char names[MAXSEG][64], p[128];
	struct spool *s = open_spool(f, 1 << 20);
	append_n(s, 1, 5, 0);
	spool_close(s);
	assert_int_equal(segs(f, names), 1);
	off_t sz = size_of(f, names[0]);
	path_of(f, names[0], p, sizeof(p));
	assert_int_equal(truncate(p, sz - 3), 0);
	unsigned char junk[50];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = i % 7 ? (unsigned char)(i * 29) : 0xff;
	write_at(f, names[0], sz - 3, junk, sizeof(junk));

	s = open_spool(f, 1 << 20);
	assert_int_equal(spool_stats(s)->batches, 4);
	assert_int_equal(spool_stats(s)->lost_batches, 0);
	assert_int_equal(spool_last_seq(s), 4);
	assert_int_equal(size_of(f, names[0]), sz - HDR - (off_t)len_of(5));
	expect_and_ack(s, 1, 0);
	append_n(s, 5, 6, 0); /* the cut record's seq is free again */
	spool_close(s);

	/* a header cut short */
	sz = size_of(f, names[0]);
	append_n(s = open_spool(f, 1 << 20), 7, 7, 0);
	spool_close(s);
	assert_int_equal(truncate(p, sz + 10), 0);
	s = open_spool(f, 1 << 20);
	assert_int_equal(spool_stats(s)->lost_batches, 0);
	for (uint64_t q = 2; q <= 6; q++)
		expect_and_ack(s, q, 0);
	expect_empty(s);
	spool_close(s);
}

static void corrupt_middle(void **state)
{
	struct fx *f = *state;
	char names[MAXSEG][64];
	const size_t L = 50, R = HDR + L;
	struct spool *s = open_spool(f, 1 << 20);
	append_n(s, 1, 6, L);
	spool_close(s);
	assert_int_equal(segs(f, names), 1);
	flip_byte(f, names[0], 2 * (off_t)R + HDR + 10); /* payload of seq 3 */

	s = open_spool(f, 1 << 20);
	assert_int_equal(spool_stats(s)->lost_batches, 1);
	spool_close(s);
	s = open_spool(f, 1 << 20); /* the same corrupt bytes, found again: not a second loss */
	assert_int_equal(spool_stats(s)->lost_batches, 1);
	assert_int_equal(spool_stats(s)->batches, 5);
	expect_and_ack(s, 1, L);
	expect_and_ack(s, 2, L);
	expect_and_ack(s, 4, L);

	/* corrupted after it was indexed: skipped at peek time */
	flip_byte(f, names[0], 4 * (off_t)R + HDR + 1);
	expect_and_ack(s, 6, L);
	assert_int_equal(spool_stats(s)->lost_batches, 2);
	expect_empty(s);
	spool_close(s);
	s = open_spool(f, 1 << 20);
	assert_int_equal(spool_stats(s)->lost_batches, 2);
	spool_close(s);
}

/* A broken header in an older segment; records after it and later segments survive. */
static void corrupt_header_older_segment(void **state)
{
	struct fx *f = *state;
	char names[MAXSEG][64];
	const size_t L = 60, R = HDR + L;
	struct spool *s = open_spool(f, 1 << 20);
	spool_set_segment_size(s, 4 * R);
	append_n(s, 1, 12, L);
	spool_close(s);
	assert_int_equal(segs(f, names), 3);
	flip_byte(f, names[0], (off_t)R);		/* magic of seq 2 */
	unsigned char big[4] = {0xf0, 0xff, 0xff, 0x7f}; /* len of seq 6: ~2 GiB */
	write_at(f, names[1], (off_t)R + 4, big, 4);
	flip_byte(f, names[1], 4 * (off_t)R - 1);	/* last byte of seq 8: bad end of segment */

	s = open_spool(f, 1 << 20);
	assert_int_equal(spool_stats(s)->lost_batches, 3);
	const uint64_t want[] = {1, 3, 4, 5, 7, 9, 10, 11, 12};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		expect_and_ack(s, want[i], L);
		if (want[i] == 5) { /* the first segment is gone, its losses are in the state */
			spool_close(s);
			s = open_spool(f, 1 << 20);
			assert_int_equal(spool_stats(s)->lost_batches, 3);
		}
	}
	expect_empty(s);
	append_n(s, 13, 13, L); /* the state is written with the next append */
	expect_and_ack(s, 13, L);
	spool_close(s);
	assert_int_equal(segs(f, names), 0); /* every segment deleted: the state alone tells */
	s = open_spool(f, 1 << 20);
	assert_int_equal(spool_stats(s)->lost_batches, 3);
	spool_close(s);
}

static void cap_drops_oldest(void **state)
{
	struct fx *f = *state;
	char names[MAXSEG][64];
	const size_t L = 100, R = HDR + L;
	const uint64_t cap = 4096;
	struct spool *s = open_spool(f, cap);
	spool_set_segment_size(s, 8 * R);
	uint64_t seq;
	char *data;
	size_t len;
	append_n(s, 1, 1, L);
	assert_int_equal(spool_peek(s, &seq, &data, &len), 1); /* in flight ... */
	free(data);
	for (uint64_t q = 2; q <= 100; q++) {
		append_n(s, q, q, L);
		off_t total = 0;
		int n = segs(f, names);
		for (int i = 0; i < n; i++)
			total += size_of(f, names[i]);
		assert_true((uint64_t)total <= cap);
	}
	assert_int_equal(spool_ack(s, 1), 0); /* ... and dropped meanwhile: a no-op */
	const struct spool_stats *st = spool_stats(s);
	assert_true(st->lost_batches > 0);
	assert_int_equal(st->batches + st->lost_batches, 100);
	assert_int_equal(st->lost_bytes, st->lost_batches * L);
	uint64_t first = 100 - st->batches + 1;
	assert_int_equal(st->oldest_wall, 1000 + (int64_t)first);
	for (uint64_t q = first; q <= 100; q++)
		expect_and_ack(s, q, L);
	expect_empty(s);
	spool_close(s);
}

static void batch_above_cap(void **state)
{
	struct fx *f = *state;
	static char big[1000];
	struct spool *s = open_spool(f, 1000);
	memset(big, 'x', sizeof(big));
	assert_int_equal(spool_append(s, 1, 1, big, sizeof(big)), -1);
	assert_int_equal(errno, EMSGSIZE);
	/* refused on the declared length alone: the 1-byte buffer is never read */
	assert_int_equal(spool_append(s, 1, 1, "x", (size_t)SPOOL_MAX_BATCH + 1), -1);
	assert_int_equal(spool_stats(s)->lost_batches, 2);
	assert_int_equal(spool_last_seq(s), 0);
	append_n(s, 1, 1, 0);
	expect_and_ack(s, 1, 0);
	spool_close(s);
}

/* write() fails with EFBIG past RLIMIT_FSIZE (SIGXFSZ ignored): what ENOSPC does. */
static void disk_full(void **state)
{
	struct fx *f = *state;
	char names[MAXSEG][64], b[200];
	const size_t L = 100;
	struct spool *s = open_spool(f, 1 << 20);
	append_n(s, 1, 5, L);
	assert_int_equal(segs(f, names), 1);
	off_t sz = size_of(f, names[0]);

	struct rlimit old, lim;
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)sz + 50; /* a record written half-way, then EFBIG */
	payload(b, 6, L);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = spool_append(s, 6, 1006, b, L);
	int e = errno;
	spool_set_segment_size(s, (uint64_t)sz); /* the next record opens a new segment */
	payload(b, 7, L);
	lim.rlim_cur = 50;
	setrlimit(RLIMIT_FSIZE, &lim);
	int rc2 = spool_append(s, 7, 1007, b, L);
	int e2 = errno;
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, prev);

	assert_int_equal(rc, -1);
	assert_int_equal(e, EFBIG);
	assert_int_equal(rc2, -1);
	assert_int_equal(e2, EFBIG);
	assert_int_equal(size_of(f, names[0]), sz); /* no half record left */
	assert_int_equal(segs(f, names), 1);	    /* the failed new segment is gone */
	const struct spool_stats *st = spool_stats(s);
	assert_int_equal(st->append_failures, 2);
	assert_int_equal(st->lost_batches, 2);
	assert_int_equal(st->lost_bytes, 2 * L);
	assert_int_equal(spool_last_seq(s), 5);
	append_n(s, 7, 8, L); /* space is back */
	spool_close(s);

	s = open_spool(f, 1 << 20);
	assert_int_equal(spool_stats(s)->lost_batches, 2); /* still told after a restart */
	assert_int_equal(spool_stats(s)->lost_bytes, 2 * L);
	const uint64_t want[] = {1, 2, 3, 4, 5, 7, 8};
	for (size_t i = 0; i < 7; i++)
		expect_and_ack(s, want[i], L);
	expect_empty(s);
	spool_close(s);
}

static void foreign_files_ignored(void **state)
{
	struct fx *f = *state;
	char p[128], q[128];
	const char *junk[] = {"README", "seg-zz.spool", "seg-0000000000000001.spool.bak",
			      "seg-000000000000000A.spool", "seg-00000000000000010.spool",
			      "state.tmp"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		write_at(f, junk[i], 0, "\xff" "SP1 garbage garbage garbage", 27);
	path_of(f, "seg-00000000000000aa.spool", p, sizeof(p));
	assert_int_equal(mkdir(p, 0700), 0);
	path_of(f, "seg-00000000000000bb.spool", p, sizeof(p));
	path_of(f, "README", q, sizeof(q));
	assert_int_equal(symlink(q, p), 0);

	struct spool *s = open_spool(f, 1 << 20);
	assert_int_equal(spool_stats(s)->batches, 0);
	assert_int_equal(spool_stats(s)->lost_batches, 0);
	assert_int_equal(spool_last_seq(s), 0);
	append_n(s, 1, 3, 0);
	spool_close(s);
	s = open_spool(f, 1 << 20);
	for (uint64_t n = 1; n <= 3; n++)
		expect_and_ack(s, n, 0);
	expect_empty(s);
	spool_close(s);
	struct stat st;
	path_of(f, "seg-zz.spool", p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, 27);
	path_of(f, "seg-00000000000000bb.spool", p, sizeof(p));
	assert_int_equal(lstat(p, &st), 0);
}

/* Hand-made segments declaring huge payloads, and garbage state and epoch files. */
static void hostile_segments(void **state)
{
	struct fx *f = *state;
	char names[MAXSEG][64];
	unsigned char h[HDR + 10] = {0xff, 'S', 'P', '1', 0xff, 0xff, 0xff, 0xff, 1};
	write_at(f, "seg-0000000000000001.spool", 0, h, sizeof(h)); /* len 4 GiB */
	h[4] = 0;
	h[5] = 0;
	h[6] = 0xc0;
	h[7] = 0x03; /* 60 MiB, under the maximum, past the end of the file */
	h[8] = 2;
	write_at(f, "seg-0000000000000002.spool", 0, h, sizeof(h));
	write_at(f, "state", 0, "acked 99999999999999999999999\nlast 1\n", 37);
	write_at(f, "epoch", 0, "zz\n", 3);

	struct spool *s = open_spool(f, 1 << 20);
	assert_int_equal(spool_stats(s)->batches, 0);
	assert_int_equal(spool_stats(s)->lost_batches, 1); /* the older one; the newer is torn */
	assert_int_equal(spool_last_seq(s), 0);
	assert_true(spool_epoch(s) != 0);
	assert_int_equal(segs(f, names), 0); /* empty segments are removed */
	expect_empty(s);
	append_n(s, 1, 2, 0);
	expect_and_ack(s, 1, 0);
	spool_close(s);
}

/* The state file lost with nothing held: last_seq is unknown, so the epoch changes. */
static void lost_state_new_epoch(void **state)
{
	struct fx *f = *state;
	char p[128];
	struct spool *s = open_spool(f, 1 << 20);
	uint64_t epoch = spool_epoch(s);
	append_n(s, 1, 3, 0);
	expect_and_ack(s, 1, 0);
	spool_close(s);
	path_of(f, "state", p, sizeof(p));
	assert_int_equal(unlink(p), 0);
	s = open_spool(f, 1 << 20); /* batches held: they tell last_seq */
	assert_int_equal(spool_epoch(s), epoch);
	assert_int_equal(spool_last_seq(s), 3);
	for (uint64_t q = 1; q <= 3; q++) /* the ack position went with the file */
		expect_and_ack(s, q, 0);
	spool_close(s);
	assert_int_equal(unlink(p), 0);
	s = open_spool(f, 1 << 20);
	assert_true(spool_epoch(s) != epoch);
	assert_int_equal(spool_last_seq(s), 0);
	spool_close(s);
}

/* The record's CRC is zlib's CRC-32 of the header up to it and the payload (the format other
 * readers rely on); the batch just stored is handed out from memory, older ones from disk,
 * and both are what was stored. */
static void record_crc_is_zlib_crc32(void **state)
{
	struct fx *f = *state;
	struct spool *s = open_spool(f, 1 << 20);
	append_n(s, 1, 2, 64);
	char names[MAXSEG][64], path[256];
	assert_int_equal(segs(f, names), 1);
	path_of(f, names[0], path, sizeof(path));
	unsigned char rec[HDR + 64];
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(rec, 1, sizeof(rec), fp), sizeof(rec));
	fclose(fp);
	uLong c = crc32(crc32(0, rec, 24), rec + HDR, 64);
	uint32_t stored = (uint32_t)rec[24] | (uint32_t)rec[25] << 8 | (uint32_t)rec[26] << 16 |
			  (uint32_t)rec[27] << 24;
	assert_int_equal(stored, (uint32_t)c);
	expect_and_ack(s, 1, 64); /* from disk: the newest is 2 */
	expect_and_ack(s, 2, 64); /* from memory */
	append_n(s, 3, 3, 64);
	spool_close(s);
	s = open_spool(f, 1 << 20); /* after a restart, from disk */
	expect_and_ack(s, 3, 64);
	expect_empty(s);
	spool_close(s);
}

int main(void)
{
	log_init("test_spool", 0, LOG_LVL_ERR);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(order_across_rotation), T(reopen_keeps_state), T(second_open_refused),
		T(torn_tail), T(corrupt_middle), T(corrupt_header_older_segment),
		T(cap_drops_oldest), T(batch_above_cap), T(disk_full),
		T(foreign_files_ignored), T(hostile_segments), T(lost_state_new_epoch),
		T(record_crc_is_zlib_crc32),
	};
	return cmocka_run_group_tests_name("spool", tests, NULL, NULL);
}
