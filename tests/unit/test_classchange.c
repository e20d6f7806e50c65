/*
 * The collector's side of a device the probe re-classes (ingest.h, state.h): the evidence
 * kept per device, the inventory's class learnt only where the inventory left it empty, and a
 * change the probe confirmed counted and told once, with both classes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "strbuf.h"

#define T0 1700000000

struct fx {
	struct inv_commune communes[1];
	struct inv_site sites[1];
	struct inv_device devices[2]; /* 0: no inventory class; 1: the inventory says pc */
	struct inventory inv;
	struct state st;
	struct rrdstore *rrd;
	struct ingest in;
	int told;
	char was[32], now[32];
	time_t when;
	size_t dev;
};

static time_t fixed_now(void) { return T0 + 3600; }

static void on_change(void *ctx, size_t dev, const char *was, const char *now, time_t when)
{
	struct fx *fx = ctx;
	fx->told++;
	fx->dev = dev;
	snprintf(fx->was, sizeof(fx->was), "%s", was);
	snprintf(fx->now, sizeof(fx->now), "%s", now);
	fx->when = when;
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	if (!fx)
		return -1;
	snprintf(fx->communes[0].name, INV_NAME_MAX, "Xã A");
	snprintf(fx->communes[0].path, sizeof(fx->communes[0].path), "xa-a");
	snprintf(fx->sites[0].name, INV_NAME_MAX, "Một cửa");
	const char *names[] = {"Máy in", "Máy tính"};
	for (size_t i = 0; i < 2; i++) {
		struct inv_device *d = &fx->devices[i];
		snprintf(d->name, sizeof(d->name), "%s", names[i]);
		snprintf(d->path, sizeof(d->path), "dev-%zu", i);
		snprintf(d->host, sizeof(d->host), "192.0.2.%zu", i + 1);
		snprintf(d->cred, sizeof(d->cred), "office");
		d->cls = i == 0 ? CLS_OTHER : CLS_PC;
		d->cls_auto = i == 0;
	}
	fx->inv = (struct inventory){fx->communes, 1, fx->sites, 1, fx->devices, 2, NULL, NULL, 0};
	fx->rrd = rrdstore_new("/nonexistent-hbmon-test", 60);
	if (!fx->rrd || state_init(&fx->st, 2) < 0)
		return -1;
	fx->in.inv = &fx->inv;
	fx->in.state = &fx->st;
	fx->in.rrd = fx->rrd;
	fx->in.now = fixed_now;
	fx->in.max_ahead = 30;
	fx->in.max_files = 0; /* nothing to store here: the state is what is looked at */
	fx->in.class_changed = on_change;
	fx->in.class_ctx = fx;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	state_free(&fx->st);
	rrdstore_free(fx->rrd);
	free(fx);
	return 0;
}

/* One answering sample of device dev at ts, with the evidence members given (JSON text). */
static long send(struct fx *fx, size_t dev, time_t ts, const char *evidence)
{
	struct strbuf b;
	assert_int_equal(strbuf_init(&b, 0), 0);
	strbuf_printf(&b, "{\"version\":1,\"probe\":\"p\",\"seq\":1,\"samples\":[{\"commune\":"
			  "\"Xã A\",\"device\":\"%s\",\"ts\":%lld,\"up\":true,\"class\":\"generic\"%s%s}]}",
		      fx->devices[dev].name, (long long)ts, evidence[0] ? "," : "", evidence);
	struct ingest_job job = {0};
	char err[256] = "";
	long n = ingest_batch(&fx->in, "test", NULL, b.data, b.len, &job, err, sizeof(err));
	if (n < 0)
		print_message("ingest: %s\n", err);
	ingest_job_free(&job);
	strbuf_free(&b);
	return n;
}

