#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "audit.h"
#include "assign.h"
#include "cli.h"
#include "connwatch.h"
#include "gcache.h"
#include "gzip.h"
#include "graph.h"
#include "log.h"
#include "names.h"
#include "pages.h"
#include "period.h"
#include "render.h"
#include "sheet.h"
#include "strbuf.h"
#include "tlscert.h"
#include "invadd.h"
#include "tokens.h"
#include "viewer.h"
#include "webauth.h"

#ifndef HBMON_DASHBOARDS_DIR
#define HBMON_DASHBOARDS_DIR "/usr/local/share/hbmon/dashboards"
#endif
#define PAGE_LIMIT (8u << 20)
#define RENDER_QUEUE_MAX 16
/* bodies still arriving, all requests together: many slow uploads cannot take the memory */
#define UPLOAD_BUDGET (64u << 20)
/* bodies above this are decoded on the decoder thread (a 10 MB batch would hold the loop for
 * a quarter of a second); live batches are far smaller and are decoded at once, without a hop */
#define DECODE_INLINE_MAX (256u << 10)

/* The dashboard's own files, served from memory: its style sheet and its one script (no
 * inline script anywhere: the Content-Security-Policy forbids it). */
struct static_file {
	const char *name, *type;
	char *data;
	size_t len;
};
#define NSTATIC 2
static const struct static_file static_files[NSTATIC] = {
    {"style.css", "text/css; charset=utf-8", NULL, 0},
    {"overview.js", "text/javascript; charset=utf-8", NULL, 0},
};

struct web {
	struct collector *c;
	size_t queued_bytes; /* held by batches waiting for the writer */
	size_t upload_bytes; /* held by bodies still arriving: UPLOAD_BUDGET at most */
	char *tls_cert, *tls_key; /* PEM text, NULL for plain HTTP on loopback */
	struct connwatch *watch;  /* cuts clients too slow to send a request */
	struct worker *decoder;   /* large ingest bodies, made when the first one comes */
	struct webauth *auth;     /* dashboard log-ins and sessions */
	struct gcache *pages;     /* the overview as last made, per session, language and query */
	uint64_t forms;           /* forms that changed something: a page made before is old */
	struct MHD_Daemon *d;
	struct static_file statics[NSTATIC]; /* read once at start */
	char start_msg[512]; /* libmicrohttpd's first message while it starts */
};

struct req;

/* The fields a dashboard form may carry, by their place in req.form. */
enum form_field { F_COMMUNE, F_SITE, F_DEVICE, F_FROM, F_TO, F_NOTE, F_TARGET, F_CSRF, F_USER,
		  F_PASSWORD, F_NEXT, F_ID, F_CLASS, F_ADDRESS, F_MAC, NFORM };
static const char *const form_keys[NFORM] = {"commune", "site",  "device",   "from",
					     "to",      "note",  "target",   "csrf",
					     "user",    "password", "next",  "id",
					     "class",   "address",  "mac"};

/* An ingest body decoded off the loop (wire_decode_batch reads the body it owns meanwhile). */
struct decode_job {
	struct wjob base;
	struct req *owner;
	struct batch b;
	int rc;
	char err[256];
};

/*
 * Per-request state of work handed to a thread: the connection is suspended until the job
 * comes back (done() on the loop thread resumes it) and the handler is called again.
 */
struct req {
	struct web *w;
	size_t bytes; /* counted in queued_bytes while the writer has the job */
	struct MHD_Connection *conn;
	int waiting, done;
	/* POST /api/v1/ingest */
	struct strbuf body;
	int too_large, is_upload, over_budget;
	size_t upload_counted; /* bytes of body counted in web.upload_bytes */
	char probe[PROBE_NAME_MAX]; /* the name its credential proved */
	struct decode_job dec;
	int decoded;
	struct ingest_job job;
	/* dashboard forms: log-in, acknowledgements, maintenance windows */
	struct MHD_PostProcessor *pp;
	char form[NFORM][256]; /* by form_keys */
	int is_form, form_bad;
	struct login_job login;
	/* who asks (a copy: the session may end while the request waits for a thread) */
	struct viewer v;
	int authed;
	char v_user[SESSION_USER_MAX + 8], v_csrf[SESSION_TOKEN_LEN + 1]; /* "token:NAME" */
	char *v_communes;
	/* graphs and series */
	struct render_job *rj;
	long dev;
	uint64_t gen;
	char key[4400];
	const char *type;
};

static enum MHD_Result reply_hdr(struct MHD_Connection *conn, unsigned code, const char *type,
				 void *data, size_t len, enum MHD_ResponseMemoryMode mode,
				 const char *cache, const char *const *extra)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(data);
		return MHD_NO;
	}
	for (; extra && extra[0]; extra += 2)
		MHD_add_response_header(r, extra[0], extra[1]);
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	/* no script of anyone's, no framing (a click-jacking page would dress the forms), forms
	 * post here only, and other sites learn nothing of the path a link was followed from */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self'; style-src 'self'; "
				"frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "Cache-Control", cache ? cache : "no-store");
	enum MHD_Result ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *type,
			     void *data, size_t len, enum MHD_ResponseMemoryMode mode,
			     const char *cache)
{
	return reply_hdr(conn, code, type, data, len, mode, cache, NULL);
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned code, const char *msg)
{
	char *copy = strdup(msg);
	if (!copy)
		return MHD_NO;
	return reply(conn, code, "text/plain; charset=utf-8", copy, strlen(copy),
		     MHD_RESPMEM_MUST_FREE, NULL);
}

static enum MHD_Result reply_buf(struct MHD_Connection *conn, struct strbuf *sb, int rc,
				 const char *type)
{
	if (rc < 0 || sb->overflow) {
		strbuf_free(sb);
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "response too large\n");
	}
	size_t len;
	char *data = strbuf_take(sb, &len);
	return reply(conn, MHD_HTTP_OK, type, data, len, MHD_RESPMEM_MUST_FREE, NULL);
}

static void peer_name(struct MHD_Connection *conn, char *dst, size_t dstsz)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(dst, dstsz, "?");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr,
			  dst, (socklen_t)dstsz);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, dst,
			  (socklen_t)dstsz);
}

static void on_write_done(struct wjob *j)
{
	struct req *rq = ((struct ingest_job *)(void *)j)->owner;
	struct collector *c = rq->w->c;
	/* new data reached storage: graphs of these devices must be drawn again */
	for (size_t i = 0; rq->job.inv == c->inv && i < rq->job.ndevs; i++)
		if (rq->job.devs[i] < c->state.n)
			c->state.dev[rq->job.devs[i]].written++;
	if (rq->job.from && !rq->job.storage_down)
		probestat_stored(rq->job.from, rq->job.epoch, rq->job.seq);
	rq->w->queued_bytes -= rq->bytes;
	rq->bytes = 0;
	rq->done = 1;
	MHD_resume_connection(rq->conn);
}

/* 503 with Retry-After: the probe keeps the batch and sends it again. */
static enum MHD_Result reply_busy(struct MHD_Connection *conn, const char *msg)
{
	static const char *const retry[] = {"Retry-After", "1", NULL};
	return reply_hdr(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
			 (void *)(uintptr_t)msg, strlen(msg), MHD_RESPMEM_PERSISTENT, NULL, retry);
}

static size_t job_bytes(const struct ingest_job *j)
{
	return j->tcap + j->cap * (sizeof(*j->u) + sizeof(*j->off)) + j->ndevs * sizeof(size_t);
}

/* A refused credential is logged with its peer, a flood from one peer in a few lines. */
static void log_refused(struct web *w, const char *peer, const char *name, const char *why)
{
	if (lograte_allow(&w->c->warnings, "credential refused", peer, time(NULL)))
		log_warnx("ingest", "%s: batch refused: %s%s%s", peer, why,
			  name ? " for probe " : "", name ? name : "");
}

/*
 * Every batch proves its probe with HTTP Basic authentication (the name and the secret
 * `hbmon-collector probe add` issued). Checked before the body is read: 1 and rq->probe set,
 * or 0 with a 401 queued.
 */
