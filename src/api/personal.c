/* A contact's personal data on request (modules/personal.h): the export and the erasure; how
 * close the company is to them (modules/closeness.h); a contact plan's progress. */
#include "api.h"
#include "modules/closeness.h"
#include "modules/personal.h"
#include "modules/plans.h"

#include <stdio.h>

/* The start of a route /api/v1/<entity>/{id}/…: the entity, the record's id and the operation.
 * False after answering (404). */
static bool record_route(struct req *r, const char *entity, struct op *op, int64_t *id)
{
	const struct entity *e = api_entity(r, entity);
	if (!e || !api_id(r, r->captures[0], id))
		return false;
	req_op(r, e, op);
	return true;
}

void api_personal_export(struct req *r)
{
	struct op op;
	int64_t id;
	if (!record_route(r, "contacts", &op, &id))
		return;
	/* A read worth recording: where it came from goes into the audit trail. */
	op.ip = req_ip(r);
	op.user_agent = req_user_agent(r);
	struct str out = STR_INIT;
	int status = personal_export(&op, id, &out);
	api_answer(r, status, &out);
	if (status == 200) {
		/* On the response made: a download (every API answer is no-store already). */
		char disp[96];
		snprintf(disp, sizeof disp,
		         "attachment; filename=\"contact-%lld-personal-data.json\"", (long long)id);
		resp_header(r, "Content-Disposition", disp);
	}
}

void api_personal_erase(struct req *r)
{
	struct op op;
	int64_t id;
	json_t *body;
	if (!record_route(r, "contacts", &op, &id) || !(body = api_json_body(r)))
		return;
	struct str out = STR_INIT;
	int status = personal_erase(&op, id, body, &out);
	json_decref(body);
	api_answer(r, status, &out);
}

void api_contact_closeness(struct req *r)
{
	struct op op;
	int64_t id;
	if (!record_route(r, "contacts", &op, &id))
		return;
	struct str out = STR_INIT;
	api_answer(r, contact_closeness(&op, id, &out), &out);
}

void api_plan_progress(struct req *r)
{
	struct op op;
	int64_t id;
	if (!record_route(r, "contact_plans", &op, &id))
		return;
	struct str out = STR_INIT;
	api_answer(r, plans_progress(&op, id, &out), &out);
}
