#include "connwatch.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"

enum phase { WAIT_HEADERS, UPLOADING, SERVING };

struct watched {
	struct watched *prev, *next;
	struct connwatch *cw;
	int fd;
	enum phase phase;
	double since;     /* when the phase began (monotonic seconds) */
	uint64_t got;     /* upload bytes in this request */
	int cut;          /* shut down already, waiting for MHD to close it */
};

struct connwatch {
	struct watched *head;
	double last_sweep;
	struct connwatch_stats st;
};

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct connwatch *connwatch_new(void)
{
	return calloc(1, sizeof(struct connwatch));
}

void connwatch_free(struct connwatch *cw)
{
	if (!cw)
		return;
	while (cw->head) { /* MHD stopped without telling: nothing else points at them */
		struct watched *w = cw->head;
		cw->head = w->next;
		free(w);
	}
	free(cw);
}

static void unlink_watched(struct watched *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		w->cw->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->cw->st.open--;
}

void connwatch_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		      enum MHD_ConnectionNotificationCode code)
{
	struct connwatch *cw = cls;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		struct watched *w = *socket_context;
		if (w) {
			unlink_watched(w);
			free(w);
			*socket_context = NULL;
		}
		return;
	}
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct watched *w = calloc(1, sizeof(*w));
	if (!w || !ci) {
		free(w);
		return; /* unwatched: only MHD's own timeout applies */
	}
	w->cw = cw;
	w->fd = ci->connect_fd;
	w->phase = WAIT_HEADERS;
	w->since = mono();
	w->next = cw->head;
	if (cw->head)
		cw->head->prev = w;
	cw->head = w;
	cw->st.open++;
	*socket_context = w;
}

static struct watched *of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void enter(struct MHD_Connection *conn, enum phase p)
{
	struct watched *w = of(conn);
	if (w) {
		w->phase = p;
		w->since = mono();
		w->got = 0;
	}
}

void connwatch_request(struct MHD_Connection *conn) { enter(conn, SERVING); }
void connwatch_body_done(struct MHD_Connection *conn)
{
	struct watched *w = of(conn);
	if (w)
		w->phase = SERVING;
}
void connwatch_idle(struct MHD_Connection *conn) { enter(conn, WAIT_HEADERS); }

void connwatch_body(struct MHD_Connection *conn, size_t bytes)
{
	struct watched *w = of(conn);
	if (!w)
		return;
	if (w->phase != UPLOADING) {
		w->phase = UPLOADING;
		w->got = 0; /* since: when the headers came (connwatch_request) */
	}
	w->got += bytes;
}

/* Too slow: waiting for headers too long, or an upload below the minimum rate. */
static int too_slow(const struct watched *w, double now)
{
	double age = now - w->since;
	if (w->phase == WAIT_HEADERS)
		return age > CONNWATCH_HEADER_SECONDS;
	if (w->phase == UPLOADING)
		return age > CONNWATCH_BODY_GRACE && (double)w->got / age < CONNWATCH_MIN_BODY_RATE;
	return 0;
}

void connwatch_sweep(struct connwatch *cw)
{
	double now = mono();
	if (now - cw->last_sweep < 0.5)
		return;
	cw->last_sweep = now;
	for (struct watched *w = cw->head; w; w = w->next) {
		if (w->cut || !too_slow(w, now))
			continue;
		/* MHD sees the end of the stream at its next turn and closes the connection */
		shutdown(w->fd, SHUT_RDWR);
		w->cut = 1;
		if (w->phase == WAIT_HEADERS)
			cw->st.cut_headers++;
		else
			cw->st.cut_body++;
	}
}

const struct connwatch_stats *connwatch_stats(const struct connwatch *cw) { return &cw->st; }
