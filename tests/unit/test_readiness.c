#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "inventory.h"
#include "readiness.h"
#include "state.h"

#define NOW 1700000000
#define STALE 180

/*
 * Two communes: A has a one-stop site (pc=2 scanner=1) and a meeting room (vc=1); B has a
 * one-stop site and a storeroom whose type has no targets.
 */
enum { C_A, C_B };
enum { S_A_ONESTOP, S_A_MEETING, S_B_ONESTOP, S_B_STORE, NSITES };
enum { D_A_PC1, D_A_PC2, D_A_PC3, D_A_SCAN, D_A_VC, D_B_PC1, D_B_PC2, D_B_SCAN, D_B_UPS,
       NDEV };

struct fx {
	struct hbmon_config cfg;
	struct site_type types[3];
	struct inventory inv;
	struct inv_commune communes[2];
	struct inv_site sites[NSITES];
	struct inv_device devices[NDEV];
	struct state st;
};

static void add_target(struct site_type *t, enum dev_class c, int n)
{
	t->targets[t->ntargets].cls = c;
	t->targets[t->ntargets].min_up = n;
	t->ntargets++;
}

static void device(struct fx *fx, size_t i, const char *name, enum dev_class c, size_t site,
		   int polled)
{
	struct inv_device *d = &fx->devices[i];
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->cls = c;
	d->site = site;
	d->commune = fx->sites[site].commune;
	d->port = 161;
	if (polled) {
		snprintf(d->host, sizeof(d->host), "192.0.2.%zu", i + 1);
		snprintf(d->cred, sizeof(d->cred), "office");
	}
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	fx->cfg.stale_after = STALE;
	snprintf(fx->types[0].name, CFG_NAME_MAX, "one-stop");
	add_target(&fx->types[0], CLS_PC, 2);
	add_target(&fx->types[0], CLS_SCANNER, 1);
	snprintf(fx->types[1].name, CFG_NAME_MAX, "meeting-room");
	add_target(&fx->types[1], CLS_VC, 1);
	snprintf(fx->types[2].name, CFG_NAME_MAX, "store");
	fx->cfg.site_types = fx->types;
	fx->cfg.nsite_types = 3;

	snprintf(fx->communes[C_A].name, INV_NAME_MAX, "Xã A");
	snprintf(fx->communes[C_B].name, INV_NAME_MAX, "Xã B");
	static const struct { const char *name, *type; size_t commune; } sites[NSITES] = {
		{"Một cửa", "one-stop", C_A},
		{"Phòng họp", "meeting-room", C_A},
		{"Một cửa", "one-stop", C_B},
		{"Kho", "store", C_B},
	};
	for (size_t s = 0; s < NSITES; s++) {
		snprintf(fx->sites[s].name, INV_NAME_MAX, "%s", sites[s].name);
		snprintf(fx->sites[s].type, CFG_NAME_MAX, "%s", sites[s].type);
		fx->sites[s].commune = sites[s].commune;
	}
	device(fx, D_A_PC1, "PC 1", CLS_PC, S_A_ONESTOP, 1);
	device(fx, D_A_PC2, "PC 2", CLS_PC, S_A_ONESTOP, 1);
	device(fx, D_A_PC3, "PC 3", CLS_PC, S_A_ONESTOP, 1);
	device(fx, D_A_SCAN, "Scanner", CLS_SCANNER, S_A_ONESTOP, 1);
	device(fx, D_A_VC, "VC", CLS_VC, S_A_MEETING, 1);
	device(fx, D_B_PC1, "PC 1", CLS_PC, S_B_ONESTOP, 1);
	device(fx, D_B_PC2, "PC 2", CLS_PC, S_B_ONESTOP, 0);
	device(fx, D_B_SCAN, "Scanner", CLS_SCANNER, S_B_ONESTOP, 1);
	device(fx, D_B_UPS, "UPS", CLS_UPS, S_B_STORE, 1);

	fx->inv.communes = fx->communes;
	fx->inv.ncommunes = 2;
	fx->inv.sites = fx->sites;
	fx->inv.nsites = NSITES;
	fx->inv.devices = fx->devices;
	fx->inv.ndevices = NDEV;
	if (state_init(&fx->st, NDEV) < 0) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	state_free(&fx->st);
	free(fx);
	return 0;
}

