/*
 * Reading the members of a JSON request body for the endpoints outside the generic engine
 * (administration, sharing): every problem is added to the request's problem, naming the member,
 * so a handler checks everything and answers once.
 */
#ifndef SEXTANT_API_BODY_H
#define SEXTANT_API_BODY_H

#include "http/http.h"

#include <jansson.h>

/* Members not named in allowed (NULL-terminated) are unknown_field problems. */
void body_allow(struct req *r, json_t *body, const char *const *allowed);

/* What a member held. */
enum body_member { BM_ABSENT, BM_NULL, BM_VALUE, BM_BAD };

/*
 * A text member of at most max characters (copied into the request's arena); blank text counts
 * as null. A required member that is absent or null is a problem.
 */
enum body_member body_text(struct req *r, json_t *body, const char *name, size_t max, bool required,
                           const char **out);
/* A positive integer id. */
enum body_member body_id(struct req *r, json_t *body, const char *name, bool required,
                         int64_t *out);
/* A date-time (RFC 3339): *iso its stored form (in the request's arena), *ms the time. */
enum body_member body_time(struct req *r, json_t *body, const char *name, bool required,
                           const char **iso, int64_t *ms);
/* A boolean. */
enum body_member body_bool(struct req *r, json_t *body, const char *name, bool *out);

/*
 * An application/x-www-form-urlencoded body as parameters (decoded, in the request's arena);
 * false if it is not well-formed (a bad escape, invalid UTF-8) or names a parameter twice.
 */
bool body_form(struct req *r, struct kv **out, size_t *n);
/* A parameter's value, or NULL. */
const char *kv_get(const struct kv *kv, size_t n, const char *key);

/* Answer a change that has no body to return: 204, or its failure as body_answer_db does. */
void body_answer_done(struct req *r, int rc, const char *what);
/* The body read: released; false (after a 422 naming every problem) when something was wrong. */
bool body_checked(struct req *r, json_t *body);
/* Answer a database result of an administrative change: 404, 409, 422 naming field, 503… */
void body_answer_db(struct req *r, int rc, const char *conflict_field, const char *ref_field,
                    const char *what);

#endif
