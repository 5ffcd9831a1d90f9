/* core/cron: what a schedule accepts, and when it next fires (in Asia/Shanghai, UTC+8). */
#include "unit.h"

#include "core/cron.h"
#include "core/timeutil.h"

static int64_t at(const char *iso)
{
	int64_t ms = 0;
	assert_true(time_parse_datetime(iso, strlen(iso), &ms));
	return ms;
}

static void test_parse(void **state)
{
	(void)state;
	static const char *const good[] = {
	    "* * * * *",     "0 3 * * *", "*/5 * * * *",  "0 9-18/3 * * 1-5",
	    "30 8 1,15 * *", "0 0 * * 7", "@hourly",      "@daily",
	    "@weekly",       "@monthly",  "@every 30s",   "@every 5m",
	    "@every 2h",     "@every 1d", "5/15 * * * *", "0  0 * * *"};
	static const char *const bad[] = {
	    "",           "* * * *",   "* * * * * *", "60 * * * *",  "* 24 * * *", "* * 0 * *",
	    "* * * 13 *", "* * * * 8", "5-1 * * * *", "*/0 * * * *", "a * * * *",  "@every",
	    "@every 0s",  "@every 5w", "@yearly",     "1,,2 * * * *"};
	struct cron c;
	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		EXPECT(cron_parse(good[i], &c, NULL), "'%s' should parse", good[i]);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *err = NULL;
		EXPECT(!cron_parse(bad[i], &c, &err), "'%s' should not parse", bad[i]);
		EXPECT(err && *err, "'%s' should say why", bad[i]);
	}
	EXPECT_ALL();
}

static void test_next(void **state)
{
	(void)state;
	static const struct {
		const char *expr, *after, *want;
	} cases[] = {
	    /* 03:00 in Shanghai is 19:00 UTC the day before. */
	    {"0 3 * * *", "2026-11-27T12:00:00Z", "2026-11-27T19:00:00.000Z"},
	    {"0 3 * * *", "2026-11-27T19:00:00Z", "2026-11-28T19:00:00.000Z"},
	    {"0 3 * * *", "2026-11-27T18:59:59.999Z", "2026-11-27T19:00:00.000Z"},
	    {"*/15 * * * *", "2026-11-27T12:07:30Z", "2026-11-27T12:15:00.000Z"},
	    {"* * * * *", "2026-11-27T12:07:30Z", "2026-11-27T12:08:00.000Z"},
	    /* Weekdays at 09:00 local: Friday 27 Nov 2026 → Monday 30 Nov. */
	    {"0 9 * * 1-5", "2026-11-27T02:00:00Z", "2026-11-30T01:00:00.000Z"},
	    /* Sunday written as 7. */
	    {"0 0 * * 7", "2026-11-27T00:00:00Z", "2026-11-28T16:00:00.000Z"},
	    /* Both day fields restricted: the 1st or a Monday, whichever comes first. */
	    {"0 0 1 * 1", "2026-11-27T00:00:00Z", "2026-11-29T16:00:00.000Z"},
	    {"0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-28T16:00:00.000Z"},
	    {"@monthly", "2026-12-15T00:00:00Z", "2026-12-31T16:00:00.000Z"},
	    {"@every 30s", "2026-11-27T12:00:00Z", "2026-11-27T12:00:30.000Z"},
	    {"0 12 31 12 *", "2026-12-31T04:00:00Z", "2027-12-31T04:00:00.000Z"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct cron c;
		assert_true(cron_parse(cases[i].expr, &c, NULL));
		char got[TIME_ISO_LEN];
		time_format_iso(cron_next(&c, at(cases[i].after), TIME_DEFAULT_OFFSET_MIN), got);
		EXPECT(!strcmp(got, cases[i].want), "'%s' after %s: %s, want %s", cases[i].expr,
		       cases[i].after, got, cases[i].want);
	}
	struct cron never;
	assert_true(cron_parse("0 0 30 2 *", &never, NULL));
	EXPECT(cron_next(&never, at("2026-01-01T00:00:00Z"), 480) == -1, "30 February never comes");
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_parse),
	                                   cmocka_unit_test(test_next)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
