#include "agentx.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "daytally.h"
#include "log.h"
#include "mibsnap.h"
#include "promexport.h"
#include "snmpinform.h"
#include "snmpnotify.h"
#include "strbuf.h"
#include "texts.h"

struct agentx {
	struct collector *c;
	int subagent;            /* [snmp] agentx = 1: init_agent was called */
	struct mibsnap snap;
	uint64_t built_ticks;    /* the judge's tick count the snapshot was built at */
	unsigned built_gen;      /* ... and the inventory's generation */
	int built;
	struct snmpnotify *notify;
	struct agentx_stats st;
	int was_connected; /* registered once: the next registration is a reconnection */
};

static const oid root[] = {HBMON_MIB_ROOT};
/* net-snmp's callbacks get no pointer of ours: snmp_shutdown frees every client argument it
 * was given (clear_callback). One agentx per process, as net-snmp's state is global. */
static struct agentx *the_agentx;

static void reason(void *ctx, enum lang l, const struct site_type *st,
		   const struct target_result *t, struct strbuf *out)
{
	const struct collector *c = ctx;
	text_reason(out, c->i18n, l, st, t);
}

/* The snapshot of the judge's last tick, built on the first request after it: a GET reads
 * what the dashboard shows and never judges; a collector nobody walks builds nothing. */
static void refresh(struct agentx *ax)
{
	struct collector *c = ax->c;
	uint64_t ticks = 0;
	double cpu;
	if (c->alerts)
		alerts_tick_cost(c->alerts, &ticks, &cpu);
	if (ax->built && ticks == ax->built_ticks && c->inv_gen == ax->built_gen)
		return;
	struct readiness own = {0};
	struct readiness_input in = {c->cfg, c->inv, &c->state, c->now(), NULL};
	const struct readiness *r = alerts_now(c->alerts, &in, &own);
	size_t *classes = promexport_count_devices(c), *firing = promexport_count_firing(c);
	if (r) {
		struct mibsnap_input mi = {c->cfg->district, c->inv, r,
					   r == &own ? NULL : alerts_today(c->alerts),
					   r == &own ? NULL : alerts_month(c->alerts),
					   classes, firing, &c->probestat, reason, c};
		if (mibsnap_build(&ax->snap, &mi) < 0)
			log_warnx("agentx", "HBMON-MIB snapshot cut short at %zu objects (out of "
				  "memory or a cap)", ax->snap.n);
		ax->built = 1;
		ax->built_ticks = ticks;
		ax->built_gen = c->inv_gen;
		ax->st.builds++;
	}
	if (r == &own)
		readiness_free(&own);
	free(classes);
	free(firing);
}

static void set_value(netsnmp_variable_list *vb, const struct mibsnap *s,
		      const struct mibsnap_entry *e)
{
	if (e->type == MS_STRING) {
		snmp_set_var_typed_value(vb, ASN_OCTET_STR, mibsnap_string(s, e), e->value);
	} else if (e->type == MS_INTEGER) {
		long v = (long)e->value;
		snmp_set_var_typed_value(vb, ASN_INTEGER, &v, sizeof(v));
	} else {
		u_long v = e->value;
		snmp_set_var_typed_value(vb, ASN_GAUGE, &v, sizeof(v));
	}
}

/* One varbind of a GET or GETNEXT. Its OID comes from the network: any length, any
 * sub-identifier; only its part below our root is looked at, at most MIBSNAP_MAX_SUB + 1
 * sub-identifiers (a longer one sorts after every instance of that prefix all the same). */
static void answer(struct agentx *ax, int mode, netsnmp_agent_request_info *ri,
		   netsnmp_request_info *req)
{
	netsnmp_variable_list *vb = req->requestvb;
	uint64_t key[MIBSNAP_MAX_SUB + 1];
	size_t n = 0;
	int below = netsnmp_oid_is_subtree(root, OID_LENGTH(root), vb->name, vb->name_length) == 0;
	if (below)
		for (size_t i = OID_LENGTH(root); i < vb->name_length && n < MIBSNAP_MAX_SUB + 1; i++)
			key[n++] = vb->name[i];
	if (mode == MODE_GET) {
		const struct mibsnap_entry *e = below ? mibsnap_get(&ax->snap, key, n) : NULL;
		if (e && n == e->nsub && vb->name_length == OID_LENGTH(root) + n)
			set_value(vb, &ax->snap, e);
		else
			netsnmp_set_request_error(ri, req, SNMP_NOSUCHINSTANCE);
		return;
	}
	/* GETNEXT (the agent turns GETBULK into these): before our root, the first of all */
	if (!below && snmp_oid_compare(vb->name, vb->name_length, root, OID_LENGTH(root)) > 0)
		return; /* after our subtree: left unanswered, the agent goes on past it */
	const struct mibsnap_entry *e = mibsnap_next(&ax->snap, key, n);
	if (!e)
		return;
	oid name[HBMON_MIB_ROOT_LEN + MIBSNAP_MAX_SUB];
	memcpy(name, root, sizeof(root));
	for (size_t i = 0; i < e->nsub; i++)
		name[OID_LENGTH(root) + i] = e->sub[i];
	snmp_set_var_objid(vb, name, OID_LENGTH(root) + e->nsub);
	set_value(vb, &ax->snap, e);
}

