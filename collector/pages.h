/* The dashboard's HTML pages. Every value from a device or a file is escaped on the way out. */
#ifndef HBMON_PAGES_H
#define HBMON_PAGES_H

#include <stddef.h>

#include "collector.h"
#include "strbuf.h"

/* The district overview: every commune, its sites and devices, missed targets with reasons. */
int page_dashboard(struct strbuf *out, const struct collector *c, enum lang l);
/* One device: identity, state, graphs for the period ("hour", "day", ...). */
int page_device(struct strbuf *out, const struct collector *c, size_t dev, enum lang l,
		const char *period);

#endif
