#include "inventory.h"
#include "filecheck.h"

#include <arpa/inet.h>
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "names.h"
#include "strbuf.h"
#include "wirelan.h"

enum col { C_COMMUNE, C_SITE, C_SITE_TYPE, C_DEVICE, C_CLASS, C_ADDRESS, C_SNMP, C_CONTACT,
	   C_PROBE, C_URL, C_MAC, C_COUNT };
static const char *const col_names[C_COUNT] = {
	"commune", "site", "site_type", "device", "class", "address", "snmp", "contact", "probe",
	"url", "mac",
};
#define REQUIRED_COLS C_PROBE /* columns before this one must be in the header */
#define MAX_FIELDS 64
#define MAX_FIELD_LEN 1024

struct reader {
	const char *file;
	const struct hbmon_config *cfg;
	struct errlist *errs;
	struct inventory *inv;
	int line;      /* lines fed so far */
	int row_line;  /* line where the current row started */
	int between_rows; /* the last row ended: the next non-blank line starts one */
	int row;       /* 0 = header */
	int colpos[C_COUNT]; /* field index of each column, -1 if absent */
	char *field[MAX_FIELDS];
	size_t nfields;
	size_t nheader; /* fields of the header row */
	int header_ok;
	size_t cap_dev, cap_site, cap_commune;
};

static void set_col(struct reader *r, const char *name, size_t idx)
{
	char buf[64];
	size_t n = 0;
	/* trim blanks, fold case; a UTF-8 BOM from Excel may start the header */
	if (idx == 0 && strncmp(name, "\xEF\xBB\xBF", 3) == 0)
		name += 3;
	while (*name == ' ')
		name++;
	for (; *name && n < sizeof(buf) - 1; name++)
		buf[n++] = (*name == ' ' || *name == '-') ? '_' : *name;
	while (n > 0 && buf[n - 1] == '_')
		n--;
	buf[n] = '\0';
	for (int c = 0; c < C_COUNT; c++)
		if (strcasecmp(buf, col_names[c]) == 0 ||
		    (c == C_COMMUNE && strcasecmp(buf, "unit") == 0)) {
			if (r->colpos[c] >= 0)
				errlist_add(r->errs, "%s:%d: header: column \"%s\" appears twice", r->file,
					    r->row_line, col_names[c]);
			r->colpos[c] = (int)idx;
		}
}

static const char *get(struct reader *r, enum col c)
{
	int p = r->colpos[c];
	if (p < 0 || (size_t)p >= r->nfields)
		return "";
	return r->field[p];
}

static void *grow(void *arr, size_t *cap, size_t n, size_t elsz)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *a = realloc(arr, ncap * elsz);
	if (a)
		*cap = ncap;
	return a;
}

/* Text fields: required or not, valid UTF-8 without control bytes, bounded. */
static int text_field(struct reader *r, enum col c, char *dst, size_t dstsz, int required)
{
	const char *v = get(r, c);
	if (!*v) {
		if (required) {
			errlist_add(r->errs, "%s:%d: %s: empty", r->file, r->row_line, col_names[c]);
			return -1;
		}
		dst[0] = '\0';
		return 0;
	}
	if (!utf8_is_clean(v)) {
		errlist_add(r->errs, "%s:%d: %s: not valid UTF-8 text, or it holds a control "
			    "character (a NUL, a line break) or an invisible one (a right-to-left "
			    "override); save the file as UTF-8 and retype the name",
			    r->file, r->row_line, col_names[c]);
		return -1;
	}
	if (str_copy(dst, dstsz, v) < 0) {
		errlist_add(r->errs, "%s:%d: %s: longer than %zu bytes", r->file, r->row_line,
			    col_names[c], dstsz - 1);
		return -1;
	}
	return 0;
}

