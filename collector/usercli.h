/*
 * `hbmon-collector user add|passwd|del|list|log`: the dashboard's users, written to the event
 * store the running collector reads, each change recorded in the audit log in the same
 * transaction (who: "cli:" and the Unix user; from where: "local").
 */
#ifndef HBMON_USERCLI_H
#define HBMON_USERCLI_H

struct collector;

/* argv[0] is "user"; c has its store, users and inventory open. Returns the exit status: 0,
 * 1 with an error naming the argument at fault, 2 with the usage for wrong arguments. */
int usercli_main(struct collector *c, int argc, char **argv);

#endif
