#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "wire.h"

#define U64MAX 18446744073709551615ULL

static void fill_up_sample(struct dev_sample *s, struct if_sample *ifs)
{
	memset(s, 0, sizeof(*s));
	memset(ifs, 0, 2 * sizeof(*ifs));
	snprintf(s->commune, sizeof(s->commune), "Xã Tân Phú");
	snprintf(s->device, sizeof(s->device), "<b>Máy \"tính\" 1</b> & 'co'\\");
	s->ts = 1700000000;
	s->up = 1;
	s->rtt_ms = 12;
	snprintf(s->sys_descr, sizeof(s->sys_descr),
		 "Linux <script>alert(1)</script> — Tiếng Việt / 64-bit");
	snprintf(s->sys_objectid, sizeof(s->sys_objectid), "1.3.6.1.4.1.8072.3.2.10");
	snprintf(s->sys_name, sizeof(s->sys_name), "pc-1");
	snprintf(s->model, sizeof(s->model), "OptiPlex \"3080\" <i>");
	snprintf(s->serial, sizeof(s->serial), "SN-0001");
	s->has_uptime = 1;
	s->uptime_ticks = 4294967295u;

	ifs[0].index = 1;
	snprintf(ifs[0].descr, sizeof(ifs[0].descr), "lo");
	ifs[0].type = 24;
	ifs[0].admin = 1;
	ifs[0].oper = 1;
	ifs[0].in_octets = 1234;
	ifs[0].out_octets = 1234;
	ifs[0].has = IFF_TYPE | IFF_ADMIN | IFF_OPER | IFF_IN_OCTETS | IFF_OUT_OCTETS;

	ifs[1].index = 2147483647;
	snprintf(ifs[1].descr, sizeof(ifs[1].descr), "eth0");
	snprintf(ifs[1].name, sizeof(ifs[1].name), "Cổng 1");
	snprintf(ifs[1].alias, sizeof(ifs[1].alias), "uplink <to> \"core\" & more");
	ifs[1].type = 6;
	ifs[1].speed = 1000000000;
	ifs[1].admin = 1;
	ifs[1].oper = 2;
	ifs[1].in_octets = U64MAX;
	ifs[1].out_octets = 0;
	ifs[1].in_errors = 5;
	ifs[1].out_errors = 9223372036854775808ULL;
	ifs[1].has = IFF_TYPE | IFF_SPEED | IFF_ADMIN | IFF_OPER | IFF_IN_OCTETS | IFF_OUT_OCTETS |
		     IFF_IN_ERRORS | IFF_OUT_ERRORS | IFF_HC;
	s->ifs = ifs;
	s->nifs = 2;
}

static void fill_down_sample(struct dev_sample *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->commune, sizeof(s->commune), "Thị trấn Z");
	snprintf(s->device, sizeof(s->device), "Máy quét");
	s->ts = 1700000060;
	s->up = 0;
	s->rtt_ms = -1;
	snprintf(s->error, sizeof(s->error), "timeout");
	/* not sent for a device that did not answer */
	snprintf(s->sys_name, sizeof(s->sys_name), "stale");
}

/* Encodes the given samples into a batch document. */
static char *encode(const struct dev_sample *s, size_t n, const char *probe, uint64_t seq,
		    size_t *len)
{
	struct strbuf samples, batch;
	assert_int_equal(strbuf_init(&samples, 0), 0);
	assert_int_equal(strbuf_init(&batch, 0), 0);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_int_equal(strbuf_puts(&samples, ","), 0);
		assert_int_equal(wire_encode_sample(&samples, &s[i]), 0);
	}
	/* the spool's id rides along: (probe, epoch, seq) names the batch */
	assert_int_equal(wire_encode_batch(&batch, probe, 0xfedcba9876543210ULL, seq,
					   samples.data ? samples.data : "", samples.len),
			 0);
	strbuf_free(&samples);
	char *out = strbuf_take(&batch, len);
	strbuf_free(&batch);
	return out;
}

static void compare_if(const struct if_sample *a, const struct if_sample *b)
{
	assert_int_equal(a->index, b->index);
	assert_int_equal(a->has, b->has);
	assert_string_equal(a->descr, b->descr);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->alias, b->alias);
	if (a->has & IFF_TYPE)
		assert_int_equal(a->type, b->type);
	if (a->has & IFF_ADMIN)
		assert_int_equal(a->admin, b->admin);
	if (a->has & IFF_OPER)
		assert_int_equal(a->oper, b->oper);
	if (a->has & IFF_SPEED)
		assert_true(a->speed == b->speed);
	if (a->has & IFF_IN_OCTETS)
		assert_true(a->in_octets == b->in_octets);
	if (a->has & IFF_OUT_OCTETS)
		assert_true(a->out_octets == b->out_octets);
	if (a->has & IFF_IN_ERRORS)
		assert_true(a->in_errors == b->in_errors);
	if (a->has & IFF_OUT_ERRORS)
		assert_true(a->out_errors == b->out_errors);
}

static void round_trip(void **state)
{
	(void)state;
	struct dev_sample s[2];
	struct if_sample ifs[2];
	fill_up_sample(&s[0], ifs);
	fill_down_sample(&s[1]);
	size_t len;
	char *body = encode(s, 2, "district \"north\" <1>", U64MAX, &len);
	assert_int_equal(strlen(body), len);

	struct batch b;
	char err[256] = "";
	int rc = wire_decode_batch(body, len, &b, err, sizeof(err));
	if (rc)
		print_message("decode: %s\n%s\n", err, body);
	assert_int_equal(rc, 0);
	assert_string_equal(b.probe, "district \"north\" <1>");
	assert_true(b.seq == U64MAX);
	assert_true(b.epoch == 0xfedcba9876543210ULL);
	assert_int_equal(b.nsamples, 2);

	const struct dev_sample *d = &b.samples[0];
	assert_string_equal(d->commune, s[0].commune);
	assert_string_equal(d->device, s[0].device);
	assert_int_equal(d->ts, s[0].ts);
	assert_int_equal(d->up, 1);
	assert_string_equal(d->error, "");
	assert_int_equal(d->rtt_ms, 12);
	assert_string_equal(d->sys_descr, s[0].sys_descr);
	assert_string_equal(d->sys_objectid, s[0].sys_objectid);
	assert_string_equal(d->sys_name, "pc-1");
	assert_string_equal(d->model, "OptiPlex \"3080\" <i>");
	assert_string_equal(d->serial, "SN-0001");
	assert_int_equal(d->has_uptime, 1);
	assert_int_equal(d->uptime_ticks, 4294967295u);
	assert_int_equal(d->nifs, 2);
	compare_if(&d->ifs[0], &ifs[0]);
	compare_if(&d->ifs[1], &ifs[1]);
	assert_true(d->ifs[1].in_octets == U64MAX);

	d = &b.samples[1];
	assert_string_equal(d->commune, "Thị trấn Z");
	assert_string_equal(d->device, "Máy quét");
	assert_int_equal(d->ts, 1700000060);
	assert_int_equal(d->up, 0);
	assert_string_equal(d->error, "timeout");
	assert_int_equal(d->rtt_ms, -1);
	assert_string_equal(d->sys_name, "");
	assert_string_equal(d->model, "");
	assert_string_equal(d->serial, "");
	assert_int_equal(d->has_uptime, 0);
	assert_int_equal(d->nifs, 0);
	assert_null(d->ifs);

	wire_batch_free(&b);
	assert_null(b.samples);
	assert_int_equal(b.nsamples, 0);
	free(body);
}