/* Accepts a.b.c.d, a.b.c.d:port, an IPv6 address, or [IPv6]:port. */
int inventory_parse_address(const char *s, char *host, size_t hostsz, int *port)
{
	char buf[80];
	unsigned char tmp[16];
	const char *p = NULL;
	long v = 161;

	if (str_copy(buf, sizeof(buf), s) < 0)
		return -1;
	if (buf[0] == '[') {
		char *end = strchr(buf, ']');
		if (!end)
			return -1;
		*end = '\0';
		if (end[1] == ':')
			p = end + 2;
		else if (end[1])
			return -1;
		if (inet_pton(AF_INET6, buf + 1, tmp) != 1)
			return -1;
		if (str_copy(host, hostsz, buf + 1) < 0)
			return -1;
	} else if (inet_pton(AF_INET6, buf, tmp) == 1) {
		if (str_copy(host, hostsz, buf) < 0)
			return -1;
	} else {
		char *colon = strchr(buf, ':');
		if (colon) {
			*colon = '\0';
			p = colon + 1;
		}
		if (inet_pton(AF_INET, buf, tmp) != 1 || str_copy(host, hostsz, buf) < 0)
			return -1;
	}
	if (p && parse_long(p, 1, 65535, &v) < 0)
		return -1;
	*port = (int)v;
	return 0;
}

static long find_commune(struct inventory *inv, const char *name)
{
	for (size_t i = 0; i < inv->ncommunes; i++)
		if (strcmp(inv->communes[i].name, name) == 0)
			return (long)i;
	return -1;
}

static long find_site(struct inventory *inv, size_t commune, const char *name)
{
	for (size_t i = 0; i < inv->nsites; i++)
		if (inv->sites[i].commune == commune && strcmp(inv->sites[i].name, name) == 0)
			return (long)i;
	return -1;
}

static int place_device(struct reader *r, struct inv_device *d, const char *commune,
			const char *site, const char *site_type)
{
	struct inventory *inv = r->inv;
	long c = find_commune(inv, commune);
	if (c < 0) {
		struct inv_commune *a = grow(inv->communes, &r->cap_commune, inv->ncommunes, sizeof(*a));
		if (!a)
			return -1;
		inv->communes = a;
		c = (long)inv->ncommunes++;
		snprintf(a[c].name, sizeof(a[c].name), "%s", commune);
		name_to_path(a[c].path, sizeof(a[c].path), commune);
	}
	long s = find_site(inv, (size_t)c, site);
	if (s < 0) {
		struct inv_site *a = grow(inv->sites, &r->cap_site, inv->nsites, sizeof(*a));
		if (!a)
			return -1;
		inv->sites = a;
		s = (long)inv->nsites++;
		snprintf(a[s].name, sizeof(a[s].name), "%s", site);
		snprintf(a[s].type, sizeof(a[s].type), "%s", site_type);
		a[s].commune = (size_t)c;
	} else if (strcmp(inv->sites[s].type, site_type) != 0) {
		errlist_add(r->errs, "%s:%d: site_type: site \"%s\" was given type \"%s\" on an earlier row, here \"%s\"",
			    r->file, r->row_line, site, inv->sites[s].type, site_type);
		return -1;
	}
	d->commune = (size_t)c;
	d->site = (size_t)s;
	return 0;
}

static int check_unique(struct reader *r, const struct inv_device *d)
{
	struct inventory *inv = r->inv;
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *o = &inv->devices[i];
		if (o->commune == d->commune && strcmp(o->name, d->name) == 0) {
			errlist_add(r->errs, "%s:%d: device: \"%s\" already named in commune \"%s\" on line %d",
				    r->file, r->row_line, d->name, inv->communes[d->commune].name, o->line);
			return -1;
		}
		if (d->host[0] && o->port == d->port && strcmp(o->host, d->host) == 0) {
			errlist_add(r->errs, "%s:%d: address: %s port %d already used by \"%s\" on line %d",
				    r->file, r->row_line, d->host, d->port, o->name, o->line);
			return -1;
		}
	}
	return 0;
}

/* A web page the probe may fetch: http(s), a host, no blanks, quotes or controls. */
static int url_ok(const char *u)
{
	size_t skip = strncmp(u, "https://", 8) == 0 ? 8 : strncmp(u, "http://", 7) == 0 ? 7 : 0;
	if (!skip || !u[skip] || u[skip] == '/')
		return 0;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '\'' || *p == '<' || *p == '>' || *p == '\\' ||
		    *p == 0x7f)
			return 0;
	return 1;
}

/* The optional mac column: the device's Ethernet address, as the LAN watch sees it
 * (aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff, any case). */
static int mac_field(struct reader *r, struct inv_device *d)
{
	char mac[32];
	if (text_field(r, C_MAC, mac, sizeof(mac), 0) < 0)
		return -1;
	if (!mac[0])
		return 0;
	for (char *p = mac; *p; p++)
		if (*p == '-')
			*p = ':';
	if (wirelan_mac_parse(mac, d->mac) < 0) {
		errlist_add(r->errs, "%s:%d: mac: \"%s\" is not an Ethernet address "
			    "(aa:bb:cc:dd:ee:ff)", r->file, r->row_line, mac);
		return -1;
	}
	d->has_mac = 1;
	return 0;
}

