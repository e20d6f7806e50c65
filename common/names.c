#include "names.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"

static int keep(unsigned char c, size_t pos)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	if (c == '_' || c == '-')
		return 1;
	return c == '.' && pos > 0;
}

/* 64-bit FNV-1a from basis: stable across hosts and releases, as names of stored files must be.
 * FNV's own basis is FNV_BASIS; name_to_path has always used one digit less (a fine basis as
 * well) and keeps it, since it names existing directories. */
#define FNV_BASIS 14695981039346656037ULL
#define NAME_PATH_BASIS 1469598103934665603ULL

static uint64_t fnv1a64(const char *s, uint64_t basis)
{
	uint64_t h = basis;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

int name_to_path(char *dst, size_t dstsz, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	/* cut point leaves room for "~" + 16 hex digits + NUL */
	const size_t cut = NAME_PATH_MAX - 1 - 17;
	size_t o = 0;
	int cutoff = 0;

	if (!name || !*name || dstsz < NAME_PATH_MAX)
		return -1;
	for (size_t i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];
		size_t need = keep(c, i) ? 1 : 3;
		if (o + need > cut) {
			cutoff = 1;
			break;
		}
		if (need == 1) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '%';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	if (cutoff) {
		snprintf(dst + o, dstsz - o, "~%016llx", (unsigned long long)fnv1a64(name, NAME_PATH_BASIS));
		return 0;
	}
	dst[o] = '\0';
	return 0;
}

static int row_group_ok(const char *group)
{
	/* "system" and "if" name the built-in files (system.rrd, if-N.rrd) */
	return wire_valid_metric(group) && strcmp(group, "system") != 0 && strcmp(group, "if") != 0;
}

int name_row_file(char *dst, size_t dstsz, const char *group, const char *index)
{
	if (!index)
		index = "";
	if (dstsz < ROW_FILE_STEM_MAX || !row_group_ok(group) || !wire_valid_index(index))
		return -1;
	size_t gl = strlen(group), il = strlen(index);
	if (!il)
		memcpy(dst, group, gl + 1);
	else if (gl + 1 + il <= ROW_FILE_READABLE)
		snprintf(dst, dstsz, "%s-%s", group, index);
	else
		snprintf(dst, dstsz, "%s-x%016llx", group, (unsigned long long)fnv1a64(index, FNV_BASIS));
	return 0;
}

int name_row_file_valid(const char *s)
{
	char group[WIRE_METRIC_MAX];
	size_t len = strlen(s), gl = strcspn(s, "-");
	if (len > ROW_FILE_READABLE || gl >= sizeof(group))
		return 0;
	memcpy(group, s, gl);
	group[gl] = '\0';
	if (!row_group_ok(group))
		return 0;
	const char *rest = s + gl;
	if (!*rest)
		return 1;
	rest++;
	if (*rest == 'x') {
		if (strlen(rest + 1) != 16)
			return 0;
		for (const char *p = rest + 1; *p; p++)
			if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
				return 0;
		return 1;
	}
	return *rest && wire_valid_index(rest);
}
