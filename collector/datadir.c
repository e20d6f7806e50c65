#include "datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classnote.h"
#include "collector.h"
#include "devclass.h"
#include "filecheck.h"
#include "identstore.h"
#include "lanhosts.h"

/* The folders, as errors name them when they cannot be made or written. */
static const struct file_role data_dir = {
	"the data directory", "point [general] data_dir at another folder", NULL, 0};
static const struct file_role rrd_dir = {
	"the RRD folder of the data directory", "point [general] data_dir at another folder", NULL,
	0};

/*
 * Two writers of one directory would interleave RRD updates out of time order and lose them:
 * the lock is held until the process exits (the descriptor is never closed).
 */
static int lock_dir(const char *dir, char *err, size_t errsz)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/hbmon.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errsz, "%s: cannot open the data directory's lock file: %s: make the "
			 "user %s runs as its owner (as a service: chown -R hbmon %s)", path,
			 strerror(errno), program_invocation_short_name, dir);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		snprintf(err, errsz, "%s: another hbmon-collector uses this data directory%s", dir,
			 errno == EWOULDBLOCK ? " (stop it first, or point [general] data_dir of this "
						"one at another folder)" : "");
		close(fd);
		return -1;
	}
	return 0;
}

int datadir_open_store(struct collector *c, char *err, size_t errsz)
{
	char dbpath[PATH_MAX + 16], why[1024];
	snprintf(dbpath, sizeof(dbpath), "%s/hbmon.db", c->cfg->data_dir);
	if (file_check_dir(c->cfg->data_dir, 0755, &data_dir, err, errsz) < 0)
		return -1;
	if (!(c->store = store_open(dbpath, err, errsz)))
		return -1;
	if (!(c->probes = probes_open(c->store, why, sizeof(why))) ||
	    !(c->users = users_open(c->store, why, sizeof(why))) ||
	    !(c->tokens = tokens_open(c->store, why, sizeof(why)))) {
		snprintf(err, errsz, "%s: %s", dbpath, why);
		return -1;
	}
	return 0;
}

/* What the probe recognised the device as before the restart (state.h dev_class_seen): the
 * device page says it, and the targets count the device in its class, before its next answer.
 * A class the collector does not know (a file edited by hand) is left out. */
static void restore_class(struct collector *c, size_t i, const struct dev_ident *id)
{
	struct dev_class_seen *k = &c->state.dev[i].auto_cls;
	int cls = devclass_parse(id->auto_cls);
	if (!c->inv->devices[i].cls_auto || cls < 0)
		return; /* the inventory gives the class now: it wins */
	c->inv->devices[i].cls = (enum dev_class)cls;
	snprintf(k->cls, sizeof(k->cls), "%s", id->auto_cls);
	k->confidence = id->confidence < 0 ? 0 : id->confidence > 100 ? 100 : id->confidence;
	snprintf(k->vendor, sizeof(k->vendor), "%s", id->vendor);
	snprintf(k->why, sizeof(k->why), "%s", id->why);
	if (devclass_parse(id->was) >= 0 && strcmp(id->was, id->auto_cls) != 0) {
		snprintf(k->was, sizeof(k->was), "%s", id->was);
		k->changed = id->changed;
	}
}

/* What a device said it is before the restart, shown until it answers again. */
static void restore_identity(void *ctx, const struct dev_ident *id)
{
	struct collector *c = ctx;
	long i = inventory_find(c->inv, id->commune, id->device);
	if (i < 0)
		return; /* no longer in the inventory: kept for the export only */
	struct dev_state *d = &c->state.dev[i];
	snprintf(d->model, sizeof(d->model), "%s", id->model);
	snprintf(d->serial, sizeof(d->serial), "%s", id->serial);
	snprintf(d->sys_name, sizeof(d->sys_name), "%s", id->sys_name);
	snprintf(d->sys_descr, sizeof(d->sys_descr), "%s", id->sys_descr);
	restore_class(c, (size_t)i, id);
}

int datadir_open(struct collector *c, char *err, size_t errsz)
{
	char rrddir[PATH_MAX + 8], why[300];
	const struct hbmon_config *cfg = c->cfg;
	snprintf(rrddir, sizeof(rrddir), "%s/rrd", cfg->data_dir);
	if (file_check_dir(cfg->data_dir, 0755, &data_dir, err, errsz) < 0 ||
	    lock_dir(cfg->data_dir, err, errsz) < 0 ||
	    file_check_dir(rrddir, 0755, &rrd_dir, err, errsz) < 0)
		return -1;
	if (state_init(&c->state, c->inv->ndevices) < 0 ||
	    !(c->rrd = rrdstore_new(rrddir, cfg->rrd_step)) || !(c->ingest.groups = groupdefs_new())) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	/* a device polled less often than every step must not read as unknown between polls */
	rrdstore_set_heartbeat(c->rrd, 3 * (cfg->interval > cfg->rrd_step ? cfg->interval
									 : cfg->rrd_step));
	if (cfg->rrdcached[0] && rrdstore_use_rrdcached(c->rrd, cfg->rrdcached, why, sizeof(why)) < 0) {
		snprintf(err, errsz, "%s: [collector] rrdcached: %s", cfg->path, why);
		return -1;
	}
	if (datadir_open_store(c, err, errsz) < 0)
		return -1;
	if (!(c->ingest.ident = identstore_open(c->store, why, sizeof(why)))) {
		snprintf(err, errsz, "%s/hbmon.db: %s", cfg->data_dir, why);
		return -1;
	}
	identstore_each(c->ingest.ident, restore_identity, c);
	if (!(c->lan = c->ingest.lan = lanhosts_open(c->store, c->inv, why, sizeof(why)))) {
		snprintf(err, errsz, "%s/hbmon.db: %s", cfg->data_dir, why);
		return -1;
	}
	c->ingest.inv = c->inv;
	c->ingest.state = &c->state;
	c->ingest.class_changed = classnote_changed;
	c->ingest.class_ctx = c;
	c->ingest.rrd = c->rrd;
	c->ingest.now = c->now;
	c->ingest.default_probe = cfg->default_probe;
	c->ingest.probes = &c->probestat;
	c->ingest.max_ahead = cfg->max_clock_ahead;
	c->ingest.max_files = cfg->max_files_per_device;
	c->ingest.new_files_per_minute = cfg->max_new_files_per_minute;
	c->state.max_rows = (size_t)cfg->max_rows_per_device;
	return 0;
}
