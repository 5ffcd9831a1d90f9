/* core/i18n: language negotiation, labels and the message catalogue. */
#include "unit.h"

#include "core/i18n.h"

/* Every code of the catalogue in src/core/i18n.c, plus codes the sources pass to problems. */
static const char *const known_codes[] = {
    "already_decided",
    "approval_pending",
    "attachments_too_large",
    "bad_request",
    "body_not_allowed",
    "body_too_large",
    "conflict",
    "csrf_failed",
    "db_busy",
    "db_full",
    "duplicate",
    "duplicate_parameter",
    "duplicate_row",
    "file_infected",
    "flow_gone",
    "forbidden",
    "forbidden_field",
    "guard_failed",
    "host_not_allowed",
    "id_not_found",
    "idempotency_key_reused",
    "illegal_transition",
    "in_pool",
    "internal_error",
    "invalid_bool",
    "invalid_credentials",
    "invalid_csv",
    "invalid_cursor",
    "invalid_date",
    "invalid_datetime",
    "invalid_decimal",
    "invalid_email",
    "invalid_header",
    "invalid_id",
    "invalid_integer",
    "invalid_json",
    "invalid_money",
    "invalid_name",
    "invalid_network",
    "invalid_option",
    "invalid_phone",
    "invalid_postcode",
    "invalid_process",
    "invalid_schedule",
    "invalid_smtp_url",
    "invalid_state",
    "invalid_tax_id",
    "invalid_text",
    "invalid_totp",
    "invalid_type",
    "invalid_url",
    "invalid_value",
    "ip_not_allowed",
    "locks_you_out",
    "method_not_allowed",
    "no_approver",
    "no_assignee",
    "not_acceptable",
    "not_found",
    "not_in_pool",
    "not_recurring",
    "option_in_use",
    "out_of_range",
    "password_change_required",
    "password_common",
    "password_reused",
    "pool_cap_reached",
    "precondition_failed",
    "process_exists",
    "read_only",
    "reclaim_too_soon",
    "reference_chain_too_long",
    "reference_cycle",
    "reference_not_found",
    "reference_not_same",
    "request_in_progress",
    "required",
    "role_in_use",
    "same_in_use",
    "same_owner",
    "same_record",
    "scan_failed",
    "second_root",
    "server_busy",
    "service_unavailable",
    "stale_version",
    "state_by_transition",
    "superior_loop",
    "timeout",
    "tls_mismatch",
    "too_few_classes",
    "too_long",
    "too_many",
    "too_many_attempts",
    "too_short",
    "totp_enabled",
    "totp_enrolment_required",
    "totp_required",
    "totp_required_by_policy",
    "transition_forbidden",
    "unauthorized",
    "unit_not_empty",
    "unit_under_itself",
    "unknown_entity",
    "unknown_field",
    "unknown_operator",
    "unknown_parameter",
    "unsortable_field",
    "unsupported_media_type",
    "validation_failed",
    "wrong_password",
};

static void test_catalogue(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	for (size_t i = 0; i < sizeof known_codes / sizeof known_codes[0]; i++) {
		const char *code = known_codes[i];
		/* bsearch finds every code only if the table is sorted. */
		EXPECT(i18n_has(code), "i18n_has(\"%s\") is false", code);
		for (int l = 0; l < LANG__MAX; l++) {
			const char *m = i18n_message(&a, (enum lang)l, code, NULL);
			EXPECT(m && *m && strcmp(m, code) != 0, "%s [%s]: no message (got \"%s\")",
			       code, lang_tags[l], m ? m : "(null)");
		}
		/* The two languages differ (the Chinese one is not a copy of the English). */
		const char *zh = i18n_message(&a, LANG_ZH, code, NULL);
		const char *en = i18n_message(&a, LANG_EN, code, NULL);
		EXPECT(strcmp(zh, en) != 0, "%s: same text in both languages", code);
	}
	EXPECT(!i18n_has("no_such_code"), "unknown code found");
	EXPECT(!i18n_has(""), "empty code found");
	EXPECT(!i18n_has("bad_reques"), "prefix found");
	/* An unknown code gives the code itself. */
	const char *m = i18n_message(&a, LANG_EN, "no_such_code", NULL);
	EXPECT_STR(m, "no_such_code", "unknown code");
	arena_release(&a);
	EXPECT_ALL();
}

