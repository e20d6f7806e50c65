#include "readiness.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* A probe checks it: by SNMP with a credential, its web page with a url, by ICMP echo (IPv4)
 * with an address and neither. */
int readiness_polled(const struct inv_device *d)
{
	return d->url[0] || (d->host[0] && (d->cred[0] || !strchr(d->host, ':')));
}

double readiness_score(int nmet, int ntargets)
{
	return ntargets ? 100.0 * nmet / ntargets : 100.0;
}

/* Rows of one device checked against one value target: counted in t, the worst kept. */
static void check_rows(struct target_result *t, const struct metric_target *mt,
		       json_object *rows, const char *device)
{
	for (size_t k = 0; k < json_object_array_length(rows); k++) {
		json_object *row = json_object_array_get_idx(rows, k), *vals, *v;
		if (strcmp(json_member_str(row, "g"), mt->group) != 0 ||
		    !json_object_object_get_ex(row, "v", &vals) ||
		    !json_object_object_get_ex(vals, mt->metric, &v))
			continue;
		double x = json_object_get_double(v);
		int ok = mt->op == MT_GE ? x >= mt->value : mt->op == MT_LE ? x <= mt->value
								    : x == mt->value;
		t->total++;
		t->up += ok;
		int worse = !ok && (t->worst_where[0] == '\0' ||
				    (mt->op == MT_GE && x < t->worst) ||
				    (mt->op == MT_LE && x > t->worst));
		if (worse) {
			const char *label = json_member_str(row, "l");
			t->worst = x;
			snprintf(t->worst_where, sizeof(t->worst_where), "%s%s%s", device,
				 label[0] ? " — " : "", label);
		}
	}
}

/* Value targets of a site: every row its answering devices of the class report. Each device's
 * latest answer is parsed once for all the site's targets. */
static void eval_metrics(struct site_result *sr, const struct readiness_input *in)
{
	const struct site_type *st = sr->type;
	struct target_result *first = &sr->targets[sr->ntargets];
	if (!st->nmtargets)
		return;
	for (int m = 0; m < st->nmtargets; m++) {
		struct target_result *t = &sr->targets[sr->ntargets++];
		t->kind = TK_METRIC;
		t->cls = st->mtargets[m].cls;
		t->mt = &st->mtargets[m];
		t->mt_index = m;
	}
	for (size_t i = 0; i < in->inv->ndevices; i++) {
		const struct inv_device *d = &in->inv->devices[i];
		const struct dev_state *ds = &in->state->dev[i];
		int wanted = 0;
		for (int m = 0; m < st->nmtargets && !wanted; m++)
			wanted = st->mtargets[m].cls == d->cls;
		if (d->site != sr->site || !wanted || !ds->groups ||
		    state_status(in->state, i, readiness_polled(d), in->now, in->cfg->stale_after) !=
			DEV_UP)
			continue;
		json_object *rows = json_tokener_parse(ds->groups);
		if (rows && json_object_is_type(rows, json_type_array))
			for (int m = 0; m < st->nmtargets; m++)
				if (st->mtargets[m].cls == d->cls)
					check_rows(&first[m], &st->mtargets[m], rows, d->name);
		json_object_put(rows);
	}
	/* nothing reported (no such device up, or no such value): the class target speaks for
	 * reachability; this one has nothing to judge */
	for (int m = 0; m < st->nmtargets; m++) {
		struct target_result *t = &first[m];
		t->need = t->total;
		t->met = t->up == t->total;
		sr->nmet += t->met;
		if (!t->met)
			sr->met = 0;
	}
}

static void eval_site(struct site_result *sr, const struct readiness_input *in, const int *up,
		      const int *total)
{
	sr->met = 1;
	if (!sr->type)
		return;
	for (int k = 0; k < sr->type->ntargets; k++) {
		const struct class_target *ct = &sr->type->targets[k];
		struct target_result *t = &sr->targets[sr->ntargets++];
		t->kind = TK_CLASS_MIN_UP;
		t->cls = ct->cls;
		t->need = ct->min_up;
		t->up = up[ct->cls];
		t->total = total[ct->cls];
		t->met = t->up >= t->need;
		sr->nmet += t->met;
		if (!t->met)
			sr->met = 0;
	}
	eval_metrics(sr, in);
}

