#include "lograte.h"

#include <stdio.h>
#include <string.h>

#include "log.h"

void lograte_count(char *dst, size_t dstsz, uint64_t n)
{
	char digits[24], out[32];
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
	size_t o = 0;
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(dst, dstsz, "%s", out);
}

static void summarise(struct lograte *lr, struct lograte_slot *s)
{
	char n[32];
	if (s->quiet) {
		lograte_count(n, sizeof(n), s->quiet);
		log_warnx(lr->module, "%s: …and %s more from %s in the last minute", s->kind, n,
			  s->source);
	}
	s->since = 0;
}

static struct lograte_slot *find(struct lograte *lr, const char *kind, const char *source)
{
	for (size_t i = 0; i < LOGRATE_SLOTS; i++) {
		struct lograte_slot *s = &lr->slot[i];
		if (s->since && strcmp(s->kind, kind) == 0 && strcmp(s->source, source) == 0)
			return s;
	}
	return NULL;
}

static struct lograte_slot *take_free(struct lograte *lr, const char *kind, const char *source,
				      time_t now)
{
	for (size_t i = 0; i < LOGRATE_SLOTS; i++) {
		struct lograte_slot *s = &lr->slot[i];
		if (!s->since) {
			snprintf(s->kind, sizeof(s->kind), "%s", kind);
			snprintf(s->source, sizeof(s->source), "%s", source);
			s->since = now;
			s->logged = 0;
			s->quiet = 0;
			return s;
		}
	}
	return NULL;
}

int lograte_allow(struct lograte *lr, const char *kind, const char *source, time_t now)
{
	lograte_flush(lr, now);
	struct lograte_slot *s = find(lr, kind, source);
	if (!s)
		s = take_free(lr, kind, source, now);
	if (s && s->logged < LOGRATE_BURST && lr->lines < LOGRATE_MAX_LINES) {
		s->logged++;
		lr->lines++;
		return 1;
	}
	if (s)
		s->quiet++;
	else
		lr->overflow++;
	lr->suppressed++;
	return 0;
}

void lograte_flush(struct lograte *lr, time_t now)
{
	for (size_t i = 0; i < LOGRATE_SLOTS; i++) {
		struct lograte_slot *s = &lr->slot[i];
		/* a clock stepped back ends the minute too */
		if (s->since && (now - s->since >= 60 || now < s->since))
			summarise(lr, s);
	}
	if (now - lr->minute < 60 && now >= lr->minute)
		return;
	if (lr->overflow) {
		char n[32];
		lograte_count(n, sizeof(n), lr->overflow);
		log_warnx(lr->module, "…and %s more warnings from other sources in the last minute "
			  "(too many to tell apart)", n);
	}
	lr->overflow = 0;
	lr->lines = 0;
	lr->minute = now;
}
