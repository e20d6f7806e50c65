/*
 * Warnings that one client can cause once per request (a refused batch, a bad credential, a
 * cut connection) go through a limiter, so a flood stays a few lines: per kind and source
 * (usually the peer's address), at most LOGRATE_BURST lines a minute; the rest are counted and
 * told in one line when the minute is over ("batch refused: …and 2,431 more from 192.0.2.7 in
 * the last minute"). At most LOGRATE_SLOTS sources are followed at once and LOGRATE_MAX_LINES
 * lines logged a minute in all; past them, warnings are only counted and summed up together.
 * Used from one thread (the event loop).
 */
#ifndef HBMON_LOGRATE_H
#define HBMON_LOGRATE_H

#include <stdint.h>
#include <time.h>

#define LOGRATE_BURST 5
#define LOGRATE_SLOTS 64
#define LOGRATE_MAX_LINES 60
#define LOGRATE_KEY_MAX 64

struct lograte_slot {
	char kind[LOGRATE_KEY_MAX], source[LOGRATE_KEY_MAX];
	time_t since; /* start of its minute; 0: free */
	unsigned logged;
	uint64_t quiet;
};

struct lograte {
	const char *module; /* of the summary lines */
	struct lograte_slot slot[LOGRATE_SLOTS];
	time_t minute;      /* start of the minute counted in lines / overflow */
	unsigned lines;
	uint64_t overflow;  /* not logged and not told per source: slots or lines ran out */
	uint64_t suppressed; /* in all, for /metrics */
};

/* 1: log this warning of kind from source now; 0: it is counted, to be summarised. */
int lograte_allow(struct lograte *lr, const char *kind, const char *source, time_t now);

/* Logs the summaries of minutes that are over (call it every second or so). */
void lograte_flush(struct lograte *lr, time_t now);

/* "2,431": the thousands grouped, for the summary lines (and tests). */
void lograte_count(char *dst, size_t dstsz, uint64_t n);

#endif
