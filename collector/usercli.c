#include "usercli.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "alerts.h"
#include "audit.h"
#include "collector.h"
#include "secretfile.h"
#include "strbuf.h"
#include "texts.h"
#include "users.h"

/* Room for a password longer than allowed: it is refused by its rule, never silently cut. */
#define PASSWORD_BUF (2 * USER_PASSWORD_MAX)
#define COMMUNE_ARGS_MAX 256
#define LOG_LIMIT_DEFAULT 100
/* errors may name a file by its whole path */
#define ERR_MAX (PATH_MAX + 512)

static int usage(void)
{
	fprintf(stderr,
		"usage: hbmon-collector [-c FILE] user add NAME --role admin|viewer|officer "
		"[--commune C]... [--name \"FULL NAME\"] [--password-file F]\n"
		"       hbmon-collector [-c FILE] user passwd NAME [--password-file F]\n"
		"       hbmon-collector [-c FILE] user del NAME\n"
		"       hbmon-collector [-c FILE] user list\n"
		"       hbmon-collector [-c FILE] user log [--user WHO] [--limit N]\n"
		"  an officer needs one --commune or more (a commune of the inventory); the password\n"
		"  is the first line of F (chmod 600), else asked twice on a terminal, else the first\n"
		"  line of standard input; --name: what acknowledgements and windows show (the user\n"
		"  name if not given); log: newest first, WHO as it shows there (an, cli:root)\n");
	return 2;
}

/* ---- reading the password ---- */

/*
 * The terminal's settings while echo is off, for the signal handler: a Ctrl-C at the prompt
 * must not leave the admin's shell typing blind. File-local because a handler has no context.
 */
static struct termios saved_tty;
static volatile sig_atomic_t tty_dark;
static const int tty_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NTTY_SIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))

static void restore_tty(int sig)
{
	if (tty_dark)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* One line of fd without its line break, read a byte at a time so that nothing after it is
 * read, nor kept in a stdio buffer. Its length; -1 on a read error, -2 if it does not fit. */
static ssize_t read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	for (;;) {
		char ch;
		ssize_t r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0 || ch == '\n')
			break;
		if (n + 1 >= size)
			return -2;
		buf[n++] = ch;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return (ssize_t)n;
}

/* A line typed with echo off (the line break still shows: ECHONL). */
static ssize_t ask(const char *prompt, char *buf, size_t size)
{
	struct sigaction sa, old[NTTY_SIGNALS];
	struct termios dark;
	if (tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return -1;
	dark = saved_tty;
	dark.c_lflag &= ~(tcflag_t)ECHO;
	dark.c_lflag |= ECHONL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_tty;
	for (size_t i = 0; i < NTTY_SIGNALS; i++)
		sigaction(tty_signals[i], &sa, &old[i]);
	tty_dark = 1;
	ssize_t n = -1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &dark) == 0) {
		fputs(prompt, stderr);
		fflush(stderr);
		n = read_line(STDIN_FILENO, buf, size);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	}
	tty_dark = 0;
	for (size_t i = 0; i < NTTY_SIGNALS; i++)
		sigaction(tty_signals[i], &old[i], NULL);
	return n;
}

/* From --password-file, else twice from the terminal, else the first line of standard input.
 * 0, or -1 with err (which never holds the password). */
static int get_password(const char *file, const char *name, char *pw, size_t pwsz, char *err,
			size_t errsz)
{
	char why[ERR_MAX - 32], again[PASSWORD_BUF], prompt[USER_NAME_MAX + 32];
	ssize_t n;
	if (file) {
		if (secret_file_read(file, pw, pwsz, why, sizeof(why)) == 0)
			return 0;
		snprintf(err, errsz, "--password-file %s", why);
		return -1;
	}
	if (!isatty(STDIN_FILENO)) {
		n = read_line(STDIN_FILENO, pw, pwsz);
		if (n > 0)
			return 0;
		snprintf(err, errsz, "standard input: %s",
			 n == 0 ? "no password on its first line"
			 : n == -2 ? "the first line is too long for a password"
				   : strerror(errno));
		return -1;
	}
	snprintf(prompt, sizeof(prompt), "Password for %s: ", name);
	n = ask(prompt, pw, pwsz);
	ssize_t m = n > 0 ? ask("The same again: ", again, sizeof(again)) : n;
	int same = n > 0 && m >= 0 && strcmp(pw, again) == 0;
	sodium_memzero(again, sizeof(again));
	if (same)
		return 0;
	sodium_memzero(pw, pwsz);
	snprintf(err, errsz, "%s: nothing changed",
		 n == 0 ? "no password typed"
		 : n == -2 || m == -2 ? "the password is too long"
		 : n < 0 || m < 0 ? "cannot read the password from the terminal"
				  : "the two passwords differ");
	return -1;
}

