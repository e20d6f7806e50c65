#include "poller.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "strbuf.h"

#define MAX_REPS_START 8
#define OID_MAX 64

static const oid sys_oids[][9] = {
	{1, 3, 6, 1, 2, 1, 1, 1, 0}, /* sysDescr */
	{1, 3, 6, 1, 2, 1, 1, 2, 0}, /* sysObjectID */
	{1, 3, 6, 1, 2, 1, 1, 5, 0}, /* sysName */
	{1, 3, 6, 1, 2, 1, 1, 3, 0}, /* sysUpTime */
};
enum { SV_DESCR, SV_OBJECTID, SV_NAME, SV_UPTIME, SV_COUNT };

/* The interface columns walked on every device: ifTable (1.3.6.1.2.1.2.2.1) and ifXTable. */
enum ifcol { IC_DESCR, IC_TYPE, IC_SPEED, IC_ADMIN, IC_OPER, IC_IN_OCT, IC_IN_ERR, IC_OUT_OCT,
	     IC_OUT_ERR, IC_NAME, IC_HC_IN, IC_HC_OUT, IC_HIGH_SPEED, IC_ALIAS, IC_COUNT };
static const struct {
	oid base[11];
	size_t len;
	const char *name;
} ifcols[IC_COUNT] = {
	{{1, 3, 6, 1, 2, 1, 2, 2, 1, 2}, 10, "ifDescr"},
	{{1, 3, 6, 1, 2, 1, 2, 2, 1, 3}, 10, "ifType"},
	{{1, 3, 6, 1, 2, 1, 2, 2, 1, 5}, 10, "ifSpeed"},
	{{1, 3, 6, 1, 2, 1, 2, 2, 1, 7}, 10, "ifAdminStatus"},
	{{1, 3, 6, 1, 2, 1, 2, 2, 1, 8}, 10, "ifOperStatus"},
	{{1, 3, 6, 1, 2, 1, 2, 2, 1, 10}, 10, "ifInOctets"},
	{{1, 3, 6, 1, 2, 1, 2, 2, 1, 14}, 10, "ifInErrors"},
	{{1, 3, 6, 1, 2, 1, 2, 2, 1, 16}, 10, "ifOutOctets"},
	{{1, 3, 6, 1, 2, 1, 2, 2, 1, 20}, 10, "ifOutErrors"},
	{{1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1}, 11, "ifName"},
	{{1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6}, 11, "ifHCInOctets"},
	{{1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 10}, 11, "ifHCOutOctets"},
	{{1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15}, 11, "ifHighSpeed"},
	{{1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 18}, 11, "ifAlias"},
};

enum phase { PH_SYS, PH_IF };

struct job {
	struct poller *p;
	struct poll_target t;
	netsnmp_session *ss;
	struct job *next; /* in-flight list */
	enum phase phase;
	int done;
	int max_reps;
	int requests; /* walk requests sent: bounded, so no agent can keep a poll going */
	struct timespec started;
	/* walk state per column: last OID seen, finished or not */
	oid cur[IC_COUNT][OID_MAX];
	size_t curlen[IC_COUNT];
	int col_done[IC_COUNT];
	struct dev_sample s;
	size_t ifcap;
	unsigned char *hc_flags; /* per row: bit0 HC in seen, bit1 HC out seen, bit2 high speed */
	uint64_t *high_speed;
};

struct poller {
	struct poller_opts o;
	poll_done_fn cb;
	void *ctx;
	struct job *jobs;
	int inflight;
	struct poller_stats st;
};

