/*
 * A bump allocator: many small allocations, one release (h2o's request pool, Redis' PoolAlloc).
 * Every request owns one; long-lived structures (the metadata registry) own one each.
 * Memory is never returned piecemeal. Allocation never fails (out of memory aborts).
 */
#ifndef SEXTANT_ARENA_H
#define SEXTANT_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t block_size; /* size of ordinary blocks; large requests get their own */
};

void arena_init(struct arena *a, size_t block_size);
void arena_release(struct arena *a);

void *arena_alloc(struct arena *a, size_t n);  /* 16-byte aligned, uninitialised */
void *arena_zalloc(struct arena *a, size_t n); /* zeroed */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define ARENA_NEW(a, type)          ((type *)arena_zalloc((a), sizeof(type)))
#define ARENA_NEW_ARRAY(a, type, n) ((type *)arena_zalloc((a), sizeof(type) * (n)))

#endif
