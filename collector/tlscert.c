#include "tlscert.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filecheck.h"

#define VALID_DAYS 3650
#define PEM_MAX (64 * 1024)

/* An IP address goes into the certificate as one: a probe reaching https://10.0.0.5/ checks
 * the address, not a DNS name. */
static int add_host(gnutls_x509_crt_t crt, const char *host)
{
	unsigned char ip[16];
	if (inet_pton(AF_INET, host, ip) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4,
							    GNUTLS_FSAN_APPEND);
	if (inet_pton(AF_INET6, host, ip) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16,
							    GNUTLS_FSAN_APPEND);
	for (const char *p = host; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return -1;
	return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, host,
						    (unsigned)strlen(host), GNUTLS_FSAN_APPEND);
}

/* Self-signed, as `openssl req -x509` makes them: its own authority, for a web server. */
static int fill_cert(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *const *hosts,
		     size_t nhosts, time_t now, char *err, size_t errsz)
{
	unsigned char serial[16];
	if (getrandom(serial, sizeof(serial), 0) != (ssize_t)sizeof(serial))
		return snprintf(err, errsz, "no random bytes"), -1;
	serial[0] &= 0x7f; /* a positive number */
	const char *cn = nhosts ? hosts[0] : "hbmon";
	if (gnutls_x509_crt_set_version(crt, 3) < 0 ||
	    gnutls_x509_crt_set_serial(crt, serial, sizeof(serial)) < 0 ||
	    gnutls_x509_crt_set_activation_time(crt, now - 3600) < 0 ||
	    gnutls_x509_crt_set_expiration_time(crt, now + (time_t)VALID_DAYS * 86400) < 0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "hbmon", 5) <
		0 ||
	    gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn,
					  (unsigned)strlen(cn)) < 0 ||
	    gnutls_x509_crt_set_key(crt, key) < 0 ||
	    gnutls_x509_crt_set_basic_constraints(crt, 1, 0) < 0 ||
	    gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE |
						   GNUTLS_KEY_KEY_CERT_SIGN) < 0 ||
	    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0) < 0)
		return snprintf(err, errsz, "cannot build the certificate"), -1;
	for (size_t i = 0; i < nhosts; i++)
		if (add_host(crt, hosts[i]) < 0)
			return snprintf(err, errsz, "--host %s: not a host name or an address",
					hosts[i]), -1;
	if (gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0) < 0)
		return snprintf(err, errsz, "cannot sign the certificate"), -1;
	return 0;
}

static int write_new(const char *path, const gnutls_datum_t *d, mode_t mode, char *err,
		     size_t errsz)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return snprintf(err, errsz, "%s: %s", path,
				errno == EEXIST ? "exists (never replaced)" : strerror(errno)), -1;
	int ok = write(fd, d->data, d->size) == (ssize_t)d->size && fsync(fd) == 0;
	if (close(fd) < 0 || !ok) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int tlscert_generate(const char *cert_path, const char *key_path, const char *const *hosts,
		     size_t nhosts, time_t now, char *err, size_t errsz)
{
	gnutls_x509_privkey_t key = NULL;
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t kd = {NULL, 0}, cd = {NULL, 0};
	int rc = -1;
	if (gnutls_x509_privkey_init(&key) < 0 || gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_privkey_generate2(key, GNUTLS_PK_ECDSA,
					  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL,
					  0) < 0) {
		snprintf(err, errsz, "cannot make a key (GnuTLS)");
		goto out;
	}
	if (fill_cert(crt, key, hosts, nhosts, now, err, errsz) < 0)
		goto out;
	if (gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
					      &kd) < 0 ||
	    gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cd) < 0) {
		snprintf(err, errsz, "cannot write the key or certificate as PEM");
		goto out;
	}
	if (write_new(key_path, &kd, 0600, err, errsz) < 0)
		goto out;
	if (write_new(cert_path, &cd, 0644, err, errsz) < 0) {
		unlink(key_path);
		goto out;
	}
	rc = 0;
out:
	if (kd.data) {
		gnutls_memset(kd.data, 0, kd.size);
		gnutls_free(kd.data);
	}
	gnutls_free(cd.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	return rc;
}

/* The pair's files as errors name them, and how to replace them. */
#define PAIR_FIX "'hbmon-collector init DIR' writes a key and certificate"
static const struct file_role cert_file = {
	"the TLS certificate", "point [collector] tls_cert at the right file", PAIR_FIX, 0};
static const struct file_role key_file = {
	"the TLS key", "point [collector] tls_key at the right file", PAIR_FIX, 1};

/* NULL with err set when buf (the file's bytes) cannot be a PEM file of the pair. */
static char *pem_text(const char *path, char *buf, const struct stat *st, const char *what,
		      char *err, size_t errsz)
{
	buf[st->st_size] = '\0';
	if (strstr(buf, "-----BEGIN "))
		return buf;
	snprintf(err, errsz, "%s: not a PEM file (no -----BEGIN line): put %s there in PEM form "
		 "(%s)", path, what, PAIR_FIX);
	free(buf);
	return NULL;
}