static void empty_batch(void **state)
{
	(void)state;
	size_t len;
	char *body = encode(NULL, 0, "p", 0, &len);
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(body, len, &b, err, sizeof(err)), 0);
	assert_int_equal(b.nsamples, 0);
	assert_string_equal(b.probe, "p");
	wire_batch_free(&b);
	free(body);
}

/* Decodes a batch with two samples whose second one is given in full by s1 (the body is
 * good: only parts of it may be dropped). */
static void decode_pair(const char *s1, struct batch *b)
{
	struct strbuf body;
	assert_int_equal(strbuf_init(&body, 0), 0);
	strbuf_printf(&body,
		      "{\"version\":1,\"probe\":\"p\",\"seq\":7,\"samples\":["
		      "{\"commune\":\"A\",\"device\":\"D\",\"ts\":1700000000,\"up\":false},");
	strbuf_puts(&body, s1);
	strbuf_puts(&body, "]}");
	char err[256] = "";
	int rc = wire_decode_batch(body.data, body.len, b, err, sizeof(err));
	if (rc)
		print_message("decode: %s\n", err);
	assert_int_equal(rc, 0);
	strbuf_free(&body);
}

/* s1 decodes whole: 0 */
static int decode_with(const char *s1, char *err, size_t errsz)
{
	struct batch b;
	decode_pair(s1, &b);
	int rc = b.nrefused || b.refused_samples || b.refused_rows ? -1 : 0;
	if (rc)
		snprintf(err, errsz, "%.63s: %.180s", b.refused[0].where, b.refused[0].reason);
	assert_int_equal(b.nsamples, rc ? b.nsamples : 2);
	wire_batch_free(&b);
	return rc;
}

/* The sample s1 is dropped alone, its refusal naming the problem; samples[0] is kept. */
static void expect_sample_error(const char *s1, const char *needle)
{
	struct batch b;
	decode_pair(s1, &b);
	const struct wire_refusal *r = b.nrefused ? &b.refused[0] : NULL;
	print_message("  %s -> %s %s\n", s1, r ? r->where : "accepted", r ? r->reason : "");
	assert_int_equal(b.nsamples, 1);
	assert_string_equal(b.samples[0].commune, "A");
	assert_int_equal(b.refused_samples, 1);
	assert_int_equal(b.refused_rows, 0);
	assert_int_equal(b.nrefused, 1);
	assert_int_equal(r->kind, WR_SAMPLE);
	assert_string_equal(r->where, "samples[1]");
	assert_non_null(strstr(r->reason, needle));
	assert_true(utf8_is_clean(r->reason));
	wire_batch_free(&b);
}

/* One entry of sample s1 is dropped (kind at where); the sample is kept with the others. */
static void expect_part_error(const char *s1, enum wire_refusal_kind kind, const char *where,
			      const char *needle)
{
	struct batch b;
	decode_pair(s1, &b);
	const struct wire_refusal *r = b.nrefused ? &b.refused[0] : NULL;
	print_message("  %s -> %s %s\n", s1, r ? r->where : "accepted", r ? r->reason : "");
	assert_int_equal(b.nsamples, 2);
	assert_int_equal(b.refused_samples, 0);
	assert_int_equal(b.refused_rows, 1);
	assert_int_equal(b.nrefused, 1);
	assert_int_equal(r->kind, kind);
	assert_string_equal(r->where, where);
	assert_string_equal(r->commune, "A");
	assert_string_equal(r->device, "D");
	assert_non_null(strstr(r->reason, needle));
	assert_true(utf8_is_clean(r->reason));
	wire_batch_free(&b);
}

#define IF_ERROR(s1, where, needle) expect_part_error(s1, WR_INTERFACE, "samples[1]." where, needle)
#define ROW_ERROR(s1, where, needle) expect_part_error(s1, WR_GROUP_ROW, "samples[1]." where, needle)

static void expect_body_error(const char *body, size_t len, const char *needle)
{
	struct batch b;
	char err[256] = "";
	int rc = wire_decode_batch(body, len, &b, err, sizeof(err));
	print_message("  %.60s -> %s\n", body, rc ? err : "accepted");
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, needle));
	assert_null(b.samples);
	assert_int_equal(b.nsamples, 0);
}

#define GOOD "\"commune\":\"A\",\"device\":\"D\",\"ts\":1700000000,\"up\":true"

