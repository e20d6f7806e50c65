#include "rrdstore.h"

#include <errno.h>
#include <rrd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static const struct rrd_ds_def system_ds[] = {
	{"avail", "GAUGE", "0", "1"},
	{"uptime", "GAUGE", "0", "U"},
	{"rtt", "GAUGE", "0", "U"},
};
const struct rrd_group_def RRDG_SYSTEM = {"system", system_ds, 3};

static const struct rrd_ds_def if_ds[] = {
	{"in_octets", "DERIVE", "0", "U"},  {"out_octets", "DERIVE", "0", "U"},
	{"in_errors", "DERIVE", "0", "U"},  {"out_errors", "DERIVE", "0", "U"},
	{"oper", "GAUGE", "1", "7"},        {"speed", "GAUGE", "0", "U"},
};
const struct rrd_group_def RRDG_IF = {"interface", if_ds, 6};

/*
 * Archives, in steps: every step for 2 days, 5 steps for 2 weeks, 60 for 3 months, 1440 for
 * 2 years (with the default 60 s step: 1 min, 5 min, 1 h, 1 day), AVERAGE, MIN and MAX.
 */
static const char *const rra_defs[] = {
	"RRA:AVERAGE:0.5:1:2880",   "RRA:AVERAGE:0.5:5:4032",  "RRA:MIN:0.5:5:4032",
	"RRA:MAX:0.5:5:4032",       "RRA:AVERAGE:0.5:60:2160", "RRA:MIN:0.5:60:2160",
	"RRA:MAX:0.5:60:2160",      "RRA:AVERAGE:0.5:1440:730", "RRA:MIN:0.5:1440:730",
	"RRA:MAX:0.5:1440:730",
};
#define NRRA (sizeof(rra_defs) / sizeof(rra_defs[0]))

struct lastup {
	char *path;
	time_t last;
};

struct rrdstore {
	char *base;
	int step;
	int heartbeat;
	struct lastup *map; /* open addressing, power-of-two size */
	size_t mapsz, mapn;
	struct rrdstore_stats st;
};

struct rrdstore *rrdstore_new(const char *base, int step)
{
	struct rrdstore *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->base = strdup(base);
	rs->step = step;
	rs->heartbeat = step * 3;
	rs->mapsz = 1024;
	rs->map = calloc(rs->mapsz, sizeof(*rs->map));
	if (!rs->base || !rs->map) {
		rrdstore_free(rs);
		return NULL;
	}
	return rs;
}

void rrdstore_free(struct rrdstore *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; rs->map && i < rs->mapsz; i++)
		free(rs->map[i].path);
	free(rs->map);
	free(rs->base);
	free(rs);
}

void rrdstore_set_heartbeat(struct rrdstore *rs, int seconds)
{
	if (seconds >= rs->step)
		rs->heartbeat = seconds;
}

const struct rrdstore_stats *rrdstore_stats(const struct rrdstore *rs) { return &rs->st; }
int rrdstore_step(const struct rrdstore *rs) { return rs->step; }

int rrdstore_path(const struct rrdstore *rs, char *dst, size_t dstsz, const char *commune,
		  const char *device, const char *group)
{
	int n = snprintf(dst, dstsz, "%s/%s/%s/%s.rrd", rs->base, commune, device, group);
	return (n < 0 || (size_t)n >= dstsz) ? -1 : 0;
}

static size_t hash(const char *s)
{
	size_t h = 5381;
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h;
}

static struct lastup *slot(struct rrdstore *rs, const char *path)
{
	size_t i = hash(path) & (rs->mapsz - 1);
	while (rs->map[i].path && strcmp(rs->map[i].path, path) != 0)
		i = (i + 1) & (rs->mapsz - 1);
	return &rs->map[i];
}

static int grow_map(struct rrdstore *rs)
{
	struct lastup *old = rs->map;
	size_t oldsz = rs->mapsz;
	struct lastup *n = calloc(oldsz * 2, sizeof(*n));
	if (!n)
		return -1;
	rs->map = n;
	rs->mapsz = oldsz * 2;
	for (size_t i = 0; i < oldsz; i++)
		if (old[i].path)
			*slot(rs, old[i].path) = old[i];
	free(old);
	return 0;
}

