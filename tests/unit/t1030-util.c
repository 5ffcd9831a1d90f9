/* core/util: integer parsing and the constant-time comparison. */
#include "unit.h"

#include "core/util.h"

static void test_parse_int64(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		int64_t want;
	} cases[] = {
	    {"0", true, 0},
	    {"-0", true, 0},
	    {"+5", true, 5},
	    {"42", true, 42},
	    {"-42", true, -42},
	    {"007", true, 7},
	    {"9223372036854775807", true, INT64_MAX},
	    {"-9223372036854775808", true, INT64_MIN},
	    {"00000000000000000001", true, 1}, /* 20 characters */
	    {"9223372036854775808", false, 0},
	    {"-9223372036854775809", false, 0},
	    {"18446744073709551616", false, 0},
	    {"99999999999999999999", false, 0},
	    {"000000000000000000001", false, 0}, /* 21 characters */
	    {"", false, 0},
	    {"-", false, 0},
	    {"+", false, 0},
	    {" 1", false, 0},
	    {"1 ", false, 0},
	    {"1a", false, 0},
	    {"1.0", false, 0},
	    {"0x10", false, 0},
	    {"--1", false, 0},
	    {"1e3", false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t v = 12345;
		bool ok = parse_int64(cases[i].in, strlen(cases[i].in), &v);
		EXPECT(ok == cases[i].ok, "parse_int64(\"%s\") returned %d", cases[i].in, ok);
		if (ok && cases[i].ok)
			EXPECT_INT(v, cases[i].want, cases[i].in);
	}
	/* Only n bytes are read. */
	int64_t v;
	assert_true(parse_int64("123456", 3, &v));
	assert_int_equal(v, 123);
	EXPECT_ALL();
}

static void test_secret_equal(void **state)
{
	(void)state;
	assert_true(secret_equal("abcdef", "abcdef", 6));
	assert_false(secret_equal("abcdef", "abcdeF", 6));
	assert_false(secret_equal("xbcdef", "abcdef", 6));
	assert_true(secret_equal("ab", "ac", 1));
	assert_true(secret_equal("", "", 0));
}

static void test_alloc(void **state)
{
	(void)state;
	char *p = xstrndup("abcdef", 3);
	assert_string_equal(p, "abc");
	free(p);
	p = xstrdup("");
	assert_string_equal(p, "");
	free(p);
	int *z = xcalloc(10, sizeof *z);
	for (int i = 0; i < 10; i++)
		assert_int_equal(z[i], 0);
	z = xrealloc(z, 1000 * sizeof *z);
	assert_int_equal(z[9], 0);
	free(z);
	assert_true(str_eq("a", "a"));
	assert_false(str_eq("a", "b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_parse_int64),
	    UNIT_TEST(test_secret_equal),
	    UNIT_TEST(test_alloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
