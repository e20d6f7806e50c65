#include "viewer.h"

#include <string.h>

/* communes is "A\nB\nC": an exact line, not a prefix ("Xã An" is not "Xã An Phú"). */
static int listed(const char *communes, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = communes ? communes : ""; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && memcmp(p, name, n) == 0)
			return 1;
		p += len + (e ? 1 : 0);
	}
	return 0;
}

/* Nobody logged in (no user: a request on a public path) sees and does nothing, whatever
 * its zeroed role would say. */
static int someone(const struct viewer *v) { return v && v->user && v->user[0]; }

int viewer_is_admin(const struct viewer *v) { return someone(v) && v->role == ROLE_ADMIN; }

int viewer_sees_all(const struct viewer *v)
{
	return someone(v) && (v->role == ROLE_ADMIN || v->role == ROLE_VIEWER);
}

int viewer_sees(const struct viewer *v, const char *commune)
{
	return viewer_sees_all(v) ||
	       (someone(v) && v->role == ROLE_OFFICER && listed(v->communes, commune));
}

int viewer_may_act(const struct viewer *v, const char *commune)
{
	return someone(v) && (v->role == ROLE_ADMIN ||
			      (v->role == ROLE_OFFICER && listed(v->communes, commune)));
}

long viewer_maint_max(const struct viewer *v)
{
	return viewer_is_admin(v) ? VIEWER_MAINT_MAX_ADMIN : VIEWER_MAINT_MAX_OFFICER;
}
