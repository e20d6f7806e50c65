/*
 * The collector's command line for people: maintenance windows and acknowledgements, written
 * to the event store the running collector reads (hbmon-collector maint|ack ...).
 */
#ifndef HBMON_CLI_H
#define HBMON_CLI_H

#include <stddef.h>
#include <time.h>

#include "audit.h"
#include "viewer.h"

struct collector;

/* What a person asks for, from the command line or a dashboard form (NULL: not given). */
struct action {
	const char *commune, *site, *device, *from, *to, *note, *target, *by;
};

/* Bounds on the windows open or planned at once. */
#define MAINT_OPEN_PER_COMMUNE 10
#define MAINT_OPEN_MAX 200

/* Checked against the inventory and the bounds (at most max_len seconds long), then stored
 * with a->by as its author. The id, or -1 with err naming the field. */
long action_maint_add(struct collector *c, const struct action *a, long max_len, time_t now,
		      char *err, size_t errsz);
/* Ends window id if v may act for its commune: 0; -1 with err (none such, store), -2 when the
 * commune is not v's. Written to the audit log as v's from addr. */
int action_maint_cancel(struct collector *c, long id, const struct viewer *v, const char *addr,
			time_t now, char *err, size_t errsz);
/* What was done: in the audit log by who (a user name, "cli:root") from addr, and as an event
 * of the commune (its page and the events page), in both languages. */
void action_audit(struct collector *c, const struct action *a, enum audit_action what, long id,
		  const char *who, const char *addr, time_t now);
long action_ack(struct collector *c, const struct action *a, time_t now, char *err,
		size_t errsz);

/* argv[0] is the subcommand. Returns the exit status; errors name the argument at fault. */
int cli_main(struct collector *c, int argc, char **argv);

#endif