static void device_row(struct reader *r)
{
	struct inv_device d;
	char commune[INV_NAME_MAX], site[INV_NAME_MAX], site_type[CFG_NAME_MAX], cls[32];
	int bad = 0;

	memset(&d, 0, sizeof(d));
	d.line = r->row_line;
	bad |= text_field(r, C_COMMUNE, commune, sizeof(commune), 1);
	bad |= text_field(r, C_SITE, site, sizeof(site), 1);
	bad |= text_field(r, C_SITE_TYPE, site_type, sizeof(site_type), 1);
	bad |= text_field(r, C_DEVICE, d.name, sizeof(d.name), 1);
	bad |= text_field(r, C_CONTACT, d.contact, sizeof(d.contact), 0);
	bad |= text_field(r, C_SNMP, d.cred, sizeof(d.cred), 0);
	bad |= text_field(r, C_PROBE, d.probe, sizeof(d.probe), 0);
	if (text_field(r, C_URL, d.url, sizeof(d.url), 0) < 0) {
		bad = -1;
	} else if (d.url[0] && !url_ok(d.url)) {
		errlist_add(r->errs, "%s:%d: url: expected http://… or https://…, without spaces or "
			    "quotes", r->file, r->row_line);
		bad = -1;
	}
	if (mac_field(r, &d) < 0)
		bad = -1;
	if (text_field(r, C_CLASS, cls, sizeof(cls), 0) < 0) {
		bad = -1;
	} else if (!cls[0]) {
		/* no class: the probe tells it from the device's answers */
		d.cls = CLS_OTHER;
		d.cls_auto = 1;
	} else {
		int c = devclass_parse(cls);
		if (c < 0) {
			errlist_add(r->errs, "%s:%d: class: unknown device class \"%s\"", r->file,
				    r->row_line, cls);
			bad = -1;
		}
		d.cls = (enum dev_class)c;
	}
	const char *addr = get(r, C_ADDRESS);
	d.port = 161;
	if (*addr && inventory_parse_address(addr, d.host, sizeof(d.host), &d.port) < 0) {
		char shown[64];
		utf8_sanitize(shown, sizeof(shown), addr, strlen(addr));
		errlist_add(r->errs, "%s:%d: address: \"%s\" is not an IPv4 or IPv6 address (optionally :port)",
			    r->file, r->row_line, shown);
		bad = -1;
	}
	if (site_type[0] && !bad && !config_site_type(r->cfg, site_type)) {
		errlist_add(r->errs, "%s:%d: site_type: \"%s\" is not a [site-type] in %s", r->file,
			    r->row_line, site_type, r->cfg->path);
		bad = -1;
	}
	if (d.cred[0] && !config_cred(r->cfg, d.cred)) {
		errlist_add(r->errs, "%s:%d: snmp: no credential [%s] in %s", r->file, r->row_line,
			    d.cred, r->cfg->credentials);
		bad = -1;
	}
	if (d.cred[0] && !d.host[0] && !bad) {
		errlist_add(r->errs, "%s:%d: address: needed to poll with SNMP credential \"%s\"",
			    r->file, r->row_line, d.cred);
		bad = -1;
	}
	if (d.contact[0] && (!strchr(d.contact, '@') || strpbrk(d.contact, " ,;<>\""))) {
		errlist_add(r->errs, "%s:%d: contact: \"%s\" is not one email address", r->file,
			    r->row_line, d.contact);
		bad = -1;
	}
	if (bad)
		return;
	name_to_path(d.path, sizeof(d.path), d.name);
	if (place_device(r, &d, commune, site, site_type) < 0 || check_unique(r, &d) < 0)
		return;
	struct inventory *inv = r->inv;
	struct inv_device *a = grow(inv->devices, &r->cap_dev, inv->ndevices, sizeof(*a));
	if (!a) {
		errlist_add(r->errs, "%s:%d: out of memory", r->file, r->row_line);
		return;
	}
	inv->devices = a;
	a[inv->ndevices++] = d;
}

