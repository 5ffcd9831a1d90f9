#include "api.h"
#include "meta/audit.h"
#include "meta/crud.h"
#include "core/text.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "services/templates.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const struct entity *api_entity(struct req *r, const char *name)
{
	const struct entity *e = r->reg ? registry_entity(r->reg, name) : NULL;
	if (!e)
		resp_error(r, 404, "not_found");
	return e;
}

bool api_id(struct req *r, const char *s, int64_t *id)
{
	if (!parse_int64(s, strlen(s), id) || *id <= 0) {
		resp_error(r, 404, "not_found");
		return false;
	}
	return true;
}

json_t *api_json_body(struct req *r)
{
	if (!utf8_valid(r->body.buf, r->body.len)) {
		problem_add(&r->problem, "body", "invalid_utf8", NULL);
		resp_error(r, 400, "bad_request");
		return NULL;
	}
	json_error_t err;
	json_t *j = json_loadb(r->body.buf, r->body.len, JSON_REJECT_DUPLICATES, &err);
	if (!j) {
		const char *p[] = {"line",   arena_printf(&r->arena, "%d", err.line),
		                   "column", arena_printf(&r->arena, "%d", err.column),
		                   "detail", arena_strdup(&r->arena, err.text),
		                   NULL};
		problem_add(&r->problem, "body", "invalid_json", p);
		resp_error(r, 400, "bad_request");
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		const char *p[] = {"expected", "object", NULL};
		problem_add(&r->problem, "body", "invalid_type", p);
		resp_error(r, 400, "bad_request");
		return NULL;
	}
	return j;
}

int64_t api_if_match(struct req *r)
{
	const char *h = req_header(r, "If-Match");
	if (!h)
		return -1;
	const char *p = h;
	if (strncmp(p, "W/", 2) == 0)
		p += 2;
	size_t n = strlen(p);
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"') {
		p++;
		n -= 2;
	}
	int64_t v;
	if (!parse_int64(p, n, &v) || v < 1) {
		problem_add(&r->problem, "If-Match", "precondition_failed", NULL);
		resp_error(r, 400, "bad_request");
		return -2;
	}
	return v;
}

bool api_begin(struct req *r, struct op *op, int64_t *id, json_t **body)
{
	const struct entity *e = api_entity(r, r->captures[0]);
	if (!e || (id && !api_id(r, r->captures[1], id)))
		return false;
	if (body && !(*body = api_json_body(r)))
		return false;
	req_op(r, e, op);
	return true;
}

void api_etag(struct req *r, int64_t version)
{
	char tag[32];
	snprintf(tag, sizeof tag, "\"%lld\"", (long long)version);
	resp_header(r, "ETag", tag);
}

void api_answer(struct req *r, int status, struct str *body)
{
	if (status == -2) {
		str_release(body);
		resp_fault(r, r->route->name);
		return;
	}
	if (status < 0) {
		str_release(body);
		resp_problem(r);
		return;
	}
	if (status == 204) {
		str_release(body);
		resp_empty(r, 204);
		return;
	}
	resp_json(r, status, body);
}

void api_db_failure(struct req *r, int rc, const char *what)
{
	struct op op;
	req_op(r, NULL, &op);
	struct str none = STR_INIT;
	api_answer(r, crud_db_error(&op, rc, what), &none);
}

int api_audit_access(struct req *r, int64_t actor, const char *action, int64_t user,
                     const char *changes)
{
	struct op op;
	req_op(r, NULL, &op);
	op.user_id = actor;
	return audit_write(&op, action, "users", user, changes);
}

void api_forget_body(struct req *r)
{
	if (r->body.buf)
		sodium_memzero(r->body.buf, r->body.len);
}

int api_audit_read(struct req *r, struct op *op, const char *action, int64_t record_id)
{
	struct str c = STR_INIT;
	str_adds(&c, "{\"query\":{");
	for (size_t i = 0; i < r->n_query; i++) {
		if (i)
			str_addc(&c, ',');
		str_add_jsons(&c, storable_text(&r->arena, r->query[i].key, 100));
		str_addc(&c, ':');
		str_add_jsons(&c, storable_text(&r->arena, r->query[i].value, 500));
	}
	str_adds(&c, "}}");
	/* A read carries no where-from of its own (req_op takes it for writes only). */
	op->ip = req_ip(r);
	op->user_agent = req_user_agent(r);
	int rc = audit_write(op, action, op->e->name, record_id, c.buf);
	str_release(&c);
	return rc;
}

