#include "wire.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devclass.h"

/*
 * Encoding writes JSON straight into the buffer: a probe encodes every answer of the fleet, and
 * building json-c objects for it cost as much CPU as parsing the SNMP answers. Decoding (the
 * collector's side, untrusted input) stays with json-c.
 */
struct jw {
	struct strbuf *sb;
	int first; /* no member written yet in the object being written */
	int err;
};

static void jw_key(struct jw *w, const char *k)
{
	if (strbuf_puts(w->sb, w->first ? "\"" : ",\"") < 0 || strbuf_puts(w->sb, k) < 0 ||
	    strbuf_puts(w->sb, "\":") < 0)
		w->err = 1;
	w->first = 0;
}

static void jw_str(struct jw *w, const char *k, const char *v)
{
	if (!v[0])
		return;
	jw_key(w, k);
	if (strbuf_json(w->sb, v) < 0)
		w->err = 1;
}

static void jw_raw(struct jw *w, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void jw_raw(struct jw *w, const char *k, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	jw_key(w, k);
	if (n < 0 || (size_t)n >= sizeof(buf) || strbuf_append(w->sb, buf, (size_t)n) < 0)
		w->err = 1;
}

/* An unsigned integer member, without printf: the probe writes hundreds per device. */
static void jw_u64(struct jw *w, const char *k, uint64_t v)
{
	char tmp[24];
	size_t n = sizeof(tmp);
	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jw_key(w, k);
	if (strbuf_append(w->sb, tmp + n, sizeof(tmp) - n) < 0)
		w->err = 1;
}

static void jw_open(struct jw *w, const char *k, const char *bracket)
{
	if (k)
		jw_key(w, k);
	else if (!w->first && strbuf_puts(w->sb, ",") < 0)
		w->err = 1;
	if (strbuf_puts(w->sb, bracket) < 0)
		w->err = 1;
	w->first = 1;
}

static void jw_close(struct jw *w, const char *bracket)
{
	if (strbuf_puts(w->sb, bracket) < 0)
		w->err = 1;
	w->first = 0;
}

static void encode_if(struct jw *w, const struct if_sample *f)
{
	jw_open(w, NULL, "{");
	jw_u64(w, "index", f->index);
	jw_str(w, "descr", f->descr);
	jw_str(w, "name", f->name);
	jw_str(w, "alias", f->alias);
	if (f->has & IFF_TYPE)
		jw_raw(w, "type", "%d", f->type);
	if (f->has & IFF_SPEED)
		jw_u64(w, "speed", f->speed);
	if (f->has & IFF_ADMIN)
		jw_raw(w, "admin", "%d", f->admin);
	if (f->has & IFF_OPER)
		jw_u64(w, "oper", (uint64_t)f->oper);
	if (f->has & IFF_HC)
		jw_raw(w, "hc", "true");
	static const struct { unsigned bit; const char *key; size_t off; } ctr[] = {
		{IFF_IN_OCTETS, "in_octets", offsetof(struct if_sample, in_octets)},
		{IFF_OUT_OCTETS, "out_octets", offsetof(struct if_sample, out_octets)},
		{IFF_IN_ERRORS, "in_errors", offsetof(struct if_sample, in_errors)},
		{IFF_OUT_ERRORS, "out_errors", offsetof(struct if_sample, out_errors)},
		{IFF_IN_DISCARDS, "in_discards", offsetof(struct if_sample, in_discards)},
		{IFF_OUT_DISCARDS, "out_discards", offsetof(struct if_sample, out_discards)},
	};
	for (size_t i = 0; i < sizeof(ctr) / sizeof(ctr[0]); i++)
		if (f->has & ctr[i].bit)
			jw_u64(w, ctr[i].key,
			       *(const uint64_t *)(const void *)((const char *)f + ctr[i].off));
	jw_close(w, "}");
}

/* The row's labels: {"metric":"label",...}; "" is written (an enumeration's unnamed value). */
static void encode_labels(struct jw *w, const struct group_row *r)
{
	if (!r->nlabels)
		return;
	jw_open(w, "e", "{");
	for (size_t i = 0; i < r->nlabels; i++) {
		jw_key(w, r->labels[i].name);
		if (strbuf_json(w->sb, r->labels[i].label) < 0)
			w->err = 1;
	}
	jw_close(w, "}");
}

/* {"g":group,"i":index,"l":label,"v":{gauges},"c":{counters},"s":{texts},"e":{labels}}.
 * "e" came last, in version 1: a collector that does not know it ignores it. */
static void encode_row(struct jw *w, const struct group_row *r)
{
	jw_open(w, NULL, "{");
	jw_str(w, "g", r->group);
	jw_str(w, "i", wire_row_index(r));
	jw_str(w, "l", r->label);
	if (r->nostore)
		jw_raw(w, "rrd", "false");
	static const char *const part[] = {"v", "c", "s"};
	for (int kind = MV_GAUGE; kind <= MV_TEXT; kind++) {
		int open = 0;
		for (size_t i = 0; i < r->nvals; i++) {
			const struct metric_val *m = &r->vals[i];
			/* JSON has no infinity or NaN: such a value is left out */
			if ((int)m->kind != kind || (kind == MV_GAUGE && !isfinite(m->gauge)))
				continue;
			if (!open) {
				jw_open(w, part[kind], "{");
				open = 1;
			}
			if (kind == MV_GAUGE && m->gauge >= 0 && m->gauge < 1e15 &&
			    m->gauge == (double)(uint64_t)m->gauge)
				jw_u64(w, m->name, (uint64_t)m->gauge); /* most levels are integers */
			else if (kind == MV_GAUGE)
				jw_raw(w, m->name, "%.17g", m->gauge);
			else if (kind == MV_COUNTER)
				jw_u64(w, m->name, m->counter);
			else {
				jw_key(w, m->name);
				if (strbuf_json(w->sb, m->text) < 0)
					w->err = 1;
			}
		}
		if (open)
			jw_close(w, "}");
	}
	encode_labels(w, r);
	jw_close(w, "}");
}

/* The classification's evidence (wire.h), only for a device the probe classified: a sample
 * without class_auto is one whose class the inventory gives (or an older probe's). */
static void encode_class(struct jw *w, const struct dev_sample *s)
{
	if (!s->cls_auto[0])
		return;
	jw_str(w, "class_auto", s->cls_auto);
	jw_raw(w, "class_confidence", "%d", s->cls_confidence);
	jw_str(w, "class_why", s->cls_why);
	jw_str(w, "class_vendor", s->cls_vendor);
	if (s->cls_seen[0]) {
		jw_str(w, "class_seen", s->cls_seen);
		jw_raw(w, "class_seen_polls", "%d", s->cls_seen_polls);
	}
	jw_str(w, "class_was", s->cls_was);
}

int wire_encode_sample(struct strbuf *sb, const struct dev_sample *s)
{
	struct jw w = {sb, 1, 0};
	jw_open(&w, NULL, "{");
	w.first = 1;
	jw_key(&w, "commune");
	if (strbuf_json(sb, s->commune) < 0)
		w.err = 1;
	jw_key(&w, "device");
	if (strbuf_json(sb, s->device) < 0)
		w.err = 1;
	jw_raw(&w, "ts", "%lld", (long long)s->ts);
	jw_raw(&w, "up", "%s", s->up ? "true" : "false");
	jw_str(&w, "error", s->error);
	if (s->rtt_ms >= 0)
		jw_raw(&w, "rtt_ms", "%d", s->rtt_ms);
	if (s->up) {
		jw_open(&w, "sys", "{");
		jw_str(&w, "descr", s->sys_descr);
		jw_str(&w, "objectid", s->sys_objectid);
		jw_str(&w, "name", s->sys_name);
		if (s->model[0])
			jw_str(&w, "model", s->model);
		if (s->serial[0])
			jw_str(&w, "serial", s->serial);
		if (s->has_uptime)
			jw_raw(&w, "uptime", "%u", s->uptime_ticks);
		jw_close(&w, "}");
		jw_open(&w, "if", "[");
		for (size_t i = 0; i < s->nifs; i++)
			encode_if(&w, &s->ifs[i]);
		jw_close(&w, "]");
		jw_str(&w, "class", s->cls);
		encode_class(&w, s);
		if (s->nrows) {
			jw_open(&w, "groups", "[");
			for (size_t i = 0; i < s->nrows; i++)
				encode_row(&w, &s->rows[i]);
			jw_close(&w, "]");
		}
	}
	jw_close(&w, "}");
	return w.err ? -1 : 0;
}

int json_append_put(struct strbuf *sb, struct json_object *o)
{
	size_t len;
	const char *txt = json_object_to_json_string_length(
	    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	int rc = txt ? strbuf_append(sb, txt, len) : -1;
	json_object_put(o);
	return rc;
}

int wire_encode_batch(struct strbuf *out, const char *probe, uint64_t epoch, uint64_t seq,
		      const char *samples, size_t samples_len)
{
	return wire_encode_batch_lan(out, probe, epoch, seq, samples, samples_len, NULL, 0);
}

int wire_encode_batch_lan(struct strbuf *out, const char *probe, uint64_t epoch, uint64_t seq,
			  const char *samples, size_t samples_len, const char *lan, size_t lan_len)
{
	json_object *p = json_object_new_string(probe);
	const char *ptxt = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
	int rc = strbuf_printf(out, "{\"version\":%d,\"probe\":%s,", WIRE_VERSION, ptxt);
	if (rc == 0 && epoch)
		rc = strbuf_printf(out, "\"epoch\":\"%016llx\",", (unsigned long long)epoch);
	if (rc == 0)
		rc = strbuf_printf(out, "\"seq\":%llu,\"samples\":[", (unsigned long long)seq);
	json_object_put(p);
	if (rc == 0)
		rc = strbuf_append(out, samples, samples_len);
	if (rc == 0 && lan_len)
		rc = strbuf_puts(out, "],\"lan\":[");
	if (rc == 0 && lan_len)
		rc = strbuf_append(out, lan, lan_len);
	if (rc == 0)
		rc = strbuf_puts(out, "]}");
	return rc;
}

/* --- decoding: every field checked, every error names its path --- */

struct dec {
	char msg[WIRE_TEXT_MAX]; /* the last failure, its path first */
	char path[96];
	struct batch *b;
};

static int fail(struct dec *d, const char *field, const char *what)
{
	snprintf(d->msg, sizeof(d->msg), "%s%s%s: %s", d->path, d->path[0] && field[0] ? "." : "",
		 field, what);
	return -1;
}

/*
 * Drops the part named by the first wlen bytes of d->path, for the failure in d->msg: counted,
 * and described while there is room. s is the sample it was in (its names, if already read).
 */
static void refuse(struct dec *d, enum wire_refusal_kind kind, size_t wlen,
		   const struct dev_sample *s)
{
	struct batch *b = d->b;
	if (kind == WR_SAMPLE)
		b->refused_samples++;
	else
		b->refused_rows++;
	if (b->nrefused == WIRE_MAX_REFUSALS)
		return;
	/* out of memory here: the refusal is still counted, only not described */
	if (!b->refused && !(b->refused = calloc(WIRE_MAX_REFUSALS, sizeof(*b->refused))))
		return;
	struct wire_refusal *r = &b->refused[b->nrefused++];
	r->kind = kind;
	snprintf(r->where, sizeof(r->where), "%.*s", (int)wlen, d->path);
	memcpy(r->commune, s->commune, sizeof(r->commune));
	memcpy(r->device, s->device, sizeof(r->device));
	const char *why = d->msg;
	if (strncmp(why, d->path, wlen) == 0) {
		why += wlen; /* "<where>.<field>: <what>" or "<where>: <what>" */
		if (why[0] == '.')
			why++;
		else if (why[0] == ':' && why[1] == ' ')
			why += 2;
	}
	/* the reason may quote a JSON key, which is the sender's text: clean it for logs */
	utf8_sanitize(r->reason, sizeof(r->reason), why, strlen(why));
}

static int get_str(struct dec *d, json_object *o, const char *k, char *dst, size_t dstsz,
		   int required)
{
	json_object *v;
	dst[0] = '\0';
	if (!json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
		return required ? fail(d, k, "missing") : 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(d, k, "expected a string");
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	/* values come from devices: keep them, but as clean, bounded UTF-8 text */
	utf8_sanitize(dst, dstsz, s, n);
	if (required && !dst[0])
		return fail(d, k, "empty");
	return 0;
}

static int get_int(struct dec *d, json_object *o, const char *k, int64_t min, int64_t max,
		   int64_t *out, int required)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v))
		return required ? fail(d, k, "missing") : 1;
	if (!json_object_is_type(v, json_type_int))
		return fail(d, k, "expected an integer");
	errno = 0;
	int64_t x = json_object_get_int64(v);
	/* json-c keeps values above INT64_MAX as unsigned: they are out of range here */
	if (errno || x < min || x > max || (x == INT64_MAX && json_object_get_uint64(v) != INT64_MAX))
		return fail(d, k, "out of range");
	*out = x;
	return 0;
}

