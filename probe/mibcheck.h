/* The profiles' MIB names checked against MIB files, where there are some: the probe itself
 * runs on numeric OIDs, so a name and its number that disagree would go unnoticed. */
#ifndef HBMON_MIBCHECK_H
#define HBMON_MIBCHECK_H

#include "errlist.h"
#include "profile.h"

/*
 * dirs: MIB folders separated by ':' (missing ones skipped). A name the files define with
 * another OID is an error ("file:line: hrStorageUsed is 1.3.6.1.2.1.25.2.3.1.6 in the MIB
 * files, not …"); a name they do not define is only counted (vendor modules a district may
 * lack). Returns the names found in the files, or -1 when no folder could be read.
 */
int mibcheck_profiles(const struct profiles *ps, const char *dirs, int *unknown,
		      struct errlist *errs);

#endif
