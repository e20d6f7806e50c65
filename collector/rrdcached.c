#include "rrdcached.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_PORT "42217"
#define LINE_MAX_LEN 4096

struct rrdcached {
	char addr[256];
	int is_unix;
	char host[256], port[16];
	int timeout_s;
	int fd;
	char rbuf[8192];
	size_t rlen, roff;
};

int rrdcached_path_ok(const char *path)
{
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return 0;
	return *path != '\0';
}

struct rrdcached *rrdcached_new(const char *addr, int timeout_s, char *err, size_t errsz)
{
	struct rrdcached *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	c->fd = -1;
	c->timeout_s = timeout_s > 0 ? timeout_s : 30;
	if (snprintf(c->addr, sizeof(c->addr), "%s", addr) >= (int)sizeof(c->addr))
		goto bad;
	if (strncmp(addr, "unix:", 5) == 0 || addr[0] == '/') {
		const char *p = addr[0] == '/' ? addr : addr + 5;
		if (*p != '/' || strlen(p) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			goto bad;
		c->is_unix = 1;
		snprintf(c->host, sizeof(c->host), "%s", p);
		return c;
	}
	const char *colon;
	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (!close || close == addr + 1 || (size_t)(close - addr - 1) >= sizeof(c->host))
			goto bad;
		memcpy(c->host, addr + 1, (size_t)(close - addr - 1));
		colon = close[1] == ':' ? close + 1 : (close[1] ? NULL : close + 1);
		if (!colon)
			goto bad;
	} else {
		colon = strrchr(addr, ':');
		size_t hl = colon ? (size_t)(colon - addr) : strlen(addr);
		if (!hl || hl >= sizeof(c->host))
			goto bad;
		memcpy(c->host, addr, hl);
	}
	snprintf(c->port, sizeof(c->port), "%s", colon && *colon == ':' ? colon + 1 : DEFAULT_PORT);
	char *end;
	long port = strtol(c->port, &end, 10);
	if (*end || port < 1 || port > 65535)
		goto bad;
	return c;
bad:
	snprintf(err, errsz, "rrdcached address \"%s\": expected unix:/path, /path or host[:port]",
		 addr);
	free(c);
	return NULL;
}

void rrdcached_free(struct rrdcached *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

const char *rrdcached_addr(const struct rrdcached *c) { return c->addr; }

static void drop(struct rrdcached *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->rlen = c->roff = 0;
}

static int set_timeouts(int fd, int secs)
{
	struct timeval tv = {secs, 0};
	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) |
	       setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int connect_daemon(struct rrdcached *c, char *err, size_t errsz)
{
	if (c->fd >= 0)
		return 0;
	if (c->is_unix) {
		struct sockaddr_un sa;
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		memcpy(sa.sun_path, c->host, strlen(c->host));
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || set_timeouts(fd, c->timeout_s) < 0 ||
		    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			snprintf(err, errsz, "rrdcached %s: %s", c->addr, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		c->fd = fd;
		return 0;
	}
	struct addrinfo hints, *res, *ai;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	int gai = getaddrinfo(c->host, c->port, &hints, &res);
	if (gai != 0) {
		snprintf(err, errsz, "rrdcached %s: %s", c->addr, gai_strerror(gai));
		return -1;
	}
	int saved = ECONNREFUSED;
	for (ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (set_timeouts(fd, c->timeout_s) == 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			c->fd = fd;
			break;
		}
		saved = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (c->fd < 0) {
		snprintf(err, errsz, "rrdcached %s: %s", c->addr, strerror(saved));
		return -1;
	}
	return 0;
}

static int send_all(struct rrdcached *c, const char *p, size_t len, char *err, size_t errsz)
{
	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errsz, "rrdcached %s: send: %s", c->addr,
				 n < 0 ? strerror(errno) : "closed");
			drop(c);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One reply line, without its newline; over-long lines are cut, the rest skipped. */
static int read_line(struct rrdcached *c, char *line, size_t linesz, char *err, size_t errsz)
{
	size_t o = 0;
	for (;;) {
		if (c->roff == c->rlen) {
			ssize_t n = recv(c->fd, c->rbuf, sizeof(c->rbuf), 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				snprintf(err, errsz, "rrdcached %s: %s", c->addr,
					 n < 0 ? strerror(errno) : "connection closed");
				drop(c);
				return -1;
			}
			c->rlen = (size_t)n;
			c->roff = 0;
		}
		char ch = c->rbuf[c->roff++];
		if (ch == '\n') {
			line[o] = '\0';
			return 0;
		}
		if (o + 1 < linesz)
			line[o++] = ch;
	}
}

/* A status line starts with a number: negative is an error, else a count of lines to follow. */
static int read_status(struct rrdcached *c, long *status, char *line, size_t linesz, char *err,
		       size_t errsz)
{
	if (read_line(c, line, linesz, err, errsz) < 0)
		return -1;
	char *end;
	errno = 0;
	*status = strtol(line, &end, 10);
	if (end == line || errno) {
		snprintf(err, errsz, "rrdcached %s: unexpected reply \"%.80s\"", c->addr, line);
		drop(c);
		return -1;
	}
	return 0;
}

long rrdcached_batch(struct rrdcached *c, const char *cmds, size_t len, size_t ncmds,
		     rrdcached_error_fn on_error, void *ctx, char *err, size_t errsz)
{
	char line[LINE_MAX_LEN];
	long st;
	(void)ncmds;
	if (connect_daemon(c, err, errsz) < 0 || send_all(c, "BATCH\n", 6, err, errsz) < 0 ||
	    read_status(c, &st, line, sizeof(line), err, errsz) < 0)
		return -1;
	if (st != 0) {
		snprintf(err, errsz, "rrdcached %s: BATCH refused: %.200s", c->addr, line);
		drop(c);
		return -1;
	}
	if (send_all(c, cmds, len, err, errsz) < 0 || send_all(c, ".\n", 2, err, errsz) < 0 ||
	    read_status(c, &st, line, sizeof(line), err, errsz) < 0)
		return -1;
	if (st < 0) {
		snprintf(err, errsz, "rrdcached %s: batch failed: %.200s", c->addr, line);
		drop(c);
		return -1;
	}
	for (long i = 0; i < st; i++) {
		if (read_line(c, line, sizeof(line), err, errsz) < 0)
			return -1;
		char *end;
		unsigned long no = strtoul(line, &end, 10);
		while (*end == ' ')
			end++;
		if (on_error)
			on_error(ctx, (size_t)no, end);
	}
	return st;
}

int rrdcached_flush(struct rrdcached *c, const char *path, char *err, size_t errsz)
{
	char line[LINE_MAX_LEN];
	long st;
	if (!rrdcached_path_ok(path) || strlen(path) > LINE_MAX_LEN - 16) {
		snprintf(err, errsz, "%s: path cannot be sent to rrdcached", path);
		return -1;
	}
	snprintf(line, sizeof(line), "FLUSH %s\n", path);
	if (connect_daemon(c, err, errsz) < 0 || send_all(c, line, strlen(line), err, errsz) < 0 ||
	    read_status(c, &st, line, sizeof(line), err, errsz) < 0)
		return -1;
	/* "-1 No such file" only means the daemon holds nothing for it */
	for (long i = 0; i < st; i++)
		if (read_line(c, line, sizeof(line), err, errsz) < 0)
			return -1;
	return 0;
}
