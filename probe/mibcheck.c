#include "mibcheck.h"
#include "enums.h"
#include "poller.h"

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

struct ctx {
	struct errlist *errs;
	int found, unknown;
};

static void fmt(char *dst, size_t dstsz, const unsigned long *o, size_t len)
{
	size_t off = 0;
	dst[0] = '\0';
	for (size_t i = 0; i < len && off + 12 < dstsz; i++)
		off += (size_t)snprintf(dst + off, dstsz - off, "%s%lu", i ? "." : "", o[i]);
}

/* instance: the profile's OID carries the scalar's ".0" after the object's own */
static void check(struct ctx *cx, const char *name, const struct prof_oid *po, int instance,
		  const char *where)
{
	oid got[MAX_OID_LEN];
	size_t len = MAX_OID_LEN;
	if (!name || !*name || !get_node(name, got, &len)) {
		cx->unknown++;
		return;
	}
	cx->found++;
	size_t want = po->len - (instance ? 1 : 0);
	int same = len == want && (!instance || po->sub[po->len - 1] == 0);
	for (size_t i = 0; same && i < len; i++)
		same = got[i] == po->sub[i];
	if (!same) {
		char mib[256], prof[256];
		fmt(mib, sizeof(mib), got, len);
		fmt(prof, sizeof(prof), po->sub, po->len);
		errlist_add(cx->errs, "%s: %s is %s%s in the MIB files, not %s", where, name, mib,
			    instance ? ".0" : "", prof);
	}
}

/* A section of numbers in enums.conf against the object's enumeration in the MIB files: a
 * number both name must have the same label (a hand-edited or stale file would put wrong words
 * on the dashboard). A number only one of them names is no error: registries such as
 * IANA-PRINTER-MIB grow, and the system's copy of a module may be older or newer than ours.
 * Objects the files lack are left alone, as names are. */
static void check_enum(struct ctx *cx, const struct enum_map *m)
{
	oid name[MAX_OID_LEN];
	size_t len = MAX_OID_LEN;
	struct tree *tp;
	if (m->oid_keyed || !get_node(m->mib, name, &len) ||
	    !(tp = get_tree(name, len, get_tree_head())))
		return;
	for (const struct enum_list *e = tp->enums; e; e = e->next) {
		const char *have = enum_label_num(m, e->value);
		if (have[0] && e->label && strcmp(have, e->label) != 0) {
			errlist_add(cx->errs, "%s: [%s]: the MIB files name %d %s, enums.conf %s",
				    m->where, m->mib, e->value, e->label, have);
			return;
		}
	}
}

int mibcheck_profiles(const struct profiles *ps, const char *dirs, int *unknown,
		      struct errlist *errs)
{
	char list[4096] = "", buf[4096];
	snprintf(buf, sizeof(buf), "%s", dirs);
	char *save = NULL;
	for (char *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		struct stat st;
		if (stat(d, &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 list[0] ? ":" : "", d);
	}
	*unknown = 0;
	if (!list[0])
		return -1;
	/* every module of those folders, and nothing from the default places; the parser's
	 * complaints about modules it cannot link (folders without SNMPv2-SMI, say) go to
	 * /dev/null: what matters here is only the names it can resolve */
	setenv("MIBDIRS", list, 1);
	setenv("MIBS", "ALL", 1);
	snmp_set_mib_warnings(0);
	snmp_set_mib_errors(0);
	poller_lib_quiet();
	fflush(stderr);
	int saved = dup(2), null = open("/dev/null", O_WRONLY);
	if (saved >= 0 && null >= 0)
		dup2(null, 2);
	netsnmp_init_mib();
	fflush(stderr);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	if (null >= 0)
		close(null);
	struct ctx cx = {errs, 0, 0};
	/* a profile included by several classes is checked once, through its own file */
	for (size_t i = 0; i < ps->np; i++) {
		const struct profile *p = &ps->p[i];
		char own[PROF_CLASS_MAX + 8];
		snprintf(own, sizeof(own), "/%s.conf:", p->name);
		for (int r = 0; r < IFR_COUNT; r++)
			if (p->ifcol[r].len && p->ifwhere[r] && strstr(p->ifwhere[r], own))
				check(&cx, p->ifmib[r], &p->ifcol[r], 0, p->ifwhere[r]);
		for (size_t g = 0; g < p->ngroups; g++) {
			const struct prof_group *pg = p->groups[g];
			if (!strstr(pg->where, own))
				continue;
			for (size_t m = 0; m < pg->nm; m++)
				if (pg->m[m].type != PM_PERCENT && pg->m[m].type != PM_PRODUCT)
					check(&cx, pg->m[m].mib, &pg->m[m].oid, !pg->table,
					      pg->m[m].where);
		}
	}
	for (size_t i = 0; i < ps->nrules; i++)
		if (ps->rules[i].kind == RULE_HAS)
			check(&cx, ps->rules[i].text, &ps->rules[i].oid, 0, ps->rules[i].where);
	for (size_t i = 0; ps->enums && i < ps->enums->n; i++)
		check_enum(&cx, &ps->enums->m[i]);
	shutdown_mib();
	*unknown = cx.unknown;
	return cx.found;
}
