#include "snmpinform.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "strbuf.h"
#include "v3discovery.h"

/* R_NEW: no session, or one whose receiver's engine ID is not known (SNMPv3). */
enum rstate { R_NEW, R_DISCOVERING, R_READY };

/* An inform not yet acknowledged nor given up. */
struct pending {
	netsnmp_pdu *pdu; /* as it was handed over (no engine ID in it): a copy of it is sent */
	long reqid;       /* in flight: the copy's request id */
	time_t deadline;  /* in flight: given up after this (monotonic seconds) */
	int again;        /* already sent again after the engine ID was learnt afresh */
};

struct receiver {
	struct snmpinform *si;
	netsnmp_session *ss; /* snmp_open's (net-snmp's list, read from the loop); NULL: none */
	char peer[128];
	enum rstate state;
	long probe_reqid; /* the discovery request, while R_DISCOVERING */
	/* waiting for the engine ID, oldest first; and sent, waiting for their answer. Together
	 * at most SNMPINFORM_MAX_PENDING */
	struct pending wait[SNMPINFORM_MAX_PENDING], inflight[SNMPINFORM_MAX_PENDING];
	int nwait, ninflight;
	int relearn; /* an inform failed: its engine ID is learnt again before the next */
	int failing; /* a failure was logged: one line again when an inform gets through */
	struct snmpinform_stats st;
};

struct snmpinform {
	int version; /* SNMP_VERSION_2c or SNMP_VERSION_3 */
	char community[CFG_TEXT_MAX];
	char user[CFG_NAME_MAX];
	int level;
	const oid *auth_proto;
	/* Ku of each password (RFC 3414 A.2): localised for each receiver's engine ID by
	 * create_user_from_session once it is known */
	u_char auth[USM_AUTH_KU_LEN], priv[USM_PRIV_KU_LEN];
	size_t auth_len, priv_len;
	long timeout_us;
	int retries;
	struct receiver r[SNMPINFORM_MAX_RECEIVERS];
	int n;
};

/* A credential's USM settings and keys into si: 0, or -1 when a key cannot be made. */
static int take_credential(struct snmpinform *si, const struct snmp_cred *c)
{
	if (c->version != 3) {
		si->version = SNMP_VERSION_2c;
		snprintf(si->community, sizeof(si->community), "%s", c->community);
		return 0;
	}
	si->version = SNMP_VERSION_3;
	snprintf(si->user, sizeof(si->user), "%s", c->user);
	si->level = c->level == V3_AUTHPRIV	 ? SNMP_SEC_LEVEL_AUTHPRIV
		    : c->level == V3_AUTHNOPRIV ? SNMP_SEC_LEVEL_AUTHNOPRIV
						: SNMP_SEC_LEVEL_NOAUTH;
	si->auth_proto = c->auth_proto == V3_AUTH_SHA256   ? usmHMAC192SHA256AuthProtocol
			 : c->auth_proto == V3_AUTH_SHA512 ? usmHMAC384SHA512AuthProtocol
							   : usmHMACSHA1AuthProtocol;
	si->auth_len = sizeof(si->auth);
	si->priv_len = sizeof(si->priv);
	if (c->level >= V3_AUTHNOPRIV &&
	    generate_Ku(si->auth_proto, USM_AUTH_PROTO_SHA_LEN, (const u_char *)c->auth_pass,
			strlen(c->auth_pass), si->auth, &si->auth_len) != SNMPERR_SUCCESS)
		return -1;
	if (c->level == V3_AUTHPRIV &&
	    generate_Ku(si->auth_proto, USM_AUTH_PROTO_SHA_LEN, (const u_char *)c->priv_pass,
			strlen(c->priv_pass), si->priv, &si->priv_len) != SNMPERR_SUCCESS)
		return -1;
	return 0;
}

static int on_answer(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *resp, void *magic);

static time_t mono_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

/* The receiver's session. SNMPv3: without net-snmp's engine-ID probe, at the open and at
 * every send (net-snmp 5.9 clears SNMP_FLAGS_DONT_PROBE once open, and then probes with a
 * synchronous request from snmp_send while the engine ID is unknown). */
