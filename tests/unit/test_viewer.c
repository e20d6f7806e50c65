/* The rules of roles: who sees which commune and may act there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "viewer.h"

static void admin_and_viewer_see_all_only_admin_acts(void **state)
{
	(void)state;
	struct viewer a = {"lan", ROLE_ADMIN, "", "t"}, v = {"xem", ROLE_VIEWER, "", "t"};
	assert_true(viewer_sees_all(&a) && viewer_sees(&a, "Xã A") && viewer_may_act(&a, "Xã A"));
	assert_true(viewer_is_admin(&a) && !viewer_is_admin(&v));
	assert_true(viewer_sees_all(&v) && viewer_sees(&v, "Xã B"));
	assert_false(viewer_may_act(&v, "Xã B"));
	assert_int_equal(viewer_maint_max(&a), VIEWER_MAINT_MAX_ADMIN);
	assert_int_equal(viewer_maint_max(&v), VIEWER_MAINT_MAX_OFFICER);
}

static void an_officer_has_exactly_their_communes(void **state)
{
	(void)state;
	struct viewer o = {"tu", ROLE_OFFICER, "Xã An\nPhường Một", "t"};
	assert_false(viewer_sees_all(&o));
	assert_true(viewer_sees(&o, "Xã An") && viewer_sees(&o, "Phường Một"));
	assert_true(viewer_may_act(&o, "Phường Một"));
	/* a line, not a prefix nor a part of one */
	assert_false(viewer_sees(&o, "Xã An Phú") || viewer_sees(&o, "Xã") ||
		     viewer_sees(&o, "An") || viewer_sees(&o, "") ||
		     viewer_sees(&o, "Xã An\nPhường Một"));
	assert_false(viewer_may_act(&o, "Xã Bình"));
	assert_false(viewer_is_admin(&o));
	struct viewer none = {"tu", ROLE_OFFICER, NULL, "t"};
	assert_false(viewer_sees(&none, "Xã An"));
}

/* A request on a public path has no user: its zeroed role (admin's number) grants nothing. */
static void nobody_sees_nothing(void **state)
{
	(void)state;
	struct viewer zero = {0}, empty = {"", ROLE_ADMIN, "", ""};
	assert_false(viewer_sees_all(&zero) || viewer_sees(&zero, "Xã An") ||
		     viewer_may_act(&zero, "Xã An") || viewer_is_admin(&zero));
	assert_false(viewer_sees_all(&empty) || viewer_is_admin(&empty));
	assert_false(viewer_sees(NULL, "Xã An") || viewer_may_act(NULL, "Xã An"));
	assert_int_equal(viewer_maint_max(NULL), VIEWER_MAINT_MAX_OFFICER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(admin_and_viewer_see_all_only_admin_acts),
		cmocka_unit_test(an_officer_has_exactly_their_communes),
		cmocka_unit_test(nobody_sees_nothing),
	};
	return cmocka_run_group_tests_name("viewer", tests, NULL, NULL);
}
