/* Small process-wide helpers: allocation that never returns NULL, fatal errors, macros. */
#ifndef SEXTANT_UTIL_H
#define SEXTANT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED(x)     ((void)(x))

/* Print a message and abort: for out-of-memory and broken invariants only. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define BUG(msg) die("BUG at %s:%d: %s", __FILE__, __LINE__, msg)

/*
 * glibc keeps this much free at the top of a heap (M_TRIM_THRESHOLD, set at start by main.c):
 * an import's batches would otherwise pay again and again for fresh zeroed pages. malloc_trim
 * gives the main heap's top back, but not a thread's own heap: that goes back only as blocks
 * are freed on it with the threshold low. heap_release_begin lowers it, heap_release_end puts
 * it back, around freeing what a large request grew (a page cache, a second connection).
 */
#define HEAP_KEEP (64 << 20)
void heap_release_begin(void);
void heap_release_end(void);

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Constant-time comparison of two equal-length byte strings (for secrets). */
bool secret_equal(const void *a, const void *b, size_t n);

/* Make a folder and those above it (mode 0700); 0, or -1 with errno. */
int mkdir_p(const char *dir);
/* Parse a whole decimal integer; false on anything else (sign allowed, no spaces). */
bool parse_int64(const char *s, size_t n, int64_t *out);
/* Format a reason into err (n bytes) and return -1: the checks of definitions (schemas,
 * processes) say what is wrong this way. */
int fail_with(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Whether s is one of the NULL-terminated list (a NULL list holds nothing). */
bool str_in_list(const char *s, const char *const *list);

static inline bool str_eq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

#endif