static int open_session(struct receiver *r)
{
	struct snmpinform *si = r->si;
	netsnmp_session s;
	snmp_sess_init(&s);
	s.peername = r->peer;
	s.timeout = si->timeout_us;
	s.retries = si->retries;
	s.callback = on_answer;
	s.callback_magic = r;
	s.version = si->version;
	if (si->version == SNMP_VERSION_2c) {
		s.community = (u_char *)si->community;
		s.community_len = strlen(si->community);
	} else {
		s.flags |= SNMP_FLAGS_DONT_PROBE;
		s.securityModel = SNMP_SEC_MODEL_USM;
		s.securityName = si->user;
		s.securityNameLen = strlen(si->user);
		s.securityLevel = si->level;
		s.securityAuthProto = (oid *)si->auth_proto;
		s.securityAuthProtoLen = USM_AUTH_PROTO_SHA_LEN;
		memcpy(s.securityAuthKey, si->auth, si->auth_len);
		s.securityAuthKeyLen = si->level >= SNMP_SEC_LEVEL_AUTHNOPRIV ? si->auth_len : 0;
		s.securityPrivProto = usmAESPrivProtocol;
		s.securityPrivProtoLen = USM_PRIV_PROTO_AES_LEN;
		memcpy(s.securityPrivKey, si->priv, si->priv_len);
		s.securityPrivKeyLen = si->level == SNMP_SEC_LEVEL_AUTHPRIV ? si->priv_len : 0;
	}
	r->ss = snmp_open(&s); /* copies what it keeps */
	explicit_bzero(s.securityAuthKey, sizeof(s.securityAuthKey));
	explicit_bzero(s.securityPrivKey, sizeof(s.securityPrivKey));
	if (!r->ss)
		return -1;
	r->ss->flags |= SNMP_FLAGS_DONT_PROBE;
	r->state = si->version == SNMP_VERSION_2c ? R_READY : R_NEW;
	return 0;
}

/* One line when a receiver starts failing, none while it goes on failing. */
static void failed(struct receiver *r, int n, const char *why)
{
	r->st.failed += (uint64_t)n;
	if (r->si->version == SNMP_VERSION_3)
		r->relearn = 1;
	if (r->failing)
		return;
	r->failing = 1;
	log_warnx("snmp", "%s: inform not acknowledged (%s); informs to it are counted failed "
		  "until one gets through", r->peer, why);
}

static void fail_waiting(struct receiver *r, const char *why)
{
	int n = r->nwait;
	for (int i = 0; i < r->nwait; i++)
		snmp_free_pdu(r->wait[i].pdu);
	r->nwait = 0;
	if (n)
		failed(r, n, why);
}

/* The receiver's engine ID from its report to the discovery request, and the user's keys
 * localised for it: the informs waiting go out at the next snmpinform_run. */
static void discovered(struct receiver *r, netsnmp_session *ss, const netsnmp_pdu *resp)
{
	size_t n = resp->securityEngineIDLen;
	r->state = R_NEW;
	if (!n || n > SNMP_MAX_ENG_SIZE) {
		fail_waiting(r, "the receiver gave no usable engine ID");
		return;
	}
	u_char *sec = malloc(n), *ctx = malloc(n);
	if (!sec || !ctx) {
		free(sec);
		free(ctx);
		fail_waiting(r, "out of memory");
		return;
	}
	memcpy(sec, resp->securityEngineID, n);
	memcpy(ctx, resp->securityEngineID, n);
	free(ss->securityEngineID); /* net-snmp's own, from its allocator: freed with free */
	free(ss->contextEngineID);
	ss->securityEngineID = sec;
	ss->securityEngineIDLen = n;
	ss->contextEngineID = ctx;
	ss->contextEngineIDLen = n;
	if (create_user_from_session(ss) != SNMPERR_SUCCESS) {
		fail_waiting(r, "cannot set up the user for this receiver");
		return;
	}
	r->state = R_READY;
	r->relearn = 0;
	r->st.discoveries++;
}

/* What a refused inform's report (or the session's last error after a timeout: an
 * unauthenticated report net-snmp does not pass on) says. NULL: not a refusal. */
static const char *refusal(int type)
{
	switch (type) {
	case SNMPERR_UNKNOWN_USER_NAME: return "SNMPv3: unknown user name";
	case SNMPERR_AUTHENTICATION_FAILURE: return "SNMPv3: authentication failed";
	case SNMPERR_DECRYPTION_ERR: return "SNMPv3: decryption failed";
	case SNMPERR_UNSUPPORTED_SEC_LEVEL: return "SNMPv3: security level not supported";
	case SNMPERR_UNKNOWN_ENG_ID: return "SNMPv3: unknown engine ID";
	default: return NULL;
	}
}

static int find_inflight(const struct receiver *r, long reqid)
{
	for (int i = 0; i < r->ninflight; i++)
		if (r->inflight[i].reqid == reqid)
			return i;
	return -1;
}

/* An inform ended: acknowledged (why NULL) or not. SNMPv3, the first time: the receiver may
 * have a new engine ID (reinstalled, or restarted without its persistent files, when it
 * answers "unknown engine" without authentication, which net-snmp drops), so it is learnt
 * again and the inform goes once more, first in line. */
