/* core/arena: the bump allocator every request and the registry use. */
#include "unit.h"

#include "core/arena.h"

static bool aligned16(const void *p)
{
	return ((uintptr_t)p & 15) == 0;
}

static void test_alignment(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 1024);
	for (size_t n = 0; n < 300; n++) {
		unsigned char *p = arena_alloc(&a, n);
		if (!aligned16(p))
			fail_msg("arena_alloc(%zu) is not 16-byte aligned", n);
		memset(p, 0xab, n); /* ASan would see an overrun */
	}
	/* zalloc and the string helpers are aligned as well. */
	assert_true(aligned16(arena_zalloc(&a, 3)));
	assert_true(aligned16(arena_strdup(&a, "x")));
	assert_true(aligned16(arena_printf(&a, "%d", 1)));
	arena_release(&a);
	assert_null(a.head);
}

static void test_many_small(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 0); /* default block size */
	assert_int_equal(a.block_size, 8192);
	enum { N = 50000 };
	int64_t **ptrs = malloc(N * sizeof *ptrs);
	assert_non_null(ptrs);
	for (int i = 0; i < N; i++) {
		ptrs[i] = arena_alloc(&a, sizeof(int64_t));
		*ptrs[i] = (int64_t)i * 7919;
	}
	/* Nothing overlaps: every value survived the later allocations. */
	for (int i = 0; i < N; i++)
		if (*ptrs[i] != (int64_t)i * 7919)
			fail_msg("allocation %d was overwritten", i);
	for (int i = 1; i < N; i++)
		if (ptrs[i] == ptrs[i - 1])
			fail_msg("allocation %d returned twice", i);
	free(ptrs);
	arena_release(&a);
}

static void test_large(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 4096);
	char *small1 = arena_alloc(&a, 16);
	memset(small1, 1, 16);
	/* Larger than the block size: its own block, fully usable. */
	size_t big = 1 << 20;
	unsigned char *p = arena_alloc(&a, big);
	assert_true(aligned16(p));
	memset(p, 0x5a, big);
	assert_int_equal(p[0], 0x5a);
	assert_int_equal(p[big - 1], 0x5a);
	/* The small allocations that follow still use the first block's free space. */
	char *small2 = arena_alloc(&a, 16);
	assert_ptr_equal(small2, small1 + 16);
	/* Medium allocations (over a quarter of a block) work as well. */
	for (int i = 0; i < 20; i++) {
		unsigned char *m = arena_alloc(&a, 3000);
		memset(m, i, 3000);
		assert_true(aligned16(m));
	}
	assert_int_equal(small1[15], 1);
	/* A zeroed large allocation is all zeros. */
	unsigned char *z = arena_zalloc(&a, 100000);
	for (size_t i = 0; i < 100000; i++)
		if (z[i])
			fail_msg("arena_zalloc byte %zu is not zero", i);
	arena_release(&a);
}

static void test_strings(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a, 256);
	assert_null(arena_strdup(&a, NULL));
	char *s = arena_strdup(&a, "海韵游艇");
	assert_string_equal(s, "海韵游艇");
	char *e = arena_strdup(&a, "");
	assert_string_equal(e, "");
	char *n = arena_strndup(&a, "abcdef", 3);
	assert_string_equal(n, "abc");
	char *z = arena_strndup(&a, "a\0b", 3); /* copies n bytes, terminates */
	assert_memory_equal(z, "a\0b\0", 4);
	char *f = arena_printf(&a, "%s-%05d-%.2f", "x", 42, 1.5);
	assert_string_equal(f, "x-00042-1.50");
	/* Longer than a block. */
	char big[2000];
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char *bp = arena_printf(&a, "<%s>", big);
	assert_int_equal(strlen(bp), 2001);
	assert_int_equal(bp[0], '<');
	assert_int_equal(bp[2000], '>');
	/* Earlier strings are untouched. */
	assert_string_equal(s, "海韵游艇");
	assert_string_equal(n, "abc");
	arena_release(&a);
	/* A released arena can be used again. */
	assert_string_equal(arena_strdup(&a, "again"), "again");
	arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_alignment),
	    UNIT_TEST(test_many_small),
	    UNIT_TEST(test_large),
	    UNIT_TEST(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
