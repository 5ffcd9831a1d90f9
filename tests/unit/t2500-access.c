/* meta/access and auth/actor: how sensitive values are masked, and how grants resolve. */
#include "unit.h"

#include "auth/policy.h"
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

static bool known_any(void *ctx, const char *role)
{
	(void)ctx;
	(void)role;
	return true;
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

static void test_policy_restriction(void **state)
{
	(void)state;
	struct security_policy p = {.password_max_age_days = 90};
	const char *roles[] = {"finance"};
	struct actor a = {.roles = roles, .n_roles = 1, .password_changed_ms = 1000};
	int64_t day = 86400000LL;
	assert_null(policy_restriction(&p, &a, 1000 + 89 * day));
	assert_string_equal(policy_restriction(&p, &a, 1000 + 91 * day),
	                    "password_change_required");
	p.password_max_age_days = 0; /* never expires */
	assert_null(policy_restriction(&p, &a, 1000 + 9000 * day));
	a.must_change_password = true;
	assert_string_equal(policy_restriction(&p, &a, 2000), "password_change_required");
	a.must_change_password = false;
	const char *need[] = {"admin", "finance"};
	p.totp_roles = need;
	p.n_totp_roles = 2;
	assert_string_equal(policy_restriction(&p, &a, 2000), "totp_enrolment_required");
	a.totp_enabled = true;
	assert_null(policy_restriction(&p, &a, 2000));
}

static void test_password_rules(void **state)
{
	(void)state;
	struct arena ar;
	arena_init(&ar, 0);
	struct problem pr;
	problem_init(&pr, &ar);
	struct security_policy p = {
	    .password_min_length = 12, .password_min_classes = 3, .password_block_common = true};
	assert_false(policy_password_ok(&p, "Short1-", "zhang", &pr, "password"));
	assert_string_equal(pr.errors[pr.n_errors - 1].code, "too_short");
	assert_false(policy_password_ok(&p, "alllowercaseletters", "zhang", &pr, "password"));
	assert_string_equal(pr.errors[pr.n_errors - 1].code, "too_few_classes");
	assert_false(policy_password_ok(&p, "Password1234", "zhang", &pr, "password"));
	assert_string_equal(pr.errors[pr.n_errors - 1].code, "password_common");
	/* The username inside, whatever the case of either. */
	assert_false(policy_password_ok(&p, "xxZHANG.san-2024", "Zhang.San", &pr, "password"));
	assert_string_equal(pr.errors[pr.n_errors - 1].code, "password_common");
	size_t before = pr.n_errors;
	assert_true(policy_password_ok(&p, "Tide-Harbour-2026", "zhang.san", &pr, "password"));
	assert_int_equal(pr.n_errors, before);
	arena_release(&ar);
}

static void test_policy_networks(void **state)
{
	(void)state;
	struct arena ar;
	arena_init(&ar, 0);
	struct problem pr;
	problem_init(&pr, &ar);
	json_t *doc = json_loads("{\"ip_allowlist\":{\"admin\":[\"10.1.0.0/16\",\"192.168.7.9\","
	                         "\"2001:db8::/32\"]}}",
	                         0, NULL);
	struct security_policy p;
	assert_int_equal(policy_parse(&ar, doc, known_any, NULL, &pr, &p), 0);
	json_decref(doc);
	const char *admin[] = {"admin"}, *sales[] = {"salesperson"},
	           *both[] = {"salesperson", "admin"};
	assert_true(policy_ip_allowed(&p, admin, 1, "10.1.200.3"));
	assert_false(policy_ip_allowed(&p, admin, 1, "10.2.0.1"));
	assert_true(policy_ip_allowed(&p, admin, 1, "192.168.7.9"));
	assert_false(policy_ip_allowed(&p, admin, 1, "192.168.7.10"));
	assert_true(policy_ip_allowed(&p, admin, 1, "2001:db8:1::5"));
	assert_false(policy_ip_allowed(&p, admin, 1, "2001:db9::5"));
	assert_false(policy_ip_allowed(&p, admin, 1, NULL));
	assert_true(policy_ip_allowed(&p, sales, 1, "8.8.8.8")); /* no rule: not restricted */
	assert_false(policy_ip_allowed(&p, both, 2, "8.8.8.8")); /* a restricted role restricts */
	arena_release(&ar);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mask_text),      cmocka_unit_test(test_mask_json),
	    cmocka_unit_test(test_actor_scope),    cmocka_unit_test(test_policy_restriction),
	    cmocka_unit_test(test_password_rules), cmocka_unit_test(test_policy_networks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