static int mkdirs(char *path)
{
	/* creates every directory above the file named by path */
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int rc = mkdir(path, 0755);
		*p = '/';
		if (rc < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static int create_file(struct rrdstore *rs, const char *path, const struct rrd_group_def *def,
		       time_t start, char *err, size_t errsz)
{
	char tmp[4200], dsbuf[8][96];
	const char *argv[8 + NRRA];
	int argc = 0;

	snprintf(tmp, sizeof(tmp), "%s", path);
	if (mkdirs(tmp) < 0) {
		snprintf(err, errsz, "%s: cannot create directory: %s", path, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < def->nds && i < 8; i++) {
		snprintf(dsbuf[i], sizeof(dsbuf[i]), "DS:%s:%s:%d:%s:%s", def->ds[i].name,
			 def->ds[i].type, rs->heartbeat, def->ds[i].min, def->ds[i].max);
		argv[argc++] = dsbuf[i];
	}
	for (size_t i = 0; i < NRRA; i++)
		argv[argc++] = rra_defs[i];
	/* created under a temporary name and renamed: a reader never sees half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	rrd_clear_error();
	if (rrd_create_r2(tmp, (unsigned long)rs->step, start - 1, 0, NULL, NULL, argc, argv) != 0) {
		snprintf(err, errsz, "%s: rrd_create: %s", path, rrd_get_error());
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errsz, "%s: rename: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	rs->st.created++;
	return 0;
}

/* The file's last update: from memory, else from the file, else create it. */
static struct lastup *lookup(struct rrdstore *rs, const char *path,
			     const struct rrd_group_def *def, time_t ts, char *err, size_t errsz)
{
	struct lastup *e = slot(rs, path);
	if (e->path)
		return e;
	time_t last = 0;
	struct stat sb;
	if (stat(path, &sb) == 0) {
		unsigned long nds;
		char **names, **vals;
		rrd_clear_error();
		if (rrd_lastupdate_r(path, &last, &nds, &names, &vals) != 0) {
			snprintf(err, errsz, "%s: %s", path, rrd_get_error());
			return NULL;
		}
		for (unsigned long i = 0; i < nds; i++) {
			free(names[i]);
			free(vals[i]);
		}
		free(names);
		free(vals);
	} else if (create_file(rs, path, def, ts, err, errsz) < 0) {
		return NULL;
	} else {
		last = ts - 1;
	}
	if ((rs->mapn + 1) * 2 > rs->mapsz) {
		if (grow_map(rs) < 0) {
			snprintf(err, errsz, "out of memory");
			return NULL;
		}
		e = slot(rs, path);
	}
	e->path = strdup(path);
	if (!e->path) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	e->last = last;
	rs->mapn++;
	return e;
}

int rrdstore_update(struct rrdstore *rs, const char *path, const struct rrd_group_def *def,
		    time_t ts, const char *const *vals, char *err, size_t errsz)
{
	char line[512];
	struct lastup *e = lookup(rs, path, def, ts, err, errsz);
	if (!e) {
		rs->st.errors++;
		return -1;
	}
	if (ts <= e->last) {
		rs->st.late++;
		return 0;
	}
	size_t off = (size_t)snprintf(line, sizeof(line), "%lld", (long long)ts);
	for (size_t i = 0; i < def->nds; i++) {
		int n = snprintf(line + off, sizeof(line) - off, ":%s", vals[i]);
		if (n < 0 || (size_t)n >= sizeof(line) - off) {
			snprintf(err, errsz, "%s: update line too long", path);
			rs->st.errors++;
			return -1;
		}
		off += (size_t)n;
	}
	const char *argv[1] = {line};
	rrd_clear_error();
	if (rrd_updatex_r(path, NULL, 0, 1, argv) != 0) {
		snprintf(err, errsz, "%s: rrd_update: %s", path, rrd_get_error());
		rs->st.errors++;
		return -1;
	}
	e->last = ts;
	rs->st.updates++;
	return 1;
}
