#include "approval.h"
#include "crud.h"
#include "auth/roles.h"
#include "transition.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "auth/session.h"
#include "services/notify.h"
#include "services/outbox.h"

#include <stdio.h>
#include <string.h>

#define APPROVERS_MAX 64

int64_t approval_link_ttl_ms = 7 * 24 * 3600 * 1000LL;

static void add_user(int64_t *ids, size_t *n, int64_t id, int64_t submitter)
{
	if (!id || id == submitter || *n == APPROVERS_MAX)
		return;
	for (size_t i = 0; i < *n; i++)
		if (ids[i] == id)
			return;
	ids[(*n)++] = id;
}

/* The ids of a one-parameter query's first column into ids. */
static int query_users(struct op *op, const char *sql, const char *param, int64_t *ids, size_t *n,
                       int64_t submitter)
{
	struct db_stmt *st;
	int rc = db_prepare(op->db, sql, &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, param);
	while ((rc = db_step(st)) == DB_ROW)
		if (!db_column_null(st, 0))
			add_user(ids, n, db_column_int(st, 0), submitter);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Who approves step s now: active users, never the submitter, each once. */
static int resolve(struct op *op, const struct approval_step *s, int64_t submitter, json_t *rec,
                   int64_t *ids, size_t *n)
{
	char sub[24];
	snprintf(sub, sizeof sub, "%lld", (long long)submitter);
	*n = 0;
	int rc = DB_OK;
	for (size_t i = 0; i < s->n_approvers && !rc; i++) {
		const struct person_rule *a = &s->approvers[i];
		switch (a->kind) {
		case P_ROLE: {
			int64_t members[APPROVERS_MAX];
			size_t m = 0;
			rc = role_members(op->db, a->value, members, APPROVERS_MAX, &m);
			for (size_t j = 0; j < m; j++)
				add_user(ids, n, members[j], submitter);
			break;
		}
		case P_SUPERIOR:
			add_user(ids, n, superior_of(op, submitter), submitter);
			break;
		case P_HEAD:
			rc = query_users(
			    op,
			    str_eq(a->value, "department")
			        ? "SELECT o.head_user_id FROM users u JOIN org_units o ON o.id = "
			          "u.org_unit_id WHERE u.id = ?"
			        : "SELECT o.head_user_id FROM users u JOIN org_units me ON me.id = "
			          "u.org_unit_id JOIN org_units o ON me.path LIKE o.path || '%' WHERE u.id = "
			          "? AND o.kind = 'subsidiary' ORDER BY length(o.path) DESC LIMIT 1",
			    sub, ids, n, submitter);
			break;
		case P_FIELD:
			add_user(ids, n, record_user(rec, a->field->name), submitter);
			break;
		case P_USER:
			add_user(ids, n, a->user, submitter);
			break;
		case P_OWNER: /* not approvers (process.c refuses them) */
		case P_ACTOR:
			break;
		}
	}
	/* Disabled users approve nothing. */
	size_t k = 0;
	for (size_t i = 0; i < *n && !rc; i++) {
		char uid[24];
		snprintf(uid, sizeof uid, "%lld", (long long)ids[i]);
		int64_t live = 0;
		rc =
		    db_query_int(op->db, "SELECT count(*) FROM users WHERE id = ? AND NOT disabled",
		                 1, (const char *[]){uid}, &live);
		if (live)
			ids[k++] = ids[i];
	}
	*n = k;
	return rc;
}

static int tell(struct op *op, const char *event, int64_t user, int64_t id, json_t *vars)
{
	struct notice n = {.event = event,
	                   .user_id = user,
	                   .entity = op->e->name,
	                   .record_id = id,
	                   .vars = vars,
	                   .actor = op->user_id};
	return notify(op->db, &n);
}

/* Who acts for approver now: their delegate while they are away (one hop, an active user,
 * never the submitter), else themselves. */
static int64_t acting(struct op *op, int64_t approver, int64_t submitter)
{
	char uid[24], now[TIME_ISO_LEN];
	snprintf(uid, sizeof uid, "%lld", (long long)approver);
	time_now_iso(now);
	int64_t delegate = 0;
	db_query_int(
	    op->db,
	    "SELECT d.delegate_id FROM delegations d JOIN users u ON u.id = d.delegate_id "
	    "WHERE d.user_id = ? AND d.starts_at <= ? AND d.ends_at > ? AND NOT u.disabled",
	    3, (const char *[]){uid, now, now}, &delegate);
	return delegate && delegate != submitter ? delegate : approver;
}

/* Open the first step from `from` whose conditions hold: its tasks made and its approvers
 * told. *opened false when none is left. */
static int open_step(struct op *op, int64_t approval, int64_t id, const struct approval_flow *f,
                     size_t from, json_t *rec, int64_t submitter, bool *opened)
{
	*opened = false;
	for (size_t i = from; i < f->n_steps; i++) {
		const struct approval_step *s = &f->steps[i];
		bool applies = true;
		for (size_t k = 0; k < s->n_when && applies; k++)
			applies = guard_holds(&s->when[k], rec);
		if (!applies)
			continue;
		int64_t ids[APPROVERS_MAX];
		size_t n = 0;
		int rc = resolve(op, s, submitter, rec, ids, &n);
		if (rc)
			return crud_db_error(op, rc, "an approval");
		if (!n) {
			problem_add(op->problem, NULL, "no_approver",
			            (const char *[]){"step", label_get(&s->label, op->lang), NULL});
			return problem_set(op->problem, 409, "conflict");
		}
		char now[TIME_ISO_LEN];
		time_now_iso(now);
		for (size_t k = 0; k < n && !rc; k++) {
			struct db_stmt *st;
			int64_t who = acting(op, ids[k], submitter);
			/* A link to decide from the mail or the SMS without logging in: only its
			 * hash kept, good once, until it expires. */
			char token[TOKEN_TEXT_LEN], hash[65], expires[TIME_ISO_LEN], act[512];
			token_random(token);
			token_hash(token, hash);
			time_format_iso(time_now_ms() + approval_link_ttl_ms, expires);
			snprintf(act, sizeof act, "%s/act/%s", outbox_public_url(), token);
			if (!(rc = db_prepare(
			          op->db,
			          "INSERT INTO approval_tasks (approval_id, step, step_key, "
			          "approver_id, acting_for, created_at, link_hash, "
			          "link_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			          &st))) {
				db_bind_int(st, 1, approval);
				db_bind_int(st, 2, (int64_t)i);
				db_bind_texts(st, 3, s->key);
				db_bind_int(st, 4, who);
				if (who != ids[k])
					db_bind_int(st, 5, ids[k]);
				else
					db_bind_null(st, 5);
				db_bind_texts(st, 6, now);
				db_bind_texts(st, 7, hash);
				db_bind_texts(st, 8, expires);
				rc = db_step(st);
				db_reset(st);
				rc = rc == DB_DONE ? DB_OK : rc;
			}
			json_t *vars = json_pack(
			    "{s:s, s:s, s:s, s:s, s:s}", "act_link", act, "flow",
			    label_get(&f->label, LANG_ZH), "step", label_get(&s->label, LANG_ZH),
			    "record", record_title(op, rec), "submitter", user_name(op, submitter));
			if (!rc)
				rc = tell(op, "approval.request", who, id, vars);
			json_decref(vars);
		}
		char aid[24], step[24];
		snprintf(aid, sizeof aid, "%lld", (long long)approval);
		snprintf(step, sizeof step, "%zu", i);
		if (!rc)
			rc = db_run(op->db, "UPDATE approvals SET step = ? WHERE id = ?", 2,
			            (const char *[]){step, aid});
		if (rc)
			return crud_db_error(op, rc, "an approval");
		*opened = true;
		return 0;
	}
	return 0;
}

/* The approval ends (approved, rejected or withdrawn): open tasks closed, the flow's
 * transition fired as the system, the submitter told. */
static int finish(struct op *op, int64_t approval, int64_t id, const struct approval_flow *f,
                  const char *state, int64_t submitter, json_t *rec, const char *comment)
{
	char now[TIME_ISO_LEN], aid[24];
	time_now_iso(now);
	snprintf(aid, sizeof aid, "%lld", (long long)approval);
	int rc = db_run(op->db, "UPDATE approvals SET state = ?, decided_at = ? WHERE id = ?", 3,
	                (const char *[]){state, now, aid});
	if (!rc)
		rc = db_run(op->db,
		            "UPDATE approval_tasks SET decision = 'closed', decided_at = ? WHERE "
		            "approval_id = ? AND decision IS NULL",
		            2, (const char *[]){now, aid});
	if (rc)
		return crud_db_error(op, rc, "an approval");
	const char *key = str_eq(state, "approved")   ? f->on_approve
	                  : str_eq(state, "rejected") ? f->on_reject
	                                              : f->on_withdraw;
	if (key) {
		/* The outcome is the flow's to take, whoever decided last: no who rules, no scope.
		 */
		struct op sys = op_as_system(op);
		struct str out = STR_INIT;
		struct crud_result res = {0};
		int status = process_fire_in_tx(&sys, id, key, NULL, comment, -1, &out, &res);
		str_release(&out);
		if (status < 0)
			return status;
	}
	if (str_eq(state, "withdrawn"))
		return 0;
	json_t *vars = json_pack("{s:s, s:s, s:s, s:s}", "flow", label_get(&f->label, LANG_ZH),
	                         "record", record_title(op, rec), "comment", comment ? comment : "",
	                         "decider", user_name(op, op->user_id));
	rc = tell(op, str_eq(state, "approved") ? "approval.approved" : "approval.rejected",
	          submitter, id, vars);
	json_decref(vars);
	return rc ? crud_db_error(op, rc, "an approval") : 0;
}

int approval_start(struct op *op, int64_t id, const struct process *p,
                   const struct approval_flow *f, json_t *rec)
{
	char rid[24], now[TIME_ISO_LEN];
	snprintf(rid, sizeof rid, "%lld", (long long)id);
	time_now_iso(now);
	int64_t pending = 0;
	int rc =
	    db_query_int(op->db,
	                 "SELECT count(*) FROM approvals WHERE entity = ? AND record_id = ? AND "
	                 "state = 'pending'",
	                 2, (const char *[]){op->e->name, rid}, &pending);
	if (rc)
		return crud_db_error(op, rc, "an approval");
	if (pending) {
		problem_add(op->problem, NULL, "approval_pending", NULL);
		return problem_set(op->problem, 409, "conflict");
	}
	struct db_stmt *st;
	int64_t approval = 0;
	if ((rc =
	         db_prepare(op->db,
	                    "INSERT INTO approvals (entity, record_id, process, flow, state, step, "
	                    "submitter_id, created_at) VALUES (?, ?, ?, ?, 'pending', -1, ?, ?) "
	                    "RETURNING id",
	                    &st)))
		return crud_db_error(op, rc, "an approval");
	db_bind_texts(st, 1, op->e->name);
	db_bind_int(st, 2, id);
	db_bind_texts(st, 3, p->key);
	db_bind_texts(st, 4, f->key);
	db_bind_int(st, 5, op->user_id);
	db_bind_texts(st, 6, now);
	if ((rc = db_step_id(st, &approval)))
		return crud_db_error(op, rc, "an approval");
	bool opened;
	if (open_step(op, approval, id, f, 0, rec, op->user_id, &opened))
		return -1;
	/* No step applies (a small amount): approved as submitted. */
	return opened ? 0 : finish(op, approval, id, f, "approved", op->user_id, rec, NULL);
}

/* One approval as JSON, with its tasks. */
/* A flow's or a step's name in lang, or null when the definition no longer has it. */
static void add_label(struct str *out, const struct label *l, enum lang lang)
{
	if (l)
		str_add_jsons(out, label_get(l, lang));
	else
		str_adds(out, "null");
}

static int approval_json(struct op *op, int64_t approval, struct str *out)
{
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               "SELECT a.id, a.entity, a.record_id, a.process, a.flow, a.state, a.step, "
	               "a.submitter_id, COALESCE(u.display_name, u.username), a.created_at, "
	               "a.decided_at FROM approvals a LEFT JOIN users u ON u.id = a.submitter_id "
	               "WHERE a.id = ?",
	               &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, approval);
	if ((rc = db_step(st)) != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? DB_ERROR : rc;
	}
	json_add_row(out, st,
	             "iid,tentity,irecord_id,tprocess,tflow,tstate,istep,isubmitter_id,"
	             "tsubmitter_name,Tcreated_at,Tdecided_at");
	const struct entity *e = registry_entity(op->reg, db_column_text(st, 1, NULL));
	const struct approval_flow *f =
	    e ? process_flow(e->process, db_column_text(st, 4, NULL)) : NULL;
	db_reset(st);
	str_truncate(out, out->len - 1);
	str_adds(out, ",\"label\":");
	add_label(out, f ? &f->label : NULL, op->lang);
	str_adds(out, ",\"tasks\":[");
	if ((rc = db_prepare(
	         op->db,
	         "SELECT t.id, t.step, t.step_key, t.approver_id, COALESCE(u.display_name, "
	         "u.username), t.decision, t.comment, t.created_at, t.decided_at, t.acting_for "
	         "FROM approval_tasks t LEFT JOIN users u ON u.id = t.approver_id WHERE "
	         "t.approval_id = ? ORDER BY t.step, t.id",
	         &st)))
		return rc;
	db_bind_int(st, 1, approval);
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		str_adds(out, n++ ? "," : "");
		json_add_row(out, st,
		             "iid,istep,tstep_key,iapprover_id,tapprover_name,tdecision,tcomment,"
		             "Tcreated_at,Tdecided_at,iacting_for");
		int64_t step = db_column_int(st, 1);
		str_truncate(out, out->len - 1);
		str_adds(out, ",\"step_label\":");
		add_label(
		    out, f && step >= 0 && (size_t)step < f->n_steps ? &f->steps[step].label : NULL,
		    op->lang);
		str_addc(out, '}');
	}
	db_reset(st);
	str_adds(out, "]}");
	return rc == DB_DONE ? DB_OK : rc;
}

/* The approval, its flow and its record for a decision: the op pointed at its entity. */
struct held {
	int64_t approval, record, submitter, step;
	char state[16];
	const struct approval_flow *f;
	json_t *rec;
};

static int hold(struct op *op, int64_t approval, struct held *h)
{
	struct db_stmt *st;
	int rc = db_prepare(op->db,
	                    db_kind(op->db) == DB_PG
	                        ? "SELECT entity, record_id, flow, state, step, submitter_id FROM "
	                          "approvals WHERE id = ? FOR UPDATE"
	                        : "SELECT entity, record_id, flow, state, step, submitter_id FROM "
	                          "approvals WHERE id = ?",
	                    &st);
	if (rc)
		return crud_db_error(op, rc, "an approval");
	db_bind_int(st, 1, approval);
	const struct entity *e = NULL;
	char flow[128] = "";
	if ((rc = db_step(st)) == DB_ROW) {
		e = registry_entity(op->reg, db_column_text(st, 0, NULL));
		h->record = db_column_int(st, 1);
		snprintf(flow, sizeof flow, "%s", db_column_text(st, 2, NULL));
		snprintf(h->state, sizeof h->state, "%s", db_column_text(st, 3, NULL));
		h->step = db_column_int(st, 4);
		h->submitter = db_column_int(st, 5);
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return crud_db_error(op, rc, "an approval");
	h->approval = approval;
	h->f = e ? process_flow(e->process, flow) : NULL;
	if (rc == DB_DONE || !e)
		return problem_set(op->problem, 404, "not_found");
	if (!h->f) {
		problem_add(op->problem, NULL, "flow_gone", NULL);
		return problem_set(op->problem, 409, "conflict");
	}
	op->e = e;
	/* The record as the system sees it: the approver may not read it otherwise. */
	struct op sys = op_as_system(op);
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_get(&sys, h->record, false, &out, &res);
	json_error_t je;
	h->rec = status < 0 ? NULL : json_loadb(out.buf, out.len, 0, &je);
	str_release(&out);
	return h->rec ? 0 : status < 0 ? status : crud_db_error(op, DB_ERROR, "an approval");
}

/* A second decision: 409 naming the approval's state. */
static int already_decided(struct op *op, const char *state)
{
	problem_add(op->problem, NULL, "already_decided",
	            (const char *[]){"state", arena_strdup(op->arena, state), NULL});
	return problem_set(op->problem, 409, "conflict");
}

/* End a decision's transaction: the approval as it is now into out and committed, or rolled
 * back with the problem. */
static int conclude(struct op *op, int status, int64_t approval, struct str *out)
{
	int rc;
	if (!status && (rc = approval_json(op, approval, out)))
		status = crud_db_error(op, rc, "an approval");
	if (!status && (rc = db_commit(op->db)))
		status = crud_db_error(op, rc, "an approval");
	if (status) {
		db_rollback(op->db);
		str_reset(out);
		return status < 0 ? status : -1;
	}
	return 200;
}

int approval_decide(struct op *op, int64_t task_id, bool approve, const char *comment,
                    struct str *out)
{
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "an approval");
	struct db_stmt *st;
	int64_t approval = 0, step = -1, approver = 0;
	bool open = false;
	if (!(rc = db_prepare(op->db,
	                      "SELECT approval_id, step, approver_id, decision IS NULL FROM "
	                      "approval_tasks WHERE id = ?",
	                      &st))) {
		db_bind_int(st, 1, task_id);
		if ((rc = db_step(st)) == DB_ROW) {
			approval = db_column_int(st, 0);
			step = db_column_int(st, 1);
			approver = db_column_int(st, 2);
			open = db_column_int(st, 3) != 0;
		}
		db_reset(st);
		rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	}
	struct held h = {0};
	int status = 0;
	if (rc)
		status = crud_db_error(op, rc, "an approval");
	else if (!approval || approver != op->user_id)
		status = problem_set(op->problem, 404, "not_found");
	else if ((status = hold(op, approval, &h)) == 0 &&
	         (!open || !str_eq(h.state, "pending") || step != h.step)) {
		status = already_decided(op, h.state);
	}
	char now[TIME_ISO_LEN], tid[24], aid[24], sid[24];
	time_now_iso(now);
	snprintf(tid, sizeof tid, "%lld", (long long)task_id);
	snprintf(aid, sizeof aid, "%lld", (long long)approval);
	snprintf(sid, sizeof sid, "%lld", (long long)step);
	if (!status &&
	    (rc = db_run_one(
	         op->db,
	         "UPDATE approval_tasks SET decision = ?, comment = ?, "
	         "decided_at = ? WHERE id = ? AND decision IS NULL",
	         4, (const char *[]){approve ? "approved" : "rejected", comment, now, tid})))
		status = crud_db_error(op, rc == DB_DONE ? DB_EBUSY : rc, "an approval");
	if (!status && !approve)
		status =
		    finish(op, approval, h.record, h.f, "rejected", h.submitter, h.rec, comment);
	if (!status && approve) {
		int64_t waiting = 0;
		const struct approval_step *s = &h.f->steps[h.step];
		if (s->all &&
		    (rc = db_query_int(op->db,
		                       "SELECT count(*) FROM approval_tasks WHERE "
		                       "approval_id = ? AND step = ? AND decision IS NULL",
		                       2, (const char *[]){aid, sid}, &waiting)))
			status = crud_db_error(op, rc, "an approval");
		bool opened = false;
		if (!status && !waiting) {
			/* "any": the others of the step are not needed now. */
			if ((rc = db_run(
			         op->db,
			         "UPDATE approval_tasks SET decision = 'closed', decided_at = ? "
			         "WHERE approval_id = ? AND step = ? AND decision IS NULL",
			         3, (const char *[]){now, aid, sid})))
				status = crud_db_error(op, rc, "an approval");
			if (!status)
				status = open_step(op, approval, h.record, h.f, (size_t)h.step + 1,
				                   h.rec, h.submitter, &opened);
			if (!status && !opened)
				status = finish(op, approval, h.record, h.f, "approved",
				                h.submitter, h.rec, comment);
		}
	}
	json_decref(h.rec);
	return conclude(op, status, approval, out);
}

int approval_withdraw(struct op *op, int64_t approval, const char *comment, struct str *out)
{
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "an approval");
	struct held h = {0};
	int status = hold(op, approval, &h);
	if (!status && h.submitter != op->user_id)
		status = problem_set(op->problem, 404, "not_found");
	else if (!status && !str_eq(h.state, "pending")) {
		status = already_decided(op, h.state);
	}
	if (!status)
		status =
		    finish(op, approval, h.record, h.f, "withdrawn", h.submitter, h.rec, comment);
	json_decref(h.rec);
	return conclude(op, status, approval, out);
}