static int handle(netsnmp_mib_handler *handler, netsnmp_handler_registration *reg,
		  netsnmp_agent_request_info *ri, netsnmp_request_info *requests)
{
	struct agentx *ax = handler->myvoid;
	(void)reg;
	if (ri->mode != MODE_GET && ri->mode != MODE_GETNEXT) {
		/* read-only: a SET never reaches here (HANDLER_CAN_RONLY), anything else is refused */
		for (netsnmp_request_info *r = requests; r; r = r->next)
			netsnmp_set_request_error(ri, r, SNMP_ERR_NOTWRITABLE);
		return SNMP_ERR_NOERROR;
	}
	refresh(ax);
	for (netsnmp_request_info *r = requests; r; r = r->next) {
		if (r->processed)
			continue;
		answer(ax, ri->mode, ri, r);
		ax->st.requests++;
	}
	return SNMP_ERR_NOERROR;
}

/* net-snmp's messages go through hbmon's log; its debug chatter does not. */
static int on_log(int major, int minor, void *serverarg, void *clientarg)
{
	const struct snmp_log_message *m = serverarg;
	char line[512];
	(void)major, (void)minor, (void)clientarg;
	if (!m || !m->msg || m->priority > LOG_NOTICE)
		return 0;
	snprintf(line, sizeof(line), "%s", m->msg);
	line[strcspn(line, "\n")] = '\0';
	if (m->priority <= LOG_WARNING)
		log_warnx("agentx", "net-snmp: %s", line);
	else
		log_info("agentx", "net-snmp: %s", line);
	return 0;
}

/* One line when the master is reached, one when it is lost: the reconnection attempts in
 * between (each ping interval) are silent. */
static int on_master(int major, int minor, void *serverarg, void *clientarg)
{
	struct agentx *ax = the_agentx;
	(void)major, (void)serverarg, (void)clientarg;
	if (!ax)
		return 0;
	ax->st.connected = minor == SNMPD_CALLBACK_INDEX_START;
	if (ax->st.connected && ax->was_connected)
		ax->st.reconnects++;
	ax->was_connected |= ax->st.connected;
	if (ax->st.connected)
		log_info("agentx", "%s: connected to the master agent, HBMON-MIB registered",
			 ax->c->cfg->agentx_socket);
	else
		log_warnx("agentx", "%s: lost the master agent; trying again every %d s",
			  ax->c->cfg->agentx_socket, ax->c->cfg->agentx_ping);
	return 0;
}

static void on_commune(void *ctx, const struct collector *c, const struct commune_event *ev)
{
	struct agentx *ax = ctx;
	if (!ax->notify)
		return;
	ax->st.notifications++;
	if (snmpnotify_send(ax->notify, c->inv, ev) > 0)
		ax->st.notify_failed++;
}

/* Library settings before init: no configuration or state files of net-snmp's own read or
 * written (the collector's file says everything), no MIB files parsed (the subagent serves
 * numbers), timers run from our loop rather than SIGALRM. */
static void library_settings(const struct hbmon_config *cfg, int subagent)
{
	setenv("MIBS", "", 1);
	setenv("MIBDIRS", "", 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, on_log, NULL);
	if (!subagent)
		return;
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET,
			      cfg->agentx_socket);
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   cfg->agentx_ping);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_NO_CONNECTION_WARNINGS,
			       1);
}

static int register_hbmon_mib(struct agentx *ax, char *err, size_t errsz)
{
	netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
	    "hbmon", handle, root, OID_LENGTH(root), HANDLER_CAN_RONLY);
	if (!reg) {
		snprintf(err, errsz, "agentx: out of memory");
		return -1;
	}
	reg->handler->myvoid = ax;
	if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
		snprintf(err, errsz, "agentx: cannot register HBMON-MIB");
		return -1;
	}
	return 0;
}

