/*
 * hbmon-collector init DIR: a starting configuration for a real district (hbmon.conf,
 * inventory.csv, credentials.conf, holidays.txt), ready for --check-config and for editing.
 */
#ifndef HBMON_SITEINIT_H
#define HBMON_SITEINIT_H

#include <time.h>

/* argv[0] is "init". now dates the holidays file. Returns the exit status. */
int siteinit_main(int argc, char **argv, time_t now);

#endif
