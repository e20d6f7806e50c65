/* The LAN watch's configuration (lanconf.h). */
#include "lanconf.h"

#include <string.h>

#include "assign.h"
#include "log.h"
#include "strbuf.h"

#define LIST_SHOWN 3 /* communes named in an error; "and N more" after */

/* The communes of the devices this probe polls: how many, and the first few named in list. */
static size_t probe_communes(const struct hbmon_config *cfg, const struct inventory *inv,
			     size_t *only, struct strbuf *list)
{
	size_t n = 0;
	for (size_t c = 0; c < inv->ncommunes; c++) {
		int mine = 0;
		for (size_t i = 0; i < inv->ndevices && !mine; i++) {
			const char *owner = assignment_owner(&inv->devices[i], cfg->default_probe);
			mine = inv->devices[i].commune == c && owner &&
			       strcmp(owner, cfg->probe_name) == 0;
		}
		if (!mine)
			continue;
		if (n < LIST_SHOWN)
			strbuf_printf(list, "%s%s", n ? ", " : "", inv->communes[c].name);
		*only = c;
		n++;
	}
	if (n > LIST_SHOWN)
		strbuf_printf(list, " and %zu more", n - LIST_SHOWN);
	return n;
}

static int has_commune(const struct inventory *inv, const char *name)
{
	for (size_t c = 0; c < inv->ncommunes; c++)
		if (strcmp(inv->communes[c].name, name) == 0)
			return 1;
	return 0;
}

void lanconf_resolve(struct hbmon_config *cfg, const struct inventory *inv, struct errlist *errs)
{
	struct strbuf list;
	size_t only = 0, n;
	if (!cfg->ncaptures || !inv)
		return;
	if (strbuf_init(&list, 4096) < 0)
		return;
	n = probe_communes(cfg, inv, &only, &list);
	for (int i = 0; i < cfg->ncaptures; i++) {
		struct capture_cfg *c = &cfg->captures[i];
		if (c->commune[0]) {
			if (!has_commune(inv, c->commune))
				errlist_add(errs, "%s:%d: [capture %s] commune: no commune \"%s\" in the "
					    "inventory (%s): write its name as the inventory does",
					    cfg->path, c->line, c->iface, c->commune, cfg->inventory);
		} else if (n == 1) {
			str_copy(c->commune, sizeof(c->commune), inv->communes[only].name);
		} else {
			errlist_add(errs, "%s: [probe] capture: which commune's LAN is %s? This probe's "
				    "devices are in %zu communes%s%s%s: add a section [capture %s] with "
				    "commune = <its name>", cfg->path, c->iface, n, n ? " (" : "",
				    n ? list.data : "", n ? ")" : "", c->iface);
		}
	}
	strbuf_free(&list);
}

struct lanwatch *lanconf_start(const struct hbmon_config *cfg, const struct oui_table *oui)
{
	struct lanwatch_iface_opts ifs[CFG_CAPTURE_MAX];
	if (!cfg->ncaptures)
		return NULL;
	for (int i = 0; i < cfg->ncaptures; i++)
		ifs[i] = (struct lanwatch_iface_opts){cfg->captures[i].iface, cfg->captures[i].commune,
						      cfg->captures[i].presence_minutes * 60};
	struct lanwatch_opts o = {ifs, (size_t)cfg->ncaptures, (size_t)cfg->lan_hosts_max, oui, 0, 0};
	struct lanwatch *lw = lanwatch_new(&o);
	if (!lw)
		fatalx("lanwatch", "out of memory at start-up (%d interfaces of %d hosts)",
		       cfg->ncaptures, cfg->lan_hosts_max);
	size_t open = lanwatch_open_all(lw);
	if (!open)
		log_warnx("lanwatch", "no interface of [probe] capture could be opened: hosts are not "
			  "watched until one can (tried again later)");
	return lw;
}