static void ended(struct receiver *r, int i, const char *why)
{
	struct pending p = r->inflight[i];
	r->inflight[i] = r->inflight[--r->ninflight];
	if (why && r->si->version == SNMP_VERSION_3 && !p.again) {
		log_debug("snmp", "%s: inform not acknowledged (%s): its engine ID is learnt again",
			  r->peer, why);
		p.again = 1;
		r->relearn = 1;
		memmove(&r->wait[1], &r->wait[0], (size_t)r->nwait * sizeof(r->wait[0]));
		r->wait[0] = p;
		r->nwait++;
		return;
	}
	snmp_free_pdu(p.pdu);
	if (why) {
		failed(r, 1, why);
		return;
	}
	r->st.acked++;
	if (r->failing)
		log_info("snmp", "%s: informs acknowledged again", r->peer);
	r->failing = 0;
}

static void discovery_answer(struct receiver *r, netsnmp_session *ss, int op,
			     const netsnmp_pdu *resp)
{
	if (resp && (op == NETSNMP_CALLBACK_OP_SEC_ERROR ||
		     op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE)) {
		discovered(r, ss, resp);
		return;
	}
	r->state = R_NEW;
	fail_waiting(r, op == NETSNMP_CALLBACK_OP_TIMED_OUT ? "no answer to the engine-ID discovery"
							    : "cannot send the engine-ID discovery");
}

/* net-snmp's callback, from snmp_read / snmp_timeout in the loop: records what happened;
 * what follows from it (sending, opening again) waits for snmpinform_run. */
static int on_answer(int op, netsnmp_session *ss, int reqid, netsnmp_pdu *resp, void *magic)
{
	struct receiver *r = magic;
	if (op == NETSNMP_CALLBACK_OP_RESEND || op == NETSNMP_CALLBACK_OP_CONNECT)
		return 1;
	/* the discovery's report comes twice (a security error, then the message); a late one
	 * belongs to no request any more */
	if (r->state == R_DISCOVERING && reqid == r->probe_reqid) {
		discovery_answer(r, ss, op, resp);
		return 1;
	}
	int i = find_inflight(r, reqid);
	if (i < 0)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && resp &&
	    resp->command == SNMP_MSG_RESPONSE) {
		ended(r, i, NULL);
		return 1;
	}
	int type = resp && resp->command == SNMP_MSG_REPORT ? snmpv3_get_report_type(resp)
							    : ss->s_snmp_errno;
	const char *why = refusal(type) ? refusal(type) : "refused with a report";
	/* a security error comes before the report itself, which ends the request; out of the
	 * time window, net-snmp sends again with the receiver's clock, up to the retries */
	if (op == NETSNMP_CALLBACK_OP_SEC_ERROR) {
		if (type != SNMPERR_NOT_IN_TIME_WINDOW)
			ended(r, i, why);
		return 1;
	}
	if (resp && resp->command == SNMP_MSG_REPORT) {
		ended(r, i, type == SNMPERR_NOT_IN_TIME_WINDOW ? "SNMPv3: not in time window" : why);
		return 1;
	}
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT)
		ended(r, i, refusal(type) ? refusal(type) : "no answer");
	else if (op == NETSNMP_CALLBACK_OP_SEND_FAILED || op == NETSNMP_CALLBACK_OP_DISCONNECT)
		ended(r, i, "cannot send");
	return 1;
}

static void discover(struct receiver *r)
{
	netsnmp_pdu *pdu = v3_discovery_pdu();
	long id = pdu ? snmp_send(r->ss, pdu) : 0;
	if (!id) {
		snmp_free_pdu(pdu); /* not sent: still ours */
		fail_waiting(r, "cannot send the engine-ID discovery");
		return;
	}
	r->probe_reqid = id;
	r->state = R_DISCOVERING;
}

/* Sends a copy of one inform now (net-snmp's once sent); p stays in flight until it ends. */
static void send_one(struct receiver *r, struct pending p)
{
	netsnmp_pdu *copy = snmp_clone_pdu(p.pdu);
	long id = copy ? snmp_send(r->ss, copy) : 0;
	if (!id) {
		snmp_free_pdu(copy); /* not sent: still ours */
		snmp_free_pdu(p.pdu);
		failed(r, 1, copy ? snmp_api_errstring(r->ss->s_snmp_errno) : "out of memory");
		return;
	}
	p.reqid = id;
	/* net-snmp's tries, and some: a request it forgets (a report it swallows) ends all
	 * the same */
	p.deadline = mono_now() + (r->si->timeout_us / 1000000 + 1) * (r->si->retries + 1) + 5;
	r->inflight[r->ninflight++] = p;
}

/* Informs in flight past their deadline: net-snmp no longer tells of them. */
static void expire(struct receiver *r)
{
	time_t now = mono_now();
	for (int i = r->ninflight - 1; i >= 0; i--)
		if (now > r->inflight[i].deadline)
			ended(r, i, "no answer");
}

/* The informs waiting, out once the receiver's engine ID is known. After a failure the
 * session is opened afresh, once the informs still in flight have ended, and the engine ID
 * learnt again. */
