/*
 * The members of a request body that the engine's own operations share (a merge, a claim or
 * release, a handover, an erasure): problems name the member, in the request's problem.
 */
#ifndef SEXTANT_MEMBERS_H
#define SEXTANT_MEMBERS_H

#include "op.h"

#include <jansson.h>

#define REASON_MAX 500

/* Every member of body not among members (NULL-terminated) named as unknown_field. */
void members_check(struct op *op, const json_t *body, const char *const *members);

/* The body's "reason": text of at most REASON_MAX characters, required or not; a copy in op's
 * arena, or NULL (absent or empty, or a problem added). */
const char *member_reason(struct op *op, const json_t *body, bool required);

#endif
