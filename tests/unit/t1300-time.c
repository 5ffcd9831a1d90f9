/* core/timeutil: calendar dates, RFC 3339 date-times and the canonical UTC text form. */
#include "unit.h"

#include "core/timeutil.h"

#define T_2026_11_27_010916 1795741756000LL

static void test_parse_date(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		int y, m, d;
	} cases[] = {
	    {"2026-11-27", true, 2026, 11, 27},
	    {"2024-02-29", true, 2024, 2, 29}, /* leap year */
	    {"2000-02-29", true, 2000, 2, 29}, /* divisible by 400 */
	    {"1000-01-01", true, 1000, 1, 1},
	    {"9999-12-31", true, 9999, 12, 31},
	    {"2023-01-31", true, 2023, 1, 31},
	    {"2023-04-30", true, 2023, 4, 30},
	    {"2023-02-29", false, 0, 0, 0}, /* not a leap year */
	    {"1900-02-29", false, 0, 0, 0}, /* divisible by 100 */
	    {"2024-02-30", false, 0, 0, 0},
	    {"2023-04-31", false, 0, 0, 0},
	    {"2023-13-01", false, 0, 0, 0}, /* month 13 */
	    {"2023-00-10", false, 0, 0, 0},
	    {"2023-01-00", false, 0, 0, 0},
	    {"2023-01-32", false, 0, 0, 0},
	    {"0999-12-31", false, 0, 0, 0}, /* before 1000 */
	    {"2023-1-01", false, 0, 0, 0},
	    {"2023/01/01", false, 0, 0, 0},
	    {"20230101", false, 0, 0, 0},
	    {"2023-01-01T", false, 0, 0, 0},
	    {"2023-01-0a", false, 0, 0, 0},
	    {"+023-01-01", false, 0, 0, 0},
	    {"", false, 0, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int y = 0, m = 0, d = 0;
		bool ok = time_parse_date(cases[i].in, strlen(cases[i].in), &y, &m, &d);
		EXPECT(ok == cases[i].ok, "time_parse_date(\"%s\") = %d", cases[i].in, ok);
		if (ok && cases[i].ok)
			EXPECT(y == cases[i].y && m == cases[i].m && d == cases[i].d,
			       "time_parse_date(\"%s\") = %d-%d-%d", cases[i].in, y, m, d);
	}
	EXPECT_ALL();
}

static void test_parse_datetime(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		int64_t ms;
	} cases[] = {
	    {"2026-11-27T01:09:16Z", true, T_2026_11_27_010916},
	    {"2026-11-27t01:09:16z", true, T_2026_11_27_010916},
	    {"2026-11-27 01:09:16Z", true, T_2026_11_27_010916},
	    {"2026-11-27T09:09:16+08:00", true, T_2026_11_27_010916},
	    {"2026-11-27T09:09:16+0800", true, T_2026_11_27_010916},
	    {"2026-11-27T09:09:16+08", true, T_2026_11_27_010916},
	    {"2026-11-26T20:09:16-05:00", true, T_2026_11_27_010916},
	    {"2026-11-27T06:39:16+05:30", true, T_2026_11_27_010916},
	    {"2026-11-27T01:09:16+00:00", true, T_2026_11_27_010916},
	    {"2026-11-27T01:09:16-00:00", true, T_2026_11_27_010916},
	    /* what PostgreSQL prints for timestamptz */
	    {"2026-11-27 01:09:16.123+00", true, T_2026_11_27_010916 + 123},
	    {"2026-11-27 09:09:16.5+08", true, T_2026_11_27_010916 + 500},
	    /* fractions: up to 9 digits, milliseconds kept */
	    {"2026-11-27T01:09:16.1Z", true, T_2026_11_27_010916 + 100},
	    {"2026-11-27T01:09:16.12Z", true, T_2026_11_27_010916 + 120},
	    {"2026-11-27T01:09:16.123Z", true, T_2026_11_27_010916 + 123},
	    {"2026-11-27T01:09:16.123456Z", true, T_2026_11_27_010916 + 123},
	    {"2026-11-27T01:09:16.999999999Z", true, T_2026_11_27_010916 + 999},
	    {"2026-11-27T01:09:16.1234567890Z", false, 0},
	    {"2026-11-27T01:09:16.Z", false, 0},
	    /* a date alone is not an RFC 3339 date-time (time_parse_datetime_local takes it) */
	    {"2026-11-27", false, 0},
	    {"1970-01-01", false, 0},
	    {"1970-01-01T00:00:00Z", true, 0},
	    {"1969-12-31T23:59:59.999Z", true, -1},
	    {"2000-01-01T00:00:00Z", true, 946684800000LL},
	    {"2024-02-29T12:00:00Z", true, 1709208000000LL},
	    {"1000-01-01T00:00:00Z", true, -30610224000000LL},
	    {"9999-12-31T23:59:59.999Z", true, 253402300799999LL},
	    /* a leap second stays inside its minute */
	    {"2016-12-31T23:59:60Z", true, 1483228799000LL},
	    /* rejected */
	    {"2026-11-27T01:09:16", false, 0}, /* no zone: ambiguous */
	    {"2026-11-27T01:09:16.123", false, 0},
	    {"2026-11-27 01:09:16", false, 0},
	    {"2026-11-27T01:09Z", false, 0}, /* no seconds */
	    {"2026-11-27T24:00:00Z", false, 0},
	    {"2026-11-27T23:60:00Z", false, 0},
	    {"2026-11-27T23:59:61Z", false, 0},
	    {"2026-11-27T01:09:16+24:00", false, 0},
	    {"2026-11-27T01:09:16+08:60", false, 0},
	    {"2026-11-27T01:09:16+8", false, 0},
	    {"2026-11-27T01:09:16+08:0", false, 0},
	    {"2026-11-27T01:09:16ZZ", false, 0},
	    {"2026-11-27T01:09:16Z ", false, 0},
	    {"2026-11-27X01:09:16Z", false, 0},
	    {"2026-11-27T1:09:16Z", false, 0},
	    {"2026-11-27T01-09-16Z", false, 0},
	    {"2023-02-29T00:00:00Z", false, 0},
	    {"2026-13-27T01:09:16Z", false, 0},
	    {"2026-11-27 ", false, 0},
	    {"", false, 0},
	    {"now", false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t ms = -424242;
		bool ok = time_parse_datetime(cases[i].in, strlen(cases[i].in), &ms);
		EXPECT(ok == cases[i].ok, "time_parse_datetime(\"%s\") = %d", cases[i].in, ok);
		if (ok && cases[i].ok)
			EXPECT(ms == cases[i].ms, "time_parse_datetime(\"%s\") = %lld, want %lld",
			       cases[i].in, (long long)ms, (long long)cases[i].ms);
	}
	EXPECT_ALL();
}