static void errors_name_the_field(void **state)
{
	(void)state;
	IF_ERROR("{" GOOD ",\"if\":[{\"index\":1,\"speed\":\"fast\"}]}", "if[0]",
		 "speed: expected an unsigned integer");
	IF_ERROR("{" GOOD ",\"if\":[{\"index\":1},{\"index\":2,\"in_octets\":-1}]}", "if[1]",
		 "in_octets");
	IF_ERROR("{" GOOD ",\"if\":[{\"index\":0}]}", "if[0]", "index");
	IF_ERROR("{" GOOD ",\"if\":[{\"descr\":\"x\"}]}", "if[0]", "index: missing");
	IF_ERROR("{" GOOD ",\"if\":[{\"index\":1,\"oper\":8}]}", "if[0]", "oper");
	IF_ERROR("{" GOOD ",\"if\":[{\"index\":1,\"descr\":5}]}", "if[0]", "descr");
	IF_ERROR("{" GOOD ",\"if\":[5]}", "if[0]", "expected an object");
	expect_sample_error("{" GOOD ",\"if\":{}}", "if: expected an array");
	expect_sample_error("{" GOOD ",\"sys\":{\"uptime\":4294967296}}", "sys.uptime");
	expect_sample_error("{" GOOD ",\"sys\":{\"name\":[]}}", "sys.name");
	expect_sample_error("{" GOOD ",\"sys\":\"x\"}", "sys");
	expect_sample_error("{" GOOD ",\"rtt_ms\":-5}", "rtt_ms");
	expect_sample_error("{\"commune\":\"A\",\"device\":\"D\",\"ts\":1700000000}", "up");
	expect_sample_error("{\"commune\":\"A\",\"device\":\"D\",\"ts\":1700000000,\"up\":1}",
			    "up");
	expect_sample_error("{\"commune\":\"A\",\"device\":\"D\",\"ts\":0,\"up\":true}",
			    "ts: out of range");
	expect_sample_error("{\"commune\":\"A\",\"device\":\"D\",\"ts\":4102444801,\"up\":true}",
			    "ts: out of range");
	expect_sample_error("{\"commune\":\"A\",\"device\":\"D\",\"ts\":1.7e9,\"up\":true}",
			    "ts: expected an integer");
	expect_sample_error("{\"commune\":\"A\",\"device\":\"D\",\"ts\":\"1700000000\",\"up\":true}",
			    "ts");
	expect_sample_error("{\"commune\":\"A\",\"device\":\"D\",\"ts\":18446744073709551615,\"up\":true}",
			    "ts: out of range");
	expect_sample_error("{\"device\":\"D\",\"ts\":1700000000,\"up\":true}",
			    "commune: missing");
	expect_sample_error("{\"commune\":\"\",\"device\":\"D\",\"ts\":1700000000,\"up\":true}",
			    "commune: empty");
	expect_sample_error("{\"commune\":\"A\",\"device\":7,\"ts\":1700000000,\"up\":true}",
			    "device");
	expect_sample_error("[]", "expected an object");

	/* the edges that are allowed */
	char err[256];
	assert_int_equal(decode_with("{\"commune\":\"A\",\"device\":\"D\",\"ts\":946684800,\"up\":true}",
				     err, sizeof(err)),
			 0);
	assert_int_equal(decode_with("{\"commune\":\"A\",\"device\":\"D\",\"ts\":4102444800,\"up\":true}",
				     err, sizeof(err)),
			 0);
	assert_int_equal(decode_with("{" GOOD ",\"sys\":{\"uptime\":4294967295},\"if\":[]}", err,
				     sizeof(err)),
			 0);
}

static void u64_counter_not_an_integer(void **state)
{
	(void)state;
	IF_ERROR("{" GOOD ",\"if\":[{\"index\":1,\"in_octets\":1e3}]}", "if[0]", "in_octets");
	IF_ERROR("{" GOOD ",\"if\":[{\"index\":1,\"out_errors\":null}]}", "if[0]", "out_errors");
}

static void u64_counter_max_is_accepted(void **state)
{
	(void)state;
	/* the largest 64-bit counter is fine */
	char err[256];
	assert_int_equal(
	    decode_with("{" GOOD ",\"if\":[{\"index\":1,\"in_octets\":18446744073709551615}]}",
			err, sizeof(err)),
	    0);
}