/* ---- the change and its audit entry, together ---- */

int usercli_begin(struct collector *c, char *err, size_t errsz)
{
	sqlite3 *db = store_db(c->store);
	/* deferred: the write lock is taken by the first write, after the slow hash */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	snprintf(err, errsz, "the event store failed: %s", sqlite3_errmsg(db));
	return -1;
}

/* A change the log does not show is what the log is there to rule out (usercli.h). */
int usercli_commit(struct collector *c, int rc, time_t now, enum audit_action act,
		  const char *detail, char *err, size_t errsz)
{
	sqlite3 *db = store_db(c->store);
	char who[AUDIT_USER_MAX];
	const struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name)
		snprintf(who, sizeof(who), "cli:%s", pw->pw_name);
	else
		snprintf(who, sizeof(who), "cli:uid %u", (unsigned)geteuid());
	if (rc == 0 && audit_add(c->store, now, who, "local", audit_action_name(act), detail) < 0) {
		snprintf(err, errsz, "the audit log cannot record it (see the log): nothing changed");
		rc = -1;
	}
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "the event store failed: %s: nothing changed", sqlite3_errmsg(db));
		rc = -1;
	}
	if (rc < 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/* ---- user add ---- */

struct add_args {
	const char *name, *role, *file, *full_name;
	const char *communes[COMMUNE_ARGS_MAX];
	int ncommunes;
};

/* 0, or -1 having said which argument is wrong (the caller shows the usage). */
static int parse_add(int argc, char **argv, struct add_args *a)
{
	memset(a, 0, sizeof(*a));
	if (argc < 3 || argv[2][0] == '-')
		return -1;
	a->name = argv[2];
	for (int i = 3; i < argc; i++) {
		int known = strcmp(argv[i], "--role") == 0 || strcmp(argv[i], "--commune") == 0 ||
			    strcmp(argv[i], "--password-file") == 0 || strcmp(argv[i], "--name") == 0;
		if (!known || i + 1 >= argc) {
			fprintf(stderr, "%s: %s\n", argv[i], known ? "needs a value" : "unknown argument");
			return -1;
		}
		const char *v = argv[++i];
		if (strcmp(argv[i - 1], "--commune") == 0) {
			if (a->ncommunes == COMMUNE_ARGS_MAX) {
				fprintf(stderr, "--commune: at most %d\n", COMMUNE_ARGS_MAX);
				return -1;
			}
			a->communes[a->ncommunes++] = v;
			continue;
		}
		const char **dst = strcmp(argv[i - 1], "--role") == 0   ? &a->role
				   : strcmp(argv[i - 1], "--name") == 0 ? &a->full_name
									: &a->file;
		if (*dst) {
			fprintf(stderr, "%s: given twice\n", argv[i - 1]);
			return -1;
		}
		*dst = v;
	}
	if (!a->role)
		fprintf(stderr, "--role: required\n");
	return a->role ? 0 : -1;
}

/* The communes, checked against the inventory, one a line in out (repeats dropped); the same
 * list comma-separated in shown. 0, or -1 with err naming the commune at fault. */
static int join_communes(const struct collector *c, const struct add_args *a, char *out,
			 size_t outsz, char *shown, size_t shownsz, char *err, size_t errsz)
{
	size_t o = 0, s = 0;
	out[0] = shown[0] = '\0';
	for (int i = 0; i < a->ncommunes; i++) {
		const char *k = a->communes[i];
		int seen = 0;
		if (alerts_find_commune(c->inv, k) < 0) {
			snprintf(err, errsz, "--commune \"%s\": not in %s", k, c->cfg->inventory);
			return -1;
		}
		for (int j = 0; j < i; j++)
			seen |= strcmp(a->communes[j], k) == 0;
		if (seen)
			continue;
		int n = snprintf(out + o, outsz - o, "%s%s", o ? "\n" : "", k);
		int m = snprintf(shown + s, shownsz - s, "%s%s", s ? ", " : "", k);
		if (n < 0 || (size_t)n >= outsz - o || m < 0 || (size_t)m >= shownsz - s) {
			snprintf(err, errsz, "--commune: too many communes for one officer (%d bytes "
				 "of names at most)", USER_COMMUNES_MAX - 1);
			return -1;
		}
		o += (size_t)n;
		s += (size_t)m;
	}
	return 0;
}

static int bad_name(const char *name)
{
	fprintf(stderr, "\"%s\": a user name is 1 to 63 letters, digits, '.', '_' or '-', the first "
		"a letter or digit\n", name);
	return 1;
}

/* Refused before the password is asked: 1 (the exit status) with the reason said. */
static int check_new(struct collector *c, const struct add_args *a, int role)
{
	time_t t;
	if (!users_valid_name(a->name))
		return bad_name(a->name);
	if (role < 0) {
		fprintf(stderr, "--role \"%s\": admin, viewer or officer\n", a->role);
		return 1;
	}
	if (role == ROLE_OFFICER && a->ncommunes == 0) {
		fprintf(stderr, "--commune: an officer needs one at least (the communes they look "
			"after)\n");
		return 1;
	}
	if (role != ROLE_OFFICER && a->ncommunes > 0) {
		fprintf(stderr, "--commune: only an officer has communes (%s sees every commune)\n",
			a->role);
		return 1;
	}
	int have = users_changed(c->users, a->name, &t);
	if (have != 0) {
		fprintf(stderr, have > 0 ? "user %s exists: use passwd\n"
					 : "user %s: the event store failed (see the log)\n", a->name);
		return 1;
	}
	return 0;
}

static int user_add(struct collector *c, int argc, char **argv)
{
	struct add_args a;
	char communes[USER_COMMUNES_MAX], shown[2 * USER_COMMUNES_MAX], pw[PASSWORD_BUF];
	/* the whole list: audit_add cuts it to its cap on a character boundary */
	char err[ERR_MAX], detail[sizeof(shown) + 2 * USER_NAME_MAX];
	if (parse_add(argc, argv, &a) < 0)
		return usage();
	int role = role_parse(a.role), rc = check_new(c, &a, role);
	if (rc)
		return rc;
	if (join_communes(c, &a, communes, sizeof(communes), shown, sizeof(shown), err,
			  sizeof(err)) < 0 ||
	    get_password(a.file, a.name, pw, sizeof(pw), err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	time_t now = c->now();
	snprintf(detail, sizeof(detail), "%s: %s%s%s", a.name, a.role, shown[0] ? " of " : "",
		 shown);
	rc = usercli_begin(c, err, sizeof(err));
	if (rc == 0) {
		rc = users_add(c->users, a.name, (enum role)role, communes, pw, now, err, sizeof(err));
		if (rc == 0 && a.full_name)
			rc = users_set_name(c->users, a.name, a.full_name, err, sizeof(err));
		rc = usercli_commit(c, rc, now, AUDIT_USER_ADD, detail, err, sizeof(err));
	}
	sodium_memzero(pw, sizeof(pw));
	if (rc < 0) {
		fprintf(stderr, "user %s: %s\n", a.name, err);
		return 1;
	}
	printf("user %s added (role %s)\n", a.name, a.role);
	return 0;
}

/* ---- user passwd, user del ---- */

static int user_passwd(struct collector *c, const char *name, const char *file)
{
	char pw[PASSWORD_BUF], err[ERR_MAX];
	time_t t;
	if (!users_valid_name(name))
		return bad_name(name);
	int have = users_changed(c->users, name, &t);
	if (have <= 0) {
		fprintf(stderr, have == 0 ? "user %s: no such user (user list shows them)\n"
					  : "user %s: the event store failed (see the log)\n", name);
		return 1;
	}
	if (get_password(file, name, pw, sizeof(pw), err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	time_t now = c->now();
	int rc = usercli_begin(c, err, sizeof(err));
	if (rc == 0) {
		rc = users_passwd(c->users, name, pw, now, err, sizeof(err));
		rc = usercli_commit(c, rc, now, AUDIT_USER_PASSWD, name, err, sizeof(err));
	}
	sodium_memzero(pw, sizeof(pw));
	if (rc < 0) {
		fprintf(stderr, "user %s: %s\n", name, err);
		return 1;
	}
	printf("user %s: new password set; the dashboard ends the sessions they had open\n", name);
	return 0;
}

static int user_del(struct collector *c, const char *name)
{
	char err[300];
	time_t now = c->now(), t;
	if (users_changed(c->users, name, &t) == 0) {
		fprintf(stderr, "user %s: no such user (user list shows them)\n", name);
		return 1;
	}
	int rc = usercli_begin(c, err, sizeof(err));
	if (rc == 0) {
		rc = users_del(c->users, name, err, sizeof(err));
		rc = usercli_commit(c, rc, now, AUDIT_USER_DEL, name, err, sizeof(err));
	}
	if (rc < 0) {
		fprintf(stderr, "user %s: %s\n", name, err);
		return 1;
	}
	printf("user %s deleted; the dashboard ends the sessions they had open\n", name);
	return 0;
}

/* ---- user list, user log ---- */

static void print_user(void *ctx, const struct user_entry *e)
{
	char since[40], communes[USER_COMMUNES_MAX];
	(void)ctx;
	text_time(since, sizeof(since), e->created);
	snprintf(communes, sizeof(communes), "%s", e->communes);
	for (char *p = communes; (p = strchr(p, '\n'));)
		*p = ',';
	printf("%s\t%s\t%s\t%s\t%s\n", e->name, e->full_name, role_name(e->role), communes, since);
}

/* Text a stranger may have typed (a name at the log-in form) goes to an admin's terminal:
 * control and invisible characters are shown as U+FFFD, never sent as they are. */
static const char *shown(char *buf, size_t bufsz, const char *s)
{
	utf8_sanitize(buf, bufsz, s, strlen(s));
	return buf;
}

static void print_entry(void *ctx, const struct audit_entry *e)
{
	char when[40], user[3 * AUDIT_USER_MAX + 1], addr[3 * AUDIT_ADDR_MAX + 1];
	char detail[3 * AUDIT_DETAIL_MAX + 1], action[64];
	(void)ctx;
	text_time(when, sizeof(when), e->ts);
	printf("%s\t%s\t%s\t%s\t%s\n", when, shown(user, sizeof(user), e->user),
	       shown(addr, sizeof(addr), e->addr), shown(action, sizeof(action), e->action),
	       shown(detail, sizeof(detail), e->detail));
}

static int user_log(struct collector *c, int argc, char **argv)
{
	const char *user = NULL;
	long limit = LOG_LIMIT_DEFAULT;
	for (int i = 2; i < argc; i += 2) {
		int is_user = strcmp(argv[i], "--user") == 0;
		if ((!is_user && strcmp(argv[i], "--limit") != 0) || i + 1 >= argc) {
			fprintf(stderr, "%s: %s\n", argv[i],
				is_user || strcmp(argv[i], "--limit") == 0 ? "needs a value"
									   : "unknown argument");
			return usage();
		}
		if (is_user) {
			user = argv[i + 1];
		} else if (parse_long(argv[i + 1], 1, 1000000, &limit) < 0) {
			fprintf(stderr, "--limit \"%s\": a number of entries, 1 to 1000000\n",
				argv[i + 1]);
			return 1;
		}
	}
	printf("time\tuser\taddress\taction\tdetail\n");
	if (audit_each(c->store, 0, 0, user, (int)limit, print_entry, NULL) < 0) {
		fprintf(stderr, "the audit log cannot be read (see the log)\n");
		return 1;
	}
	return 0;
}

int usercli_main(struct collector *c, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";
	if (strcmp(sub, "add") == 0)
		return user_add(c, argc, argv);
	if (strcmp(sub, "passwd") == 0 && argc == 3)
		return user_passwd(c, argv[2], NULL);
	if (strcmp(sub, "passwd") == 0 && argc == 5 && strcmp(argv[3], "--password-file") == 0)
		return user_passwd(c, argv[2], argv[4]);
	if (strcmp(sub, "del") == 0 && argc == 3)
		return user_del(c, argv[2]);
	if (strcmp(sub, "list") == 0 && argc == 2) {
		printf("user\tname\trole\tcommunes\tsince\n");
		if (users_each(c->users, print_user, NULL) < 0) {
			fprintf(stderr, "the user list cannot be read (see the log)\n");
			return 1;
		}
		return 0;
	}
	if (strcmp(sub, "log") == 0)
		return user_log(c, argc, argv);
	return usage();
}
