/* One device appended to the inventory CSV (invadd.h). */
#include "invadd.h"

#include <arpa/inet.h>
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devclass.h"
#include "inventory.h"
#include "strbuf.h"
#include "wirelan.h"

#define HEADER_MAX 4096 /* bytes of the header line read */
#define COLS_MAX 64

/* The header's column names, in order. */
struct header {
	char names[COLS_MAX][32];
	size_t n;
	int done;
};

static void on_field(void *s, size_t len, void *ctx)
{
	struct header *h = ctx;
	if (h->done || h->n >= COLS_MAX)
		return;
	snprintf(h->names[h->n++], sizeof(h->names[0]), "%.*s", (int)(len < 31 ? len : 31),
		 (const char *)s);
}

static void on_row(int c, void *ctx)
{
	(void)c;
	((struct header *)ctx)->done = 1;
}

/* Reads the header and whether the file ends with a line break. */
static int read_header(int fd, struct header *h, int *ends_nl, char *err, size_t errsz)
{
	char buf[HEADER_MAX];
	struct csv_parser p;
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	off_t size = lseek(fd, 0, SEEK_END);
	char last = '\n';
	if (n <= 0 || size <= 0 || pread(fd, &last, 1, size - 1) != 1 || csv_init(&p, 0) != 0) {
		snprintf(err, errsz, "the inventory cannot be read");
		return -1;
	}
	memset(h, 0, sizeof(*h));
	size_t upto = (size_t)n, skip = n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (size_t i = skip; i < (size_t)n; i++)
		if (buf[i] == '\n') {
			upto = i + 1;
			break;
		}
	csv_parse(&p, buf + skip, upto - skip, on_field, on_row, h);
	csv_fini(&p, on_field, on_row, h);
	csv_free(&p);
	*ends_nl = last == '\n';
	return 0;
}

/* A name a spreadsheet would run or hide (a formula, a control character) is refused: the file
 * is opened in Excel by planners. */
static int text_ok(const char *s)
{
	if (!*s || strchr("=+-@", *s))
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static long find_site(const struct inventory *inv, long k, const char *site)
{
	for (size_t s = 0; s < inv->nsites; s++)
		if (inv->sites[s].commune == (size_t)k && strcmp(inv->sites[s].name, site) == 0)
			return (long)s;
	return -1;
}

static int check(const struct inventory *inv, const struct invadd_row *r, long *site, char *err,
		 size_t errsz)
{
	struct in_addr a;
	uint8_t mac[6];
	long k = -1;
	for (size_t i = 0; i < inv->ncommunes; i++)
		if (strcmp(inv->communes[i].name, r->commune) == 0)
			k = (long)i;
	const char *why = k < 0 ? "no such commune in the inventory"
			  : (*site = find_site(inv, k, r->site)) < 0 ? "site: not a site of this commune"
			  : devclass_parse(r->cls) < 0 ? "class: not a device class"
			  : !text_ok(r->device) || strlen(r->device) >= INV_NAME_MAX
			      ? "device: a name is needed, not starting with = + - @, without control "
				"characters"
			  : inventory_find(inv, r->commune, r->device) >= 0
			      ? "device: the commune already has a device of that name"
			  : r->address[0] && inet_pton(AF_INET, r->address, &a) != 1
			      ? "address: not an IPv4 address"
			  : r->mac[0] && wirelan_mac_parse(r->mac, mac) < 0 ? "mac: not a MAC address"
									   : NULL;
	if (why)
		snprintf(err, errsz, "%s", why);
	return why ? -1 : 0;
}

/* A CSV field: quoted, quotes doubled (names hold commas and quotes). */
static void field(struct strbuf *o, const char *s, int first)
{
	if (!first)
		strbuf_puts(o, ",");
	strbuf_puts(o, "\"");
	for (; *s; s++)
		strbuf_append(o, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	strbuf_puts(o, "\"");
}

static const char *value_of(const char *col, const struct invadd_row *r, const char *type)
{
	const char *const map[][2] = {{"commune", r->commune}, {"site", r->site},
				      {"site_type", type},     {"device", r->device},
				      {"class", r->cls},       {"address", r->address},
				      {"mac", r->mac}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(col, map[i][0]) == 0)
			return map[i][1];
	return ""; /* snmp, contact, probe, url, the planners' own columns: empty */
}

int invadd_append(const char *path, const struct inventory *inv, const struct invadd_row *r,
		  char *err, size_t errsz)
{
	long site = -1;
	struct header h;
	struct strbuf row;
	int ends_nl = 1;
	if (check(inv, r, &site, err, errsz) < 0)
		return -1;
	int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsz, "%s: the collector may not write the inventory (%s): add the "
			 "device to the file by hand, or let the collector's user write it",
			 path, strerror(errno));
		return -1;
	}
	int rc = read_header(fd, &h, &ends_nl, err, errsz);
	if (rc == 0 && strbuf_init(&row, 1024) == 0) {
		if (!ends_nl)
			strbuf_puts(&row, "\n");
		for (size_t i = 0; i < h.n; i++)
			field(&row, value_of(h.names[i], r, inv->sites[site].type), i == 0);
		strbuf_puts(&row, "\n");
		rc = row.overflow || write(fd, row.data, row.len) != (ssize_t)row.len || fsync(fd) < 0
			 ? -1
			 : 0;
		if (rc < 0)
			snprintf(err, errsz, "%s: cannot write: %s", path, strerror(errno));
		strbuf_free(&row);
	}
	close(fd);
	return rc;
}
