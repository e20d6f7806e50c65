/*
 * The collector's HTTP endpoints: the request's path and its query and form parameters
 * (period, start/end, from/to, ds, resolution, cf, format, lang; the group and extension in a
 * graph or series path; the ack and maintenance forms), as the collector's own request handler
 * (collector/web.c, compiled into this file to reach its static on_request and on_completed)
 * receives them from libmicrohttpd. Each input becomes one HTTP/1.1 request on one end of a
 * socket pair whose other end is handed to a libmicrohttpd daemon without a listening socket:
 * no network. The collector around it is small and fixed (configuration, inventory, device
 * states, an in-memory event store rolled back after each request, the page texts); it has no
 * writer, render or mail thread, so graphs, series and period reports answer "busy" once their
 * parameters are checked, and ingest (fuzz_wire's and fuzz_ingest's) is not reached.
 *
 * Input: "METHOD URL" on the first line (or only the URL: GET), header lines, an empty line,
 * the body. Host, Content-Length and Connection: close are added when the input has none.
 * HBMON_FUZZ_SHOW=1 prints the response.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <strings.h>
#include <sys/socket.h>

#include "../../collector/web.c"

#include "fuzz_util.h"

/* Xã An Bình's probe "district", secret 5ec7e7…c0ffee: its salted hash, as probes_add keeps
 * it, so an input can authenticate (Authorization: Basic ZGlzdHJpY3Q6…) */
#define FUZZ_PROBE_ROW                                                                      \
	"INSERT INTO probes(name, salt, hash, created) VALUES('district', "                 \
	"'00000000000000000000000000000000', "                                              \
	"'2610e9e7586f2734a460ad80c37a5646f2ec861d8165f9ebb5b750b1345ee670', 1764900000)"

static const char conf_text[] =
	"[general]\n"
	"district = Huyện Thử\n"
	"inventory = inventory.csv\n"
	"credentials = credentials.conf\n"
	"data_dir = data\n"
	"default_probe = district\n"
	"[collector]\n"
	"rrd_step = 60\n"
	"stale_after = 180\n"
	"[working-hours]\n"
	"days = mon-fri\n"
	"hours = 07:00-11:30,13:30-17:00\n"
	"[site-type one-stop]\n"
	"label_vi = Bộ phận một cửa\n"
	"label_en = one-stop office\n"
	"pc = 2\n"
	"printer = 1\n"
	"printer.supply.percent = >= 10\n"
	"[site-type meeting-room]\n"
	"vc = 1\n"
	"[commune-targets]\n"
	"portal = 1\n"
	"site.meeting-room = 1\n";

static const char creds_text[] = "[office]\nversion = 2c\ncommunity = s3cret\n";

static const char inv_text[] =
	"commune,site,site_type,device,class,address,snmp,contact,probe,url\n"
	"Xã An Bình,Một cửa,one-stop,Máy tính 1,pc,192.0.2.1,office,it@example.gov.vn,,\n"
	"Xã An Bình,Một cửa,one-stop,Máy in,printer,192.0.2.2,office,,,\n"
	"Xã An Bình,Một cửa,one-stop,Cổng TTĐT,portal,,,,,https://anbinh.example.gov.vn/\n"
	"Xã An Bình,Phòng họp,meeting-room,Poly,vc,192.0.2.3,office,,north,\n"
	"Thị trấn Z,Một cửa,one-stop,a/b c%d.e,pc,192.0.2.9,office,,,\n";

/* what the printer's latest answer carried: its device page shows these, with graph links */
/* A printer's latest rows: a supply, an alert shown but not stored, a scalar counter. */
static void printer_rows(struct dev_state *s)
{
	struct metric_val v[4] = {{.name = "percent", .kind = MV_GAUGE, .gauge = 8},
				  {.name = "level", .kind = MV_GAUGE, .gauge = 800},
				  {.name = "severity", .kind = MV_GAUGE, .gauge = 3},
				  {.name = "text", .kind = MV_TEXT, .text = "Load paper"}};
	struct metric_val pages = {.name = "total", .kind = MV_GAUGE, .gauge = 102345};
	struct group_row rows[3] = {
	    {.group = "supply", .index = "1.1", .label = "Black Cartridge", .vals = v, .nvals = 2},
	    {.group = "alert", .index = "1.3", .nostore = 1, .vals = v + 2, .nvals = 2},
	    {.group = "pages", .vals = &pages, .nvals = 1}};
	if (devrows_set(&s->rows, rows, 3) < 0)
		abort();
}

static struct collector coll;
static struct web fweb;
/* an administrator's session: every request carries it unless it brings a Cookie of its own,
 * and CSRFTOKEN in a body becomes its token, so the pages and forms behind the log-in are
 * reached */
static char session_token[SESSION_TOKEN_LEN + 1], session_csrf[SESSION_TOKEN_LEN + 1];

static time_t fixed_now(void) { return 1764900000; } /* a Friday, 09:00 in Hà Nội */