int readiness_eval(struct readiness *out, const struct readiness_input *in)
{
	const struct inventory *inv = in->inv;
	memset(out, 0, sizeof(*out));
	out->at = in->now;
	out->nsites = inv->nsites;
	out->ncommunes = inv->ncommunes;
	out->sites = calloc(inv->nsites ? inv->nsites : 1, sizeof(*out->sites));
	out->communes = calloc(inv->ncommunes ? inv->ncommunes : 1, sizeof(*out->communes));
	int(*up)[CLS_COUNT] = calloc(inv->nsites ? inv->nsites : 1, sizeof(*up));
	int(*total)[CLS_COUNT] = calloc(inv->nsites ? inv->nsites : 1, sizeof(*total));
	if (!out->sites || !out->communes || !up || !total) {
		free(up);
		free(total);
		readiness_free(out);
		return -1;
	}
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		enum dev_status s = state_status(in->state, i, readiness_polled(d), in->now,
						 in->cfg->stale_after);
		total[d->site][d->cls]++;
		out->communes[d->commune].devices++;
		if (s == DEV_UP) {
			up[d->site][d->cls]++;
			out->communes[d->commune].devices_up++;
		}
	}
	for (size_t c = 0; c < inv->ncommunes; c++) {
		out->communes[c].commune = c;
		out->communes[c].met = 1;
	}
	for (size_t s = 0; s < inv->nsites; s++) {
		struct site_result *sr = &out->sites[s];
		struct commune_result *cr = &out->communes[inv->sites[s].commune];
		sr->site = s;
		sr->type = config_site_type(in->cfg, inv->sites[s].type);
		sr->targets = calloc(CLS_COUNT + CFG_MAX_METRIC_TARGETS, sizeof(*sr->targets));
		if (!sr->targets) {
			free(up);
			free(total);
			readiness_free(out);
			return -1;
		}
		eval_site(sr, in, up[s], total[s]);
		cr->nsites++;
		cr->nsites_met += sr->met;
		cr->ntargets += sr->ntargets;
		cr->nmet += sr->nmet;
		if (!sr->met)
			cr->met = 0;
	}
	/* commune-wide targets: devices up anywhere in it, sites of a type meeting theirs */
	const struct hbmon_config *cfg = in->cfg;
	for (size_t k = 0; k < inv->ncommunes && cfg->ncommune_targets; k++) {
		struct commune_result *cr = &out->communes[k];
		cr->targets = calloc((size_t)cfg->ncommune_targets, sizeof(*cr->targets));
		if (!cr->targets) {
			free(up);
			free(total);
			readiness_free(out);
			return -1;
		}
		for (int t = 0; t < cfg->ncommune_targets; t++) {
			const struct commune_target *ct = &cfg->commune_targets[t];
			struct target_result *tr = &cr->targets[cr->nctargets++];
			tr->need = ct->need;
			if (ct->kind == CT_CLASS) {
				tr->kind = TK_CLASS_MIN_UP;
				tr->cls = ct->cls;
				for (size_t s = 0; s < inv->nsites; s++)
					if (inv->sites[s].commune == k) {
						tr->up += up[s][ct->cls];
						tr->total += total[s][ct->cls];
					}
			} else {
				tr->kind = TK_SITES_MET;
				tr->site_type = config_site_type(cfg, ct->site_type);
				for (size_t s = 0; s < inv->nsites; s++)
					if (inv->sites[s].commune == k && out->sites[s].type == tr->site_type) {
						tr->total++;
						tr->up += out->sites[s].met;
					}
			}
			if (ct->need == CT_NEED_ALL)
				tr->need = tr->total;
			tr->met = tr->up >= tr->need;
			cr->nctargets_met += tr->met;
			cr->ntargets++;
			cr->nmet += tr->met;
			if (!tr->met)
				cr->met = 0;
		}
	}
	for (size_t c = 0; c < inv->ncommunes; c++) {
		out->ncommunes_met += out->communes[c].met;
		out->ntargets += out->communes[c].ntargets;
		out->nmet += out->communes[c].nmet;
	}
	free(up);
	free(total);
	return 0;
}

void readiness_free(struct readiness *r)
{
	for (size_t s = 0; r->sites && s < r->nsites; s++)
		free(r->sites[s].targets);
	for (size_t k = 0; r->communes && k < r->ncommunes; k++)
		free(r->communes[k].targets);
	free(r->sites);
	free(r->communes);
	memset(r, 0, sizeof(*r));
}
