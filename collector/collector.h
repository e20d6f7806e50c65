/* The collector's context: everything its modules share, built once at start-up. */
#ifndef HBMON_COLLECTOR_H
#define HBMON_COLLECTOR_H

#include <time.h>

#include "config.h"
#include "connwatch.h"
#include "gcache.h"
#include "i18n.h"
#include "ingest.h"
#include "inventory.h"
#include "lograte.h"
#include "probes.h"
#include "tokens.h"
#include "users.h"
#include "rrdstore.h"
#include "state.h"
#include "mailpump.h"
#include "store.h"
#include "alerts.h"
#include "worker.h"

struct collector {
	struct hbmon_config *cfg;
	struct inventory *inv;
	unsigned inv_gen;       /* counts inventory reloads: what was derived from it is stale */
	struct state state;
	struct rrdstore *rrd;   /* the writer thread's once started; paths and step are fixed */
	struct worker *writer;  /* stores ingested batches */
	struct worker *render;  /* draws graphs, fetches series */
	struct gcache *gcache;
	struct worker *mailer;  /* sends alert mail */
	struct store *store;    /* events and the mail outbox (SQLite) */
	struct probes *probes;  /* who may write: in the store's file */
	struct users *users;    /* who may use the dashboard, and their roles: in the store's file */
	struct tokens *tokens;  /* read-only API tokens: in the store's file */
	struct lanhosts *lan;   /* hosts seen on the communes' LANs: in the store's file */
	struct probestat probestat; /* what each probe sent and has waiting */
	const struct connwatch_stats *conn_stats; /* the web server's, while it runs */
	struct alerts *alerts;
	struct mail_pump mail;  /* the outbox to the mail thread (survives reloads) */
	int stopping;           /* new requests are refused; the threads finish their work */
	int reload_wanted;      /* the inventory file changed from the dashboard: reload it */
	struct ingest ingest;
	struct lograte warnings; /* per-request warnings: a flood stays a few lines */
	struct i18n *i18n;
	time_t (*now)(void);    /* clock_now: the injectable clock */
	/* told when a commune falls short or recovers (alerts.h), from the judge tick; NULL:
	 * nobody listens. The SNMP notifications hang here. */
	void (*on_commune)(void *ctx, const struct collector *c, const struct commune_event *ev);
	void *on_commune_ctx;
	struct agentx *agentx; /* the SNMP subagent and notifications; NULL when off */
};

#endif
