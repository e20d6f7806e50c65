#include "alertfsm.h"

const char *alert_state_name(enum astate s)
{
	static const char *const name[] = {"ok", "pending", "firing"};
	return s >= A_OK && s <= A_FIRING ? name[s] : "ok";
}

static enum alert_change step_missed(struct alert *al, time_t now, const struct alert_timing *t)
{
	al->met_since = 0;
	if (al->st == A_OK) {
		al->st = A_PENDING;
		al->since = now;
	}
	if (al->st == A_PENDING && now - al->since >= t->pending) {
		al->st = A_FIRING;
		al->since = now;
		return AC_FIRING;
	}
	return AC_NONE;
}

static enum alert_change step_met(struct alert *al, time_t now, const struct alert_timing *t)
{
	if (al->st == A_PENDING) {
		al->st = A_OK;
		return AC_NONE;
	}
	if (al->st != A_FIRING)
		return AC_NONE;
	if (!al->met_since)
		al->met_since = now;
	if (now - al->met_since < t->recover)
		return AC_NONE;
	al->st = A_OK;
	al->since = now;
	al->acked_by[0] = '\0';
	return AC_RESOLVED;
}

enum alert_change alert_step(struct alert *al, enum alert_input in, time_t now,
			     const struct alert_timing *t)
{
	if (in == AI_NOT_JUDGED) {
		if (al->st == A_PENDING)
			al->st = A_OK;
		return AC_NONE;
	}
	return in == AI_MISSED ? step_missed(al, now, t) : step_met(al, now, t);
}
