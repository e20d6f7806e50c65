/*
 * Names as Vietnamese readers search and sort them (commune names on the overview).
 */
#ifndef HBMON_VNNAME_H
#define HBMON_VNNAME_H

#include <stddef.h>

/* s folded for a search into dst (dstsz bytes, always terminated, cut on a character): letters
 * without tone or mark and in lower case ("Xã Tân Phú" reads "xa tan phu", "Đông" "dong"),
 * other characters as they are. dashboards/overview.js folds the same way (NFD, marks
 * dropped, đ as d, lower case): the two agree on Vietnamese and ASCII text. */
void vnname_fold(char *dst, size_t dstsz, const char *s);

/* The key of s in the alphabet's order (compare keys with strcmp): each letter as its base
 * and its place among the letters of that base, then the tones. malloc'd; NULL with no
 * memory. */
char *vnname_sort_key(const char *s);

#endif
