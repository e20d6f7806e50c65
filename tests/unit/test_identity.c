#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "identity.h"

static size_t object(const char *name)
{
	for (size_t k = 0; k < IDENT_OBJECTS; k++)
		if (strcmp(ident_objects[k].name, name) == 0)
			return k;
	fail_msg("no identity object %s", name);
	return 0;
}

static void take(struct ident *id, const char *name, const char *text, int want_next)
{
	assert_int_equal(ident_take(id, object(name), text, strlen(text)), want_next);
}

static void result_is(const struct ident *id, const char *cls, const char *descr,
		      const char *model, const char *serial)
{
	char m[IDENT_TEXT], s[IDENT_TEXT];
	ident_result(id, cls, descr, m, sizeof(m), s, sizeof(s));
	assert_string_equal(m, model);
	assert_string_equal(s, serial);
}

/* An entity table's first row is often an unnamed container: the next row is asked. */
static void empty_and_placeholder_rows_ask_for_the_next(void **state)
{
	(void)state;
	struct ident id;
	ident_init(&id);
	take(&id, "entPhysicalModelName", "", 1);
	take(&id, "entPhysicalModelName", "  Unspecified ", 1);
	take(&id, "entPhysicalSerialNum", "N/A", 1);
	take(&id, "entPhysicalModelName", "ES3528M", 0);
	take(&id, "entPhysicalSerialNum", "329000582\r\n", 0);
	result_is(&id, "switch", "Edge-Core FE L2 Switch ES3528M", "ES3528M", "329000582");
}

/* The printer's own serial beats the entity table; the first hrDevice row is a printer's
 * model, never a PC's (it names the processor there). */
static void ranks_and_classes(void **state)
{
	(void)state;
	struct ident id;
	ident_init(&id);
	take(&id, "entPhysicalSerialNum", "ENT-1", 0);
	take(&id, "prtGeneralSerialNumber", "CNCCF1K2L8", 0);
	take(&id, "chassisId (Cisco)", "FOC1408Z61U", 0);
	take(&id, "hrDeviceDescr", "HP LaserJet 500 color M551", 0);
	result_is(&id, "printer", "HP ETHERNET MULTI-ENVIRONMENT,ROM none,JETDIRECT",
		  "HP LaserJet 500 color M551", "CNCCF1K2L8");
	ident_init(&id);
	take(&id, "hrDeviceDescr", "GenuineIntel: Intel(R) Pentium(R) 4 CPU 3.00GHz", 0);
	take(&id, "upsIdentModel", "SU2200RTXLCD2U", 0);
	result_is(&id, "ups", "POWERALERT 12", "SU2200RTXLCD2U", "");
	ident_init(&id);
	take(&id, "hrDeviceDescr", "GenuineIntel: Intel(R) Pentium(R) 4 CPU 3.00GHz", 0);
	result_is(&id, "pc", "Linux cray 2.6.21.5-smp", "Linux cray 2.6.21.5-smp", "");
}

static void model_is(const char *descr, const char *want)
{
	char got[IDENT_TEXT];
	ident_model_from_descr(descr, got, sizeof(got), 60);
	assert_string_equal(got, want);
}

/* sysDescr's first line, cut at a separator: the words that name the product come first. */
static void model_from_sysdescr(void **state)
{
	(void)state;
	model_is("TD-W8901G", "TD-W8901G");
	model_is(" ; AXIS M7011; Network Video Encoder; 5.75.1; Mar 04 2015 10:10; 1FC; 1; ",
		 "AXIS M7011; Network Video Encoder; 5.75.1");
	model_is("Cisco IOS Software, C3560 Software (C3560-IPSERVICESK9-M), Version 12.2(55)SE3, "
		 "RELEASE SOFTWARE (fc1)\r\nTechnical Support: http://www.cisco.com/techsupport",
		 "Cisco IOS Software, C3560 Software (C3560-IPSERVICESK9-M)");
	model_is("Hardware: x86 Family 6 Model 9 Stepping 5 AT/AT COMPATIBLE - Software: Windows "
		 "2000 Version 5.1 (Build 2600 Uniprocessor Free)",
		 "Hardware: x86 Family 6 Model 9 Stepping 5 AT/AT COMPATIBLE");
	model_is("", "");
	/* Vietnamese: cut at a space, and never inside a character */
	char got[IDENT_TEXT];
	ident_model_from_descr("Thiết bị ghi hình mạng của Ủy ban nhân dân xã Tân Phú, tầng một",
			       got, sizeof(got), 20);
	assert_string_equal(got, "Thiết bị ghi");
	ident_model_from_descr("ĐồngHồĐồngHồ", got, sizeof(got), 4);
	assert_string_equal(got, "Đ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(empty_and_placeholder_rows_ask_for_the_next),
	    cmocka_unit_test(ranks_and_classes),
	    cmocka_unit_test(model_from_sysdescr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