static void body_errors(void **state)
{
	(void)state;
	static const char v2[] = "{\"version\":2,\"probe\":\"p\",\"seq\":1,\"samples\":[]}";
	static const char nover[] = "{\"probe\":\"p\",\"seq\":1,\"samples\":[]}";
	static const char noprobe[] = "{\"version\":1,\"seq\":1,\"samples\":[]}";
	static const char negseq[] = "{\"version\":1,\"probe\":\"p\",\"seq\":-1,\"samples\":[]}";
	static const char nosamples[] = "{\"version\":1,\"probe\":\"p\",\"seq\":1}";
	static const char objsamples[] = "{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":{}}";
	static const char arr[] = "[1,2]";
	static const char notjson[] = "version=1&probe=p";
	static const char truncated[] = "{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":[";
	static const char badutf8[] =
		"{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":[{\"commune\":\"X\xe3 T\xe2n\","
		"\"device\":\"D\",\"ts\":1700000000,\"up\":false}]}";
	static const char trailing[] =
		"{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":[]} {\"x\":1}";
	static const char single_quotes[] = "{'version':1,'probe':'p','seq':1,'samples':[]}";

	expect_body_error(v2, strlen(v2), "version: out of range");
	expect_body_error(nover, strlen(nover), "version: missing");
	expect_body_error(noprobe, strlen(noprobe), "probe: missing");
	expect_body_error(negseq, strlen(negseq), "seq: negative");
	expect_body_error(nosamples, strlen(nosamples), "samples: expected an array");
	expect_body_error(objsamples, strlen(objsamples), "samples: expected an array");
	expect_body_error(arr, strlen(arr), "body: expected an object");
	expect_body_error(notjson, strlen(notjson), "not valid JSON");
	expect_body_error(truncated, strlen(truncated), "not valid JSON");
	expect_body_error(badutf8, strlen(badutf8), "not valid JSON");
	expect_body_error(trailing, strlen(trailing), "not valid JSON");
	expect_body_error(single_quotes, strlen(single_quotes), "not valid JSON");
	expect_body_error("", 0, "empty body");
	/* the length given is what counts, not a terminating NUL */
	expect_body_error(v2, 10, "not valid JSON");
}

static void bad_interface_entry_dropped_alone(void **state)
{
	(void)state;
	static const char body[] =
		"{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":["
		"{" GOOD ",\"if\":[{\"index\":1},{\"index\":2}]},"
		"{" GOOD ",\"if\":[{\"index\":1},{\"index\":2,\"speed\":true},{\"index\":3}]}]}";
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(body, strlen(body), &b, err, sizeof(err)), 0);
	assert_int_equal(b.nsamples, 2);
	assert_int_equal(b.samples[1].nifs, 2);
	assert_int_equal(b.samples[1].ifs[0].index, 1);
	assert_int_equal(b.samples[1].ifs[1].index, 3);
	assert_int_equal(b.refused_rows, 1);
	assert_string_equal(b.refused[0].where, "samples[1].if[1]");
	assert_string_equal(b.refused[0].reason, "speed: expected an unsigned integer");
	wire_batch_free(&b);
}

static void text_is_sanitised(void **state)
{
	(void)state;
	static const char body[] =
		"{\"version\":1,\"probe\":\"p\\u0007\",\"seq\":1,\"samples\":[{"
		"\"commune\":\"X\\u00e3 A\\u0001B\",\"device\":\"D\\u0000E\\nF\",\"ts\":1700000000,"
		"\"up\":true,\"error\":\"\\u001b[31mred\",\"sys\":{\"descr\":\"C1\\u009bx\\u007f\","
		"\"name\":\"\\ud800lone\"},"
		"\"if\":[{\"index\":1,\"alias\":\"tab\\there\"}]}]}";
	struct batch b;
	char err[256] = "";
	int rc = wire_decode_batch(body, strlen(body), &b, err, sizeof(err));
	if (rc)
		print_message("decode: %s\n", err);
	assert_int_equal(rc, 0);
	const struct dev_sample *d = &b.samples[0];
	assert_string_equal(b.probe, "p\xEF\xBF\xBD");
	assert_string_equal(d->commune, "Xã A\xEF\xBF\xBD" "B");
	assert_string_equal(d->device, "D\xEF\xBF\xBD" "E\xEF\xBF\xBD" "F");
	assert_string_equal(d->error, "\xEF\xBF\xBD[31mred");
	/* the C1 control U+009B (CSI) and DEL are replaced (one U+FFFD per byte is fine) */
	assert_true(utf8_is_clean(d->sys_descr));
	assert_null(strstr(d->sys_descr, "\xC2\x9B"));
	assert_null(strchr(d->sys_descr, 0x7F));
	assert_int_equal(strncmp(d->sys_descr, "C1\xEF\xBF\xBD", 5), 0);
	assert_non_null(strstr(d->sys_descr, "x\xEF\xBF\xBD"));
	assert_true(utf8_is_clean(d->sys_name));
	assert_non_null(strstr(d->sys_name, "lone"));
	assert_string_equal(d->ifs[0].alias, "tab\xEF\xBF\xBDhere");
	wire_batch_free(&b);
}

/* Profile groups: gauges, counters and texts of table rows travel intact; names, indexes and
 * duplicates are checked. */
static void group_rows(void **state)
{
	(void)state;
	struct dev_sample s;
	struct if_sample ifs[2];
	fill_up_sample(&s, ifs);
	struct metric_val v[4] = {
		{"level", MV_GAUGE, 42.5, 0, ""},
		{"errors", MV_COUNTER, 0, UINT64_MAX, ""},
		{"descr", MV_TEXT, 0, 0, "Black Cartridge \"507A\""},
		{"max", MV_GAUGE, -2, 0, ""},
	};
	struct group_row rows[2] = {
		{"supply", "1.1", "Black", 0, v, 4, NULL, 0},
		{"host", "", "", 1, v, 1, NULL, 0},
	};
	snprintf(s.cls, sizeof(s.cls), "printer");
	s.rows = rows;
	s.nrows = 2;
	size_t len;
	char *body = encode(&s, 1, "p", 1, &len);
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(body, len, &b, err, sizeof(err)), 0);
	free(body);
	const struct dev_sample *d = &b.samples[0];
	assert_string_equal(d->cls, "printer");
	assert_int_equal(d->nrows, 2);
	assert_string_equal(d->rows[0].group, "supply");
	assert_string_equal(d->rows[0].index, "1.1");
	assert_string_equal(d->rows[0].label, "Black");
	assert_int_equal(d->rows[0].nvals, 4);
	for (size_t i = 0; i < 4; i++) {
		const struct metric_val *m = NULL;
		for (size_t k = 0; k < 4; k++)
			if (strcmp(d->rows[0].vals[k].name, v[i].name) == 0)
				m = &d->rows[0].vals[k];
		assert_non_null(m);
		assert_int_equal(m->kind, v[i].kind);
		assert_true(m->gauge == v[i].gauge && m->counter == v[i].counter);
		assert_string_equal(m->text, v[i].text);
	}
	assert_null(d->rows[1].index);
	assert_string_equal(wire_row_index(&d->rows[1]), "");
	assert_int_equal(d->rows[0].nostore, 0);
	assert_int_equal(d->rows[1].nostore, 1);
	wire_batch_free(&b);

	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"Supply\"}]}", "groups[0]", "g: group names");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"if\"}]}", "groups[0]", "g: system and if");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"i\":\"1..2\"}]}", "groups[0]",
		  "i: expected an OID suffix");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"i\":\"../x\"}]}", "groups[0]", "i:");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"i\":\"1\\u00002\"}]}", "groups[0]", "i:");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"i\":12}]}", "groups[0]",
		  "i: expected a string");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"i\":\"1\"},{\"g\":\"s\",\"i\":\"1\"}]}",
		  "groups[1]", "i: the same group row appears twice");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"x\":\"1\"}}]}", "groups[0]",
		  "x: expected a number");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"c\":{\"x\":-1}}]}", "groups[0]",
		  "x: negative");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"x\":1},\"c\":{\"x\":1}}]}",
		  "groups[0]", "appears twice in one row");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"BAD\":1}}]}", "groups[0]",
		  "value names are");
	/* a JSON key is the sender's text: a control character in it does not reach a log line */
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"x\\u001b[2J\":\"1\"}}]}",
		  "groups[0]", "value names are");
	expect_sample_error("{" GOOD ",\"groups\":{}}", "groups: expected an array");
	/* 33 values in one row; then many small rows adding up past the batch's bound */
	struct strbuf sb;
	assert_int_equal(strbuf_init(&sb, 0), 0);
	strbuf_puts(&sb, "{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{");
	for (int i = 0; i < 33; i++)
		strbuf_printf(&sb, "%s\"m%d\":1", i ? "," : "", i);
	strbuf_puts(&sb, "}}]}");
	ROW_ERROR(sb.data, "groups[0]", "too many values in one row");
	sb.len = 0;
	strbuf_puts(&sb, "{" GOOD ",\"groups\":[");
	for (int i = 0; i < WIRE_MAX_ROWS; i++)
		strbuf_printf(&sb, "%s{\"g\":\"s\",\"i\":\"%d\",\"v\":{\"a\":1,\"b\":2,\"c\":3,"
			      "\"d\":4,\"e\":5,\"f\":6,\"g\":7,\"h\":8,\"j\":9,\"k\":10,\"l\":11,\"m\":12,"
			      "\"n\":13,\"o\":14,\"p\":15,\"q\":16,\"r\":17,\"s\":18,\"t\":19,\"u\":20,"
			      "\"w\":21,\"x\":22,\"y\":23,\"z\":24,\"aa\":25,\"ab\":26,\"ac\":27,\"ad\":28,"
			      "\"ae\":29,\"af\":30,\"ag\":31,\"ah\":32}}", i ? "," : "", i);
	strbuf_puts(&sb, "]}");
	/* one sample of 4096 rows x 32 values is within a row's and a sample's bounds but not
	 * within a batch's (131072 values), when two such samples come together */
	size_t one = sb.len;
	char *two = malloc(2 * one + 64);
	assert_non_null(two);
	int n = snprintf(two, 2 * one + 64, "{\"version\":1,\"probe\":\"p\",\"samples\":[%s,%s]}",
			 sb.data, sb.data);
	expect_body_error(two, (size_t)n, "too many group rows or values in one batch");
	free(two);
	strbuf_free(&sb);
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"x\":1e999}}]}", "groups[0]",
		  "x: not a finite number");
}

