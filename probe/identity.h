/*
 * What a device is, for the inventory a planner files: its model and serial number from the
 * MIB objects that carry them (ENTITY-MIB, Printer-MIB, UPS-MIB, HOST-RESOURCES-MIB, Cisco's
 * chassis serial), else the model from the first words of sysDescr. The objects ride in the
 * poll's first request (GETNEXT, so a v1 agent without them costs nothing more); a table whose
 * first row is empty (a stack's unnamed container) is followed a few rows further.
 */
#ifndef HBMON_IDENTITY_H
#define HBMON_IDENTITY_H

#include <stddef.h>

#define IDENT_SUB_MAX 24 /* sub-identifiers of a followed row: a deeper index stops the search */
#define IDENT_FOLLOW 4   /* rows looked at per object */
#define IDENT_TEXT 128
#define IDENT_OBJECTS 6 /* entries of ident_objects */

enum ident_field { IDF_MODEL, IDF_SERIAL };

struct ident_object {
	unsigned long sub[16];
	size_t len;
	enum ident_field field;
	int rank;         /* lower wins when several objects answer */
	int devices_only; /* hrDeviceDescr names a PC's processor: only a printer's or scanner's
			   * first device is its model */
	const char *name;
};

extern const struct ident_object ident_objects[IDENT_OBJECTS];

/* The best answers so far of one poll. */
struct ident {
	char model[IDENT_TEXT], serial[IDENT_TEXT], device_model[IDENT_TEXT];
	int model_rank, serial_rank;
};

void ident_init(struct ident *id);
/* An answer to object k (a string, as received). Returns 1 when the row was empty or a
 * placeholder and the next row is worth asking, else 0. */
int ident_take(struct ident *id, size_t k, const char *text, size_t len);
/* The model and serial of the finished poll: cls is the profile used ("printer", ...), descr
 * sysDescr. The model falls back to sysDescr's first words; the serial is empty when no MIB
 * object had one. */
void ident_result(const struct ident *id, const char *cls, const char *descr, char *model,
		  size_t msz, char *serial, size_t ssz);
/* sysDescr's first line, shortened at a separator to about max bytes (UTF-8 kept whole). */
void ident_model_from_descr(const char *descr, char *out, size_t outsz, size_t max);

#endif
