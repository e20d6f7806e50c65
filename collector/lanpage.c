/* What the LAN watch saw, on the pages: a commune's hosts in no inventory, and where an
 * inventory device was last heard on its LAN. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "devclass.h"
#include "lanhosts.h"
#include "lanlink.h"
#include "lanplace.h"
#include "pages.h"
#include "texts.h"
#include "viewer.h"

#define T(key) i18n_get(c->i18n, l, key)
#define LAN_SHOWN 200 /* rows of a commune's list; the rest counted */

static void addrs_cell(struct strbuf *o, const struct lan_host *h)
{
	strbuf_puts(o, "<td>");
	for (int i = 0; i < h->naddr; i++) {
		char a[INET_ADDRSTRLEN];
		struct in_addr in = {htonl(h->addr[i])};
		inet_ntop(AF_INET, &in, a, sizeof(a));
		strbuf_printf(o, "%s%s", i ? "<br>" : "", a);
	}
	strbuf_puts(o, h->naddr ? "</td>" : "—</td>");
}

static void names_cell(struct strbuf *o, const struct lan_host *h)
{
	strbuf_puts(o, "<td>");
	for (int i = 0; i < h->nnames; i++) {
		if (i)
			strbuf_puts(o, "<br>");
		strbuf_html(o, h->names[i]); /* from the wire: text, never markup */
	}
	strbuf_puts(o, h->nnames ? "</td>" : "—</td>");
}

/* The class a host's own words suggest, in the catalogue's words; "—" when none. */
static const char *likely_class(const struct collector *c, enum lang l, const struct lan_host *h)
{
	char key[48];
	int cls = h->cls[0] ? devclass_parse(h->cls) : -1;
	if (cls < 0)
		return "—";
	snprintf(key, sizeof(key), "class.%s", devclass_name((enum dev_class)cls));
	return T(key);
}

static void class_options(struct strbuf *o, const struct collector *c, enum lang l,
			  const struct lan_host *h)
{
	char key[48];
	int likely = h->cls[0] ? devclass_parse(h->cls) : -1;
	for (int k = 0; k < CLS_COUNT; k++) {
		snprintf(key, sizeof(key), "class.%s", devclass_name((enum dev_class)k));
		strbuf_printf(o, "<option value=\"%s\"%s>", devclass_name((enum dev_class)k),
			      k == (likely >= 0 ? likely : CLS_OTHER) ? " selected" : "");
		strbuf_html(o, T(key));
		strbuf_puts(o, "</option>");
	}
}

/* An administrator's form that adds the host to the inventory: a name (its own, else its
 * vendor's with the end of its MAC), a site of the commune, a class (the likely one). */
static void add_form(struct strbuf *o, const struct collector *c, enum lang l, size_t k,
		     const struct lan_host *h, const struct viewer *v)
{
	char mac[18], name[WIRELAN_NAME + 32], a[INET_ADDRSTRLEN] = "";
	wirelan_mac_format(mac, sizeof(mac), h->mac);
	if (h->nnames)
		snprintf(name, sizeof(name), "%s", h->names[0]);
	else
		snprintf(name, sizeof(name), "%.40s %s", h->vendor[0] ? h->vendor : "LAN", mac + 9);
	if (h->naddr) {
		struct in_addr in = {htonl(h->addr[0])};
		inet_ntop(AF_INET, &in, a, sizeof(a));
	}
	strbuf_printf(o, "<td><details><summary>%s</summary><form class=\"lanadd\" method=\"post\" "
			 "action=\"/api/v1/inventory/add\">", T("lan.add"));
	page_csrf(o, v);
	strbuf_puts(o, "<input type=\"hidden\" name=\"commune\" value=\"");
	strbuf_html(o, c->inv->communes[k].name);
	strbuf_printf(o, "\"><input type=\"hidden\" name=\"mac\" value=\"%s\"><input type=\"hidden\" "
			 "name=\"address\" value=\"%s\"><label>%s <input name=\"device\" maxlength=\"100\" "
			 "required value=\"", mac, a, T("col.device"));
	strbuf_html(o, name);
	strbuf_printf(o, "\"></label> <label>%s <select name=\"site\">", T("col.site"));
	for (size_t s = 0; s < c->inv->nsites; s++)
		if (c->inv->sites[s].commune == k) {
			strbuf_puts(o, "<option>");
			strbuf_html(o, c->inv->sites[s].name);
			strbuf_puts(o, "</option>");
		}
	strbuf_printf(o, "</select></label> <label>%s <select name=\"class\">", T("col.class"));
	class_options(o, c, l, h);
	strbuf_printf(o, "</select></label> <button type=\"submit\">%s</button></form></details></td>",
		      T("lan.add.submit"));
}