/* Enumerated values carry their MIB label beside the number (part "e"): round trip; "" says
 * the number is not one the MIB names. */
static void enum_labels_round_trip(void **state)
{
	(void)state;
	struct dev_sample s;
	struct if_sample ifs[2];
	fill_up_sample(&s, ifs);
	struct metric_val v[3] = {
		{"status", MV_GAUGE, 3, 0, ""},
		{"type", MV_TEXT, 0, 0, "1.3.6.1.2.1.25.3.1.5"},
		{"other", MV_GAUGE, 99, 0, ""},
	};
	struct metric_label lab[3] = {
		{"status", "failed"}, {"type", "hrDevicePrinter"}, {"other", ""}};
	struct group_row rows[1] = {{"hrdevice", "1", "", 0, v, 3, lab, 3}};
	s.rows = rows;
	s.nrows = 1;
	size_t len;
	char *body = encode(&s, 1, "p", 1, &len);
	assert_non_null(strstr(body, "\"e\":{\"status\":\"failed\",\"type\":\"hrDevicePrinter\","
				     "\"other\":\"\"}"));
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(body, len, &b, err, sizeof(err)), 0);
	free(body);
	const struct group_row *r = &b.samples[0].rows[0];
	assert_int_equal(r->nlabels, 3);
	assert_string_equal(wire_row_label(r, "status"), "failed");
	assert_string_equal(wire_row_label(r, "type"), "hrDevicePrinter");
	assert_string_equal(wire_row_label(r, "other"), "");
	assert_null(wire_row_label(r, "nothere"));
	wire_batch_free(&b);
	/* rows without labels (an older probe) are as before */
	static const char old[] = "{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":[{" GOOD
				  ",\"groups\":[{\"g\":\"poly\",\"v\":{\"status\":2}}]}]}";
	assert_int_equal(wire_decode_batch(old, strlen(old), &b, err, sizeof(err)), 0);
	assert_int_equal(b.samples[0].rows[0].nlabels, 0);
	assert_null(b.samples[0].rows[0].labels);
	wire_batch_free(&b);
}

/* A label from the wire is untrusted: a MIB label or "", naming a value of its row, once. */
static void enum_labels_checked(void **state)
{
	(void)state;
	char many[600];
	int n = snprintf(many, sizeof(many), "{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"a\":1},"
			 "\"e\":{\"a\":\"");
	for (int i = 0; i < WIRE_LABEL_MAX; i++)
		many[n++] = 'x';
	snprintf(many + n, sizeof(many) - (size_t)n, "\"}}]}");
	ROW_ERROR(many, "groups[0]", "e.a: expected an enumeration label");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"a\":1},\"e\":{\"a\":\"<b>x\"}}]}",
		  "groups[0]", "e.a: expected an enumeration label");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"a\":1},\"e\":{\"a\":\"1up\"}}]}",
		  "groups[0]", "e.a: expected an enumeration label");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"a\":1},\"e\":{\"a\":\"o k\"}}]}",
		  "groups[0]", "e.a: expected an enumeration label");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"a\":1},\"e\":{\"a\":\"ok\\u0000\"}}]}",
		  "groups[0]", "e.a: expected an enumeration label");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"a\":1},\"e\":{\"a\":2}}]}",
		  "groups[0]", "e.a: expected a string");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"a\":1},\"e\":{\"b\":\"ok\"}}]}",
		  "groups[0]", "e: labels name a gauge or text value of their row");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"c\":{\"a\":1},\"e\":{\"a\":\"ok\"}}]}",
		  "groups[0]", "e: labels name a gauge or text value");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"a\":1},"
		  "\"e\":{\"a\":\"ok\",\"b\":\"ok\"}}]}", "groups[0]", "e: more labels than values");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"e\":{\"a\":\"ok\"}}]}", "groups[0]",
		  "e: more labels than values");
	ROW_ERROR("{" GOOD ",\"groups\":[{\"g\":\"s\",\"v\":{\"a\":1},\"e\":[\"ok\"]}]}",
		  "groups[0]", "e: expected an object");
	assert_true(wire_valid_label("registraionFailure") && wire_valid_label("hrDevice-Other_2"));
	assert_false(wire_valid_label("") || wire_valid_label("-x") || wire_valid_label("é"));
}

static void long_text_is_cut_on_a_character(void **state)
{
	(void)state;
	/* 200 x "ệ" (600 bytes) in a 128-byte field */
	char body[2048], name[700];
	size_t o = 0;
	for (int i = 0; i < 200; i++) {
		memcpy(name + o, "ệ", 3);
		o += 3;
	}
	name[o] = '\0';
	snprintf(body, sizeof(body),
		 "{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":[{\"commune\":\"%s\","
		 "\"device\":\"D\",\"ts\":1700000000,\"up\":false}]}",
		 name);
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(body, strlen(body), &b, err, sizeof(err)), 0);
	size_t n = strlen(b.samples[0].commune);
	assert_true(n < WIRE_NAME_MAX);
	assert_true(n >= WIRE_NAME_MAX - 3);
	assert_int_equal(n % 3, 0);
	assert_true(utf8_is_clean(b.samples[0].commune));
	wire_batch_free(&b);
}

/* One up sample of device dev holding rows (no interfaces), through encode and decode. */
static void encode_rows_sample(struct dev_sample *s, const char *dev, struct group_row *rows,
			       size_t n)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->commune, sizeof(s->commune), "A");
	snprintf(s->device, sizeof(s->device), "%s", dev);
	s->ts = 1700000000;
	s->up = 1;
	s->rtt_ms = -1;
	s->rows = rows;
	s->nrows = n;
}

