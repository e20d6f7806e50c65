#include "assign.h"

#include <stdio.h>
#include <string.h>

#include "devclass.h"
#include "wire.h"

#define ASSIGNMENT_MAX (16u << 20) /* as the probe reads it */

/* RFC 4180: quoted, quotes doubled. The probe parses it back with the inventory's reader, so
 * nothing is neutralised for spreadsheets here. */
static void field(struct strbuf *out, const char *s, int last)
{
	strbuf_puts(out, "\"");
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			strbuf_puts(out, "\"");
		strbuf_append(out, p, 1);
	}
	strbuf_puts(out, last ? "\"\r\n" : "\",");
}

/* HOST, HOST:PORT or [IPv6]:PORT, as inventory_parse_address reads it back. */
static void address(char *dst, size_t dstsz, const struct inv_device *d)
{
	int v6 = strchr(d->host, ':') != NULL;
	if (!d->host[0])
		snprintf(dst, dstsz, "%s", "");
	else if (d->port == 161)
		snprintf(dst, dstsz, "%s", d->host);
	else
		snprintf(dst, dstsz, v6 ? "[%s]:%d" : "%s:%d", d->host, d->port);
}

const char *assignment_owner(const struct inv_device *d, const char *default_probe)
{
	return d->probe[0] ? d->probe : default_probe;
}

int assignment_csv(struct strbuf *out, const struct inventory *inv, const char *probe,
		   const char *default_probe)
{
	char addr[96];
	char mac[18];
	strbuf_puts(out, "commune,site,site_type,device,class,address,snmp,contact,probe,url,mac\r\n");
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		const char *owner = assignment_owner(d, default_probe);
		if (strcmp(owner, probe) != 0)
			continue;
		const struct inv_site *s = &inv->sites[d->site];
		address(addr, sizeof(addr), d);
		field(out, inv->communes[d->commune].name, 0);
		field(out, s->name, 0);
		field(out, s->type, 0);
		field(out, d->name, 0);
		field(out, d->cls_auto ? "" : devclass_name(d->cls), 0);
		field(out, addr, 0);
		field(out, d->cred, 0);
		field(out, d->contact, 0);
		field(out, d->probe, 0);
		field(out, d->url, 0);
		if (d->has_mac) /* the LAN watch knows the device by it */
			wirelan_mac_format(mac, sizeof(mac), d->mac);
		field(out, d->has_mac ? mac : "", 1);
	}
	return out->overflow ? -1 : 0;
}

uint64_t assignment_digest(const struct inventory *inv, const char *probe,
			   const char *default_probe)
{
	struct strbuf sb;
	uint64_t d = 0;
	if (strbuf_init(&sb, ASSIGNMENT_MAX) < 0)
		return 0;
	if (assignment_csv(&sb, inv, probe, default_probe) == 0)
		d = wire_digest(sb.data, sb.len);
	strbuf_free(&sb);
	return d;
}
