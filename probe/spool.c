#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "log.h"

#define HDR_SIZE 28	 /* magic 4, len 4, seq 8, wall 8, crc 4 */
#define CRC_COVER 24	 /* the CRC covers the header up to itself, then the payload */
#define SEG_NAME_LEN 26	 /* "seg-" 16 hex ".spool" */
#define MIN_SEG_SIZE 4096
#define IO_CHUNK 16384
#define STATE_FILE "state"
#define EPOCH_FILE "epoch"

/* 0xff never occurs in UTF-8, so a JSON payload cannot hold a false record start. */
static const unsigned char magic[4] = {0xff, 'S', 'P', '1'};

enum { REC_OK, REC_BAD };

struct hdr {
	uint32_t len;
	uint64_t seq;
	int64_t wall;
	uint32_t crc;
};

/* One held record; payloads stay on disk. */
struct rec {
	uint64_t seq;
	int64_t wall;
	uint64_t off;
	uint32_t len;
};

struct seg {
	uint64_t first; /* from the file name */
	uint64_t size;	/* end of the last valid record: where the next one goes */
	struct rec *rec;
	size_t n, cap;
	size_t done; /* rec[0 .. done) acknowledged (or skipped as corrupt) */
	/* corrupt stretches found in it: found again each time it is scanned, so they join the
	 * state file's count only once the segment is deleted */
	uint64_t lost, lost_bytes;
};

struct spool {
	char *dir;
	int dfd; /* the directory: flock()ed, *at() calls, fsync() after a create */
	int afd; /* the newest segment open for appending, -1 if not (yet) */
	int seal; /* the newest segment takes no more records (its tail could not be cut) */
	struct seg *seg; /* oldest first */
	size_t nseg, segcap;
	uint64_t seg_size, cap, disk;
	uint64_t acked_seq, last_seq, epoch;
	uint64_t failing; /* failed appends in a row: one log line per outage, one on recovery */
	int state_failing;
	int lost_unsaved; /* lost_* changed since the state file was last written */
	struct { char *data; size_t len; uint64_t seq; } newest; /* a copy, for spool_peek */
	struct spool_stats st;
};

/* Cap drops of one append, for one log line. */
struct drop {
	uint64_t batches, bytes;
	int64_t first_wall, last_wall;
};

/* CRC-32 (IEEE) by zlib, several times faster than a byte table: every batch is summed when
 * written and again when read back after a restart. Start with 0. */
static uint32_t crc_add(uint32_t c, const void *buf, size_t len)
{
	return (uint32_t)crc32_z(c, buf, len);
}

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void hdr_decode(const unsigned char *b, struct hdr *h)
{
	h->len = (uint32_t)get_le(b + 4, 4);
	h->seq = get_le(b + 8, 8);
	h->wall = (int64_t)get_le(b + 16, 8);
	h->crc = (uint32_t)get_le(b + 24, 4);
}

static void hdr_encode(unsigned char *b, uint64_t seq, int64_t wall,
		       const void *data, size_t len)
{
	memcpy(b, magic, sizeof(magic));
	put_le(b + 4, len, 4);
	put_le(b + 8, seq, 8);
	put_le(b + 16, (uint64_t)wall, 8);
	uint32_t c = crc_add(0, b, CRC_COVER);
	put_le(b + 24, crc_add(c, data, len), 4);
}

