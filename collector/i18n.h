/* Message catalogues for user-facing text: dashboards/i18n/<lang>.ini, key = text. */
#ifndef HBMON_I18N_H
#define HBMON_I18N_H

#include "errlist.h"

#include <stddef.h>

enum lang { LANG_VI, LANG_EN, LANG_COUNT };

struct i18n;

/* Loads vi.ini and en.ini from dir: NULL, with every error in errs (file:line), if one is
 * missing or wrong. */
struct i18n *i18n_load(const char *dir, struct errlist *errs);
void i18n_free(struct i18n *t);
/*
 * The unit words in every text: {top} and {Top} (the unit watching: "huyện", "Huyện"), {member}
 * and {Member} (its members: "xã", "Xã"), per language, from [units]. 0, or -1 with errs.
 */
int i18n_set_units(struct i18n *t, const char *const top[LANG_COUNT],
		   const char *const member[LANG_COUNT], struct errlist *errs);
/* The text of key in lang; falls back to Vietnamese, then to the key itself. */
const char *i18n_get(const struct i18n *t, enum lang lang, const char *key);
/* 1 when the Vietnamese catalogue (the complete one) has key. */
int i18n_has(const struct i18n *t, const char *key);
/* word into dst (n bytes, always terminated) with its first letter up: "xã" → "Xã", "đơn vị"
 * → "Đơn vị", "máy in" → "Máy in" (ASCII letters, and đ as Vietnamese needs: the catalogues'
 * words begin with no other accented letter). */
void i18n_capitalised(char *dst, size_t n, const char *word);
enum lang lang_parse(const char *s, enum lang def);
const char *lang_code(enum lang l);

#endif
