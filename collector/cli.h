/*
 * The collector's command line for people: maintenance windows and acknowledgements, written
 * to the event store the running collector reads (hbmon-collector maint|ack ...).
 */
#ifndef HBMON_CLI_H
#define HBMON_CLI_H

struct collector;

/* argv[0] is the subcommand. Returns the exit status; errors name the argument at fault. */
int cli_main(struct collector *c, int argc, char **argv);

#endif
