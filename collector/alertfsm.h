/*
 * One alert's state machine, fed a judged verdict once per tick: ok → pending (missed for
 * `pending` seconds) → firing → ok again after `recover` seconds met. Not judged (outside
 * its hours, in maintenance, upstream down, no data): a pending alert is dropped, a firing
 * one stays as it is, so nothing fires or resolves on what is not known. It returns what
 * changed; recording and mailing the change is the caller's.
 */
#ifndef HBMON_ALERTFSM_H
#define HBMON_ALERTFSM_H

#include <time.h>

#include "i18n.h"

enum astate { A_OK, A_PENDING, A_FIRING };

struct alert {
	enum astate st;
	time_t since;      /* entered the state */
	time_t met_since;  /* firing and met again since; 0 while missed */
	int suppressed;    /* missed while the commune's uplink is down */
	int in_maint;      /* not judged: a maintenance window covers it */
	char acked_by[64]; /* acknowledged while firing, by whom */
	char reason[LANG_COUNT][512];
	/* for mail: what it is about ("máy quét của Bộ phận một cửa"), its problem word's and
	 * its check text's catalogue keys, and whether it is only a warning */
	char what[LANG_COUNT][200];
	char problem_key[32], check_key[48];
	int warning;
};

struct alert_timing {
	int pending; /* seconds missed before it fires */
	int recover; /* seconds met again before it resolves */
};

enum alert_change { AC_NONE, AC_FIRING, AC_RESOLVED };
/* The input of a step: missed, met, or not judged now. */
enum alert_input { AI_NOT_JUDGED = -1, AI_MET = 0, AI_MISSED = 1 };

enum alert_change alert_step(struct alert *al, enum alert_input in, time_t now,
			     const struct alert_timing *t);
/* "ok", "pending", "firing" */
const char *alert_state_name(enum astate s);

#endif
