/* core/str: the growable string, its size cap and its JSON escaping. */
#include "unit.h"

#include "core/str.h"
#include "core/text.h"

#include <inttypes.h>
#include <jansson.h>

static void test_empty(void **state)
{
	(void)state;
	struct str s = STR_INIT;
	assert_non_null(s.buf);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.cap, 0);
	assert_string_equal(s.buf, "");
	/* Releasing and resetting an empty str is harmless. */
	str_reset(&s);
	str_release(&s);
	assert_non_null(s.buf);
	assert_string_equal(s.buf, "");

	str_init(&s, 100);
	assert_true(s.cap >= 101);
	assert_int_equal(s.len, 0);
	assert_string_equal(s.buf, "");
	str_release(&s);
	assert_int_equal(s.cap, 0);
}

static void test_appends(void **state)
{
	(void)state;
	struct str s = STR_INIT;
	str_add(&s, "abc", 3);
	str_add(&s, "xyz", 0); /* nothing */
	str_adds(&s, "def");
	str_addc(&s, '!');
	str_add(&s, "\0z", 2); /* binary safe */
	assert_int_equal(s.len, 9);
	assert_memory_equal(s.buf, "abcdef!\0z", 10);
	assert_int_equal(s.buf[s.len], '\0');

	str_truncate(&s, 3);
	assert_string_equal(s.buf, "abc");
	str_truncate(&s, 10); /* longer than the string: no change */
	assert_string_equal(s.buf, "abc");
	assert_int_equal(s.len, 3);

	size_t cap = s.cap;
	str_reset(&s);
	assert_int_equal(s.len, 0);
	assert_string_equal(s.buf, "");
	assert_int_equal(s.cap, cap); /* keeps the allocation */

	/* Growth over many appends keeps every byte. */
	for (int i = 0; i < 10000; i++)
		str_addc(&s, (char)('a' + i % 26));
	assert_int_equal(s.len, 10000);
	for (int i = 0; i < 10000; i++)
		if (s.buf[i] != (char)('a' + i % 26))
			fail_msg("byte %d lost in growth", i);
	assert_int_equal(s.buf[10000], '\0');
	str_release(&s);
}

