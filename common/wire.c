#include "wire.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* {"g":group,"i":index,"l":label,"v":{gauges},"c":{counters},"s":{texts}} */
static void encode_row(struct jw *w, const struct group_row *r)
{
	jw_open(w, NULL, "{");
	jw_str(w, "g", r->group);
	jw_str(w, "i", r->index);
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
	jw_close(w, "}");
}

int wire_encode_rows(struct strbuf *sb, const struct group_row *rows, size_t n)
{
	struct jw w = {sb, 1, 0};
	jw_open(&w, NULL, "[");
	for (size_t i = 0; i < n; i++)
		encode_row(&w, &rows[i]);
	jw_close(&w, "]");
	return w.err ? -1 : 0;
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
		if (s->has_uptime)
			jw_raw(&w, "uptime", "%u", s->uptime_ticks);
		jw_close(&w, "}");
		jw_open(&w, "if", "[");
		for (size_t i = 0; i < s->nifs; i++)
			encode_if(&w, &s->ifs[i]);
		jw_close(&w, "]");
		jw_str(&w, "class", s->cls);
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

int wire_encode_batch(struct strbuf *out, const char *probe, uint64_t seq, const char *samples,
		      size_t samples_len)
{
	json_object *p = json_object_new_string(probe);
	const char *ptxt = json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN);
	int rc = strbuf_printf(out, "{\"version\":%d,\"probe\":%s,\"seq\":%llu,\"samples\":[",
			       WIRE_VERSION, ptxt, (unsigned long long)seq);
	json_object_put(p);
	if (rc == 0)
		rc = strbuf_append(out, samples, samples_len);
	if (rc == 0)
		rc = strbuf_puts(out, "]}");
	return rc;
}

/* --- decoding: every field checked, every error names its path --- */

struct dec {
	char *err;
	size_t errsz;
	char path[96];
};

static int fail(struct dec *d, const char *field, const char *what)
{
	snprintf(d->err, d->errsz, "%s%s%s: %s", d->path, d->path[0] && field[0] ? "." : "", field,
		 what);
	return -1;
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
	    get_str(d, sys, "name", s->sys_name, sizeof(s->sys_name), 0) < 0)
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

static int valid_index(const char *s)
{
	/* an OID suffix: digits and single dots, no leading or trailing dot */
	if (!s[0])
		return 1;
	if (s[0] == '.' || s[strlen(s) - 1] == '.')
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] != '.')))
			return 0;
	return 1;
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

static int decode_row(struct dec *d, json_object *o, struct group_row *r)
{
	if (!json_object_is_type(o, json_type_object))
		return fail(d, "", "expected an object");
	if (get_str(d, o, "g", r->group, sizeof(r->group), 1) < 0 ||
	    get_str(d, o, "i", r->index, sizeof(r->index), 0) < 0 ||
	    get_str(d, o, "l", r->label, sizeof(r->label), 0) < 0)
		return -1;
	if (!wire_valid_metric(r->group))
		return fail(d, "g", "group names are [a-z][a-z0-9_]*, under 20 bytes");
	/* their files would be the built-in groups' (system.rrd, if-N.rrd) */
	if (strcmp(r->group, "system") == 0 || strcmp(r->group, "if") == 0)
		return fail(d, "g", "system and if are reserved group names");
	if (!valid_index(r->index))
		return fail(d, "i", "expected an OID suffix (digits and dots)");
	json_object *st;
	if (json_object_object_get_ex(o, "rrd", &st)) {
		if (!json_object_is_type(st, json_type_boolean))
			return fail(d, "rrd", "expected true or false");
		r->nostore = !json_object_get_boolean(st);
	}
	/* room for the values this row has, no more: a body of many tiny rows stays small */
	size_t nv = 0;
	static const char *const parts[] = {"v", "c", "s"};
	for (size_t p = 0; p < 3; p++) {
		json_object *part;
		if (json_object_object_get_ex(o, parts[p], &part) &&
		    json_object_is_type(part, json_type_object))
			nv += (size_t)json_object_object_length(part);
	}
	if (nv > WIRE_MAX_VALS)
		return fail(d, "", "too many values in one row");
	r->vals = calloc(nv ? nv : 1, sizeof(*r->vals));
	if (!r->vals)
		return fail(d, "", "out of memory");
	if (decode_vals(d, o, "v", MV_GAUGE, r, nv) < 0 ||
	    decode_vals(d, o, "c", MV_COUNTER, r, nv) < 0 ||
	    decode_vals(d, o, "s", MV_TEXT, r, nv) < 0)
		return -1;
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
		s->nrows = i + 1;
		if (decode_row(d, json_object_array_get_idx(rows, i), &s->rows[i]) < 0)
			return -1;
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->rows[k].group, s->rows[i].group) == 0 &&
			    strcmp(s->rows[k].index, s->rows[i].index) == 0)
				return fail(d, "i", "the same group row appears twice");
	}
	d->path[plen] = '\0';
	return 0;
}