static void apply(struct fx *fx, size_t i, int up, time_t ts)
{
	struct dev_sample s;
	memset(&s, 0, sizeof(s));
	snprintf(s.commune, sizeof(s.commune), "%s", fx->communes[fx->devices[i].commune].name);
	snprintf(s.device, sizeof(s.device), "%s", fx->devices[i].name);
	s.ts = ts;
	s.up = up;
	s.rtt_ms = up ? 5 : -1;
	if (!up)
		snprintf(s.error, sizeof(s.error), "timeout");
	state_apply(&fx->st, i, &s);
}

static void eval(struct fx *fx, struct readiness *r)
{
	struct readiness_input in = {&fx->cfg, &fx->inv, &fx->st, NOW, NULL};
	assert_int_equal(readiness_eval(r, &in), 0);
	assert_int_equal(r->nsites, NSITES);
	assert_int_equal(r->ncommunes, 2);
	assert_int_equal(r->at, NOW);
}

static void check_target(const struct site_result *sr, int k, enum dev_class c, int need,
			 int up, int total, enum verdict v)
{
	assert_true(k < sr->ntargets);
	const struct target_result *t = &sr->targets[k];
	assert_int_equal(t->kind, TK_CLASS_MIN_UP);
	assert_int_equal(t->cls, c);
	assert_int_equal(t->need, need);
	assert_int_equal(t->up, up);
	assert_int_equal(t->total, total);
	assert_int_equal(t->v, v);
}

