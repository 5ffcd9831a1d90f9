/*
 * Deciding an approval task from the link in a mail or an SMS, without logging in (issue 6,
 * docs/internals/PROCESSES.md). GET shows what is asked and a form — never a decision, since
 * mail scanners open links; POST decides. The link works once: a task decided, closed or
 * expired shows so. Plain HTML from the server, no script, nothing cached, no referrer.
 */
#include "api.h"
#include "body.h"
#include "auth/session.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/approval.h"
#include "meta/crud.h"
#include "services/templates.h"

#include <stdio.h>
#include <string.h>

/* A task as the link finds it. */
struct act {
	int64_t task, approver, record;
	bool open, expired;
	char state[16];
	const struct entity *e;
	const struct approval_flow *f;
	const char *step_label, *title, *submitter;
};

static const char *word(struct req *r, const char *zh, const char *en)
{
	return r->lang == LANG_EN ? en : zh;
}

static void page(struct req *r, int status, const char *heading, const char *text,
                 const struct act *a, bool form, const char *error)
{
	struct str out = STR_INIT;
	api_page_open(r, &out, heading, text,
	              "dt{color:#909399}textarea{width:100%;min-height:6em}button{padding:.6em "
	              "1.4em;margin:.5em .5em 0 0}");
	if (a && a->f) {
		str_adds(&out, "<dl><dt>");
		str_adds(&out, word(r, "审批", "Approval"));
		str_adds(&out, "</dt><dd>");
		template_escape_html(&out, label_get(&a->f->label, r->lang));
		str_adds(&out, " · ");
		template_escape_html(&out, a->step_label ? a->step_label : "");
		str_adds(&out, "</dd><dt>");
		str_adds(&out, word(r, "记录", "Record"));
		str_adds(&out, "</dt><dd>");
		template_escape_html(&out, a->title ? a->title : "");
		str_adds(&out, "</dd><dt>");
		str_adds(&out, word(r, "提交人", "Submitted by"));
		str_adds(&out, "</dt><dd>");
		template_escape_html(&out, a->submitter ? a->submitter : "");
		str_adds(&out, "</dd></dl>");
	}
	if (error) {
		str_adds(&out, "<p class=\"err\">");
		template_escape_html(&out, error);
		str_adds(&out, "</p>");
	}
	if (form) {
		str_adds(&out, "<form method=\"post\"><label for=\"comment\">");
		str_adds(&out, word(r, "意见（驳回时必填）", "Comment (needed to reject)"));
		str_adds(&out,
		         "</label><textarea id=\"comment\" name=\"comment\" maxlength=\"2000\">"
		         "</textarea><div><button name=\"decision\" value=\"approve\">");
		str_adds(&out, word(r, "批准", "Approve"));
		str_adds(&out, "</button><button name=\"decision\" value=\"reject\">");
		str_adds(&out, word(r, "驳回", "Reject"));
		str_adds(&out, "</button></div></form>");
	}
	api_page_send(r, status, &out);
	/* The key is in the address: no page it leads to may learn it. */
	MHD_del_response_header(r->resp, "Referrer-Policy", "same-origin");
	resp_header(r, "Referrer-Policy", "no-referrer");
}

