/*
 * An ingest batch as the collector takes it in whole (ingest_batch): decoded, checked against a
 * small fixed inventory, applied to the device states and turned into the RRD updates the
 * writer thread would store (not written here). The input is the batch body, then optionally
 * after a line "%%" the probe's X-Hbmon-Spool header (probestat_spool). An input of even length
 * comes with probe "district"'s credential, an odd one is a local import (no probe).
 * Every update must name a file under the data folder, in its commune's and device's folder,
 * with no "." or ".." component, ending in ".rrd", and carry its values.
 * State, probe records and group layouts start afresh for each input. HBMON_FUZZ_SHOW=1 prints
 * the answer and the updates.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errlist.h"
#include "fuzz_util.h"
#include "ingest.h"

static const char conf_text[] =
	"[general]\n"
	"inventory = inventory.csv\n"
	"credentials = credentials.conf\n"
	"data_dir = data\n"
	"default_probe = district\n"
	"[site-type one-stop]\n"
	"pc = 1\n";

static const char creds_text[] = "[office]\nversion = 2c\ncommunity = s3cret\n";

/* names that become paths: escapes, a slash, dots, a long one (cut and hashed) */
static const char inv_text[] =
	"commune,site,site_type,device,class,address,snmp,contact,probe\n"
	"Xã Tân Phú,Một cửa,one-stop,Máy tính 1,pc,192.0.2.1,office,,\n"
	"Xã Tân Phú,Một cửa,one-stop,Máy in,printer,192.0.2.2,office,,\n"
	"Xã Tân Phú,Một cửa,one-stop,Máy quét,,192.0.2.3,office,,\n"
	"Xã An Bình,Một cửa,one-stop,..,pc,192.0.2.4,office,,\n"
	"Xã An Bình,Một cửa,one-stop,a/../b,pc,192.0.2.5,office,,\n"
	"Xã An Bình,Một cửa,one-stop,Máy tính của phòng tiếp nhận và trả kết quả số một "
	"(tầng hai bên trái cạnh cửa sổ),pc,192.0.2.6,office,,\n"
	"Xã An Bình,Một cửa,one-stop,Poly,vc,192.0.2.7,office,,north\n";

static struct hbmon_config *cfg;
static struct inventory *inv;
static struct rrdstore *rrd;
static struct probestat probes;

static time_t fixed_now(void) { return 1764900000; }

static void setup(void)
{
	char path[600];
	struct errlist errs = {0};
	fuzz_write(path, sizeof(path), "credentials.conf", creds_text, strlen(creds_text));
	fuzz_write(path, sizeof(path), "inventory.csv", inv_text, strlen(inv_text));
	fuzz_write(path, sizeof(path), "hbmon.conf", conf_text, strlen(conf_text));
	cfg = config_load(path, &errs);
	if (cfg)
		inv = inventory_load(cfg->inventory, cfg, &errs);
	rrd = inv ? rrdstore_new(cfg->data_dir, 60) : NULL;
	if (!rrd || errlist_count(&errs)) {
		errlist_print(&errs, stderr);
		abort();
	}
	errlist_free(&errs);
}

/* An update's file: "<base>/<commune>/<device>/<stem>.rrd", each part a plain name. */
static void check_path(const char *p)
{
	const char *base = rrdstore_base(rrd);
	size_t bl = strlen(base), n = strlen(p);
	FUZZ_CHECK(strncmp(p, base, bl) == 0 && p[bl] == '/', "%s: not under %s", p, base);
	FUZZ_CHECK(n > 4 && strcmp(p + n - 4, ".rrd") == 0, "%s: not an .rrd file", p);
	int parts = 0;
	for (const char *s = p + bl + 1; *s; parts++) {
		size_t k = strcspn(s, "/");
		FUZZ_CHECK(k > 0 && !(k == 1 && s[0] == '.') && !(k == 2 && s[0] == '.' && s[1] == '.'),
			   "%s: an empty, . or .. component", p);
		FUZZ_CHECK(k <= 255, "%s: a component longer than a file name may be", p);
		s += k + (s[k] == '/');
	}
	FUZZ_CHECK(parts == 3, "%s: %d components under the data folder", p, parts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[2];
	size_t len[2];
	char err[300], header[256] = "";
	struct state st;
	struct ingest in;
	struct ingest_job job;
	enum dev_class cls[16];

	if (!cfg)
		setup();
	size_t np = fuzz_split(data, size, part, len, 2);
	if (np == 2)
		snprintf(header, sizeof(header), "%.*s", (int)len[1], (const char *)part[1]);
	if (state_init(&st, inv->ndevices) < 0)
		abort();
	memset(&probes, 0, sizeof(probes));
	memset(&in, 0, sizeof(in));
	memset(&job, 0, sizeof(job));
	in.inv = inv;
	in.state = &st;
	in.rrd = rrd;
	in.now = fixed_now;
	in.default_probe = cfg->default_probe;
	in.probes = &probes;
	in.max_ahead = 30;
	in.max_files = 40;
	in.new_files_per_minute = 10000000; /* the rate is timed: not reached, for repeatability */
	in.groups = groupdefs_new();
	if (!in.groups)
		abort();
	for (size_t i = 0; i < inv->ndevices && i < 16; i++)
		cls[i] = inv->devices[i].cls; /* a device without a class learns the probe's */

	const char *probe = size % 2 ? NULL : "district";
	if (probe && header[0])
		probestat_spool(probestat_get(&probes, probe), header);
	long n = ingest_batch(&in, "192.0.2.50", probe, (const char *)part[0], len[0], &job, err,
			      sizeof(err));
	if (getenv("HBMON_FUZZ_SHOW")) { /* what an input makes, when run by hand */
		printf("%ld: %s\n", n, n >= 0 ? job.answer : err);
		for (size_t i = 0; n >= 0 && i < job.n; i++)
			printf("  %s %s\n", job.u[i].path, job.u[i].vals);
	}
	if (n >= 0) {
		FUZZ_CHECK(job.answer != NULL, "no answer for the probe");
		FUZZ_CHECK((size_t)n == job.ndevs && n == job.accepted, "accepted %ld, %zu devices",
			   n, job.ndevs);
		for (size_t i = 0; i < job.n; i++) {
			FUZZ_CHECK(job.u[i].path && job.u[i].vals && job.u[i].def, "update %zu", i);
			check_path(job.u[i].path);
			FUZZ_CHECK(job.u[i].vals[0], "update %zu without values", i);
		}
		for (size_t i = 0; i < job.ndevs; i++)
			FUZZ_CHECK(job.devs[i] < inv->ndevices, "device %zu", job.devs[i]);
	}
	ingest_job_free(&job);
	groupdefs_free(in.groups);
	state_free(&st);
	for (size_t i = 0; i < inv->ndevices && i < 16; i++)
		inv->devices[i].cls = cls[i];
	return 0;
}