void poller_lib_init(const char *appname)
{
	/* Profiles carry numeric OIDs: no MIB files are needed, and none are read. */
	setenv("MIBS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_QUICK_PRINT, 1);
	snmp_disable_log();
	init_snmp(appname);
}

void poller_lib_shutdown(const char *appname) { snmp_shutdown(appname); }

struct poller *poller_new(const struct poller_opts *o, poll_done_fn cb, void *ctx)
{
	struct poller *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->o = *o;
	p->cb = cb;
	p->ctx = ctx;
	return p;
}

static void job_free(struct job *j)
{
	if (j->ss)
		snmp_close(j->ss);
	free(j->s.ifs);
	free(j->hc_flags);
	free(j->high_speed);
	free(j);
}

void poller_free(struct poller *p)
{
	if (!p)
		return;
	while (p->jobs) {
		struct job *j = p->jobs;
		p->jobs = j->next;
		job_free(j);
	}
	free(p);
}

int poller_inflight(const struct poller *p) { return p->inflight; }
const struct poller_stats *poller_stats(const struct poller *p) { return &p->st; }

static void finish(struct job *j, const char *error)
{
	struct timespec now;
	if (j->done)
		return;
	j->done = 1;
	clock_gettime(CLOCK_REALTIME, &now);
	j->s.ts = now.tv_sec;
	if (error) {
		snprintf(j->s.error, sizeof(j->s.error), "%s", error);
		if (!j->s.up)
			j->s.nifs = 0;
	}
	j->p->cb(j->p->ctx, &j->t, &j->s);
}

static void bad_value(struct job *j, const char *object, const char *why)
{
	j->p->st.bad_values++;
	if (j->s.bad_values++ == 0)
		snprintf(j->s.bad_first, sizeof(j->s.bad_first), "%s: %s", object, why);
	log_debug("poll", "%s/%s (%s): bad value of %s: %s", j->t.commune, j->t.device, j->t.host,
		  object, why);
}

static void copy_string(char *dst, size_t dstsz, const netsnmp_variable_list *v)
{
	utf8_sanitize(dst, dstsz, (const char *)v->val.string, v->val_len);
}

static void format_oid(char *dst, size_t dstsz, const oid *o, size_t len)
{
	size_t off = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < len && off < dstsz; i++) {
		int n = snprintf(dst + off, dstsz - off, "%s%lu", i ? "." : "", (unsigned long)o[i]);
		if (n < 0 || (size_t)n >= dstsz - off) {
			dst[off] = '\0';
			return;
		}
		off += (size_t)n;
	}
}

static int is_exception(const netsnmp_variable_list *v)
{
	return v->type == SNMP_NOSUCHOBJECT || v->type == SNMP_NOSUCHINSTANCE ||
	       v->type == SNMP_ENDOFMIBVIEW;
}

static void take_sys(struct job *j, const netsnmp_pdu *resp)
{
	for (const netsnmp_variable_list *v = resp->variables; v; v = v->next_variable) {
		if (is_exception(v))
			continue;
		for (int k = 0; k < SV_COUNT; k++) {
			if (snmp_oid_compare(v->name, v->name_length, sys_oids[k], 9) != 0)
				continue;
			switch (k) {
			case SV_DESCR:
			case SV_NAME:
				if (v->type != ASN_OCTET_STR) {
					bad_value(j, k == SV_DESCR ? "sysDescr" : "sysName", "not a string");
					break;
				}
				if (k == SV_DESCR)
					copy_string(j->s.sys_descr, sizeof(j->s.sys_descr), v);
				else
					copy_string(j->s.sys_name, sizeof(j->s.sys_name), v);
				break;
			case SV_OBJECTID:
				if (v->type != ASN_OBJECT_ID)
					bad_value(j, "sysObjectID", "not an OID");
				else
					format_oid(j->s.sys_objectid, sizeof(j->s.sys_objectid),
						   v->val.objid, v->val_len / sizeof(oid));
				break;
			case SV_UPTIME:
				if (v->type != ASN_TIMETICKS) {
					bad_value(j, "sysUpTime", "not TimeTicks");
				} else {
					j->s.has_uptime = 1;
					j->s.uptime_ticks = (uint32_t)*v->val.integer;
				}
				break;
			}
		}
	}
}

