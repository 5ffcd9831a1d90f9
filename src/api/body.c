#include "body.h"
#include "api.h"
#include "core/text.h"

#include <stdio.h>
#include <string.h>

void body_allow(struct req *r, json_t *body, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, key) == 0;
		if (!ok)
			problem_add(&r->problem, arena_strdup(&r->arena, key), "unknown_field",
			            NULL);
	}
}

enum body_member body_text(struct req *r, json_t *body, const char *name, size_t max, bool required,
                           const char **out)
{
	json_t *v = json_object_get(body, name);
	*out = NULL;
	const char *s = json_string_value(v);
	if (v && !json_is_null(v) && !s) {
		problem_add(&r->problem, name, "invalid_type", NULL);
		return BM_BAD;
	}
	if (!v || !s || s[strspn(s, " \t\r\n")] == '\0') {
		if (required)
			problem_add(&r->problem, name, "required", NULL);
		return required ? BM_BAD : v ? BM_NULL : BM_ABSENT;
	}
	if (utf8_length(s, strlen(s)) > max) {
		char m[24];
		snprintf(m, sizeof m, "%zu", max);
		problem_add(&r->problem, name, "too_long",
		            (const char *[]){"max", arena_strdup(&r->arena, m), NULL});
		return BM_BAD;
	}
	*out = arena_strdup(&r->arena, s);
	return BM_VALUE;
}

enum body_member body_id(struct req *r, json_t *body, const char *name, bool required, int64_t *out)
{
	json_t *v = json_object_get(body, name);
	*out = 0;
	if (!v || json_is_null(v)) {
		if (required) {
			problem_add(&r->problem, name, "required", NULL);
			return BM_BAD;
		}
		return v ? BM_NULL : BM_ABSENT;
	}
	if (!json_is_integer(v) || json_integer_value(v) <= 0) {
		problem_add(&r->problem, name, "invalid_id", NULL);
		return BM_BAD;
	}
	*out = json_integer_value(v);
	return BM_VALUE;
}

enum body_member body_bool(struct req *r, json_t *body, const char *name, bool *out)
{
	json_t *v = json_object_get(body, name);
	if (!v)
		return BM_ABSENT;
	if (!json_is_boolean(v)) {
		problem_add(&r->problem, name, "invalid_bool", NULL);
		return BM_BAD;
	}
	*out = json_is_true(v);
	return BM_VALUE;
}

void body_answer_db(struct req *r, int rc, const char *conflict_field, const char *ref_field,
                    const char *what)
{
	switch (rc) {
	case DB_DONE:
		resp_error(r, 404, "not_found");
		return;
	case DB_ECONSTRAINT:
		if (conflict_field)
			problem_add(&r->problem, conflict_field, "conflict", NULL);
		resp_error(r, 409, "conflict");
		return;
	case DB_EFOREIGN:
		if (ref_field)
			problem_add(&r->problem, ref_field, "reference_not_found", NULL);
		resp_error(r, 422, "reference_not_found");
		return;
	default:
		api_db_failure(r, rc, what);
	}
}
