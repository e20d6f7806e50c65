/*
 * Value tests of classify.conf (profiles/README.md): "the agent's first instance under OID
 * holds this", e.g. a non-zero bridge address or ipForwarding = 1. The probe asks GETNEXT of
 * each tested OID in the poll's first request and keeps a bounded copy of the answer
 * (struct cls_answer); a rule holds when all its conditions (joined by "and") hold. The
 * answers are the device's and untrusted: they are compared, never copied into a reason.
 */
#ifndef HBMON_CLSVALUE_H
#define HBMON_CLSVALUE_H

#include <stddef.h>

#define CLS_COND_MAX 3     /* conditions of one rule */
#define CLS_VALUE_MAX 64   /* bytes of an answer kept (an address, a model name's start) */
#define CLS_COND_TEXT 48   /* a rule's value: a number, an OID or a word */

enum cls_vtype { CLS_V_NONE, CLS_V_INT, CLS_V_TEXT, CLS_V_OID };

/* The agent's answer to GETNEXT of one tested OID. */
struct cls_answer {
	unsigned char answered; /* it had an instance under the OID (not an exception) */
	unsigned char type;     /* enum cls_vtype; CLS_V_NONE: a type no test reads */
	unsigned char len;      /* TEXT: bytes kept in text (may hold NULs: an address) */
	unsigned char cut;      /* the value was longer than what was kept */
	long long num;          /* INT: integers, counters, gauges, ticks */
	char text[CLS_VALUE_MAX]; /* TEXT: the bytes; OID: dotted numbers, terminated */
};

enum cls_op { CLS_OP_EQ, CLS_OP_NE, CLS_OP_GT, CLS_OP_LT, CLS_OP_NONZERO, CLS_OP_WORD };

/* One condition: MIB-NAME OID OP [VALUE]; the OID is the rule's slot in profiles.has. */
struct cls_cond {
	char mib[48];
	int slot;
	enum cls_op op;
	enum cls_vtype vtype;   /* of VALUE: INT (num), OID or TEXT (text) */
	long long num;
	int prefix;             /* word ending in '*': the word may go on */
	char text[CLS_COND_TEXT]; /* as written (OID: no leading dot; word: no '*') */
	char label[48];         /* enums.conf's name of an OID value ("hrDevicePrinter"), or "" */
};

/* Reads OP and VALUE (value NULL when none was written) into c. Returns 0, or -1 with the
 * reason in err (the caller adds file:line). */
int cls_cond_parse(struct cls_cond *c, const char *op, const char *value, char *err, size_t n);

/* Whether a holds c; a may be NULL (not asked: never holds). */
int cls_cond_holds(const struct cls_cond *c, const struct cls_answer *a);

/* "dot1dBaseNumPorts > 1", "hrDeviceType = hrDevicePrinter": rule text only, into buf. */
void cls_cond_text(const struct cls_cond *c, char *buf, size_t n);

/* Whether lower-case word w (prefix: may go on) is in lower-case text t on word boundaries. */
int cls_word_in(const char *t, const char *w, int prefix);

#endif