static void test_addf(void **state)
{
	(void)state;
	struct str s = STR_INIT;
	str_addf(&s, "%d-%s", 42, "x");
	assert_string_equal(s.buf, "42-x");

	/* Past the 256-byte stack buffer: formatted straight into the string. */
	char big[1000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	str_addf(&s, "[%s|%d]", big, 7);
	assert_int_equal(s.len, 4 + 1 + 999 + 3);
	assert_memory_equal(s.buf, "42-x[", 5);
	assert_memory_equal(s.buf + 5, big, 999);
	assert_string_equal(s.buf + 5 + 999, "|7]");
	assert_int_equal(strlen(s.buf), s.len);

	/* Exactly at the edges of the stack buffer (255, 256 and 257 bytes). */
	for (size_t n = 254; n <= 258; n++) {
		struct str t = STR_INIT;
		str_adds(&t, "<");
		str_addf(&t, "%.*s", (int)n, big);
		assert_int_equal(t.len, n + 1);
		assert_int_equal(strlen(t.buf), n + 1);
		assert_int_equal(t.buf[n], 'q');
		str_release(&t);
	}
	str_release(&s);
}

static void test_add_int(void **state)
{
	(void)state;
	static const struct {
		int64_t v;
		const char *want;
	} cases[] = {
	    {0, "0"},
	    {7, "7"},
	    {-7, "-7"},
	    {10, "10"},
	    {-10, "-10"},
	    {1234567890123LL, "1234567890123"},
	    {INT64_MAX, "9223372036854775807"},
	    {INT64_MIN, "-9223372036854775808"},
	    {INT64_MIN + 1, "-9223372036854775807"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct str s = STR_INIT;
		str_adds(&s, "x=");
		str_add_int(&s, cases[i].v);
		char want[64];
		snprintf(want, sizeof want, "x=%s", cases[i].want);
		EXPECT_STR(s.buf, want, cases[i].want);
		EXPECT_INT(s.len, strlen(want), cases[i].want);
		str_release(&s);
	}
	EXPECT_ALL();
}

static void test_json(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		size_t n; /* 0: strlen */
		const char *want;
	} cases[] = {
	    {"", 0, "\"\""},
	    {"plain", 0, "\"plain\""},
	    {"a\"b", 0, "\"a\\\"b\""},
	    {"back\\slash", 0, "\"back\\\\slash\""},
	    {"\n\r\t", 0, "\"\\n\\r\\t\""},
	    {"\x01\x1f\b\f", 0, "\"\\u0001\\u001f\\u0008\\u000c\""},
	    {"a\0b", 3, "\"a\\u0000b\""},
	    {"/", 0, "\"/\""},
	    /* Valid multi-byte sequences are kept as they are. */
	    {"海韵游艇", 0, "\"海韵游艇\""},
	    {"é", 0, "\"é\""},
	    {"\xf0\x9f\x98\x80", 0, "\"\xf0\x9f\x98\x80\""}, /* U+1F600 */
	    {"\xf4\x8f\xbf\xbf", 0, "\"\xf4\x8f\xbf\xbf\""}, /* U+10FFFF */
	    {"\xef\xbf\xbf", 0, "\"\xef\xbf\xbf\""},         /* U+FFFF */
	    /* Invalid UTF-8 becomes U+FFFD, byte by byte. */
	    {"\xff", 0, "\"\\ufffd\""},
	    {"a\x80z", 0, "\"a\\ufffdz\""},
	    {"\xc3", 0, "\"\\ufffd\""},                                  /* truncated at the end */
	    {"\xc3(", 0, "\"\\ufffd(\""},                                /* bad continuation */
	    {"\xc0\xaf", 0, "\"\\ufffd\\ufffd\""},                       /* overlong '/' */
	    {"\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\""},            /* surrogate D800 */
	    {"\xf4\x90\x80\x80", 0, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* > U+10FFFF */
	    {"\xe6\xb5", 0, "\"\\ufffd\\ufffd\""},                       /* half of 海 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = cases[i].n ? cases[i].n : strlen(cases[i].in);
		struct str s = STR_INIT;
		str_add_json(&s, cases[i].in, n);
		char what[64];
		snprintf(what, sizeof what, "case %zu", i);
		EXPECT_STR(s.buf, cases[i].want, what);
		/* Whatever went in, what comes out is valid UTF-8 and valid JSON. */
		EXPECT(utf8_valid(s.buf, s.len), "%s: output is not UTF-8", what);
		json_error_t je;
		json_t *j = json_loadb(s.buf, s.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		EXPECT(j && json_is_string(j), "%s: output does not parse: %s", what, je.text);
		if (j && json_is_string(j) && utf8_valid(cases[i].in, n))
			EXPECT(json_string_length(j) == n &&
			           memcmp(json_string_value(j), cases[i].in, n) == 0,
			       "%s: does not round-trip", what);
		json_decref(j);
		str_release(&s);
	}
	/* The inline helper takes a C string, and appends. */
	struct str s = STR_INIT;
	str_adds(&s, "x:");
	str_add_jsons(&s, "y");
	EXPECT_STR(s.buf, "x:\"y\"", "str_add_jsons");
	str_release(&s);
	EXPECT_ALL();
}

static void test_cap(void **state)
{
	(void)state;
	struct str s = STR_INIT;
	s.max = 10;
	str_adds(&s, "12345");
	assert_false(s.toobig);
	str_adds(&s, "67890"); /* exactly max: allowed */
	assert_false(s.toobig);
	assert_int_equal(s.len, 10);
	str_addc(&s, 'x'); /* one past */
	assert_true(s.toobig);
	assert_int_equal(s.len, 10);
	assert_string_equal(s.buf, "1234567890");

	/* Sticky: even an append that would fit is refused once toobig is set. */
	str_truncate(&s, 2);
	str_adds(&s, "ab");
	assert_true(s.toobig);
	assert_string_equal(s.buf, "12");

	/* Reset clears the flag, the cap stays. */
	str_reset(&s);
	assert_false(s.toobig);
	assert_int_equal(s.max, 10);
	str_adds(&s, "abc");
	assert_string_equal(s.buf, "abc");

	/* A single append larger than the cap. */
	str_add(&s, "0123456789abcdef", 16);
	assert_true(s.toobig);
	assert_string_equal(s.buf, "abc");

	/* The formatted paths obey the cap, both short and past the stack buffer. */
	str_reset(&s);
	str_addf(&s, "%s", "0123456789A");
	assert_true(s.toobig);
	assert_int_equal(s.len, 0);
	str_reset(&s);
	char big[600];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	str_addf(&s, "%s", big);
	assert_true(s.toobig);
	assert_int_equal(s.len, 0);
	assert_string_equal(s.buf, "");

	/* Integers and JSON, too. */
	str_reset(&s);
	str_adds(&s, "123456789");
	str_add_int(&s, 42);
	assert_true(s.toobig);
	assert_string_equal(s.buf, "123456789");
	str_reset(&s);
	str_add_jsons(&s, "abcdefghijkl");
	assert_true(s.toobig);
	assert_true(s.len <= 10);

	/* Release keeps the cap for the next use. */
	str_release(&s);
	assert_int_equal(s.max, 10);
	assert_false(s.toobig);
	assert_int_equal(s.len, 0);
}

static void test_detach(void **state)
{
	(void)state;
	struct str s = STR_INIT;
	str_adds(&s, "hello");
	size_t len = 0;
	char *p = str_detach(&s, &len);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	/* The str is empty and usable again; the buffer is the caller's. */
	assert_int_equal(s.len, 0);
	assert_int_equal(s.cap, 0);
	assert_string_equal(s.buf, "");
	str_adds(&s, "again");
	assert_string_equal(s.buf, "again");
	assert_ptr_not_equal(s.buf, p);
	free(p);
	str_release(&s);

	/* Detaching an empty str gives a freeable "" too. */
	struct str e = STR_INIT;
	p = str_detach(&e, &len);
	assert_non_null(p);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	assert_ptr_not_equal(p, e.buf);
	free(p);
	/* len may be NULL. */
	str_adds(&e, "x");
	p = str_detach(&e, NULL);
	assert_string_equal(p, "x");
	free(p);

	/* Detach keeps the cap, like release. */
	struct str c = STR_INIT;
	c.max = 4;
	str_adds(&c, "abc");
	free(str_detach(&c, NULL));
	assert_int_equal(c.max, 4);
	str_adds(&c, "abcde");
	assert_true(c.toobig);
	str_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_empty),   UNIT_TEST(test_appends), UNIT_TEST(test_addf),
	    UNIT_TEST(test_add_int), UNIT_TEST(test_json),    UNIT_TEST(test_cap),
	    UNIT_TEST(test_detach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