/* Finds or inserts the row for ifIndex idx (rows kept sorted). NULL when the cap is hit. */
static struct if_sample *row(struct job *j, uint32_t idx, size_t *pos)
{
	size_t lo = 0, hi = j->s.nifs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (j->s.ifs[mid].index < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	if (lo < j->s.nifs && j->s.ifs[lo].index == idx)
		return &j->s.ifs[lo];
	if (j->s.nifs >= (size_t)j->p->o.max_rows)
		return NULL;
	if (j->s.nifs == j->ifcap) {
		size_t ncap = j->ifcap ? j->ifcap * 2 : 16;
		struct if_sample *n = realloc(j->s.ifs, ncap * sizeof(*n));
		if (!n)
			return NULL;
		j->s.ifs = n;
		unsigned char *f = realloc(j->hc_flags, ncap);
		if (!f)
			return NULL;
		j->hc_flags = f;
		uint64_t *h = realloc(j->high_speed, ncap * sizeof(*h));
		if (!h)
			return NULL;
		j->high_speed = h;
		j->ifcap = ncap;
	}
	size_t tail = j->s.nifs - lo;
	memmove(&j->s.ifs[lo + 1], &j->s.ifs[lo], tail * sizeof(j->s.ifs[0]));
	memmove(&j->hc_flags[lo + 1], &j->hc_flags[lo], tail);
	memmove(&j->high_speed[lo + 1], &j->high_speed[lo], tail * sizeof(uint64_t));
	memset(&j->s.ifs[lo], 0, sizeof(j->s.ifs[0]));
	j->s.ifs[lo].index = idx;
	j->hc_flags[lo] = 0;
	j->high_speed[lo] = 0;
	j->s.nifs++;
	return &j->s.ifs[lo];
}

static int int_value(struct job *j, const netsnmp_variable_list *v, enum ifcol c, long min,
		     long max, long *out)
{
	if (v->type != ASN_INTEGER && v->type != ASN_GAUGE && v->type != ASN_COUNTER &&
	    v->type != ASN_UNSIGNED) {
		bad_value(j, ifcols[c].name, "wrong type");
		return -1;
	}
	long x = *v->val.integer;
	if (v->type != ASN_INTEGER)
		x = (long)(unsigned long)(uint32_t)x;
	if (x < min || x > max) {
		bad_value(j, ifcols[c].name, "out of range");
		return -1;
	}
	*out = x;
	return 0;
}

static void take_if_value(struct job *j, enum ifcol c, uint32_t idx,
			  const netsnmp_variable_list *v)
{
	size_t pos;
	struct if_sample *f = row(j, idx, &pos);
	long x;
	if (!f)
		return;
	switch (c) {
	case IC_DESCR:
	case IC_NAME:
	case IC_ALIAS:
		if (v->type != ASN_OCTET_STR) {
			bad_value(j, ifcols[c].name, "not a string");
		} else if (c == IC_DESCR) {
			copy_string(f->descr, sizeof(f->descr), v);
		} else if (c == IC_NAME) {
			copy_string(f->name, sizeof(f->name), v);
		} else {
			copy_string(f->alias, sizeof(f->alias), v);
		}
		break;
	case IC_TYPE:
		if (int_value(j, v, c, 1, 65535, &x) == 0) {
			f->type = (int)x;
			f->has |= IFF_TYPE;
		}
		break;
	case IC_ADMIN:
	case IC_OPER:
		if (int_value(j, v, c, 1, c == IC_ADMIN ? 3 : 7, &x) == 0) {
			*(c == IC_ADMIN ? &f->admin : &f->oper) = (int)x;
			f->has |= c == IC_ADMIN ? IFF_ADMIN : IFF_OPER;
		}
		break;
	case IC_SPEED:
		if (int_value(j, v, c, 0, 4294967295L, &x) == 0 && !(j->hc_flags[pos] & 4)) {
			f->speed = (uint64_t)x;
			f->has |= IFF_SPEED;
		}
		break;
	case IC_HIGH_SPEED:
		/* ifHighSpeed (Mb/s) wins when ifSpeed saturates at 2^32-1 (RFC 2863) */
		if (int_value(j, v, c, 0, 4294967295L, &x) == 0 && x > 0 &&
		    (!(f->has & IFF_SPEED) || f->speed >= 4294967295ULL)) {
			f->speed = (uint64_t)x * 1000000ULL;
			f->has |= IFF_SPEED;
			j->hc_flags[pos] |= 4;
		}
		break;
	case IC_IN_OCT:
	case IC_OUT_OCT:
	case IC_IN_ERR:
	case IC_OUT_ERR: {
		int hc_seen = j->hc_flags[pos] & (c == IC_IN_OCT ? 1 : 2);
		if (int_value(j, v, c, 0, 4294967295L, &x) < 0)
			break;
		uint64_t *dst = c == IC_IN_OCT ? &f->in_octets : c == IC_OUT_OCT ? &f->out_octets
				: c == IC_IN_ERR ? &f->in_errors : &f->out_errors;
		unsigned bit = c == IC_IN_OCT ? IFF_IN_OCTETS : c == IC_OUT_OCT ? IFF_OUT_OCTETS
			       : c == IC_IN_ERR ? IFF_IN_ERRORS : IFF_OUT_ERRORS;
		if ((c == IC_IN_OCT || c == IC_OUT_OCT) && hc_seen)
			break;
		*dst = (uint64_t)x;
		f->has |= bit;
		break;
	}
	case IC_HC_IN:
	case IC_HC_OUT:
		if (v->type != ASN_COUNTER64) {
			bad_value(j, ifcols[c].name, "not a Counter64");
			break;
		}
		{
			uint64_t val = ((uint64_t)v->val.counter64->high << 32) | v->val.counter64->low;
			if (c == IC_HC_IN) {
				f->in_octets = val;
				f->has |= IFF_IN_OCTETS;
				j->hc_flags[pos] |= 1;
			} else {
				f->out_octets = val;
				f->has |= IFF_OUT_OCTETS;
				j->hc_flags[pos] |= 2;
			}
			/* both directions 64-bit: the stored rate may use the full range */
			if ((j->hc_flags[pos] & 3) == 3)
				f->has |= IFF_HC;
		}
		break;
	case IC_COUNT:
		break;
	}
}

static int send_pdu(struct job *j, netsnmp_pdu *pdu);

/* Builds the next walk request from the columns not finished; 0 when the walk is over. */
static netsnmp_pdu *next_walk_pdu(struct job *j)
{
	int v1 = j->t.cred->version == 1;
	netsnmp_pdu *pdu = NULL;
	for (int c = 0; c < IC_COUNT; c++) {
		if (j->col_done[c])
			continue;
		if (!pdu) {
			pdu = snmp_pdu_create(v1 ? SNMP_MSG_GETNEXT : SNMP_MSG_GETBULK);
			if (!pdu)
				return NULL;
			if (!v1) {
				pdu->non_repeaters = 0;
				pdu->max_repetitions = j->max_reps;
			}
		}
		snmp_add_null_var(pdu, j->cur[c], j->curlen[c]);
	}
	return pdu;
}

static void walk_response(struct job *j, netsnmp_pdu *resp)
{
	int active[IC_COUNT], nactive = 0;
	for (int c = 0; c < IC_COUNT; c++)
		if (!j->col_done[c])
			active[nactive++] = c;
	if (nactive == 0)
		return;
	int k = 0;
	for (netsnmp_variable_list *v = resp->variables; v; v = v->next_variable, k++) {
		int c = active[k % nactive];
		if (j->col_done[c])
			continue;
		const size_t bl = ifcols[c].len;
		if (v->type == SNMP_ENDOFMIBVIEW || v->name_length <= bl ||
		    snmp_oid_compare(v->name, bl, ifcols[c].base, bl) != 0) {
			j->col_done[c] = 1;
			continue;
		}
		if (snmp_oid_compare(v->name, v->name_length, j->cur[c], j->curlen[c]) <= 0 ||
		    v->name_length > OID_MAX) {
			log_warnx("poll", "%s/%s (%s): %s walk returned a non-increasing OID; stopped",
				  j->t.commune, j->t.device, j->t.host, ifcols[c].name);
			j->p->st.walks_stopped++;
			j->col_done[c] = 1;
			continue;
		}
		memcpy(j->cur[c], v->name, v->name_length * sizeof(oid));
		j->curlen[c] = v->name_length;
		if (v->name_length != bl + 1 || v->name[bl] == 0 || v->name[bl] > 2147483647) {
			bad_value(j, ifcols[c].name, "index is not an ifIndex");
			continue;
		}
		uint32_t idx = (uint32_t)v->name[bl];
		size_t pos;
		if (is_exception(v))
			continue;
		if (j->s.nifs >= (size_t)j->p->o.max_rows && !row(j, idx, &pos) ) {
			log_warnx("poll", "%s/%s (%s): interface table longer than %d rows; rest ignored",
				  j->t.commune, j->t.device, j->t.host, j->p->o.max_rows);
			j->p->st.walks_stopped++;
			for (int d = 0; d < IC_COUNT; d++)
				j->col_done[d] = 1;
			break;
		}
		take_if_value(j, (enum ifcol)c, idx, v);
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
		j->p->st.timeouts++;
		finish(j, j->s.up ? "timeout during interface walk" : "timeout");
		return 1;
	}
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE) {
		j->p->st.errors++;
		finish(j, "transport error");
		return 1;
	}
	if (j->phase == PH_SYS && !j->s.up) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		j->s.rtt_ms = (int)((now.tv_sec - j->started.tv_sec) * 1000 +
				    (now.tv_nsec - j->started.tv_nsec) / 1000000);
		j->s.up = 1;
		j->p->st.answered++;
	}
	if (resp->errstat == SNMP_ERR_TOOBIG && j->phase == PH_IF && j->max_reps > 1) {
		j->max_reps /= 2;
	} else if (resp->errstat != SNMP_ERR_NOERROR) {
		/* v1 agents refuse a whole GET for one missing object: drop it and ask again */
		if (j->phase == PH_SYS && resp->errstat == SNMP_ERR_NOSUCHNAME) {
			netsnmp_pdu *fixed = snmp_fix_pdu(resp, SNMP_MSG_GET);
			if (fixed) {
				send_pdu(j, fixed); /* on failure the poll is already finished */
				return 1;
			}
		}
		if (j->phase == PH_IF && resp->errstat == SNMP_ERR_NOSUCHNAME &&
		    resp->errindex >= 1) {
			/* v1 reports the end of the MIB as noSuchName: that column is complete */
			int k = 0;
			for (int c = 0; c < IC_COUNT; c++)
				if (!j->col_done[c] && ++k == resp->errindex)
					j->col_done[c] = 1;
		} else if (j->phase == PH_SYS) {
			j->phase = PH_IF;
		} else {
			char err[96];
			snprintf(err, sizeof(err), "agent error %ld (%s) during interface walk",
				 resp->errstat, snmp_errstring((int)resp->errstat));
			j->p->st.errors++;
			finish(j, err);
			return 1;
		}
	} else if (j->phase == PH_SYS) {
		take_sys(j, resp);
		j->phase = PH_IF;
	} else if (!resp->variables) {
		/* an empty answer moves nothing forward: asking again would loop */
		for (int c = 0; c < IC_COUNT; c++)
			j->col_done[c] = 1;
	} else {
		walk_response(j, resp);
	}
	if (++j->requests > j->p->o.max_rows + 16) {
		j->p->st.walks_stopped++;
		finish(j, "interface walk stopped: too many requests");
		return 1;
	}
	netsnmp_pdu *next = next_walk_pdu(j);
	if (!next) {
		finish(j, NULL);
		return 1;
	}
	send_pdu(j, next);
	return 1;
}

