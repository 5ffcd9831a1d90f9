/* core/problem: collecting field errors and rendering RFC 9457 problem details. */
#include "unit.h"

#include "core/problem.h"

#include <jansson.h>

static json_t *render(const struct problem *p, enum lang lang)
{
	struct str out = STR_INIT;
	problem_render(p, lang, &out);
	json_error_t je;
	json_t *j = json_loadb(out.buf, out.len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		fail_msg("problem_render gave invalid JSON (%s): %s", je.text, out.buf);
	str_release(&out);
	return j;
}

static const char *jget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void test_no_errors(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	struct problem p;
	problem_init(&p, &a);
	assert_int_equal(p.status, 0);
	assert_int_equal(problem_set(&p, 404, "not_found"), -1);
	json_t *j = render(&p, LANG_EN);
	assert_string_equal(jget(j, "type"), "urn:sextant:problem:not_found");
	assert_string_equal(jget(j, "title"), "Not found");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
	assert_string_equal(jget(j, "code"), "not_found");
	/* No field errors: neither detail nor errors. */
	assert_null(json_object_get(j, "errors"));
	assert_null(json_object_get(j, "detail"));
	assert_int_equal(json_object_size(j), 4);
	json_decref(j);

	/* In Chinese. */
	j = render(&p, LANG_ZH);
	assert_string_equal(jget(j, "title"), "记录不存在");
	json_decref(j);

	/* With a parameter in the title, and extra members. */
	assert_int_equal(problem_set1(&p, 413, "body_too_large", "limit", "1048576"), -1);
	p.extra = "\"current\":{\"id\":1}";
	j = render(&p, LANG_EN);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 413);
	assert_non_null(strstr(jget(j, "title"), "1048576"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "current"), "id")),
	                 1);
	json_decref(j);

	/* No code set: bad_request. */
	struct problem q;
	problem_init(&q, &a);
	q.status = 400;
	j = render(&q, LANG_EN);
	assert_string_equal(jget(j, "code"), "bad_request");
	json_decref(j);
	arena_release(&a);
}

static void test_errors(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	struct problem p;
	problem_init(&p, &a);

	/* Parameters and field names come from short-lived memory: they must be copied. */
	char field[32], val[32];
	snprintf(field, sizeof field, "name");
	snprintf(val, sizeof val, "200");
	const char *params[] = {"max", val, NULL};
	problem_add(&p, field, "too_long", params);
	snprintf(field, sizeof field, "XXXX");
	snprintf(val, sizeof val, "999");

	problem_add(&p, "email", "invalid_email", NULL);
	problem_add(&p, NULL, "invalid_json", (const char *[]){"line", "1", "column", "2", NULL});
	problem_add_row(&p, 7, "phone", "invalid_phone", NULL);
	problem_set(&p, 422, "validation_failed");

	json_t *j = render(&p, LANG_EN);
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 422);
	assert_string_equal(jget(j, "code"), "validation_failed");
	assert_string_equal(jget(j, "title"), "Some values are not valid");
	/* The detail names the first bad field. */
	assert_string_equal(jget(j, "detail"), "name: At most 200 characters");
	json_t *errs = json_object_get(j, "errors");
	assert_true(json_is_array(errs));
	assert_int_equal(json_array_size(errs), 4);
	static const char *const fields[] = {"name", "email", NULL, "phone"};
	static const char *const codes[] = {"too_long", "invalid_email", "invalid_json",
	                                    "invalid_phone"};
	for (size_t i = 0; i < 4; i++) {
		json_t *e = json_array_get(errs, i);
		json_t *f = json_object_get(e, "field");
		if (fields[i])
			assert_string_equal(json_string_value(f), fields[i]);
		else
			assert_true(json_is_null(f));
		assert_string_equal(jget(e, "code"), codes[i]);
		assert_non_null(jget(e, "message"));
		assert_true(strlen(jget(e, "message")) > 0);
		/* row only for import rows */
		json_t *row = json_object_get(e, "row");
		if (i == 3)
			assert_int_equal(json_integer_value(row), 7);
		else
			assert_null(row);
	}
	assert_string_equal(jget(json_array_get(errs, 0), "message"), "At most 200 characters");
	assert_non_null(strstr(jget(json_array_get(errs, 2), "message"), "line 1, column 2"));
	json_decref(j);

	/* problem_render_errors alone: the same array. */
	struct str out = STR_INIT;
	problem_render_errors(&p, LANG_ZH, &out);
	json_t *arr = json_loads(out.buf, 0, NULL);
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 4);
	assert_string_equal(jget(json_array_get(arr, 1), "message"), "电子邮箱格式不正确");
	json_decref(arr);
	str_release(&out);

	/* The detail without a field is the message alone. */
	struct problem q;
	problem_init(&q, &a);
	problem_add(&q, NULL, "invalid_utf8", NULL);
	problem_set(&q, 400, "bad_request");
	j = render(&q, LANG_EN);
	assert_string_equal(jget(j, "detail"), "The text is not valid UTF-8");
	json_decref(j);
	arena_release(&a);
}

