#include "names.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int keep(unsigned char c, size_t pos)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	if (c == '_' || c == '-')
		return 1;
	return c == '.' && pos > 0;
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
		uint64_t h = 1469598103934665603ULL; /* FNV-1a */
		for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
			h ^= *p;
			h *= 1099511628211ULL;
		}
		snprintf(dst + o, dstsz - o, "~%016llx", (unsigned long long)h);
		return 0;
	}
	dst[o] = '\0';
	return 0;
}