static int authenticate(struct web *w, struct MHD_Connection *conn, struct req *rq,
			enum MHD_Result *ret)
{
	char *secret = NULL, peer[64];
	char *name = MHD_basic_auth_get_username_password(conn, &secret);
	int ok = name && secret && w->c->probes && probes_check(w->c->probes, name, secret) == 1;
	if (ok)
		snprintf(rq->probe, sizeof(rq->probe), "%s", name);
	else {
		w->c->ingest.st.batches_unauthorized++;
		peer_name(conn, peer, sizeof(peer));
		log_refused(w, peer, name && probes_valid_name(name) ? name : NULL,
			    name ? "wrong or revoked secret" : "no credential");
		static const char msg[] = "a probe's name and secret are required "
					  "(hbmon-collector probe add NAME)\n";
		struct MHD_Response *r = MHD_create_response_from_buffer(
		    sizeof(msg) - 1, (void *)(uintptr_t)msg, MHD_RESPMEM_PERSISTENT);
		*ret = r ? MHD_queue_basic_auth_fail_response(conn, "hbmon ingest", r) : MHD_NO;
		MHD_destroy_response(r);
	}
	if (secret) {
		memset(secret, 0, strlen(secret));
		MHD_free(secret);
	}
	if (name)
		MHD_free(name);
	return ok;
}

/* A piece of a body: kept while the request and all uploads together stay in bounds. */
static void take_upload(struct web *w, struct req *rq, const char *data, size_t n)
{
	if (rq->too_large || rq->over_budget)
		return;
	if (w->upload_bytes + n > UPLOAD_BUDGET) {
		rq->over_budget = 1;
	} else if (strbuf_append(&rq->body, data, n) < 0) {
		rq->too_large = 1;
	} else {
		w->upload_bytes += n;
		rq->upload_counted += n;
		return;
	}
	w->upload_bytes -= rq->upload_counted; /* what it had is dropped now */
	rq->upload_counted = 0;
	strbuf_free(&rq->body);
}

static void release_upload(struct web *w, struct req *rq)
{
	w->upload_bytes -= rq->upload_counted;
	rq->upload_counted = 0;
}

/* 200 with what was stored and what was refused, part by part; to a probe, the digest of its
 * assignment (made once per inventory), so it learns of a changed one. */
static enum MHD_Result reply_answer(const struct collector *c, struct MHD_Connection *conn,
				    const struct ingest_job *j)
{
	char fallback[64], digest[24];
	const char *hdr[] = {"X-Hbmon-Assignment", digest, NULL};
	struct probe_status *p = j->from;
	if (p && (!p->assignment || p->assignment_gen != c->inv_gen)) {
		p->assignment = assignment_digest(c->inv, p->name, c->cfg->default_probe);
		p->assignment_gen = c->inv_gen;
	}
	snprintf(digest, sizeof(digest), "%016llx",
		 (unsigned long long)(p ? p->assignment : 0));
	const char *a = j->answer;
	if (!a) {
		snprintf(fallback, sizeof(fallback), "{\"accepted\":%ld}", j->accepted);
		a = fallback;
	}
	return reply_hdr(conn, MHD_HTTP_OK, "application/json", (void *)(uintptr_t)a, strlen(a),
			 MHD_RESPMEM_MUST_COPY, NULL, p && p->assignment ? hdr : NULL);
}

static void decode_run(void *ctx, struct wjob **jobs, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++) {
		struct decode_job *d = (struct decode_job *)(void *)jobs[i];
		const struct strbuf *body = &d->owner->body;
		d->rc = wire_decode_batch(body->data, body->len, &d->b, d->err, sizeof(d->err));
	}
}

static void on_decode_done(struct wjob *j)
{
	struct req *rq = ((struct decode_job *)(void *)j)->owner;
	rq->decoded = 1;
	rq->waiting = 0; /* the handler runs again, for the rest of handle_ingest */
	MHD_resume_connection(rq->conn);
}

/* Decodes the body now, or (a large one) hands it to the decoder thread: 1 if handed. */
static int decode_body(struct web *w, struct MHD_Connection *conn, struct req *rq)
{
	if (rq->body.len > DECODE_INLINE_MAX && !w->decoder)
		w->decoder = worker_new("decode", decode_run, NULL, 4);
	if (rq->body.len > DECODE_INLINE_MAX && w->decoder) {
		rq->dec.base.done = on_decode_done;
		rq->dec.owner = rq;
		rq->conn = conn;
		rq->waiting = 1;
		MHD_suspend_connection(conn);
		worker_submit(w->decoder, &rq->dec.base);
		return 1;
	}
	rq->dec.rc = wire_decode_batch(rq->body.data, rq->body.len, &rq->dec.b, rq->dec.err,
				       sizeof(rq->dec.err));
	rq->decoded = 1;
	return 0;
}

static enum MHD_Result handle_ingest(struct web *w, struct MHD_Connection *conn, struct req *rq)
{
	char err[256], peer[64], msg[320];
	if (rq->done) {
		if (rq->job.storage_down) {
			w->c->ingest.st.batches_storage_failed++;
			return reply_busy(conn, "storage unavailable, send again later\n");
		}
		return reply_answer(w->c, conn, &rq->job);
	}
	if (rq->too_large)
		return reply_text(conn, MHD_HTTP_CONTENT_TOO_LARGE, "batch body too large\n");
	if (rq->over_budget) {
		w->c->ingest.st.batches_busy++;
		return reply_busy(conn, "too many uploads at once, send again later\n");
	}
	if (w->c->stopping || !w->c->writer)
		return reply_busy(conn, "stopping, send again later\n");
	if (!rq->decoded && decode_body(w, conn, rq))
		return MHD_YES;
	/* a body being decoded still counts against the budget of uploads held in memory */
	release_upload(w, rq);
	/* the writer is behind: the probe keeps the batch and sends it again */
	if (worker_pending(w->c->writer) >= (size_t)w->c->cfg->write_queue_max ||
	    w->queued_bytes >= ((size_t)w->c->cfg->write_queue_mb << 20)) {
		w->c->ingest.st.batches_busy++;
		return reply_busy(conn, "storage busy, send again later\n");
	}
	peer_name(conn, peer, sizeof(peer));
	long n = rq->dec.rc < 0 ? ingest_refused(&w->c->ingest, peer, rq->dec.err)
				: ingest_decoded(&w->c->ingest, peer, rq->probe, &rq->dec.b, &rq->job,
						 err, sizeof(err));
	if (rq->dec.rc < 0)
		snprintf(err, sizeof(err), "%s", rq->dec.err);
	strbuf_free(&rq->body);
	if (n < 0) {
		snprintf(msg, sizeof(msg), "bad batch: %s\n", err);
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, msg);
	}
	if (rq->job.from) {
		snprintf(rq->job.from->peer, sizeof(rq->job.from->peer), "%s", peer);
		probestat_spool(rq->job.from, MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
									   "X-Hbmon-Spool"));
	}
	if (rq->job.n == 0) {
		if (rq->job.from)
			probestat_stored(rq->job.from, rq->job.epoch, rq->job.seq);
		return reply_answer(w->c, conn, &rq->job);
	}
	rq->job.base.done = on_write_done;
	rq->job.owner = rq;
	rq->bytes = job_bytes(&rq->job);
	w->queued_bytes += rq->bytes;
	rq->conn = conn;
	rq->waiting = 1;
	MHD_suspend_connection(conn);
	worker_submit(w->c->writer, &rq->job.base);
	return MHD_YES;
}

/* Splits "/<commune>/<device>[/<rest>]" after prefix and finds the device. */
static long find_device(const struct collector *c, const char *url, const char **rest)
{
	const char *p = url, *slash = strchr(p, '/');
	if (!slash)
		return -1;
	const char *dev = slash + 1;
	const char *end = strchr(dev, '/');
	size_t dlen = end ? (size_t)(end - dev) : strlen(dev);
	*rest = end ? end + 1 : "";
	return inventory_find_path(c->inv, p, (size_t)(slash - p), dev, dlen);
}

static int may_see_device(const struct collector *c, const struct req *rq, long i)
{
	return viewer_sees(&rq->v, c->inv->communes[c->inv->devices[i].commune].name);
}

/* "system" or "if-<n>", with ext ("png", "svg", or "" for series) → the group; else -1. */
static int parse_group(const char *s, const char *ext, char *group, size_t groupsz,
		       const struct rrd_group_def **def)
{
	size_t len = strlen(s);
	if (*ext) {
		const char *dot = strrchr(s, '.');
		if (!dot || strcmp(dot + 1, ext) != 0)
			return -1;
		len = (size_t)(dot - s);
	}
	if (len >= groupsz)
		return -1;
	memcpy(group, s, len);
	group[len] = '\0';
	if (strcmp(group, "system") == 0) {
		*def = &RRDG_SYSTEM;
		return 0;
	}
	long idx;
	if (strncmp(group, "if-", 3) == 0 && parse_long(group + 3, 1, 2147483647, &idx) == 0) {
		*def = &RRDG_IF;
		return 0;
	}
	/* a profile group's file: exactly the names ingest gives them */
	if (!name_row_file_valid(group))
		return -1;
	*def = NULL;
	return 0;
}

