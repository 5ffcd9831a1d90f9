/*
 * Checks and normal forms of the text-like field types. Each validator takes trimmed UTF-8 and
 * on success writes the normal form to out (appending) and returns true.
 */
#ifndef SEXTANT_VALIDATE_H
#define SEXTANT_VALIDATE_H

#include "core/str.h"

#include <stdbool.h>
#include <stddef.h>

/* local@domain.tld; the domain is lower-cased. */
bool validate_email(const char *s, size_t n, struct str *out);
/*
 * Chinese mobile (13812345678, with or without +86), landline with area code
 * (0755-12345678, optional extension -123), 400/800 numbers (400-123-4567), or international
 * numbers starting with + (kept as + and digits).
 */
bool validate_phone(const char *s, size_t n, struct str *out);
/* http(s) only; "www.example.com" gets "https://" in front. */
bool validate_url(const char *s, size_t n, struct str *out);
/* Six digits. */
bool validate_postcode(const char *s, size_t n, struct str *out);
/* Unified social credit code (统一社会信用代码, GB 32100-2015), check digit verified. */
bool validate_uscc(const char *s, size_t n, struct str *out);
/* ISO 4217 style: three capital letters. */
bool validate_currency(const char *s, size_t n);

#endif
