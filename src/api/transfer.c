/* Export and import endpoints. */
#include "api.h"
#include "meta/access.h"
#include "meta/audit.h"
#include "meta/crud.h"
#include "meta/transfer.h"

#include <stdio.h>
#include <string.h>

static const char *const export_params[] = {"format", "header", NULL};

void api_entity_export(struct req *r)
{
	const struct entity *e = api_entity(r, r->captures[0]);
	if (!e)
		return;
	const char *format = req_query(r, "format"), *header = req_query(r, "header");
	enum export_format f = EXPORT_CSV;
	if (format && strcmp(format, "xlsx") == 0)
		f = EXPORT_XLSX;
	else if (format && strcmp(format, "csv") != 0)
		problem_add(&r->problem, "format", "invalid_option",
		            (const char *[]){"value", format, NULL});
	bool names = false;
	if (header && strcmp(header, "names") == 0)
		names = true;
	else if (header && strcmp(header, "labels") != 0)
		problem_add(&r->problem, "header", "invalid_option",
		            (const char *[]){"value", header, NULL});
	/* The query lives in the request arena: it outlives the streamed response. */
	struct op *op = ARENA_NEW(&r->arena, struct op);
	req_op(r, e, op);
	struct list_query *q = ARENA_NEW(&r->arena, struct list_query);
	if (r->problem.n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	if (access_scope(op, ACT_EXPORT) == SCOPE_NONE) {
		resp_error(r, 403, "forbidden");
		return;
	}
	if (list_parse(op, r->query, r->n_query, export_params, q)) {
		resp_problem(r);
		return;
	}
	q->act = ACT_EXPORT;
	/* Who took which records out of the system, before a byte of them leaves. */
	int rc = api_audit_read(r, op, "export", 0);
	if (rc) {
		api_db_failure(r, rc, "auditing an export");
		return;
	}
	bool fault;
	struct MHD_Response *resp = export_response(op, q, f, names, &fault);
	if (!resp) {
		if (fault)
			resp_fault(r, "export");
		else
			resp_problem(r);
		return;
	}
	resp_set(r, 200, resp);
	char disp[256];
	snprintf(disp, sizeof disp, "attachment; filename=\"%s.%s\"", e->name,
	         f == EXPORT_XLSX ? "xlsx" : "csv");
	resp_header(r, "Content-Disposition", disp);
	resp_header(r, "Content-Type",
	            f == EXPORT_XLSX
	                ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	                : "text/csv; charset=utf-8");
	resp_header(r, "Cache-Control", "no-store");
	resp_header(r, "X-Request-Id", r->request_id);
}

void api_entity_import(struct req *r)
{
	const struct entity *e = api_entity(r, r->captures[0]);
	if (!e)
		return;
	const char *ct = req_header(r, "Content-Type");
	if (!ct || (strncasecmp(ct, "text/csv", 8) != 0 &&
	            strncasecmp(ct, "application/octet-stream", 24) != 0)) {
		problem_set1(&r->problem, 415, "unsupported_media_type", "expected", "text/csv");
		resp_problem(r);
		return;
	}
	struct import_options o = {.max_bytes = (size_t)http_config->import_limit};
	for (size_t i = 0; i < r->n_query; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;
		if (strcmp(k, "dry_run") == 0) {
			if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
				o.dry_run = true;
			else if (strcmp(v, "false") && strcmp(v, "0"))
				problem_add(&r->problem, k, "invalid_bool", NULL);
		} else if (strcmp(k, "mapping") == 0) {
			o.mapping = v;
		} else {
			problem_add(&r->problem, k, "unknown_parameter", NULL);
		}
	}
	if (r->problem.n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	struct op op;
	req_op(r, e, &op);
	struct str out = STR_INIT;
	api_answer(r, import_csv(&op, r->body_fd, &o, &out), &out);
}