static void header_row(struct reader *r)
{
	for (int c = 0; c < C_COUNT; c++)
		r->colpos[c] = -1;
	for (size_t i = 0; i < r->nfields; i++)
		set_col(r, r->field[i], i);
	r->nheader = r->nfields;
	r->header_ok = 1;
	for (int c = 0; c < REQUIRED_COLS; c++)
		if (r->colpos[c] < 0) {
			errlist_add(r->errs, "%s:%d: header: missing column \"%s\"", r->file,
				    r->row_line, col_names[c]);
			r->header_ok = 0;
		}
}

static void on_field(void *s, size_t len, void *data)
{
	struct reader *r = data;
	if (r->nfields >= MAX_FIELDS) {
		r->nfields++;
		return;
	}
	if (len > MAX_FIELD_LEN)
		len = MAX_FIELD_LEN; /* still too long for any column: reported there */
	char *f = malloc(len + 1);
	if (f) {
		memcpy(f, s, len);
		f[len] = '\0';
		/* a NUL would silently cut the name: make it a control character, refused below */
		for (char *z = memchr(f, '\0', len); z; z = memchr(z, '\0', len - (size_t)(z - f)))
			*z = '\x01';
	}
	r->field[r->nfields++] = f ? f : strdup("");
}

static int row_is_blank(struct reader *r)
{
	for (size_t i = 0; i < r->nfields && i < MAX_FIELDS; i++)
		if (r->field[i] && r->field[i][0])
			return 0;
	return 1;
}

/* Fields past the header's with something in them (empty ones, as spreadsheets add, are
 * nothing). */
static int extra_fields(const struct reader *r)
{
	for (size_t i = r->nheader; i < r->nfields && i < MAX_FIELDS; i++)
		if (r->field[i][0])
			return 1;
	return 0;
}

static void on_row(int c, void *data)
{
	struct reader *r = data;
	(void)c;
	if (r->nfields > MAX_FIELDS) {
		errlist_add(r->errs, "%s:%d: row has more than %d fields", r->file, r->row_line,
			    MAX_FIELDS);
	} else if (r->row == 0) {
		header_row(r);
	} else if (!row_is_blank(r) && r->header_ok) {
		size_t need = 0;
		for (int k = 0; k < REQUIRED_COLS; k++)
			if ((size_t)r->colpos[k] + 1 > need)
				need = (size_t)r->colpos[k] + 1;
		if (extra_fields(r)) {
			/* an unquoted comma in a name moves every later column by one */
			errlist_add(r->errs, "%s:%d: row has %zu fields, the header names %zu: a name "
				    "holding a comma must be in double quotes", r->file, r->row_line,
				    r->nfields, r->nheader);
		} else if (r->nfields < need) {
			int miss = 0;
			for (int k = 0; k < REQUIRED_COLS; k++)
				if ((size_t)r->colpos[k] >= r->nfields) {
					miss = k;
					break;
				}
			errlist_add(r->errs, "%s:%d: row has %zu fields, the header names %zu: missing column \"%s\"",
				    r->file, r->row_line, r->nfields, need, col_names[miss]);
		} else {
			device_row(r);
		}
	}
	for (size_t i = 0; i < r->nfields && i < MAX_FIELDS; i++)
		free(r->field[i]);
	r->nfields = 0;
	r->row++;
	r->between_rows = 1;
}

/* FNV-1a over two strings of given lengths, with a separator between them. */
static size_t hash2(const char *a, size_t alen, const char *b, size_t blen)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < alen; i++)
		h = (h ^ (unsigned char)a[i]) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (size_t i = 0; i < blen; i++)
		h = (h ^ (unsigned char)b[i]) * 1099511628211ULL;
	return (size_t)h;
}

static void build_index(struct inventory *inv)
{
	size_t sz = 16;
	while (sz < inv->ndevices * 2)
		sz *= 2;
	inv->by_name = calloc(sz, sizeof(size_t));
	inv->by_path = calloc(sz, sizeof(size_t));
	if (!inv->by_name || !inv->by_path) {
		free(inv->by_name);
		free(inv->by_path);
		inv->by_name = inv->by_path = NULL;
		return;
	}
	inv->idxsz = sz;
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		const struct inv_commune *c = &inv->communes[d->commune];
		size_t k = hash2(c->name, strlen(c->name), d->name, strlen(d->name)) & (sz - 1);
		while (inv->by_name[k])
			k = (k + 1) & (sz - 1);
		inv->by_name[k] = i + 1;
		k = hash2(c->path, strlen(c->path), d->path, strlen(d->path)) & (sz - 1);
		while (inv->by_path[k])
			k = (k + 1) & (sz - 1);
		inv->by_path[k] = i + 1;
	}
}

