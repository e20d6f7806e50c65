/* A device's LLDP / CDP neighbours on its page (lannbr.h), each named in the inventory when it
 * is one there (lanlink.h). Every text a neighbour sent is escaped where it is put. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "lanlink.h"
#include "pages.h"
#include "texts.h"
#include "viewer.h"

#define T(key) i18n_get(c->i18n, l, key)
#define NBR_SHOWN 64 /* rows of the list; the rest counted */

/* Its capabilities in words, the kinds of device first. */
static void kind_cell(struct strbuf *o, const struct collector *c, enum lang l, unsigned caps)
{
	static const struct { unsigned cap; const char *key; } words[] = {
	    {LANNBR_CAP_ROUTER, "nbr.cap.router"},   {LANNBR_CAP_BRIDGE, "nbr.cap.bridge"},
	    {LANNBR_CAP_AP, "nbr.cap.ap"},           {LANNBR_CAP_PHONE, "nbr.cap.phone"},
	    {LANNBR_CAP_STATION, "nbr.cap.station"}, {LANNBR_CAP_REPEATER, "nbr.cap.repeater"},
	    {LANNBR_CAP_DOCSIS, "nbr.cap.docsis"},   {LANNBR_CAP_OTHER, "nbr.cap.other"},
	};
	int first = 1;
	strbuf_printf(o, "<td data-label=\"%s\">", T("nbr.col.kind"));
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (!(caps & words[k].cap))
			continue;
		strbuf_puts(o, first ? "" : ", ");
		strbuf_html(o, T(words[k].key));
		first = 0;
	}
	strbuf_puts(o, first ? "—</td>" : "</td>");
}

/* Text a device sent (already clean UTF-8), escaped and marked technical: its own names for
 * itself and its ports ("xingzhenglou-1", "Gi0/50") are identifiers, not our words. */
static void given(struct strbuf *o, const char *text)
{
	strbuf_puts(o, "<span class=\"tech\">");
	strbuf_html(o, text);
	strbuf_puts(o, "</span>");
}

/* A cell of device text; "—" when empty. */
static void text_cell(struct strbuf *o, const char *label, const char *text)
{
	strbuf_puts(o, "<td data-label=\"");
	strbuf_html(o, label);
	strbuf_puts(o, "\">");
	if (text && text[0])
		given(o, text);
	else
		strbuf_puts(o, "—");
	strbuf_puts(o, "</td>");
}

/* A remark after a cell's text: ours (words), or the device's (given). */
static void note(struct strbuf *o, const char *text, int device_text)
{
	strbuf_puts(o, " <small>(");
	if (device_text)
		given(o, text);
	else
		strbuf_html(o, text);
	strbuf_puts(o, ")</small>");
}

/* Who it is: the inventory device (a link where the viewer may go) with the name it gave, else
 * that name, else its chassis MAC. */
static void who_cell(struct strbuf *o, const struct collector *c, enum lang l,
		     const struct lanlink_set *ls, const struct lanlink *k, const struct viewer *v)
{
	const struct lannbr *nb = k->nb;
	const char *name = lannbr_display_name(nb);
	char mac[18];
	strbuf_printf(o, "<td data-label=\"%s\">", T("nbr.col.device"));
	if (k->dev >= 0) {
		const struct inv_device *d = &c->inv->devices[ls->devs[k->dev].dev];
		if (viewer_sees(v, c->inv->communes[d->commune].name))
			page_device_link(o, c, d, l);
		else
			strbuf_html(o, d->name);
		if (name && strcmp(name, d->name) != 0)
			note(o, name, 1);
	} else if (name) {
		given(o, name);
	} else if (nb->has_mac) {
		wirelan_mac_format(mac, sizeof(mac), nb->mac);
		strbuf_printf(o, "<code class=\"tech\">%s</code>", mac);
	} else {
		strbuf_puts(o, "—");
	}
	if (k->dev == LANLINK_AMBIGUOUS)
		note(o, T("nbr.ambiguous"), 0);
	if (nb->bad)
		note(o, T("nbr.bad"), 0);
	strbuf_puts(o, "</td>");
}

static void addr_cell(struct strbuf *o, const struct collector *c, enum lang l,
		      const struct lannbr *nb)
{
	strbuf_printf(o, "<td data-label=\"%s\">", T("nbr.col.addr"));
	for (int i = 0; i < nb->naddr; i++) {
		char a[INET_ADDRSTRLEN];
		struct in_addr in = {htonl(nb->addr[i])};
		inet_ntop(AF_INET, &in, a, sizeof(a));
		strbuf_printf(o, "%s%s", i ? "<br>" : "", a);
	}
	strbuf_puts(o, nb->naddr ? "</td>" : "—</td>");
}

static void nbr_row(struct strbuf *o, const struct collector *c, enum lang l,
		    const struct lanlink_set *ls, const struct lanlink *k, const struct viewer *v)
{
	const struct lannbr *nb = k->nb;
	char num[24];
	snprintf(num, sizeof(num), "%ld", nb->lport); /* the table's own number: no name known */
	strbuf_puts(o, "<tr>");
	text_cell(o, T("nbr.col.port"), nb->port[0] ? nb->port : num);
	who_cell(o, c, l, ls, k, v);
	addr_cell(o, c, l, nb);
	text_cell(o, T("nbr.col.rport"), nb->rport);
	kind_cell(o, c, l, nb->caps);
	text_cell(o, T("nbr.col.platform"), nb->platform);
	strbuf_printf(o, "<td data-label=\"%s\">%s</td>", T("nbr.col.source"),
		      lannbr_proto_name(nb->proto));
	strbuf_puts(o, "</tr>\n");
}

void page_nbr_block(struct strbuf *o, const struct collector *c, size_t i, enum lang l,
		    const struct viewer *v)
{
	const struct lannbr_list *nl = &c->state.dev[i].nbrs;
	struct lanlink_set ls;
	char num[24];
	/* every inventory device is a candidate (a district switch's neighbours may be in any
	 * commune); only this device's neighbours are linked */
	if (!nl->n || lanlink_collect(&ls, c, SIZE_MAX, i) < 0)
		return;
	strbuf_printf(o, "<section id=\"neighbours\"><h2>%s</h2>\n<p>", T("nbr.title"));
	strbuf_html(o, T("nbr.intro"));
	strbuf_printf(o, "</p>\n<table class=\"lan nbr\"><thead><tr><th>%s</th><th>%s</th>"
			 "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
			 "<tbody>\n",
		      T("nbr.col.port"), T("nbr.col.device"), T("nbr.col.addr"), T("nbr.col.rport"),
		      T("nbr.col.kind"), T("nbr.col.platform"), T("nbr.col.source"));
	for (size_t k = 0; k < ls.n && k < NBR_SHOWN; k++)
		nbr_row(o, c, l, &ls, &ls.v[k], v);
	strbuf_puts(o, "</tbody></table>\n");
	size_t more = (ls.n > NBR_SHOWN ? ls.n - NBR_SHOWN : 0) + nl->dropped;
	if (more) {
		snprintf(num, sizeof(num), "%zu", more);
		const char *const vals[][2] = {{"n", num}};
		strbuf_puts(o, "<p>");
		text_fill(o, T("nbr.more"), vals, 1);
		strbuf_puts(o, "</p>\n");
	}
	strbuf_puts(o, "</section>\n");
	lanlink_free(&ls);
}
