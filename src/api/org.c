/* The organisation tree: everyone reads it (pickers, scopes); administrators change it. */
#include "api.h"
#include "body.h"
#include "auth/org.h"

#include <stdio.h>
#include <string.h>

void api_org_list(struct req *r)
{
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":");
	api_answer_data(r, org_list_json(r->db, &out), &out, "listing the organisation");
}

/* The members of a create or change; false after answering a 422. */
static bool read_change(struct req *r, json_t *body, bool create, struct org_change *c)
{
	static const char *const allowed[] = {"name", "kind", "parent_id", "head_user_id", NULL};
	body_allow(r, body, allowed);
	memset(c, 0, sizeof *c);
	c->kind = -1;
	body_text(r, body, "name", ORG_NAME_MAX, create, &c->name);
	const char *kind = NULL;
	if (body_text(r, body, "kind", 20, create, &kind) == BM_VALUE &&
	    (c->kind = org_kind_parse(kind)) < 0)
		problem_add(&r->problem, "kind", "invalid_option",
		            (const char *[]){"value", kind, NULL});
	enum body_member m = body_id(r, body, "parent_id", false, &c->parent_id);
	c->set_parent = m == BM_VALUE || m == BM_NULL;
	m = body_id(r, body, "head_user_id", false, &c->head_user_id);
	c->set_head = m == BM_VALUE || m == BM_NULL;
	if (r->problem.n_errors) {
		resp_error(r, 422, "validation_failed");
		return false;
	}
	return true;
}

void api_org_create(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	struct org_change c;
	bool ok = read_change(r, body, true, &c);
	json_decref(body);
	if (!ok)
		return;
	struct op op;
	req_op(r, NULL, &op);
	int64_t id = 0;
	int rc = org_unit_create(&op, &c, &id);
	if (rc) {
		body_answer_db(r, rc, c.parent_id ? "name" : "parent_id", "parent_id",
		               "adding a unit");
		return;
	}
	struct str out = STR_INIT;
	str_addf(&out, "{\"id\":%lld}", (long long)id);
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/org-units/%lld", (long long)id);
	resp_json(r, 201, &out);
	resp_header(r, "Location", loc);
}

void api_org_update(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	json_t *body = api_json_body(r);
	if (!body)
		return;
	struct org_change c;
	bool ok = read_change(r, body, false, &c);
	json_decref(body);
	if (!ok)
		return;
	struct op op;
	req_op(r, NULL, &op);
	int rc = org_unit_update(&op, id, &c);
	if (rc) {
		body_answer_db(r, rc, c.set_parent ? "parent_id" : "name", "parent_id",
		               "changing a unit");
		return;
	}
	resp_empty(r, 204);
}

void api_org_delete(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	struct op op;
	req_op(r, NULL, &op);
	int rc = org_unit_delete(&op, id);
	if (rc)
		body_answer_db(r, rc, "id", NULL, "deleting a unit");
	else
		resp_empty(r, 204);
}