static void district_judged(void **state)
{
	struct fx *fx = *state;
	apply(fx, D_A_PC1, 1, NOW - 10);
	apply(fx, D_A_PC2, 1, NOW - STALE); /* exactly stale_after old: still up */
	apply(fx, D_A_PC3, 0, NOW - 10);
	apply(fx, D_A_SCAN, 1, NOW - 30);
	apply(fx, D_A_VC, 1, NOW - STALE - 1); /* answered, but too long ago */
	apply(fx, D_B_PC1, 1, NOW - 5);
	apply(fx, D_B_PC2, 1, NOW - 5); /* not polled: a sample does not make it count */
	/* D_B_SCAN: never heard of */
	apply(fx, D_B_UPS, 0, NOW - 5);

	struct readiness r;
	eval(fx, &r);

	const struct site_result *sr = &r.sites[S_A_ONESTOP];
	assert_int_equal(sr->site, S_A_ONESTOP);
	assert_ptr_equal(sr->type, &fx->types[0]);
	assert_int_equal(sr->ntargets, 2);
	check_target(sr, 0, CLS_PC, 2, 2, 3, V_MET);
	check_target(sr, 1, CLS_SCANNER, 1, 1, 1, V_MET);
	assert_int_equal(sr->nmet, 2);
	assert_int_equal(sr->v, V_MET);

	/* the VC system was last heard too long ago: not known now, not down */
	sr = &r.sites[S_A_MEETING];
	assert_int_equal(sr->ntargets, 1);
	check_target(sr, 0, CLS_VC, 1, 0, 1, V_NODATA);
	assert_int_equal(sr->v, V_NODATA);

	sr = &r.sites[S_B_ONESTOP];
	check_target(sr, 0, CLS_PC, 2, 1, 2, V_MISSED);
	/* never heard of: not known, but the PCs alone miss the site */
	check_target(sr, 1, CLS_SCANNER, 1, 0, 1, V_NODATA);
	assert_int_equal(sr->targets[1].unknown, 1);
	assert_int_equal(sr->nmet, 0);
	assert_int_equal(sr->v, V_MISSED);

	sr = &r.sites[S_B_STORE];
	assert_int_equal(sr->ntargets, 0);
	assert_int_equal(sr->v, V_MET);

	const struct commune_result *cr = &r.communes[C_A];
	assert_int_equal(cr->commune, C_A);
	assert_int_equal(cr->nsites, 2);
	assert_int_equal(cr->nsites_met, 1);
	assert_int_equal(cr->ntargets, 3);
	assert_int_equal(cr->nmet, 2);
	assert_int_equal(cr->v, V_NODATA); /* nothing missed; the meeting room not known */
	assert_int_equal(cr->devices, 5);
	assert_int_equal(cr->devices_up, 3);

	cr = &r.communes[C_B];
	assert_int_equal(cr->nsites, 2);
	assert_int_equal(cr->nsites_met, 1);
	assert_int_equal(cr->ntargets, 2);
	assert_int_equal(cr->nmet, 0);
	assert_int_equal(cr->v, V_MISSED);
	assert_int_equal(cr->devices, 4);
	assert_int_equal(cr->devices_up, 1);

	assert_int_equal(r.ncommunes_met, 0);
	assert_int_equal(r.ntargets, 5);
	assert_int_equal(r.nmet, 2);
	assert_float_equal(readiness_score(r.nmet, r.ntargets), 40.0, 1e-9);
	readiness_free(&r);
	assert_null(r.sites);
	assert_null(r.communes);

	/* the video-conference system answers again: commune A meets its targets */
	apply(fx, D_A_VC, 1, NOW - 1);
	eval(fx, &r);
	check_target(&r.sites[S_A_MEETING], 0, CLS_VC, 1, 1, 1, V_MET);
	assert_int_equal(r.communes[C_A].v, V_MET);
	assert_int_equal(r.communes[C_A].nsites_met, 2);
	assert_int_equal(r.ncommunes_met, 1);
	assert_int_equal(r.nmet, 3);
	assert_float_equal(readiness_score(r.nmet, r.ntargets), 60.0, 1e-9);
	readiness_free(&r);

	/* PC 1 of A goes down: only one PC left at A's one-stop site */
	apply(fx, D_A_PC1, 0, NOW);
	eval(fx, &r);
	check_target(&r.sites[S_A_ONESTOP], 0, CLS_PC, 2, 1, 3, V_MISSED);
	assert_int_equal(r.sites[S_A_ONESTOP].v, V_MISSED);
	assert_int_equal(r.communes[C_A].v, V_MISSED);
	assert_int_equal(r.ncommunes_met, 0);
	readiness_free(&r);

	/* B: scanner and a second polled PC answer (PC 1 stays up) */
	apply(fx, D_B_SCAN, 1, NOW);
	snprintf(fx->devices[D_B_PC2].host, sizeof(fx->devices[D_B_PC2].host), "192.0.2.77");
	snprintf(fx->devices[D_B_PC2].cred, sizeof(fx->devices[D_B_PC2].cred), "office");
	eval(fx, &r);
	assert_int_equal(r.sites[S_B_ONESTOP].v, V_MET);
	assert_int_equal(r.communes[C_B].v, V_MET);
	assert_int_equal(r.communes[C_B].devices_up, 3);
	assert_int_equal(r.ncommunes_met, 1);
	readiness_free(&r);
}

static void zero_target_and_unknown_type(void **state)
{
	struct fx *fx = *state;
	/* A needs no scanner; B's one-stop site names a type that does not exist */
	fx->types[0].targets[1].min_up = 0;
	snprintf(fx->sites[S_B_ONESTOP].type, CFG_NAME_MAX, "gone");
	struct readiness r;
	eval(fx, &r);
	check_target(&r.sites[S_A_ONESTOP], 1, CLS_SCANNER, 0, 0, 1, V_MET);
	assert_null(r.sites[S_B_ONESTOP].type);
	assert_int_equal(r.sites[S_B_ONESTOP].ntargets, 0);
	assert_int_equal(r.sites[S_B_ONESTOP].v, V_MET);
	/* nothing answered yet: A's PCs and VC are not known (no data, not down), B has no
	 * targets left */
	check_target(&r.sites[S_A_ONESTOP], 0, CLS_PC, 2, 0, 3, V_NODATA);
	assert_int_equal(r.sites[S_A_ONESTOP].v, V_NODATA);
	assert_int_equal(r.communes[C_A].v, V_NODATA);
	assert_int_equal(r.ncommunes_nodata, 1);
	assert_int_equal(r.communes[C_B].v, V_MET);
	assert_int_equal(r.ncommunes_met, 1);
	assert_int_equal(r.ntargets, 3);
	assert_int_equal(r.nmet, 1);
	readiness_free(&r);
}

