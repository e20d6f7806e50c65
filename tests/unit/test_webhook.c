#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "webhook.h"
#include "webhookcfg.h"

/* RFC 4231 test case 2: what a receiver computes with any HMAC-SHA256 library. */
static void signature_is_standard_hmac_sha256(void **state)
{
	(void)state;
	char sig[72];
	const char *body = "what do ya want for nothing?";
	webhook_sign(sig, "Jefe", body, strlen(body));
	assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964"
				 "ec3843");
}

static void keys_checked_and_secrets_never_shown(void **state)
{
	(void)state;
	struct webhook_cfg w;
	char why[300];
	memset(&w, 0, sizeof(w));
	snprintf(w.name, sizeof(w.name), "zalo");
	assert_int_equal(webhookcfg_key(&w, "url", "https://bridge.example/h", why, sizeof(why)), 0);
	assert_int_equal(webhookcfg_key(&w, "url", "file:///etc/passwd", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "url: expected http://"));
	assert_int_equal(webhookcfg_key(&w, "url", "http://a b", why, sizeof(why)), -1);
	assert_int_equal(webhookcfg_key(&w, "language", "fr", why, sizeof(why)), -1);
	assert_int_equal(webhookcfg_key(&w, "language", "en", why, sizeof(why)), 0);
	assert_int_equal(w.lang, 1);
	assert_int_equal(webhookcfg_key(&w, "colour", "red", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "unknown key in [webhook zalo]"));
	assert_int_equal(webhookcfg_key(&w, "secret", "short-one", why, sizeof(why)), 0);
	assert_int_equal(webhookcfg_check(&w, why, sizeof(why)), -1);
	assert_null(strstr(why, "short-one"));
	assert_int_equal(webhookcfg_key(&w, "secret", "a-secret-long-enough-2026", why, sizeof(why)), 0);
	assert_int_equal(webhookcfg_check(&w, why, sizeof(why)), 0);
}

static void communes_chosen_by_name(void **state)
{
	(void)state;
	struct webhook_cfg w;
	char why[300];
	memset(&w, 0, sizeof(w));
	assert_true(webhookcfg_wants(&w, "Xã A")); /* none named: every commune */
	assert_false(webhookcfg_wants(&w, NULL));  /* district IT's only when asked */
	assert_int_equal(webhookcfg_key(&w, "communes", " Xã Tân Phú ;Phường 1; ", why, sizeof(why)), 0);
	assert_true(webhookcfg_wants(&w, "Xã Tân Phú"));
	assert_true(webhookcfg_wants(&w, "Phường 1"));
	assert_false(webhookcfg_wants(&w, "Phường"));
	assert_false(webhookcfg_wants(&w, "Xã Tân"));
	assert_int_equal(webhookcfg_key(&w, "district", "1", why, sizeof(why)), 0);
	assert_true(webhookcfg_wants(&w, NULL));
	assert_int_equal(webhookcfg_key(&w, "communes", "*", why, sizeof(why)), 0);
	assert_true(webhookcfg_wants(&w, "Xã Bất Kỳ"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(signature_is_standard_hmac_sha256),
	    cmocka_unit_test(keys_checked_and_secrets_never_shown),
	    cmocka_unit_test(communes_chosen_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
