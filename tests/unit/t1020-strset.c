/* core/strset: the string set with values (import de-duplication, reference checks). */
#include "unit.h"

#include "core/strset.h"
#include "core/util.h"

static void test_basic(void **state)
{
	(void)state;
	struct strset s;
	strset_init(&s);
	int64_t v = -1;
	assert_false(strset_get(&s, "a", 1, &v)); /* empty set: no table yet */
	assert_true(strset_add(&s, "a", 1, 10, NULL));
	assert_true(strset_add(&s, "b", 1, 20, NULL));
	assert_true(strset_get(&s, "a", 1, &v));
	assert_int_equal(v, 10);
	assert_true(strset_get(&s, "b", 1, &v));
	assert_int_equal(v, 20);
	assert_true(strset_get(&s, "b", 1, NULL));
	assert_false(strset_get(&s, "c", 1, &v));
	assert_false(strset_get(&s, "ab", 2, &v));

	/* Adding again fails and reports the value that is there; it is not replaced. */
	int64_t existing = 0;
	assert_false(strset_add(&s, "a", 1, 99, &existing));
	assert_int_equal(existing, 10);
	assert_false(strset_add(&s, "a", 1, 99, NULL));
	assert_true(strset_get(&s, "a", 1, &v));
	assert_int_equal(v, 10);

	/* Keys are byte strings with a length: prefixes, NULs and the empty key are distinct. */
	assert_true(strset_add(&s, "abc", 2, 30, NULL)); /* "ab" */
	assert_true(strset_get(&s, "ab", 2, &v));
	assert_int_equal(v, 30);
	assert_true(strset_add(&s, "a\0b", 3, 40, NULL));
	assert_true(strset_get(&s, "a\0b", 3, &v));
	assert_int_equal(v, 40);
	assert_false(strset_get(&s, "a\0c", 3, &v));
	assert_true(strset_add(&s, "", 0, 50, NULL));
	assert_true(strset_get(&s, "", 0, &v));
	assert_int_equal(v, 50);
	assert_true(strset_add(&s, "海韵", strlen("海韵"), 60, NULL));
	assert_true(strset_get(&s, "海韵", strlen("海韵"), &v));
	assert_int_equal(v, 60);
	assert_int_equal(s.used, 6);

	/* The set copies its keys. */
	char key[8] = "temp";
	assert_true(strset_add(&s, key, 4, 70, NULL));
	memcpy(key, "XXXX", 4);
	assert_true(strset_get(&s, "temp", 4, &v));
	assert_int_equal(v, 70);

	strset_release(&s);
	assert_false(strset_get(&s, "a", 1, &v));
	/* Usable again after release. */
	assert_true(strset_add(&s, "a", 1, 1, NULL));
	strset_release(&s);
}

static void test_growth(void **state)
{
	(void)state;
	struct strset s;
	strset_init(&s);
	enum { N = 20000 };
	char k[32];
	for (int i = 0; i < N; i++) {
		int n = snprintf(k, sizeof k, "key-%d", i);
		if (!strset_add(&s, k, (size_t)n, i * 3, NULL))
			fail_msg("key %d reported as present", i);
	}
	assert_int_equal(s.used, N);
	/* Load factor stays below 3/4 and the table is a power of two. */
	assert_true(s.used * 4 <= s.cap * 3);
	assert_int_equal(s.cap & (s.cap - 1), 0);
	for (int i = 0; i < N; i++) {
		int n = snprintf(k, sizeof k, "key-%d", i);
		int64_t v = -1;
		if (!strset_get(&s, k, (size_t)n, &v) || v != i * 3)
			fail_msg("key %d lost after growth (value %lld)", i, (long long)v);
		int64_t ex = -1;
		if (strset_add(&s, k, (size_t)n, 0, &ex) || ex != i * 3)
			fail_msg("duplicate key %d accepted after growth", i);
	}
	for (int i = N; i < N + 1000; i++) {
		int n = snprintf(k, sizeof k, "key-%d", i);
		if (strset_get(&s, k, (size_t)n, NULL))
			fail_msg("absent key %d found", i);
	}
	strset_release(&s);
}

/* Short keys live in their slot, longer ones on the heap: both kinds, about the boundary, kept
 * apart and found again after the table has grown (under ASan: nothing read past, nothing
 * lost). */
static void test_key_lengths(void **state)
{
	(void)state;
	struct strset s;
	strset_init(&s);
	static const size_t lengths[] = {1, 8, 15, 16, 17, 24, 100};
	char k[128];
	enum { N = 500 };
	for (size_t l = 0; l < ARRAY_SIZE(lengths); l++)
		for (int i = 0; i < N; i++) {
			memset(k, 'x', sizeof k);
			int n = snprintf(k, sizeof k, "%d-", i);
			k[n] = 'x'; /* snprintf's NUL overwritten: the key is lengths[l] bytes */
			if (lengths[l] < (size_t)n)
				continue;
			assert_true(
			    strset_add(&s, k, lengths[l], (int64_t)(l * N + (size_t)i), NULL));
		}
	for (size_t l = 0; l < ARRAY_SIZE(lengths); l++)
		for (int i = 0; i < N; i++) {
			memset(k, 'x', sizeof k);
			int n = snprintf(k, sizeof k, "%d-", i);
			k[n] = 'x';
			if (lengths[l] < (size_t)n)
				continue;
			int64_t v = -1;
			assert_true(strset_get(&s, k, lengths[l], &v));
			assert_int_equal(v, (int64_t)(l * N + (size_t)i));
			/* Its last byte changed, another key. */
			k[lengths[l] - 1] ^= 0x40;
			assert_false(strset_get(&s, k, lengths[l], NULL));
		}
	strset_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_basic),
	    UNIT_TEST(test_growth),
	    UNIT_TEST(test_key_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
