/* meta/search: a record's tokens, the searchable-field signature and the match argument. */
#include "unit.h"

#include "core/log.h"
#include "meta/registry.h"
#include "meta/search.h"

static void test_tokens_and_signature(void **state)
{
	(void)state;
	log_threshold = LOG_ERROR;
	char *err = NULL;
	struct registry *r = registry_build(NULL, &err);
	assert_non_null(r);
	const struct entity *e = registry_entity(r, "customers");
	struct value *vals = calloc(e->n_fields, sizeof *vals);
	const struct field *name = entity_field(e, "name"), *addr = entity_field(e, "address"),
	                   *city = entity_field(e, "city"), *phone = entity_field(e, "phone");
	vals[name->position] =
	    (struct value){.kind = V_TEXT, .s = "上海海韵", .n = strlen("上海海韵")};
	vals[addr->position] =
	    (struct value){.kind = V_TEXT, .s = "浦东 Road 1", .n = strlen("浦东 Road 1")};
	vals[city->position] =
	    (struct value){.kind = V_TEXT, .s = "Shanghai", .n = 8}; /* not searchable */
	vals[phone->position] = (struct value){.kind = V_TEXT, .s = "021-68888888", .n = 12};
	struct str out = STR_INIT;
	search_tokens_build(e, vals, &out);
	char got[256];
	snprintf(got, sizeof got, "%s", out.buf);
	str_release(&out);
	/* Fields are joined by a separator, never run together ("海韵浦东" would make "韵浦"). */
	if (strcmp(got, "上海 海海 海韵 韵 浦东 东 road 1 021 68888888") != 0) {
		free(vals);
		registry_free(r);
		fail_msg("tokens of a record: got [%s]", got);
	}
	/* No searchable values: no tokens. */
	memset(vals, 0, e->n_fields * sizeof *vals);
	search_tokens_build(e, vals, &out);
	assert_string_equal(out.buf, "");
	str_release(&out);
	free(vals);

	search_signature(e, &out);
	/* Every searchable field, in field order. */
	assert_non_null(strstr(out.buf, "name,address"));
	assert_non_null(strstr(out.buf, "tax_id"));
	assert_null(strstr(out.buf, "city"));
	str_release(&out);
	registry_free(r);
}

static void test_match_arg(void **state)
{
	(void)state;
	char t1[] = "海韵", t2[] = "yacht", t3[] = "海";
	struct search_term terms[] = {{t1, false}, {t2, true}, {t3, true}};
	struct str out = STR_INIT;
	search_match_arg(DB_SQLITE, terms, 3, &out);
	assert_string_equal(out.buf, "\"海韵\" AND \"yacht\"* AND \"海\"*");
	str_reset(&out);
	search_match_arg(DB_PG, terms, 3, &out);
	assert_string_equal(out.buf, "'海韵' & 'yacht':* & '海':*");
	str_reset(&out);
	search_match_arg(DB_SQLITE, terms, 1, &out);
	assert_string_equal(out.buf, "\"海韵\"");
	str_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_tokens_and_signature),
	    UNIT_TEST(test_match_arg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
