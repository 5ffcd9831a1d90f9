/* core/lunar: the lunar calendar's new years, leap months and festivals as published, every day
 * of the table there and back, and the next birthday by either calendar. */
#include "unit.h"

#include "core/lunar.h"
#include "core/timeutil.h"

static int64_t day(int y, int m, int d)
{
	return time_days_from_civil(y, m, d);
}

static void test_known_dates(void **state)
{
	(void)state;
	static const struct {
		int y, m, d; /* solar */
		struct lunar_date lunar;
	} cases[] = {
	    {2024, 2, 10, {2024, 1, 1, false}}, /* 春节 */
	    {2025, 1, 29, {2025, 1, 1, false}},  {2026, 2, 17, {2026, 1, 1, false}},
	    {2024, 9, 17, {2024, 8, 15, false}},                                    /* 中秋 */
	    {2025, 10, 6, {2025, 8, 15, false}}, {2023, 3, 22, {2023, 2, 1, true}}, /* 闰二月初一 */
	    {1990, 6, 29, {1990, 5, 7, true}}, /* 闰五月初七 */
	    {1985, 2, 20, {1985, 1, 1, false}},  {2020, 5, 30, {2020, 4, 8, true}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct lunar_date got;
		int64_t solar = day(cases[i].y, cases[i].m, cases[i].d);
		EXPECT(lunar_from_days(solar, &got), "case %zu: no lunar date", i);
		EXPECT(got.year == cases[i].lunar.year && got.month == cases[i].lunar.month &&
		           got.day == cases[i].lunar.day && got.leap == cases[i].lunar.leap,
		       "case %zu: %d-%s%d-%d", i, got.year, got.leap ? "leap " : "", got.month,
		       got.day);
		int64_t back;
		EXPECT(lunar_to_days(&cases[i].lunar, &back) && back == solar, "case %zu back", i);
	}
	/* A leap month the year does not have; outside the table. */
	struct lunar_date none = {2024, 2, 1, true}, early = {1899, 1, 1, false};
	int64_t x;
	EXPECT(!lunar_to_days(&none, &x), "2024 has no leap second month");
	EXPECT(!lunar_to_days(&early, &x), "1899 is outside the table");
	struct lunar_date out;
	EXPECT(!lunar_from_days(day(1899, 6, 1), &out), "before the table");
	EXPECT_ALL();
}

static void test_round_trip(void **state)
{
	(void)state;
	size_t bad = 0;
	for (int64_t d = day(1901, 1, 1); d < day(2100, 1, 1); d++) {
		struct lunar_date l;
		int64_t back = -1;
		if (!lunar_from_days(d, &l) || !lunar_to_days(&l, &back) || back != d)
			bad++;
	}
	assert_int_equal(bad, 0);
}

static void test_birthdays(void **state)
{
	(void)state;
	int64_t dates[] = {
	    day(1980, 12, 1), day(2026, 11, 27), day(1980, 11, 1), day(2027, 11, 1),
	    day(1990, 6, 29), day(2026, 11, 27), day(2027, 6, 11), day(1985, 2, 20),
	    day(2027, 2, 6),  day(2020, 5, 30),  day(2027, 5, 13), day(2026, 6, 1),
	    day(2026, 6, 21),
	};
	static const struct {
		int born, from, want;
		bool lunar;
	} c2[] = {
	    {0, 1, -1, false}, /* 12-01 after 11-27: this year */
	    {2, 1, 3, false},  /* 11-01 passed: next year */
	    {4, 5, 6, true},   /* 闰五月初七: 2027 has no leap fifth month → 五月初七 */
	    {7, 5, 8, true},   /* 正月初一 → 2027's new year */
	    {9, 5, 10, true},  /* 闰四月初八 → 四月初八 2027 */
	    {4, 11, 12, true}, /* from 2026-06-01: 五月初七 2026 */
	};
	for (size_t i = 0; i < sizeof c2 / sizeof c2[0]; i++) {
		int64_t next = 0, want = c2[i].want < 0 ? day(2026, 12, 1) : dates[c2[i].want];
		EXPECT(birthday_next(dates[c2[i].born], c2[i].lunar, dates[c2[i].from], &next) &&
		           next == want,
		       "case %zu: %lld, want %lld", i, (long long)next, (long long)want);
	}
	int64_t next;
	EXPECT(birthday_next(day(1992, 2, 29), false, day(2027, 1, 1), &next) &&
	           next == day(2027, 2, 28),
	       "29 February in a common year");
	EXPECT(birthday_next(day(1992, 2, 29), false, day(2028, 1, 1), &next) &&
	           next == day(2028, 2, 29),
	       "29 February in a leap year");
	EXPECT(birthday_next(day(1990, 5, 5), false, day(2026, 5, 5), &next) &&
	           next == day(2026, 5, 5),
	       "on the day itself");
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_dates),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_birthdays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
