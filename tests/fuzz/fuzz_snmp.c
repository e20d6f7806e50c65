/*
 * SNMP values as the probe turns them into a sample: the poller's own code (probe/poller.c,
 * compiled into this file to reach its static parts) runs one poll of one device against an
 * "agent" made of the input. net-snmp's session calls are replaced: snmp_open gives a session
 * that sends nothing, snmp_send keeps the request, and the harness answers it with varbinds
 * read from the input (names that follow the request's columns or stray from them, any type,
 * any value, errors, short answers) through the poller's callback, until the poll ends or the
 * input does (a timeout). The sample the poll gives is then encoded as the probe posts it and
 * decoded as the collector does: all of it must be accepted.
 *
 * Input: byte 0 chooses SNMPv1 or v2c and the profile (or none: classify from the answers),
 * byte 1 the row limit (and the GETBULK size the device is remembered with); then per answer
 * a header byte (0xf0 and up: an error status and index; 0xef: a REPORT; bit 0x40: fewer
 * varbinds than asked, a count follows), for a GETBULK the repetitions, and per varbind a
 * control byte (bits 0-1 how the name is made, 2-5 the type, 6-7 the size of the value)
 * followed by what it needs. HBMON_FUZZ_SHOW=1 prints the sample.
 */
#include <net-snmp/net-snmp-config.h>

/* the engine's network calls, replaced below; the renaming also applies to net-snmp's
 * declarations, which poller.c includes */
#define snmp_open fuzz_snmp_open
#define snmp_send fuzz_snmp_send
#define snmp_close fuzz_snmp_close
#include "../../probe/poller.c"
#undef snmp_open
#undef snmp_send
#undef snmp_close

#include "fuzz_util.h"

static struct profiles *profiles;
static netsnmp_session fake_session;
static netsnmp_pdu *pending; /* the request the engine sent last, answered next */
static int next_reqid = 1;

netsnmp_session *fuzz_snmp_open(netsnmp_session *s)
{
	(void)s;
	memset(&fake_session, 0, sizeof(fake_session));
	return &fake_session;
}

int fuzz_snmp_close(netsnmp_session *s)
{
	(void)s;
	return 1;
}

/* Takes the request (net-snmp frees a sent PDU itself; here the harness does). */
int fuzz_snmp_send(netsnmp_session *s, netsnmp_pdu *pdu)
{
	(void)s;
	if (pending)
		snmp_free_pdu(pending);
	pending = pdu;
	pdu->reqid = next_reqid;
	return next_reqid++;
}

struct input {
	const uint8_t *d;
	size_t n, at;
};

static int more(const struct input *in) { return in->at < in->n; }
static unsigned byte(struct input *in) { return in->at < in->n ? in->d[in->at++] : 0; }

static uint64_t bytes_u64(struct input *in, int k)
{
	uint64_t v = 0;
	for (int i = 0; i < k; i++)
		v = v << 8 | byte(in);
	return v;
}

/* The sample must be one the collector takes, whole. */
static void on_done(void *ctx, const struct poll_target *t, const struct dev_sample *s)
{
	struct strbuf one, body;
	struct batch b;
	char err[300];
	(void)t;
	++*(int *)ctx;
	FUZZ_CHECK(s->nifs <= 1000 && s->nrows <= WIRE_MAX_ROWS, "%zu interfaces, %zu rows",
		   s->nifs, s->nrows);
	if (strbuf_init(&one, 0) < 0 || strbuf_init(&body, 0) < 0)
		abort();
	FUZZ_CHECK(wire_encode_sample(&one, s) == 0, "the sample cannot be encoded");
	if (getenv("HBMON_FUZZ_SHOW")) /* what an input makes, when run by hand */
		printf("%.*s\n", (int)one.len, one.data);
	FUZZ_CHECK(wire_encode_batch(&body, "district", 1, 1, one.data, one.len) == 0, "batch");
	FUZZ_CHECK(wire_decode_batch(body.data, body.len, &b, err, sizeof(err)) == 0,
		   "the collector refuses the batch: %s", err);
	FUZZ_CHECK(b.nsamples == 1 && b.refused_samples == 0 && b.refused_rows == 0,
		   "the collector refuses part of the sample: %s",
		   b.nrefused ? b.refused[0].reason : "");
	FUZZ_CHECK(b.samples[0].nrows == s->nrows && b.samples[0].nifs == (s->up ? s->nifs : 0),
		   "rows or interfaces lost");
	wire_batch_free(&b);
	strbuf_free(&one);
	strbuf_free(&body);
}

