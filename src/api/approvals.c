/* Approvals (meta/approval.h): a record's approval trail, the caller's approval tasks, deciding
 * one, and withdrawing one's own. */
#include "api.h"
#include "body.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
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

/* The caller's delegation while away: their approvals go to the delegate between the two
 * times. One at a time; a new one replaces it. */
void api_delegation_get(struct req *r)
{
	struct db_stmt *st;
	struct str out = STR_INIT;
	int rc =
	    db_prepare(r->db,
	               "SELECT d.delegate_id, COALESCE(u.display_name, u.username), d.starts_at, "
	               "d.ends_at, d.note FROM delegations d JOIN users u ON u.id = "
	               "d.delegate_id WHERE d.user_id = ?",
	               &st);
	if (!rc) {
		db_bind_int(st, 1, r->session.user_id);
		if ((rc = db_step(st)) == DB_ROW)
			json_add_row(&out, st,
			             "idelegate_id,tdelegate_name,Tstarts_at,Tends_at,tnote");
		else
			str_adds(&out, "null");
		db_reset(st);
		rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	}
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "reading a delegation");
		return;
	}
	struct str wrapped = STR_INIT;
	str_adds(&wrapped, "{\"delegation\":");
	str_add(&wrapped, out.buf, out.len);
	str_addc(&wrapped, '}');
	str_release(&out);
	resp_json(r, 200, &wrapped);
}

void api_delegation_put(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	body_allow(r, body, (const char *[]){"delegate_id", "starts_at", "ends_at", "note", NULL});
	int64_t delegate = 0, from_ms = time_now_ms(), to_ms = 0;
	const char *from = NULL, *to = NULL, *note = NULL;
	body_id(r, body, "delegate_id", true, &delegate);
	body_time(r, body, "starts_at", false, &from, &from_ms);
	body_time(r, body, "ends_at", true, &to, &to_ms);
	body_text(r, body, "note", 200, false, &note);
	if (to && to_ms <= from_ms)
		problem_add(&r->problem, "ends_at", "out_of_range", NULL);
	char did[24];
	snprintf(did, sizeof did, "%lld", (long long)delegate);
	int64_t live = 0;
	int rc = delegate ? db_query_int(r->db,
	                                 "SELECT count(*) FROM users WHERE id = ? AND NOT disabled",
	                                 1, (const char *[]){did}, &live)
	                  : DB_OK;
	if (!rc && delegate && (!live || delegate == r->session.user_id))
		problem_add(&r->problem, "delegate_id", "invalid_value", NULL);
	if (rc) {
		json_decref(body);
		api_db_failure(r, rc, "checking a delegate");
		return;
	}
	if (!body_checked(r, body))
		return;
	char uid[24], start[TIME_ISO_LEN], end[TIME_ISO_LEN], now[TIME_ISO_LEN];
	snprintf(uid, sizeof uid, "%lld", (long long)r->session.user_id);
	time_format_iso(from_ms, start);
	time_format_iso(to_ms, end);
	time_now_iso(now);
	const char *p[] = {uid, did, start, end, note, now};
	rc = db_begin(r->db);
	if (!rc)
		rc = db_run(r->db, "DELETE FROM delegations WHERE user_id = ?", 1, p);
	if (!rc)
		rc = db_run(
		    r->db,
		    "INSERT INTO delegations (user_id, delegate_id, starts_at, ends_at, note, "
		    "created_at) VALUES (?, ?, ?, ?, ?, ?)",
		    6, p);
	if (!rc)
		rc = api_audit_access(r, r->session.user_id, "delegation_set", r->session.user_id,
		                      NULL);
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		api_db_failure(r, rc, "saving a delegation");
		return;
	}
	api_delegation_get(r);
}

void api_delegation_delete(struct req *r)
{
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)r->session.user_id);
	int rc =
	    db_run(r->db, "DELETE FROM delegations WHERE user_id = ?", 1, (const char *[]){uid});
	body_answer_done(r, rc, "ending a delegation");
}
