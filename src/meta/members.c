#include "members.h"
#include "core/text.h"
#include "core/util.h"

void members_check(struct op *op, const json_t *body, const char *const *members)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)body, k, v)
	{
		if (!str_in_list(k, members))
			problem_add(op->problem, arena_strdup(op->arena, k), "unknown_field", NULL);
	}
}

const char *member_reason(struct op *op, const json_t *body, bool required)
{
	json_t *v = json_object_get(body, "reason");
	if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v))) {
		if (required)
			problem_add(op->problem, "reason", "required", NULL);
		return NULL;
	}
	if (!json_is_string(v)) {
		problem_add(op->problem, "reason", "invalid_type",
		            (const char *[]){"expected", "string", NULL});
		return NULL;
	}
	if (utf8_length(json_string_value(v), json_string_length(v)) > REASON_MAX) {
		problem_add(op->problem, "reason", "too_long",
		            (const char *[]){"max", "500", NULL});
		return NULL;
	}
	return arena_strdup(op->arena, json_string_value(v));
}