static void test_placeholders(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	const char *p1[] = {"max", "200", NULL};
	EXPECT_STR(i18n_message(&a, LANG_EN, "too_long", p1), "At most 200 characters",
	           "too_long en");
	const char *zh = i18n_message(&a, LANG_ZH, "too_long", p1);
	EXPECT(strstr(zh, "200") && !strchr(zh, '{'), "too_long zh: %s", zh);

	const char *p2[] = {"min", "0", "max", "100", NULL};
	EXPECT_STR(i18n_message(&a, LANG_EN, "out_of_range", p2), "Out of range (0 to 100)",
	           "two parameters");
	/* Order of the parameters does not matter. */
	const char *p3[] = {"max", "100", "min", "0", NULL};
	EXPECT_STR(i18n_message(&a, LANG_EN, "out_of_range", p3), "Out of range (0 to 100)",
	           "parameters in another order");
	/* A missing parameter is left empty, never shown as "{max}". */
	const char *m = i18n_message(&a, LANG_EN, "out_of_range", p1);
	EXPECT(!strchr(m, '{') && strstr(m, "200"), "missing min: %s", m);
	m = i18n_message(&a, LANG_EN, "too_long", NULL);
	EXPECT(!strchr(m, '{'), "no params: %s", m);
	/* A NULL value is empty. */
	const char *p4[] = {"max", NULL, NULL};
	m = i18n_message(&a, LANG_EN, "too_long", p4);
	EXPECT_STR(m, "At most  characters", "NULL value");
	/* Values are copied as they are (no recursion into braces inside values). */
	const char *p5[] = {"value", "{max}", NULL};
	m = i18n_message(&a, LANG_EN, "invalid_option", p5);
	EXPECT_STR(m, "Not one of the options: {max}", "braces in a value");
	/* A parameter whose name is a prefix of the placeholder does not match. */
	const char *p6[] = {"ma", "x", NULL};
	m = i18n_message(&a, LANG_EN, "too_long", p6);
	EXPECT_STR(m, "At most  characters", "prefix name");
	/* Several placeholders. */
	const char *p7[] = {"line", "3", "column", "14", "detail", "end of file", NULL};
	m = i18n_message(&a, LANG_EN, "invalid_json", p7);
	EXPECT(strstr(m, "line 3") && strstr(m, "column 14") && strstr(m, "end of file"),
	       "invalid_json: %s", m);
	arena_release(&a);
	EXPECT_ALL();
}

static void test_negotiate(void **state)
{
	(void)state;
	static const struct {
		const char *h;
		enum lang want;
	} cases[] = {
	    {NULL, LANG_ZH},
	    {"", LANG_ZH},
	    {"en", LANG_EN},
	    {"EN", LANG_EN},
	    {"en-US,en;q=0.9", LANG_EN},
	    {"en_GB", LANG_EN},
	    {"zh-CN,zh;q=0.9,en;q=0.8", LANG_ZH},
	    {"zh-TW", LANG_ZH},
	    {"zh-Hant-HK", LANG_ZH},
	    {"zh", LANG_ZH},
	    {"fr", LANG_ZH},
	    {"fr-FR", LANG_ZH},
	    {"fr-FR, en;q=0.8", LANG_EN},
	    {"fr;q=1,de;q=0.9,en;q=0.5", LANG_EN},
	    {"de, zh;q=0.5", LANG_ZH},
	    {"  en-US", LANG_EN},
	    {"*", LANG_ZH},
	    {"english", LANG_ZH}, /* not a tag of ours */
	    {"eng", LANG_ZH},
	    {"zhx", LANG_ZH},
	    {"a-very-long-language-tag-indeed,en", LANG_EN},
	    {",,,en", LANG_EN},
	    {";q=0.5, en", LANG_EN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		enum lang l = lang_negotiate(cases[i].h);
		EXPECT(l == cases[i].want, "lang_negotiate(\"%s\") = %s",
		       cases[i].h ? cases[i].h : "NULL", lang_tags[l]);
	}
	EXPECT_INT(lang_parse("zh-CN"), LANG_ZH, "zh-CN");
	EXPECT_INT(lang_parse("en"), LANG_EN, "en");
	EXPECT_INT(lang_parse("en-US"), LANG_EN, "en-US");
	EXPECT_INT(lang_parse("ja"), -1, "ja");
	EXPECT_INT(lang_parse(NULL), -1, "NULL");
	EXPECT_INT(lang_parse(""), -1, "empty");
	EXPECT_STR(lang_tags[LANG_ZH], "zh-CN", "tag zh");
	EXPECT_STR(lang_tags[LANG_EN], "en", "tag en");
	EXPECT_ALL();
}

static void test_label(void **state)
{
	(void)state;
	struct label both = {{"客户", "Customer"}};
	assert_string_equal(label_get(&both, LANG_ZH), "客户");
	assert_string_equal(label_get(&both, LANG_EN), "Customer");
	struct label zh_only = {{"客户", NULL}};
	assert_string_equal(label_get(&zh_only, LANG_EN), "客户");
	struct label en_only = {{NULL, "Customer"}};
	assert_string_equal(label_get(&en_only, LANG_ZH), "Customer");
	struct label none = {{NULL, NULL}};
	assert_string_equal(label_get(&none, LANG_ZH), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_catalogue),
	    UNIT_TEST(test_placeholders),
	    UNIT_TEST(test_negotiate),
	    UNIT_TEST(test_label),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