static int get_u64(struct dec *d, json_object *o, const char *k, uint64_t *out)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v))
		return 1;
	if (!json_object_is_type(v, json_type_int))
		return fail(d, k, "expected an unsigned integer");
	if (json_object_get_int64(v) < 0)
		return fail(d, k, "negative");
	/* XXX json-c 0.16 clamps numbers above 2^64-1 to 2^64-1 without an error, so such a
	 * value is taken as the largest counter; a client could send that value anyway. */
	*out = json_object_get_uint64(v);
	return 0;
}

static int decode_if(struct dec *d, json_object *o, struct if_sample *f)
{
	int64_t v;
	int rc;
	if (!json_object_is_type(o, json_type_object))
		return fail(d, "", "expected an object");
	if (get_int(d, o, "index", 1, 2147483647, &v, 1) < 0)
		return -1;
	f->index = (uint32_t)v;
	if (get_str(d, o, "descr", f->descr, sizeof(f->descr), 0) < 0 ||
	    get_str(d, o, "name", f->name, sizeof(f->name), 0) < 0 ||
	    get_str(d, o, "alias", f->alias, sizeof(f->alias), 0) < 0)
		return -1;
	static const struct { const char *k; unsigned bit; int64_t max; size_t off; } ints[] = {
		{"type", IFF_TYPE, 65535, offsetof(struct if_sample, type)},
		{"admin", IFF_ADMIN, 3, offsetof(struct if_sample, admin)},
		{"oper", IFF_OPER, 7, offsetof(struct if_sample, oper)},
	};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		if ((rc = get_int(d, o, ints[i].k, 0, ints[i].max, &v, 0)) < 0)
			return -1;
		if (rc == 0) {
			f->has |= ints[i].bit;
			*(int *)(void *)((char *)f + ints[i].off) = (int)v;
		}
	}
	static const struct { const char *k; unsigned bit; size_t off; } ctrs[] = {
		{"speed", IFF_SPEED, offsetof(struct if_sample, speed)},
		{"in_octets", IFF_IN_OCTETS, offsetof(struct if_sample, in_octets)},
		{"out_octets", IFF_OUT_OCTETS, offsetof(struct if_sample, out_octets)},
		{"in_errors", IFF_IN_ERRORS, offsetof(struct if_sample, in_errors)},
		{"out_errors", IFF_OUT_ERRORS, offsetof(struct if_sample, out_errors)},
		{"in_discards", IFF_IN_DISCARDS, offsetof(struct if_sample, in_discards)},
		{"out_discards", IFF_OUT_DISCARDS, offsetof(struct if_sample, out_discards)},
	};
	for (size_t i = 0; i < sizeof(ctrs) / sizeof(ctrs[0]); i++) {
		if ((rc = get_u64(d, o, ctrs[i].k, (uint64_t *)(void *)((char *)f + ctrs[i].off))) < 0)
			return -1;
		if (rc == 0)
			f->has |= ctrs[i].bit;
	}
	json_object *hc;
	if (json_object_object_get_ex(o, "hc", &hc) && json_object_get_boolean(hc))
		f->has |= IFF_HC;
	return 0;
}

