#include "snmpnotify.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "log.h"
#include "mibsnap.h"
#include "readiness.h"
#include "snmpinform.h"
#include "strbuf.h"

struct snmpnotify {
	void *sess[SNMPNOTIFY_MAX_RECEIVERS]; /* snmp_sess_open's: not in the global list,
					       * a trap is never answered */
	char peer[SNMPNOTIFY_MAX_RECEIVERS][128];
	int n;
	struct snmpinform *informs; /* NULL: none configured */
	uint64_t traps_sent, traps_failed;
	struct timespec started; /* sysUpTime.0 counts from here */
};

static int open_one(struct snmpnotify *n, const char *peer, const char *community, char *err,
		    size_t errsz)
{
	netsnmp_session s;
	snmp_sess_init(&s);
	s.version = SNMP_VERSION_2c;
	s.peername = (char *)peer;
	s.community = (u_char *)community;
	s.community_len = strlen(community);
	void *h = snmp_sess_open(&s);
	if (!h) {
		snprintf(err, errsz, "[snmp] trap_receivers: %s: cannot open (%s)", peer,
			 snmp_api_errstring(snmp_errno));
		return -1;
	}
	snprintf(n->peer[n->n], sizeof(n->peer[n->n]), "%s", peer);
	n->sess[n->n++] = h;
	return 0;
}

struct snmpnotify *snmpnotify_new(const struct hbmon_config *cfg, char *err, size_t errsz)
{
	const char *rest = cfg->trap_receivers, *item;
	size_t len;
	err[0] = '\0';
	if (!cfg->trap_receivers[0] && !cfg->informs[0])
		return NULL;
	struct snmpnotify *n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, errsz, "snmp notifications: out of memory");
		return NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &n->started);
	if (cfg->informs[0] && !(n->informs = snmpinform_new(cfg, err, errsz))) {
		snmpnotify_free(n);
		return NULL;
	}
	while ((item = list_next(&rest, &len))) {
		char peer[128];
		if (len >= sizeof(peer) || n->n == SNMPNOTIFY_MAX_RECEIVERS) {
			snprintf(err, errsz, "[snmp] trap_receivers: at most %d receivers of %zu "
				 "characters each", SNMPNOTIFY_MAX_RECEIVERS, sizeof(peer) - 1);
			break;
		}
		memcpy(peer, item, len);
		peer[len] = '\0';
		if (open_one(n, peer, cfg->trap_community, err, errsz) < 0)
			break;
	}
	if (err[0]) {
		snmpnotify_free(n);
		return NULL;
	}
	return n;
}

void snmpnotify_free(struct snmpnotify *n)
{
	if (!n)
		return;
	for (int i = 0; i < n->n; i++)
		snmp_sess_close(n->sess[i]);
	snmpinform_free(n->informs);
	free(n);
}

/* A column of hbmonCommuneEntry for commune k, or a notification object (.0). */
static size_t commune_oid(oid *o, uint32_t col, size_t k)
{
	static const oid root[] = {HBMON_MIB_ROOT};
	memcpy(o, root, sizeof(root));
	size_t n = HBMON_MIB_ROOT_LEN;
	o[n++] = 1;
	o[n++] = MIB_COMMUNES;
	o[n++] = 1;
	o[n++] = col;
	o[n++] = mibsnap_commune_index(k);
	return n;
}

static size_t notify_oid(oid *o, uint32_t what, uint32_t which)
{
	static const oid root[] = {HBMON_MIB_ROOT};
	memcpy(o, root, sizeof(root));
	size_t n = HBMON_MIB_ROOT_LEN;
	if (what == 0) { /* hbmonNotifications.which */
		o[n++] = 0;
		o[n++] = which;
		return n;
	}
	o[n++] = 1;
	o[n++] = MIB_NOTIFY_OBJECTS;
	o[n++] = which;
	o[n++] = 0;
	return n;
}