static void empty_inventory(void **state)
{
	struct fx *fx = *state;
	struct inventory empty;
	memset(&empty, 0, sizeof(empty));
	struct readiness_input in = {&fx->cfg, &empty, &fx->st, NOW, NULL};
	struct readiness r;
	assert_int_equal(readiness_eval(&r, &in), 0);
	assert_int_equal(r.nsites, 0);
	assert_int_equal(r.ncommunes, 0);
	assert_int_equal(r.ncommunes_met, 0);
	assert_float_equal(readiness_score(r.nmet, r.ntargets), 100.0, 1e-9);
	readiness_free(&r);
}

static void score(void **state)
{
	(void)state;
	assert_float_equal(readiness_score(0, 0), 100.0, 1e-9);
	assert_float_equal(readiness_score(0, 4), 0.0, 1e-9);
	assert_float_equal(readiness_score(1, 3), 100.0 / 3, 1e-9);
	assert_float_equal(readiness_score(5, 5), 100.0, 1e-9);
}

/* With an address a device is checked: by SNMP, or by ICMP echo without a credential. */
static void checked_when_it_has_an_address(void **state)
{
	struct fx *fx = *state;
	struct inv_device d = fx->devices[D_A_PC1];
	assert_true(readiness_polled(&d));
	d.cred[0] = '\0';
	assert_true(readiness_polled(&d));
	d = fx->devices[D_A_PC1];
	d.host[0] = '\0';
	assert_false(readiness_polled(&d));
}

/* --- state --- */

static void state_status_rules(void **state)
{
	struct fx *fx = *state;
	struct state *st = &fx->st;
	assert_int_equal(state_status(st, 0, 0, NOW, STALE), DEV_NOT_POLLED);
	assert_int_equal(state_status(st, 0, 1, NOW, STALE), DEV_UNKNOWN);
	apply(fx, 0, 1, NOW - 100);
	assert_int_equal(state_status(st, 0, 1, NOW, STALE), DEV_UP);
	assert_int_equal(state_status(st, 0, 0, NOW, STALE), DEV_NOT_POLLED);
	assert_int_equal(state_status(st, 0, 1, NOW - 100 + STALE, STALE), DEV_UP);
	/* nothing heard for stale_after: no data now, not down */
	assert_int_equal(state_status(st, 0, 1, NOW - 100 + STALE + 1, STALE), DEV_STALE);
	apply(fx, 0, 0, NOW - 50);
	assert_int_equal(state_status(st, 0, 1, NOW, STALE), DEV_DOWN);
	assert_int_equal(state_status(st, 0, 1, NOW - 50 + STALE + 1, STALE), DEV_STALE);
}

static void state_keeps_the_latest(void **state)
{
	struct fx *fx = *state;
	struct state *st = &fx->st;
	const struct dev_state *d = &st->dev[D_A_PC1];

	apply(fx, D_A_PC1, 1, NOW - 300);
	assert_int_equal(d->has_sample, 1);
	assert_int_equal(d->up, 1);
	assert_int_equal(d->last_poll, NOW - 300);
	assert_int_equal(d->last_seen, NOW - 300);
	assert_int_equal(d->down_since, 0);
	assert_int_equal(d->rtt_ms, 5);

	/* outage: down_since is the first failed poll, last_seen stays */
	apply(fx, D_A_PC1, 0, NOW - 200);
	apply(fx, D_A_PC1, 0, NOW - 100);
	assert_int_equal(d->up, 0);
	assert_int_equal(d->down_since, NOW - 200);
	assert_int_equal(d->last_seen, NOW - 300);
	assert_int_equal(d->last_poll, NOW - 100);
	assert_string_equal(d->error, "timeout");

	/* an older sample arriving late changes nothing */
	apply(fx, D_A_PC1, 1, NOW - 150);
	assert_int_equal(d->up, 0);
	assert_int_equal(d->last_poll, NOW - 100);
	assert_int_equal(d->down_since, NOW - 200);

	/* back up */
	apply(fx, D_A_PC1, 1, NOW - 50);
	assert_int_equal(d->up, 1);
	assert_int_equal(d->down_since, 0);
	assert_int_equal(d->last_seen, NOW - 50);
	assert_string_equal(d->error, "");

	/* first sample ever is a failure */
	apply(fx, D_A_PC2, 0, NOW - 10);
	assert_int_equal(st->dev[D_A_PC2].down_since, NOW - 10);
	assert_int_equal(st->dev[D_A_PC2].last_seen, 0);

	/* out of range index: ignored */
	apply(fx, D_A_PC2, 1, NOW);
	struct dev_sample s;
	memset(&s, 0, sizeof(s));
	s.ts = NOW;
	s.up = 1;
	state_apply(st, NDEV, &s);
	state_apply(st, (size_t)-1, &s);
}

