/*
 * The inventory CSV (inventory_load), checked against a small fixed configuration (the unit
 * tests' site types and credentials). Every device it keeps must be found again by its names
 * and by their path forms, and each probe's assignment (assignment_csv, which the probe reads
 * back with inventory_load) must load without errors into the same devices: the probe compares
 * the two by digest and would otherwise start again at every post.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "config.h"
#include "errlist.h"
#include "fuzz_util.h"
#include "inventory.h"
#include "strbuf.h"

static const char conf_text[] =
	"[general]\n"
	"district = Huyện Thử\n"
	"inventory = inventory.csv\n"
	"credentials = credentials.conf\n"
	"default_probe = district\n"
	"\n"
	"[site-type one-stop]\n"
	"label_vi = Bộ phận một cửa\n"
	"pc = 2\n"
	"scanner = 1\n"
	"\n"
	"[site-type meeting-room]\n"
	"vc = 1\n";

static const char creds_text[] =
	"[office]\n"
	"version = 2c\n"
	"community = s3cret\n"
	"\n"
	"[old]\n"
	"version = 1\n"
	"community = public\n";

static struct hbmon_config *cfg;

static void load_config(void)
{
	char path[600];
	struct errlist errs = {0};
	fuzz_write(path, sizeof(path), "credentials.conf", creds_text, strlen(creds_text));
	fuzz_write(path, sizeof(path), "hbmon.conf", conf_text, strlen(conf_text));
	cfg = config_load(path, &errs);
	if (!cfg || errlist_count(&errs)) {
		errlist_print(&errs, stderr);
		abort();
	}
	errlist_free(&errs);
}

/* A probe's assignment, loaded back as the probe does, must give the same assignment. */
static void check_assignment(const struct inventory *inv, const char *probe)
{
	struct strbuf a1, a2;
	struct errlist errs = {0};
	char path[600];
	size_t n = 0;
	if (strbuf_init(&a1, 0) < 0 || strbuf_init(&a2, 0) < 0)
		abort();
	for (size_t i = 0; i < inv->ndevices; i++)
		n += strcmp(inv->devices[i].probe[0] ? inv->devices[i].probe : cfg->default_probe,
			    probe) == 0;
	if (assignment_csv(&a1, inv, probe, cfg->default_probe) == 0) {
		fuzz_write(path, sizeof(path), "assignment.csv", a1.data, a1.len);
		struct inventory *back = inventory_load(path, cfg, &errs);
		FUZZ_CHECK(back, "the assignment cannot be read back");
		FUZZ_CHECK(errlist_count(&errs) == 0, "the assignment of %s reads back with errors: %s",
			   probe, errs.n ? errs.msg[0] : "");
		FUZZ_CHECK(back->ndevices == n, "%zu devices assigned to %s, %zu read back", n, probe,
			   back->ndevices);
		FUZZ_CHECK(assignment_csv(&a2, back, probe, cfg->default_probe) == 0 &&
			       a1.len == a2.len && memcmp(a1.data, a2.data, a1.len) == 0,
			   "the assignment of %s read back differs", probe);
		inventory_free(back);
	}
	errlist_free(&errs);
	strbuf_free(&a1);
	strbuf_free(&a2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[600];
	struct errlist errs = {0};
	if (!cfg)
		load_config();
	fuzz_write(path, sizeof(path), "inventory.csv", data, size);
	struct inventory *inv = inventory_load(path, cfg, &errs);
	FUZZ_CHECK(inv, "a file that exists gives an inventory");

	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		FUZZ_CHECK(d->commune < inv->ncommunes && d->site < inv->nsites, "device %zu", i);
		FUZZ_CHECK(inv->sites[d->site].commune == d->commune, "device %zu's site", i);
		const struct inv_commune *c = &inv->communes[d->commune];
		FUZZ_CHECK(inventory_find(inv, c->name, d->name) == (long)i, "find device %zu", i);
		FUZZ_CHECK(inventory_find_path(inv, c->path, strlen(c->path), d->path,
					       strlen(d->path)) == (long)i,
			   "find device %zu by path", i);
	}

	/* the default probe's assignment, and that of each probe named (a few) */
	check_assignment(inv, cfg->default_probe);
	for (size_t i = 0, k = 0; i < inv->ndevices && k < 4; i++) {
		const char *p = inv->devices[i].probe;
		size_t j = 0;
		while (j < i && strcmp(inv->devices[j].probe, p) != 0)
			j++;
		if (!p[0] || j < i || strcmp(p, cfg->default_probe) == 0)
			continue;
		check_assignment(inv, p);
		k++;
	}
	inventory_free(inv);
	errlist_free(&errs);
	return 0;
}
