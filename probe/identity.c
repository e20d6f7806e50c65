/* Model and serial number from the MIB objects that carry them (identity.h). */
#include "identity.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The objects asked, in one place. Ranks: a component table's model beats a product line's
 * name; a printer's own serial beats the entity table's first row. */
const struct ident_object ident_objects[IDENT_OBJECTS] = {
	{{1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 13}, 12, IDF_MODEL, 0, 0, "entPhysicalModelName"},
	{{1, 3, 6, 1, 2, 1, 33, 1, 1, 2}, 10, IDF_MODEL, 1, 0, "upsIdentModel"},
	{{1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 3}, 11, IDF_MODEL, 2, 1, "hrDeviceDescr"},
	{{1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 17}, 11, IDF_SERIAL, 0, 0, "prtGeneralSerialNumber"},
	{{1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 11}, 12, IDF_SERIAL, 1, 0, "entPhysicalSerialNum"},
	{{1, 3, 6, 1, 4, 1, 9, 3, 6, 3}, 10, IDF_SERIAL, 2, 0, "chassisId (Cisco)"},
};

void ident_init(struct ident *id)
{
	memset(id, 0, sizeof(*id));
	id->model_rank = id->serial_rank = 1 << 20;
}

/* Agents fill unknown identity fields with words, not emptiness. */
static int placeholder(const char *s)
{
	static const char *const words[] = {"unspecified", "unknown", "n/a", "na", "none",
					    "not available", "0", "-"};
	if (!*s)
		return 1;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return 1;
	return 0;
}

/* Printable text, trimmed, without control bytes (the decoder already made it UTF-8). */
static void clean(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t o = 0;
	while (len > 0 && (isspace((unsigned char)*s) || *s == '\0')) {
		s++;
		len--;
	}
	for (size_t i = 0; i < len && o + 1 < dstsz && s[i]; i++)
		dst[o++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

int ident_take(struct ident *id, size_t k, const char *text, size_t len)
{
	if (k >= IDENT_OBJECTS)
		return 0;
	const struct ident_object *io = &ident_objects[k];
	char v[IDENT_TEXT];
	clean(v, sizeof(v), text, len);
	if (placeholder(v))
		return 1;
	if (io->devices_only) {
		if (!id->device_model[0])
			snprintf(id->device_model, sizeof(id->device_model), "%s", v);
		return 0;
	}
	int *rank = io->field == IDF_MODEL ? &id->model_rank : &id->serial_rank;
	char *dst = io->field == IDF_MODEL ? id->model : id->serial;
	if (io->rank < *rank) {
		*rank = io->rank;
		snprintf(dst, IDENT_TEXT, "%s", v);
	}
	return 0;
}

static int is_sep(const char *p)
{
	return strncmp(p, ", ", 2) == 0 || strncmp(p, "; ", 2) == 0 || strncmp(p, " - ", 3) == 0 ||
	       strncmp(p, " (", 2) == 0 || *p == ',' || *p == ';';
}

void ident_model_from_descr(const char *descr, char *out, size_t outsz, size_t max)
{
	char line[IDENT_TEXT * 2];
	size_t n = strcspn(descr, "\r\n");
	/* some agents start with separators (" ; AXIS M7011; ...") */
	while (n > 0 && (isspace((unsigned char)*descr) || *descr == ';' || *descr == ',')) {
		descr++;
		n--;
	}
	clean(line, sizeof(line), descr, n);
	n = strlen(line);
	if (max + 1 > outsz)
		max = outsz - 1;
	if (n > max) {
		size_t cut = 0, space = 0;
		for (size_t i = 1; i < max; i++) {
			if (is_sep(line + i))
				cut = i;
			else if (line[i] == ' ')
				space = i;
		}
		if (!cut)
			cut = space ? space : max;
		while (cut > 0 && ((unsigned char)line[cut] & 0xc0) == 0x80)
			cut--; /* never half a character */
		line[cut] = '\0';
		while (cut > 0 && (line[cut - 1] == ' ' || line[cut - 1] == ',' || line[cut - 1] == ';'))
			line[--cut] = '\0';
	}
	snprintf(out, outsz, "%s", line);
}

void ident_result(const struct ident *id, const char *cls, const char *descr, char *model,
		  size_t msz, char *serial, size_t ssz)
{
	int device_first = cls && (strcmp(cls, "printer") == 0 || strcmp(cls, "scanner") == 0);
	if (device_first && id->device_model[0])
		snprintf(model, msz, "%s", id->device_model);
	else if (id->model[0])
		snprintf(model, msz, "%s", id->model);
	else
		ident_model_from_descr(descr ? descr : "", model, msz, 60);
	snprintf(serial, ssz, "%s", id->serial);
}
