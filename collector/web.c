#include "web.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "graph.h"
#include "log.h"
#include "pages.h"
#include "strbuf.h"

#define PAGE_LIMIT (8u << 20)

struct web {
	struct collector *c;
	struct MHD_Daemon *d;
	char *css;
	size_t css_len;
};

/* Per-request state of a POST body being received. */
struct upload {
	struct strbuf body;
	int too_large;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *type,
			     void *data, size_t len, enum MHD_ResponseMemoryMode mode,
			     const char *cache)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, data, mode);
	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(data);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self'; style-src 'self'");
	MHD_add_response_header(r, "Cache-Control", cache ? cache : "no-store");
	enum MHD_Result ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
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

static enum MHD_Result handle_ingest(struct web *w, struct MHD_Connection *conn,
				     struct upload *up)
{
	char err[256], peer[64], msg[320];
	if (up->too_large)
		return reply_text(conn, MHD_HTTP_CONTENT_TOO_LARGE, "batch body too large\n");
	peer_name(conn, peer, sizeof(peer));
	long n = ingest_batch(&w->c->ingest, peer, up->body.data, up->body.len, err, sizeof(err));
	if (n < 0) {
		snprintf(msg, sizeof(msg), "bad batch: %s\n", err);
		return reply_text(conn, MHD_HTTP_BAD_REQUEST, msg);
	}
	snprintf(msg, sizeof(msg), "{\"accepted\":%ld}\n", n);
	return reply_text(conn, MHD_HTTP_OK, msg);
}

/* Splits "/<commune>/<device>[/<rest>]" after prefix and finds the device. */
static long find_device(const struct collector *c, const char *url, const char **rest)
{
	const char *p = url, *slash = strchr(p, '/');
	if (!slash)
		return -1;
	size_t clen = (size_t)(slash - p);
	const char *dev = slash + 1;
	const char *end = strchr(dev, '/');
	size_t dlen = end ? (size_t)(end - dev) : strlen(dev);
	*rest = end ? end + 1 : "";
	for (size_t i = 0; i < c->inv->ndevices; i++) {
		const struct inv_device *d = &c->inv->devices[i];
		const char *cp = c->inv->communes[d->commune].path;
		if (strlen(cp) == clen && strncmp(cp, p, clen) == 0 && strlen(d->path) == dlen &&
		    strncmp(d->path, dev, dlen) == 0)
			return (long)i;
	}
	return -1;
}

/* "system.png" or "if-<n>.png" → the group name, anything else refused. */
static int parse_group(const char *s, char *group, size_t groupsz, const struct rrd_group_def **def)
{
	const char *dot = strrchr(s, '.');
	if (!dot || strcmp(dot, ".png") != 0 || (size_t)(dot - s) >= groupsz)
		return -1;
	memcpy(group, s, (size_t)(dot - s));
	group[dot - s] = '\0';
	if (strcmp(group, "system") == 0) {
		*def = &RRDG_SYSTEM;
		return 0;
	}
	long idx;
	if (strncmp(group, "if-", 3) == 0 && parse_long(group + 3, 1, 2147483647, &idx) == 0) {
		*def = &RRDG_IF;
		return 0;
	}
	return -1;
}

static enum MHD_Result handle_graph(struct web *w, struct MHD_Connection *conn, const char *url,
				    enum lang l)
{
	const struct collector *c = w->c;
	const char *rest;
	char group[32], path[4096], title[300], err[512];
	const struct rrd_group_def *def;
	long i = find_device(c, url, &rest);
	if (i < 0 || parse_group(rest, group, sizeof(group), &def) < 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "no such graph\n");
	const struct inv_device *d = &c->inv->devices[i];
	if (rrdstore_path(c->rrd, path, sizeof(path), c->inv->communes[d->commune].path, d->path,
			  group) < 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "no such graph\n");
	const char *period = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "period");
	if (def == &RRDG_SYSTEM)
		snprintf(title, sizeof(title), "%s — %s", d->name,
			 i18n_get(c->i18n, l, "graph.availability"));
	else
		snprintf(title, sizeof(title), "%s — %s %s", d->name,
			 i18n_get(c->i18n, l, "graph.traffic_of_if"), group + 3);
	struct graph_request g = {path, def, graph_period_parse(period, GP_DAY), title,
				  def == &RRDG_SYSTEM ? "%" : "bit/s",
				  {def == &RRDG_SYSTEM ? i18n_get(c->i18n, l, "graph.legend.avail")
						       : i18n_get(c->i18n, l, "graph.legend.in"),
				   i18n_get(c->i18n, l, "graph.legend.out")},
				  640, 160};
	unsigned char *png;
	size_t len;
	if (graph_render(&g, &png, &len, err, sizeof(err)) < 0) {
		log_debug("web", "graph %s: %s", path, err);
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "no data for this graph yet\n");
	}
	char cache[48];
	snprintf(cache, sizeof(cache), "max-age=%d", rrdstore_step(c->rrd));
	return reply(conn, MHD_HTTP_OK, "image/png", png, len, MHD_RESPMEM_MUST_FREE, cache);
}