static int decode_sys(struct dec *d, json_object *o, struct dev_sample *s)
{
	json_object *sys;
	int64_t v;
	if (!json_object_object_get_ex(o, "sys", &sys))
		return 0;
	if (!json_object_is_type(sys, json_type_object))
		return fail(d, "sys", "expected an object");
	size_t plen = strlen(d->path);
	snprintf(d->path + plen, sizeof(d->path) - plen, ".sys");
	if (get_str(d, sys, "descr", s->sys_descr, sizeof(s->sys_descr), 0) < 0 ||
	    get_str(d, sys, "objectid", s->sys_objectid, sizeof(s->sys_objectid), 0) < 0 ||
	    get_str(d, sys, "name", s->sys_name, sizeof(s->sys_name), 0) < 0 ||
	    get_str(d, sys, "model", s->model, sizeof(s->model), 0) < 0 ||
	    get_str(d, sys, "serial", s->serial, sizeof(s->serial), 0) < 0)
		return -1;
	int rc = get_int(d, sys, "uptime", 0, UINT32_MAX, &v, 0);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		s->has_uptime = 1;
		s->uptime_ticks = (uint32_t)v;
	}
	d->path[plen] = '\0';
	return 0;
}

int wire_valid_metric(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= WIRE_METRIC_MAX || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int wire_valid_index(const char *s)
{
	/* an OID suffix: digits and single dots, no leading or trailing dot */
	size_t subids = 1, n = 0;
	if (!s[0])
		return 1;
	if (s[0] == '.')
		return 0;
	for (const char *p = s; *p; p++, n++) {
		if (*p == '.' && (p[1] == '.' || !p[1]))
			return 0;
		if (*p == '.')
			subids++;
		else if (*p < '0' || *p > '9')
			return 0;
	}
	return n < WIRE_INDEX_MAX && subids <= WIRE_INDEX_SUBIDS;
}

static size_t ndigits(unsigned long v)
{
	size_t n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

int wire_index_format(char **dst, const unsigned long *sub, size_t n)
{
	*dst = NULL;
	if (n == 0)
		return 0;
	if (n > WIRE_INDEX_SUBIDS)
		return -1;
	size_t len = n - 1; /* the dots */
	for (size_t i = 0; i < n; i++)
		len += ndigits(sub[i]);
	/* only sub-identifiers above 32 bits (never valid SNMP) can make it too long */
	if (len >= WIRE_INDEX_MAX)
		return -1;
	char *s = malloc(len + 1);
	if (!s)
		return -1;
	/* written backwards, without printf: a probe formats every row of the fleet */
	size_t at = len;
	s[at] = '\0';
	for (size_t i = n; i-- > 0;) {
		unsigned long v = sub[i];
		do {
			s[--at] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		if (i)
			s[--at] = '.';
	}
	*dst = s;
	return 0;
}

/* The row index as sent, kept whole. Checked on the raw string, not sanitised: a sanitised
 * copy could make two indexes one. */
static int get_index(struct dec *d, json_object *o, char **dst)
{
	json_object *v;
	*dst = NULL;
	if (!json_object_object_get_ex(o, "i", &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return fail(d, "i", "expected a string");
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	if (n >= WIRE_INDEX_MAX || strlen(s) != n || !wire_valid_index(s))
		return fail(d, "i", "expected an OID suffix (digits and dots, at most 128 "
				    "sub-identifiers)");
	if (n && !(*dst = strdup(s)))
		return fail(d, "i", "out of memory");
	return 0;
}

/* How many values a row object carries (what its decoding will allocate). */
static size_t row_nvals(json_object *o)
{
	size_t nv = 0;
	static const char *const parts[] = {"v", "c", "s"};
	for (size_t p = 0; p < 3; p++) {
		json_object *part;
		if (json_object_object_get_ex(o, parts[p], &part) &&
		    json_object_is_type(part, json_type_object))
			nv += (size_t)json_object_object_length(part);
	}
	return nv;
}

static void group_row_free(struct group_row *r)
{
	free(r->index);
	free(r->vals);
	free(r->labels);
	memset(r, 0, sizeof(*r));
}

static int decode_vals(struct dec *d, json_object *r, const char *k, enum mv_kind kind,
		       struct group_row *row, size_t cap)
{
	json_object *o;
	if (!json_object_object_get_ex(r, k, &o))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return fail(d, k, "expected an object");
	json_object_object_foreach(o, name, v) {
		if (row->nvals >= cap)
			return fail(d, k, "too many values in one row");
		struct metric_val *m = &row->vals[row->nvals];
		if (!wire_valid_metric(name))
			return fail(d, k, "value names are [a-z][a-z0-9_]*, under 20 bytes");
		for (size_t i = 0; i < row->nvals; i++)
			if (strcmp(row->vals[i].name, name) == 0)
				return fail(d, k, "a value name appears twice in one row");
		snprintf(m->name, sizeof(m->name), "%s", name);
		m->kind = kind;
		if (kind == MV_GAUGE) {
			if (!json_object_is_type(v, json_type_int) &&
			    !json_object_is_type(v, json_type_double))
				return fail(d, name, "expected a number");
			m->gauge = json_object_get_double(v);
			if (m->gauge != m->gauge || m->gauge > 1e300 || m->gauge < -1e300)
				return fail(d, name, "not a finite number");
		} else if (kind == MV_COUNTER) {
			if (get_u64(d, o, name, &m->counter) < 0)
				return -1;
		} else if (get_str(d, o, name, m->text, sizeof(m->text), 0) < 0) {
			return -1;
		}
		row->nvals++;
	}
	return 0;
}

int wire_valid_label(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= WIRE_LABEL_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		int letter = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z');
		if (!letter && (i == 0 || !((s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_')))
			return 0;
	}
	return 1;
}

const char *wire_row_label(const struct group_row *r, const char *name)
{
	for (size_t i = 0; i < r->nlabels; i++)
		if (strcmp(r->labels[i].name, name) == 0)
			return r->labels[i].label;
	return NULL;
}

/* One label of "e": it names a gauge (an enumeration) or a text (an OID) of the row, once; its
 * text is checked raw, not sanitised (a label is a word of the catalogues' keys, never markup). */
static int decode_label(struct dec *d, const struct group_row *row, const char *name,
			json_object *v, struct metric_label *out)
{
	const struct metric_val *m = NULL;
	for (size_t i = 0; i < row->nvals && !m; i++)
		if (strcmp(row->vals[i].name, name) == 0)
			m = &row->vals[i];
	char field[WIRE_METRIC_MAX + 2];
	if (!wire_valid_metric(name) || !m || m->kind == MV_COUNTER)
		return fail(d, "e", "labels name a gauge or text value of their row");
	snprintf(field, sizeof(field), "e.%s", name);
	if (wire_row_label(row, name))
		return fail(d, field, "a value has two labels");
	if (!json_object_is_type(v, json_type_string))
		return fail(d, field, "expected a string");
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v);
	if (n >= WIRE_LABEL_MAX || strlen(s) != n || (n && !wire_valid_label(s)))
		return fail(d, field, "expected an enumeration label (a letter, then letters, "
				      "digits, - or _, under 64 bytes) or \"\"");
	snprintf(out->name, sizeof(out->name), "%s", name);
	memcpy(out->label, s, n + 1);
	return 0;
}

/* "e": the labels of the row's enumerated values, decoded after the values they name. */
static int decode_labels(struct dec *d, json_object *r, struct group_row *row)
{
	json_object *o;
	if (!json_object_object_get_ex(r, "e", &o))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return fail(d, "e", "expected an object");
	size_t n = (size_t)json_object_object_length(o);
	if (n > row->nvals) /* one label a value at most: the values bound the memory */
		return fail(d, "e", "more labels than values");
	if (!n)
		return 0;
	if (!(row->labels = calloc(n, sizeof(*row->labels))))
		return fail(d, "e", "out of memory");
	json_object_object_foreach(o, name, v) {
		if (decode_label(d, row, name, v, &row->labels[row->nlabels]) < 0)
			return -1;
		row->nlabels++;
	}
	return 0;
}

static int decode_row(struct dec *d, json_object *o, struct group_row *r)
{
	if (!json_object_is_type(o, json_type_object))
		return fail(d, "", "expected an object");
	if (get_str(d, o, "g", r->group, sizeof(r->group), 1) < 0 ||
	    get_index(d, o, &r->index) < 0 ||
	    get_str(d, o, "l", r->label, sizeof(r->label), 0) < 0)
		return -1;
	if (!wire_valid_metric(r->group))
		return fail(d, "g", "group names are [a-z][a-z0-9_]*, under 20 bytes");
	/* their files would be the built-in groups' (system.rrd, if-N.rrd) */
	if (strcmp(r->group, "system") == 0 || strcmp(r->group, "if") == 0)
		return fail(d, "g", "system and if are reserved group names");
	json_object *st;
	if (json_object_object_get_ex(o, "rrd", &st)) {
		if (!json_object_is_type(st, json_type_boolean))
			return fail(d, "rrd", "expected true or false");
		r->nostore = !json_object_get_boolean(st);
	}
	/* room for the values this row has, no more: a body of many tiny rows stays small */
	size_t nv = row_nvals(o);
	if (nv > WIRE_MAX_VALS)
		return fail(d, "", "too many values in one row");
	r->vals = calloc(nv ? nv : 1, sizeof(*r->vals));
	if (!r->vals)
		return fail(d, "", "out of memory");
	if (decode_vals(d, o, "v", MV_GAUGE, r, nv) < 0 ||
	    decode_vals(d, o, "c", MV_COUNTER, r, nv) < 0 ||
	    decode_vals(d, o, "s", MV_TEXT, r, nv) < 0 || decode_labels(d, o, r) < 0)
		return -1;
	return 0;
}

/* 1 (and the failure noted) when the sample already keeps a row of r's group and index. */
static int row_seen(struct dec *d, const struct dev_sample *s, const struct group_row *r)
{
	for (size_t k = 0; k < s->nrows; k++)
		if (strcmp(s->rows[k].group, r->group) == 0 &&
		    strcmp(wire_row_index(&s->rows[k]), wire_row_index(r)) == 0) {
			fail(d, "i", "the same group row appears twice");
			return 1;
		}
	return 0;
}

static int decode_rows(struct dec *d, json_object *o, struct dev_sample *s)
{
	json_object *rows;
	if (get_str(d, o, "class", s->cls, sizeof(s->cls), 0) < 0)
		return -1;
	if (!json_object_object_get_ex(o, "groups", &rows))
		return 0;
	if (!json_object_is_type(rows, json_type_array))
		return fail(d, "groups", "expected an array");
	size_t n = json_object_array_length(rows);
	if (n > WIRE_MAX_ROWS)
		return fail(d, "groups", "too many rows");
	s->rows = n ? calloc(n, sizeof(*s->rows)) : NULL;
	if (n && !s->rows)
		return fail(d, "groups", "out of memory");
	size_t plen = strlen(d->path);
	for (size_t i = 0; i < n; i++) {
		snprintf(d->path + plen, sizeof(d->path) - plen, ".groups[%zu]", i);
		struct group_row *r = &s->rows[s->nrows];
		if (decode_row(d, json_object_array_get_idx(rows, i), r) == 0 && !row_seen(d, s, r)) {
			s->nrows++;
			continue;
		}
		/* one bad row is one bad row: the sample keeps the others */
		group_row_free(r);
		refuse(d, WR_GROUP_ROW, strlen(d->path), s);
	}
	d->path[plen] = '\0';
	return 0;
}

static int decode_ifs(struct dec *d, json_object *o, struct dev_sample *s)
{
	json_object *ifs;
	if (!json_object_object_get_ex(o, "if", &ifs))
		return 0;
	if (!json_object_is_type(ifs, json_type_array))
		return fail(d, "if", "expected an array");
	size_t n = json_object_array_length(ifs);
	if (n > WIRE_MAX_IFS)
		return fail(d, "if", "too many interfaces");
	s->ifs = n ? calloc(n, sizeof(*s->ifs)) : NULL;
	if (n && !s->ifs)
		return fail(d, "if", "out of memory");
	size_t plen = strlen(d->path);
	for (size_t i = 0; i < n; i++) {
		snprintf(d->path + plen, sizeof(d->path) - plen, ".if[%zu]", i);
		struct if_sample *f = &s->ifs[s->nifs];
		if (decode_if(d, json_object_array_get_idx(ifs, i), f) == 0) {
			s->nifs++;
			continue;
		}
		memset(f, 0, sizeof(*f));
		refuse(d, WR_INTERFACE, strlen(d->path), s);
	}
	d->path[plen] = '\0';
	return 0;
}

/* A class the evidence names: one devclass.h knows, or "" when the member is absent. The
 * collector words every class through its catalogue: a name it does not know is refused. */
static int get_class(struct dec *d, json_object *o, const char *k, char *dst)
{
	if (get_str(d, o, k, dst, WIRE_CLASS_MAX, 0) < 0)
		return -1;
	if (dst[0] && devclass_parse(dst) < 0)
		return fail(d, k, "not a device class");
	return 0;
}

/* The classification's evidence (wire.h): the class_* members, all read only with class_auto
 * (an older probe, or a device the inventory gives a class, sends none). */
static int decode_class_fields(struct dec *d, json_object *o, struct dev_sample *s)
{
	int64_t v;
	if (get_class(d, o, "class_auto", s->cls_auto) < 0)
		return -1;
	if (!s->cls_auto[0])
		return 0;
	if (get_int(d, o, "class_confidence", 0, 100, &v, 1) < 0)
		return -1;
	s->cls_confidence = (int)v;
	if (get_str(d, o, "class_why", s->cls_why, sizeof(s->cls_why), 0) < 0 ||
	    get_str(d, o, "class_vendor", s->cls_vendor, sizeof(s->cls_vendor), 0) < 0 ||
	    get_class(d, o, "class_seen", s->cls_seen) < 0 ||
	    get_class(d, o, "class_was", s->cls_was) < 0)
		return -1;
	/* a change pending or made is to another class than the one the device has now */
	if (s->cls_seen[0] && strcmp(s->cls_seen, s->cls_auto) == 0)
		return fail(d, "class_seen", "the class the device already has");
	if (s->cls_was[0] && strcmp(s->cls_was, s->cls_auto) == 0)
		return fail(d, "class_was", "the class the device still has");
	int rc = get_int(d, o, "class_seen_polls", 1, WIRE_CLASS_CONFIRM, &v, s->cls_seen[0] != 0);
	if (rc < 0)
		return -1;
	if (rc == 0 && !s->cls_seen[0])
		return fail(d, "class_seen_polls", "given without class_seen");
	s->cls_seen_polls = rc == 0 ? (int)v : 0;
	return 0;
}

/* Bad evidence is dropped alone, counted like a bad row: the sample's measures stay good. */
static void decode_class(struct dec *d, json_object *o, struct dev_sample *s)
{
	if (decode_class_fields(d, o, s) == 0)
		return;
	s->cls_auto[0] = s->cls_why[0] = s->cls_vendor[0] = s->cls_seen[0] = s->cls_was[0] = '\0';
	s->cls_confidence = s->cls_seen_polls = 0;
	refuse(d, WR_CLASS, strlen(d->path), s);
}

static int decode_sample(struct dec *d, json_object *o, struct dev_sample *s)
{
	int64_t v;
	json_object *up;
	if (!json_object_is_type(o, json_type_object))
		return fail(d, "", "expected an object");
	if (get_str(d, o, "commune", s->commune, sizeof(s->commune), 1) < 0 ||
	    get_str(d, o, "device", s->device, sizeof(s->device), 1) < 0 ||
	    get_str(d, o, "error", s->error, sizeof(s->error), 0) < 0)
		return -1;
	/* 2000-01-01 .. 2100-01-01: a wrong clock is an error, not a sample */
	if (get_int(d, o, "ts", 946684800, 4102444800LL, &v, 1) < 0)
		return -1;
	s->ts = v;
	if (!json_object_object_get_ex(o, "up", &up) || !json_object_is_type(up, json_type_boolean))
		return fail(d, "up", "expected true or false");
	s->up = json_object_get_boolean(up);
	s->rtt_ms = -1;
	int rc = get_int(d, o, "rtt_ms", 0, 3600000, &v, 0);
	if (rc < 0)
		return -1;
	if (rc == 0)
		s->rtt_ms = (int)v;
	if (decode_sys(d, o, s) < 0 || decode_rows(d, o, s) < 0 || decode_ifs(d, o, s) < 0)
		return -1;
	decode_class(d, o, s);
	return 0;
}

/*
 * The parts the body carries, counted before anything is decoded: whatever their shape, and
 * whether they turn out good or bad, a batch claims no more memory than these bounds allow.
 */
static int check_totals(struct dec *d, json_object *samples, size_t n)
{
	size_t ifs = 0, rows = 0, vals = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(samples, i), *a;
		snprintf(d->path, sizeof(d->path), "samples[%zu]", i);
		if (json_object_object_get_ex(s, "if", &a) && json_object_is_type(a, json_type_array))
			ifs += json_object_array_length(a);
		if (ifs > WIRE_MAX_BATCH_IFS)
			return fail(d, "if", "too many interfaces in one batch");
		if (!json_object_object_get_ex(s, "groups", &a) ||
		    !json_object_is_type(a, json_type_array))
			continue;
		size_t nr = json_object_array_length(a);
		rows += nr;
		for (size_t r = 0; r < nr && rows <= WIRE_MAX_BATCH_ROWS; r++)
			vals += row_nvals(json_object_array_get_idx(a, r));
		if (rows > WIRE_MAX_BATCH_ROWS || vals > WIRE_MAX_BATCH_VALS)
			return fail(d, "groups", "too many group rows or values in one batch");
	}
	d->path[0] = '\0';
	return 0;
}

/* The batch's own fields and limits: any failure here refuses the whole batch. */
/* The sender's spool id, 1 to 16 hex digits (optional: an import or a tool has none). */
static int get_epoch(struct dec *d, json_object *root, uint64_t *epoch)
{
	char hex[20];
	*epoch = 0;
	int rc = get_str(d, root, "epoch", hex, sizeof(hex), 0);
	if (rc < 0 || !hex[0])
		return rc < 0 ? -1 : 0;
	size_t n = strspn(hex, "0123456789abcdef");
	if (n != strlen(hex) || n > 16)
		return fail(d, "epoch", "expected up to 16 lower-case hex digits");
	*epoch = strtoull(hex, NULL, 16);
	return 0;
}

static int decode_envelope(struct dec *d, json_object *root, struct batch *out,
			   json_object **samples)
{
	int64_t ver;
	if (!json_object_is_type(root, json_type_object))
		return fail(d, "body", "expected an object");
	if (get_int(d, root, "version", WIRE_VERSION, WIRE_VERSION, &ver, 1) < 0 ||
	    get_str(d, root, "probe", out->probe, sizeof(out->probe), 1) < 0 ||
	    get_u64(d, root, "seq", &out->seq) < 0 || get_epoch(d, root, &out->epoch) < 0)
		return -1;
	if (!json_object_object_get_ex(root, "samples", samples) ||
	    !json_object_is_type(*samples, json_type_array))
		return fail(d, "samples", "expected an array");
	size_t n = json_object_array_length(*samples);
	if (n > WIRE_MAX_SAMPLES)
		return fail(d, "samples", "too many samples in one batch");
	if (check_totals(d, *samples, n) < 0)
		return -1;
	out->samples = n ? calloc(n, sizeof(*out->samples)) : NULL;
	if (n && !out->samples) {
		snprintf(d->msg, sizeof(d->msg), "out of memory");
		return -1;
	}
	return 0;
}

/* Keeps the good samples, packed in body order; a bad one is dropped alone. */
static void decode_samples(struct dec *d, json_object *samples, struct batch *out)
{
	size_t n = json_object_array_length(samples);
	for (size_t i = 0; i < n; i++) {
		int wlen = snprintf(d->path, sizeof(d->path), "samples[%zu]", i);
		struct dev_sample *s = &out->samples[out->nsamples];
		size_t nrefused = out->nrefused, refused_rows = out->refused_rows;
		if (decode_sample(d, json_object_array_get_idx(samples, i), s) == 0) {
			out->nsamples++;
			continue;
		}
		/* the sample's refusal stands for its parts: rows already dropped are not listed */
		out->nrefused = nrefused;
		out->refused_rows = refused_rows;
		refuse(d, WR_SAMPLE, (size_t)wlen, s);
		dev_sample_free(s);
		memset(s, 0, sizeof(*s));
	}
	d->path[0] = '\0';
}

int wire_decode_batch(const char *body, size_t len, struct batch *out, char *err, size_t errsz)
{
	struct dec d = {"", "", out};
	json_object *root = NULL, *samples;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	json_tokener *tok = json_tokener_new_ex(16);
	if (!tok) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	if (len > 0 && len < (size_t)INT32_MAX)
		root = json_tokener_parse_ex(tok, body, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	if (!root || jerr != json_tokener_success) {
		snprintf(err, errsz, "not valid JSON at byte %zu: %s", json_tokener_get_parse_end(tok),
			 len ? json_tokener_error_desc(jerr) : "empty body");
		goto out;
	}
	if (decode_envelope(&d, root, out, &samples) < 0) {
		snprintf(err, errsz, "%s", d.msg);
		goto out;
	}
	decode_samples(&d, samples, out);
	json_object *lan;
	if (json_object_object_get_ex(root, "lan", &lan) &&
	    wirelan_decode(lan, &out->lan, out->lan_error, sizeof(out->lan_error)) < 0)
		memset(&out->lan, 0, sizeof(out->lan)); /* the samples are kept */
	rc = 0;
out:
	if (rc < 0)
		wire_batch_free(out);
	json_object_put(root);
	json_tokener_free(tok);
	return rc;
}

void dev_sample_free(struct dev_sample *s)
{
	free(s->ifs);
	s->ifs = NULL;
	s->nifs = 0;
	for (size_t i = 0; i < s->nrows; i++)
		group_row_free(&s->rows[i]);
	free(s->rows);
	s->rows = NULL;
	s->nrows = 0;
}

void wire_batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->nsamples; i++)
		dev_sample_free(&b->samples[i]);
	free(b->samples);
	free(b->refused);
	wirelan_free(&b->lan);
	memset(b, 0, sizeof(*b));
}

const char *json_member_str(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
		   ? json_object_get_string(v)
		   : "";
}

double json_member_num(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

int json_member_bool(json_object *o, const char *key)
{
	json_object *v;
	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

uint64_t wire_digest(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}
