/*
 * `hbmon-collector user add|passwd|del|list|log`: the dashboard's users, written to the event
 * store the running collector reads, each change recorded in the audit log in the same
 * transaction (who: "cli:" and the Unix user; from where: "local").
 */
#ifndef HBMON_USERCLI_H
#define HBMON_USERCLI_H

#include <stddef.h>
#include <time.h>

#include "audit.h"

struct collector;

/* argv[0] is "user"; c has its store, users and inventory open. Returns the exit status: 0,
 * 1 with an error naming the argument at fault, 2 with the usage for wrong arguments. */
int usercli_main(struct collector *c, int argc, char **argv);

/* A change from the command line and its audit entry in one transaction (tokencli.c too):
 * usercli_begin, the change, then usercli_commit with the change's own result rc, which
 * records act (who: "cli:" and the Unix user) and commits, or rolls the change back. Each: 0,
 * or -1 with err. */
int usercli_begin(struct collector *c, char *err, size_t errsz);
int usercli_commit(struct collector *c, int rc, time_t now, enum audit_action act,
		   const char *detail, char *err, size_t errsz);

#endif