void api_answer_data(struct req *r, int rc, struct str *out, const char *what)
{
	if (rc) {
		str_release(out);
		api_db_failure(r, rc, what);
		return;
	}
	str_addc(out, '}');
	resp_json(r, 200, out);
}

const char *const api_bool_options[] = {"true", "false", NULL};

bool api_page_params(struct req *r, const struct page_filter *filters, const char **values,
                     int64_t *limit, int64_t *cursor)
{
	*limit = 50;
	*cursor = 0;
	for (size_t k = 0; filters && filters[k].name; k++)
		values[k] = NULL;
	for (size_t i = 0; i < r->n_query; i++) {
		const char *key = r->query[i].key, *v = r->query[i].value;
		if (str_eq(key, "limit")) {
			if (!parse_int64(v, strlen(v), limit) || *limit < 1 || *limit > 200)
				problem_add(&r->problem, "limit", "out_of_range",
				            (const char *[]){"min", "1", "max", "200", NULL});
			continue;
		}
		if (str_eq(key, "cursor")) {
			if (!parse_int64(v, strlen(v), cursor) || *cursor < 1)
				problem_add(&r->problem, "cursor", "invalid_cursor", NULL);
			continue;
		}
		size_t k = 0;
		while (filters && filters[k].name && !str_eq(filters[k].name, key))
			k++;
		if (!filters || !filters[k].name)
			problem_add(&r->problem, key, "unknown_parameter", NULL);
		else if (filters[k].options && !str_in_list(v, filters[k].options))
			problem_add(&r->problem, key, "invalid_option",
			            (const char *[]){"value", v, NULL});
		else
			values[k] = v;
	}
	if (r->problem.n_errors) {
		resp_error(r, 400, "bad_request");
		return false;
	}
	return true;
}

void api_answer_list(struct req *r, int rc, struct db_stmt *st, const char *spec, api_row_fn row,
                     int64_t limit, struct str *out, const char *what)
{
	int64_t n = 0, last = 0;
	if (!rc) {
		while ((rc = db_step(st)) == DB_ROW) {
			if (n++)
				str_addc(out, ',');
			if (row)
				row(r, st, out);
			else
				json_add_row(out, st, spec);
			last = db_column_int(st, 0);
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	if (rc) {
		str_release(out);
		api_db_failure(r, rc, what);
		return;
	}
	str_adds(out, "],\"next_cursor\":");
	if (n == limit && last > 0)
		str_addf(out, "\"%lld\"", (long long)last);
	else
		str_adds(out, "null");
	str_addc(out, '}');
	resp_json(r, 200, out);
}

void api_answer_row(struct req *r, int status, const char *sql, int64_t id, const char *spec,
                    api_row_fn row, const char *what)
{
	struct db_stmt *st;
	struct str out = STR_INIT;
	int rc = db_prepare(r->db, sql, &st);
	if (!rc) {
		db_bind_int(st, 1, id);
		if ((rc = db_step(st)) == DB_ROW) {
			if (row)
				row(r, st, &out);
			else
				json_add_row(&out, st, spec);
			rc = DB_OK;
		}
		db_reset(st);
	}
	if (rc == DB_DONE) {
		resp_error(r, 404, "not_found");
	} else if (rc) {
		str_release(&out);
		api_db_failure(r, rc, what);
	} else {
		resp_json(r, status, &out);
	}
}

void api_page_open(struct req *r, struct str *out, const char *heading, const char *text,
                   const char *css)
{
	str_adds(out, "<!DOCTYPE html><html lang=\"");
	str_adds(out, r->lang == LANG_EN ? "en" : "zh-CN");
	str_adds(out, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
	              "content=\"width=device-width,initial-scale=1\"><title>");
	template_escape_html(out, heading);
	str_adds(out, "</title><style>body{font-family:sans-serif;max-width:560px;margin:2em "
	              "auto;padding:0 1em;color:#303133}button{font-size:1em}.err{color:#f56c6c}");
	str_adds(out, css);
	str_adds(out, "</style></head><body><h1>");
	template_escape_html(out, heading);
	str_adds(out, "</h1><p>");
	template_escape_html(out, text);
	str_adds(out, "</p>");
}

void api_page_send(struct req *r, int status, struct str *out)
{
	str_adds(out, "</body></html>");
	resp_text(r, status, "text/html; charset=utf-8", out);
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "Content-Security-Policy",
	            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
	            "frame-ancestors 'none'");
}