static const char *arg(struct MHD_Connection *conn, const char *key)
{
	return MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
}

static void on_render_done(struct wjob *j)
{
	struct req *rq = ((struct render_job *)(void *)j)->owner;
	rq->done = 1;
	MHD_resume_connection(rq->conn);
}

static enum MHD_Result submit_render(struct web *w, struct MHD_Connection *conn, struct req *rq)
{
	if (w->c->stopping || !w->c->render)
		return reply_busy(conn, "stopping, ask again later\n");
	/* readers share one thread: a queue of long reports must not starve the graphs */
	if (worker_pending(w->c->render) >= RENDER_QUEUE_MAX)
		return reply_busy(conn, "busy drawing, ask again later\n");
	rq->rj->base.done = on_render_done;
	rq->rj->owner = rq;
	rq->conn = conn;
	rq->waiting = 1;
	snprintf(rq->rj->daemon, sizeof(rq->rj->daemon), "%s", w->c->cfg->rrdcached);
	MHD_suspend_connection(conn);
	worker_submit(w->c->render, &rq->rj->base);
	return MHD_YES;
}

static enum MHD_Result reply_graph(struct web *w, struct MHD_Connection *conn,
				   const struct gcache_entry *e, const char *type, int hit)
{
	char cache[48];
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
	snprintf(cache, sizeof(cache), "max-age=%d", rrdstore_step(w->c->rrd));
	const char *const hdr[] = {"ETag", e->etag, "X-Hbmon-Cache", hit ? "hit" : "miss", NULL};
	if (inm && strcmp(inm, e->etag) == 0)
		return reply_hdr(conn, MHD_HTTP_NOT_MODIFIED, type, (void *)"", 0,
				 MHD_RESPMEM_PERSISTENT, cache, hdr);
	return reply_hdr(conn, MHD_HTTP_OK, type, e->body, e->len, MHD_RESPMEM_MUST_COPY, cache,
			 hdr);
}

/* A finished graph job: cached, then sent (or a 404 when there is nothing to draw yet). */
static enum MHD_Result graph_done(struct web *w, struct MHD_Connection *conn, struct req *rq)
{
	struct render_job *j = rq->rj;
	if (!j->ok)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "no data for this graph yet\n");
	const struct gcache_entry *e =
	    gcache_put(w->c->gcache, rq->key, rq->gen, w->c->now(), j->body, j->len);
	if (e)
		return reply_graph(w, conn, e, rq->type, 0);
	/* too big to keep: sent once, without an ETag to revalidate */
	static const char *const hdr[] = {"X-Hbmon-Cache", "miss", NULL};
	void *body = j->body;
	j->body = NULL;
	return reply_hdr(conn, MHD_HTTP_OK, rq->type, body, j->len, MHD_RESPMEM_MUST_FREE, NULL, hdr);
}

static enum MHD_Result handle_graph(struct web *w, struct MHD_Connection *conn, const char *url,
				    enum lang l, struct req *rq)
{
	const struct collector *c = w->c;
	const char *rest;
	char group[ROW_FILE_STEM_MAX], err[256];
	const struct rrd_group_def *def;
	if (rq->done)
		return graph_done(w, conn, rq);
	long i = find_device(c, url, &rest);
	if (i < 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "no such graph\n");
	if (!may_see_device(c, rq, i))
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "not a device of your commune\n");
	int svg = strlen(rest) > 4 && strcmp(rest + strlen(rest) - 4, ".svg") == 0;
	if (i < 0 || parse_group(rest, svg ? "svg" : "png", group, sizeof(group), &def) < 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "no such graph\n");
	const char *ds = arg(conn, "ds");
	if (!def && (!ds || !wire_valid_metric(ds)))
		return reply_text(conn, MHD_HTTP_BAD_REQUEST,
				  "ds: the metric to draw, [a-z][a-z0-9_]* (e.g. ?ds=percent)\n");
	enum graph_period gp = graph_period_parse(arg(conn, "period"), GP_DAY);
	int64_t from, to;
	if (graph_range(&gp, arg(conn, "start"), arg(conn, "end"), (int64_t)c->now(), &from, &to,
			err, sizeof(err)) < 0)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, err);
	const struct inv_device *d = &c->inv->devices[i];
	char path[4096];
	if (rrdstore_path(c->rrd, path, sizeof(path), c->inv->communes[d->commune].path, d->path,
			  group) < 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "no such graph\n");
	rq->type = svg ? "image/svg+xml" : "image/png";
	rq->gen = c->state.dev[i].written;
	const char *size = arg(conn, "size");
	int spark = size && strcmp(size, "spark") == 0; /* a commune page's line per device */
	/* a named period is the same graph until its step passes; a custom one is keyed by range */
	snprintf(rq->key, sizeof(rq->key), "%s|%s|%s|%lld|%lld|%d|%s|%d", path, svg ? "svg" : "png",
		 graph_period_name(gp), gp == GP_CUSTOM ? (long long)from : 0LL,
		 gp == GP_CUSTOM ? (long long)to : 0LL, (int)l, def ? "" : ds, spark);
	/* the time axis moves by one pixel every span/width seconds: no sooner is it redrawn */
	time_t now = c->now();
	int ttl = (int)((to - from) / 640);
	if (ttl < rrdstore_step(c->rrd))
		ttl = rrdstore_step(c->rrd);
	if (to < now - ttl)
		ttl = 3600; /* a range in the past changes only with new data (a late replay) */
	const struct gcache_entry *e = gcache_get(c->gcache, rq->key, rq->gen, now, ttl);
	if (e)
		return reply_graph(w, conn, e, rq->type, 1);

	struct render_job *j = rq->rj = calloc(1, sizeof(*j));
	if (!j)
		return MHD_NO;
	j->kind = RENDER_GRAPH;
	snprintf(j->file, sizeof(j->file), "%s", path);
	j->def = def;
	j->svg = svg;
	j->start = from;
	j->end = to;
	j->width = spark ? 120 : 640;
	j->height = spark ? 24 : 160;
	j->spark = spark;
	if (!def) {
		char key[WIRE_METRIC_MAX + 8];
		snprintf(key, sizeof(key), "group.%.*s", (int)strcspn(group, "-"), group);
		snprintf(j->title, sizeof(j->title), "%s — %s %s · %s", d->name,
			 i18n_get(c->i18n, l, key), strchr(group, '-') ? strchr(group, '-') + 1 : "",
			 ds);
		snprintf(j->ds, sizeof(j->ds), "%s", ds);
		snprintf(j->legend[0], sizeof(j->legend[0]), "%s", ds);
		return submit_render(w, conn, rq);
	}
	if (def == &RRDG_SYSTEM)
		snprintf(j->title, sizeof(j->title), "%s — %s", d->name,
			 i18n_get(c->i18n, l, "graph.availability"));
	else
		snprintf(j->title, sizeof(j->title), "%s — %s %s", d->name,
			 i18n_get(c->i18n, l, "graph.traffic_of_if"), group + 3);
	snprintf(j->vlabel, sizeof(j->vlabel), "%s", def == &RRDG_SYSTEM ? "%" : "bit/s");
	snprintf(j->legend[0], sizeof(j->legend[0]), "%s",
		 i18n_get(c->i18n, l, def == &RRDG_SYSTEM ? "graph.legend.avail" : "graph.legend.in"));
	snprintf(j->legend[1], sizeof(j->legend[1]), "%s", i18n_get(c->i18n, l, "graph.legend.out"));
	return submit_render(w, conn, rq);
}