/* Ingest is not reached: it hands bodies to threads (fuzz_wire and fuzz_ingest have it). */
static enum MHD_Result fuzz_on_request(void *cls, struct MHD_Connection *conn, const char *url,
				       const char *method, const char *version, const char *data,
				       size_t *data_size, void **con_cls)
{
	if (!*con_cls && strcmp(url, "/api/v1/ingest") == 0 && strcmp(method, "POST") == 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not here\n");
	/* nor a log-in: its password is checked on a thread (its form is parsed as the others) */
	if (!*con_cls && strcmp(url, "/login") == 0 && strcmp(method, "POST") == 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not here\n");
	return on_request(cls, conn, url, method, version, data, data_size, con_cls);
}

static void setup(void)
{
	char path[600], err[300];
	struct errlist errs = {0};
	fuzz_write(path, sizeof(path), "credentials.conf", creds_text, strlen(creds_text));
	fuzz_write(path, sizeof(path), "inventory.csv", inv_text, strlen(inv_text));
	fuzz_write(path, sizeof(path), "hbmon.conf", conf_text, strlen(conf_text));
	struct collector *c = &coll;
	c->cfg = config_load(path, &errs);
	if (c->cfg)
		c->inv = inventory_load(c->cfg->inventory, c->cfg, &errs);
	if (!c->inv || errlist_count(&errs)) {
		errlist_print(&errs, stderr);
		abort();
	}
	c->now = fixed_now;
	if (state_init(&c->state, c->inv->ndevices) < 0)
		abort();
	for (size_t i = 0; i < c->state.n; i++) {
		struct dev_state *s = &c->state.dev[i];
		s->has_sample = 1;
		s->up = i != 1;
		s->last_poll = s->received = s->last_seen = fixed_now() - 30;
		s->down_since = s->up ? 0 : fixed_now() - 3600;
		snprintf(s->sys_name, sizeof(s->sys_name), "dev-%zu", i);
		s->has_uptime = 1;
		s->uptime_ticks = 123456789;
		s->nifs = 2;
		s->nifs_up = 1;
		s->main_if = 2;
	}
	printer_rows(&c->state.dev[1]);
	c->rrd = rrdstore_new(c->cfg->data_dir, c->cfg->rrd_step);
	c->gcache = gcache_new(16, 1 << 20);
	c->store = store_open(":memory:", err, sizeof(err));
	if (!c->rrd || !c->gcache || !c->store)
		abort();
	c->probes = probes_open(c->store, err, sizeof(err));
	c->users = users_open(c->store, err, sizeof(err));
	c->tokens = tokens_open(c->store, err, sizeof(err)); /* Bearer: refused, after a look-up */
	c->i18n = i18n_load(FUZZ_SRCDIR "/dashboards", &errs);
	if (!c->probes || !c->users || !c->tokens || !c->i18n || errlist_count(&errs) ||
	    sqlite3_exec(store_db(c->store), FUZZ_PROBE_ROW, NULL, NULL, NULL) != SQLITE_OK)
		abort();
	c->warnings.module = "web";

	fweb.c = c;
	fweb.watch = connwatch_new();
	for (int i = 0; i < NSTATIC; i++) {
		fweb.statics[i] = static_files[i];
		fweb.statics[i].data = strdup("/* a dashboard file */");
		if (!fweb.statics[i].data)
			abort();
		fweb.statics[i].len = strlen(fweb.statics[i].data);
	}
	if (!fweb.watch)
		abort();
	fweb.auth = webauth_new(c->store, c->users, 0, &c->warnings);
	fweb.pages = gcache_new(8, 8u << 20);
	if (!fweb.pages)
		abort();
	struct user_rec admin = {.name = "admin", .role = ROLE_ADMIN};
	struct session *se = fweb.auth ? webauth_open_session(fweb.auth, &admin, "192.0.2.50",
							      fixed_now(), session_token)
				       : NULL;
	if (!se)
		abort();
	memcpy(session_csrf, se->csrf, sizeof(session_csrf));
	c->conn_stats = connwatch_stats(fweb.watch);
	/* web_start's options, without the listening socket and TLS */
	fweb.d = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_ALLOW_SUSPEND_RESUME, 0, NULL,
				  NULL, fuzz_on_request, &fweb,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, &fweb,
				  MHD_OPTION_NOTIFY_CONNECTION, connwatch_notify, fweb.watch,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)16,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
				  MHD_OPTION_END);
	if (!fweb.d)
		abort();
	errlist_free(&errs);
}

/* 1 if the header block (data, n) has a line starting with name (case aside). */
static int has_header(const char *h, size_t n, const char *name)
{
	size_t k = strlen(name);
	for (size_t at = 0; at < n;) {
		const char *nl = memchr(h + at, '\n', n - at);
		size_t end = nl ? (size_t)(nl - h) : n;
		if (end - at >= k && strncasecmp(h + at, name, k) == 0)
			return 1;
		at = end + 1;
	}
	return 0;
}

#define TOKEN_MARK "CSRFTOKEN"
#define TOKEN_MARK_LEN (sizeof(TOKEN_MARK) - 1)

