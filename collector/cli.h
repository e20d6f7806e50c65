/*
 * The collector's command line for people: maintenance windows and acknowledgements, written
 * to the event store the running collector reads (hbmon-collector maint|ack ...).
 */
#ifndef HBMON_CLI_H
#define HBMON_CLI_H

#include <stddef.h>
#include <time.h>

struct collector;

/* What a person asks for, from the command line or a dashboard form (NULL: not given). */
struct action {
	const char *commune, *site, *device, *from, *to, *note, *target, *by;
};

/* Checked against the inventory, then stored. The id, or -1 with err naming the field. */
long action_maint_add(struct collector *c, const struct action *a, time_t now, char *err,
		      size_t errsz);
long action_ack(struct collector *c, const struct action *a, time_t now, char *err,
		size_t errsz);

/* argv[0] is the subcommand. Returns the exit status; errors name the argument at fault. */
int cli_main(struct collector *c, int argc, char **argv);

#endif