/* /api/v1/series/<commune>/<device>/<group>?period=&start=&end=&resolution=&cf=&format= */
static enum MHD_Result handle_series(struct web *w, struct MHD_Connection *conn, const char *url,
				     struct req *rq)
{
	const struct collector *c = w->c;
	const char *rest, *v;
	char group[ROW_FILE_STEM_MAX], err[256], path[4096];
	const struct rrd_group_def *def;
	if (rq->done) {
		struct render_job *j = rq->rj;
		if (!j->ok)
			return reply_text(conn, MHD_HTTP_NOT_FOUND, "no data for this series yet\n");
		void *body = j->body;
		j->body = NULL;
		static const char *const attach[] = {"Content-Disposition",
						     "attachment; filename=\"series.csv\"", NULL};
		return reply_hdr(conn, MHD_HTTP_OK,
				 j->csv ? "text/csv; charset=utf-8" : "application/json", body, j->len,
				 MHD_RESPMEM_MUST_FREE, "no-cache", j->csv ? attach : NULL);
	}
	long i = find_device(c, url, &rest);
	if (i >= 0 && !may_see_device(c, rq, i))
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "not a device of your commune\n");
	if (i < 0 || parse_group(rest, "", group, sizeof(group), &def) < 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "no such series\n");
	enum graph_period gp = graph_period_parse(arg(conn, "period"), GP_DAY);
	int64_t from, to;
	long res = 0;
	if (graph_range(&gp, arg(conn, "start"), arg(conn, "end"), (int64_t)c->now(), &from, &to,
			err, sizeof(err)) < 0)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, err);
	if ((v = arg(conn, "resolution")) && parse_long(v, 1, 86400 * 366, &res) < 0)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "resolution: seconds, 1 to 31622400\n");
	const char *cf = arg(conn, "cf") ? arg(conn, "cf") : "AVERAGE";
	if (strcmp(cf, "AVERAGE") != 0 && strcmp(cf, "MIN") != 0 && strcmp(cf, "MAX") != 0)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "cf: AVERAGE, MIN or MAX\n");
	const char *fmt = arg(conn, "format") ? arg(conn, "format") : "json";
	if (strcmp(fmt, "json") != 0 && strcmp(fmt, "csv") != 0)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "format: json or csv\n");
	const struct inv_device *d = &c->inv->devices[i];
	if (rrdstore_path(c->rrd, path, sizeof(path), c->inv->communes[d->commune].path, d->path,
			  group) < 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "no such series\n");
	struct render_job *j = rq->rj = calloc(1, sizeof(*j));
	if (!j)
		return MHD_NO;
	j->kind = RENDER_SERIES;
	snprintf(j->file, sizeof(j->file), "%s", path);
	snprintf(j->cf, sizeof(j->cf), "%s", cf);
	j->start = from;
	j->end = to;
	j->resolution = res;
	j->csv = strcmp(fmt, "csv") == 0;
	return submit_render(w, conn, rq);
}

/* A period asked for: a calendar one by name (this month when none is given), or from= and
 * to= (a rolling window when asked: any span of time). */
static int history_range(struct MHD_Connection *conn, int64_t now, int64_t *from, int64_t *to,
			 char *err, size_t errsz)
{
	const char *name = arg(conn, "period"), *start = arg(conn, "from"), *end = arg(conn, "to");
	if (!start && !end) {
		if (period_calendar(name ? name : "month", now, from, to) == 0)
			return 0;
		snprintf(err, errsz, "period: expected day, yesterday, week, last-week, month, "
				     "last-month, quarter, last-quarter, year or last-year");
		return -1;
	}
	enum graph_period gp = GP_CUSTOM;
	if (graph_range(&gp, start, end, now, from, to, err, errsz) < 0)
		return -1;
	return 0;
}

/* /api/v1/readiness?period=month|last-month|… or from=&to=: from stored series. */
static enum MHD_Result handle_history(struct web *w, struct MHD_Connection *conn, struct req *rq,
				     int html, enum lang l)
{
	const struct collector *c = w->c;
	char err[256];
	if (rq->done) {
		struct render_job *j = rq->rj;
		if (!j->ok)
			return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, j->err);
		if (j->sheet) {
			char disp[220];
			snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", j->filename);
			const char *const attach[] = {"Content-Disposition", disp, NULL};
			void *body = j->body;
			j->body = NULL;
			return reply_hdr(conn, MHD_HTTP_OK,
					 sheet_content_type((enum sheet_format)j->sheet_format), body,
					 j->len, MHD_RESPMEM_MUST_FREE, "no-cache", attach);
		}
		if (!html) {
			void *body = j->body;
			j->body = NULL;
			return reply_hdr(conn, MHD_HTTP_OK, "application/json", body, j->len,
					 MHD_RESPMEM_MUST_FREE, "no-cache", NULL);
		}
		/* the same figures as a page, made from the tree the thread built */
		struct strbuf sb;
		if (strbuf_init(&sb, PAGE_LIMIT) < 0)
			return MHD_NO;
		int rc = j->tree ? page_report(&sb, c, l, j->tree, &rq->v) : -1;
		return reply_buf(conn, &sb, rc, "text/html; charset=utf-8");
	}
	int64_t from, to;
	if (history_range(conn, (int64_t)c->now(), &from, &to, err, sizeof(err)) < 0)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, err);
	struct render_job *j = rq->rj = calloc(1, sizeof(*j));
	if (!j)
		return MHD_NO;
	j->kind = RENDER_HISTORY;
	const char *fmt = arg(conn, "format");
	enum sheet_format sf;
	j->sheet = !html && fmt && sheet_format_parse(fmt, &sf) == 0 && sf != SHEET_JSON;
	j->sheet_format = j->sheet ? (int)sf : 0;
	j->sheet_lang = (int)l;
	j->i18n = c->i18n;
	j->as_text = !html && !j->sheet;
	if (!(j->hist = history_new(c, alerts_hours(c->alerts), from, to, (int64_t)c->now())))
		return MHD_NO;
	return submit_render(w, conn, rq);
}

/* Where a log-in goes on to: a path of this site only ("//evil.example" is another site). */
static const char *safe_next(const char *next)
{
	if (next[0] != '/' || next[1] == '/' || next[1] == '\\')
		return "/";
	for (const char *p = next; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == '\\')
			return "/";
	return next;
}

static enum MHD_Result redirect(struct MHD_Connection *conn, const char *to, const char *cookie)
{
	const char *const hdr[] = {"Location", to, cookie ? "Set-Cookie" : NULL, cookie, NULL};
	return reply_hdr(conn, MHD_HTTP_SEE_OTHER, "text/plain; charset=utf-8", (void *)"", 0,
			 MHD_RESPMEM_PERSISTENT, NULL, hdr);
}

static enum MHD_Result login_page(struct web *w, struct MHD_Connection *conn, enum lang l,
				  unsigned code, const char *msg_key, const char *user,
				  const char *next, int retry_after)
{
	struct strbuf sb;
	char retry[16];
	if (strbuf_init(&sb, 1u << 20) < 0)
		return MHD_NO;
	if (page_login(&sb, w->c, l, msg_key, user, safe_next(next ? next : "/")) < 0 || sb.overflow) {
		strbuf_free(&sb);
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "page too large\n");
	}
	snprintf(retry, sizeof(retry), "%d", retry_after);
	const char *const hdr[] = {retry_after > 0 ? "Retry-After" : NULL, retry, NULL};
	size_t len;
	char *data = strbuf_take(&sb, &len);
	return reply_hdr(conn, code, "text/html; charset=utf-8", data, len, MHD_RESPMEM_MUST_FREE,
			 NULL, hdr);
}

/* The query's arguments, in the key of a cached page. */
static enum MHD_Result key_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	(void)kind;
	strbuf_printf(cls, "&%s=%s", key, value ? value : "");
	return MHD_YES;
}

/*
 * The overview, made at most once per judging (a second), samples applied or form sent, for a
 * session, language and query: the screens of a district office and the page's own refresh
 * ask for it over and over. Compressed for browsers that take gzip (a tenth of the bytes),
 * with an ETag, so a refresh of an unchanged page costs a 304.
 */