static int decode_sample(struct dec *d, json_object *o, struct dev_sample *s)
{
	int64_t v;
	json_object *up, *ifs;
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
	if (decode_sys(d, o, s) < 0 || decode_rows(d, o, s) < 0)
		return -1;
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
	s->nifs = n;
	size_t plen = strlen(d->path);
	for (size_t i = 0; i < n; i++) {
		snprintf(d->path + plen, sizeof(d->path) - plen, ".if[%zu]", i);
		if (decode_if(d, json_object_array_get_idx(ifs, i), &s->ifs[i]) < 0)
			return -1;
	}
	d->path[plen] = '\0';
	return 0;
}

int wire_decode_batch(const char *body, size_t len, struct batch *out, char *err, size_t errsz)
{
	struct dec d = {err, errsz, ""};
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
	if (!json_object_is_type(root, json_type_object)) {
		fail(&d, "body", "expected an object");
		goto out;
	}
	int64_t ver;
	if (get_int(&d, root, "version", WIRE_VERSION, WIRE_VERSION, &ver, 1) < 0 ||
	    get_str(&d, root, "probe", out->probe, sizeof(out->probe), 1) < 0 ||
	    get_u64(&d, root, "seq", &out->seq) < 0)
		goto out;
	if (!json_object_object_get_ex(root, "samples", &samples) ||
	    !json_object_is_type(samples, json_type_array)) {
		fail(&d, "samples", "expected an array");
		goto out;
	}
	size_t n = json_object_array_length(samples);
	if (n > WIRE_MAX_SAMPLES) {
		fail(&d, "samples", "too many samples in one batch");
		goto out;
	}
	out->samples = n ? calloc(n, sizeof(*out->samples)) : NULL;
	if (n && !out->samples) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	out->nsamples = n;
	size_t total_ifs = 0, total_rows = 0, total_vals = 0;
	for (size_t i = 0; i < n; i++) {
		snprintf(d.path, sizeof(d.path), "samples[%zu]", i);
		if (decode_sample(&d, json_object_array_get_idx(samples, i), &out->samples[i]) < 0)
			goto out;
		/* bounds the memory one batch can claim, whatever its shape */
		total_ifs += out->samples[i].nifs;
		if (total_ifs > WIRE_MAX_BATCH_IFS) {
			fail(&d, "if", "too many interfaces in one batch");
			goto out;
		}
		total_rows += out->samples[i].nrows;
		for (size_t r = 0; r < out->samples[i].nrows; r++)
			total_vals += out->samples[i].rows[r].nvals;
		if (total_rows > WIRE_MAX_BATCH_ROWS || total_vals > WIRE_MAX_BATCH_VALS) {
			fail(&d, "groups", "too many group rows or values in one batch");
			goto out;
		}
	}
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
		free(s->rows[i].vals);
	free(s->rows);
	s->rows = NULL;
	s->nrows = 0;
}

void wire_batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->nsamples; i++)
		dev_sample_free(&b->samples[i]);
	free(b->samples);
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