static void add_text(netsnmp_pdu *pdu, const oid *o, size_t n, const char *s, size_t max)
{
	size_t len = strlen(s);
	if (len > max) { /* at a character boundary */
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	snmp_pdu_add_variable(pdu, o, n, ASN_OCTET_STR, s, len);
}

/* sysUpTime.0, snmpTrapOID.0, then the notification's OBJECTS (RFC 3416 section 4.2.6). */
static netsnmp_pdu *make_trap(struct snmpnotify *n, const struct inventory *inv,
			      const struct commune_event *ev)
{
	static const oid uptime_oid[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};
	static const oid trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
	oid o[HBMON_MIB_ROOT_LEN + MIBSNAP_MAX_SUB], what[HBMON_MIB_ROOT_LEN + 2];
	struct timespec t;
	netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_TRAP2);
	if (!pdu)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &t);
	u_long ticks = (u_long)((t.tv_sec - n->started.tv_sec) * 100 +
				(t.tv_nsec - n->started.tv_nsec) / 10000000);
	snmp_pdu_add_variable(pdu, uptime_oid, OID_LENGTH(uptime_oid), ASN_TIMETICKS, &ticks,
			      sizeof(ticks));
	size_t wn = notify_oid(what, 0, ev->short_now ? MIB_TRAP_SHORT : MIB_TRAP_RECOVERED);
	snmp_pdu_add_variable(pdu, trap_oid, OID_LENGTH(trap_oid), ASN_OBJECT_ID, what,
			      wn * sizeof(oid));
	size_t len = commune_oid(o, MIB_COMMUNE_NAME, ev->commune);
	add_text(pdu, o, len, inv->communes[ev->commune].name, MIBSNAP_NAME_MAX);
	const struct commune_result *cr = ev->result;
	u_long v[3] = {(u_long)(cr->ntargets > 0 ? cr->ntargets : 0),
		       (u_long)(cr->nmet > 0 ? cr->nmet : 0),
		       (u_long)mibsnap_per_mille(readiness_score(cr->nmet, cr->ntargets) / 100)};
	static const uint32_t cols[3] = {MIB_COMMUNE_TARGETS, MIB_COMMUNE_TARGETS_MET,
					 MIB_COMMUNE_SCORE};
	for (int i = 0; i < 3; i++) {
		len = commune_oid(o, cols[i], ev->commune);
		snmp_pdu_add_variable(pdu, o, len, ASN_GAUGE, &v[i], sizeof(v[i]));
	}
	for (int l = 0; l < LANG_COUNT; l++) { /* hbmonNotifyReasonVi (1), En (2) */
		len = notify_oid(o, 1, l == LANG_VI ? 1 : 2);
		add_text(pdu, o, len, ev->reason[l] ? ev->reason[l] : "", MIBSNAP_TEXT_MAX);
	}
	return pdu;
}

int snmpnotify_send(struct snmpnotify *n, const struct inventory *inv,
		    const struct commune_event *ev)
{
	int failed = 0;
	if (!n || ev->commune >= inv->ncommunes)
		return 0;
	netsnmp_pdu *pdu = make_trap(n, inv, ev);
	for (int i = 0; pdu && i < n->n; i++) {
		netsnmp_pdu *copy = snmp_clone_pdu(pdu);
		n->traps_sent++;
		if (!copy || !snmp_sess_send(n->sess[i], copy)) {
			snmp_free_pdu(copy); /* not sent: still ours */
			log_warnx("snmp", "%s: trap not sent (%s)", n->peer[i],
				  snmp_api_errstring(snmp_errno));
			n->traps_failed++;
			failed++;
		}
	}
	if (pdu)
		failed += snmpinform_send(n->informs, pdu);
	else
		failed = n->n + snmpinform_count(n->informs);
	snmp_free_pdu(pdu);
	return failed;
}

void snmpnotify_run(struct snmpnotify *n)
{
	if (n)
		snmpinform_run(n->informs);
}

void snmpnotify_traps(const struct snmpnotify *n, uint64_t *sent, uint64_t *failed)
{
	*sent = n ? n->traps_sent : 0;
	*failed = n ? n->traps_failed : 0;
}

const struct snmpinform *snmpnotify_informs(const struct snmpnotify *n)
{
	return n ? n->informs : NULL;
}