int approvals_of_record_json(struct op *op, int64_t id, struct str *out)
{
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               "SELECT id FROM approvals WHERE entity = ? AND record_id = ? ORDER BY id "
	               "LIMIT 200",
	               &st);
	if (rc)
		return crud_db_error(op, rc, "reading approvals");
	db_bind_texts(st, 1, op->e->name);
	db_bind_int(st, 2, id);
	int64_t ids[200];
	size_t n = 0;
	while (n < 200 && (rc = db_step(st)) == DB_ROW)
		ids[n++] = db_column_int(st, 0);
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW)
		return crud_db_error(op, rc, "reading approvals");
	str_adds(out, "{\"data\":[");
	for (size_t i = 0; i < n; i++) {
		str_adds(out, i ? "," : "");
		if ((rc = approval_json(op, ids[i], out)))
			return crud_db_error(op, rc, "reading approvals");
	}
	str_adds(out, "]}");
	return 200;
}

int approval_tasks_json(struct op *op, bool pending, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(
	    op->db,
	    pending
	        ? "SELECT t.id, t.approval_id, a.entity, a.record_id, a.flow, t.step_key, "
	          "t.decision, t.comment, COALESCE(u.display_name, u.username), t.created_at, "
	          "t.decided_at, t.step FROM approval_tasks t JOIN approvals a ON a.id = "
	          "t.approval_id LEFT JOIN users u ON u.id = a.submitter_id WHERE t.approver_id = ? "
	          "AND t.decision IS NULL AND a.state = 'pending' AND t.step = a.step ORDER BY t.id "
	          "DESC LIMIT 200"
	        : "SELECT t.id, t.approval_id, a.entity, a.record_id, a.flow, t.step_key, "
	          "t.decision, t.comment, COALESCE(u.display_name, u.username), t.created_at, "
	          "t.decided_at, t.step FROM approval_tasks t JOIN approvals a ON a.id = "
	          "t.approval_id LEFT JOIN users u ON u.id = a.submitter_id WHERE t.approver_id = ? "
	          "AND t.decision IN ('approved', 'rejected') ORDER BY t.id DESC LIMIT 200",
	    &st);
	if (rc)
		return crud_db_error(op, rc, "reading approval tasks");
	db_bind_int(st, 1, op->user_id);
	/* Each with what an inbox shows: the flow's and the step's names and the record's title. */
	str_adds(out, "{\"data\":[");
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		str_adds(out, n++ ? "," : "");
		json_add_row(
		    out, st,
		    "iid,iapproval_id,tentity,irecord_id,tflow,tstep_key,tdecision,tcomment,"
		    "tsubmitter_name,Tcreated_at,Tdecided_at");
		const struct entity *e = registry_entity(op->reg, db_column_text(st, 2, NULL));
		const struct approval_flow *f =
		    e ? process_flow(e->process, db_column_text(st, 4, NULL)) : NULL;
		int64_t step = db_column_int(st, 11);
		str_truncate(out, out->len - 1);
		str_adds(out, ",\"label\":");
		add_label(out, f ? &f->label : NULL, op->lang);
		str_adds(out, ",\"step_label\":");
		add_label(
		    out, f && step >= 0 && (size_t)step < f->n_steps ? &f->steps[step].label : NULL,
		    op->lang);
		str_adds(out, ",\"title\":");
		str_add_jsons(out, record_title_of(op, e, db_column_int(st, 3)));
		str_addc(out, '}');
	}
	db_reset(st);
	str_adds(out, "]}");
	return rc == DB_DONE ? 200 : crud_db_error(op, rc, "reading approval tasks");
}
