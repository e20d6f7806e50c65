/* The floor of the SNMP-polling benchmark: a bare asynchronous net-snmp GETBULK loop.
 *
 * Polls every device of a list once: optionally one GET of a few scalars, then a walk of the
 * given table columns with GETBULK (every unfinished column in each request, the answers
 * interleaved, the same way hbmon-probe walks), at most WINDOW devices in flight, one session
 * (socket) per device in flight, traditional net-snmp API: snmp_open / snmp_send with a
 * callback, snmp_select_info / select / snmp_read / snmp_timeout. Nothing is decoded beyond
 * what the walk needs; varbinds inside the walked columns (and the scalars answered) are
 * counted. Prints one JSON object.
 *
 * usage: bulkloop [-c COMMUNITY] [-r MAXREPS] [-w WINDOW] [-t TIMEOUT_MS] [-R RETRIES]
 *                 [-g OID,OID...] -C OID,OID... TARGETS_FILE
 * TARGETS_FILE: one "host" or "host:port" a line (IPv4).
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "../benchutil.h"

#define MAX_COLS 32
#define MAX_GETS 16
#define OIDLEN 64
#define MAX_REQUESTS 10000 /* per device: no agent keeps a walk going for ever */

struct col {
	oid base[OIDLEN];
	size_t len;
};

struct job {
	char peer[272];
	netsnmp_session *ss;
	int phase; /* 0: GET of the scalars, 1: walk */
	int reps;
	int requests;
	int done, ok, timed_out;
	long varbinds;
	/* walk state, allocated while the device is in flight */
	oid (*cur)[OIDLEN];
	size_t *curlen;
	unsigned char *col_done;
};

static struct col cols[MAX_COLS], gets[MAX_GETS];
static int ncols, ngets;
static const char *community = "public";
static int max_reps = 10, retries = 1;
static long timeout_ms = 2000;
static long total_varbinds, total_requests, n_ok, n_timeouts, n_errors;
static double t_start, t_last_ok;

static int parse_oids(const char *arg, struct col *out, int max)
{
	char buf[4096];
	int n = 0;
	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (n >= max)
			return -1;
		out[n].len = OIDLEN;
		if (!read_objid(tok, out[n].base, &out[n].len))
			return -1;
		n++;
	}
	return n;
}

static void finish(struct job *j, int ok)
{
	if (j->done)
		return;
	j->done = 1;
	j->ok = ok;
	if (ok) {
		n_ok++;
		t_last_ok = now_s();
	}
}

static int is_exception(const netsnmp_variable_list *v)
{
	return v->type == SNMP_NOSUCHOBJECT || v->type == SNMP_NOSUCHINSTANCE ||
	       v->type == SNMP_ENDOFMIBVIEW;
}

static void send_next(struct job *j);

static void walk_answer(struct job *j, const netsnmp_pdu *resp)
{
	int active[MAX_COLS], nactive = 0, k = 0;
	for (int c = 0; c < ncols; c++)
		if (!j->col_done[c])
			active[nactive++] = c;
	if (nactive == 0)
		return;
	if (!resp->variables) {
		memset(j->col_done, 1, (size_t)ncols);
		return;
	}
	for (const netsnmp_variable_list *v = resp->variables; v; v = v->next_variable, k++) {
		int c = active[k % nactive];
		if (j->col_done[c])
			continue;
		size_t bl = cols[c].len;
		if (v->type == SNMP_ENDOFMIBVIEW || v->name_length <= bl ||
		    v->name_length > OIDLEN ||
		    snmp_oid_compare(v->name, bl, cols[c].base, bl) != 0 ||
		    snmp_oid_compare(v->name, v->name_length, j->cur[c], j->curlen[c]) <= 0) {
			j->col_done[c] = 1;
			continue;
		}
		memcpy(j->cur[c], v->name, v->name_length * sizeof(oid));
		j->curlen[c] = v->name_length;
		j->varbinds++;
	}
}

static int on_response(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *resp, void *magic)
{
	struct job *j = magic;
	(void)ss;
	(void)reqid;
	if (j->done)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT) {
		j->timed_out = 1;
		n_timeouts++;
		finish(j, 0);
		return 1;
	}
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
		n_errors++;
		finish(j, 0);
		return 1;
	}
	if (resp->errstat == SNMP_ERR_TOOBIG && j->phase == 1 && j->reps > 1) {
		j->reps /= 2;
	} else if (resp->errstat != SNMP_ERR_NOERROR) {
		n_errors++;
		finish(j, 0);
		return 1;
	} else if (j->phase == 0) {
		for (const netsnmp_variable_list *v = resp->variables; v; v = v->next_variable)
			if (!is_exception(v))
				j->varbinds++;
		j->phase = 1;
	} else {
		walk_answer(j, resp);
	}
	send_next(j);
	return 1;
}

static void send_next(struct job *j)
{
	netsnmp_pdu *pdu = NULL;
	if (++j->requests > MAX_REQUESTS) {
		n_errors++;
		finish(j, 0);
		return;
	}
	if (j->phase == 0) {
		pdu = snmp_pdu_create(SNMP_MSG_GET);
		for (int g = 0; pdu && g < ngets; g++)
			snmp_add_null_var(pdu, gets[g].base, gets[g].len);
	} else {
		for (int c = 0; c < ncols; c++) {
			if (j->col_done[c])
				continue;
			if (!pdu) {
				pdu = snmp_pdu_create(SNMP_MSG_GETBULK);
				if (!pdu)
					break;
				pdu->non_repeaters = 0;
				pdu->max_repetitions = j->reps;
			}
			snmp_add_null_var(pdu, j->cur[c], j->curlen[c]);
		}
		if (!pdu) { /* every column walked */
			finish(j, 1);
			return;
		}
	}
	if (!pdu || snmp_send(j->ss, pdu) == 0) {
		if (pdu)
			snmp_free_pdu(pdu);
		n_errors++;
		finish(j, 0);
		return;
	}
	total_requests++;
}

