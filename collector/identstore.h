/*
 * What each device said it is (model, serial number, sysName, sysDescr, the class its probe
 * used; for a device the probe classified, the class it recognised and its evidence), kept in
 * the store's SQLite file with when it was last said: the inventory export lists it while the
 * collector is stopped, and the device page shows it after a restart before the device's next
 * poll. Written only when something changed (or on a device's first answer of a run), so a
 * steady fleet costs no writes. Event loop only.
 */
#ifndef HBMON_IDENTSTORE_H
#define HBMON_IDENTSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct store;
struct identstore;
struct dev_state;

struct dev_ident {
	const char *commune, *device, *model, *serial, *sys_name, *sys_descr, *cls;
	time_t seen; /* the answer's time, by the probe's clock */
	/* what the probe recognised a device of no inventory class as (state.h dev_class_seen):
	 * the class ("" or NULL: none made), how sure, the vendor, the rule files' reasons, and
	 * the last confirmed change (the class before, when; "" and 0: none) */
	const char *auto_cls, *vendor, *why, *was;
	int confidence;
	time_t changed;
};

/* Opens the table, adding the columns a store made by an older collector lacks. */
struct identstore *identstore_open(struct store *st, char *err, size_t errsz);
void identstore_close(struct identstore *is);
/* Writes d's identity when it differs from what *saved (a hash the caller keeps) says was
 * written. 1 written, 0 unchanged, -1 failed (logged; tried again on the next answer). */
int identstore_save(struct identstore *is, const struct dev_ident *d, uint64_t *saved);
/* Every kept identity. */
typedef void (*identstore_fn)(void *ctx, const struct dev_ident *d);
int identstore_each(struct identstore *is, identstore_fn fn, void *ctx);
/* The hash identstore_save compares: the same identity, the same value. */
uint64_t identstore_hash(const struct dev_ident *d);

#endif
