/*
 * Device-class profiles and classification rules (profiles_load): the input is a folder of
 * files, one after another, each after a line "%%": classify.conf, generic.conf, if-mib.conf,
 * host-system.conf, host-device.conf, printer-mib.conf, printer.conf, pc.conf (so includes,
 * diamonds and cycles between them are reached), vendors.conf, enums.conf. What loads must hold
 * together: every enum metric with its labels (enum_label_* give a label or ""),
 * indexes of metrics, labels, filters and `has` slots within bounds, each rule matches the very
 * text it tests, and the weighing classifier (classify_device) gives a class and reasons for it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "enums.h"
#include "errlist.h"
#include "fuzz_util.h"
#include "profile.h"

#define NFILES 10

static void check(const struct profiles *ps)
{
	for (size_t i = 0; i < ps->np; i++) {
		const struct profile *p = &ps->p[i];
		FUZZ_CHECK(p->max_reps >= 1 && p->max_reps <= 100, "max_reps %d", p->max_reps);
		for (int r = 0; r < IFR_COUNT; r++)
			FUZZ_CHECK(p->ifcol[r].len <= PROF_OID_MAX, "interface column");
		for (size_t g = 0; g < p->ngroups; g++) {
			const struct prof_group *pg = p->groups[g];
			FUZZ_CHECK(pg->nm <= 32, "%zu metrics", pg->nm);
			FUZZ_CHECK(pg->label < (int)pg->nm && pg->keep < (int)pg->nm, "label, keep");
			FUZZ_CHECK(pg->nkeep <= 15, "%zu keep values", pg->nkeep);
			for (size_t m = 0; m < pg->nm; m++) {
				const struct prof_metric *pm = &pg->m[m];
				FUZZ_CHECK(pm->name[0], "metric name");
				if (pm->type == PM_PERCENT || pm->type == PM_PRODUCT)
					FUZZ_CHECK(pm->a >= 0 && pm->a < (int)m && pm->b >= 0 &&
						       pm->b < (int)m,
						   "operands of %s", pm->name);
				else
					FUZZ_CHECK(pm->oid.len >= 2 && pm->oid.len <= PROF_OID_MAX,
						   "oid of %s", pm->name);
				if (pm->en) {
					FUZZ_CHECK(pm->en->n >= 1 && pm->en->oid_keyed == (pm->type == PM_OID),
						   "labels of %s", pm->name);
					const char *l = pm->en->oid_keyed
							    ? enum_label_oid(pm->en, pm->en->v[0].oid)
							    : enum_label_num(pm->en, pm->en->v[0].num);
					FUZZ_CHECK(wire_valid_label(l), "label of %s", pm->name);
				}
			}
		}
	}
	unsigned char has[64];
	memset(has, 0, sizeof(has));
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct class_rule *r = &ps->rules[i];
		if (r->kind == RULE_HAS) {
			FUZZ_CHECK(r->has_slot >= 0 && (size_t)r->has_slot < ps->nhas &&
				       ps->nhas <= sizeof(has),
				   "has slot %d of %zu", r->has_slot, ps->nhas);
			has[r->has_slot] = 1;
			FUZZ_CHECK(profiles_classify(ps, "", "", has) != NULL, "has rule");
			has[r->has_slot] = 0;
		} else {
			const char *t = r->text;
			const struct class_rule *got =
			    profiles_classify(ps, r->kind == RULE_OBJECTID ? t : "",
					      r->kind == RULE_DESCR ? t : "", has);
			FUZZ_CHECK(got != NULL, "rule %zu does not match its own text", i);
		}
	}
	profiles_find(ps, "generic");
	profiles_find(ps, "printer");
	/* the weighing classifier, on each rule's own text */
	for (size_t i = 0; i < ps->nrules; i++) {
		const struct class_rule *r = &ps->rules[i];
		struct cls_result res;
		classify_device(ps, r->kind == RULE_OBJECTID ? r->text : "1.3.6.1.4.1.9.1.1",
				r->kind == RULE_DESCR ? r->text : NULL, has, ps->nhas, &res);
		FUZZ_CHECK(res.cls[0] && res.nwhy >= 0 && res.nwhy <= CLS_WHY_MAX &&
			       res.confidence >= 0 && res.confidence <= 100,
			   "classified by rule %zu: \"%s\", %d reasons, %d %%", i, res.cls, res.nwhy,
			   res.confidence);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[NFILES] = {
	    "classify.conf",	"generic.conf",	    "if-mib.conf", "host-system.conf",
	    "host-device.conf", "printer-mib.conf", "printer.conf", "pc.conf",
	    "vendors.conf",	"enums.conf"};
	static char dir[600];
	const uint8_t *part[NFILES];
	size_t len[NFILES];
	char path[700];
	struct errlist errs = {0};

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/profiles", fuzz_dir());
		if (mkdir(dir, 0700) < 0)
			abort();
	}
	size_t np = fuzz_split(data, size, part, len, NFILES);
	for (size_t i = 0; i < NFILES; i++) {
		char name[64];
		snprintf(name, sizeof(name), "profiles/%s", names[i]);
		if (i < np) {
			fuzz_write(path, sizeof(path), name, part[i], len[i]);
		} else {
			/* not in this input: not left over from the one before */
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
	}
	struct profiles *ps = profiles_load(dir, &errs);
	FUZZ_CHECK(ps, "profiles_load gives NULL only without memory");
	check(ps);
	profiles_free(ps);
	errlist_free(&errs);
	return 0;
}