/* The task of the link; false after answering with a page that says why not. */
static bool find(struct req *r, struct act *a)
{
	memset(a, 0, sizeof *a);
	char hash[65];
	token_hash(r->captures[0], hash);
	struct db_stmt *st;
	int rc =
	    db_prepare(r->db,
	               "SELECT t.id, t.approver_id, t.decision IS NULL AND a.state = 'pending' "
	               "AND t.step = a.step, t.link_expires_at, a.state, a.entity, a.record_id, "
	               "a.flow, t.step, COALESCE(u.display_name, u.username) FROM approval_tasks "
	               "t JOIN approvals a ON a.id = t.approval_id LEFT JOIN users u ON u.id = "
	               "a.submitter_id WHERE t.link_hash = ?",
	               &st);
	if (rc) {
		api_db_failure(r, rc, "reading an approval link");
		return false;
	}
	db_bind_texts(st, 1, hash);
	int64_t step = -1;
	char flow[128] = "";
	if ((rc = db_step(st)) == DB_ROW) {
		a->task = db_column_int(st, 0);
		a->approver = db_column_int(st, 1);
		a->open = db_column_int(st, 2) != 0;
		int64_t until = 0;
		a->expired = !db_column_time(st, 3, &until) || until <= time_now_ms();
		snprintf(a->state, sizeof a->state, "%s", db_column_text(st, 4, NULL));
		a->e = r->reg ? registry_entity(r->reg, db_column_text(st, 5, NULL)) : NULL;
		a->record = db_column_int(st, 6);
		snprintf(flow, sizeof flow, "%s", db_column_text(st, 7, NULL));
		step = db_column_int(st, 8);
		a->submitter = arena_strdup(&r->arena, db_column_text(st, 9, NULL));
	}
	db_reset(st);
	if (rc != DB_ROW) {
		if (rc != DB_DONE)
			api_db_failure(r, rc, "reading an approval link");
		else
			page(r, 404, word(r, "链接无效", "Not a valid link"),
			     word(r, "请在系统中查看待办审批。",
			          "Look at your approvals in Sextant."),
			     NULL, false, NULL);
		return false;
	}
	a->f = a->e ? process_flow(a->e->process, flow) : NULL;
	if (a->f && step >= 0 && (size_t)step < a->f->n_steps)
		a->step_label = label_get(&a->f->steps[step].label, r->lang);
	if (a->e) {
		/* The record's title, as the system sees it: the link is the approver's key. */
		struct op req;
		req_op(r, a->e, &req);
		struct op op = op_as_system(&req);
		struct str out = STR_INIT;
		struct crud_result res = {0};
		if (crud_get(&op, a->record, false, &out, &res) == 200 && a->e->title_field) {
			json_error_t je;
			json_t *rec = json_loadb(out.buf, out.len, 0, &je);
			const char *t = json_string_value(json_object_get(rec, a->e->title_field));
			a->title = t ? arena_strdup(&r->arena, t) : NULL;
			json_decref(rec);
		}
		str_release(&out);
		r->problem = (struct problem){0};
	}
	if (!a->open) {
		page(r, 409, word(r, "已处理", "Already decided"),
		     word(r, "这项审批已经处理，链接不能再用。",
		          "This approval was decided; the link no "
		          "longer works."),
		     a, false, NULL);
		return false;
	}
	if (a->expired || !a->f) {
		page(r, 410, word(r, "链接已过期", "The link has expired"),
		     word(r, "请登录系统处理这项审批。",
		          "Log in to Sextant to decide this approval."),
		     a, false, NULL);
		return false;
	}
	return true;
}

void api_act_page(struct req *r)
{
	struct act a;
	if (!find(r, &a))
		return;
	page(r, 200, word(r, "待您审批", "Awaiting your approval"),
	     word(r, "请批准或驳回。", "Approve or reject."), &a, true, NULL);
}

void api_act_decide(struct req *r)
{
	struct act a;
	if (!find(r, &a))
		return;
	struct kv *kv;
	size_t n;
	if (!body_form(r, &kv, &n)) {
		page(r, 400, word(r, "无法处理", "Cannot decide"),
		     word(r, "提交的内容有误。", "The form was not sent as expected."), &a, true,
		     NULL);
		return;
	}
	const char *decision = kv_get(kv, n, "decision");
	const char *comment = kv_get(kv, n, "comment");
	if (comment && !*comment)
		comment = NULL;
	bool approve = decision && str_eq(decision, "approve");
	if (!approve && !(decision && str_eq(decision, "reject"))) {
		page(r, 422, word(r, "待您审批", "Awaiting your approval"),
		     word(r, "请批准或驳回。", "Approve or reject."), &a, true,
		     word(r, "请选择批准或驳回。", "Choose approve or reject."));
		return;
	}
	if (!approve && !comment) {
		page(r, 422, word(r, "待您审批", "Awaiting your approval"),
		     word(r, "请批准或驳回。", "Approve or reject."), &a, true,
		     word(r, "驳回时请填写意见。", "Say why when you reject."));
		return;
	}
	/* The approver's decision, made with the link as their key. */
	struct op req;
	req_op(r, NULL, &req);
	req.user_id = a.approver;
	struct op op = op_as_system(&req);
	struct str out = STR_INIT;
	int status = approval_decide(&op, a.task, approve, comment, &out);
	str_release(&out);
	if (status < 0) {
		bool decided = r->problem.status == 409;
		r->problem = (struct problem){0};
		page(r, decided ? 409 : 503, word(r, "未能处理", "Not decided"),
		     decided ? word(r, "这项审批已经处理。", "This approval was decided already.")
		             : word(r, "请稍后再试。", "Try again shortly."),
		     &a, false, NULL);
		return;
	}
	page(r, 200, approve ? word(r, "已批准", "Approved") : word(r, "已驳回", "Rejected"),
	     word(r, "谢谢，您的决定已记录。", "Thank you; your decision is recorded."), &a, false,
	     NULL);
}
