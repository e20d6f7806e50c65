/* One logging facade for both daemons: stderr in the foreground, syslog as a service. */
#ifndef HBMON_LOG_H
#define HBMON_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* ident: program name; to_syslog: 0 = stderr; verbosity: highest level printed. */
void log_init(const char *ident, int to_syslog, enum log_level verbosity);
void log_set_verbosity(enum log_level verbosity);

/* Lines are prefixed by module ("poll", "ingest", ...) and, by convention, the peer. */
void log_warn(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_warnx(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_info(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_debug(const char *module, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Start-up failures and broken invariants only: logs and exits 1. */
void fatalx(const char *module, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif
