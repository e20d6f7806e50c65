#include "rrdstore.h"

#include <errno.h>
#include <sys/statvfs.h>
#include <rrd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "rrdcached.h"
#include "strbuf.h"

static const struct rrd_ds_def system_ds[] = {
	{"avail", "GAUGE", "0", "1"},
	{"uptime", "GAUGE", "0", "U"},
	{"rtt", "GAUGE", "0", "U"},
};
const struct rrd_group_def RRDG_SYSTEM = {"system", system_ds, 3, 0};

static const struct rrd_ds_def if_ds[] = {
	{"in_octets", "DERIVE", "0", "U"},  {"out_octets", "DERIVE", "0", "U"},
	{"in_errors", "DERIVE", "0", "U"},  {"out_errors", "DERIVE", "0", "U"},
	{"oper", "GAUGE", "1", "7"},        {"speed", "GAUGE", "0", "U"},
};
const struct rrd_group_def RRDG_IF = {"interface", if_ds, 6, 0};

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

#define LAST_UNKNOWN INT64_MIN /* read it from the file before the next write */
#define LOG_BURST 10               /* error lines per minute before they are only counted */
#define RRD_FILE_MODE 0640         /* its group (a backup, rrdcached) may read; others not */
#define RRDCACHED_LINE_MAX 4000    /* bytes of one UPDATE line (rrdcached reads 8 KiB at most) */

struct lastup {
	char *path;
	int64_t last;
	char *dsorder; /* dynamic groups: the file's data sources, "a:b:c"; NULL unknown */
};

struct rrdstore {
	char *base;
	int step;
	int heartbeat;
	struct lastup *map; /* open addressing, power-of-two size */
	size_t mapsz, mapn;
	struct rrdcached *cached;
	struct strbuf_lite { char *p; size_t len, cap; } cmd; /* batch being built */
	struct rrd_update **order;
	size_t ordercap;
	struct rrdstore_stats st;
	char lasterr[512];
	time_t log_window;
	unsigned logged, suppressed;
	uint64_t late_reported;
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
	for (size_t i = 0; rs->map && i < rs->mapsz; i++) {
		free(rs->map[i].path);
		free(rs->map[i].dsorder);
	}
	free(rs->map);
	free(rs->base);
	free(rs->cmd.p);
	free(rs->order);
	rrdcached_free(rs->cached);
	free(rs);
}

void rrdstore_set_heartbeat(struct rrdstore *rs, int seconds)
{
	if (seconds >= rs->step)
		rs->heartbeat = seconds;
}

int rrdstore_use_rrdcached(struct rrdstore *rs, const char *addr, char *err, size_t errsz)
{
	if (!rrdcached_path_ok(rs->base)) {
		snprintf(err, errsz, "%s: a data directory used with rrdcached cannot hold spaces",
			 rs->base);
		return -1;
	}
	struct rrdcached *c = rrdcached_new(addr, 30, err, errsz);
	if (!c)
		return -1;
	rrdcached_free(rs->cached);
	rs->cached = c;
	return 0;
}

const char *rrdstore_rrdcached(const struct rrdstore *rs)
{
	return rs->cached ? rrdcached_addr(rs->cached) : NULL;
}

const struct rrdstore_stats *rrdstore_stats(const struct rrdstore *rs) { return &rs->st; }
const char *rrdstore_base(const struct rrdstore *rs) { return rs->base; }
int rrdstore_step(const struct rrdstore *rs) { return rs->step; }

int rrdstore_path(const struct rrdstore *rs, char *dst, size_t dstsz, const char *commune,
		  const char *device, const char *group)
{
	int n = snprintf(dst, dstsz, "%s/%s/%s/%s.rrd", rs->base, commune, device, group);
	return (n < 0 || (size_t)n >= dstsz) ? -1 : 0;
}

/* Errors are logged up to LOG_BURST a minute, then counted and summed up once a minute. */
static void report(struct rrdstore *rs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct rrdstore *rs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rs->lasterr, sizeof(rs->lasterr), fmt, ap);
	va_end(ap);
	if (rs->logged++ < LOG_BURST)
		log_warnx("rrd", "%s", rs->lasterr);
	else
		rs->suppressed++;
}

static void log_window(struct rrdstore *rs)
{
	time_t now = time(NULL);
	if (now - rs->log_window < 60)
		return;
	if (rs->suppressed)
		log_warnx("rrd", "%u more storage errors in the last minute (last: %s)",
			  rs->suppressed, rs->lasterr);
	uint64_t late = rs->st.late;
	if (late != rs->late_reported)
		log_info("rrd", "%llu samples dropped as late (not newer than their file's last "
				"update) since the last report",
			 (unsigned long long)(late - rs->late_reported));
	rs->late_reported = late;
	rs->log_window = now;
	rs->logged = rs->suppressed = 0;
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

static void ds_spec(char *dst, size_t dstsz, const struct rrdstore *rs, const struct rrd_ds_def *d)
{
	snprintf(dst, dstsz, "DS:%s:%s:%d:%s:%s", d->name, d->type, rs->heartbeat, d->min, d->max);
}

/*
 * A failure of the disk, not of the data (full, read-only, out of inodes or memory): the batch
 * is answered 503 and its probe sends it again later, instead of losing it. librrd reports
 * errors as text and may leave errno changed by its own clean-up, so its message is matched
 * too, and the volume is looked at.
 */
#define STORAGE_MIN_FREE (16u << 20) /* below it a failed create is the disk's fault */

static int storage_failure(int err, const char *msg, const char *path)
{
	static const int codes[] = {ENOSPC, EDQUOT, EIO, EROFS, ENOMEM, EMFILE, ENFILE};
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (err == codes[i] || (msg && msg[0] && strstr(msg, strerror(codes[i]))))
			return 1;
	if (!path)
		return 0;
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	struct statvfs v;
	if (statvfs(slash ? dir : ".", &v) < 0)
		return 0;
	return (v.f_flag & ST_RDONLY) || (uint64_t)v.f_bavail * v.f_frsize < STORAGE_MIN_FREE ||
	       (v.f_files && v.f_favail < 16);
}

/* librrd's reason, or ours when it gave none (a failed create on a full disk says nothing). */
static const char *rrd_reason(int storage, int err)
{
	const char *m = rrd_get_error();
	if (m && m[0])
		return m;
	if (storage) /* librrd's errno is then often a stale one (ENOENT on a full disk) */
		return "the disk is full or failing (librrd gave no reason)";
	return err ? strerror(err) : "librrd gave no reason";
}

/* 0, -1 (this file cannot be made), or -2 (the disk failed: try again later). */
static int create_file(struct rrdstore *rs, const char *path, const struct rrd_group_def *def,
		       int64_t start)
{
	char tmp[4200], dsbuf[RRD_GROUP_MAX_DS][96];
	const char *argv[RRD_GROUP_MAX_DS + NRRA];
	int argc = 0;

	snprintf(tmp, sizeof(tmp), "%s", path);
	if (mkdirs(tmp) < 0) {
		int err = errno;
		report(rs, "%s: cannot create directory: %s", path, strerror(err));
		return storage_failure(err, NULL, NULL) ? -2 : -1;
	}
	for (size_t i = 0; i < def->nds && i < RRD_GROUP_MAX_DS; i++) {
		ds_spec(dsbuf[i], sizeof(dsbuf[i]), rs, &def->ds[i]);
		argv[argc++] = dsbuf[i];
	}
	for (size_t i = 0; i < NRRA; i++)
		argv[argc++] = rra_defs[i];
	/* created under a temporary name and renamed: a reader never sees half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	rrd_clear_error();
	errno = 0; /* librrd sets no message for some failures: then errno is the reason */
	if (rrd_create_r2(tmp, (unsigned long)rs->step, (time_t)start, 0, NULL, NULL, argc, argv) != 0) {
		int err = errno;
		int storage = storage_failure(err, rrd_get_error(), path);
		report(rs, "%s: rrd_create: %s", path, rrd_reason(storage, err));
		unlink(tmp);
		return storage ? -2 : -1;
	}
	/* librrd makes its files 0644 whatever the umask: ours are for the group at most */
	const char *failed = NULL;
	if (chmod(tmp, RRD_FILE_MODE) < 0)
		failed = "chmod";
	else if (rename(tmp, path) < 0)
		failed = "rename";
	if (failed) {
		int err = errno;
		report(rs, "%s: %s: %s", path, failed, strerror(err));
		unlink(tmp);
		return storage_failure(err, NULL, NULL) ? -2 : -1;
	}
	rs->st.created++;
	return 0;
}

/*
 * A file made by an older hbmon may lack data sources its group has gained since: they are
 * added in place (rrdtool tune DS:), so its history stays.
 */
static int tune_missing(struct rrdstore *rs, const char *path, const struct rrd_group_def *def,
			char **names, unsigned long nds)
{
	char specs[RRD_GROUP_MAX_DS][96];
	const char *argv[2 + RRD_GROUP_MAX_DS] = {"tune", path};
	int argc = 2;
	for (size_t i = 0; i < def->nds && i < RRD_GROUP_MAX_DS; i++) {
		unsigned long k = 0;
		while (k < nds && strcmp(names[k], def->ds[i].name) != 0)
			k++;
		if (k < nds)
			continue;
		ds_spec(specs[i], sizeof(specs[i]), rs, &def->ds[i]);
		argv[argc++] = specs[i];
	}
	if (argc == 2)
		return 0;
	rrd_clear_error();
	if (rrd_tune(argc, (char **)(void *)argv) != 0) {
		report(rs, "%s: cannot add data sources: %s", path, rrd_get_error());
		return -1;
	}
	chmod(path, RRD_FILE_MODE); /* the tuned file is a new one, made 0644 by librrd */
	log_info("rrd", "%s: %d data source%s added, history kept", path, argc - 2,
		 argc == 3 ? "" : "s");
	rs->st.tuned++;
	return 0;
}

/* "a:b:c": the file's data-source names, then the ones tune_missing appends. NULL: no memory. */
static char *ds_order(char **names, unsigned long nds, const struct rrd_group_def *def)
{
	struct strbuf sb;
	if (strbuf_init(&sb, 0) < 0)
		return NULL;
	for (unsigned long i = 0; i < nds; i++) {
		if (sb.len)
			strbuf_puts(&sb, ":");
		strbuf_puts(&sb, names[i]);
	}
	for (size_t i = 0; i < def->nds; i++) {
		unsigned long k = 0;
		while (k < nds && strcmp(names[k], def->ds[i].name) != 0)
			k++;
		if (k < nds)
			continue;
		if (sb.len)
			strbuf_puts(&sb, ":");
		strbuf_puts(&sb, def->ds[i].name);
	}
	char *o = sb.overflow ? NULL : strbuf_take(&sb, NULL);
	strbuf_free(&sb);
	return o ? o : strdup("");
}

/* Whether every data source of def is in the order "a:b:c". */
static int order_has_all(const char *order, const struct rrd_group_def *def)
{
	for (size_t i = 0; i < def->nds; i++) {
		size_t n = strlen(def->ds[i].name);
		const char *p = order;
		int found = 0;
		while (p && *p && !found) {
			const char *end = strchr(p, ':');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			found = len == n && strncmp(p, def->ds[i].name, n) == 0;
			p = end ? end + 1 : NULL;
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* The last update of an existing file (flushed from rrdcached first), or -1. */
static int read_last(struct rrdstore *rs, struct lastup *e, const struct rrd_group_def *def,
		     int64_t *last)
{
	const char *path = e->path;
	char err[512];
	if (rs->cached && rrdcached_flush(rs->cached, path, err, sizeof(err)) < 0) {
		report(rs, "%s", err);
		return -2;
	}
	time_t t = 0;
	unsigned long nds = 0;
	char **names = NULL, **vals = NULL;
	rrd_clear_error();
	if (rrd_lastupdate_r(path, &t, &nds, &names, &vals) != 0) {
		report(rs, "%s: %s", path, rrd_get_error());
		return -1;
	}
	int rc = nds < def->nds || def->dynamic ? tune_missing(rs, path, def, names, nds) : 0;
	if (def->dynamic && rc == 0) {
		free(e->dsorder);
		e->dsorder = ds_order(names, nds, def);
	}
	for (unsigned long i = 0; i < nds; i++) {
		free(names[i]);
		free(vals[i]);
	}
	free(names);
	free(vals);
	*last = (int64_t)t;
	return rc;
}

/*
 * The entry of a file with its last update known: from memory, else from the file, else the
 * file is created (start: just before the first sample). Returns -1 on error, -2 when
 * rrdcached is unreachable.
 */
static int lookup(struct rrdstore *rs, const char *path, const struct rrd_group_def *def,
		  int64_t first_ts, struct lastup **out)
{
	struct lastup *e = slot(rs, path);
	if (!e->path) {
		if ((rs->mapn + 1) * 2 > rs->mapsz) {
			if (grow_map(rs) < 0)
				return -1;
			e = slot(rs, path);
		}
		e->path = strdup(path);
		if (!e->path)
			return -1;
		e->last = LAST_UNKNOWN;
		e->dsorder = NULL;
		rs->mapn++;
	}
	/* a profile group that gained a metric: the file gains the data source first */
	if (def->dynamic && e->last != LAST_UNKNOWN && !order_has_all(e->dsorder, def))
		e->last = LAST_UNKNOWN;
	if (e->last == LAST_UNKNOWN) {
		struct stat sb;
		int rc;
		if (stat(path, &sb) == 0) {
			rc = read_last(rs, e, def, &e->last);
			if (rc < 0)
				return rc;
		} else if ((rc = create_file(rs, path, def, first_ts - 1)) < 0) {
			return rc;
		} else {
			e->last = first_ts - 1;
			if (def->dynamic) {
				free(e->dsorder);
				e->dsorder = ds_order(NULL, 0, def);
			}
		}
	}
	*out = e;
	return 0;
}

static int cmp_update(const void *a, const void *b)
{
	const struct rrd_update *x = *(const struct rrd_update *const *)a;
	const struct rrd_update *y = *(const struct rrd_update *const *)b;
	int c = strcmp(x->path, y->path);
	if (c)
		return c;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

static int cmd_append(struct rrdstore *rs, const char *s, size_t n)
{
	if (rs->cmd.len + n + 1 > rs->cmd.cap) {
		size_t cap = rs->cmd.cap ? rs->cmd.cap : 65536;
		while (cap < rs->cmd.len + n + 1)
			cap *= 2;
		char *p = realloc(rs->cmd.p, cap);
		if (!p)
			return -1;
		rs->cmd.p = p;
		rs->cmd.cap = cap;
	}
	memcpy(rs->cmd.p + rs->cmd.len, s, n);
	rs->cmd.len += n;
	rs->cmd.p[rs->cmd.len] = '\0';
	return 0;
}

/* The value of data source name in an update of a dynamic group ("U" when it has none). */
static void value_of(const struct rrd_update *u, const char *name, size_t nlen, const char **v,
		     size_t *vlen)
{
	const char *p = u->vals;
	for (size_t i = 0; i < u->def->nds && p; i++) {
		const char *end = strchr(p, ':');
		if (strlen(u->def->ds[i].name) == nlen && strncmp(u->def->ds[i].name, name, nlen) == 0) {
			*v = p;
			*vlen = end ? (size_t)(end - p) : strlen(p);
			return;
		}
		p = end ? end + 1 : NULL;
	}
	*v = "U";
	*vlen = 1;
}

/* Formats "ts:vals" in the file's data-source order; -1 if it would not fit. */
static int fmt_value(char *dst, size_t dstsz, const struct rrd_update *u, const struct lastup *e)
{
	int n = snprintf(dst, dstsz, "%lld", (long long)u->ts);
	if (n < 0 || (size_t)n >= dstsz)
		return -1;
	size_t off = (size_t)n;
	if (!u->def->dynamic || !e->dsorder) {
		n = snprintf(dst + off, dstsz - off, ":%s", u->vals);
		return (n < 0 || (size_t)n >= dstsz - off) ? -1 : (int)off + n;
	}
	for (const char *p = e->dsorder; p && *p;) {
		const char *end = strchr(p, ':'), *v;
		size_t len = end ? (size_t)(end - p) : strlen(p), vlen;
		value_of(u, p, len, &v, &vlen);
		if (off + vlen + 2 > dstsz)
			return -1;
		dst[off++] = ':';
		memcpy(dst + off, v, vlen);
		off += vlen;
		p = end ? end + 1 : NULL;
	}
	dst[off] = '\0';
	return (int)off;
}

/* Direct path: the in-order updates of one file in one rrd_updatex_r call. */
static void write_direct(struct rrdstore *rs, struct lastup *e, struct rrd_update **g, size_t n)
{
	enum { CHUNK = 64 };
	char vbuf[CHUNK][512];
	const char *argv[CHUNK];
	size_t i = 0;
	while (i < n) {
		size_t k = 0, first = i;
		for (; i < n && k < CHUNK; i++) {
			if (fmt_value(vbuf[k], sizeof(vbuf[k]), g[i], e) < 0) {
				report(rs, "%s: update line too long", e->path);
				g[i]->result = -1;
				rs->st.errors++;
				continue;
			}
			argv[k] = vbuf[k];
			k++;
		}
		if (!k)
			continue;
		rrd_clear_error();
		errno = 0;
		if (rrd_updatex_r(e->path, NULL, 0, (int)k, argv) != 0) {
			int err = errno;
			int storage = storage_failure(err, rrd_get_error(), e->path);
			int failed = storage ? -2 : -1;
			report(rs, "%s: rrd_update: %s", e->path, rrd_reason(storage, err));
			/* this chunk and the ones after it are not written; some values of this
			 * chunk may have gone in: read the file again next time */
			e->last = LAST_UNKNOWN;
			for (size_t j = first; j < n; j++) {
				if (g[j]->result == 1)
					rs->st.errors++;
				g[j]->result = failed;
			}
			return;
		}
		e->last = g[i - 1]->ts;
		rs->st.updates += k;
	}
}

/* A file's updates in the batch for rrdcached. By path, not by its entry of rs->map: a later
 * file of the same round may grow the map, which moves every entry. */
struct pending_file {
	const char *path; /* the entry's own copy: kept when the map moves */
	struct rrd_update **g;
	size_t n;
};

/* The file's last update must be read again before it is written next. */
static void forget_last(struct rrdstore *rs, const char *path)
{
	struct lastup *e = slot(rs, path);
	if (e->path)
		e->last = LAST_UNKNOWN;
}

struct batch_ctx {
	struct rrdstore *rs;
	struct pending_file *files;
	size_t nfiles;
};

static void on_batch_error(void *ctx, size_t cmdno, const char *msg)
{
	struct batch_ctx *b = ctx;
	struct rrdstore *rs = b->rs;
	/* commands are numbered from 1, one per file; anything else is not ours */
	if (cmdno < 1 || cmdno > b->nfiles)
		return;
	struct pending_file *f = &b->files[cmdno - 1];
	report(rs, "%s: rrdcached: %s", f->path, msg);
	rs->st.errors += f->n;
	rs->st.updates -= f->n;
	forget_last(rs, f->path);
	for (size_t j = 0; j < f->n; j++)
		f->g[j]->result = -1;
}

int rrdstore_write(struct rrdstore *rs, struct rrd_update *u, size_t n)
{
	char vbuf[512], err[512];
	int down = 0;
	if (n > rs->ordercap) {
		struct rrd_update **o = realloc(rs->order, n * sizeof(*o));
		if (!o) {
			for (size_t i = 0; i < n; i++)
				u[i].result = -2;
			return -1;
		}
		rs->order = o;
		rs->ordercap = n;
	}
	for (size_t i = 0; i < n; i++) {
		rs->order[i] = &u[i];
		u[i].result = 1;
	}
	if (n > 1)
		qsort(rs->order, n, sizeof(*rs->order), cmp_update);

	struct pending_file *files = NULL;
	size_t nfiles = 0;
	if (rs->cached) {
		files = calloc(n ? n : 1, sizeof(*files));
		if (!files) {
			for (size_t i = 0; i < n; i++)
				u[i].result = -2;
			return -1;
		}
		rs->cmd.len = 0;
	}
	for (size_t i = 0; i < n;) {
		struct rrd_update **g = &rs->order[i];
		size_t gn = 1;
		while (i + gn < n && strcmp(g[gn]->path, g[0]->path) == 0)
			gn++;
		i += gn;
		struct lastup *e = NULL;
		int rc = down ? -2 : lookup(rs, g[0]->path, g[0]->def, g[0]->ts, &e);
		if (rc < 0) {
			if (rc == -2)
				down = 1;
			else
				rs->st.errors += gn;
			for (size_t j = 0; j < gn; j++)
				g[j]->result = rc == -2 ? -2 : -1;
			continue;
		}
		/* keep the updates newer than the file, one per second */
		size_t keep = 0;
		int64_t last = e->last;
		for (size_t j = 0; j < gn; j++) {
			if (g[j]->ts <= last) {
				g[j]->result = 0;
				rs->st.late++;
				continue;
			}
			last = g[j]->ts;
			g[keep++] = g[j];
		}
		if (!keep)
			continue;
		if (!rs->cached) {
			write_direct(rs, e, g, keep);
			continue;
		}
		/* rrdcached reads commands into an 8 KiB buffer and drops a client whose line does
		 * not fit: a long backlog for one file goes in several UPDATE lines */
		for (size_t j = 0; j < keep;) {
			size_t first = j, linelen = 0;
			if (cmd_append(rs, "UPDATE ", 7) < 0 ||
			    cmd_append(rs, e->path, strlen(e->path)) < 0)
				goto oom;
			linelen = 7 + strlen(e->path);
			while (j < keep && (j == first || linelen < RRDCACHED_LINE_MAX)) {
				int len = fmt_value(vbuf + 1, sizeof(vbuf) - 1, g[j], e);
				vbuf[0] = ' ';
				if (len < 0 || cmd_append(rs, vbuf, (size_t)len + 1) < 0)
					goto oom;
				linelen += (size_t)len + 1;
				j++;
			}
			if (cmd_append(rs, "\n", 1) < 0)
				goto oom;
			files[nfiles++] = (struct pending_file){e->path, g + first, j - first};
			rs->st.updates += j - first;
		}
		e->last = last;
	}
	if (rs->cached && nfiles) {
		struct batch_ctx bc = {rs, files, nfiles};
		rs->st.batches++;
		if (rrdcached_batch(rs->cached, rs->cmd.p, rs->cmd.len, nfiles, on_batch_error, &bc,
				    err, sizeof(err)) < 0) {
			report(rs, "%s", err);
			down = 1;
			for (size_t f = 0; f < nfiles; f++) {
				forget_last(rs, files[f].path);
				rs->st.updates -= files[f].n;
				for (size_t j = 0; j < files[f].n; j++)
					files[f].g[j]->result = -2;
			}
		}
	}
	free(files);
	log_window(rs);
	return down ? -1 : 0;
oom:
	report(rs, "out of memory building an rrdcached batch");
	for (size_t f = 0; f < nfiles; f++) {
		forget_last(rs, files[f].path);
		rs->st.updates -= files[f].n;
	}
	for (size_t j = 0; j < n; j++)
		if (u[j].result == 1)
			u[j].result = -2;
	free(files);
	return -1;
}

int rrdstore_update(struct rrdstore *rs, const char *path, const struct rrd_group_def *def,
		    time_t ts, const char *const *vals, char *err, size_t errsz)
{
	char line[512];
	size_t off = 0;
	for (size_t i = 0; i < def->nds; i++) {
		int n = snprintf(line + off, sizeof(line) - off, "%s%s", i ? ":" : "", vals[i]);
		if (n < 0 || (size_t)n >= sizeof(line) - off) {
			snprintf(err, errsz, "%s: update line too long", path);
			rs->st.errors++;
			return -1;
		}
		off += (size_t)n;
	}
	struct rrd_update u = {path, line, def, (int64_t)ts, 0};
	rs->lasterr[0] = '\0';
	rrdstore_write(rs, &u, 1);
	if (u.result < 0)
		snprintf(err, errsz, "%s", rs->lasterr[0] ? rs->lasterr : "storage unavailable");
	return u.result < 0 ? -1 : u.result;
}
