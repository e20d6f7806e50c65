#include "devclass.h"

#include <string.h>

static const char *const names[CLS_COUNT] = {
	"pc", "printer", "scanner", "switch", "router", "ap", "vc",
	"camera", "kiosk", "attendance", "ups", "portal", "other",
};

int devclass_parse(const char *s)
{
	for (int i = 0; i < CLS_COUNT; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *devclass_name(enum dev_class c)
{
	return (c >= 0 && c < CLS_COUNT) ? names[c] : "other";
}
