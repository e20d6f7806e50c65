/*
 * The probe's disk spool: every batch is on disk (fdatasync()ed) before it is posted and is
 * deleted only once the collector acknowledged it, so a collector outage, a cut link or a
 * SIGKILL loses nothing. Batches come out strictly oldest first, one at a time (RRD files
 * accept only time-ordered updates). No threads; the only blocking is the file I/O itself.
 *
 * On disk, in one directory owned by one process (flock()ed):
 *   seg-<16 hex digits of the first seq>.spool  segments, name order = age, rotated at
 *                                               the segment size; records are a 28-byte
 *                                               header (magic ff 'S' 'P' '1', payload length,
 *                                               seq, wall time, CRC-32 of header and payload,
 *                                               little-endian) then the payload
 *   state   "acked <seq>\nlast <seq>\nlost <n>\nlost_bytes <n>\n": the ack position, the
 *           highest seq ever appended, and the batches lost so far (told after a restart too)
 *   epoch   16 hex digits: random id of this spool; (epoch, seq) names a batch for the
 *           collector's deduplication
 * Anything else in the directory is ignored.
 */
#ifndef HBMON_SPOOL_H
#define HBMON_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_SEGMENT_SIZE (1024 * 1024)
#define SPOOL_MAX_BATCH (64u * 1024 * 1024) /* larger declared lengths are corrupt */

struct spool_stats {
	uint64_t batches, bytes;	/* held now (not yet acknowledged); payload bytes */
	int64_t oldest_wall;		/* `wall` of the oldest held batch, 0 if none */
	uint64_t lost_batches, lost_bytes; /* dropped: cap, corrupt record, refused or failed
					    * append (a corrupt stretch counts as one batch);
					    * since the spool was made, kept in its state file */
	uint64_t append_failures;	/* write / fdatasync errors (disk full ...) */
	uint64_t appended, acked;	/* by this process */
};

struct spool;

/* Opens (creating it 0700 if needed, not its parents) the spool in dir and indexes what it
 * holds: a torn tail left by an interrupted append is truncated away, corrupt records are
 * skipped and counted lost. cap_bytes bounds the segment files' total size, headers and
 * not-yet-deleted acknowledged records included; the segment size defaults to
 * min(SPOOL_SEGMENT_SIZE, cap_bytes / 4) (at least 4 KiB) because the cap drops whole
 * segments. Returns NULL with the reason in err (I/O error, directory used by another
 * process, cap_bytes 0). */
struct spool *spool_open(const char *dir, uint64_t cap_bytes, char *err, size_t errsz);
void spool_close(struct spool *s);

/* Segment size for new segments (tests; bytes, at least 1). */
void spool_set_segment_size(struct spool *s, uint64_t bytes);

/* Stores one batch; returns 0 once it and (for a new segment) its directory entry are
 * fdatasync()ed. seq must be above spool_last_seq(); wall is the caller's clock, kept with
 * the batch. If the cap would be exceeded, the oldest segments are deleted first, held
 * batches included (counted lost, one warning). Returns -1 with errno (EMSGSIZE: above
 * SPOOL_MAX_BATCH or the cap; EINVAL: seq not increasing; EFBIG / ENOSPC / EIO ...) and the
 * batch counted lost; a failed write is truncated away and the next append tries again. */
int spool_append(struct spool *s, uint64_t seq, int64_t wall, const void *data, size_t len);

/* The oldest batch not yet acknowledged: returns 1 and sets *seq, *data (malloc'd, one NUL
 * after the payload, the caller frees) and *len; 0 when none; -1 on I/O error. Repeated
 * without an ack it returns the same batch. A record found corrupt here is skipped, counted
 * lost, and the next one returned. */
int spool_peek(struct spool *s, uint64_t *seq, char **data, size_t *len);

/* Acknowledges the batch spool_peek returned. A segment whose batches are all acknowledged is
 * unlinked. Returns 0, also for a seq already acknowledged or dropped meanwhile by the cap;
 * -1 (EINVAL) for a seq that is not the oldest held batch. The ack position is written to
 * the state file without fsync (the collector deduplicates a batch sent again), except
 * before a segment is unlinked. */
int spool_ack(struct spool *s, uint64_t seq);

/* Highest seq ever appended, kept across restarts (0 for a new spool). */
uint64_t spool_last_seq(const struct spool *s);
/* Random non-zero id made with the spool; a new one is made if the epoch file is lost, or if
 * the state file is lost while no segment tells the last seq (so reused seqs never look like
 * batches the collector already has). */
uint64_t spool_epoch(const struct spool *s);
const struct spool_stats *spool_stats(const struct spool *s);

#endif