/* Where a host is plugged in, as plain text ("sw-1 cổng 7"): escape it where it is put. */
static int plugged_text(struct strbuf *t, const struct collector *c, enum lang l,
			const struct lanplace_at *at)
{
	char num[24];
	const char *port = lanplace_port_name(&c->state.dev[at->sw].ports, at->port);
	if (!port) { /* the switch named no interface for it: its bridge port number */
		snprintf(num, sizeof(num), "%ld", at->port);
		port = num;
	}
	const char *const vals[][2] = {{"switch", c->inv->devices[at->sw].name}, {"port", port}};
	return text_fill(t, T(at->shared ? "lan.plugged.shared" : "lan.plugged.port"), vals, 2);
}

/* A place by the LLDP / CDP tables (lanlink.h) as plain text that says so, into t: 0, or -1. */
static int nbr_link_text(struct strbuf *t, const struct collector *c, enum lang l,
			 const struct lanlink_set *ls, const struct lanlink *at, int shared)
{
	char num[24];
	snprintf(num, sizeof(num), "%ld", at->nb->lport); /* no name: the table's number */
	const char *const vals[][2] = {{"switch", c->inv->devices[ls->devs[at->sw].dev].name},
				       {"port", at->nb->port[0] ? at->nb->port : num},
				       {"proto", lannbr_proto_name(at->nb->proto)}};
	return text_fill(t, T(shared ? "lan.plugged.nbr_shared" : "lan.plugged.nbr"), vals, 3);
}

/* What a switch announces of the host (LLDP / CDP) first, else the forwarding tables' guess. */
static void plugged_cell(struct strbuf *o, const struct collector *c, enum lang l,
			 const struct lanplace *lp, const struct lanlink_set *ls,
			 const struct lan_host *h)
{
	int shared = 0;
	const struct lanlink *nb = lanlink_place_mac(ls, h->mac, &shared);
	const struct lanplace_at *at = nb ? NULL : lanplace_find(lp, h->mac);
	struct strbuf t;
	int ok = strbuf_init(&t, 0) == 0;
	strbuf_printf(o, "<td data-label=\"%s\">", T("lan.col.plugged"));
	if (ok && nb)
		ok = nbr_link_text(&t, c, l, ls, nb, shared) == 0;
	else if (ok)
		ok = at && plugged_text(&t, c, l, at) == 0;
	strbuf_html(o, ok ? t.data : "—");
	strbuf_free(&t);
	strbuf_puts(o, "</td>");
}

struct host_ctx {
	time_t now;
	size_t k;
	const struct viewer *v;
	const struct lanplace *lp;
	const struct lanlink_set *ls;
};

static void host_row(struct strbuf *o, const struct collector *c, enum lang l,
		     const struct lan_host *h, const struct host_ctx *x)
{
	time_t now = x->now;
	char mac[18], first[48], last[96];
	wirelan_mac_format(mac, sizeof(mac), h->mac);
	text_when(first, sizeof(first), (time_t)h->first, now);
	text_when_ago(last, sizeof(last), c->i18n, l, (time_t)h->last, now);
	strbuf_printf(o, "<tr><td data-label=\"%s\"><code>%s</code></td><td data-label=\"%s\">",
		      T("lan.col.mac"), mac, T("lan.col.vendor"));
	strbuf_html(o, h->vendor[0] ? h->vendor : "—");
	strbuf_puts(o, "</td>");
	addrs_cell(o, h);
	names_cell(o, h);
	strbuf_puts(o, "<td>");
	strbuf_html(o, likely_class(c, l, h));
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, first);
	strbuf_puts(o, "</td><td>");
	strbuf_html(o, last);
	strbuf_puts(o, "</td>");
	plugged_cell(o, c, l, x->lp, x->ls, h);
	if (viewer_is_admin(x->v))
		add_form(o, c, l, x->k, h, x->v);
	strbuf_puts(o, "</tr>\n");
}

void page_lan_block(struct strbuf *o, const struct collector *c, size_t k, enum lang l,
		    const struct viewer *v)
{
	size_t nall = 0, n = 0;
	const struct lanhost **all = lanhosts_list(c->lan, k, 0, &nall);
	const struct lanhost **unreg = lanhosts_list(c->lan, k, 1, &n);
	char num[24];
	time_t now = c->now();
	if (all && unreg && nall) { /* nothing seen: no LAN watched here, nothing to say */
		strbuf_printf(o, "<section id=\"lan\"><h2>%s</h2>\n", T("lan.title"));
		snprintf(num, sizeof(num), "%zu", nall);
		const char *const vals[][2] = {{"n", num}};
		strbuf_puts(o, "<p>");
		text_fill(o, T(n ? "lan.intro" : "lan.none"), vals, 1);
		strbuf_puts(o, "</p>\n");
	}
	if (all && unreg && nall && n) {
		strbuf_printf(o, "<table class=\"lan\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
				 "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>%s</tr></thead>"
				 "<tbody>\n",
			      T("lan.col.mac"), T("lan.col.vendor"), T("lan.col.addrs"),
			      T("lan.col.names"), T("lan.col.class"), T("lan.col.first"),
			      T("lan.col.last"), T("lan.col.plugged"),
			      viewer_is_admin(v) ? "<th></th>" : "");
		struct lanplace lp;
		struct lanlink_set ls;
		if (lanplace_commune(&lp, c, k) < 0) /* out of memory: no places, the rest shown */
			memset(&lp, 0, sizeof(lp));
		if (lanlink_collect(&ls, c, k, SIZE_MAX) < 0) /* (left empty) */
			memset(&ls, 0, sizeof(ls));
		struct host_ctx x = {now, k, v, &lp, &ls};
		for (size_t i = 0; i < n && i < LAN_SHOWN; i++)
			host_row(o, c, l, &unreg[i]->h, &x);
		lanlink_free(&ls);
		lanplace_free(&lp);
		strbuf_puts(o, "</tbody></table>\n");
		if (n > LAN_SHOWN) {
			snprintf(num, sizeof(num), "%zu", n - LAN_SHOWN);
			const char *const vals[][2] = {{"n", num}};
			strbuf_puts(o, "<p>");
			text_fill(o, T("lan.more"), vals, 1);
			strbuf_puts(o, "</p>\n");
		}
	}
	if (all && unreg && nall)
		strbuf_puts(o, "</section>\n");
	free(all);
	free(unreg);
}