static void test_parse_datetime_local(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		int offset;
		bool ok;
		int64_t ms;
	} cases[] = {
	    {"2026-11-27", 0, true, 1795737600000LL},
	    {"2026-11-27", 480, true, 1795737600000LL - 8 * 3600000LL},
	    {"2026-11-27 09:09", 480, true, T_2026_11_27_010916 - 16000},
	    {"2026-11-27T09:09:16", 480, true, T_2026_11_27_010916},
	    {"2026-11-27 01:09:16Z", 480, true, T_2026_11_27_010916}, /* a zone given wins */
	    {"2026-11-27 09:09:16+08:00", 0, true, T_2026_11_27_010916},
	    {"2026-11-27 9:09", 480, false, 0},
	    {"2026-11-27 09", 480, false, 0},
	    {"2026-11-27 ", 480, false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t ms = -424242;
		bool ok = time_parse_datetime_local(cases[i].in, strlen(cases[i].in),
		                                    cases[i].offset, &ms);
		EXPECT(ok == cases[i].ok, "time_parse_datetime_local(\"%s\", %d) = %d", cases[i].in,
		       cases[i].offset, ok);
		if (ok && cases[i].ok)
			EXPECT(ms == cases[i].ms,
			       "time_parse_datetime_local(\"%s\") = %lld, want %lld", cases[i].in,
			       (long long)ms, (long long)cases[i].ms);
	}
	EXPECT_ALL();
}