struct inventory *inventory_load(const char *path, const struct hbmon_config *cfg,
				 struct errlist *errs)
{
	struct csv_parser p;
	struct reader r;
	FILE *fp = fopen(path, "r");
	if (!fp) {
		errlist_add(errs, "%s: cannot open: %m", path);
		return NULL;
	}
	memset(&r, 0, sizeof(r));
	r.file = path;
	r.cfg = cfg;
	r.errs = errs;
	r.between_rows = 1;
	r.inv = calloc(1, sizeof(*r.inv));
	if (!r.inv || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		fclose(fp);
		free(r.inv);
		return NULL;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, fp)) > 0) {
		r.line++;
		/* a quoted field may span lines: a row is reported at the line it starts on */
		if (r.between_rows && strspn(line, " \t\r\n") < (size_t)n) {
			r.row_line = r.line;
			r.between_rows = 0;
		}
		if (csv_parse(&p, line, (size_t)n, on_field, on_row, &r) != (size_t)n) {
			errlist_add(errs, "%s:%d: malformed CSV: %s", path, r.line,
				    csv_strerror(csv_error(&p)));
			break;
		}
	}
	csv_fini(&p, on_field, on_row, &r);
	for (size_t i = 0; i < r.nfields && i < MAX_FIELDS; i++)
		free(r.field[i]);
	csv_free(&p);
	free(line);
	fclose(fp);
	if (r.row == 0)
		errlist_add(errs, "%s: empty file (expected a header row)", path);
	build_index(r.inv);
	return r.inv;
}

void inventory_free(struct inventory *inv)
{
	if (!inv)
		return;
	free(inv->communes);
	free(inv->sites);
	free(inv->devices);
	free(inv->by_name);
	free(inv->by_path);
	free(inv);
}

static int same(const char *s, const char *p, size_t len)
{
	return strlen(s) == len && memcmp(s, p, len) == 0;
}

long inventory_find_commune_path(const struct inventory *inv, const char *path)
{
	for (size_t k = 0; k < inv->ncommunes; k++)
		if (strcmp(inv->communes[k].path, path) == 0)
			return (long)k;
	return -1;
}

long inventory_find_path(const struct inventory *inv, const char *commune, size_t clen,
			 const char *device, size_t dlen)
{
	if (inv->by_path) {
		size_t k = hash2(commune, clen, device, dlen) & (inv->idxsz - 1);
		for (; inv->by_path[k]; k = (k + 1) & (inv->idxsz - 1)) {
			const struct inv_device *d = &inv->devices[inv->by_path[k] - 1];
			if (same(d->path, device, dlen) &&
			    same(inv->communes[d->commune].path, commune, clen))
				return (long)inv->by_path[k] - 1;
		}
		return -1;
	}
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		if (same(d->path, device, dlen) && same(inv->communes[d->commune].path, commune, clen))
			return (long)i;
	}
	return -1;
}

long inventory_find(const struct inventory *inv, const char *commune, const char *device)
{
	if (inv->by_name) {
		size_t k = hash2(commune, strlen(commune), device, strlen(device)) & (inv->idxsz - 1);
		for (; inv->by_name[k]; k = (k + 1) & (inv->idxsz - 1)) {
			const struct inv_device *d = &inv->devices[inv->by_name[k] - 1];
			if (strcmp(d->name, device) == 0 &&
			    strcmp(inv->communes[d->commune].name, commune) == 0)
				return (long)inv->by_name[k] - 1;
		}
		return -1;
	}
	for (size_t i = 0; i < inv->ndevices; i++) {
		const struct inv_device *d = &inv->devices[i];
		if (strcmp(d->name, device) == 0 && strcmp(inv->communes[d->commune].name, commune) == 0)
			return (long)i;
	}
	return -1;
}

static const struct file_role inventory_file = {
	"the inventory", "point [general] inventory at the right file",
	"'hbmon-collector init DIR' writes a starting one", 0};

struct inventory *inventory_load_configured(const struct hbmon_config *cfg,
					    struct errlist *errs)
{
	char why[1024];
	if (file_check_readable(cfg->inventory, &inventory_file, why, sizeof(why)) < 0) {
		errlist_add(errs, "%s", why);
		return NULL;
	}
	return inventory_load(cfg->inventory, cfg, errs);
}
