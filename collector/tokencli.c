#include "tokencli.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "audit.h"
#include "collector.h"
#include "texts.h"
#include "tokens.h"
#include "usercli.h"

#define COMMUNE_ARGS_MAX 256

static int usage(void)
{
	fprintf(stderr,
		"usage: hbmon-collector [-c FILE] token add NAME [--commune C]...\n"
		"       hbmon-collector [-c FILE] token del NAME\n"
		"       hbmon-collector [-c FILE] token list\n"
		"  a token reads /metrics and /api/v1/... (GET, header \"Authorization: Bearer "
		"TOKEN\"),\n"
		"  every commune's, or only those given with --commune; add prints it once: keep it\n"
		"  in the reader's secret file (chmod 600), it cannot be shown again\n");
	return 2;
}

/* The communes of argv[3..], checked against the inventory, one a line in out (repeats
 * dropped) and comma-separated in shown. 0, or 1 having said what is wrong; 2: usage. */
static int communes_arg(const struct collector *c, int argc, char **argv, char *out,
			size_t outsz, char *shown, size_t shownsz)
{
	size_t o = 0, s = 0;
	out[0] = shown[0] = '\0';
	for (int i = 3; i < argc; i += 2) {
		if (strcmp(argv[i], "--commune") != 0 || i + 1 >= argc) {
			fprintf(stderr, "%s: %s\n", argv[i],
				strcmp(argv[i], "--commune") == 0 ? "needs a value" : "unknown argument");
			return 2;
		}
		const char *k = argv[i + 1];
		if (alerts_find_commune(c->inv, k) < 0) {
			fprintf(stderr, "--commune \"%s\": not in %s\n", k, c->cfg->inventory);
			return 1;
		}
		int seen = 0;
		for (int j = 4; j < i; j += 2)
			seen |= strcmp(argv[j], k) == 0;
		if (seen)
			continue;
		int n = snprintf(out + o, outsz - o, "%s%s", o ? "\n" : "", k);
		int m = snprintf(shown + s, shownsz - s, "%s%s", s ? ", " : "", k);
		if (n < 0 || (size_t)n >= outsz - o || m < 0 || (size_t)m >= shownsz - s) {
			fprintf(stderr, "--commune: too many communes for one token (%d bytes of names "
				"at most)\n", USER_COMMUNES_MAX - 1);
			return 1;
		}
		o += (size_t)n;
		s += (size_t)m;
	}
	return 0;
}

static int token_add(struct collector *c, int argc, char **argv)
{
	char communes[USER_COMMUNES_MAX], shown[2 * USER_COMMUNES_MAX], err[512];
	char detail[sizeof(shown) + TOKEN_NAME_MAX + 16], token[TOKEN_TEXT_LEN + 1];
	if (argc < 3 || argv[2][0] == '-')
		return usage();
	int rc = communes_arg(c, argc, argv, communes, sizeof(communes), shown, sizeof(shown));
	if (rc)
		return rc == 2 ? usage() : rc;
	time_t now = c->now();
	snprintf(detail, sizeof(detail), "%s: %s", argv[2], shown[0] ? shown : "every commune");
	rc = usercli_begin(c, err, sizeof(err));
	if (rc == 0) {
		rc = tokens_add(c->tokens, argv[2], communes, now, token, err, sizeof(err));
		rc = usercli_commit(c, rc, now, AUDIT_TOKEN_ADD, detail, err, sizeof(err));
	}
	if (rc < 0) {
		sodium_memzero(token, sizeof(token));
		fprintf(stderr, "token %s: %s\n", argv[2], err);
		return 1;
	}
	/* the token alone on standard output: `token add x > file` keeps nothing else */
	printf("%s\n", token);
	fprintf(stderr, "token %s added (reads %s); it is shown this once\n", argv[2],
		shown[0] ? shown : "every commune");
	sodium_memzero(token, sizeof(token));
	return 0;
}

static int token_del(struct collector *c, const char *name)
{
	char err[512];
	time_t now = c->now();
	int rc = usercli_begin(c, err, sizeof(err));
	if (rc == 0) {
		rc = tokens_del(c->tokens, name, err, sizeof(err));
		rc = usercli_commit(c, rc, now, AUDIT_TOKEN_DEL, name, err, sizeof(err));
	}
	if (rc < 0) {
		fprintf(stderr, "token %s: %s\n", name, err);
		return 1;
	}
	printf("token %s deleted; it is refused from the next request on\n", name);
	return 0;
}

static void print_token(void *ctx, const struct token_entry *e)
{
	char since[40], communes[USER_COMMUNES_MAX];
	(void)ctx;
	text_time(since, sizeof(since), e->created);
	snprintf(communes, sizeof(communes), "%s", e->communes[0] ? e->communes : "*");
	for (char *p = communes; (p = strchr(p, '\n'));)
		*p = ',';
	printf("%s\t%s\t%s\n", e->name, communes, since);
}

int tokencli_main(struct collector *c, int argc, char **argv)
{
	const char *sub = argc >= 2 ? argv[1] : "";
	if (strcmp(sub, "add") == 0)
		return token_add(c, argc, argv);
	if (strcmp(sub, "del") == 0 && argc == 3)
		return token_del(c, argv[2]);
	if (strcmp(sub, "list") == 0 && argc == 2) {
		printf("token\tcommunes\tsince\n");
		if (tokens_each(c->tokens, print_token, NULL) < 0) {
			fprintf(stderr, "the token list cannot be read (see the log)\n");
			return 1;
		}
		return 0;
	}
	return usage();
}
