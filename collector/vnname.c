/*
 * Names as Vietnamese readers search and sort them: a search ignores tones, marks and case
 * ("tan phu" finds "Xã Tân Phú"); a sort follows the alphabet (a ă â b c d đ e ê … o ô ơ …
 * u ư …), tones after letters, so "Đông" comes after "Dương" and before "Tân", where a byte
 * order would put it after "Z". Precomposed (NFC) and decomposed (NFD) text read the same.
 */
#include "vnname.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 character at s (n bytes left): its length; 1 and U+FFFD for a byte that
 * starts none (copied as it is, never taken for a letter). */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
				       : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
	if (len == 0 || len > n) {
		*cp = 0xFFFD;
		return 1;
	}
	uint32_t v = len == 1 ? s[0] : len == 2 ? s[0] & 0x1Fu : len == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = 0xFFFD;
			return 1;
		}
		v = v << 6 | (s[i] & 0x3Fu);
	}
	*cp = v;
	return len;
}

/* Vietnamese letters: the base letter, its place among the letters of that base (a ă â,
 * d đ, e ê, o ô ơ, u ư) and its tone (none, huyền, hỏi, ngã, sắc, nặng), lower and upper
 * case: the alphabet's order, which puts Đông after Dương. */
static const struct vn_family {
	char base, variant;
	const char *forms; /* the six tones in lower case, then in upper case */
} vn_letters[] = {
    {'a', 0, "aàảãáạAÀẢÃÁẠ"}, {'a', 1, "ăằẳẵắặĂẰẲẴẮẶ"}, {'a', 2, "âầẩẫấậÂẦẨẪẤẬ"},
    {'e', 0, "eèẻẽéẹEÈẺẼÉẸ"}, {'e', 1, "êềểễếệÊỀỂỄẾỆ"}, {'i', 0, "iìỉĩíịIÌỈĨÍỊ"},
    {'o', 0, "oòỏõóọOÒỎÕÓỌ"}, {'o', 1, "ôồổỗốộÔỒỔỖỐỘ"}, {'o', 2, "ơờởỡớợƠỜỞỠỚỢ"},
    {'u', 0, "uùủũúụUÙỦŨÚỤ"}, {'u', 1, "ưừửữứựƯỪỬỮỨỰ"}, {'y', 0, "yỳỷỹýỵYỲỶỸÝỴ"},
};

/* A letter's base (lower case), variant and tone; 0 when cp is not a Vietnamese letter. */
static char vn_letter(uint32_t cp, int *variant, int *tone)
{
	*variant = *tone = 0;
	if (cp < 0x80) {
		char ch = (char)cp;
		return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch >= 'a' && ch <= 'z' ? ch : 0;
	}
	if (cp == 0x0111 || cp == 0x0110) { /* đ Đ */
		*variant = 1;
		return 'd';
	}
	for (size_t f = 0; f < sizeof(vn_letters) / sizeof(vn_letters[0]); f++) {
		const unsigned char *s = (const unsigned char *)vn_letters[f].forms;
		size_t n = strlen(vn_letters[f].forms);
		for (int i = 0; n; i++) {
			uint32_t x;
			size_t len = utf8_next(s, n, &x);
			if (x == cp) {
				*variant = vn_letters[f].variant;
				*tone = i % 6;
				return vn_letters[f].base;
			}
			s += len;
			n -= len;
		}
	}
	return 0;
}

/* A combining mark (decomposed text, as some keyboards type it): what it does to the letter
 * before it. */
static void vn_mark(uint32_t cp, char base, int *variant, int *tone)
{
	static const uint32_t tones[] = {0x0300, 0x0309, 0x0303, 0x0301, 0x0323};
	for (int i = 0; i < 5; i++)
		if (cp == tones[i])
			*tone = i + 1;
	if (cp == 0x0306 && base == 'a') /* breve: ă */
		*variant = 1;
	if (cp == 0x0302) /* circumflex: â ê ô */
		*variant = base == 'a' ? 2 : 1;
	if (cp == 0x031B) /* horn: ơ ư */
		*variant = base == 'o' ? 2 : 1;
}

static int is_mark(uint32_t cp) { return cp >= 0x0300 && cp <= 0x036F; }

void vnname_fold(char *dst, size_t dstsz, const char *s)
{
	size_t n = strlen(s), o = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n && o + 5 < dstsz;) {
		uint32_t cp;
		size_t len = utf8_next(u + i, n - i, &cp);
		int variant, tone;
		char base = vn_letter(cp, &variant, &tone);
		if (base)
			dst[o++] = base;
		else if (!is_mark(cp)) {
			memcpy(dst + o, s + i, len);
			o += len;
		}
		i += len;
	}
	dst[o < dstsz ? o : 0] = '\0';
}

char *vnname_sort_key(const char *s)
{
	size_t n = strlen(s), o = 0, t = 0;
	char *key = malloc(3 * n + 3), *tones = malloc(n + 1);
	const unsigned char *u = (const unsigned char *)s;
	if (!key || !tones) {
		free(key);
		free(tones);
		return NULL;
	}
	int letter = 0; /* the last character was a letter: a mark after it changes it */
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_next(u + i, n - i, &cp);
		int variant, tone;
		char base = vn_letter(cp, &variant, &tone);
		if (is_mark(cp)) {
			if (letter) {
				variant = key[o - 1] - '0';
				tone = tones[t - 1] - '0';
				vn_mark(cp, key[o - 2], &variant, &tone);
				key[o - 1] = (char)('0' + variant);
				tones[t - 1] = (char)('0' + tone);
			}
		} else if (base) {
			key[o++] = base;
			key[o++] = (char)('0' + variant);
			tones[t++] = (char)('0' + tone);
		} else {
			memcpy(key + o, s + i, len); /* a space or digit sorts before letters */
			o += len;
		}
		letter = base != 0 || (letter && is_mark(cp));
		i += len;
	}
	key[o++] = '\x01';
	memcpy(key + o, tones, t);
	key[o + t] = '\0';
	free(tones);
	return key;
}
