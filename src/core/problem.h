/*
 * Problems the caller caused (RFC 9457 problem details). Validation appends every bad field to
 * one problem and carries on, so a reply names all of them at once; the problem is rendered
 * once, in the caller's language.
 */
#ifndef SEXTANT_PROBLEM_H
#define SEXTANT_PROBLEM_H

#include "arena.h"
#include "i18n.h"
#include "str.h"

#include <stdint.h>

struct problem_error {
	const char *field;     /* field name, "body", a query parameter, or NULL */
	const char *code;      /* message code of the catalogue */
	const char *params[9]; /* up to four name, value pairs, NULL-terminated */
	int64_t row;           /* import: 1-based data row, 0 if none */
};

struct problem {
	struct arena *arena;
	int status; /* 0: no problem */
	const char *code;
	const char *params[9]; /* up to four name, value pairs, NULL-terminated */
	struct problem_error *errors;
	size_t n_errors, cap;
	/* Extra JSON members to add to the body (e.g. "current" for a 409), already encoded. */
	const char *extra;
};

void problem_init(struct problem *p, struct arena *a);
/* Set the overall status and code (keeps earlier field errors); returns -1. */
int problem_set(struct problem *p, int status, const char *code);
int problem_set1(struct problem *p, int status, const char *code, const char *name,
                 const char *value);
/* Add one field error (params: NULL-terminated name, value pairs; may be NULL). */
void problem_add(struct problem *p, const char *field, const char *code, const char *const *params);
void problem_add_row(struct problem *p, int64_t row, const char *field, const char *code,
                     const char *const *params);
void problem_render(const struct problem *p, enum lang lang, struct str *out);
/* The error entries alone, as a JSON array (the import report uses them). */
void problem_render_errors(const struct problem *p, enum lang lang, struct str *out);

#endif
