/* meta/access and auth/actor: how sensitive values are masked, and how grants resolve. */
#include "unit.h"

#include "meta/access.h"

static const char *masked(enum field_type type, const char *text)
{
	static char buf[128];
	struct field f = {.name = "x", .type = type};
	struct value v = {.kind = text ? V_TEXT : V_NULL, .s = text, .n = text ? strlen(text) : 0};
	struct str out = STR_INIT;
	access_mask_text(&f, &v, &out);
	snprintf(buf, sizeof buf, "%.*s", (int)out.len, out.buf ? out.buf : "");
	str_release(&out);
	return buf;
}

static void test_mask_text(void **state)
{
	(void)state;
	assert_string_equal(masked(FT_PHONE, "13812345678"), "138****5678");
	/* Separators stay; digits count from the first (the country code, if written). */
	assert_string_equal(masked(FT_PHONE, "+86 138-1234-5678"), "+86 1**-****-5678");
	assert_string_equal(masked(FT_PHONE, "0592-123"), "******"); /* too short to show parts */
	assert_string_equal(masked(FT_EMAIL, "boss@haiyun.example"), "b***@haiyun.example");
	assert_string_equal(masked(FT_EMAIL, "@odd"), "******");
	assert_string_equal(masked(FT_TEXT, "厦门市思明区秘密路 1 号"), "******");
	assert_string_equal(masked(FT_TEXT, NULL), "");
}

static void test_mask_json(void **state)
{
	(void)state;
	struct field date = {.name = "d", .type = FT_DATE}, phone = {.name = "p", .type = FT_PHONE};
	struct value v = {.kind = V_TEXT, .s = "1970-05-06", .n = 10};
	struct str out = STR_INIT;
	access_mask_json(&date, &v, &out);
	assert_string_equal(out.buf, "null"); /* a masked date is no date at all */
	str_reset(&out);
	struct value p = {.kind = V_TEXT, .s = "13812345678", .n = 11};
	access_mask_json(&phone, &p, &out);
	assert_string_equal(out.buf, "\"138****5678\"");
	str_release(&out);
}

static void test_actor_scope(void **state)
{
	(void)state;
	struct grant g[2] = {{.entity = "*"}, {.entity = "customers"}};
	g[0].scope[ACT_READ] = SCOPE_ALL;
	g[0].scope[ACT_UPDATE] = SCOPE_OWN;
	g[1].scope[ACT_READ] = SCOPE_DEPT; /* an entity's own line wins over "*" */
	struct actor a = {.user_id = 7, .grants = g, .n_grants = 2};
	assert_int_equal(actor_scope(&a, "customers", ACT_READ), SCOPE_DEPT);
	assert_int_equal(actor_scope(&a, "contacts", ACT_READ), SCOPE_ALL);
	assert_int_equal(actor_scope(&a, "contacts", ACT_UPDATE), SCOPE_OWN);
	assert_int_equal(actor_scope(&a, "contacts", ACT_DELETE), SCOPE_NONE);
	a.admin = true;
	assert_int_equal(actor_scope(&a, "contacts", ACT_DELETE), SCOPE_ALL);
	struct actor nobody = {0};
	assert_int_equal(actor_scope(&nobody, "contacts", ACT_READ), SCOPE_NONE);
	assert_int_equal(scope_parse("dept_tree"), SCOPE_DEPT_TREE);
	assert_int_equal(scope_parse("everything"), -1);
	assert_int_equal(action_parse("sensitive"), ACT_SENSITIVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mask_text),
	    cmocka_unit_test(test_mask_json),
	    cmocka_unit_test(test_actor_scope),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
