/*
 * The collector's TLS key and certificate: read for the HTTPS listener, and made once by
 * `hbmon-collector init` (self-signed, for the names and addresses probes use to reach it), so a
 * district has HTTPS from its first start. Probes trust exactly this certificate ([probe]
 * ca_file); a district with its own CA replaces both files.
 */
#ifndef HBMON_TLSCERT_H
#define HBMON_TLSCERT_H

#include <stddef.h>
#include <time.h>

#include "config.h"

/*
 * A new ECDSA P-256 key (mode 0600) and a self-signed certificate (0644) naming hosts (DNS
 * names or IP addresses) in its subjectAltName, valid from now for ten years. Existing files
 * are never replaced. 0, or -1 with err naming the file or the host.
 */
int tlscert_generate(const char *cert_path, const char *key_path, const char *const *hosts,
		     size_t nhosts, time_t now, char *err, size_t errsz);

/* The whole PEM file as a string (free() it); a key file others can read is refused. NULL with
 * err naming the file and the fix. */
char *tlscert_read_pem(const char *path, int is_key, char *err, size_t errsz);

/*
 * The listener's PEM strings from [collector] tls_cert and tls_key (free() both), or both NULL
 * for plain HTTP, which only a loopback listen_address may serve: probe secrets and the
 * dashboard never cross the LAN in clear. Both are parsed and matched as the listener will
 * (GnuTLS), so a damaged file is named here rather than failing the listener without a word.
 * -1 with err naming the file or option and the fix.
 */
int tlscert_load(const struct hbmon_config *cfg, char **cert, char **key, char *err,
		 size_t errsz);

#endif