static void seterr(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* Reads len bytes at off, fewer only at end of file; returns the count or -1. */
static ssize_t pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int pwrite_full(int fd, const void *buf, size_t len, uint64_t off)
{
	while (len > 0) {
		ssize_t r = pwrite(fd, buf, len, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return -1;
		}
		buf = (const char *)buf + r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static void seg_name(uint64_t first, char name[SEG_NAME_LEN + 1])
{
	snprintf(name, SEG_NAME_LEN + 1, "seg-%016" PRIx64 ".spool", first);
}

/* Exactly 16 lower-case hex digits: one spelling per number, so name order = seq order. */
static int parse_hex16(const char *p, uint64_t *v)
{
	uint64_t x = 0;
	for (int i = 0; i < 16; i++) {
		int c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*v = x;
	return 0;
}

static int parse_seg_name(const char *n, uint64_t *first)
{
	if (strlen(n) != SEG_NAME_LEN || strncmp(n, "seg-", 4) != 0 ||
	    strcmp(n + 20, ".spool") != 0)
		return -1;
	return parse_hex16(n + 4, first);
}

/* Reads a small file whole, NUL-terminated; -1 if missing, unreadable or too large. */
static ssize_t read_small(int dfd, const char *name, char *buf, size_t sz)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = pread_full(fd, buf, sz, 0);
	close(fd);
	if (n < 0 || (size_t)n >= sz)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Replaces name by a temp file and rename(): a reader sees the old or the new content. */
static int file_replace(int dfd, const char *name, const char *data, size_t len, int durable)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int bad = pwrite_full(fd, data, len, 0) < 0 || (durable && fdatasync(fd) < 0);
	int e = errno;
	if (close(fd) < 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (!bad && renameat(dfd, tmp, dfd, name) == 0)
		return durable ? fsync(dfd) : 0;
	if (!bad)
		e = errno;
	unlinkat(dfd, tmp, 0);
	errno = e;
	return -1;
}

static int take_u64(const char **p, const char *key, uint64_t *v)
{
	size_t k = strlen(key);
	if (strncmp(*p, key, k) != 0 || (*p)[k] < '0' || (*p)[k] > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(*p + k, &end, 10);
	if (errno || *end != '\n')
		return -1;
	*v = x;
	*p = end + 1;
	return 0;
}

/* "acked N\nlast N\nlost N\nlost_bytes N\n" (20 digits at most each) and spaces; the lost
 * lines are optional (older spools have none) */
#define STATE_SIZE 128

static int state_load(struct spool *s, uint64_t *last)
{
	char buf[STATE_SIZE + 64];
	const char *p = buf;
	uint64_t lost = 0, lost_bytes = 0;
	if (read_small(s->dfd, STATE_FILE, buf, sizeof(buf)) < 0)
		return -1;
	if (take_u64(&p, "acked ", &s->acked_seq) < 0 || take_u64(&p, "last ", last) < 0 ||
	    (strncmp(p, "lost ", 5) == 0 &&
	     (take_u64(&p, "lost ", &lost) < 0 || take_u64(&p, "lost_bytes ", &lost_bytes) < 0)) ||
	    p[strspn(p, " ")]) {
		s->acked_seq = *last = 0;
		return -1;
	}
	/* the loss told on the dashboard survives restarts */
	s->st.lost_batches = lost;
	s->st.lost_bytes = lost_bytes;
	return 0;
}

/*
 * Rewritten in place at a fixed size (padded with spaces): on a full volume a new file or
 * block cannot be had, and acknowledged segments could then never be deleted to make room.
 * One sector written in place; a torn one reads as unreadable, and the held batches are sent
 * again (the collector knows them by epoch and seq).
 */
static int state_write(int dfd, const char *buf, size_t len, int durable)
{
	int fd = openat(dfd, STATE_FILE, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	int bad = pwrite_full(fd, buf, len, 0) < 0 || (durable && fdatasync(fd) < 0);
	int e = errno;
	if (close(fd) < 0 && !bad) {
		bad = 1;
		e = errno;
	}
	errno = e;
	if (!bad && durable) /* its directory entry too, the first time */
		return fsync(dfd);
	return bad ? -1 : 0;
}

/* durable: before a segment is unlinked, the only other place last_seq lives. Losses still
 * in a segment file are left out: the next open finds them there again. */
static int state_save(struct spool *s, int durable)
{
	char buf[STATE_SIZE + 1];
	uint64_t lost = s->st.lost_batches, lost_bytes = s->st.lost_bytes;
	for (size_t i = 0; i < s->nseg; i++) {
		lost -= s->seg[i].lost;
		lost_bytes -= s->seg[i].lost_bytes;
	}
	int n = snprintf(buf, sizeof(buf),
			 "acked %" PRIu64 "\nlast %" PRIu64 "\nlost %" PRIu64 "\nlost_bytes %" PRIu64
			 "\n", s->acked_seq, s->last_seq, lost, lost_bytes);
	memset(buf + n, ' ', STATE_SIZE - (size_t)n);
	if (state_write(s->dfd, buf, STATE_SIZE, durable) == 0) {
		s->lost_unsaved = 0;
		if (s->state_failing)
			log_info("spool", "%s/%s: written again", s->dir, STATE_FILE);
		s->state_failing = 0;
		return 0;
	}
	if (!s->state_failing)
		log_warn("spool", "%s/%s: cannot write (acknowledged segments kept)", s->dir,
			 STATE_FILE);
	s->state_failing = 1;
	return -1;
}

static int epoch_load(struct spool *s)
{
	char buf[32];
	if (read_small(s->dfd, EPOCH_FILE, buf, sizeof(buf)) != 17 || buf[16] != '\n' ||
	    parse_hex16(buf, &s->epoch) < 0 || s->epoch == 0)
		return -1;
	return 0;
}

static int epoch_new(struct spool *s)
{
	uint64_t v = 0;
	while (v == 0) {
		ssize_t r = getrandom(&v, sizeof(v), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof(v))
			return -1;
	}
	char buf[32];
	snprintf(buf, sizeof(buf), "%016" PRIx64 "\n", v);
	if (file_replace(s->dfd, EPOCH_FILE, buf, 17, 1) < 0)
		return -1;
	s->epoch = v;
	return 0;
}

static struct seg *seg_add(struct spool *s, uint64_t first)
{
	if (s->nseg == s->segcap) {
		size_t nc = s->segcap ? 2 * s->segcap : 16;
		struct seg *n = realloc(s->seg, nc * sizeof(*n));
		if (!n)
			return NULL;
		s->seg = n;
		s->segcap = nc;
	}
	struct seg *g = &s->seg[s->nseg++];
	memset(g, 0, sizeof(*g));
	g->first = first;
	return g;
}

/* Drops segment i from the index (not from disk); afd belongs to the newest segment. */
static void seg_forget(struct spool *s, size_t i)
{
	if (i + 1 == s->nseg && s->afd >= 0) {
		close(s->afd);
		s->afd = -1;
	}
	s->disk -= s->seg[i].size;
	free(s->seg[i].rec);
	memmove(&s->seg[i], &s->seg[i + 1], (s->nseg - i - 1) * sizeof(*s->seg));
	s->nseg--;
}

static int seg_unlink(struct spool *s, size_t i)
{
	char name[SEG_NAME_LEN + 1];
	seg_name(s->seg[i].first, name);
	if (unlinkat(s->dfd, name, 0) < 0 && errno != ENOENT) {
		log_warn("spool", "%s/%s: cannot delete", s->dir, name);
		return -1;
	}
	if (s->seg[i].lost)
		s->lost_unsaved = 1;
	seg_forget(s, i);
	return 0;
}

static int rec_reserve(struct seg *g)
{
	if (g->n < g->cap)
		return 0;
	size_t nc = g->cap ? 2 * g->cap : 64;
	struct rec *n = realloc(g->rec, nc * sizeof(*n));
	if (!n) {
		errno = ENOMEM;
		return -1;
	}
	g->rec = n;
	g->cap = nc;
	return 0;
}

static struct seg *head(struct spool *s)
{
	for (size_t i = 0; i < s->nseg; i++)
		if (s->seg[i].done < s->seg[i].n)
			return &s->seg[i];
	return NULL;
}

static void refresh_oldest(struct spool *s)
{
	struct seg *g = head(s);
	s->st.oldest_wall = g ? g->rec[g->done].wall : 0;
}

/* A batch gone for good (dropped by the cap, refused, or its append failed). */
static void count_lost(struct spool *s, uint64_t bytes)
{
	s->st.lost_batches++;
	s->st.lost_bytes += bytes;
	s->lost_unsaved = 1;
}

/* Corrupt bytes still in segment g: counted now, saved when g is deleted. */
static void seg_lost(struct spool *s, struct seg *g, uint64_t bytes)
{
	g->lost++;
	g->lost_bytes += bytes;
	s->st.lost_batches++;
	s->st.lost_bytes += bytes;
}

/* The head record leaves the held set (acknowledged, or corrupt and counted by the caller). */
static void consume(struct spool *s, struct seg *g)
{
	s->st.batches--;
	s->st.bytes -= g->rec[g->done].len;
	g->done++;
}

/*
 * Checks the record at off in a file of size bytes without trusting it: the declared length
 * is bounded and compared with the file before anything is read, and payloads are checked
 * in chunks, never allocated. Returns REC_OK, REC_BAD or -1 on I/O error.
 */
static int rec_check(int fd, uint64_t off, uint64_t size, struct hdr *h)
{
	unsigned char b[IO_CHUNK];
	if (off > size || size - off < HDR_SIZE)
		return REC_BAD;
	ssize_t r = pread_full(fd, b, HDR_SIZE, off);
	if (r < 0)
		return -1;
	if (r < HDR_SIZE || memcmp(b, magic, sizeof(magic)) != 0)
		return REC_BAD;
	hdr_decode(b, h);
	if (h->len > SPOOL_MAX_BATCH || size - off - HDR_SIZE < h->len)
		return REC_BAD;
	uint32_t c = crc_add(0, b, CRC_COVER);
	for (uint64_t p = off + HDR_SIZE, end = p + h->len; p < end;) {
		size_t n = end - p < IO_CHUNK ? (size_t)(end - p) : IO_CHUNK;
		r = pread_full(fd, b, n, p);
		if (r < 0)
			return -1;
		if ((size_t)r < n)
			return REC_BAD;
		c = crc_add(c, b, n);
		p += n;
	}
	return c == h->crc ? REC_OK : REC_BAD;
}

/* Offset of the first valid record at or after from, size if none, -1 on I/O error: a
 * record start is found by its magic byte and proven by its CRC. */
static int64_t resync(int fd, uint64_t from, uint64_t size)
{
	unsigned char b[IO_CHUNK];
	struct hdr h;
	for (uint64_t p = from; p + HDR_SIZE <= size;) {
		size_t n = size - p < IO_CHUNK ? (size_t)(size - p) : IO_CHUNK;
		ssize_t r = pread_full(fd, b, n, p);
		if (r <= 0)
			return r < 0 ? -1 : (int64_t)size;
		const unsigned char *q = b, *end = b + r;
		while ((q = memchr(q, magic[0], (size_t)(end - q)))) {
			int c = rec_check(fd, p + (uint64_t)(q - b), size, &h);
			if (c < 0)
				return -1;
			if (c == REC_OK)
				return (int64_t)(p + (uint64_t)(q - b));
			q++;
		}
		p += (uint64_t)r;
	}
	return (int64_t)size;
}

static void scan_lost(struct spool *s, struct seg *g, const char *name, uint64_t off,
		      uint64_t bytes)
{
	seg_lost(s, g, bytes);
	log_warnx("spool", "%s/%s: %" PRIu64 " corrupt bytes at offset %" PRIu64
		  " skipped (counted as one lost batch)", s->dir, name, bytes, off);
}

/*
 * Bad bytes up to the end of a segment. In the newest one they are the torn tail an
 * interrupted append leaves (spool_append had not returned 0 for it): cut, not counted. In an
 * older segment they were records once synced: counted lost (for good once cut off).
 */
static void cut_tail(struct spool *s, struct seg *g, int fd, const char *name, uint64_t off,
		     uint64_t size, int newest)
{
	int cut = ftruncate(fd, (off_t)off) == 0;
	if (!cut)
		log_warn("spool", "%s/%s: cannot truncate", s->dir, name);
	if (newest) {
		log_info("spool", "%s/%s: %" PRIu64 " bytes of an interrupted append truncated",
			 s->dir, name, size - off);
		if (!cut)
			s->seal = 1;
		return;
	}
	log_warnx("spool", "%s/%s: %" PRIu64 " corrupt bytes at offset %" PRIu64
		  " cut off (counted as one lost batch)", s->dir, name, size - off, off);
	if (cut)
		count_lost(s, size - off);
	else
		seg_lost(s, g, size - off);
}

/* Indexes one segment's records; *prev is the highest seq indexed so far. A failure is told
 * in err (naming the segment), for the one line of a failed start. */
static int seg_scan(struct spool *s, struct seg *g, int newest, uint64_t *prev, char *err,
		    size_t errsz)
{
	char name[SEG_NAME_LEN + 1];
	struct stat st;
	seg_name(g->first, name);
	int fd = openat(s->dfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		goto fail;
	uint64_t size = (uint64_t)st.st_size, off = 0;
	while (off < size) {
		struct hdr h;
		int c = rec_check(fd, off, size, &h);
		if (c < 0)
			goto fail;
		if (c == REC_OK && h.seq > *prev) {
			if (rec_reserve(g) < 0)
				goto fail;
			g->rec[g->n++] = (struct rec){h.seq, h.wall, off, h.len};
			*prev = h.seq;
			off += HDR_SIZE + (uint64_t)h.len;
			continue;
		}
		if (c == REC_OK) { /* valid but out of order: not written by this spool */
			scan_lost(s, g, name, off, HDR_SIZE + (uint64_t)h.len);
			off += HDR_SIZE + (uint64_t)h.len;
			continue;
		}
		int64_t next = resync(fd, off + 1, size);
		if (next < 0)
			goto fail;
		if ((uint64_t)next == size) {
			cut_tail(s, g, fd, name, off, size, newest);
			break;
		}
		scan_lost(s, g, name, off, (uint64_t)next - off);
		off = (uint64_t)next;
	}
	g->size = off;
	close(fd);
	return 0;
fail:
	seterr(err, errsz, "%s/%s: %s", s->dir, name, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Indexes the names of regular files that are segments, oldest first. */
static int list_segments(struct spool *s)
{
	int fd = dup(s->dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct dirent *e;
	struct stat st;
	uint64_t first;
	int rc = 0;
	while ((e = readdir(d))) {
		if (parse_seg_name(e->d_name, &first) < 0 ||
		    fstatat(s->dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (!seg_add(s, first)) {
			errno = ENOMEM;
			rc = -1;
			break;
		}
	}
	closedir(d);
	if (s->nseg > 1)
		qsort(s->seg, s->nseg, sizeof(*s->seg), seg_cmp);
	return rc;
}

/* Records up to the ack position are done; the rest are held. */
static void mark_acked(struct spool *s)
{
	for (size_t i = 0; i < s->nseg; i++) {
		struct seg *g = &s->seg[i];
		while (g->done < g->n && g->rec[g->done].seq <= s->acked_seq)
			g->done++;
		s->disk += g->size;
		for (size_t j = g->done; j < g->n; j++) {
			s->st.batches++;
			s->st.bytes += g->rec[j].len;
		}
	}
}

/*
 * Unlinks the leading segments whose records are all done. The state file reaches the disk
 * first: once the newest segment is gone it alone keeps last_seq, and a restarted probe that
 * reused seqs would see new batches dropped as duplicates by the collector.
 */
static void reap(struct spool *s)
{
	if (!s->nseg || s->seg[0].done < s->seg[0].n || state_save(s, 1) < 0)
		return; /* a failed save is retried at the next ack */
	while (s->nseg && s->seg[0].done == s->seg[0].n)
		if (seg_unlink(s, 0) < 0)
			break;
	if (s->lost_unsaved) /* a deleted segment's corrupt stretches are now the state's */
		state_save(s, 0);
}

/* Epoch and state: a lost state file with no record left means last_seq is unknown, and
 * only a new epoch keeps reused seqs from looking like stored batches. */
static int load_ids(struct spool *s, int had_epoch, int had_state, uint64_t seen)
{
	if (had_epoch && (had_state || seen))
		return 0;
	if (!had_epoch && (had_state || seen))
		log_warnx("spool", "%s/%s: missing or unreadable; new epoch", s->dir, EPOCH_FILE);
	else if (had_epoch)
		log_warnx("spool", "%s/%s: missing or unreadable and no batch held; new epoch",
			  s->dir, STATE_FILE);
	if (state_save(s, 1) < 0 || epoch_new(s) < 0)
		return -1;
	return 0;
}

static int spool_load(struct spool *s, char *err, size_t errsz)
{
	uint64_t state_last = 0, seen = 0;
	int had_epoch = epoch_load(s) == 0;
	int had_state = state_load(s, &state_last) == 0;
	if (list_segments(s) < 0)
		goto fail;
	for (size_t i = 0; i < s->nseg; i++)
		if (seg_scan(s, &s->seg[i], i + 1 == s->nseg, &seen, err, errsz) < 0)
			return -1;
	s->last_seq = state_last > seen ? state_last : seen;
	if (had_epoch && !had_state && seen)
		log_warnx("spool", "%s/%s: missing or unreadable; held batches are all sent again",
			  s->dir, STATE_FILE);
	mark_acked(s);
	if (load_ids(s, had_epoch, had_state, seen) < 0)
		goto fail;
	for (size_t i = s->nseg; i-- > 0;)
		if (s->seg[i].n == 0)
			seg_unlink(s, i);
	reap(s);
	refresh_oldest(s);
	log_info("spool", "%s: %" PRIu64 " batches (%" PRIu64 " bytes) held, last seq %" PRIu64
		 ", epoch %016" PRIx64, s->dir, s->st.batches, s->st.bytes, s->last_seq, s->epoch);
	return 0;
fail:
	seterr(err, errsz, "%s: %s", s->dir, strerror(errno));
	return -1;
}

struct spool *spool_open(const char *dir, uint64_t cap_bytes, char *err, size_t errsz)
{
	struct spool *s = calloc(1, sizeof(*s));
	if (!s || !(s->dir = strdup(dir))) {
		seterr(err, errsz, "%s: out of memory", dir);
		goto fail;
	}
	s->dfd = s->afd = -1;
	if (!cap_bytes) {
		seterr(err, errsz, "%s: spool size cap is 0", dir);
		goto fail;
	}
	s->cap = cap_bytes;
	s->seg_size = cap_bytes / 4 < SPOOL_SEGMENT_SIZE ? cap_bytes / 4 : SPOOL_SEGMENT_SIZE;
	if (s->seg_size < MIN_SEG_SIZE)
		s->seg_size = MIN_SEG_SIZE;
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    (s->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		seterr(err, errsz, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (flock(s->dfd, LOCK_EX | LOCK_NB) < 0) {
		seterr(err, errsz, "%s: %s", dir,
		       errno == EWOULDBLOCK ? "in use by another process" : strerror(errno));
		goto fail;
	}
	if (spool_load(s, err, errsz) < 0)
		goto fail;
	return s;
fail:
	spool_close(s);
	return NULL;
}

void spool_close(struct spool *s)
{
	if (!s)
		return;
	if (s->afd >= 0)
		close(s->afd);
	for (size_t i = 0; i < s->nseg; i++)
		free(s->seg[i].rec);
	free(s->seg);
	free(s->newest.data);
	if (s->dfd >= 0)
		close(s->dfd); /* releases the flock */
	free(s->dir);
	free(s);
}

void spool_set_segment_size(struct spool *s, uint64_t bytes) { s->seg_size = bytes ? bytes : 1; }

/* Seconds between two wall times read from untrusted files: no signed overflow. */
static int64_t age(int64_t now, int64_t then)
{
	int64_t d;
	return __builtin_sub_overflow(now, then, &d) ? 0 : d;
}

/* Deletes the oldest segments, never the newest (it holds last_seq), while the segment files
 * plus extra bytes exceed the cap. */
static void drop_oldest(struct spool *s, uint64_t extra, struct drop *d)
{
	while (s->nseg > 1 && s->disk + extra > s->cap) {
		struct seg *g = &s->seg[0];
		for (size_t i = g->done; i < g->n; i++) {
			if (!d->batches)
				d->first_wall = g->rec[i].wall;
			d->last_wall = g->rec[i].wall;
			d->batches++;
			d->bytes += g->rec[i].len;
			count_lost(s, g->rec[i].len);
		}
		while (g->done < g->n)
			consume(s, g);
		if (seg_unlink(s, 0) < 0)
			seg_forget(s, 0); /* still on disk: indexed again at the next open */
	}
}

/*
 * Makes afd the segment the next record goes to: the newest one unless it is full, sealed or
 * must be rotated away for the cap to drop it. A new segment's directory entry is synced
 * here, or an fdatasync()ed record could vanish with its file after a power loss.
 */
static int activate(struct spool *s, uint64_t seq, uint64_t need, int rotate)
{
	char name[SEG_NAME_LEN + 1];
	struct seg *g = s->nseg ? &s->seg[s->nseg - 1] : NULL;
	if (g && !rotate && !s->seal && (g->size == 0 || g->size + need <= s->seg_size)) {
		seg_name(g->first, name);
		if (s->afd < 0)
			s->afd = openat(s->dfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
		if (s->afd < 0)
			s->seal = 1; /* the next append starts a new segment */
		return s->afd < 0 ? -1 : 0;
	}
	if (s->afd >= 0)
		close(s->afd);
	s->afd = -1;
	s->seal = 0;
	if (!(g = seg_add(s, seq))) {
		errno = ENOMEM;
		return -1;
	}
	seg_name(seq, name);
	s->afd = openat(s->dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->afd < 0 || fsync(s->dfd) < 0) {
		int e = errno;
		if (s->afd >= 0)
			unlinkat(s->dfd, name, 0);
		seg_forget(s, s->nseg - 1);
		errno = e;
		return -1;
	}
	return 0;
}

/* Leaves no half record behind: a new segment is removed (the caller may retry the same
 * seq, whose name it has), an older one cut back. */
static int append_failed(struct spool *s, size_t len)
{
	int e = errno;
	struct seg *g = s->nseg ? &s->seg[s->nseg - 1] : NULL;
	if (g && s->afd >= 0 && (g->n || seg_unlink(s, s->nseg - 1) < 0) &&
	    ftruncate(s->afd, (off_t)g->size) < 0) {
		close(s->afd);
		s->afd = -1;
		s->seal = 1; /* the tail is cut as torn at the next open */
	}
	s->st.append_failures++;
	count_lost(s, len);
	errno = e;
	if (!s->failing)
		log_warn("spool", "%s: cannot store a batch, dropped (retrying with the next)",
			 s->dir);
	s->failing++;
	errno = e;
	return -1;
}

static int write_record(struct spool *s, uint64_t seq, int64_t wall, const void *data,
			size_t len, int rotate)
{
	unsigned char h[HDR_SIZE];
	uint64_t need = HDR_SIZE + (uint64_t)len;
	hdr_encode(h, seq, wall, data, len);
	if (activate(s, seq, need, rotate) < 0)
		return append_failed(s, len);
	struct seg *g = &s->seg[s->nseg - 1];
	if (rec_reserve(g) < 0 || pwrite_full(s->afd, h, HDR_SIZE, g->size) < 0 ||
	    pwrite_full(s->afd, data, len, g->size + HDR_SIZE) < 0 || fdatasync(s->afd) < 0)
		return append_failed(s, len);
	g->rec[g->n++] = (struct rec){seq, wall, g->size, (uint32_t)len};
	g->size += need;
	s->disk += need;
	s->st.batches++;
	s->st.bytes += len;
	s->st.appended++;
	s->last_seq = seq;
	if (s->failing)
		log_info("spool", "%s: storing batches again after %" PRIu64 " failed appends", s->dir,
			 s->failing);
	s->failing = 0;
	return 0;
}

static int refuse(struct spool *s, uint64_t seq, size_t len)
{
	int e = seq <= s->last_seq ? EINVAL : EMSGSIZE;
	if (e == EINVAL)
		log_warnx("spool", "%s: batch seq %" PRIu64 " not above the last one %" PRIu64
			  "; dropped", s->dir, seq, s->last_seq);
	else
		log_warnx("spool", "%s: batch of %zu bytes exceeds the cap of %" PRIu64
			  " bytes or the maximum batch size; dropped", s->dir, len, s->cap);
	count_lost(s, len);
	errno = e;
	return -1;
}

/* A copy of the batch just stored: the uplink usually sends it next, and handing it over
 * saves reading back and summing what was written a moment ago. Without memory, no copy. */
static void keep_newest(struct spool *s, uint64_t seq, const void *data, size_t len)
{
	free(s->newest.data);
	s->newest.data = malloc(len + 1);
	if (!s->newest.data)
		return;
	memcpy(s->newest.data, data, len);
	s->newest.data[len] = '\0';
	s->newest.len = len;
	s->newest.seq = seq;
}

static int append_record(struct spool *s, uint64_t seq, int64_t wall, const void *data,
			 size_t len)
{
	uint64_t need = HDR_SIZE + (uint64_t)len;
	if (len > SPOOL_MAX_BATCH || need > s->cap || seq <= s->last_seq)
		return refuse(s, seq, len);
	struct drop d = {0};
	drop_oldest(s, need, &d);
	/* only the newest segment is left and it is too full: the record starts a new one so
	 * the old one can go once the record is safe */
	int rc = write_record(s, seq, wall, data, len, s->disk + need > s->cap);
	int e = errno;
	if (rc == 0) {
		drop_oldest(s, 0, &d);
		keep_newest(s, seq, data, len);
	}
	if (d.batches)
		log_warnx("spool", "%s: cap of %" PRIu64 " bytes reached: %" PRIu64
			  " unsent batches (%" PRIu64 " bytes) appended %" PRId64 " to %" PRId64
			  " s ago deleted", s->dir, s->cap, d.batches, d.bytes,
			  age(wall, d.first_wall), age(wall, d.last_wall));
	refresh_oldest(s);
	errno = e;
	return rc;
}

int spool_append(struct spool *s, uint64_t seq, int64_t wall, const void *data, size_t len)
{
	int rc = append_record(s, seq, wall, data, len);
	int e = errno;
	if (s->lost_unsaved) /* the loss is kept across restarts (once the state can be written) */
		state_save(s, 0);
	errno = e;
	return rc;
}

/* Reads and re-checks a held record: the disk may have changed since it was indexed. */
static int rec_read(struct spool *s, const struct seg *g, const struct rec *r, char **out)
{
	char name[SEG_NAME_LEN + 1];
	unsigned char b[HDR_SIZE];
	struct hdr h;
	seg_name(g->first, name);
	char *p = malloc((size_t)r->len + 1);
	if (!p)
		return -1;
	int fd = openat(s->dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		free(p);
		return errno == ENOENT ? REC_BAD : -1;
	}
	ssize_t n = pread_full(fd, b, HDR_SIZE, r->off);
	ssize_t m = n == HDR_SIZE ? pread_full(fd, p, r->len, r->off + HDR_SIZE) : 0;
	int e = errno;
	close(fd);
	int c = n < 0 || m < 0 ? -1 : REC_BAD;
	if (c == REC_BAD && n == HDR_SIZE && (size_t)m == r->len &&
	    memcmp(b, magic, sizeof(magic)) == 0) {
		hdr_decode(b, &h);
		uint32_t crc = crc_add(0, b, CRC_COVER);
		if (h.len == r->len && h.seq == r->seq &&
		    crc_add(crc, p, r->len) == h.crc)
			c = REC_OK;
	}
	if (c != REC_OK) {
		free(p);
		errno = e;
		return c;
	}
	p[r->len] = '\0';
	*out = p;
	return REC_OK;
}

int spool_peek(struct spool *s, uint64_t *seq, char **data, size_t *len)
{
	struct seg *g;
	while ((g = head(s))) {
		const struct rec *r = &g->rec[g->done];
		char *p;
		if (s->newest.data && s->newest.seq == r->seq) {
			*seq = r->seq;
			*data = s->newest.data;
			*len = s->newest.len;
			s->newest.data = NULL;
			return 1;
		}
		int c = rec_read(s, g, r, &p);
		if (c < 0)
			return -1;
		if (c == REC_OK) {
			*seq = r->seq;
			*data = p;
			*len = r->len;
			return 1;
		}
		log_warnx("spool", "%s: batch seq %" PRIu64 " changed on disk since it was stored;"
			  " dropped", s->dir, r->seq);
		seg_lost(s, g, r->len);
		consume(s, g);
		reap(s);
		refresh_oldest(s);
	}
	return 0;
}

int spool_ack(struct spool *s, uint64_t seq)
{
	struct seg *g = head(s);
	if (!g || seq < g->rec[g->done].seq) {
		if (seq <= s->last_seq)
			return 0; /* acknowledged already, or dropped by the cap meanwhile */
		errno = EINVAL;
		return -1;
	}
	if (seq != g->rec[g->done].seq) {
		errno = EINVAL;
		return -1;
	}
	consume(s, g);
	s->acked_seq = seq;
	s->st.acked++;
	if (g->done == g->n)
		reap(s);
	else
		state_save(s, 0);
	refresh_oldest(s);
	return 0;
}

uint64_t spool_last_seq(const struct spool *s) { return s->last_seq; }
uint64_t spool_epoch(const struct spool *s) { return s->epoch; }
const struct spool_stats *spool_stats(const struct spool *s) { return &s->st; }
