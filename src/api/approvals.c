/* Approvals (meta/approval.h): a record's approval trail, the caller's approval tasks, deciding
 * one, and withdrawing one's own. */
#include "api.h"
#include "body.h"
#include "core/util.h"
#include "meta/access.h"
#include "meta/approval.h"

void api_record_approvals(struct req *r)
{
	struct op op;
	int64_t id;
	if (!api_begin(r, &op, &id, NULL))
		return;
	int rc = access_find_record(&op, ACT_READ, id);
	if (rc) {
		if (rc == DB_DONE)
			resp_error(r, 404, "not_found");
		else
			api_db_failure(r, rc, "reading approvals");
		return;
	}
	struct str out = STR_INIT;
	api_answer(r, approvals_of_record_json(&op, id, &out), &out);
}

void api_approval_tasks(struct req *r)
{
	static const char *const states[] = {"pending", "decided", NULL};
	static const struct page_filter filters[] = {{"state", states}, {0}};
	const char *v[1];
	int64_t limit, cursor;
	if (!api_page_params(r, filters, v, &limit, &cursor))
		return;
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	api_answer(r, approval_tasks_json(&op, !v[0] || str_eq(v[0], "pending"), &out), &out);
}

/* The comment of a decision (required to reject: the submitter is told why). */
static bool read_comment(struct req *r, bool required, const char **comment)
{
	json_t *body = api_json_body(r);
	if (!body)
		return false;
	body_allow(r, body, (const char *[]){"comment", NULL});
	body_text(r, body, "comment", 2000, required, comment);
	return body_checked(r, body);
}

static void decide(struct req *r, bool approve)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	const char *comment = NULL;
	if (!read_comment(r, !approve, &comment))
		return;
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	api_answer(r, approval_decide(&op, id, approve, comment, &out), &out);
}

void api_approval_task_approve(struct req *r)
{
	decide(r, true);
}

void api_approval_task_reject(struct req *r)
{
	decide(r, false);
}

void api_approval_withdraw(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	const char *comment = NULL;
	if (!read_comment(r, false, &comment))
		return;
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	api_answer(r, approval_withdraw(&op, id, comment, &out), &out);
}
