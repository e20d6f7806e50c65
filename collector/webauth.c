#include "webauth.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "log.h"
#include "loginlimit.h"
#include "lograte.h"

/* 8 hours idle (a working day), a week at most, then the password again */
#define IDLE_S (8 * 3600)
#define ABSOLUTE_S (7 * 86400)
#define SESSIONS_MAX 4096
#define LIMIT_KEYS 8192
/* each check takes 64 MiB for a moment: a crowd of log-ins waits in line, a bounded one */
#define PENDING_MAX 32

struct webauth {
	struct store *st;
	struct users *users;
	int tls;
	struct sessions *sessions;
	struct loginlimit *limit;
	struct lograte *warnings;
	struct worker *checker;
	time_t next_tick;
};

static void check_run(void *ctx, struct wjob **jobs, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		struct login_job *j = (struct login_job *)(void *)jobs[i];
		/* an unknown name costs as long as a wrong password: the time tells nothing */
		int ok = users_verify(j->found ? j->rec.hash : users_dummy_hash(), j->password);
		j->ok = j->found && ok == 1;
		sodium_memzero(j->password, sizeof(j->password));
	}
}

static void check_done(struct wjob *w)
{
	struct login_job *j = (struct login_job *)(void *)w;
	j->done = 1;
	MHD_resume_connection(j->conn);
}

struct webauth *webauth_new(struct store *st, struct users *u, int tls,
			    struct lograte *warnings)
{
	if (users_dummy_init() < 0)
		return NULL;
	struct webauth *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->st = st;
	a->users = u;
	a->tls = tls;
	a->warnings = warnings;
	a->sessions = sessions_new(SESSIONS_MAX, IDLE_S, ABSOLUTE_S);
	a->limit = loginlimit_new(LIMIT_KEYS);
	a->checker = worker_new("login", check_run, NULL, 1);
	if (!a->sessions || !a->limit || !a->checker) {
		webauth_free(a);
		return NULL;
	}
	return a;
}

void webauth_free(struct webauth *a)
{
	if (!a)
		return;
	worker_stop(a->checker); /* resumes the log-ins it held */
	sessions_free(a->sessions);
	loginlimit_free(a->limit);
	free(a);
}

int webauth_fd(const struct webauth *a) { return worker_fd(a->checker); }

void webauth_reap(struct webauth *a) { worker_reap(a->checker); }

struct recheck {
	struct users *users;
	char gone[64][SESSION_USER_MAX];
	size_t n;
};

static void recheck_one(void *ctx, struct session *se)
{
	struct recheck *r = ctx;
	time_t changed;
	int have = users_changed(r->users, se->user, &changed);
	if (have < 0 || (have == 1 && changed == se->user_changed))
		return; /* a failing store ends nobody's session */
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->gone[i], se->user) == 0)
			return;
	if (r->n < 64)
		snprintf(r->gone[r->n++], SESSION_USER_MAX, "%s", se->user);
}

void webauth_tick(struct webauth *a, time_t now)
{
	if (now < a->next_tick)
		return;
	a->next_tick = now + 60;
	sessions_expire(a->sessions, now);
	struct recheck r = {a->users, {{0}}, 0};
	sessions_each(a->sessions, recheck_one, &r);
	for (size_t i = 0; i < r.n; i++) {
		size_t ended = sessions_end_user(a->sessions, r.gone[i]);
		log_info("web", "user %s was deleted or given a new password: %zu session%s ended",
			 r.gone[i], ended, ended == 1 ? "" : "s");
	}
}

struct session *webauth_session(struct webauth *a, struct MHD_Connection *conn, time_t now)
{
	const char *tok = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, WEBAUTH_COOKIE);
	return tok ? sessions_find(a->sessions, tok, now) : NULL;
}

enum login_outcome webauth_login_start(struct webauth *a, struct MHD_Connection *conn,
				       struct login_job *j, const char *user, const char *password,
				       const char *addr, time_t now, int *retry_after)
{
	if (!loginlimit_check(a->limit, addr, user, now, retry_after)) {
		/* refused unchecked, cheaply: a flood of them is a few lines and audit rows a
		 * minute, not one write each */
		if (lograte_allow(a->warnings, "log-in refused", addr, time(NULL))) {
			log_warnx("web", "%s: log-in as \"%.64s\" refused: too many wrong passwords",
				  addr, user);
			audit_add(a->st, now, user, addr, audit_action_name(AUDIT_LOGIN_FAILED),
				  "limited");
		}
		return LOGIN_LIMITED;
	}
	if (worker_pending(a->checker) >= PENDING_MAX)
		return LOGIN_BUSY;
	memset(j, 0, sizeof(*j));
	snprintf(j->user, sizeof(j->user), "%s", user);
	snprintf(j->addr, sizeof(j->addr), "%s", addr);
	snprintf(j->password, sizeof(j->password), "%s", password);
	int found = users_valid_name(user) ? users_get(a->users, user, &j->rec) : 0;
	if (found < 0)
		return LOGIN_BUSY; /* the store failed: said in the log by the store */
	j->found = found;
	j->conn = conn;
	j->base.done = check_done;
	MHD_suspend_connection(conn);
	worker_submit(a->checker, &j->base);
	return LOGIN_PENDING;
}

struct session *webauth_open_session(struct webauth *a, const struct user_rec *u,
				     const char *addr, time_t now,
				     char token[SESSION_TOKEN_LEN + 1])
{
	return sessions_create(a->sessions, u->name, (int)u->role, u->communes, u->changed, addr,
			       now, token);
}

static void cookie_value(const struct webauth *a, const char *token, int max_age, char *out,
			 size_t outsz)
{
	/* HttpOnly: no script reads it; Strict: no other site's page sends it along */
	snprintf(out, outsz, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
		 WEBAUTH_COOKIE, token, max_age, a->tls ? "; Secure" : "");
}

enum login_outcome webauth_login_finish(struct webauth *a, struct login_job *j, time_t now,
					char *cookie, size_t cookiesz)
{
	char token[SESSION_TOKEN_LEN + 1];
	/* the hash is of no use past the check: not left in the request, whatever the outcome */
	sodium_memzero(j->rec.hash, sizeof(j->rec.hash));
	if (!j->ok) {
		loginlimit_failed(a->limit, j->addr, j->user, now);
		audit_add(a->st, now, j->user, j->addr, audit_action_name(AUDIT_LOGIN_FAILED),
			  j->found ? "wrong_password" : "no_such_user");
		return LOGIN_WRONG;
	}
	loginlimit_succeeded(a->limit, j->addr, j->user, now);
	if (!webauth_open_session(a, &j->rec, j->addr, now, token))
		return LOGIN_BUSY;
	audit_add(a->st, now, j->rec.name, j->addr, audit_action_name(AUDIT_LOGIN), "");
	cookie_value(a, token, ABSOLUTE_S, cookie, cookiesz);
	sodium_memzero(token, sizeof(token));
	return LOGIN_OK;
}

void webauth_logout(struct webauth *a, const char *token, const char *addr, time_t now,
		    char *cookie, size_t cookiesz)
{
	struct session *se = token ? sessions_find(a->sessions, token, now) : NULL;
	if (se) {
		audit_add(a->st, now, se->user, addr, audit_action_name(AUDIT_LOGOUT), "");
		sessions_end(a->sessions, token);
	}
	cookie_value(a, "", 0, cookie, cookiesz);
}