static int start(struct job *j)
{
	netsnmp_session sess;
	snmp_sess_init(&sess);
	sess.peername = j->peer;
	sess.version = SNMP_VERSION_2c;
	sess.community = (u_char *)community;
	sess.community_len = strlen(community);
	sess.timeout = timeout_ms * 1000L;
	sess.retries = retries;
	sess.callback = on_response;
	sess.callback_magic = j;
	j->reps = max_reps;
	j->phase = ngets ? 0 : 1;
	j->cur = malloc((size_t)ncols * sizeof(*j->cur));
	j->curlen = malloc((size_t)ncols * sizeof(*j->curlen));
	j->col_done = calloc((size_t)ncols, 1);
	if (!j->cur || !j->curlen || !j->col_done) {
		n_errors++;
		finish(j, 0);
		return -1;
	}
	for (int c = 0; c < ncols; c++) {
		memcpy(j->cur[c], cols[c].base, cols[c].len * sizeof(oid));
		j->curlen[c] = cols[c].len;
	}
	j->ss = snmp_open(&sess);
	if (!j->ss) {
		n_errors++;
		finish(j, 0);
		return -1;
	}
	send_next(j);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bulkloop [-c COMMUNITY] [-r MAXREPS] [-w WINDOW] [-t TIMEOUT_MS] "
			"[-R RETRIES] [-g OID,...] -C OID,... TARGETS_FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *colarg = NULL, *getarg = NULL;
	int window = 64, opt;
	while ((opt = getopt(argc, argv, "c:r:w:t:R:g:C:")) != -1) {
		switch (opt) {
		case 'c': community = optarg; break;
		case 'r': max_reps = atoi(optarg); break;
		case 'w': window = atoi(optarg); break;
		case 't': timeout_ms = atol(optarg); break;
		case 'R': retries = atoi(optarg); break;
		case 'g': getarg = optarg; break;
		case 'C': colarg = optarg; break;
		default: usage();
		}
	}
	if (!colarg || optind != argc - 1 || max_reps < 1 || window < 1 || window > 900)
		usage();

	setenv("MIBS", "", 1); /* numeric OIDs only: no MIB file is read */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	snmp_disable_log();
	init_snmp("bulkloop");

	if ((ncols = parse_oids(colarg, cols, MAX_COLS)) <= 0 ||
	    (getarg && (ngets = parse_oids(getarg, gets, MAX_GETS)) <= 0)) {
		fprintf(stderr, "bulkloop: bad OID list\n");
		return 2;
	}
	FILE *f = fopen(argv[optind], "r");
	if (!f) {
		perror(argv[optind]);
		return 2;
	}
	size_t n = 0, cap = 0;
	struct job *jobs = NULL;
	char line[256];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\r\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			struct job *nj = realloc(jobs, cap * sizeof(*nj));
			if (!nj)
				return 1;
			jobs = nj;
		}
		memset(&jobs[n], 0, sizeof(jobs[n]));
		snprintf(jobs[n].peer, sizeof(jobs[n].peer), "udp:%s", line);
		n++;
	}
	fclose(f);

	t_start = now_s();
	size_t next = 0, reaped = 0;
	int inflight = 0;
	while (reaped < n) {
		while (inflight < window && next < n) {
			inflight++;
			start(&jobs[next++]);
		}
		/* finished jobs are closed here, outside net-snmp's callbacks */
		for (size_t i = reaped; i < next; i++) {
			if (jobs[i].done && jobs[i].ss != (void *)-1) {
				if (jobs[i].ss)
					snmp_close(jobs[i].ss);
				jobs[i].ss = (void *)-1;
				free(jobs[i].cur);
				free(jobs[i].curlen);
				free(jobs[i].col_done);
				jobs[i].cur = NULL;
				jobs[i].curlen = NULL;
				jobs[i].col_done = NULL;
				total_varbinds += jobs[i].varbinds;
				inflight--;
			}
		}
		while (reaped < next && jobs[reaped].ss == (void *)-1)
			reaped++;
		if (inflight < window && next < n)
			continue;
		if (inflight == 0)
			continue;
		int nfds = 0, block = 1;
		fd_set fds;
		struct timeval tv = {1, 0};
		FD_ZERO(&fds);
		snmp_select_info(&nfds, &fds, &tv, &block);
		int r = select(nfds, &fds, NULL, NULL, block ? NULL : &tv);
		if (r > 0)
			snmp_read(&fds);
		else if (r == 0)
			snmp_timeout();
	}
	double wall = now_s() - t_start;

	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"devices\":%zu,\"complete\":%ld,\"timeouts\":%ld,\"errors\":%ld,"
	       "\"varbinds\":%ld,\"requests\":%ld,\"wall_s\":%.6f,\"last_complete_s\":%.6f,"
	       "\"utime_s\":%.6f,\"stime_s\":%.6f,\"maxrss_kb\":%ld,\"window\":%d,"
	       "\"max_repetitions\":%d,\"columns\":%d,\"scalars\":%d}\n",
	       n, n_ok, n_timeouts, n_errors, total_varbinds, total_requests, wall,
	       t_last_ok > 0 ? t_last_ok - t_start : 0.0,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss,
	       window, max_reps, ncols, ngets);
	for (size_t i = 0; i < n; i++)
		if (jobs[i].ss && jobs[i].ss != (void *)-1)
			snmp_close(jobs[i].ss);
	free(jobs);
	snmp_shutdown("bulkloop");
	return 0;
}
