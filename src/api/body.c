#include "body.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "api.h"
#include "core/text.h"

#include <stdio.h>
#include <string.h>

void body_allow(struct req *r, json_t *body, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v) if (!str_in_list(key, allowed))
	    problem_add(&r->problem, arena_strdup(&r->arena, key), "unknown_field", NULL);
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

enum body_member body_time(struct req *r, json_t *body, const char *name, bool required,
                           const char **iso, int64_t *ms)
{
	const char *s = NULL;
	*iso = NULL;
	enum body_member got = body_text(r, body, name, 40, required, &s);
	if (got != BM_VALUE)
		return got;
	if (!time_parse_datetime(s, strlen(s), ms)) {
		problem_add(&r->problem, name, "invalid_datetime", NULL);
		return BM_BAD;
	}
	char *out = arena_alloc(&r->arena, TIME_ISO_LEN);
	time_format_iso(*ms, out);
	*iso = out;
	return BM_VALUE;
}

bool body_checked(struct req *r, json_t *body)
{
	json_decref(body);
	if (!r->problem.n_errors)
		return true;
	resp_error(r, 422, "validation_failed");
	return false;
}

void body_answer_done(struct req *r, int rc, const char *what)
{
	if (rc)
		body_answer_db(r, rc, NULL, NULL, what);
	else
		resp_empty(r, 204);
}

void body_answer_db(struct req *r, int rc, const char *conflict_field, const char *ref_field,
                    const char *what)
{
	switch (rc) {
	case DB_DONE:
		resp_error(r, 404, "not_found");
		return;
	case DB_ECONSTRAINT:
		/* The layer below named what stands in the way; else a unique value is taken. */
		if (conflict_field && !r->problem.n_errors)
			problem_add(&r->problem, conflict_field, "duplicate", NULL);
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

static int hex_digit(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* One form component: '+' is a space, %XX a byte. NULL if an escape is broken. */
static char *form_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[k++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n)
				return NULL;
			int h = hex_digit(s[i + 1]), l = hex_digit(s[i + 2]);
			if (h < 0 || l < 0)
				return NULL;
			out[k++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return utf8_valid(out, k) && strlen(out) == k ? out : NULL;
}

bool body_form(struct req *r, struct kv **out, size_t *n)
{
	const char *s = r->body.buf ? r->body.buf : "";
	size_t len = r->body.len, cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += s[i] == '&';
	*out = ARENA_NEW_ARRAY(&r->arena, struct kv, cap);
	*n = 0;
	for (size_t i = 0; i < len;) {
		const char *amp = memchr(s + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - s) : len;
		if (end > i) {
			const char *eq = memchr(s + i, '=', end - i);
			size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
			char *k = form_decode(&r->arena, s + i, klen);
			char *v = eq ? form_decode(&r->arena, eq + 1, end - i - klen - 1)
			             : arena_strdup(&r->arena, "");
			if (!k || !v || kv_get(*out, *n, k))
				return false;
			(*out)[(*n)++] = (struct kv){.key = k, .value = v};
		}
		i = end + 1;
	}
	return true;
}

const char *kv_get(const struct kv *kv, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	return NULL;
}