static const u_char types[16] = {
    ASN_INTEGER,       ASN_OCTET_STR,	  ASN_OBJECT_ID,	 ASN_COUNTER,
    ASN_GAUGE,	       ASN_TIMETICKS,	  ASN_COUNTER64,	 ASN_IPADDRESS,
    ASN_NULL,	       SNMP_NOSUCHOBJECT, SNMP_NOSUCHINSTANCE, SNMP_ENDOFMIBVIEW,
    ASN_OPAQUE,	       ASN_INTEGER,	  ASN_OCTET_STR,	 ASN_COUNTER,
};

/* One varbind after name (len): its type and value from the input. */
static void add_value(struct input *in, netsnmp_pdu *resp, const oid *name, size_t len,
		      unsigned ctl)
{
	u_char type = types[(ctl >> 2) & 15];
	unsigned size = ctl >> 6;
	netsnmp_variable_list *v = NULL;
	switch (type) {
	case ASN_INTEGER:
	case ASN_COUNTER:
	case ASN_GAUGE:
	case ASN_TIMETICKS: {
		long x = 0;
		v = snmp_varlist_add_variable(&resp->variables, name, len, type, &x, sizeof(x));
		/* set after: net-snmp's setter would cut it to 32 bits, a decoded one may not be */
		if (v)
			*v->val.integer = size == 0   ? (long)byte(in)
					  : size == 1 ? (long)(int8_t)byte(in)
					  : size == 2 ? (long)(int32_t)bytes_u64(in, 4)
						      : (long)bytes_u64(in, 8);
		return;
	}
	case ASN_COUNTER64: {
		struct counter64 c;
		c.high = (u_long)bytes_u64(in, size >= 2 ? 4 : 1);
		c.low = (u_long)bytes_u64(in, size >= 1 ? 4 : 1);
		snmp_varlist_add_variable(&resp->variables, name, len, type, &c, sizeof(c));
		return;
	}
	case ASN_OBJECT_ID: {
		oid o[MAX_OID_LEN];
		size_t n = byte(in) % (MAX_OID_LEN + 1);
		for (size_t i = 0; i < n; i++)
			o[i] = (oid)(size >= 2 ? bytes_u64(in, 4) : byte(in));
		snmp_varlist_add_variable(&resp->variables, name, len, type, o, n * sizeof(oid));
		return;
	}
	case ASN_OCTET_STR:
	case ASN_OPAQUE:
	case ASN_IPADDRESS: {
		u_char buf[1024];
		size_t n = type == ASN_IPADDRESS ? 4 : size == 3 ? byte(in) * 4u : byte(in);
		for (size_t i = 0; i < n; i++)
			buf[i] = (u_char)byte(in);
		snmp_varlist_add_variable(&resp->variables, name, len, type, buf, n);
		return;
	}
	default: /* NULL and the exceptions carry no value */
		snmp_varlist_add_variable(&resp->variables, name, len, type, NULL, 0);
		return;
	}
}

