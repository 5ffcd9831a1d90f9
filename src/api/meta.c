/* The metadata endpoints: read the model, and change it (administrators). */
#include "api.h"
#include "meta/custom.h"
#include "meta/metajson.h"
#include "meta/openapi.h"
#include "meta/audit.h"

#include <string.h>

void api_meta(struct req *r)
{
	struct str out = STR_INIT;
	meta_registry_json(&out, r->reg, &r->actor);
	resp_json(r, 200, &out);
}

void api_meta_entity(struct req *r)
{
	const struct entity *e = api_entity(r, r->captures[0]);
	if (!e)
		return;
	struct str out = STR_INIT;
	meta_entity_json(&out, e, &r->actor);
	resp_json(r, 200, &out);
}

void api_meta_field_create(struct req *r)
{
	struct op op;
	json_t *body;
	if (!api_begin(r, &op, NULL, &body))
		return;
	struct str out = STR_INIT;
	int status = custom_field_create(&op, body, &out);
	json_decref(body);
	api_answer(r, status, &out);
}

void api_meta_field_update(struct req *r)
{
	struct op op;
	json_t *body;
	if (!api_begin(r, &op, NULL, &body))
		return;
	struct str out = STR_INIT;
	int status = custom_field_update(&op, r->captures[1], body, &out);
	json_decref(body);
	api_answer(r, status, &out);
}

void api_meta_field_delete(struct req *r)
{
	struct op op;
	if (!api_begin(r, &op, NULL, NULL))
		return;
	struct str out = STR_INIT;
	api_answer(r, custom_field_delete(&op, r->captures[1]), &out);
}

void api_meta_field_options(struct req *r)
{
	struct op op;
	json_t *body;
	if (!api_begin(r, &op, NULL, &body))
		return;
	struct str out = STR_INIT;
	json_t *options = json_object_get(body, "options");
	int status;
	if (!json_is_array(options) || json_object_size(body) != 1) {
		problem_add(&r->problem, "options", "required", NULL);
		status = problem_set(&r->problem, 422, "validation_failed");
	} else {
		status = custom_field_options(&op, r->captures[1], options, &out);
	}
	json_decref(body);
	api_answer(r, status, &out);
}

void api_openapi(struct req *r)
{
	struct str out = STR_INIT;
	openapi_render(r->reg, &out);
	resp_json(r, 200, &out);
}

/* GET /api/v1/audit/export: the trail as CSV (itself audited: who took the trail away). */
void api_audit_export(struct req *r)
{
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	int status = audit_export_csv(&op, r->query, r->n_query, &out);
	if (status != 200) {
		api_answer(r, status, &out);
		return;
	}
	op.ip = req_ip(r);
	op.user_agent = req_user_agent(r);
	int rc = audit_write(&op, "export", "sys_audit", 0, NULL);
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "auditing an export");
		return;
	}
	resp_text(r, 200, "text/csv; charset=utf-8", &out);
	resp_header(r, "Content-Disposition", "attachment; filename=\"audit.csv\"");
}

void api_audit(struct req *r)
{
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	int status = audit_list(&op, r->query, r->n_query, &out);
	api_answer(r, status, &out);
}
