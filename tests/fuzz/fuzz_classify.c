/*
 * What a device says about itself, as the probe classifies it (classify_device and
 * classify_input, with the installed classify.conf, vendors.conf and profiles): the input is
 * byte 0 (which of the `has` OIDs the agent answered), then sysObjectID up to the first
 * newline, then sysDescr (any bytes, any length). The same bytes also make the answers of the
 * value tests (each slot's type, number and bytes from a window of the input) and the vendor
 * subtrees that answered. The result must be a class, a confidence of 0 to 100 and reasons that
 * are clean text made from the rule files only (they are shown on pages and in logs), and the
 * NULL and empty variants must not differ in kind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "errlist.h"
#include "fuzz_util.h"
#include "profile.h"
#include "strbuf.h"

static struct profiles *profiles;

static void check(const struct cls_result *r)
{
	char why[CLS_WHY_MAX * CLS_WHY_LEN], tiny[7];
	FUZZ_CHECK(r->cls[0] && memchr(r->cls, '\0', sizeof(r->cls)), "no class");
	FUZZ_CHECK(r->confidence >= 0 && r->confidence <= 100, "confidence %d", r->confidence);
	FUZZ_CHECK(r->nwhy >= 0 && r->nwhy <= CLS_WHY_MAX, "%d reasons", r->nwhy);
	for (int i = 0; i < r->nwhy; i++)
		FUZZ_CHECK(memchr(r->why[i], '\0', CLS_WHY_LEN) && utf8_is_clean(r->why[i]),
			   "reason %d is not clean text", i);
	FUZZ_CHECK(memchr(r->vendor, '\0', sizeof(r->vendor)) && utf8_is_clean(r->vendor),
		   "vendor");
	classify_why(r, why, sizeof(why));
	FUZZ_CHECK(utf8_is_clean(why), "reasons joined");
	classify_why(r, tiny, sizeof(tiny));
	FUZZ_CHECK(strlen(tiny) < sizeof(tiny), "reasons cut");
}

/* Answers of every type from the input's bytes: numbers at their extremes, text of any bytes
 * and length (len may claim more than text holds), OIDs as the input spells them. */
static void make_answers(const uint8_t *data, size_t size, struct cls_answer *ans,
			 unsigned long *sub, size_t *nsub)
{
	for (size_t i = 0; i < PROF_HAS_MAX; i++) {
		struct cls_answer *a = &ans[i];
		size_t at = size ? (i * 7) % size : 0, n = size - at;
		memset(a, 0, sizeof(*a));
		a->answered = size > at && (data[at] & 1);
		a->type = (unsigned char)(size > at ? data[at] % 5 : 0);
		a->cut = size > at && (data[at] & 0x20);
		long long num = 0;
		for (size_t k = 0; k < 8 && k < n; k++)
			num = (long long)(((unsigned long long)num << 8) | data[at + k]);
		a->num = num;
		a->len = (unsigned char)(n > 255 ? 255 : n);
		memcpy(a->text, data + at, n < sizeof(a->text) ? n : sizeof(a->text));
		if (a->type == CLS_V_OID)
			a->text[sizeof(a->text) - 1] = '\0'; /* OIDs are kept terminated */
	}
	*nsub = size % (CLS_PROBE_MAX + 3);
	for (size_t i = 0; i < *nsub; i++)
		sub[i] = i < size ? (unsigned long)data[i] * 4099UL : 39165UL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cls_result r;
	unsigned char has[32];

	if (!profiles) {
		struct errlist errs = {0};
		fuzz_dir();
		profiles = profiles_load(FUZZ_SRCDIR "/profiles", &errs);
		if (!profiles || errlist_count(&errs)) {
			errlist_print(&errs, stderr);
			abort();
		}
		errlist_free(&errs);
	}
	if (size == 0)
		return 0;
	for (size_t i = 0; i < sizeof(has); i++)
		has[i] = (data[0] >> (i % 8)) & 1;
	/* the two strings as C strings, as the poller holds them (a NUL ends sysDescr early) */
	char *text = malloc(size);
	if (!text)
		abort();
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	char *nl = memchr(text, '\n', size - 1);
	const char *oid = text, *descr = "";
	if (nl) {
		*nl = '\0';
		descr = nl + 1;
	}
	classify_device(profiles, oid, descr, has, profiles->nhas, &r);
	check(&r);
	classify_device(profiles, oid, descr, NULL, 0, &r);
	check(&r);
	classify_device(profiles, NULL, descr, has, profiles->nhas, &r);
	check(&r);
	classify_device(profiles, oid, NULL, NULL, 0, &r);
	check(&r);
	struct cls_answer ans[PROF_HAS_MAX];
	unsigned long sub[CLS_PROBE_MAX + 3];
	size_t nsub;
	make_answers(data, size, ans, sub, &nsub);
	struct cls_input in = {oid, descr, ans, profiles->nhas, sub, nsub, NULL, NULL};
	classify_input(profiles, &in, &r);
	check(&r);
	(void)cls_names_no_maker(profiles, oid);
	classify_device(NULL, oid, descr, NULL, 0, &r);
	FUZZ_CHECK(strcmp(r.cls, "other") == 0, "no rules, yet class %s", r.cls);
	free(text);
	return 0;
}
