/*
 * `hbmon-collector token add|del|list`: read-only API tokens (tokens.h), written to the event
 * store the running collector reads, each issue and deletion recorded in the audit log in the
 * same transaction.
 */
#ifndef HBMON_TOKENCLI_H
#define HBMON_TOKENCLI_H

struct collector;

/* argv[0] is "token"; c has its store, tokens and inventory open. Returns the exit status: 0,
 * 1 with an error naming the argument at fault, 2 with the usage for wrong arguments. */
int tokencli_main(struct collector *c, int argc, char **argv);

#endif
