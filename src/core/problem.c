#include "problem.h"
#include "util.h"

#include <string.h>

void problem_init(struct problem *p, struct arena *a)
{
	memset(p, 0, sizeof *p);
	p->arena = a;
}

int problem_set(struct problem *p, int status, const char *code)
{
	p->status = status;
	p->code = code;
	memset(p->params, 0, sizeof p->params);
	return -1;
}

int problem_set1(struct problem *p, int status, const char *code, const char *name,
                 const char *value)
{
	problem_set(p, status, code);
	p->params[0] = name;
	p->params[1] = value;
	return -1;
}

void problem_add_row(struct problem *p, int64_t row, const char *field, const char *code,
                     const char *const *params)
{
	if (p->n_errors == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct problem_error *e = ARENA_NEW_ARRAY(p->arena, struct problem_error, cap);
		if (p->n_errors)
			memcpy(e, p->errors, p->n_errors * sizeof *e);
		p->errors = e;
		p->cap = cap;
	}
	struct problem_error *e = &p->errors[p->n_errors++];
	memset(e, 0, sizeof *e);
	e->field = field ? arena_strdup(p->arena, field) : NULL;
	e->code = code;
	e->row = row;
	/* Copied: callers may pass text from shorter-lived memory (an import's row arena). */
	for (size_t i = 0; params && params[i] && i + 2 < ARRAY_SIZE(e->params); i += 2) {
		e->params[i] = arena_strdup(p->arena, params[i]);
		e->params[i + 1] = arena_strdup(p->arena, params[i + 1] ? params[i + 1] : "");
	}
}

void problem_add(struct problem *p, const char *field, const char *code, const char *const *params)
{
	problem_add_row(p, 0, field, code, params);
}

void problem_render_errors(const struct problem *p, enum lang lang, struct str *out)
{
	str_addc(out, '[');
	for (size_t i = 0; i < p->n_errors; i++) {
		const struct problem_error *e = &p->errors[i];
		if (i)
			str_addc(out, ',');
		str_addc(out, '{');
		if (e->row) {
			str_adds(out, "\"row\":");
			str_add_int(out, e->row);
			str_addc(out, ',');
		}
		str_adds(out, "\"field\":");
		if (e->field)
			str_add_jsons(out, e->field);
		else
			str_adds(out, "null");
		str_adds(out, ",\"code\":");
		str_add_jsons(out, e->code);
		str_adds(out, ",\"message\":");
		str_add_jsons(out, i18n_message(p->arena, lang, e->code, e->params));
		str_addc(out, '}');
	}
	str_addc(out, ']');
}

void problem_render(const struct problem *p, enum lang lang, struct str *out)
{
	const char *code = p->code ? p->code : "bad_request";
	str_adds(out, "{\"type\":");
	str_addf(out, "\"urn:sextant:problem:%s\"", code);
	str_adds(out, ",\"title\":");
	str_add_jsons(out, i18n_message(p->arena, lang, code, p->params));
	str_adds(out, ",\"status\":");
	str_add_int(out, p->status);
	str_adds(out, ",\"code\":");
	str_add_jsons(out, code);
	if (p->n_errors) {
		/* The detail names the first bad field, for clients that show one line. */
		const struct problem_error *e = &p->errors[0];
		str_adds(out, ",\"detail\":");
		const char *msg = i18n_message(p->arena, lang, e->code, e->params);
		str_add_jsons(out,
		              e->field ? arena_printf(p->arena, "%s: %s", e->field, msg) : msg);
		str_adds(out, ",\"errors\":");
		problem_render_errors(p, lang, out);
	}
	if (p->extra) {
		str_addc(out, ',');
		str_adds(out, p->extra);
	}
	str_addc(out, '}');
}
