/*
 * Alert digests in words: what a commune officer (or district IT, for the probes) reads in
 * one mail. Given the changes since the last mail and the alerts firing now, it writes the
 * subject and the body in one language; who receives it and the outbox are the alerts'.
 */
#ifndef HBMON_DIGEST_H
#define HBMON_DIGEST_H

#include <stddef.h>
#include <time.h>

#include "alertfsm.h"
#include "config.h"
#include "i18n.h"
#include "strbuf.h"

/* A change waiting for the next digest, in each language: firing (1), resolved (0) or
 * acknowledged (2); what it is about, and for a recovery how long it was out. */
struct digest_change {
	int firing, warning;
	time_t at;
	long out_for;
	char text[LANG_COUNT][600];
	char what[LANG_COUNT][200];
};

struct digest_in {
	const struct hbmon_config *cfg; /* district, alert_pending, it_contact, dashboard_url */
	const struct i18n *i18n;
	const char *commune;  /* its name; NULL: district IT's digest of the probes */
	size_t commune_index; /* its section on the overview (#c<k>) */
	const struct digest_change *chg;
	size_t nchg;
	const struct alert *const *firing; /* firing now, most important first */
	int nfiring;
	time_t now;
};

/* "[hbmon] Xã Tân Phú: máy quét của Bộ phận một cửa mất kết nối từ 09:01 (+1 sự cố khác)",
 * and the body: changes, what is still wrong, what to check, whom to call, where to look. */
int digest_compose(struct strbuf *subj, struct strbuf *body, const struct digest_in *in,
		   enum lang l);

#endif