static void pump(struct receiver *r)
{
	if (!r->nwait || r->state == R_DISCOVERING)
		return;
	if (r->state == R_READY && !r->relearn) {
		for (int i = 0; i < r->nwait; i++)
			send_one(r, r->wait[i]);
		r->nwait = 0;
		return;
	}
	if (r->ninflight)
		return;
	if (r->ss && r->relearn) {
		snmp_close(r->ss);
		r->ss = NULL;
		r->state = R_NEW;
	}
	if (!r->ss && open_session(r) < 0) {
		fail_waiting(r, "cannot open a session");
		return;
	}
	if (r->state == R_NEW)
		discover(r);
	else
		pump(r); /* SNMPv2c: ready as soon as open */
}

static int add_receiver(struct snmpinform *si, const char *item, size_t len, char *err,
			size_t errsz)
{
	struct receiver *r = &si->r[si->n];
	if (len >= sizeof(r->peer) || si->n == SNMPINFORM_MAX_RECEIVERS) {
		snprintf(err, errsz, "[snmp] informs: at most %d receivers of %zu characters each",
			 SNMPINFORM_MAX_RECEIVERS, sizeof(r->peer) - 1);
		return -1;
	}
	r->si = si;
	memcpy(r->peer, item, len);
	r->peer[len] = '\0';
	if (open_session(r) < 0) {
		snprintf(err, errsz, "[snmp] informs: %s: cannot open (%s)", r->peer,
			 snmp_api_errstring(snmp_errno));
		return -1;
	}
	si->n++;
	return 0;
}

struct snmpinform *snmpinform_new(const struct hbmon_config *cfg, char *err, size_t errsz)
{
	const char *rest = cfg->informs, *item;
	size_t len;
	const struct snmp_cred *c = config_cred(cfg, cfg->inform_credential);
	err[0] = '\0';
	if (!cfg->informs[0])
		return NULL;
	struct snmpinform *si = calloc(1, sizeof(*si));
	if (!si || !c || take_credential(si, c) < 0) {
		snprintf(err, errsz, "[snmp] inform_credential: %s",
			 !si ? "out of memory" : !c ? "no such credential" : "cannot make its keys");
		snmpinform_free(si);
		return NULL;
	}
	si->timeout_us = (long)cfg->inform_timeout * 1000000L;
	si->retries = cfg->inform_retries;
	while ((item = list_next(&rest, &len)))
		if (add_receiver(si, item, len, err, errsz) < 0) {
			snmpinform_free(si);
			return NULL;
		}
	return si;
}

void snmpinform_free(struct snmpinform *si)
{
	if (!si)
		return;
	for (int i = 0; i < si->n; i++) {
		struct receiver *r = &si->r[i];
		for (int k = 0; k < r->nwait; k++)
			snmp_free_pdu(r->wait[k].pdu);
		for (int k = 0; k < r->ninflight; k++)
			snmp_free_pdu(r->inflight[k].pdu);
		r->nwait = 0;
		r->ninflight = 0; /* net-snmp may tell of them as it closes: no longer ours */
		if (r->ss)
			snmp_close(r->ss);
	}
	explicit_bzero(si, sizeof(*si));
	free(si);
}

int snmpinform_send(struct snmpinform *si, const struct snmp_pdu *pdu)
{
	int refused = 0;
	for (int i = 0; si && i < si->n; i++) {
		struct receiver *r = &si->r[i];
		r->st.sent++;
		if (r->nwait + r->ninflight >= SNMPINFORM_MAX_PENDING) {
			failed(r, 1, "too many informs waiting");
			refused++;
			continue;
		}
		netsnmp_pdu *copy = snmp_clone_pdu((netsnmp_pdu *)pdu);
		if (!copy) {
			failed(r, 1, "out of memory");
			refused++;
			continue;
		}
		copy->command = SNMP_MSG_INFORM;
		copy->flags |= UCD_MSG_FLAG_EXPECT_RESPONSE;
		copy->version = si->version;
		r->wait[r->nwait++] = (struct pending){copy, 0, 0, 0};
		uint64_t before = r->st.failed;
		pump(r);
		refused += r->st.failed != before;
	}
	return refused;
}

void snmpinform_run(struct snmpinform *si)
{
	for (int i = 0; si && i < si->n; i++) {
		expire(&si->r[i]);
		pump(&si->r[i]);
	}
}

int snmpinform_count(const struct snmpinform *si) { return si ? si->n : 0; }

const char *snmpinform_peer(const struct snmpinform *si, int i)
{
	return si && i >= 0 && i < si->n ? si->r[i].peer : "";
}

void snmpinform_get_stats(const struct snmpinform *si, int i, struct snmpinform_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (si && i >= 0 && i < si->n)
		*out = si->r[i].st;
}
