/* The collector's context: everything its modules share, built once at start-up. */
#ifndef HBMON_COLLECTOR_H
#define HBMON_COLLECTOR_H

#include <time.h>

#include "config.h"
#include "i18n.h"
#include "ingest.h"
#include "inventory.h"
#include "rrdstore.h"
#include "state.h"

struct collector {
	struct hbmon_config *cfg;
	struct inventory *inv;
	struct state state;
	struct rrdstore *rrd;
	struct ingest ingest;
	struct i18n *i18n;
	time_t started;
	time_t (*now)(void);
};

#endif