static void state_picks_main_interface(void **state)
{
	struct fx *fx = *state;
	struct if_sample ifs[4];
	memset(ifs, 0, sizeof(ifs));
	/* loopback with the most traffic, a busy up port, a quiet up port, a busier down port */
	ifs[0] = (struct if_sample){.index = 1, .type = 24, .oper = 1, .in_octets = 1u << 30,
				    .has = IFF_OPER | IFF_TYPE};
	ifs[1] = (struct if_sample){.index = 7, .type = 6, .oper = 1, .in_octets = 5000,
				    .out_octets = 5000, .has = IFF_OPER | IFF_TYPE};
	ifs[2] = (struct if_sample){.index = 3, .type = 6, .oper = 1, .in_octets = 10,
				    .has = IFF_OPER | IFF_TYPE};
	ifs[3] = (struct if_sample){.index = 9, .type = 6, .oper = 2, .in_octets = 99999999,
				    .has = IFF_OPER | IFF_TYPE};
	struct dev_sample s;
	memset(&s, 0, sizeof(s));
	s.ts = NOW;
	s.up = 1;
	s.rtt_ms = 3;
	snprintf(s.sys_name, sizeof(s.sys_name), "core-sw");
	s.has_uptime = 1;
	s.uptime_ticks = 123456;
	s.ifs = ifs;
	s.nifs = 4;
	state_apply(&fx->st, D_A_PC1, &s);
	const struct dev_state *d = &fx->st.dev[D_A_PC1];
	assert_int_equal(d->nifs, 4);
	assert_int_equal(d->nifs_up, 3);
	assert_int_equal(d->main_if, 7);
	assert_string_equal(d->sys_name, "core-sw");
	assert_int_equal(d->has_uptime, 1);
	assert_int_equal(d->uptime_ticks, 123456);
	assert_int_equal(d->rtt_ms, 3);

	/* nothing up: the first interface */
	for (int k = 0; k < 4; k++)
		ifs[k].oper = 2;
	s.ts = NOW + 1;
	state_apply(&fx->st, D_A_PC1, &s);
	assert_int_equal(d->nifs_up, 0);
	assert_int_equal(d->main_if, 1);
}

/* --- the same judgement from real configuration and inventory files --- */