static enum MHD_Result reply_overview(struct web *w, struct MHD_Connection *conn,
				      const struct req *rq, enum lang l)
{
	const struct collector *c = w->c;
	uint64_t ticks;
	double cpu;
	alerts_tick_cost(c->alerts, &ticks, &cpu);
	uint64_t gen = ticks + c->ingest.st.samples + w->forms;
	int gz = gzip_accepted(MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Encoding"));
	struct strbuf key;
	if (strbuf_init(&key, 4096) < 0)
		return MHD_NO;
	strbuf_printf(&key, "/|%s|%d|%d", rq->v_csrf, (int)l, gz);
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, key_arg, &key);
	if (key.overflow) { /* no filter of the page is that long */
		strbuf_free(&key);
		return reply_text(conn, MHD_HTTP_URI_TOO_LONG, "the query is too long\n");
	}
	const struct gcache_entry *e = gcache_get(w->pages, key.data, gen, c->now(), 3600);
	int hit = e != NULL;
	if (!e) {
		struct page_query q = {arg(conn, "status"), arg(conn, "sev"), arg(conn, "kind"),
				       arg(conn, "q"),      arg(conn, "sort"), arg(conn, "refresh")};
		struct strbuf sb;
		unsigned char *z = NULL;
		size_t zlen = 0;
		if (strbuf_init(&sb, PAGE_LIMIT) < 0) {
			strbuf_free(&key);
			return MHD_NO;
		}
		if (page_dashboard(&sb, c, l, &rq->v, &q) == 0 && !sb.overflow &&
		    (!gz || gzip_buf(sb.data, sb.len, &z, &zlen) == 0))
			e = gcache_put(w->pages, key.data, gen, c->now(),
				       z ? z : (unsigned char *)sb.data, z ? zlen : sb.len);
		free(z);
		strbuf_free(&sb);
	}
	strbuf_free(&key);
	if (!e)
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "page too large\n");
	const char *inm = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
	const char *const hdr[] = {"ETag", e->etag, "X-Hbmon-Cache", hit ? "hit" : "miss",
				   "Vary", "Accept-Encoding, Cookie",
				   gz ? "Content-Encoding" : NULL, "gzip", NULL};
	if (inm && strcmp(inm, e->etag) == 0)
		return reply_hdr(conn, MHD_HTTP_NOT_MODIFIED, "text/html; charset=utf-8", (void *)"",
				 0, MHD_RESPMEM_PERSISTENT, NULL, hdr);
	return reply_hdr(conn, MHD_HTTP_OK, "text/html; charset=utf-8", e->body, e->len,
			 MHD_RESPMEM_MUST_COPY, NULL, hdr);
}

static enum MHD_Result reply_events(struct MHD_Connection *conn, struct strbuf *sb,
				    const struct collector *c, enum lang l, const struct viewer *v)
{
	struct events_query q = {arg(conn, "commune"), arg(conn, "kind"), arg(conn, "from"),
				 arg(conn, "to")};
	const char *const fields[] = {q.commune, q.kind, q.from, q.to};
	for (size_t i = 0; i < 4; i++)
		if (fields[i] && (strlen(fields[i]) > 200 || !utf8_is_clean(fields[i]))) {
			strbuf_free(sb);
			return reply_text(conn, MHD_HTTP_BAD_REQUEST, "a filter is too long\n");
		}
	int rc = page_events(sb, c, l, v, &q);
	if (rc == -2) {
		strbuf_free(sb);
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "from, to: dates as YYYY-MM-DD\n");
	}
	return reply_buf(conn, sb, rc, "text/html; charset=utf-8");
}

/* ?lang=en, else the configured language */
static enum lang request_lang(const struct web *w, struct MHD_Connection *conn)
{
	const char *lang = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang");
	return lang_parse(lang, lang_parse(w->c->cfg->language, LANG_VI));
}

/* /device/<commune>/<device>: its page for the period asked (i found, rest empty). */
static enum MHD_Result reply_device(struct web *w, struct MHD_Connection *conn, struct req *rq,
				    long i, enum lang l, struct strbuf *sb)
{
	const struct collector *c = w->c;
	if (!may_see_device(c, rq, i)) {
		strbuf_free(sb);
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "not a device of your commune\n");
	}
	enum graph_period gp = graph_period_parse(arg(conn, "period"), GP_DAY);
	const char *start = arg(conn, "start"), *end = arg(conn, "end");
	int64_t from, to;
	char err[128];
	if (graph_range(&gp, start, end, (int64_t)c->now(), &from, &to, err, sizeof(err)) < 0) {
		strbuf_free(sb);
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, err);
	}
	struct page_range pr = {graph_period_name(gp), gp == GP_CUSTOM ? start : NULL,
				gp == GP_CUSTOM ? end : NULL};
	return reply_buf(conn, sb, page_device(sb, c, (size_t)i, l, &pr, &rq->v),
			 "text/html; charset=utf-8");
}

/* /commune/<commune> */
static enum MHD_Result reply_commune(struct web *w, struct MHD_Connection *conn,
				     const struct req *rq, long k, enum lang l, struct strbuf *sb)
{
	const struct collector *c = w->c;
	if (!viewer_sees(&rq->v, c->inv->communes[k].name)) {
		strbuf_free(sb);
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "not your commune\n");
	}
	return reply_buf(conn, sb, page_commune(sb, c, (size_t)k, l, &rq->v),
			 "text/html; charset=utf-8");
}

/* What a logged-in person reads besides the overview and the period report: answered in sb,
 * or sb freed and another answer queued. */
static enum MHD_Result handle_viewer_get(struct web *w, struct MHD_Connection *conn,
					 const char *url, struct req *rq, enum lang l,
					 struct strbuf *sb)
{
	struct collector *c = w->c;
	const struct viewer *v = &rq->v;
	const char *html = "text/html; charset=utf-8", *json = "application/json";
	if (strcmp(url, "/audit") == 0 && !viewer_is_admin(v)) {
		strbuf_free(sb);
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "the activity log is an administrator's\n");
	}
	if (strcmp(url, "/audit") == 0)
		return reply_buf(conn, sb, page_audit(sb, c, l, v, arg(conn, "user")), html);
	if (strcmp(url, "/api/v1/alerts") == 0)
		return reply_buf(conn, sb, alerts_json(sb, c->alerts, c, v), json);
	if (strcmp(url, "/api/v1/devices") == 0)
		return reply_buf(conn, sb, api_devices(sb, c, v), json);
	if (strcmp(url, "/api/v1/readiness") == 0)
		return reply_buf(conn, sb, api_readiness(sb, c, l, v), json);
	if (strcmp(url, "/search") == 0) {
		const char *q = arg(conn, "q");
		if (q && (strlen(q) > 100 || !utf8_is_clean(q))) {
			strbuf_free(sb);
			return reply_text(conn, MHD_HTTP_BAD_REQUEST, "q: up to 100 characters of text\n");
		}
		return reply_buf(conn, sb, page_search(sb, c, l, v, q), html);
	}
	if (strcmp(url, "/events") == 0)
		return reply_events(conn, sb, c, l, v);
	long k = strncmp(url, "/commune/", 9) == 0 ? inventory_find_commune_path(c->inv, url + 9)
						   : -1;
	if (k >= 0)
		return reply_commune(w, conn, rq, k, l, sb);
	const char *rest = "x";
	long i = strncmp(url, "/device/", 8) == 0 ? find_device(c, url + 8, &rest) : -1;
	if (i >= 0 && !*rest)
		return reply_device(w, conn, rq, i, l, sb);
	strbuf_free(sb);
	return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

static enum MHD_Result handle_get(struct web *w, struct MHD_Connection *conn, const char *url,
				  struct req *rq)
{
	struct collector *c = w->c;
	struct strbuf sb;
	enum lang l = request_lang(w, conn);

	if (strncmp(url, "/graph/", 7) == 0)
		return handle_graph(w, conn, url + 7, l, rq);
	if (strncmp(url, "/api/v1/series/", 15) == 0)
		return handle_series(w, conn, url + 15, rq);
	for (int i = 0; i < NSTATIC && strncmp(url, "/static/", 8) == 0; i++)
		if (strcmp(url + 8, w->statics[i].name) == 0)
			return reply(conn, MHD_HTTP_OK, w->statics[i].type, w->statics[i].data,
				     w->statics[i].len, MHD_RESPMEM_PERSISTENT, "max-age=3600");
	if (strcmp(url, "/login") == 0)
		return login_page(w, conn, l, MHD_HTTP_OK, NULL, "", arg(conn, "next"), 0);
	if (strcmp(url, "/") == 0)
		return reply_overview(w, conn, rq, l);
	int period = strcmp(url, "/report") == 0 ||
		     (strcmp(url, "/api/v1/readiness") == 0 &&
		      (arg(conn, "from") || arg(conn, "to") || arg(conn, "period") || rq->rj));
	if (period && !viewer_sees_all(&rq->v)) /* a commune's own days are on its page */
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "the district's report needs a viewer's "
							    "or an administrator's account\n");
	if (period)
		return handle_history(w, conn, rq, strcmp(url, "/report") == 0, l);
	if (strbuf_init(&sb, PAGE_LIMIT) < 0)
		return MHD_NO;
	if (strcmp(url, "/api/v1/assignment") == 0) {
		enum MHD_Result ret;
		if (!authenticate(w, conn, rq, &ret)) {
			strbuf_free(&sb);
			return ret;
		}
		return reply_buf(conn, &sb,
				 assignment_csv(&sb, c->inv, rq->probe, c->cfg->default_probe),
				 "text/csv; charset=utf-8");
	}
	if (strcmp(url, "/metrics") == 0) {
		/* metrics_public: nobody asked, the district's figures are everyone's */
		static const struct viewer anyone = {"(metrics_public)", ROLE_VIEWER, "", ""};
		return reply_buf(conn, &sb, api_metrics(&sb, c, rq->v.user ? &rq->v : &anyone),
				 "text/plain; version=0.0.4; charset=utf-8");
	}
	return handle_viewer_get(w, conn, url, rq, l, &sb);
}