/* The probe formats a row's whole OID suffix; the longest SNMP can carry goes through. */
static void long_index_round_trips(void **state)
{
	(void)state;
	unsigned long sub[WIRE_INDEX_SUBIDS + 1];
	for (size_t i = 0; i < WIRE_INDEX_SUBIDS + 1; i++)
		sub[i] = 4294967295UL;
	char *idx120, *idx128, *idx129 = (char *)1, *none = (char *)1;
	assert_int_equal(wire_index_format(&idx120, sub, 120), 0);
	assert_int_equal(strlen(idx120), 120 * 10 + 119);
	assert_true(wire_valid_index(idx120));
	assert_int_equal(wire_index_format(&idx128, sub, 128), 0);
	assert_true(strlen(idx128) < WIRE_INDEX_MAX);
	assert_true(wire_valid_index(idx128));
	assert_int_equal(wire_index_format(&idx129, sub, 129), -1);
	assert_null(idx129);
	assert_int_equal(wire_index_format(&none, sub, 0), 0);
	assert_null(none);
	sub[0] = 0;
	sub[1] = 17;
	char *small;
	assert_int_equal(wire_index_format(&small, sub, 3), 0);
	assert_string_equal(small, "0.17.4294967295");

	struct metric_val v = {"used", MV_GAUGE, 5, 0, ""};
	struct group_row rows[3] = {
		{"disk", idx120, "", 0, &v, 1, NULL, 0},
		{"disk", idx128, "", 0, &v, 1, NULL, 0},
		{"disk", small, "", 0, &v, 1, NULL, 0},
	};
	struct dev_sample s;
	encode_rows_sample(&s, "D", rows, 3);
	size_t len;
	char *body = encode(&s, 1, "p", 1, &len);
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(body, len, &b, err, sizeof(err)), 0);
	assert_int_equal(b.nrefused, 0);
	assert_int_equal(b.samples[0].nrows, 3);
	assert_string_equal(b.samples[0].rows[0].index, idx120);
	assert_string_equal(b.samples[0].rows[1].index, idx128);
	assert_string_equal(b.samples[0].rows[2].index, small);
	wire_batch_free(&b);
	free(body);

	/* one sub-identifier more than SNMP allows: that row is refused, not cut */
	struct strbuf sb;
	assert_int_equal(strbuf_init(&sb, 0), 0);
	strbuf_printf(&sb, "{" GOOD ",\"groups\":[{\"g\":\"disk\",\"i\":\"%s.1\"},"
		      "{\"g\":\"disk\",\"i\":\"%s\"}]}", idx128, idx120);
	ROW_ERROR(sb.data, "groups[0]", "i: expected an OID suffix");
	strbuf_free(&sb);
	free(idx120);
	free(idx128);
	free(small);
}

/* Two rows of one table whose indexes differ only after 64 characters are two rows. */
static void rows_differing_late_both_kept(void **state)
{
	(void)state;
	char a[200], c[200];
	size_t o = 0;
	for (int i = 0; i < 40; i++)
		o += (size_t)snprintf(a + o, sizeof(a) - o, "%s%d", i ? "." : "", 65 + i % 26);
	assert_true(o > 64);
	memcpy(c, a, o + 1);
	snprintf(a + o, sizeof(a) - o, ".1");
	snprintf(c + o, sizeof(c) - o, ".2");
	struct metric_val v = {"used", MV_GAUGE, 5, 0, ""};
	struct group_row rows[2] = {{"disk", a, "", 0, &v, 1, NULL, 0},
				    {"disk", c, "", 0, &v, 1, NULL, 0}};
	struct dev_sample s;
	encode_rows_sample(&s, "D", rows, 2);
	size_t len;
	char *body = encode(&s, 1, "p", 1, &len);
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(body, len, &b, err, sizeof(err)), 0);
	assert_int_equal(b.refused_rows, 0);
	assert_int_equal(b.samples[0].nrows, 2);
	assert_string_equal(b.samples[0].rows[0].index, a);
	assert_string_equal(b.samples[0].rows[1].index, c);
	wire_batch_free(&b);
	free(body);
}

/* Good samples around a bad one, a bad row among good ones: the good are kept, the bad named. */
static void bad_parts_refused_alone(void **state)
{
	(void)state;
	static const char body[] =
		"{\"version\":1,\"probe\":\"p\",\"seq\":3,\"samples\":["
		"{\"commune\":\"A\",\"device\":\"sw1\",\"ts\":1700000000,\"up\":true,\"groups\":["
		"{\"g\":\"fan\",\"i\":\"1\",\"v\":{\"rpm\":900}},"
		"{\"g\":\"fan\",\"i\":\"1.\",\"v\":{\"rpm\":901}},"
		"{\"g\":\"fan\",\"i\":\"2\",\"v\":{\"rpm\":902}},"
		"{\"g\":\"fan\",\"i\":\"1\",\"v\":{\"rpm\":903}}]},"
		"{\"commune\":\"A\",\"device\":\"pc7\",\"ts\":17,\"up\":true},"
		"{\"commune\":\"B\",\"device\":\"pc8\",\"ts\":1700000000,\"up\":false}]}";
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(body, strlen(body), &b, err, sizeof(err)), 0);
	assert_int_equal(b.nsamples, 2);
	assert_string_equal(b.samples[0].device, "sw1");
	assert_string_equal(b.samples[1].device, "pc8");
	const struct dev_sample *sw = &b.samples[0];
	assert_int_equal(sw->nrows, 2);
	assert_string_equal(sw->rows[0].index, "1");
	assert_true(sw->rows[0].vals[0].gauge == 900); /* of two rows "1", the first is kept */
	assert_string_equal(sw->rows[1].index, "2");
	assert_int_equal(b.refused_samples, 1);
	assert_int_equal(b.refused_rows, 2);
	assert_int_equal(b.nrefused, 3);
	const struct wire_refusal *r = b.refused;
	assert_int_equal(r[0].kind, WR_GROUP_ROW);
	assert_string_equal(r[0].where, "samples[0].groups[1]");
	assert_string_equal(r[0].device, "sw1");
	assert_non_null(strstr(r[0].reason, "i: expected an OID suffix"));
	assert_string_equal(r[1].where, "samples[0].groups[3]");
	assert_string_equal(r[1].reason, "i: the same group row appears twice");
	assert_int_equal(r[2].kind, WR_SAMPLE);
	assert_string_equal(r[2].where, "samples[1]");
	assert_string_equal(r[2].commune, "A");
	assert_string_equal(r[2].device, "pc7");
	assert_string_equal(r[2].reason, "ts: out of range");
	wire_batch_free(&b);
	assert_null(b.refused);
	assert_int_equal(b.refused_rows, 0);
}