struct agentx *agentx_start(struct collector *c, char *err, size_t errsz)
{
	err[0] = '\0';
	if (!c->cfg->snmp_agentx && !c->cfg->trap_receivers[0] && !c->cfg->informs[0])
		return NULL;
	struct agentx *ax = calloc(1, sizeof(*ax));
	if (!ax) {
		snprintf(err, errsz, "agentx: out of memory");
		return NULL;
	}
	ax->c = c;
	ax->subagent = c->cfg->snmp_agentx;
	the_agentx = ax;
	library_settings(c->cfg, ax->subagent);
	if (ax->subagent) {
		snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_START,
				       on_master, NULL);
		snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
				       on_master, NULL);
		if (init_agent("hbmon") != 0 || register_hbmon_mib(ax, err, errsz) < 0) {
			if (!err[0])
				snprintf(err, errsz, "agentx: cannot start net-snmp's agent library");
			the_agentx = NULL;
			free(ax);
			return NULL;
		}
	}
	init_snmp("hbmon"); /* a subagent connects here, or schedules its retries */
	if ((c->cfg->trap_receivers[0] || c->cfg->informs[0]) &&
	    !(ax->notify = snmpnotify_new(c->cfg, err, errsz))) {
		agentx_stop(ax);
		return NULL;
	}
	if (ax->subagent && !ax->st.connected)
		log_warnx("agentx", "%s: no master agent yet (snmpd with `master agentx`); trying "
			  "again every %d s", c->cfg->agentx_socket, c->cfg->agentx_ping);
	c->agentx = ax;
	c->on_commune = on_commune;
	c->on_commune_ctx = ax;
	return ax;
}

/* Whether the notifications of a and b are the same: receivers, community, the inform
 * credential (its secrets too) and the informs' timing. */
static int same_notifications(const struct hbmon_config *a, const struct hbmon_config *b)
{
	const struct snmp_cred *ca = a->informs[0] ? config_cred(a, a->inform_credential) : NULL;
	const struct snmp_cred *cb = b->informs[0] ? config_cred(b, b->inform_credential) : NULL;
	int same_cred = (!ca && !cb) ||
			(ca && cb && ca->version == cb->version && ca->level == cb->level &&
			 ca->auth_proto == cb->auth_proto && ca->priv_proto == cb->priv_proto &&
			 !strcmp(ca->community, cb->community) && !strcmp(ca->user, cb->user) &&
			 !strcmp(ca->auth_pass, cb->auth_pass) && !strcmp(ca->priv_pass, cb->priv_pass));
	return same_cred && !strcmp(a->trap_receivers, b->trap_receivers) &&
	       !strcmp(a->trap_community, b->trap_community) && !strcmp(a->informs, b->informs) &&
	       a->inform_timeout == b->inform_timeout && a->inform_retries == b->inform_retries;
}

void agentx_reload(struct collector *c, const struct hbmon_config *old)
{
	const struct hbmon_config *cfg = c->cfg;
	struct agentx *ax = c->agentx;
	char err[300];
	if (!ax) { /* nothing was configured at start: what is now starts as at a start */
		if (!agentx_start(c, err, sizeof(err)) && err[0])
			log_warnx("config", "%s: [snmp] not started", err);
		return;
	}
	if (cfg->snmp_agentx != old->snmp_agentx || cfg->agentx_ping != old->agentx_ping ||
	    strcmp(cfg->agentx_socket, old->agentx_socket) != 0)
		log_warnx("config", "[snmp] agentx, agentx_socket, agentx_ping: changed, taken at the "
			  "next restart (net-snmp's agent library is set up once a process)");
	if (same_notifications(cfg, old))
		return;
	struct snmpnotify *n = NULL;
	if ((cfg->trap_receivers[0] || cfg->informs[0]) &&
	    !(n = snmpnotify_new(cfg, err, sizeof(err)))) {
		log_warnx("config", "%s: the previous receivers are kept", err);
		return;
	}
	/* informs still waiting for an answer go with the old receivers: said, not kept */
	const struct snmpinform *si = snmpnotify_informs(ax->notify);
	for (int i = 0; si && i < snmpinform_count(si); i++) {
		struct snmpinform_stats st;
		snmpinform_get_stats(si, i, &st);
		uint64_t pending = st.sent - st.acked - st.failed; /* every inform ends one of these */
		if (pending)
			log_warnx("config", "%s: %llu informs unanswered dropped with the receiver",
				  snmpinform_peer(si, i), (unsigned long long)pending);
	}
	snmpnotify_free(ax->notify);
	ax->notify = n;
	log_info("config", "[snmp] notification receivers: %s%s%s", cfg->trap_receivers,
		 cfg->trap_receivers[0] && cfg->informs[0] ? ", informs to " : "", cfg->informs);
}