static enum MHD_Result on_form_field(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *filename, const char *type, const char *enc,
				     const char *data, uint64_t off, size_t size)
{
	struct req *rq = cls;
	(void)kind, (void)filename, (void)type, (void)enc;
	/* a multipart part without a name (its Content-Disposition missing or without name=)
	 * comes with no key: like a field of another name, it is not one of ours */
	if (!key)
		return MHD_YES;
	for (int i = 0; i < NFORM; i++) {
		if (strcmp(key, form_keys[i]) != 0)
			continue;
		size_t have = strlen(rq->form[i]);
		if (off != have || have + size >= sizeof(rq->form[i]))
			rq->form_bad = 1; /* too long: refused, not cut */
		else
			memcpy(rq->form[i] + have, data, size);
		return MHD_YES;
	}
	return MHD_YES;
}

/* A form posted from another site's page (the officer's browser made to post here) is refused
 * by the browser's own word: Origin and Sec-Fetch-Site, where it sends them. The CSRF token
 * checked after this is what holds when it does not. */
static int cross_site(const struct web *w, struct MHD_Connection *conn)
{
	char own[300];
	const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	const char *fetch = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	snprintf(own, sizeof(own), "%s://%s", w->tls_cert ? "https" : "http", host ? host : "");
	return (origin && strcmp(origin, own) != 0) || (fetch && strcmp(fetch, "cross-site") == 0);
}

/* POST /login: checked on the log-in thread, answered when it comes back. */
static enum MHD_Result handle_login(struct web *w, struct MHD_Connection *conn, struct req *rq,
				    enum lang l)
{
	char peer[64], cookie[256];
	time_t now = w->c->now();
	enum login_outcome o;
	int retry = 0;
	if (rq->login.done) {
		o = webauth_login_finish(w->auth, &rq->login, now, cookie, sizeof(cookie));
		if (o == LOGIN_OK)
			return redirect(conn, safe_next(rq->form[F_NEXT]), cookie);
	} else {
		peer_name(conn, peer, sizeof(peer));
		o = webauth_login_start(w->auth, conn, &rq->login, rq->form[F_USER],
					rq->form[F_PASSWORD], peer, now, &retry);
		sodium_memzero(rq->form[F_PASSWORD], sizeof(rq->form[F_PASSWORD]));
		if (o == LOGIN_PENDING) {
			rq->waiting = 1;
			return MHD_YES;
		}
	}
	if (o == LOGIN_LIMITED)
		return login_page(w, conn, l, MHD_HTTP_TOO_MANY_REQUESTS, "login.limited",
				  rq->form[F_USER], rq->form[F_NEXT], retry);
	if (o == LOGIN_BUSY)
		return login_page(w, conn, l, MHD_HTTP_SERVICE_UNAVAILABLE, "login.busy",
				  rq->form[F_USER], rq->form[F_NEXT], 5);
	return login_page(w, conn, l, MHD_HTTP_UNAUTHORIZED, "login.wrong", rq->form[F_USER],
			  rq->form[F_NEXT], 0);
}

static enum MHD_Result handle_logout(struct web *w, struct MHD_Connection *conn)
{
	char peer[64], cookie[256];
	peer_name(conn, peer, sizeof(peer));
	webauth_logout(w->auth, MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, WEBAUTH_COOKIE),
		       peer, w->c->now(), cookie, sizeof(cookie));
	return redirect(conn, "/login", cookie);
}

/* The name people read for the one logged in: their full name, else their user name. */
static void display_name(const struct web *w, const struct req *rq, char *dst, size_t n)
{
	struct user_rec rec;
	int found = users_get(w->c->users, rq->v_user, &rec) == 1 && rec.full_name[0];
	snprintf(dst, n, "%s", found ? rec.full_name : rq->v_user);
	sodium_memzero(&rec, sizeof(rec));
}

/* An acknowledgement or a maintenance window, in the name of the one logged in. */
static enum MHD_Result handle_action(struct web *w, struct MHD_Connection *conn, const char *url,
				     struct req *rq)
{
	char err[300], peer[64], by[USER_FULL_NAME_MAX];
	if (!viewer_may_act(&rq->v, rq->form[F_COMMUNE]))
		return reply_text(conn, MHD_HTTP_FORBIDDEN,
				  "your account may not act for this commune\n");
	display_name(w, rq, by, sizeof(by));
	struct action a = {rq->form[F_COMMUNE], rq->form[F_SITE], rq->form[F_DEVICE],
			   rq->form[F_FROM],    rq->form[F_TO],   rq->form[F_NOTE],
			   rq->form[F_TARGET],  by};
	time_t now = w->c->now();
	int ack = strcmp(url, "/api/v1/ack") == 0;
	long id = ack ? action_ack(w->c, &a, now, err, sizeof(err))
		      : action_maint_add(w->c, &a, viewer_maint_max(&rq->v), now, err, sizeof(err));
	if (id < 0) {
		/* the form's names, not the command line's */
		char msg[320];
		snprintf(msg, sizeof(msg), "%s\n", strncmp(err, "--", 2) == 0 ? err + 2 : err);
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, msg);
	}
	peer_name(conn, peer, sizeof(peer));
	action_audit(w->c, &a, ack ? AUDIT_ACK : AUDIT_MAINT_ADD, id, rq->v_user, peer, now);
	w->forms++; /* shown at once on the page it goes back to */
	if (ack)
		alerts_tick(w->c->alerts, w->c, now, 1);
	return redirect(conn, ack ? "/#alerts" : "/#maint", NULL);
}

static enum MHD_Result handle_cancel(struct web *w, struct MHD_Connection *conn, struct req *rq)
{
	char err[300], peer[64];
	long id;
	if (parse_long(rq->form[F_ID], 1, 9007199254740991L, &id) < 0)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "id: the window's number\n");
	peer_name(conn, peer, sizeof(peer));
	int rc = action_maint_cancel(w->c, id, &rq->v, peer, w->c->now(), err, sizeof(err));
	if (rc < 0)
		return reply_text(conn, rc == -2 ? MHD_HTTP_FORBIDDEN : MHD_HTTP_BAD_REQUEST, err);
	w->forms++;
	return redirect(conn, "/#maint", NULL);
}

/* An unknown host of a commune's LAN added to the inventory (administrators only): a row
 * appended to the inventory file, then the collector reloads it. */
static enum MHD_Result handle_inventory_add(struct web *w, struct MHD_Connection *conn,
					    struct req *rq)
{
	char err[600], peer[64], detail[600];
	if (!viewer_is_admin(&rq->v))
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "only an administrator adds devices\n");
	struct invadd_row row = {rq->form[F_COMMUNE], rq->form[F_SITE], rq->form[F_DEVICE],
				 rq->form[F_CLASS],   rq->form[F_ADDRESS], rq->form[F_MAC]};
	if (invadd_append(w->c->cfg->inventory, w->c->inv, &row, err, sizeof(err)) < 0) {
		strncat(err, "\n", sizeof(err) - strlen(err) - 1);
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, err);
	}
	peer_name(conn, peer, sizeof(peer));
	snprintf(detail, sizeof(detail), "%s / %s: %s (%s, %s %s)", row.commune, row.site, row.device,
		 row.cls, row.address, row.mac);
	audit_add(w->c->store, w->c->now(), rq->v_user, peer,
		  audit_action_name(AUDIT_INVENTORY_ADD), detail);
	w->c->reload_wanted = 1; /* the loop reloads before it answers anything else */
	w->forms++;
	struct strbuf to;
	if (strbuf_init(&to, 1024) < 0)
		return MHD_NO;
	long k = -1;
	for (size_t i = 0; i < w->c->inv->ncommunes; i++)
		if (strcmp(w->c->inv->communes[i].name, row.commune) == 0)
			k = (long)i;
	strbuf_puts(&to, "/commune/");
	if (k >= 0)
		strbuf_url(&to, w->c->inv->communes[k].path);
	strbuf_puts(&to, "#lan");
	enum MHD_Result ret = redirect(conn, to.data, NULL);
	strbuf_free(&to);
	return ret;
}

/* A form from the dashboard: refused from another site, without the session's token, or too
 * long; then done in the name of the one logged in. */