static void change_confirmed_told_once(void **state)
{
	struct fx *fx = *state;
	const struct dev_class_seen *k = &fx->st.dev[0].auto_cls;
	assert_int_equal(send(fx, 0, T0, "\"class_auto\":\"printer\",\"class_confidence\":92,"
				 "\"class_why\":\"Printer-MIB supplies\",\"class_vendor\":\"HP\""),
			 1);
	assert_string_equal(k->cls, "printer");
	assert_int_equal(k->confidence, 92);
	assert_string_equal(k->why, "Printer-MIB supplies");
	assert_string_equal(k->vendor, "HP");
	assert_int_equal(fx->devices[0].cls, CLS_PRINTER);
	assert_int_equal(fx->told, 0);

	/* another class seen, being confirmed: shown, not yet an event */
	assert_int_equal(send(fx, 0, T0 + 60, "\"class_auto\":\"printer\",\"class_confidence\":92,"
				 "\"class_seen\":\"camera\",\"class_seen_polls\":2"),
			 1);
	assert_string_equal(k->seen, "camera");
	assert_int_equal(k->seen_polls, 2);
	assert_int_equal(fx->told, 0);
	assert_int_equal(fx->in.st.class_changes, 0);

	/* confirmed: told once, with both classes; the targets count it as a camera now */
	const char *changed = "\"class_auto\":\"camera\",\"class_confidence\":90,"
			      "\"class_vendor\":\"Axis\",\"class_was\":\"printer\"";
	assert_int_equal(send(fx, 0, T0 + 120, changed), 1);
	assert_int_equal(fx->told, 1);
	assert_int_equal(fx->dev, 0);
	assert_string_equal(fx->was, "printer");
	assert_string_equal(fx->now, "camera");
	assert_int_equal(fx->when, T0 + 120);
	assert_int_equal(fx->in.st.class_changes, 1);
	assert_int_equal(fx->devices[0].cls, CLS_CAMERA);
	assert_string_equal(k->seen, "");
	assert_string_equal(k->was, "printer");
	assert_int_equal(k->changed, T0 + 120);
	assert_string_equal(k->why, ""); /* this answer gave none: none kept */

	/* the same answer again (a resend) and the next polls: no second event, the change
	 * stays known */
	assert_int_equal(send(fx, 0, T0 + 120, changed), 1);
	assert_int_equal(send(fx, 0, T0 + 180, "\"class_auto\":\"camera\",\"class_confidence\":90"),
			 1);
	assert_int_equal(fx->told, 1);
	assert_string_equal(k->was, "printer");
	assert_int_equal(k->changed, T0 + 120);
	/* an older answer arriving late changes nothing */
	assert_int_equal(send(fx, 0, T0 + 90, "\"class_auto\":\"printer\",\"class_confidence\":92"),
			 1);
	assert_string_equal(k->cls, "camera");
	assert_int_equal(fx->devices[0].cls, CLS_CAMERA);
	assert_int_equal(fx->told, 1);

	/* "other" is a class too: the device counts as other, named by its maker on the page */
	assert_int_equal(send(fx, 0, T0 + 240, "\"class_auto\":\"other\",\"class_confidence\":75,"
				 "\"class_vendor\":\"Hitachi\",\"class_was\":\"camera\""),
			 1);
	assert_int_equal(fx->told, 2);
	assert_int_equal(fx->devices[0].cls, CLS_OTHER);
	assert_int_equal(state_probe_class(&fx->st.dev[0]), CLS_OTHER);
}

/* The inventory's class always wins: evidence for a device it gives a class is neither
 * learnt nor reported. Bad evidence is dropped; the sample is kept. */
static void inventory_class_wins(void **state)
{
	struct fx *fx = *state;
	assert_int_equal(send(fx, 1, T0, "\"class_auto\":\"camera\",\"class_confidence\":99,"
				 "\"class_was\":\"pc\""),
			 1);
	assert_int_equal(fx->devices[1].cls, CLS_PC);
	assert_int_equal(fx->told, 0);
	assert_int_equal(fx->in.st.class_changes, 0);

	assert_int_equal(send(fx, 0, T0, "\"class_auto\":\"fridge\",\"class_confidence\":99,"
				 "\"class_was\":\"pc\""),
			 1);
	assert_string_equal(fx->st.dev[0].auto_cls.cls, "");
	assert_int_equal(fx->in.st.rows_malformed, 1);
	assert_int_equal(fx->told, 0);
	/* an older probe's sample: the class its profile names, no evidence */
	assert_int_equal(send(fx, 0, T0 + 60, ""), 1);
	assert_int_equal(state_probe_class(&fx->st.dev[0]), -1); /* "generic" */
	assert_int_equal(fx->devices[0].cls, CLS_OTHER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(change_confirmed_told_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(inventory_class_wins, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