void agentx_stop(struct agentx *ax)
{
	if (!ax)
		return;
	if (ax->c->agentx == ax) {
		ax->c->agentx = NULL;
		ax->c->on_commune = NULL;
		ax->c->on_commune_ctx = NULL;
	}
	snmpnotify_free(ax->notify);
	snmp_shutdown("hbmon"); /* the subagent's own shutdown closes the master session */
	mibsnap_free(&ax->snap);
	the_agentx = NULL;
	free(ax);
}

void agentx_fdset(struct agentx *ax, int *maxfd, fd_set *r, struct timeval *tv)
{
	int nfds = *maxfd + 1, block = 0;
	if (!ax)
		return;
	snmp_select_info(&nfds, r, tv, &block);
	if (nfds - 1 > *maxfd)
		*maxfd = nfds - 1;
}

void agentx_dispatch(struct agentx *ax, fd_set *r)
{
	if (!ax)
		return;
	snmp_read(r);   /* only its own sessions' sockets are looked at: the master, informs */
	snmp_timeout(); /* requests past their time: the master's pings, informs to resend */
	run_alarms();   /* pings of the master, reconnection */
	netsnmp_check_outstanding_agent_requests();
	snmpnotify_run(ax->notify); /* informs waiting for an engine ID just learnt */
}

void agentx_get_stats(const struct agentx *ax, struct agentx_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (ax)
		*out = ax->st;
}

static void counter(struct strbuf *o, const char *name, const char *help, uint64_t x)
{
	strbuf_printf(o, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
		      (unsigned long long)x);
}

/* One family of the informs' counts, a line per receiver (its address as configured). */
static void inform_family(struct strbuf *o, const struct snmpinform *si, int f)
{
	static const char *const fam[][3] = {
	    {"hbmon_snmp_informs_sent_total", "counter", "Informs sent to the receiver"},
	    {"hbmon_snmp_informs_acknowledged_total", "counter", "Informs the receiver acknowledged"},
	    {"hbmon_snmp_informs_failed_total", "counter",
	     "Informs given up: no acknowledgement after the retries, refused, or dropped"},
	    {"hbmon_snmp_informs_pending", "gauge",
	     "Informs waiting for the receiver's engine ID or its acknowledgement"},
	    {"hbmon_snmp_inform_discoveries_total", "counter",
	     "SNMPv3 engine-ID discoveries the receiver answered"}};
	char peer[2 * 128];
	strbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", fam[f][0], fam[f][2], fam[f][0],
		      fam[f][1]);
	for (int i = 0; i < snmpinform_count(si); i++) {
		struct snmpinform_stats st;
		snmpinform_get_stats(si, i, &st);
		uint64_t x = f == 0 ? st.sent : f == 1 ? st.acked : f == 2 ? st.failed
			     : f == 3 ? st.sent - st.acked - st.failed : st.discoveries;
		promexport_escape(peer, sizeof(peer), snmpinform_peer(si, i));
		strbuf_printf(o, "%s{receiver=\"%s\"} %llu\n", fam[f][0], peer,
			      (unsigned long long)x);
	}
}

void agentx_metrics(const struct agentx *ax, struct strbuf *out)
{
	uint64_t sent, failed;
	if (!ax)
		return;
	if (ax->subagent) {
		strbuf_printf(out, "# HELP hbmon_agentx_connected 1 while the subagent is registered "
			      "with the master agent (snmpd)\n# TYPE hbmon_agentx_connected gauge\n"
			      "hbmon_agentx_connected %d\n", ax->st.connected);
		counter(out, "hbmon_agentx_reconnects_total",
			"Registrations with the master agent after the first", ax->st.reconnects);
		counter(out, "hbmon_agentx_requests_total", "HBMON-MIB variables answered",
			ax->st.requests);
		counter(out, "hbmon_agentx_snapshots_total", "HBMON-MIB snapshots built",
			ax->st.builds);
	}
	if (!ax->notify)
		return;
	counter(out, "hbmon_snmp_notifications_total",
		"Communes falling short or recovering, told to the SNMP receivers",
		ax->st.notifications);
	snmpnotify_traps(ax->notify, &sent, &failed);
	counter(out, "hbmon_snmp_traps_sent_total", "Traps handed to the network", sent);
	counter(out, "hbmon_snmp_traps_failed_total", "Traps the network refused", failed);
	const struct snmpinform *si = snmpnotify_informs(ax->notify);
	for (int f = 0; si && f < 5; f++)
		inform_family(out, si, f);
}