int page_lan_device_text(char *dst, size_t n, const struct collector *c, size_t i, enum lang l)
{
	const struct lanhost *x = lanhosts_of_device(c->lan, i);
	char mac[18], when[96];
	if (!x)
		return 0;
	wirelan_mac_format(mac, sizeof(mac), x->h.mac);
	text_when_ago(when, sizeof(when), c->i18n, l, (time_t)x->h.last, c->now());
	if (x->h.vendor[0])
		snprintf(dst, n, "%s (%s) · %s %s", mac, x->h.vendor, T("lan.last_seen"), when);
	else
		snprintf(dst, n, "%s · %s %s", mac, T("lan.last_seen"), when);
	return 1;
}

/* Where device i is plugged in by its commune's LLDP / CDP tables (lanlink.h), as plain text
 * that says so: 1, or 0 when none announces it. */
static int nbr_plugged_text(char *dst, size_t n, const struct collector *c, size_t i,
			    enum lang l)
{
	struct lanlink_set ls;
	struct strbuf t;
	int shared = 0, ok = 0;
	if (lanlink_collect(&ls, c, c->inv->devices[i].commune, SIZE_MAX) < 0)
		return 0;
	long d = lanlink_find(&ls, i);
	const struct lanlink *at = d >= 0 ? lanlink_place(&ls, (size_t)d, &shared) : NULL;
	if (at && strbuf_init(&t, 0) == 0) {
		ok = nbr_link_text(&t, c, l, &ls, at, shared) == 0;
		if (ok)
			snprintf(dst, n, "%s", t.data);
		strbuf_free(&t);
	}
	lanlink_free(&ls);
	return ok;
}

int page_lan_plugged_text(char *dst, size_t n, const struct collector *c, size_t i, enum lang l)
{
	const struct inv_device *d = &c->inv->devices[i];
	if (nbr_plugged_text(dst, n, c, i, l))
		return 1; /* the switch says so: better than any guess from learned MACs */
	const struct lanhost *x = lanhosts_of_device(c->lan, i);
	const uint8_t *mac = d->has_mac ? d->mac : x ? x->h.mac : NULL;
	struct lanplace lp;
	struct strbuf t;
	if (!mac || lanplace_commune(&lp, c, d->commune) < 0)
		return 0;
	const struct lanplace_at *at = lanplace_find(&lp, mac);
	int ok = at && at->sw != i && strbuf_init(&t, 0) == 0;
	if (ok) {
		ok = plugged_text(&t, c, l, at) == 0;
		if (ok)
			snprintf(dst, n, "%s", t.data);
		strbuf_free(&t);
	}
	lanplace_free(&lp);
	return ok;
}

void page_lan_summary(struct strbuf *o, const struct collector *c, enum lang l,
		      const struct viewer *v)
{
	int shown = 0;
	char num[24];
	for (size_t k = 0; c->lan && k < c->inv->ncommunes; k++) {
		size_t n = lanhosts_unregistered(c->lan, k);
		if (!n || !viewer_sees(v, c->inv->communes[k].name))
			continue;
		if (!shown++)
			strbuf_printf(o, "<section id=\"lan\"><h2>%s</h2><table class=\"lan\"><thead>"
					 "<tr><th>%s</th><th>%s</th></tr></thead><tbody>\n",
				      T("lan.title"), T("col.commune"), T("lan.col.count"));
		snprintf(num, sizeof(num), "%zu", n);
		strbuf_puts(o, "<tr><td>");
		page_commune_link(o, c, k, l);
		strbuf_printf(o, "</td><td class=\"num\">%s</td></tr>\n", num);
	}
	if (shown)
		strbuf_puts(o, "</tbody></table></section>\n");
}
