/*
 * Who is asking for a page or posting a form, and what their role lets them see and do: the
 * one place the rules of roles live (pages, the API and the forms all ask here).
 *   admin   — everything, maintenance windows of any length, the audit log
 *   viewer  — reads everything, changes nothing
 *   officer — reads their own communes, acknowledges and plans short maintenance there
 */
#ifndef HBMON_VIEWER_H
#define HBMON_VIEWER_H

#include <stddef.h>

#include "users.h"

/* A window longer than this needs an administrator: an officer plans a power cut or a repair,
 * not a commune silenced for a season. */
#define VIEWER_MAINT_MAX_OFFICER (3 * 86400)
#define VIEWER_MAINT_MAX_ADMIN (90 * 86400)

struct viewer {
	const char *user;     /* the name they logged in with */
	enum role role;
	const char *communes; /* an officer's communes, one per line */
	const char *csrf;     /* the session's token: every form carries it back */
};

/* 1 for an administrator: users' activity, windows of any commune and up to 90 days. */
int viewer_is_admin(const struct viewer *v);
/* 1 when v may read the commune's pages, alerts and figures. */
int viewer_sees(const struct viewer *v, const char *commune);
/* 1 when v reads every commune (admin, viewer): district-wide pages and figures. */
int viewer_sees_all(const struct viewer *v);
/* 1 when v may acknowledge an alert of the commune or plan a maintenance window there. */
int viewer_may_act(const struct viewer *v, const char *commune);
/* The longest maintenance window v may plan, in seconds. */
long viewer_maint_max(const struct viewer *v);

#endif