/* A sample refused whole is one refusal: the rows it dropped before are not listed too. */
static void refused_sample_stands_for_its_rows(void **state)
{
	(void)state;
	expect_sample_error("{" GOOD ",\"groups\":[{\"g\":\"s\",\"i\":\"x\"}],\"if\":{}}",
			    "if: expected an array");
}

/* Refusals are described up to a bound and counted beyond it. */
static void refusals_bounded(void **state)
{
	(void)state;
	struct strbuf sb;
	assert_int_equal(strbuf_init(&sb, 0), 0);
	strbuf_puts(&sb, "{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":[{" GOOD
		    ",\"groups\":[");
	for (int i = 0; i < 1000; i++)
		strbuf_printf(&sb, "%s{\"g\":\"s\",\"i\":\"%d..\"}", i ? "," : "", i);
	strbuf_puts(&sb, "]}");
	for (int i = 0; i < 100; i++)
		strbuf_puts(&sb, ",{\"commune\":\"A\"}");
	strbuf_puts(&sb, "]}");
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(sb.data, sb.len, &b, err, sizeof(err)), 0);
	assert_int_equal(b.nsamples, 1);
	assert_int_equal(b.samples[0].nrows, 0);
	assert_int_equal(b.refused_rows, 1000);
	assert_int_equal(b.refused_samples, 100);
	assert_int_equal(b.nrefused, WIRE_MAX_REFUSALS);
	assert_string_equal(b.refused[WIRE_MAX_REFUSALS - 1].where, "samples[0].groups[31]");
	wire_batch_free(&b);
	strbuf_free(&sb);
}

/* The batch's limits count every row it carries, good or bad: memory stays bounded. */
static void limits_count_bad_rows_too(void **state)
{
	(void)state;
	struct strbuf sb;
	assert_int_equal(strbuf_init(&sb, 0), 0);
	strbuf_puts(&sb, "{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":[");
	for (int k = 0; k < WIRE_MAX_BATCH_ROWS / WIRE_MAX_ROWS + 1; k++) {
		strbuf_printf(&sb, "%s{" GOOD ",\"groups\":[", k ? "," : "");
		for (int i = 0; i < WIRE_MAX_ROWS; i++)
			strbuf_printf(&sb, "%s{\"g\":\"S\"}", i ? "," : "");
		strbuf_puts(&sb, "]}");
	}
	strbuf_puts(&sb, "]}");
	expect_body_error(sb.data, sb.len, "too many group rows or values in one batch");
	/* and the number of samples */
	sb.len = 0;
	strbuf_puts(&sb, "{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":[");
	for (int k = 0; k < WIRE_MAX_SAMPLES + 1; k++)
		strbuf_printf(&sb, "%s{}", k ? "," : "");
	strbuf_puts(&sb, "]}");
	expect_body_error(sb.data, sb.len, "samples: too many samples in one batch");
	strbuf_free(&sb);
}

/* The classification's evidence (class_*) travels with an answering sample: the class, how
 * sure, why, the vendor, a change being confirmed, a change just made. */
static void class_evidence_round_trip(void **state)
{
	(void)state;
	struct dev_sample s[2];
	struct if_sample ifs[2];
	fill_up_sample(&s[0], ifs);
	snprintf(s[0].cls, sizeof(s[0].cls), "printer");
	snprintf(s[0].cls_auto, sizeof(s[0].cls_auto), "printer");
	s[0].cls_confidence = 92;
	snprintf(s[0].cls_why, sizeof(s[0].cls_why),
		 "prtMarkerSuppliesLevel answered; sysDescr names 'JetDirect'; vendor 11 (HP)");
	snprintf(s[0].cls_vendor, sizeof(s[0].cls_vendor), "HP");
	snprintf(s[0].cls_seen, sizeof(s[0].cls_seen), "camera");
	s[0].cls_seen_polls = 2;
	s[1] = s[0];
	s[1].ifs = NULL;
	s[1].nifs = 0;
	snprintf(s[1].device, sizeof(s[1].device), "Camera");
	snprintf(s[1].cls_auto, sizeof(s[1].cls_auto), "camera");
	s[1].cls_seen[0] = '\0';
	s[1].cls_seen_polls = 0;
	snprintf(s[1].cls_was, sizeof(s[1].cls_was), "printer");
	size_t len;
	char *body = encode(s, 2, "p", 1, &len);
	assert_non_null(strstr(body, "\"class_auto\":\"printer\",\"class_confidence\":92,"));
	struct batch b;
	char err[256] = "";
	assert_int_equal(wire_decode_batch(body, len, &b, err, sizeof(err)), 0);
	assert_int_equal(b.nsamples, 2);
	assert_int_equal(b.refused_rows, 0);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(b.samples[i].cls_auto, s[i].cls_auto);
		assert_int_equal(b.samples[i].cls_confidence, 92);
		assert_string_equal(b.samples[i].cls_why, s[i].cls_why);
		assert_string_equal(b.samples[i].cls_vendor, "HP");
		assert_string_equal(b.samples[i].cls_seen, s[i].cls_seen);
		assert_int_equal(b.samples[i].cls_seen_polls, s[i].cls_seen_polls);
		assert_string_equal(b.samples[i].cls_was, s[i].cls_was);
	}
	wire_batch_free(&b);
	free(body);

	/* a device the inventory gives a class (or an older probe): no evidence on the wire */
	fill_up_sample(&s[0], ifs);
	snprintf(s[0].cls_why, sizeof(s[0].cls_why), "left over");
	body = encode(s, 1, "p", 2, &len);
	assert_null(strstr(body, "class_"));
	assert_int_equal(wire_decode_batch(body, len, &b, err, sizeof(err)), 0);
	assert_string_equal(b.samples[0].cls_auto, "");
	assert_string_equal(b.samples[0].cls_why, "");
	wire_batch_free(&b);
	free(body);
}

#define CLS_ERROR(s1, needle) expect_part_error(s1, WR_CLASS, "samples[1]", needle)
#define AUTO "\"class_auto\":\"printer\",\"class_confidence\":80"

/* Hostile evidence is dropped alone (the sample's measures are kept), counted and named. */
static void class_evidence_checked(void **state)
{
	(void)state;
	CLS_ERROR("{" GOOD ",\"class_auto\":\"toaster\",\"class_confidence\":80}",
		  "class_auto: not a device class");
	CLS_ERROR("{" GOOD ",\"class_auto\":\"<b>pc</b>\",\"class_confidence\":80}",
		  "class_auto: not a device class");
	CLS_ERROR("{" GOOD ",\"class_auto\":7,\"class_confidence\":80}",
		  "class_auto: expected a string");
	CLS_ERROR("{" GOOD ",\"class_auto\":\"printer\"}", "class_confidence: missing");
	CLS_ERROR("{" GOOD ",\"class_auto\":\"printer\",\"class_confidence\":1000}",
		  "class_confidence: out of range");
	CLS_ERROR("{" GOOD ",\"class_auto\":\"printer\",\"class_confidence\":-1}",
		  "class_confidence: out of range");
	CLS_ERROR("{" GOOD ",\"class_auto\":\"printer\",\"class_confidence\":92.5}",
		  "class_confidence: expected an integer");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_seen\":\"fridge\",\"class_seen_polls\":1}",
		  "class_seen: not a device class");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_seen\":\"camera\"}", "class_seen_polls: missing");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_seen\":\"camera\",\"class_seen_polls\":4}",
		  "class_seen_polls: out of range");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_seen\":\"camera\",\"class_seen_polls\":0}",
		  "class_seen_polls: out of range");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_seen_polls\":2}", "given without class_seen");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_seen\":\"printer\",\"class_seen_polls\":2}",
		  "class_seen: the class the device already has");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_was\":\"printer\"}",
		  "class_was: the class the device still has");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_was\":\"Printer\"}", "class_was: not a device class");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_why\":[\"a\"]}", "class_why: expected a string");
	CLS_ERROR("{" GOOD "," AUTO ",\"class_vendor\":{}}", "class_vendor: expected a string");

	/* the dropped evidence leaves nothing behind; the rest of the sample is there */
	struct batch b;
	decode_pair("{" GOOD ",\"sys\":{\"name\":\"n\"},\"class_auto\":\"printer\","
		    "\"class_confidence\":1000,\"class_why\":\"w\",\"class_vendor\":\"HP\"}", &b);
	assert_int_equal(b.nsamples, 2);
	assert_string_equal(b.samples[1].sys_name, "n");
	assert_string_equal(b.samples[1].cls_auto, "");
	assert_string_equal(b.samples[1].cls_why, "");
	assert_string_equal(b.samples[1].cls_vendor, "");
	assert_int_equal(b.samples[1].cls_confidence, 0);
	wire_batch_free(&b);

	/* without class_auto the other members mean nothing and are not read */
	char err[256];
	assert_int_equal(decode_with("{" GOOD ",\"class_confidence\":1000}", err, sizeof(err)), 0);
	/* the edges allowed: 0 and 100 %, WIRE_CLASS_CONFIRM polls, "other" */
	assert_int_equal(decode_with("{" GOOD ",\"class_auto\":\"other\",\"class_confidence\":0}",
				     err, sizeof(err)),
			 0);
	assert_int_equal(decode_with("{" GOOD ",\"class_auto\":\"ups\",\"class_confidence\":100,"
				     "\"class_seen\":\"other\",\"class_seen_polls\":3,"
				     "\"class_was\":\"pc\"}",
				     err, sizeof(err)),
			 0);
}