char *tlscert_read_pem(const char *path, int is_key, char *err, size_t errsz)
{
	struct stat st;
	const struct file_role *r = is_key ? &key_file : &cert_file;
	if (file_check_readable(path, r, err, errsz) < 0)
		return NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errsz, "%s: cannot open %s: %s", path, r->what, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *buf = NULL;
	if (is_key && (st.st_mode & S_IRWXO))
		snprintf(err, errsz, "%s: a private key others can read (chmod 600, or 640 with group "
			 "hbmon)", path);
	else if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > PEM_MAX)
		snprintf(err, errsz, "%s: expected %s in a PEM file under 64 KiB, found %s: replace "
			 "it (%s)", path, r->what, !S_ISREG(st.st_mode) ? "no regular file"
			 : st.st_size ? "a larger file" : "an empty file", PAIR_FIX);
	else if (!(buf = malloc((size_t)st.st_size + 1)))
		snprintf(err, errsz, "out of memory");
	else if (read(fd, buf, (size_t)st.st_size) != st.st_size) {
		snprintf(err, errsz, "%s: cannot read %s whole: %s", path, r->what, strerror(errno));
		free(buf);
		buf = NULL;
	} else {
		buf = pem_text(path, buf, &st, r->what, err, errsz);
	}
	close(fd);
	return buf;
}

/* At least one certificate GnuTLS can parse: a damaged one would otherwise stop the listener
 * with no word on which file is wrong. */
static int check_cert(const char *path, const char *pem, char *err, size_t errsz)
{
	gnutls_x509_crt_t *crts = NULL;
	unsigned n = 0;
	gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
	int rc = gnutls_x509_crt_list_import2(&crts, &n, &d, GNUTLS_X509_FMT_PEM, 0);
	for (unsigned i = 0; rc >= 0 && i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (rc >= 0)
		gnutls_free(crts);
	if (rc >= 0 && n > 0)
		return 0;
	snprintf(err, errsz, "%s: not a certificate GnuTLS can read (%s): put the site's "
		 "certificate there in PEM form (%s)", path,
		 rc < 0 ? gnutls_strerror(rc) : "none in the file", PAIR_FIX);
	return -1;
}

static int check_key(const char *path, const char *pem, char *err, size_t errsz)
{
	gnutls_x509_privkey_t k;
	gnutls_datum_t d = {(unsigned char *)(uintptr_t)pem, (unsigned)strlen(pem)};
	if (gnutls_x509_privkey_init(&k) < 0)
		return snprintf(err, errsz, "out of memory"), -1;
	int rc = gnutls_x509_privkey_import2(k, &d, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_x509_privkey_deinit(k);
	if (rc >= 0)
		return 0;
	snprintf(err, errsz, "%s: not a private key GnuTLS can read (%s): put the certificate's "
		 "key there, in PEM form and without a passphrase (%s)", path, gnutls_strerror(rc),
		 PAIR_FIX);
	return -1;
}

/* The key must be the certificate's: GnuTLS says so when both are loaded together. */
static int check_pair(const struct hbmon_config *cfg, const char *cert, const char *key,
		      char *err, size_t errsz)
{
	gnutls_certificate_credentials_t cr;
	gnutls_datum_t cd = {(unsigned char *)(uintptr_t)cert, (unsigned)strlen(cert)};
	gnutls_datum_t kd = {(unsigned char *)(uintptr_t)key, (unsigned)strlen(key)};
	if (check_cert(cfg->tls_cert, cert, err, errsz) < 0 ||
	    check_key(cfg->tls_key, key, err, errsz) < 0)
		return -1;
	if (gnutls_certificate_allocate_credentials(&cr) < 0)
		return snprintf(err, errsz, "out of memory"), -1;
	int rc = gnutls_certificate_set_x509_key_mem2(cr, &cd, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
	gnutls_certificate_free_credentials(cr);
	if (rc >= 0)
		return 0;
	snprintf(err, errsz, "%s, %s: %s: [collector] tls_cert and tls_key must be a certificate and "
		 "its own key (%s)", cfg->tls_cert, cfg->tls_key,
		 rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH ? "the key is not the certificate's"
							 : gnutls_strerror(rc), PAIR_FIX);
	return -1;
}

int tlscert_load(const struct hbmon_config *cfg, char **cert, char **key, char *err,
		 size_t errsz)
{
	*cert = *key = NULL;
	if (!cfg->tls_cert[0] && !cfg->tls_key[0]) {
		if (config_host_is_loopback(cfg->listen_addr))
			return 0;
		snprintf(err, errsz, "%s: [collector] listen_address = %s without tls_cert and "
			 "tls_key: probe secrets and the dashboard would cross the LAN in clear; set "
			 "both (hbmon-collector init writes a pair) or listen on 127.0.0.1",
			 cfg->path, cfg->listen_addr);
		return -1;
	}
	if (!cfg->tls_cert[0] || !cfg->tls_key[0]) {
		snprintf(err, errsz, "%s: [collector] tls_cert and tls_key go together: set %s too",
			 cfg->path, cfg->tls_cert[0] ? "tls_key" : "tls_cert");
		return -1;
	}
	if (!(*cert = tlscert_read_pem(cfg->tls_cert, 0, err, errsz)) ||
	    !(*key = tlscert_read_pem(cfg->tls_key, 1, err, errsz)) ||
	    check_pair(cfg, *cert, *key, err, errsz) < 0) {
		free(*cert);
		if (*key)
			memset(*key, 0, strlen(*key));
		free(*key);
		*cert = *key = NULL;
		return -1;
	}
	return 0;
}