/* The agent's answer to req, or NULL for no answer (the input is spent: a timeout). */
static netsnmp_pdu *answer(struct input *in, const netsnmp_pdu *req)
{
	static oid prev[256][MAX_OID_LEN];
	static size_t prevlen[256], reqlen[256];
	if (!more(in))
		return NULL;
	unsigned h = byte(in);
	netsnmp_pdu *resp = snmp_pdu_create(SNMP_MSG_RESPONSE);
	if (!resp)
		abort();
	resp->reqid = req->reqid;
	resp->errstat = SNMP_ERR_NOERROR; /* a new PDU has -1, "not set": no answer has that */
	resp->errindex = 0;
	if (h >= 0xf0) {
		static const long errs[] = {SNMP_ERR_TOOBIG,   SNMP_ERR_NOSUCHNAME,
					    SNMP_ERR_BADVALUE, SNMP_ERR_GENERR,
					    SNMP_ERR_NOACCESS, SNMP_ERR_NOSUCHNAME,
					    SNMP_ERR_TOOBIG,   SNMP_ERR_AUTHORIZATIONERROR};
		resp->errstat = errs[h & 7];
		resp->errindex = (long)(byte(in) % 40);
	} else if (h == 0xef) {
		resp->command = SNMP_MSG_REPORT;
	}
	size_t nreq = 0;
	for (const netsnmp_variable_list *v = req->variables; v && nreq < 256;
	     v = v->next_variable, nreq++) {
		prevlen[nreq] = reqlen[nreq] = v->name_length;
		memcpy(prev[nreq], v->name, v->name_length * sizeof(oid));
	}
	if (!nreq)
		return resp;
	size_t reps = 1;
	if (req->command == SNMP_MSG_GETBULK && req->max_repetitions > 0)
		reps = 1 + byte(in) % (size_t)req->max_repetitions;
	size_t nvars = nreq * reps;
	if (h & 0x40) /* an agent that answers fewer than asked */
		nvars = byte(in) % (nvars + 1);
	for (size_t i = 0; i < nvars && more(in); i++) {
		size_t c = i % nreq;
		unsigned ctl = byte(in);
		oid name[MAX_OID_LEN];
		size_t len = prevlen[c];
		memcpy(name, prev[c], len * sizeof(oid));
		switch (ctl & 3) {
		case 0: /* the next row: one sub-identifier more, or the last one moved on */
			if (len == reqlen[c] || len < 2) {
				if (len < MAX_OID_LEN)
					name[len++] = 1 + byte(in) % 8;
			} else {
				name[len - 1] += 1 + byte(in) % 4;
			}
			break;
		case 1: /* the very name asked (a GET's instance) */
			break;
		case 2: /* a longer index: n sub-identifiers appended */
			for (unsigned k = 1 + byte(in) % 4; k > 0 && len < MAX_OID_LEN; k--) {
				unsigned x = byte(in);
				name[len++] = x == 255 ? (oid)bytes_u64(in, 4) : x;
			}
			break;
		default: /* anywhere: a prefix of the name, then sub-identifiers of the input */
			len = len ? byte(in) % (len + 1) : 0;
			for (unsigned k = byte(in) % 8; k > 0 && len < MAX_OID_LEN; k--)
				name[len++] = byte(in);
			break;
		}
		prevlen[c] = len;
		memcpy(prev[c], name, len * sizeof(oid));
		add_value(in, resp, name, len, ctl);
	}
	return resp;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int max_rows[4] = {3, 16, 100, 1000};
	struct input in = {data, size, 0};
	struct snmp_cred cred;
	struct poll_memory mem;
	int done = 0;

	if (!profiles) {
		struct errlist errs = {0};
		fuzz_dir();
		poller_lib_init("hbmon-fuzz");
		profiles = profiles_load(FUZZ_SRCDIR "/profiles", &errs);
		if (!profiles || errlist_count(&errs)) {
			errlist_print(&errs, stderr);
			abort();
		}
		errlist_free(&errs);
	}
	unsigned b0 = byte(&in), b1 = byte(&in);
	memset(&cred, 0, sizeof(cred));
	snprintf(cred.name, sizeof(cred.name), "office");
	snprintf(cred.community, sizeof(cred.community), "public");
	cred.version = b0 & 1 ? 1 : 2;
	memset(&mem, 0, sizeof(mem));
	mem.max_reps = (int)(b1 >> 2) % 16;
	size_t k = (b0 >> 1) % (profiles->np + 1);
	struct poller_opts o = {1000, 0, max_rows[b1 & 3], 0, profiles};
	struct poll_target t = {"Xã Tân Phú", "Máy tính 1", "192.0.2.1", 161, &cred,
				k ? &profiles->p[k - 1] : NULL, &mem, -1, 0, NULL, NULL};
	struct poller *p = poller_new(&o, on_done, &done);
	if (!p)
		abort();
	poller_start(p, &t);
	struct job *j = p->jobs;
	while (j && !j->done && pending) {
		netsnmp_pdu *req = pending, *resp = answer(&in, req);
		pending = NULL;
		if (!resp)
			on_response(NETSNMP_CALLBACK_OP_TIMED_OUT, &fake_session, j->reqid, NULL, j);
		else
			on_response(NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE, &fake_session, j->reqid,
				    resp, j);
		snmp_free_pdu(resp);
		snmp_free_pdu(req);
	}
	/* waiting with nothing asked (a report net-snmp would act on): the loop's stall check */
	if (j && !j->done)
		finish(j, j->s.up ? "no answer during walk" : "no answer");
	FUZZ_CHECK(done == 1, "the poll reported %d samples", done);
	if (pending) {
		snmp_free_pdu(pending);
		pending = NULL;
	}
	poller_free(p);
	return 0;
}
