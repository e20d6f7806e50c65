/*
 * Logging in to the dashboard: sessions named by a cookie, passwords checked on a thread of
 * their own (a slow hash must not hold the event loop), guessing slowed per address and per
 * user, every log-in, failed attempt and log-out written to the audit log. Event loop only,
 * except the hash check.
 */
#ifndef HBMON_WEBAUTH_H
#define HBMON_WEBAUTH_H

#include <microhttpd.h>
#include <stddef.h>
#include <time.h>

#include "sessions.h"
#include "users.h"
#include "worker.h"

#define WEBAUTH_COOKIE "hbmon_session"
#define WEBAUTH_PASSWORD_MAX 256

struct store;
struct lograte;
struct webauth;

/* tls: the cookie is Secure; warnings: where refusals are summarised (the collector's). */
struct webauth *webauth_new(struct store *st, struct users *u, int tls,
			    struct lograte *warnings);
void webauth_free(struct webauth *a);
/* Readable when checked passwords wait for webauth_reap (which resumes their requests). */
int webauth_fd(const struct webauth *a);
void webauth_reap(struct webauth *a);
/* Once a minute is enough: ends expired sessions and those of users deleted or given a new
 * password since they logged in (`hbmon-collector user del|passwd` from another process). */
void webauth_tick(struct webauth *a, time_t now);

/* The live session the request's cookie names, or NULL. */
struct session *webauth_session(struct webauth *a, struct MHD_Connection *conn, time_t now);

enum login_outcome { LOGIN_PENDING, LOGIN_OK, LOGIN_WRONG, LOGIN_LIMITED, LOGIN_BUSY };

/* A log-in in flight, kept by the request while its password is checked. */
struct login_job {
	struct wjob base;
	struct MHD_Connection *conn;
	int done;
	int found, ok;
	struct user_rec rec;
	char user[USER_NAME_MAX], addr[48];
	char password[WEBAUTH_PASSWORD_MAX];
};

/*
 * Starts checking user's password: LOGIN_PENDING with the connection suspended until
 * webauth_reap resumes it, or LOGIN_LIMITED (*retry_after seconds) / LOGIN_BUSY at once.
 */
enum login_outcome webauth_login_start(struct webauth *a, struct MHD_Connection *conn,
				       struct login_job *j, const char *user, const char *password,
				       const char *addr, time_t now, int *retry_after);
/* The checked log-in: LOGIN_OK with cookie set to the Set-Cookie value, or LOGIN_WRONG. */
enum login_outcome webauth_login_finish(struct webauth *a, struct login_job *j, time_t now,
					char *cookie, size_t cookiesz);
/* A session for u, whose password was checked (token: the cookie's value); NULL when out of
 * memory. The fuzz harness opens one this way. */
struct session *webauth_open_session(struct webauth *a, const struct user_rec *u,
				     const char *addr, time_t now,
				     char token[SESSION_TOKEN_LEN + 1]);
/* Ends the session; cookie is set to the value that clears it in the browser. */
void webauth_logout(struct webauth *a, const char *token, const char *addr, time_t now,
		    char *cookie, size_t cookiesz);

#endif