static enum MHD_Result handle_get(struct web *w, struct MHD_Connection *conn, const char *url)
{
	struct collector *c = w->c;
	struct strbuf sb;
	const char *lang = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang");
	enum lang l = lang_parse(lang, lang_parse(c->cfg->language, LANG_VI));
	const char *html = "text/html; charset=utf-8", *json = "application/json";

	if (strncmp(url, "/graph/", 7) == 0)
		return handle_graph(w, conn, url + 7, l);
	if (strcmp(url, "/static/style.css") == 0)
		return reply(conn, MHD_HTTP_OK, "text/css; charset=utf-8", w->css, w->css_len,
			     MHD_RESPMEM_PERSISTENT, "max-age=3600");
	if (strbuf_init(&sb, PAGE_LIMIT) < 0)
		return MHD_NO;
	if (strcmp(url, "/") == 0)
		return reply_buf(conn, &sb, page_dashboard(&sb, c, l), html);
	if (strcmp(url, "/api/v1/readiness") == 0)
		return reply_buf(conn, &sb, api_readiness(&sb, c, l), json);
	if (strcmp(url, "/api/v1/devices") == 0)
		return reply_buf(conn, &sb, api_devices(&sb, c), json);
	if (strcmp(url, "/metrics") == 0)
		return reply_buf(conn, &sb, api_metrics(&sb, c), "text/plain; version=0.0.4");
	if (strncmp(url, "/device/", 8) == 0) {
		const char *rest;
		long i = find_device(c, url + 8, &rest);
		if (i >= 0 && !*rest) {
			const char *period =
			    MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "period");
			enum graph_period gp = graph_period_parse(period, GP_DAY);
			static const char *const names[] = {"hour", "day", "week", "month", "year"};
			return reply_buf(conn, &sb, page_device(&sb, c, (size_t)i, l, names[gp]), html);
		}
	}
	strbuf_free(&sb);
	return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct web *w = cls;
	(void)version;
	if (strcmp(method, "POST") == 0) {
		if (strcmp(url, "/api/v1/ingest") != 0)
			return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
		struct upload *up = *con_cls;
		if (!up) {
			up = calloc(1, sizeof(*up));
			if (!up || strbuf_init(&up->body, (size_t)w->c->cfg->ingest_max_body) < 0) {
				free(up);
				return MHD_NO;
			}
			*con_cls = up;
			return MHD_YES;
		}
		if (*data_size) {
			if (!up->too_large && strbuf_append(&up->body, data, *data_size) < 0)
				up->too_large = 1;
			*data_size = 0;
			return MHD_YES;
		}
		return handle_ingest(w, conn, up);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	return handle_get(w, conn, url);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct upload *up = *con_cls;
	if (up) {
		strbuf_free(&up->body);
		free(up);
		*con_cls = NULL;
	}
}

static int load_css(struct web *w, const char *dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/style.css", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	struct strbuf sb;
	char buf[4096];
	size_t n;
	if (strbuf_init(&sb, 1 << 20) < 0) {
		fclose(f);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_append(&sb, buf, n);
	fclose(f);
	w->css = strbuf_take(&sb, &w->css_len);
	return 0;
}

struct web *web_start(struct collector *c, char *err, size_t errsz)
{
	struct sockaddr_in sa;
	struct web *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->c = c;
	if (load_css(w, c->cfg->dashboards_dir) < 0) {
		snprintf(err, errsz, "%s/style.css: cannot read", c->cfg->dashboards_dir);
		free(w);
		return NULL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)c->cfg->listen_port);
	if (inet_pton(AF_INET, c->cfg->listen_addr, &sa.sin_addr) != 1) {
		snprintf(err, errsz, "listen_address %s: not an IPv4 address", c->cfg->listen_addr);
		web_stop(w);
		return NULL;
	}
	w->d = MHD_start_daemon(MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, w,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, w,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)128,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)32,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				MHD_OPTION_END);
	if (!w->d) {
		snprintf(err, errsz, "cannot listen on %s:%d", c->cfg->listen_addr,
			 c->cfg->listen_port);
		web_stop(w);
		return NULL;
	}
	return w;
}

void web_stop(struct web *w)
{
	if (!w)
		return;
	if (w->d)
		MHD_stop_daemon(w->d);
	free(w->css);
	free(w);
}

void web_fdset(struct web *w, int *maxfd, fd_set *r, fd_set *wr, fd_set *e, struct timeval *tv)
{
	MHD_socket m = -1;
	MHD_UNSIGNED_LONG_LONG t;
	MHD_get_fdset(w->d, r, wr, e, &m);
	if (m > *maxfd)
		*maxfd = m;
	if (MHD_get_timeout(w->d, &t) == MHD_YES) {
		struct timeval mt = {(time_t)(t / 1000), (suseconds_t)((t % 1000) * 1000)};
		if (timercmp(&mt, tv, <))
			*tv = mt;
	}
}

void web_dispatch(struct web *w, fd_set *r, fd_set *wr, fd_set *e)
{
	MHD_run_from_select(w->d, r, wr, e);
}