static const char *token_mark(const char *body, size_t blen)
{
	return blen >= TOKEN_MARK_LEN ? memmem(body, blen, TOKEN_MARK, TOKEN_MARK_LEN) : NULL;
}

/* The body, its first CSRFTOKEN the session's token (55 bytes longer). */
static void body_with_token(struct strbuf *rq, const char *body, size_t blen)
{
	const char *at = token_mark(body, blen);
	if (!at) {
		strbuf_append(rq, body, blen);
		return;
	}
	strbuf_append(rq, body, (size_t)(at - body));
	strbuf_puts(rq, session_csrf);
	strbuf_append(rq, at + TOKEN_MARK_LEN, blen - (size_t)(at - body) - TOKEN_MARK_LEN);
}

/* The request as bytes on the wire. */
static void request(struct strbuf *rq, const char *in, size_t n)
{
	const char *nl = memchr(in, '\n', n);
	size_t l1 = nl ? (size_t)(nl - in) : n;
	const char *sp = memchr(in, ' ', l1);
	if (sp)
		strbuf_printf(rq, "%.*s %.*s HTTP/1.1\r\n", (int)(sp - in), in,
			      (int)(l1 - (size_t)(sp - in) - 1), sp + 1);
	else
		strbuf_printf(rq, "GET %.*s HTTP/1.1\r\n", (int)l1, in);
	size_t at = nl ? l1 + 1 : n;
	/* headers up to an empty line; the rest is the body */
	size_t hstart = at, hend = at;
	const char *body = "";
	size_t blen = 0;
	while (hend < n) {
		const char *e = memchr(in + hend, '\n', n - hend);
		size_t le = e ? (size_t)(e - in) : n;
		if (le == hend || (le == hend + 1 && in[hend] == '\r')) {
			body = in + le + 1;
			blen = le + 1 <= n ? n - le - 1 : 0;
			break;
		}
		strbuf_append(rq, in + hend, le - hend);
		strbuf_puts(rq, "\r\n");
		hend = le + 1;
	}
	if (hend > n)
		hend = n;
	if (!has_header(in + hstart, hend - hstart, "host:"))
		strbuf_puts(rq, "Host: 192.0.2.10:8080\r\n");
	if (!has_header(in + hstart, hend - hstart, "content-length:") && blen)
		strbuf_printf(rq, "Content-Length: %zu\r\n",
			      blen + (token_mark(body, blen) ? SESSION_TOKEN_LEN - TOKEN_MARK_LEN : 0));
	if (!has_header(in + hstart, hend - hstart, "connection:"))
		strbuf_puts(rq, "Connection: close\r\n");
	if (!has_header(in + hstart, hend - hstart, "cookie:"))
		strbuf_printf(rq, "Cookie: %s=%s\r\n", WEBAUTH_COOKIE, session_token);
	strbuf_puts(rq, "\r\n");
	body_with_token(rq, body, blen);
}

static unsigned current_connections(void)
{
	const union MHD_DaemonInfo *di =
	    MHD_get_daemon_info(fweb.d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	return di ? di->num_connections : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist errs = {0};
	struct strbuf rq;
	int sv[2];

	if (!coll.cfg)
		setup();
	if (strbuf_init(&rq, 0) < 0)
		abort();
	request(&rq, (const char *)data, size);
	/* each request meets the same collector: alerts afresh, the event store as it was */
	coll.alerts = alerts_new(&coll, &errs);
	if (!coll.alerts ||
	    sqlite3_exec(store_db(coll.store), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		abort();

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000)};
	inet_pton(AF_INET, "192.0.2.50", &peer.sin_addr);
	if (MHD_add_connection(fweb.d, sv[1], (struct sockaddr *)&peer, sizeof(peer)) != MHD_YES)
		abort();
	size_t sent = 0;
	char buf[65536];
	int open = 1, show = getenv("HBMON_FUZZ_SHOW") != NULL;
	for (int round = 0; round < 200 && open; round++) {
		if (sent < rq.len) {
			ssize_t w = send(sv[0], rq.data + sent, rq.len - sent, MSG_NOSIGNAL);
			if (w > 0)
				sent += (size_t)w;
		}
		MHD_run(fweb.d);
		for (;;) {
			ssize_t r = recv(sv[0], buf, sizeof(buf), 0);
			if (r > 0) {
				if (show) /* what an input gets, when run by hand */
					fwrite(buf, 1, (size_t)r, stdout);
				continue;
			}
			if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
				open = 0; /* the server closed the connection: the request is done */
			break;
		}
	}
	close(sv[0]);
	for (int round = 0; round < 20 && current_connections(); round++)
		MHD_run(fweb.d);
	FUZZ_CHECK(current_connections() == 0, "a connection is left after the request");

	sqlite3_exec(store_db(coll.store), "ROLLBACK", NULL, NULL, NULL);
	alerts_free(coll.alerts);
	coll.alerts = NULL;
	errlist_free(&errs);
	strbuf_free(&rq);
	return 0;
}