static void test_many(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	struct problem p;
	problem_init(&p, &a);
	/* Past the first allocation (8) several times: order and content kept. */
	for (int i = 0; i < 100; i++) {
		char f[16];
		snprintf(f, sizeof f, "f%d", i);
		problem_add_row(&p, i + 1, f, i % 2 ? "required" : "invalid_value", NULL);
	}
	problem_set(&p, 422, "validation_failed");
	assert_int_equal(p.n_errors, 100);
	json_t *j = render(&p, LANG_EN);
	json_t *errs = json_object_get(j, "errors");
	assert_int_equal(json_array_size(errs), 100);
	for (size_t i = 0; i < 100; i++) {
		char f[16];
		snprintf(f, sizeof f, "f%zu", i);
		json_t *e = json_array_get(errs, i);
		assert_string_equal(jget(e, "field"), f);
		assert_int_equal(json_integer_value(json_object_get(e, "row")), (json_int_t)i + 1);
		assert_string_equal(jget(e, "code"), i % 2 ? "required" : "invalid_value");
	}
	json_decref(j);
	/* Setting the status again keeps the field errors. */
	problem_set(&p, 400, "bad_request");
	assert_int_equal(p.n_errors, 100);
	/* Text that needs escaping is escaped. */
	struct problem q;
	problem_init(&q, &a);
	problem_add(&q, "we\"ird\nname", "invalid_option",
	            (const char *[]){"value", "a\"b\\c\x01", NULL});
	problem_set(&q, 422, "validation_failed");
	j = render(&q, LANG_EN);
	json_t *e = json_array_get(json_object_get(j, "errors"), 0);
	assert_string_equal(jget(e, "field"), "we\"ird\nname");
	assert_string_equal(jget(e, "message"), "Not one of the options: a\"b\\c\x01");
	json_decref(j);
	arena_release(&a);
}

/* api/common.c reports malformed JSON with three parameters (line, column, detail). */
static void test_three_params(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0);
	struct problem p;
	problem_init(&p, &a);
	const char *params[] = {"line", "1", "column", "5", "detail", "unexpected token", NULL};
	problem_add(&p, "body", "invalid_json", params);
	problem_set(&p, 400, "bad_request");
	json_t *j = render(&p, LANG_EN);
	const char *m = jget(json_array_get(json_object_get(j, "errors"), 0), "message");
	char msg[256];
	snprintf(msg, sizeof msg, "%s", m ? m : "");
	json_decref(j);
	arena_release(&a); /* before checking, so a failure reports no leak */
	if (!strstr(msg, "line 1") || !strstr(msg, "column 5") || !strstr(msg, "unexpected token"))
		fail_msg("parameters lost: message is [%s]", msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_no_errors),
	    UNIT_TEST(test_errors),
	    UNIT_TEST(test_many),
	    UNIT_TEST(test_three_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