/* A huge or hostile reason is cut to WIRE_TEXT_MAX on a character and cleaned; the vendor to
 * its own size. */
static void class_why_bounded(void **state)
{
	(void)state;
	struct strbuf s1;
	assert_int_equal(strbuf_init(&s1, 0), 0);
	strbuf_puts(&s1, "{" GOOD "," AUTO ",\"class_why\":\"<script>\\u0007");
	for (int i = 0; i < 20000; i++)
		strbuf_puts(&s1, "Máy in ");
	strbuf_puts(&s1, "\",\"class_vendor\":\"");
	for (int i = 0; i < 100; i++)
		strbuf_puts(&s1, "Ê");
	strbuf_puts(&s1, "\"}");
	struct batch b;
	decode_pair(s1.data, &b);
	assert_int_equal(b.nsamples, 2);
	assert_int_equal(b.refused_rows, 0);
	const struct dev_sample *d = &b.samples[1];
	assert_true(strlen(d->cls_why) < WIRE_TEXT_MAX && strlen(d->cls_why) > WIRE_TEXT_MAX - 8);
	assert_true(utf8_is_clean(d->cls_why));
	assert_int_equal(strncmp(d->cls_why, "<script>\xEF\xBF\xBDMáy in", 18), 0);
	assert_true(strlen(d->cls_vendor) < WIRE_VENDOR_MAX && utf8_is_clean(d->cls_vendor));
	wire_batch_free(&b);
	strbuf_free(&s1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(empty_batch),
		cmocka_unit_test(errors_name_the_field),
		cmocka_unit_test(u64_counter_not_an_integer),
		cmocka_unit_test(u64_counter_max_is_accepted),
		cmocka_unit_test(body_errors),
		cmocka_unit_test(bad_interface_entry_dropped_alone),
		cmocka_unit_test(text_is_sanitised),
		cmocka_unit_test(long_text_is_cut_on_a_character),
		cmocka_unit_test(group_rows),
		cmocka_unit_test(enum_labels_round_trip),
		cmocka_unit_test(enum_labels_checked),
		cmocka_unit_test(long_index_round_trips),
		cmocka_unit_test(rows_differing_late_both_kept),
		cmocka_unit_test(bad_parts_refused_alone),
		cmocka_unit_test(refused_sample_stands_for_its_rows),
		cmocka_unit_test(refusals_bounded),
		cmocka_unit_test(limits_count_bad_rows_too),
		cmocka_unit_test(class_evidence_round_trip),
		cmocka_unit_test(class_evidence_checked),
		cmocka_unit_test(class_why_bounded),
	};
	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
