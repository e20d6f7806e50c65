/* Device classes, as the inventory and the targets name them. */
#ifndef HBMON_DEVCLASS_H
#define HBMON_DEVCLASS_H

enum dev_class {
	CLS_PC,
	CLS_PRINTER,
	CLS_SCANNER,
	CLS_SWITCH,
	CLS_ROUTER,
	CLS_AP,
	CLS_VC,
	CLS_CAMERA,
	CLS_KIOSK,
	CLS_ATTENDANCE,
	CLS_UPS,
	CLS_PORTAL,
	CLS_OTHER,
	CLS_COUNT
};

/* Returns the class named s, or -1. */
int devclass_parse(const char *s);
/* The inventory name of a class ("pc", "vc", ...). */
const char *devclass_name(enum dev_class c);

#endif