static int send_pdu(struct job *j, netsnmp_pdu *pdu)
{
	if (snmp_send(j->ss, pdu) == 0) {
		snmp_free_pdu(pdu);
		j->p->st.errors++;
		finish(j, "cannot send request");
		return -1;
	}
	return 0;
}

static struct job *job_new(struct poller *p, const struct poll_target *t)
{
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->p = p;
	j->t = *t;
	j->max_reps = MAX_REPS_START;
	j->s.rtt_ms = -1;
	snprintf(j->s.commune, sizeof(j->s.commune), "%s", t->commune);
	snprintf(j->s.device, sizeof(j->s.device), "%s", t->device);
	for (int c = 0; c < IC_COUNT; c++) {
		memcpy(j->cur[c], ifcols[c].base, ifcols[c].len * sizeof(oid));
		j->curlen[c] = ifcols[c].len;
	}
	return j;
}

static int open_session(struct job *j)
{
	netsnmp_session sess;
	char peer[96];
	int v6 = strchr(j->t.host, ':') != NULL;
	snprintf(peer, sizeof(peer), v6 ? "udp6:[%s]:%d" : "udp:%s:%d", j->t.host, j->t.port);
	snmp_sess_init(&sess);
	sess.peername = peer;
	sess.version = j->t.cred->version == 1 ? SNMP_VERSION_1 : SNMP_VERSION_2c;
	sess.community = (u_char *)j->t.cred->community;
	sess.community_len = strlen(j->t.cred->community);
	sess.timeout = (long)j->p->o.timeout_ms * 1000L;
	sess.retries = j->p->o.retries;
	sess.callback = on_response;
	sess.callback_magic = j;
	j->ss = snmp_open(&sess);
	return j->ss ? 0 : -1;
}

