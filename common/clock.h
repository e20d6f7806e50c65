/*
 * The one clock every command of both daemons reads, the CLI included. It is the wall clock,
 * or, when the environment names HBMON_CLOCK_FILE, the Unix time written in that file: tests
 * play a day in seconds and never depend on the real date.
 */
#ifndef HBMON_CLOCK_H
#define HBMON_CLOCK_H

#include <time.h>

/* Reads HBMON_CLOCK_FILE once. Returns its path when the file clock is in use, else NULL. */
const char *clock_init(void);

/* "Now" as a Unix time: the file's last readable value, the wall clock without a file. */
time_t clock_now(void);

#endif
