/*
 * Value tests (clsvalue.h). Rule text is checked when the file is read; answers are only
 * compared: nothing of them reaches a reason, a log line or the wire.
 */
#include "clsvalue.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const op_names[] = {"=", "!=", ">", "<", "nonzero", "word"};

static int is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Dotted numbers, at least two arcs, no empty arc. */
static int is_oid(const char *s)
{
	int arcs = 0, digits = 0;
	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			digits++;
		} else if ((*s == '.' || !*s) && digits) {
			arcs++;
			digits = 0;
			if (!*s)
				return arcs >= 2;
		} else {
			return 0;
		}
	}
}

static int parse_value(struct cls_cond *c, const char *value, char *err, size_t n)
{
	if (strlen(value) >= sizeof(c->text)) {
		snprintf(err, n, "value \"%.20s...\" longer than %zu bytes", value,
			 sizeof(c->text) - 1);
		return -1;
	}
	if (is_number(value)) {
		errno = 0;
		c->num = strtoll(value, NULL, 10);
		c->vtype = CLS_V_INT;
		if (errno) {
			snprintf(err, n, "%.30s: number out of range", value);
			return -1;
		}
	} else if (is_oid(value[0] == '.' ? value + 1 : value)) {
		c->vtype = CLS_V_OID;
		value += value[0] == '.';
	} else {
		c->vtype = CLS_V_TEXT;
	}
	snprintf(c->text, sizeof(c->text), "%s", value);
	return 0;
}

int cls_cond_parse(struct cls_cond *c, const char *op, const char *value, char *err, size_t n)
{
	size_t k;
	for (k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++)
		if (strcmp(op, op_names[k]) == 0)
			break;
	if (k == sizeof(op_names) / sizeof(op_names[0])) {
		snprintf(err, n, "unknown operator \"%.20s\" (=, !=, >, <, nonzero, word)", op);
		return -1;
	}
	c->op = (enum cls_op)k;
	if (c->op == CLS_OP_NONZERO) {
		if (value) {
			snprintf(err, n, "nonzero takes no value, got \"%.20s\"", value);
			return -1;
		}
		return 0;
	}
	if (!value) {
		snprintf(err, n, "%s needs a value", op);
		return -1;
	}
	if (parse_value(c, value, err, n) < 0)
		return -1;
	if ((c->op == CLS_OP_GT || c->op == CLS_OP_LT) && c->vtype != CLS_V_INT) {
		snprintf(err, n, "%s compares numbers, got \"%.20s\"", op, value);
		return -1;
	}
	if (c->op == CLS_OP_WORD) {
		size_t len = strlen(c->text);
		c->vtype = CLS_V_TEXT;
		c->prefix = len > 1 && c->text[len - 1] == '*';
		if (c->prefix)
			c->text[len - 1] = '\0';
	}
	return 0;
}

static int wordch(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int cls_word_in(const char *t, const char *w, int prefix)
{
	size_t n = strlen(w);
	if (!n)
		return 0;
	for (const char *p = strstr(t, w); p; p = strstr(p + 1, w)) {
		int starts = p == t || !wordch(p[-1]) || !wordch(w[0]);
		int ends = prefix || !wordch(p[n]) || !wordch(w[n - 1]);
		if (starts && ends)
			return 1;
	}
	return 0;
}

/* A value of bytes: any non-zero one (an all-zero bridge address is no address). */
static int nonzero(const struct cls_answer *a)
{
	switch (a->type) {
	case CLS_V_INT:
		return a->num != 0;
	case CLS_V_TEXT:
		for (size_t i = 0; i < a->len && i < sizeof(a->text); i++)
			if (a->text[i])
				return 1;
		return 0;
	case CLS_V_OID:
		return a->text[0] && strcmp(a->text, "0.0") != 0;
	default:
		return 0;
	}
}

/* Whether the answer equals the rule's value; -1 when they cannot be compared (other types,
 * or the answer was cut), which is no evidence either way. */
static int equal(const struct cls_cond *c, const struct cls_answer *a)
{
	if (c->vtype == CLS_V_INT)
		return a->type == CLS_V_INT ? a->num == c->num : -1;
	if (a->cut || a->type != c->vtype)
		return -1;
	if (c->vtype == CLS_V_OID)
		return strcmp(a->text, c->text) == 0;
	size_t len = strlen(c->text);
	return a->len == len && strncasecmp(a->text, c->text, len) == 0;
}

static int has_word(const struct cls_cond *c, const struct cls_answer *a)
{
	char lc[CLS_VALUE_MAX + 1];
	size_t i;
	if (a->type != CLS_V_TEXT)
		return 0;
	for (i = 0; i < a->len && i < sizeof(a->text); i++) {
		unsigned char ch = (unsigned char)a->text[i];
		lc[i] = (char)(ch < 0x20 || ch == 0x7f ? ' ' : ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	lc[i] = '\0';
	/* lower case as the answer: ASCII letters only */
	char w[CLS_COND_TEXT];
	for (i = 0; c->text[i] && i + 1 < sizeof(w); i++)
		w[i] = (char)(c->text[i] >= 'A' && c->text[i] <= 'Z' ? c->text[i] + 32 : c->text[i]);
	w[i] = '\0';
	return cls_word_in(lc, w, c->prefix);
}

int cls_cond_holds(const struct cls_cond *c, const struct cls_answer *a)
{
	if (!a || !a->answered)
		return 0;
	switch (c->op) {
	case CLS_OP_NONZERO:
		return nonzero(a);
	case CLS_OP_EQ:
		return equal(c, a) == 1;
	case CLS_OP_NE:
		return equal(c, a) == 0;
	case CLS_OP_GT:
		return a->type == CLS_V_INT && a->num > c->num;
	case CLS_OP_LT:
		return a->type == CLS_V_INT && a->num < c->num;
	case CLS_OP_WORD:
		return has_word(c, a);
	}
	return 0;
}

void cls_cond_text(const struct cls_cond *c, char *buf, size_t n)
{
	if (c->op == CLS_OP_NONZERO)
		snprintf(buf, n, "%s is not zero", c->mib);
	else if (c->op == CLS_OP_WORD)
		snprintf(buf, n, "%s names '%s%s'", c->mib, c->text, c->prefix ? "*" : "");
	else
		snprintf(buf, n, "%s %s %s", c->mib, op_names[c->op], c->label[0] ? c->label : c->text);
}
