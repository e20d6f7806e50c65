/*
 * [webhook NAME] sections: where alert digests go besides mail, as a JSON POST a district
 * bridges to Zalo, Telegram or an SMS gateway with a few lines of its own.
 *
 *   [webhook zalo-bridge]
 *   url = https://bridge.huyen.gov.vn/hbmon     ; http:// or https://
 *   secret = a-long-random-string               ; the HMAC-SHA256 key of X-Hbmon-Signature
 *   communes = Xã Tân Phú; Xã Hòa Bình          ; whose digests ("" or *: every commune)
 *   district = 1                                ; also district IT's digest of the probes
 *   language = vi                               ; vi or en
 *   ca_file = /etc/hbmon/bridge-ca.pem          ; verifies an https receiver ("": system CAs)
 */
#ifndef HBMON_WEBHOOKCFG_H
#define HBMON_WEBHOOKCFG_H

#include <limits.h>
#include <stddef.h>

#define CFG_WEBHOOK_MAX 8
#define WEBHOOK_SECRET_MIN 16

struct webhook_cfg {
	char name[64];
	char url[512];
	char secret[256];
	char communes[1024]; /* ';'-separated names; "": every commune */
	char ca_file[PATH_MAX];
	int district;        /* district IT's digests too */
	int lang;            /* 0 vi, 1 en (enum lang's order) */
	int line;            /* of its section */
};

/* One key of [webhook name] into w (its name set by the caller): 0, or -1 with why (what was
 * expected, never the secret's value). */
int webhookcfg_key(struct webhook_cfg *w, const char *key, const char *value, char *why,
		   size_t whysz);
/* What a complete section needs (a url, a secret long enough): 0, or -1 with why. */
int webhookcfg_check(const struct webhook_cfg *w, char *why, size_t whysz);
/* Whether w takes the digests of commune (NULL: district IT's). */
int webhookcfg_wants(const struct webhook_cfg *w, const char *commune);

#endif