static enum MHD_Result handle_form(struct web *w, struct MHD_Connection *conn, const char *url,
				   struct req *rq, enum lang l)
{
	if (cross_site(w, conn))
		return reply_text(conn, MHD_HTTP_FORBIDDEN, "form from another site refused\n");
	if (rq->form_bad)
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, "a field is too long\n");
	for (int i = 0; i < NFORM; i++)
		if (!utf8_is_clean(rq->form[i]))
			return reply_text(conn, MHD_HTTP_BAD_REQUEST, "fields must be UTF-8 text\n");
	if (strcmp(url, "/login") == 0)
		return handle_login(w, conn, rq, l);
	if (!rq->authed || strlen(rq->form[F_CSRF]) != SESSION_TOKEN_LEN ||
	    sodium_memcmp(rq->v_csrf, rq->form[F_CSRF], SESSION_TOKEN_LEN) != 0)
		return reply_text(conn, MHD_HTTP_FORBIDDEN,
				  "the form is out of date: reload the page and send it again\n");
	if (strcmp(url, "/logout") == 0)
		return handle_logout(w, conn);
	if (strcmp(url, "/api/v1/maintenance/cancel") == 0)
		return handle_cancel(w, conn, rq);
	if (strcmp(url, "/api/v1/inventory/add") == 0)
		return handle_inventory_add(w, conn, rq);
	return handle_action(w, conn, url, rq);
}

static int is_form_url(const char *url)
{
	static const char *const forms[] = {"/login", "/logout", "/api/v1/ack",
					    "/api/v1/maintenance", "/api/v1/maintenance/cancel",
					    "/api/v1/inventory/add"};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(url, forms[i]) == 0)
			return 1;
	return 0;
}

/* Paths anyone may ask for: the log-in page and its style, the probes' (their own credential),
 * and /metrics when the configuration opens it (a scraper on a trusted network). */
static int is_public(const struct web *w, const char *url)
{
	static const char *const open[] = {"/login", "/static/style.css", "/static/overview.js",
					   "/api/v1/ingest", "/api/v1/assignment"};
	if (strcmp(url, "/metrics") == 0)
		return w->c->cfg->metrics_public;
	for (size_t i = 0; i < sizeof(open) / sizeof(open[0]); i++)
		if (strcmp(url, open[i]) == 0)
			return 1;
	return 0;
}

/* 401 with the scheme a token is sent by (RFC 6750 section 3). */
static enum MHD_Result reply_bearer(struct MHD_Connection *conn, const char *msg)
{
	static const char *const hdr[] = {"WWW-Authenticate", "Bearer realm=\"hbmon\"", NULL};
	char *copy = strdup(msg);
	if (!copy)
		return MHD_NO;
	return reply_hdr(conn, MHD_HTTP_UNAUTHORIZED, "text/plain; charset=utf-8", copy,
			 strlen(copy), MHD_RESPMEM_MUST_FREE, NULL, hdr);
}

/* What a read-only token may ask for: the counters and the JSON API, nothing else. */
static int token_url(const char *url)
{
	return strcmp(url, "/metrics") == 0 || strncmp(url, "/api/v1/", 8) == 0;
}

/*
 * A read-only token (Authorization: Bearer): 1 taken into rq as a viewer (an officer of its
 * communes when it has some; forms stay refused: no CSRF token), 0 when none was sent, -1
 * refused with *ret the answer queued.
 */
static int take_bearer(struct web *w, struct MHD_Connection *conn, const char *url, int post,
		       struct req *rq, enum MHD_Result *ret)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	struct token_rec rec;
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	if (post || !token_url(url)) {
		*ret = reply_text(conn, MHD_HTTP_FORBIDDEN,
				  "a token reads /metrics and /api/v1/ (GET) only\n");
		return -1;
	}
	for (h += 7; *h == ' '; h++)
		;
	int found = w->c->tokens ? tokens_check(w->c->tokens, h, &rec) : -1;
	if (found != 1) {
		*ret = found < 0 ? reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
					      "the token store failed: try again\n")
				 : reply_bearer(conn, "unknown token\n");
		return -1;
	}
	snprintf(rq->v_user, sizeof(rq->v_user), "token:%s", rec.name);
	rq->v_communes = strdup(rec.communes);
	sodium_memzero(&rec, sizeof(rec));
	if (!rq->v_communes) {
		*ret = MHD_NO;
		return -1;
	}
	rq->v = (struct viewer){rq->v_user, rq->v_communes[0] ? ROLE_OFFICER : ROLE_VIEWER,
				rq->v_communes, ""};
	return 1;
}

/* Not logged in: a page sends the browser to the log-in, an API call is told. */
static enum MHD_Result refuse_anonymous(struct MHD_Connection *conn, const char *url, int get)
{
	if (get && strncmp(url, "/api/", 5) != 0 && strncmp(url, "/graph/", 7) != 0 &&
	    strcmp(url, "/metrics") != 0) {
		struct strbuf to;
		if (strbuf_init(&to, 4096) < 0)
			return MHD_NO;
		strbuf_puts(&to, "/login?next=");
		strbuf_url(&to, url);
		enum MHD_Result ret = to.overflow ? redirect(conn, "/login", NULL)
						  : redirect(conn, to.data, NULL);
		strbuf_free(&to);
		return ret;
	}
	return reply_bearer(conn, "log in first (POST /login), or send a token (Authorization: "
				  "Bearer)\n");
}

/* The session's user, role and token, copied into the request. */
static int take_viewer(struct req *rq, const struct session *se)
{
	snprintf(rq->v_user, sizeof(rq->v_user), "%s", se->user);
	snprintf(rq->v_csrf, sizeof(rq->v_csrf), "%s", se->csrf);
	if (!(rq->v_communes = strdup(se->communes ? se->communes : "")))
		return -1;
	rq->v = (struct viewer){rq->v_user, (enum role)se->role, rq->v_communes, rq->v_csrf};
	rq->authed = 1;
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct web *w = cls;
	struct req *rq = *con_cls;
	(void)version;
	if (!rq && w->c->stopping) {
		static const char *const close[] = {"Connection", "close", "Retry-After", "5", NULL};
		return reply_hdr(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
				 (void *)"stopping\n", 9, MHD_RESPMEM_PERSISTENT, NULL, close);
	}
	if (!rq) {
		connwatch_request(conn);
		int post = strcmp(method, "POST") == 0;
		int form = post && is_form_url(url);
		if (post && !form && strcmp(url, "/api/v1/ingest") != 0)
			return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
		if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
		rq = calloc(1, sizeof(*rq));
		if (!rq)
			return MHD_NO;
		rq->w = w;
		*con_cls = rq;
		enum MHD_Result refused;
		int token = is_public(w, url) ? 0 : take_bearer(w, conn, url, post, rq, &refused);
		if (token < 0)
			return refused;
		if (!token && !is_public(w, url)) {
			struct session *se = webauth_session(w->auth, conn, w->c->now());
			if (!se)
				return refuse_anonymous(conn, url, !post);
			if (take_viewer(rq, se) < 0)
				return MHD_NO;
		}
		if (form) {
			rq->is_form = 1;
			rq->pp = MHD_create_post_processor(conn, 4096, on_form_field, rq);
			if (!rq->pp)
				return reply_text(conn, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
						  "expected a form (application/x-www-form-urlencoded)\n");
			return MHD_YES;
		}
		if (post) {
			enum MHD_Result ret;
			if (!authenticate(w, conn, rq, &ret))
				return ret;
			rq->is_upload = 1;
			if (strbuf_init(&rq->body, (size_t)w->c->cfg->ingest_max_body) < 0)
				return MHD_NO;
			return MHD_YES;
		}
	}
	if (rq->waiting && !rq->done && !rq->login.done)
		return MHD_YES;
	if (rq->is_form) {
		if (*data_size) {
			if (MHD_post_process(rq->pp, data, *data_size) != MHD_YES)
				rq->form_bad = 1;
			*data_size = 0;
			return MHD_YES;
		}
		return handle_form(w, conn, url, rq, request_lang(w, conn));
	}
	if (rq->is_upload) {
		if (*data_size) {
			connwatch_body(conn, *data_size);
			take_upload(w, rq, data, *data_size);
			*data_size = 0;
			return MHD_YES;
		}
		connwatch_body_done(conn);
		return handle_ingest(w, conn, rq);
	}
	return handle_get(w, conn, url, rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)toe;
	struct req *rq = *con_cls;
	connwatch_idle(conn);
	if (!rq)
		return;
	release_upload(rq->w, rq);
	strbuf_free(&rq->body);
	wire_batch_free(&rq->dec.b); /* decoded, then answered 503 */
	ingest_job_free(&rq->job);
	if (rq->pp)
		MHD_destroy_post_processor(rq->pp);
	sodium_memzero(rq->form, sizeof(rq->form)); /* a password among them */
	free(rq->v_communes);
	if (rq->rj) {
		free(rq->rj->body);
		history_free(rq->rj->hist);
		json_object_put(rq->rj->tree);
	}
	free(rq->rj);
	free(rq);
	*con_cls = NULL;
}

