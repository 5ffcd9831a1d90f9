/*
 * Processes (meta/process.h, meta/transition.h): administrators read and write the definitions;
 * everyone who may read a record sees its state, the transitions open to them and its history,
 * and fires a transition.
 */
#include "api.h"
#include "body.h"
#include "core/util.h"
#include "meta/process_store.h"
#include "meta/transition.h"

void api_processes_list(struct req *r)
{
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	api_answer(r, process_list_json(&op, &out), &out);
}

void api_process_get(struct req *r)
{
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	api_answer(r, process_get_json(&op, r->captures[0], &out), &out);
}

void api_process_put(struct req *r)
{
	json_t *def = api_json_body(r);
	if (!def)
		return;
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	int status = process_store(&op, r->captures[0], def, &out);
	json_decref(def);
	api_answer(r, status, &out);
}

void api_process_delete(struct req *r)
{
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	api_answer(r, process_remove(&op, r->captures[0]), &out);
}

void api_record_process(struct req *r)
{
	struct op op;
	int64_t id;
	if (!api_begin(r, &op, &id, NULL))
		return;
	struct str out = STR_INIT;
	api_answer(r, process_state_json(&op, id, &out), &out);
}

/* POST …/{id}/transitions/{key} {"fields":{…},"comment":"…"} */
void api_record_transition(struct req *r)
{
	struct op op;
	int64_t id;
	json_t *body;
	if (!api_begin(r, &op, &id, &body))
		return;
	int64_t if_match = api_if_match(r);
	if (if_match == -2) {
		json_decref(body);
		return;
	}
	body_allow(r, body, (const char *[]){"fields", "comment", NULL});
	json_t *fields = json_object_get(body, "fields");
	if (fields && !json_is_object(fields))
		problem_add(&r->problem, "fields", "invalid_type",
		            (const char *[]){"expected", "object", NULL});
	const char *comment = NULL;
	body_text(r, body, "comment", 2000, false, &comment);
	if (r->problem.n_errors) {
		json_decref(body);
		resp_error(r, 422, "validation_failed");
		return;
	}
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = op.e->process ? process_fire(&op, id, r->captures[2], fields, comment,
	                                          if_match, &out, &res)
	                           : problem_set(&r->problem, 404, "not_found");
	json_decref(body);
	if (status == 200)
		api_etag(r, res.version);
	api_answer(r, status, &out);
}
