/* core/ratelimit: a fixed window per key, keys counted apart, a new window starting afresh. */
#include "unit.h"

#include "core/ratelimit.h"

static struct ratelimit rl = RATELIMIT_INIT(3, 60000);

static void test_window(void **state)
{
	(void)state;
	int64_t t = 1000000;
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_allow(&rl, "10.0.0.1", t + i));
	assert_false(ratelimit_allow(&rl, "10.0.0.1", t + 10));
	assert_false(ratelimit_allow(&rl, "10.0.0.1", t + 59999));
	/* Another address has its own count. */
	assert_true(ratelimit_allow(&rl, "10.0.0.2", t + 10));
	/* The window over, the address may go on again, up to the limit. */
	for (int i = 0; i < 3; i++)
		assert_true(ratelimit_allow(&rl, "10.0.0.1", t + 60000 + i));
	assert_false(ratelimit_allow(&rl, "10.0.0.1", t + 60010));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