static void test_format(void **state)
{
	(void)state;
	static const struct {
		int64_t ms;
		const char *want;
	} cases[] = {
	    {0, "1970-01-01T00:00:00.000Z"},
	    {1, "1970-01-01T00:00:00.001Z"},
	    {-1, "1969-12-31T23:59:59.999Z"},
	    {-1000, "1969-12-31T23:59:59.000Z"},
	    {-1001, "1969-12-31T23:59:58.999Z"},
	    {-86400000, "1969-12-31T00:00:00.000Z"},
	    {-86400001, "1969-12-30T23:59:59.999Z"},
	    {T_2026_11_27_010916 + 123, "2026-11-27T01:09:16.123Z"},
	    {946684800000LL, "2000-01-01T00:00:00.000Z"},
	    {951782400000LL, "2000-02-29T00:00:00.000Z"},
	    {1709208000000LL, "2024-02-29T12:00:00.000Z"},
	    {253402300799999LL, "9999-12-31T23:59:59.999Z"},
	    {-30610224000000LL, "1000-01-01T00:00:00.000Z"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[TIME_ISO_LEN];
		memset(out, 'x', sizeof out);
		time_format_iso(cases[i].ms, out);
		EXPECT_STR(out, cases[i].want, cases[i].want);
		EXPECT_INT(strlen(out), TIME_ISO_LEN - 1, cases[i].want);
		/* And back. */
		int64_t back = 0;
		EXPECT(time_parse_datetime(out, strlen(out), &back) && back == cases[i].ms,
		       "round trip of %lld gave %lld", (long long)cases[i].ms, (long long)back);
	}
	/* Every day of a leap year and the years around the epoch round-trip. */
	for (int64_t day = -800; day < 800; day++) {
		int64_t ms = day * 86400000LL + 45296789; /* 12:34:56.789 */
		char out[TIME_ISO_LEN];
		time_format_iso(ms, out);
		int64_t back = 0;
		if (!time_parse_datetime(out, strlen(out), &back) || back != ms) {
			EXPECT(false, "day %lld: %s does not round-trip", (long long)day, out);
			break;
		}
	}
	/* Fixed width: text order is time order. */
	char a[TIME_ISO_LEN], b[TIME_ISO_LEN];
	time_format_iso(-1, a);
	time_format_iso(0, b);
	EXPECT(strcmp(a, b) < 0, "order across the epoch");
	time_format_iso(999, a);
	time_format_iso(1000, b);
	EXPECT(strcmp(a, b) < 0, "order across a second");
	EXPECT_ALL();
}

/*
 * Whatever time_parse_datetime accepts has a canonical form that parses back to the same
 * instant (value.c stores time_format_iso of the parsed time). Offsets can move an accepted
 * date across the 1000..9999 range.
 */
static void test_canonical_range(void **state)
{
	(void)state;
	static const char *const inputs[] = {
	    "9999-12-31T23:00:00-05:00", /* 10000-01-01T04:00Z */
	    "1000-01-01T00:00:00+08:00", /* 0999-12-31T16:00Z */
	    "9999-12-31T23:59:59.999Z",
	    "1000-01-01T00:00:00Z",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		int64_t ms;
		if (!time_parse_datetime(inputs[i], strlen(inputs[i]), &ms))
			continue; /* refusing is fine */
		char out[TIME_ISO_LEN];
		time_format_iso(ms, out);
		int64_t back = 0;
		EXPECT(time_parse_datetime(out, strlen(out), &back) && back == ms,
		       "%s is accepted, but its canonical form %s does not parse back", inputs[i],
		       out);
	}
	EXPECT_ALL();
}

static void test_days_and_clocks(void **state)
{
	(void)state;
	assert_int_equal(time_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(time_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(time_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(time_days_from_civil(2000, 3, 1) - time_days_from_civil(2000, 2, 28), 2);
	assert_int_equal(time_days_from_civil(2001, 1, 1) - time_days_from_civil(2000, 1, 1), 366);
	int64_t now = time_now_ms();
	assert_true(now > 1700000000000LL); /* after 2023 */
	char iso[TIME_ISO_LEN];
	time_now_iso(iso);
	int64_t parsed = 0;
	assert_true(time_parse_datetime(iso, strlen(iso), &parsed));
	assert_true(parsed >= now && parsed - now < 5000);
	int64_t m1 = time_mono_ns(), m2 = time_mono_ns();
	assert_true(m2 >= m1);
}

/* Months counted and stepped as numbers, across years (the activity report's periods). */
static void test_month_numbers_across_years(void **state)
{
	(void)state;
	assert_int_equal(time_month_number("0000-01"), 0);
	assert_int_equal(time_month_number("0001-01"), 12);
	assert_int_equal(time_month_number("2025-12") + 1, time_month_number("2026-01"));
	assert_int_equal(time_month_number("2025-12") - time_month_number("2025-01"), 11);
	assert_int_equal(time_month_number("9999-12"), 9999 * 12 + 11);
}

static void test_span(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int64_t ms;
	} good[] = {{"30s", 30000},
	            {"5m", 300000},
	            {"4h", 14400000},
	            {"3d", 259200000},
	            {"1000000s", 1000000000}};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		int64_t ms = 0;
		assert_true(time_parse_span(good[i].text, &ms));
		assert_int_equal(ms, good[i].ms);
	}
	static const char *const bad[] = {"",    "3",   "d",  "0d",   "-1d",      "+1d",
	                                  " 1d", "1d ", "1w", "1.5h", "1000001s", "2dd"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int64_t ms = 0;
		assert_false(time_parse_span(bad[i], &ms));
	}
	int64_t ms = 0;
	assert_false(time_parse_span(NULL, &ms));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_parse_date),
	    UNIT_TEST(test_parse_datetime),
	    UNIT_TEST(test_parse_datetime_local),
	    UNIT_TEST(test_format),
	    UNIT_TEST(test_canonical_range),
	    UNIT_TEST(test_days_and_clocks),
	    UNIT_TEST(test_month_numbers_across_years),
	    UNIT_TEST(test_span),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
