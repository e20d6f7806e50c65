/*
 * The IEEE MA-L registry (ieee-data's oui.csv): which organisation a MAC's first three bytes
 * were assigned to. Loaded once into a sorted array, looked up by binary search. A missing
 * registry is not an error: every vendor is then unknown.
 */
#ifndef HBMON_OUI_H
#define HBMON_OUI_H

#include <stddef.h>
#include <stdint.h>

#define OUI_DEFAULT_PATH "/usr/share/ieee-data/oui.csv"
#define OUI_NAME_MAX 64        /* an organisation name, clean UTF-8, cut on a character */
#define OUI_ENTRIES_MAX 200000 /* the 2022 registry has 32,500; more is a wrong file */
#define OUI_FILE_MAX (64u << 20)

struct oui_stats {
	size_t entries;    /* assignments kept */
	size_t malformed;  /* rows skipped: too few fields, an assignment not 6 hex digits, no
			    * name, a registry other than MA-L, or beyond OUI_ENTRIES_MAX */
	size_t duplicates; /* an assignment listed again: the first row counts */
	int missing;       /* 1: the file does not exist (not an error) */
	char error[160];   /* why the file could not be read, other than missing; "" */
};

struct oui_table;

/*
 * Reads path (Registry,Assignment,Organization Name,Organization Address; a header row is
 * skipped). Always returns a table, empty when the file is missing or unreadable (see
 * oui_stats); NULL only when out of memory. The caller frees it with oui_free.
 */
struct oui_table *oui_load(const char *path);
void oui_free(struct oui_table *t);
const struct oui_stats *oui_stats(const struct oui_table *t);

/* The organisation of mac, or NULL: unknown, or a group / locally administered address (a
 * randomised MAC names no vendor). The string belongs to the table. t may be NULL. */
const char *oui_lookup(const struct oui_table *t, const uint8_t mac[6]);

#endif