int poller_start(struct poller *p, const struct poll_target *t)
{
	struct job *j = job_new(p, t);
	if (!j)
		return -1;
	p->st.polls++;
	j->next = p->jobs;
	p->jobs = j;
	p->inflight++;
	if (open_session(j) < 0) {
		p->st.errors++;
		finish(j, "cannot open SNMP session");
		return -1;
	}
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET);
	if (!pdu) {
		finish(j, "out of memory");
		return -1;
	}
	for (int k = 0; k < SV_COUNT; k++)
		snmp_add_null_var(pdu, sys_oids[k], 9);
	clock_gettime(CLOCK_MONOTONIC, &j->started);
	return send_pdu(j, pdu);
}

/* Finished jobs are closed here, outside net-snmp's callbacks. */
static void reap(struct poller *p)
{
	struct job **pp = &p->jobs;
	while (*pp) {
		struct job *j = *pp;
		if (j->done) {
			*pp = j->next;
			p->inflight--;
			job_free(j);
		} else {
			pp = &j->next;
		}
	}
}

void poller_fdset(struct poller *p, int *maxfd, fd_set *rfds, struct timeval *tv)
{
	int block = 0;
	struct timeval snmp_tv = *tv;
	int n = *maxfd + 1;
	reap(p);
	snmp_select_info(&n, rfds, &snmp_tv, &block);
	if (n - 1 > *maxfd)
		*maxfd = n - 1;
	if (!block && timercmp(&snmp_tv, tv, <))
		*tv = snmp_tv;
}

void poller_dispatch(struct poller *p, fd_set *rfds, int nready)
{
	if (nready > 0)
		snmp_read(rfds);
	snmp_timeout();
	reap(p);
}
