#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static struct {
	const char *ident;
	int to_syslog;
	enum log_level verbosity;
} lg = {"hbmon", 0, LOG_LVL_INFO};

void log_init(const char *ident, int to_syslog, enum log_level verbosity)
{
	lg.ident = ident;
	lg.to_syslog = to_syslog;
	lg.verbosity = verbosity;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_verbosity(enum log_level verbosity) { lg.verbosity = verbosity; }

/* printf-like: callers' formats are checked where they are written (and clang's
 * -Wformat-nonliteral accepts fmt here) */
static void vlog(enum log_level lvl, const char *module, const char *err,
		 const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static void vlog(enum log_level lvl, const char *module, const char *err,
		 const char *fmt, va_list ap)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	static const char *tag[] = {"error", "warning", "info", "debug"};
	char msg[1024];

	if (lvl > lg.verbosity)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (lg.to_syslog) {
		syslog(prio[lvl], "%s: %s%s%s", module, msg, err ? ": " : "",
		       err ? err : "");
		return;
	}
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s %s %s: %s: %s%s%s\n", ts, lg.ident, tag[lvl], module, msg,
		err ? ": " : "", err ? err : "");
}

void log_warn(const char *module, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_WARN, module, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
}

#define LOG_FN(name, lvl)                                                      \
	void name(const char *module, const char *fmt, ...)                    \
	{                                                                      \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		vlog(lvl, module, NULL, fmt, ap);                              \
		va_end(ap);                                                    \
	}
LOG_FN(log_warnx, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

void fatalx(const char *module, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, module, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
