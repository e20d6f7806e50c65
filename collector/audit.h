/*
 * The audit log: every change a person makes (logging in and out, failed log-ins,
 * acknowledgements, maintenance windows, users, API tokens), with who, when and from where, in the event
 * store's SQLite file (table audit). Written by the dashboard and the command line, read by
 * `hbmon-collector user log`. Event loop (or command line) only.
 *
 * XXX rows are kept for good: people make a few a day, but refused log-ins are written too, so
 * a stranger hammering the form grows the table (by at most ~1.3 KiB a row, see the caps) until
 * a retention rule exists.
 */
#ifndef HBMON_AUDIT_H
#define HBMON_AUDIT_H

#include <stddef.h>
#include <time.h>

#include "store.h"

/* What was done; the log stores the code audit_action_name gives. */
enum audit_action {
	AUDIT_LOGIN,	    /* "login" */
	AUDIT_LOGIN_FAILED, /* "login_failed": a wrong password, an unknown name, too many tries */
	AUDIT_LOGOUT,	    /* "logout" */
	AUDIT_ACK,	    /* "ack" */
	AUDIT_MAINT_ADD,    /* "maint_add" */
	AUDIT_MAINT_CANCEL, /* "maint_cancel" */
	AUDIT_USER_ADD,	    /* "user_add" */
	AUDIT_USER_PASSWD,  /* "user_passwd" */
	AUDIT_USER_DEL,	    /* "user_del" */
	AUDIT_TOKEN_ADD,    /* "token_add": a read-only API token issued */
	AUDIT_TOKEN_DEL,    /* "token_del" */
	AUDIT_INVENTORY_ADD, /* "inventory_add": a host of a commune's LAN added as a device */
};
/* The code of an action; NULL for a value outside the enum. */
const char *audit_action_name(enum audit_action a);

/* Creates the table and its index on ts if missing: 0, or -1 with err. users_open calls it. */
int audit_open(struct store *st, char *err, size_t errsz);

/* Caps on what one entry keeps (bytes; longer text is cut at a UTF-8 character boundary): a
 * name typed at the log-in form is whatever a stranger sent. */
#define AUDIT_USER_MAX 128
#define AUDIT_ADDR_MAX 64
#define AUDIT_DETAIL_MAX 1024

/*
 * Records one entry: 0, or -1 (logged) if the store failed or action is not one of the codes
 * above. user: who ("an", "cli:root", a name a failed log-in gave); addr: from where (the
 * client's IP address, "local"); detail: what, in a few words ("" or NULL for none). Text is
 * stored as given (within the caps), never read as SQL; escape it where it is shown.
 */
int audit_add(struct store *st, time_t ts, const char *user, const char *addr,
	      const char *action, const char *detail);

/* Strings valid during the call only; never NULL. */
struct audit_entry {
	long id;
	time_t ts;
	const char *user, *addr, *action, *detail;
};
typedef void (*audit_fn)(void *ctx, const struct audit_entry *e);
/* Entries with from <= ts < to (to 0: no end), of user alone unless NULL, newest first, at most
 * limit (limit <= 0: all). Returns how many, or -1 if the store failed (logged). */
int audit_each(struct store *st, time_t from, time_t to, const char *user, int limit,
	       audit_fn fn, void *ctx);

#endif
