/* A contact's personal data on request (modules/personal.h): the export and the erasure; and
 * how close the company is to them (modules/closeness.h). */
#include "api.h"
#include "modules/closeness.h"
#include "modules/personal.h"
#include "modules/plans.h"

#include <stdio.h>

void api_personal_export(struct req *r)
{
	const struct entity *e = api_entity(r, "contacts");
	int64_t id;
	if (!e || !api_id(r, r->captures[0], &id))
		return;
	struct op op;
	req_op(r, e, &op);
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
	const struct entity *e = api_entity(r, "contacts");
	int64_t id;
	if (!e || !api_id(r, r->captures[0], &id))
		return;
	json_t *body = api_json_body(r);
	if (!body)
		return;
	struct op op;
	req_op(r, e, &op);
	struct str out = STR_INIT;
	int status = personal_erase(&op, id, body, &out);
	json_decref(body);
	api_answer(r, status, &out);
}

void api_contact_closeness(struct req *r)
{
	const struct entity *e = api_entity(r, "contacts");
	int64_t id;
	if (!e || !api_id(r, r->captures[0], &id))
		return;
	struct op op;
	req_op(r, e, &op);
	struct str out = STR_INIT;
	api_answer(r, contact_closeness(&op, id, &out), &out);
}

void api_plan_progress(struct req *r)
{
	const struct entity *e = api_entity(r, "contact_plans");
	int64_t id;
	if (!e || !api_id(r, r->captures[0], &id))
		return;
	struct op op;
	req_op(r, e, &op);
	struct str out = STR_INIT;
	api_answer(r, plans_progress(&op, id, &out), &out);
}
