#include "digest.h"

#include <stdio.h>
#include <string.h>

#include "texts.h"

#define T(key) i18n_get(in->i18n, l, key)

static void hhmm(char *dst, size_t n, time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(dst, n, "%H:%M", &tm);
}

/* A time in a mail: "09:01" today, "04/12 09:01" otherwise. */
static void since_text(char *dst, size_t n, time_t at, time_t now)
{
	struct tm ta, tn;
	localtime_r(&at, &ta);
	localtime_r(&now, &tn);
	if (ta.tm_year == tn.tm_year && ta.tm_yday == tn.tm_yday)
		hhmm(dst, n, at);
	else
		text_day_time(dst, n, at);
}

/* When an alert's problem began: it fired after `pending` seconds missed. */
static time_t began(const struct digest_in *in, const struct alert *al)
{
	return al->since - in->cfg->alert_pending;
}

/* The commune and its worst problem (the first critical one, else the first warning, which
 * says so), "(+N more)"; nothing firing: all met again. */
static void commune_subject(struct strbuf *sb, const struct digest_in *in, enum lang l)
{
	const struct alert *worst = NULL;
	for (int i = 0; i < in->nfiring && !worst; i++)
		if (!in->firing[i]->warning)
			worst = in->firing[i];
	if (!worst && in->nfiring)
		worst = in->firing[0];
	strbuf_printf(sb, "[hbmon] %s: ", in->commune);
	if (!worst) {
		strbuf_puts(sb, T("alert.subject.ok"));
		return;
	}
	if (worst->warning)
		strbuf_printf(sb, "%s: ", T("severity.warning"));
	if (worst->what[l][0] && worst->problem_key[0]) {
		char since[32];
		since_text(since, sizeof(since), began(in, worst), in->now);
		strbuf_printf(sb, "%s %s %s %s", worst->what[l], T(worst->problem_key),
			      T("alert.since"), since);
	} else { /* kept across a restart, not judged since: its reason */
		strbuf_puts(sb, worst->reason[l]);
	}
	if (in->nfiring > 1)
		strbuf_printf(sb, " (+%d %s)", in->nfiring - 1, T("alert.more"));
}

/* One change: a new problem with its reason; a recovery with what works again and how long
 * it was out, not the failure again. */
static void change_line(struct strbuf *body, const struct digest_in *in, enum lang l,
			const struct digest_change *ch)
{
	char hm[8], out[64];
	hhmm(hm, sizeof(hm), ch->at);
	const char *word = ch->firing == 2 ? "alert.acked"
			   : ch->firing    ? (ch->warning ? "alert.firing_warning" : "alert.firing")
					   : "alert.resolved";
	strbuf_printf(body, "  %s %s — ", hm, T(word));
	if (ch->firing || !ch->what[l][0]) {
		strbuf_printf(body, "%s\n", ch->text[l]);
		return;
	}
	strbuf_printf(body, "%s: %s", ch->what[l], T("alert.back"));
	if (ch->out_for > 0) {
		text_duration(out, sizeof(out), in->i18n, l, ch->out_for);
		strbuf_printf(body, " %s %s", T("alert.out_for"), out);
	}
	strbuf_puts(body, "\n");
}

/* What is still wrong, the critical problems then the warnings, each with since when. */
static void still_wrong(struct strbuf *body, const struct digest_in *in, enum lang l)
{
	for (int warn = 0; warn <= 1; warn++) {
		int first = 1;
		for (int i = 0; i < in->nfiring; i++) {
			const struct alert *al = in->firing[i];
			char since[32];
			if (al->warning != warn)
				continue;
			if (first)
				strbuf_printf(body, "\n%s:\n", T(warn ? "alert.warnings" : "alert.still"));
			first = 0;
			since_text(since, sizeof(since), began(in, al), in->now);
			strbuf_printf(body, "  %s (%s %s)\n", al->reason[l], T("alert.since"), since);
		}
	}
	if (!in->nfiring)
		strbuf_printf(body, "\n%s\n", T("alert.none"));
}

/* What to check first: each kind's short text once, in the order of the problems. */
static void check_first(struct strbuf *body, const struct digest_in *in, enum lang l)
{
	const char *seen[64];
	int nseen = 0;
	for (int i = 0; i < in->nfiring; i++) {
		const char *k = in->firing[i]->check_key;
		int dup = !k[0];
		for (int j = 0; j < nseen && !dup; j++)
			dup = strcmp(seen[j], k) == 0;
		if (dup || nseen == 64)
			continue;
		if (!nseen)
			strbuf_printf(body, "\n%s:\n", T("alert.check_first"));
		seen[nseen++] = k;
		strbuf_printf(body, "  - %s\n", T(k));
	}
}

/* Whom to call and where to look: the commune's section of the overview. */
static void contact(struct strbuf *body, const struct digest_in *in, enum lang l)
{
	if (in->cfg->it_contact[0])
		strbuf_printf(body, "\n%s: %s\n", T("alert.contact"), in->cfg->it_contact);
	if (in->cfg->dashboard_url[0])
		strbuf_printf(body, "%s: %s/%s#c%zu\n", T("alert.link"), in->cfg->dashboard_url,
			      l == LANG_VI ? "" : "?lang=en", in->commune_index);
}

/* District IT's digest of the probes: the last change names the subject; each change with
 * its day and time; what to check while one is silent. */
static void probes_digest(struct strbuf *subj, struct strbuf *body, const struct digest_in *in,
			  enum lang l)
{
	strbuf_printf(subj, "[hbmon] %s: %s", in->cfg->district,
		      in->nchg ? in->chg[in->nchg - 1].text[l] : T("alert.probe_all_ok"));
	for (size_t k = 0; k < in->nchg; k++) {
		char when[32];
		text_day_time(when, sizeof(when), in->chg[k].at);
		strbuf_printf(body, "%s %s — %s\n", when,
			      T(in->chg[k].firing ? "alert.firing" : "alert.resolved"),
			      in->chg[k].text[l]);
	}
	strbuf_printf(body, "\n%s\n", T(in->nfiring ? "alert.probe_check" : "alert.probe_all_ok"));
}

int digest_compose(struct strbuf *subj, struct strbuf *body, const struct digest_in *in,
		   enum lang l)
{
	if (!in->commune) {
		probes_digest(subj, body, in, l);
	} else {
		char when[32];
		commune_subject(subj, in, l);
		text_time(when, sizeof(when), in->now);
		strbuf_printf(body, "%s — %s, %s — %s\n\n%s:\n", T("alert.intro"), in->cfg->district,
			      in->commune, when, T("alert.changes"));
		for (size_t k = 0; k < in->nchg; k++)
			change_line(body, in, l, &in->chg[k]);
		still_wrong(body, in, l);
		check_first(body, in, l);
		contact(body, in, l);
	}
	return subj->overflow || body->overflow ? -1 : 0;
}
