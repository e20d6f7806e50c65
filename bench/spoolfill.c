/*
 * spoolfill: makes a probe spool the way hbmon-probe would have written it, for the catch-up
 * benchmark (bench/snmp/catchup.py). Linked with probe/spool.c and common/log.c:
 *
 *   spoolfill DIR CAP_MB epoch    opens (creating) the spool in DIR; prints
 *                                 {"epoch":"<16 hex>","last_seq":N}
 *   spoolfill DIR CAP_MB append   reads records from stdin until EOF: 8-byte little-endian
 *                                 payload length, 8-byte little-endian wall time (Unix seconds,
 *                                 signed), then the payload (a wire batch whose "seq" must be
 *                                 last_seq + 1, + 2, ...); each is stored with spool_append(seq =
 *                                 last + 1, wall), fdatasync()ed as the probe does. Prints
 *                                 {"appended":N,"payload_bytes":B,"first_seq":F,"last_seq":L,
 *                                  "lost_batches":X,"held_batches":H,"held_bytes":HB,"seconds":S}
 *
 * Exit 0, or 1 with the reason on stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "spool.h"

static int read_full(void *buf, size_t n)
{
	size_t got = fread(buf, 1, n, stdin);
	if (got == n)
		return 1;
	if (got == 0 && feof(stdin))
		return 0;
	return -1;
}

static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int main(int argc, char **argv)
{
	char err[256];
	if (argc != 4 || (strcmp(argv[3], "epoch") != 0 && strcmp(argv[3], "append") != 0)) {
		fprintf(stderr, "usage: spoolfill DIR CAP_MB epoch|append\n");
		return 2;
	}
	log_init("spoolfill", 0, LOG_LVL_WARN);
	uint64_t cap = strtoull(argv[2], NULL, 10) << 20;
	struct spool *s = spool_open(argv[1], cap, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "spoolfill: %s: %s\n", argv[1], err);
		return 1;
	}
	if (strcmp(argv[3], "epoch") == 0) {
		printf("{\"epoch\":\"%016" PRIx64 "\",\"last_seq\":%" PRIu64 "}\n", spool_epoch(s),
		       spool_last_seq(s));
		spool_close(s);
		return 0;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t first = spool_last_seq(s) + 1, n = 0, bytes = 0;
	unsigned char hdr[16];
	char *buf = NULL;
	size_t cap_buf = 0;
	int rc = 0, r;
	while ((r = read_full(hdr, sizeof(hdr))) == 1) {
		uint64_t len = le64(hdr);
		int64_t wall = (int64_t)le64(hdr + 8);
		if (len == 0 || len > SPOOL_MAX_BATCH) {
			fprintf(stderr, "spoolfill: record %" PRIu64 ": bad length %" PRIu64 "\n", n, len);
			rc = 1;
			break;
		}
		if (len > cap_buf) {
			char *nb = realloc(buf, len);
			if (!nb) {
				fprintf(stderr, "spoolfill: out of memory\n");
				rc = 1;
				break;
			}
			buf = nb;
			cap_buf = len;
		}
		if (read_full(buf, len) != 1) {
			fprintf(stderr, "spoolfill: record %" PRIu64 ": truncated\n", n);
			rc = 1;
			break;
		}
		uint64_t seq = spool_last_seq(s) + 1;
		if (spool_append(s, seq, wall, buf, len) != 0) {
			fprintf(stderr, "spoolfill: append of seq %" PRIu64 ": %s\n", seq, strerror(errno));
			rc = 1;
			break;
		}
		n++;
		bytes += len;
	}
	if (r < 0) {
		fprintf(stderr, "spoolfill: reading stdin: %s\n", strerror(errno));
		rc = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	const struct spool_stats *st = spool_stats(s);
	printf("{\"appended\":%" PRIu64 ",\"payload_bytes\":%" PRIu64 ",\"first_seq\":%" PRIu64
	       ",\"last_seq\":%" PRIu64 ",\"lost_batches\":%" PRIu64 ",\"held_batches\":%" PRIu64
	       ",\"held_bytes\":%" PRIu64 ",\"seconds\":%.3f}\n",
	       n, bytes, first, spool_last_seq(s), st->lost_batches, st->batches, st->bytes,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(buf);
	spool_close(s);
	return rc;
}