static int load_static(struct static_file *sf, const char *dir, char *err, size_t errsz)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, sf->name);
	FILE *f = fopen(path, "r");
	struct strbuf sb;
	if (!f || strbuf_init(&sb, 1 << 20) < 0) {
		snprintf(err, errsz, "%s: cannot read the dashboard's %s: %s: point [general] "
			 "dashboards_dir at the dashboards folder (%s once installed)", path, sf->name,
			 strerror(f ? ENOMEM : errno), HBMON_DASHBOARDS_DIR);
		if (f)
			fclose(f);
		return -1;
	}
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_append(&sb, buf, n);
	fclose(f);
	sf->data = strbuf_take(&sb, &sf->len);
	return 0;
}

static int load_statics(struct web *w, const char *dir, char *err, size_t errsz)
{
	for (int i = 0; i < NSTATIC; i++) {
		w->statics[i] = static_files[i];
		if (load_static(&w->statics[i], dir, err, errsz) < 0)
			return -1;
	}
	return 0;
}

/* What to do about a port the system would not give: the cause decides. */
static const char *listen_fix(int e)
{
	switch (e) {
	case EADDRINUSE:
		return "choose another [collector] listen_port, or stop what uses it (ss -ltnp shows it)";
	case EACCES:
	case EPERM:
		return "ports below 1024 need a privilege the collector does not have: choose a "
		       "[collector] listen_port from 1024 up";
	case EADDRNOTAVAIL:
		return "[collector] listen_address is not an address of this machine: use one of its "
		       "addresses, or 0.0.0.0 for all";
	default:
		return "check [collector] listen_address and listen_port";
	}
}

/*
 * The listening socket is made here, not by libmicrohttpd: its bind error then comes back with
 * the system's reason (address in use, privileged port), which the daemon's one line names.
 */
static int listen_socket(const struct hbmon_config *cfg, char *err, size_t errsz)
{
	struct sockaddr_in sa;
	int one = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg->listen_port);
	if (inet_pton(AF_INET, cfg->listen_addr, &sa.sin_addr) != 1) {
		snprintf(err, errsz, "%s: [collector] listen_address = %s: not an IPv4 address: use "
			 "one of this machine's, 127.0.0.1 or 0.0.0.0", cfg->path, cfg->listen_addr);
		return -1;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* a restart must not wait for the last run's connections in TIME_WAIT */
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, SOMAXCONN) < 0) {
		int e = errno;
		snprintf(err, errsz, "cannot listen on %s:%d: %s: %s", cfg->listen_addr,
			 cfg->listen_port, strerror(e), listen_fix(e));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* libmicrohttpd's own messages: kept for web_start's error while it starts (one line, not a
 * second one on stderr), logged as warnings once it runs. */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct web *w = cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\r\n")] = '\0';
	if (w->d)
		log_warnx("web", "%s", msg);
	else if (!w->start_msg[0])
		snprintf(w->start_msg, sizeof(w->start_msg), "%s", msg);
}

static struct MHD_Daemon *start_mhd(struct web *w, int fd, char *cert, char *key)
{
	struct MHD_OptionItem tls[] = {
	    {cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
	    {MHD_OPTION_END, 0, NULL},
	};
	return MHD_start_daemon(MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
				    (cert ? MHD_USE_TLS : 0),
				0, NULL, NULL, on_request, w,
				/* first, so that no message of the start escapes it */
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, w,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
				MHD_OPTION_NOTIFY_CONNECTION, connwatch_notify, w->watch,
				/* slow clients are cut (connwatch), so these bound only a crowd */
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				MHD_OPTION_ARRAY, tls,
				MHD_OPTION_END);
}

struct web *web_start(struct collector *c, char *err, size_t errsz)
{
	struct web *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	w->c = c;
	if (load_statics(w, c->cfg->dashboards_dir, err, errsz) < 0) {
		web_stop(w);
		return NULL;
	}
	char *cert, *key;
	if (!(w->watch = connwatch_new())) {
		snprintf(err, errsz, "out of memory");
		web_stop(w);
		return NULL;
	}
	c->conn_stats = connwatch_stats(w->watch);
	if (tlscert_load(c->cfg, &cert, &key, err, errsz) < 0) {
		web_stop(w);
		return NULL;
	}
	w->tls_cert = cert; /* libmicrohttpd keeps the pointers: freed with the daemon */
	w->tls_key = key;
	/* 64 variants at most (sessions × languages × queries), 32 MB */
	if (!(w->pages = gcache_new(64, 32u << 20)) ||
	    !(w->auth = webauth_new(c->store, c->users, cert != NULL, &c->warnings))) {
		snprintf(err, errsz, "cannot start the log-in thread");
		web_stop(w);
		return NULL;
	}
	int fd = listen_socket(c->cfg, err, errsz);
	if (fd < 0) {
		web_stop(w);
		return NULL;
	}
	if (!(w->d = start_mhd(w, fd, cert, key))) {
		/* the socket is left to exit: whether libmicrohttpd closed it is not said */
		snprintf(err, errsz, "cannot serve on %s:%d: %s", c->cfg->listen_addr,
			 c->cfg->listen_port, w->start_msg[0] ? w->start_msg : "libmicrohttpd failed");
		web_stop(w);
		return NULL;
	}
	return w;
}

void web_stop(struct web *w)
{
	if (!w)
		return;
	worker_stop(w->decoder); /* resumes what it held, before the connections go */
	webauth_free(w->auth);
	gcache_free(w->pages);
	if (w->d)
		MHD_stop_daemon(w->d);
	w->c->conn_stats = NULL;
	connwatch_free(w->watch);
	if (w->tls_key)
		memset(w->tls_key, 0, strlen(w->tls_key));
	free(w->tls_key);
	free(w->tls_cert);
	for (int i = 0; i < NSTATIC; i++)
		free(w->statics[i].data);
	free(w);
}

void web_fdset(struct web *w, int *maxfd, fd_set *r, fd_set *wr, fd_set *e, struct timeval *tv)
{
	MHD_socket m = -1;
	MHD_UNSIGNED_LONG_LONG t;
	MHD_get_fdset(w->d, r, wr, e, &m);
	if (m > *maxfd)
		*maxfd = m;
	int fds[2] = {w->decoder ? worker_fd(w->decoder) : -1, w->auth ? webauth_fd(w->auth) : -1};
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		FD_SET(fds[i], r);
		if (fds[i] > *maxfd)
			*maxfd = fds[i];
	}
	if (MHD_get_timeout(w->d, &t) == MHD_YES) {
		struct timeval mt = {(time_t)(t / 1000), (suseconds_t)((t % 1000) * 1000)};
		if (timercmp(&mt, tv, <))
			*tv = mt;
	}
}

void web_dispatch(struct web *w, fd_set *r, fd_set *wr, fd_set *e)
{
	if (w->decoder && FD_ISSET(worker_fd(w->decoder), r))
		worker_reap(w->decoder); /* before MHD runs: it answers the resumed connections */
	if (FD_ISSET(webauth_fd(w->auth), r))
		webauth_reap(w->auth);
	webauth_tick(w->auth, w->c->now());
	MHD_run_from_select(w->d, r, wr, e);
	connwatch_sweep(w->watch);
}

size_t web_pending(struct web *w)
{
	return w->decoder ? worker_pending(w->decoder) : 0;
}

void web_drain(struct web *w, int ms)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		fd_set r, wr, e;
		int maxfd = -1;
		struct timeval tv = {0, 50000};
		FD_ZERO(&r);
		FD_ZERO(&wr);
		FD_ZERO(&e);
		web_fdset(w, &maxfd, &r, &wr, &e, &tv);
		if (select(maxfd + 1, &r, &wr, &e, &tv) >= 0)
			web_dispatch(w, &r, &wr, &e);
		clock_gettime(CLOCK_MONOTONIC, &t);
		const union MHD_DaemonInfo *di =
		    MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if ((di && di->num_connections == 0) ||
		    (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= ms)
			return;
	}
}