static void write_file(const char *dir, const char *name, const char *text, mode_t mode,
		       char *path, size_t pathsz)
{
	snprintf(path, pathsz, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void from_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/hbmon-ready-XXXXXX", conf[128], creds[128], inv[128];
	assert_non_null(mkdtemp(dir));
	write_file(dir, "hbmon.conf",
		   "[general]\ninventory = inventory.csv\ncredentials = credentials.conf\n"
		   "[collector]\nstale_after = 120\n"
		   "[site-type one-stop]\npc = 2\nscanner = 1\nprinter = 1 warning\n"
		   "printer.supply.percent = >= 10\nrouter.icmp.loss_pct = <= 5 critical\n",
		   0644, conf, sizeof(conf));
	write_file(dir, "credentials.conf", "[office]\nversion = 2c\ncommunity = c\n", 0600,
		   creds, sizeof(creds));
	write_file(dir, "inventory.csv",
		   "commune,site,site_type,device,class,address,snmp,contact\n"
		   "Xã A,Một cửa,one-stop,PC 1,pc,192.0.2.1,office,\n"
		   "Xã A,Một cửa,one-stop,PC 2,pc,192.0.2.2,office,\n"
		   "Xã A,Một cửa,one-stop,Máy quét,scanner,192.0.2.3,office,\n"
		   "Xã B,Một cửa,one-stop,PC 1,pc,192.0.2.4,office,\n"
		   "Xã B,Một cửa,one-stop,PC 2,pc,192.0.2.5,office,\n"
		   "Xã B,Một cửa,one-stop,Máy quét,scanner,192.0.2.6,office,\n",
		   0644, inv, sizeof(inv));
	struct errlist el;
	memset(&el, 0, sizeof(el));
	struct hbmon_config *cfg = config_load(conf, &el);
	assert_non_null(cfg);
	struct inventory *in = inventory_load(cfg->inventory, cfg, &el);
	errlist_print(&el, stderr);
	assert_non_null(in);
	assert_int_equal(errlist_count(&el), 0);
	assert_int_equal(in->ndevices, 6);

	struct state st;
	assert_int_equal(state_init(&st, in->ndevices), 0);
	static const struct { const char *commune, *device; int up; time_t age; } samples[] = {
		{"Xã A", "PC 1", 1, 10},     {"Xã A", "PC 2", 1, 120},  {"Xã A", "Máy quét", 1, 0},
		{"Xã B", "PC 1", 1, 10},     {"Xã B", "PC 2", 1, 121},  {"Xã B", "Máy quét", 0, 0},
	};
	for (size_t k = 0; k < sizeof(samples) / sizeof(samples[0]); k++) {
		long i = inventory_find(in, samples[k].commune, samples[k].device);
		assert_true(i >= 0);
		struct dev_sample s;
		memset(&s, 0, sizeof(s));
		s.ts = NOW - samples[k].age;
		s.up = samples[k].up;
		state_apply(&st, (size_t)i, &s);
	}
	struct readiness r;
	struct readiness_input rin = {cfg, in, &st, NOW, NULL};
	assert_int_equal(readiness_eval(&r, &rin), 0);
	assert_int_equal(r.nsites, 2);
	assert_int_equal(r.ncommunes, 2);
	assert_ptr_equal(r.sites[0].type, config_site_type(cfg, "one-stop"));
	/* severities: a class target critical unless it says so, a value target a warning */
	const struct site_type *os = r.sites[0].type;
	assert_int_equal(os->targets[0].sev, SEV_CRITICAL);
	assert_int_equal(os->targets[2].sev, SEV_WARNING);
	assert_int_equal(os->mtargets[0].sev, SEV_WARNING);
	assert_int_equal(os->mtargets[1].sev, SEV_CRITICAL);
	/* no printer at either site: a warning missed, the sites judged on the rest */
	assert_int_equal(r.sites[0].nwarn, 1);
	assert_int_equal(r.sites[0].ncrit, 3);
	check_target(&r.sites[0], 0, CLS_PC, 2, 2, 2, V_MET);
	check_target(&r.sites[0], 1, CLS_SCANNER, 1, 1, 1, V_MET);
	assert_int_equal(r.communes[0].v, V_MET);
	/* B: PC 2 is 121 s old with stale_after = 120, the scanner is down */
	check_target(&r.sites[1], 0, CLS_PC, 2, 1, 2, V_NODATA); /* PC 2: no recent data */
	check_target(&r.sites[1], 1, CLS_SCANNER, 1, 0, 1, V_MISSED);
	assert_int_equal(r.communes[1].v, V_MISSED);
	assert_int_equal(r.communes[1].devices_up, 1);
	assert_int_equal(r.ncommunes_met, 1);
	/* A 3 of 3 critical targets (no router: its loss has nothing to judge), B 1 of 3 */
	assert_float_equal(readiness_score(r.nmet, r.ntargets), 100.0 * 4 / 6, 1e-9);

	readiness_free(&r);
	state_free(&st);
	inventory_free(in);
	config_free(cfg);
	errlist_free(&el);
	unlink(inv);
	unlink(creds);
	unlink(conf);
	assert_int_equal(rmdir(dir), 0);
}

/* What the overview shows: verdicts over the targets judged now only. */
static void judged_now_only(void **state)
{
	struct fx *fx = *state;
	for (size_t i = 0; i < NDEV; i++) /* everything down at 03:00 */
		apply(fx, i, 0, NOW - 5);
	struct readiness r;
	eval(fx, &r);
	/* a fresh evaluation judges everything: both communes missed */
	assert_int_equal(r.ncommunes_judged, 2);
	assert_int_equal(r.ncommunes_judged_met, 0);
	assert_int_equal(r.communes[C_A].vj, V_MISSED);
	/* outside working hours nothing is judged: not missed, and why */
	for (size_t s = 0; s < NSITES; s++)
		for (int t = 0; t < r.sites[s].ntargets; t++)
			r.sites[s].targets[t].judging = J_OFF_HOURS;
	readiness_judged(&r);
	assert_int_equal(r.ncommunes_judged, 0);
	assert_int_equal(r.communes[C_A].njudged, 0);
	assert_int_equal(r.communes[C_A].why, J_OFF_HOURS);
	assert_string_equal(readiness_judging_name(r.communes[C_A].why), "off_hours");
	assert_int_equal(r.ntargets_judged, 0);
	/* the meeting room judged at all hours: A is judged on it alone */
	r.sites[S_A_MEETING].targets[0].judging = J_JUDGED;
	readiness_judged(&r);
	assert_int_equal(r.communes[C_A].njudged, 1);
	assert_int_equal(r.communes[C_A].vj, V_MISSED);
	assert_int_equal(r.sites[S_A_ONESTOP].njudged, 0);
	assert_int_equal(r.sites[S_A_ONESTOP].vj, V_MET); /* nothing judged: nothing missed */
	assert_int_equal(r.ntargets_judged, 1);
	assert_int_equal(r.nmet_judged, 0);
	readiness_free(&r);
}

/* Device i's latest rows: n disks, each its label and fill. */
static void set_disks(struct fx *fx, size_t i, const char *const *labels, const double *pct,
		      size_t n)
{
	struct group_row rows[4];
	struct metric_val vals[4];
	char idx[4][24];
	assert_true(n <= 4);
	memset(rows, 0, sizeof(rows));
	memset(vals, 0, sizeof(vals));
	for (size_t k = 0; k < n; k++) {
		snprintf(rows[k].group, sizeof(rows[k].group), "disk");
		snprintf(idx[k], sizeof(idx[k]), "%zu", k + 1);
		rows[k].index = idx[k];
		snprintf(rows[k].label, sizeof(rows[k].label), "%s", labels[k]);
		snprintf(vals[k].name, sizeof(vals[k].name), "used_pct");
		vals[k].kind = MV_GAUGE;
		vals[k].gauge = pct[k];
		rows[k].vals = &vals[k];
		rows[k].nvals = 1;
	}
	assert_int_equal(devrows_set(&fx->st.dev[i].rows, rows, n), 0);
}

/* Value targets read each device's rows once per sample: the cache answers until the next. */
static void value_rows_counted_once_per_sample(void **state)
{
	struct fx *fx = *state;
	struct site_type *t = &fx->types[0];
	t->mtargets[0] = (struct metric_target){.cls = CLS_PC, .op = MT_LE, .value = 90};
	snprintf(t->mtargets[0].group, sizeof(t->mtargets[0].group), "%s", "disk");
	snprintf(t->mtargets[0].metric, sizeof(t->mtargets[0].metric), "%s", "used_pct");
	t->nmtargets = 1;
	static const char *const cd[] = {"C:", "D:"};
	static const double full[] = {96.5, 40}, fine[] = {50};
	apply(fx, D_A_PC1, 1, NOW - 10);
	apply(fx, D_A_PC2, 1, NOW - 10);
	apply(fx, D_A_PC3, 0, NOW - 10); /* down: its disks not known now */
	set_disks(fx, D_A_PC1, cd, full, 2);
	set_disks(fx, D_A_PC2, cd, fine, 1);
	struct readiness_cache cache = {calloc(NDEV, sizeof(*cache.dev)), NDEV};
	assert_non_null(cache.dev);
	struct readiness_input in = {&fx->cfg, &fx->inv, &fx->st, NOW, &cache};
	struct readiness r;
	assert_int_equal(readiness_eval(&r, &in), 0);
	const struct target_result *disk = &r.sites[S_A_ONESTOP].targets[2];
	assert_int_equal(disk->kind, TK_METRIC);
	assert_int_equal(disk->total, 3);
	assert_int_equal(disk->up, 2);
	assert_int_equal(disk->unknown, 1);
	assert_int_equal(disk->v, V_MISSED);
	assert_float_equal(disk->worst, 96.5, 1e-9);
	assert_string_equal(disk->worst_where, "PC 1 — C:");
	readiness_free(&r);
	/* the same sample: counted from the cache, its rows not read again */
	set_disks(fx, D_A_PC1, cd, fine, 1);
	assert_int_equal(readiness_eval(&r, &in), 0);
	assert_int_equal(r.sites[S_A_ONESTOP].targets[2].v, V_MISSED);
	readiness_free(&r);
	/* a new sample: read again; and PC 3 up without disks has nothing to judge */
	apply(fx, D_A_PC1, 1, NOW - 5);
	apply(fx, D_A_PC3, 1, NOW - 5);
	set_disks(fx, D_A_PC1, cd, fine, 1);
	assert_int_equal(readiness_eval(&r, &in), 0);
	disk = &r.sites[S_A_ONESTOP].targets[2];
	assert_int_equal(disk->total, 2);
	assert_int_equal(disk->up, 2);
	assert_int_equal(disk->unknown, 0);
	assert_int_equal(disk->v, V_MET);
	readiness_free(&r);
	free(cache.dev);
}

/* A warning (a disk full) is counted apart: its site and commune still meet their targets. */
static void warnings_counted_apart(void **state)
{
	struct fx *fx = *state;
	struct site_type *t = &fx->types[0];
	t->mtargets[0] = (struct metric_target){.cls = CLS_PC, .op = MT_LE, .value = 90,
						.sev = SEV_WARNING};
	snprintf(t->mtargets[0].group, sizeof(t->mtargets[0].group), "%s", "disk");
	snprintf(t->mtargets[0].metric, sizeof(t->mtargets[0].metric), "%s", "used_pct");
	t->nmtargets = 1;
	for (size_t i = 0; i < NDEV; i++)
		apply(fx, i, 1, NOW - 10);
	static const char *const c[] = {"C:"};
	static const double full[] = {96.5};
	set_disks(fx, D_A_PC1, c, full, 1);
	struct readiness r;
	eval(fx, &r);
	const struct site_result *sr = &r.sites[S_A_ONESTOP];
	assert_int_equal(sr->targets[2].v, V_MISSED);
	assert_int_equal(sr->targets[2].sev, SEV_WARNING);
	assert_int_equal(sr->v, V_MET);
	assert_int_equal(sr->nwarn, 1);
	assert_int_equal(sr->ncrit, 2);
	assert_int_equal(sr->nmet, 2);
	assert_int_equal(r.communes[C_A].v, V_MET);
	assert_int_equal(r.communes[C_A].nwarn, 1);
	assert_int_equal(r.communes[C_A].ntargets, 3); /* pc, scanner, vc: critical ones */
	assert_int_equal(r.nwarn, 1);
	assert_int_equal(r.nwarn_judged, 1);
	assert_int_equal(r.communes[C_A].nwarn_judged, 1);
	/* outside its hours the warning is not judged either */
	r.sites[S_A_ONESTOP].targets[2].judging = J_OFF_HOURS;
	readiness_judged(&r);
	assert_int_equal(r.nwarn_judged, 0);
	assert_int_equal(r.communes[C_A].vj, V_MET);
	readiness_free(&r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(district_judged),
		T(judged_now_only),
		T(value_rows_counted_once_per_sample),
		T(warnings_counted_apart),
		T(zero_target_and_unknown_type),
		T(empty_inventory),
		T(score),
		T(checked_when_it_has_an_address),
		T(state_status_rules),
		T(state_keeps_the_latest),
		T(state_picks_main_interface),
		cmocka_unit_test(from_files),
	};
	return cmocka_run_group_tests_name("readiness", tests, NULL, NULL);
}
