/*
 * struct str: a growable, always NUL-terminated byte string (after git's strbuf).
 *
 * - `buf` is never NULL: an empty str points at a shared "" until the first append.
 * - Appends never fail from the caller's point of view: out of memory aborts the process
 *   (other nodes carry on), and a string with a size cap (`max`) that would grow past it
 *   sets the sticky `toobig` flag instead (after curl's dynbuf), so a run of appends is
 *   checked once at the end.
 * - Ownership leaves the str only through str_detach().
 */
#ifndef SEXTANT_STR_H
#define SEXTANT_STR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct str {
	char *buf;
	size_t len;
	size_t cap;  /* 0 while buf points at the shared empty string */
	size_t max;  /* 0: no cap; otherwise the largest len allowed */
	bool toobig; /* sticky: an append was refused because of max */
};

extern char str_empty_[1];
#define STR_INIT                  \
	{                         \
		.buf = str_empty_ \
	}

void str_init(struct str *s, size_t hint);
/* Free the buffer and return to the empty state. */
void str_release(struct str *s);
/* Forget the contents but keep the allocation. */
void str_reset(struct str *s);
void str_grow(struct str *s, size_t extra);
/* Hand the buffer to the caller (who frees it); the str becomes empty. */
char *str_detach(struct str *s, size_t *len);
void str_truncate(struct str *s, size_t len);

void str_add(struct str *s, const void *data, size_t n);
void str_adds(struct str *s, const char *z);
void str_addc(struct str *s, char c);
void str_addf(struct str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void str_vaddf(struct str *s, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void str_add_int(struct str *s, int64_t v);

/* Append a JSON string literal, quotes included. Invalid UTF-8 becomes U+FFFD. */
void str_add_json(struct str *s, const char *z, size_t n);
/* z percent-encoded for a URL: all but RFC 3986's unreserved characters. */
void str_add_urlenc(struct str *s, const char *z);
static inline void str_add_jsons(struct str *s, const char *z)
{
	str_add_json(s, z, strlen(z));
}

#endif
