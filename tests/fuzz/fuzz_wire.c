/*
 * The ingest batch body (POST /api/v1/ingest): wire_decode_batch, as the collector decodes what
 * a probe (or anyone with a probe's secret) sends. What it accepts is then encoded again the
 * way a probe encodes (wire_encode_sample, wire_encode_batch) and decoded once more: the
 * collector must take back all of it, and a second encoding must give the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "strbuf.h"
#include "wire.h"

/* The batch as a probe would post it; 0, or -1 when a buffer ran out (not a finding). */
static int encode(const struct batch *b, struct strbuf *body)
{
	struct strbuf samples;
	if (strbuf_init(&samples, 0) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < b->nsamples && rc == 0; i++) {
		if (i && strbuf_puts(&samples, ",") < 0)
			rc = -1;
		else
			rc = wire_encode_sample(&samples, &b->samples[i]);
	}
	if (rc == 0)
		rc = wire_encode_batch(body, b->probe, b->epoch, b->seq,
				       samples.data ? samples.data : "", samples.len);
	strbuf_free(&samples);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct batch b, again;
	char err[WIRE_TEXT_MAX + 64];

	fuzz_dir();
	if (wire_decode_batch((const char *)data, size, &b, err, sizeof(err)) < 0) {
		FUZZ_CHECK(b.samples == NULL && b.nsamples == 0 && b.refused == NULL,
			   "a refused batch keeps nothing");
		FUZZ_CHECK(err[0], "a refused batch says why");
		return 0;
	}
	FUZZ_CHECK(b.probe[0], "an accepted batch names its probe");
	FUZZ_CHECK(b.nrefused <= WIRE_MAX_REFUSALS, "%zu refusals described", b.nrefused);
	FUZZ_CHECK(b.nrefused <= b.refused_samples + b.refused_rows, "more described than counted");
	for (size_t i = 0; i < b.nsamples; i++) {
		const struct dev_sample *s = &b.samples[i];
		FUZZ_CHECK(s->commune[0] && s->device[0], "sample %zu without names", i);
		for (size_t r = 0; r < s->nrows; r++) {
			FUZZ_CHECK(wire_valid_metric(s->rows[r].group), "row group");
			FUZZ_CHECK(wire_valid_index(wire_row_index(&s->rows[r])), "row index");
			for (size_t v = 0; v < s->rows[r].nvals; v++)
				FUZZ_CHECK(wire_valid_metric(s->rows[r].vals[v].name), "value name");
		}
	}

	struct strbuf e1, e2;
	if (strbuf_init(&e1, 0) < 0 || strbuf_init(&e2, 0) < 0)
		abort();
	if (encode(&b, &e1) == 0) {
		int rc = wire_decode_batch(e1.data, e1.len, &again, err, sizeof(err));
		FUZZ_CHECK(rc == 0, "the collector refuses a probe's encoding: %s", err);
		FUZZ_CHECK(again.nsamples == b.nsamples && again.refused_samples == 0 &&
			       again.refused_rows == 0,
			   "re-decoded %zu of %zu samples, refused %zu samples and %zu rows: %s",
			   again.nsamples, b.nsamples, again.refused_samples, again.refused_rows,
			   again.nrefused ? again.refused[0].reason : "");
		if (encode(&again, &e2) == 0)
			FUZZ_CHECK(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0,
				   "a second encoding differs from the first");
		wire_batch_free(&again);
	}
	strbuf_free(&e1);
	strbuf_free(&e2);
	wire_batch_free(&b);
	return 0;
}
