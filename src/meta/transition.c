#include "transition.h"
#include "approval.h"
#include "process_effects.h"
#include "access.h"
#include "auth/roles.h"
#include "process.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "services/notify.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The record as the API shows it, parsed: the guards and the rules read it. */
static int load_record(struct op *op, int64_t id, json_t **rec, int64_t *version)
{
	int rc = access_find_record(op, ACT_READ, id);
	if (rc == DB_DONE)
		return problem_set(op->problem, 404, "not_found");
	if (rc)
		return crud_db_error(op, rc, "reading a record");
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_get(op, id, false, &out, &res);
	if (status < 0) {
		str_release(&out);
		return status;
	}
	json_error_t je;
	*rec = json_loadb(out.buf, out.len, 0, &je);
	str_release(&out);
	*version = res.version;
	return *rec ? 0 : crud_db_error(op, DB_ERROR, "reading a record");
}

int64_t record_user(json_t *rec, const char *field)
{
	json_t *v = json_object_get(rec, field);
	if (json_is_object(v)) /* a user shown as {"id","name"} */
		v = json_object_get(v, "id");
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

const char *record_title(struct op *op, json_t *rec)
{
	json_t *t = op->e->title_field ? json_object_get(rec, op->e->title_field) : NULL;
	return json_is_string(t) ? json_string_value(t) : "";
}

const char *record_title_of(struct op *op, const struct entity *e, int64_t id)
{
	if (!e || !e->title_field)
		return "";
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT \"%s\" FROM \"%s\" WHERE id = ?", e->title_field,
	         e->name);
	struct db_stmt *st;
	const char *title = "";
	if (!db_prepare(op->db, sql, &st)) {
		db_bind_int(st, 1, id);
		if (db_step(st) == DB_ROW)
			title = arena_strdup(op->arena, db_column_text(st, 0, NULL));
		db_reset(st);
	}
	return title;
}

const char *user_name(struct op *op, int64_t user)
{
	struct db_stmt *st;
	const char *name = "";
	if (user &&
	    !db_prepare(op->db, "SELECT COALESCE(display_name, username) FROM users WHERE id = ?",
	                &st)) {
		db_bind_int(st, 1, user);
		if (db_step(st) == DB_ROW)
			name = arena_strdup(op->arena, db_column_text(st, 0, NULL));
		db_reset(st);
	}
	return name;
}

int person_users(struct op *op, const struct person_rule *r, json_t *rec, int64_t *ids, size_t max,
                 size_t *count)
{
	*count = max ? 1 : 0;
	if (!max)
		return DB_OK;
	switch (r->kind) {
	case P_OWNER:
		ids[0] = record_user(rec, "owner_id");
		break;
	case P_SUPERIOR:
		ids[0] = superior_of(op, record_user(rec, "owner_id"));
		break;
	case P_ACTOR:
		ids[0] = op->user_id;
		break;
	case P_FIELD:
		ids[0] = record_user(rec, r->field->name);
		break;
	case P_USER:
		ids[0] = r->user;
		break;
	case P_ROLE:
		return role_members(op->db, r->value, ids, max, count);
	case P_HEAD: /* an approver only: resolved from the submitter (meta/approval.c) */
		*count = 0;
		break;
	}
	return DB_OK;
}

int64_t superior_of(struct op *op, int64_t user)
{
	char u[24];
	snprintf(u, sizeof u, "%lld", (long long)user);
	int64_t sup = 0;
	if (user)
		db_query_int(op->db, "SELECT superior_id FROM users WHERE id = ?", 1,
		             (const char *[]){u}, &sup);
	return sup;
}

static bool has_role(const struct op *op, const char *role)
{
	for (size_t i = 0; op->actor && i < op->actor->n_roles; i++)
		if (str_eq(op->actor->roles[i], role))
			return true;
	return false;
}

/* Whether the caller may fire t on rec: any rule; no rules, anyone who may change it. */
static bool may_fire(struct op *op, const struct transition *t, json_t *rec)
{
	if (!op->actor)
		return true;
	if (t->by_flow) /* an approval's outcome is the approval's to fire */
		return false;
	if (!t->n_who)
		return true;
	for (size_t i = 0; i < t->n_who; i++) {
		const struct person_rule *w = &t->who[i];
		int64_t who = 0;
		size_t k = 0;
		if (w->kind == P_ROLE
		        ? has_role(op, w->value)
		        : !person_users(op, w, rec, &who, 1, &k) && k && who == op->user_id)
			return true;
	}
	return false;
}

/* A record's value for comparison: money by its amount, a user or reference by its id. */
static json_t *comparable(json_t *v)
{
	if (json_is_object(v) && json_object_get(v, "amount"))
		return json_object_get(v, "amount");
	if (json_is_object(v) && json_object_get(v, "id"))
		return json_object_get(v, "id");
	return v;
}

/* -1, 0, 1 as a compares to b (numbers as numbers, else as text); 2 if they cannot be. */
static int compare(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		return x < y ? -1 : x > y;
	}
	if (json_is_string(a) && json_is_string(b)) {
		int c = strcmp(json_string_value(a), json_string_value(b));
		return c < 0 ? -1 : c > 0;
	}
	if (json_is_boolean(a) && json_is_boolean(b))
		return json_is_true(a) == json_is_true(b) ? 0 : 2;
	return 2;
}

bool guard_holds(const struct guard *g, json_t *rec)
{
	json_t *v = comparable(json_object_get(rec, g->field->name));
	bool null = !v || json_is_null(v);
	if (g->op == G_NULL || g->op == G_NOT_NULL)
		return null == (g->op == G_NULL);
	if (null)
		return false;
	json_error_t je;
	json_t *want = json_loads(g->value, JSON_DECODE_ANY, &je);
	bool ok = false;
	if (g->op == G_IN) {
		size_t i;
		json_t *x;
		json_array_foreach(want, i, x) ok |= compare(v, x) == 0;
	} else {
		int c = compare(v, want);
		ok = c != 2 && ((g->op == G_EQ && c == 0) || (g->op == G_NE && c != 0) ||
		                (g->op == G_LT && c < 0) || (g->op == G_LTE && c <= 0) ||
		                (g->op == G_GT && c > 0) || (g->op == G_GTE && c >= 0));
	}
	json_decref(want);
	return ok;
}

/* The keys of the transitions the caller may fire from the record's state, as extra
 * "allowed":[…] of the problem. */
static void allowed_extra(struct op *op, const struct process *p, json_t *rec)
{
	const char *state = json_string_value(json_object_get(rec, p->state_field->name));
	struct str x = STR_INIT;
	str_adds(&x, "\"allowed\":[");
	size_t n = 0;
	for (size_t i = 0; i < p->n_transitions; i++) {
		const struct transition *t = &p->transitions[i];
		if (!transition_from(t, state) || !may_fire(op, t, rec))
			continue;
		str_adds(&x, n++ ? "," : "");
		str_add_jsons(&x, t->key);
	}
	str_addc(&x, ']');
	op->problem->extra = arena_strndup(op->arena, x.buf, x.len);
	str_release(&x);
}

static int record_history(struct op *op, int64_t id, const struct process *p,
                          const struct transition *t, const char *from, const char *comment)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               "INSERT INTO process_history (entity, record_id, process, transition, "
	               "from_state, to_state, user_id, comment, at) VALUES (?, ?, ?, ?, ?, ?, ?, "
	               "?, ?)",
	               &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, op->e->name);
	db_bind_int(st, 2, id);
	db_bind_texts(st, 3, p->key);
	db_bind_texts(st, 4, t->key);
	db_bind_texts(st, 5, from);
	db_bind_texts(st, 6, t->to);
	if (op->user_id)
		db_bind_int(st, 7, op->user_id);
	else
		db_bind_null(st, 7);
	db_bind_texts(st, 8, comment);
	db_bind_texts(st, 9, now);
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int process_fire_in_tx(struct op *op, int64_t id, const char *key, const json_t *fields,
                       const char *comment, int64_t if_match, struct str *out,
                       struct crud_result *res)
{
	const struct process *p = op->e->process;
	const struct transition *t = process_transition(p, key);
	if (!t)
		return problem_set(op->problem, 404, "not_found");
	json_t *rec = NULL;
	int64_t version = 0;
	int status = load_record(op, id, &rec, &version);
	if (status < 0)
		return status;
	const char *sf = p->state_field->name;
	char from[64];
	const char *was = json_string_value(json_object_get(rec, sf));
	snprintf(from, sizeof from, "%s", was ? was : "");
	status = 0;
	if (!transition_from(t, from)) {
		problem_add(op->problem, sf, "illegal_transition",
		            (const char *[]){"state", arena_strdup(op->arena, from), NULL});
		status = problem_set(op->problem, 409, "conflict");
	} else if (!may_fire(op, t, rec)) {
		problem_add(op->problem, NULL, "transition_forbidden", NULL);
		status = problem_set(op->problem, 403, "forbidden");
	} else if (fields && json_object_get(fields, sf)) {
		problem_add(op->problem, sf, "state_by_transition", NULL);
		status = problem_set(op->problem, 422, "validation_failed");
	}
	/* The record as it would be: what the caller sends, then what the transition sets. */
	json_t *body = fields ? json_deep_copy(fields) : json_object();
	json_error_t je;
	json_t *set = t->set ? json_loads(t->set, 0, &je) : NULL;
	json_object_update(body, set);
	json_decref(set);
	json_t *next = json_deep_copy(rec);
	json_object_update(next, body);
	for (size_t i = 0; !status && i < t->n_require; i++) {
		json_t *v = json_object_get(next, t->require[i]->name);
		if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
			problem_add(op->problem, t->require[i]->name, "required", NULL);
	}
	if (!status && op->problem->n_errors)
		status = problem_set(op->problem, 422, "validation_failed");
	for (size_t i = 0; !status && i < t->n_guards; i++)
		if (!guard_holds(&t->guards[i], next))
			problem_add(op->problem, t->guards[i].field->name, "guard_failed", NULL);
	if (!status && op->problem->n_errors)
		status = problem_set(op->problem, 409, "conflict");
	if (status) {
		allowed_extra(op, p, rec);
		goto out;
	}
	json_object_set_new(body, sf, json_string(t->to));
	op->in_transition = true;
	status = crud_update_in_tx(op, id, body, if_match >= 0 ? if_match : version, out, res);
	op->in_transition = false;
	int rc;
	if (status >= 0 && (rc = record_history(op, id, p, t, from, comment)))
		status = crud_db_error(op, rc, "a transition");
	if (status >= 0) {
		int done = process_effects(op, id, p, t, next, from, comment);
		status = done < 0 ? done : status;
	}
	/* An approval it starts is part of the step: refused, the step is too. */
	if (status >= 0 && t->approval &&
	    approval_start(op, id, p, process_flow(p, t->approval), next) < 0)
		status = -1;
out:
	json_decref(body);
	json_decref(next);
	json_decref(rec);
	return status;
}

int process_fire(struct op *op, int64_t id, const char *key, const json_t *fields,
                 const char *comment, int64_t if_match, struct str *out, struct crud_result *res)
{
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "a transition");
	int status = process_fire_in_tx(op, id, key, fields, comment, if_match, out, res);
	if (status >= 0 && (rc = db_commit(op->db)))
		status = crud_db_error(op, rc, "a transition");
	if (status < 0)
		db_rollback(op->db);
	return status;
}

int process_state_json(struct op *op, int64_t id, struct str *out)
{
	const struct process *p = op->e->process;
	if (!p)
		return problem_set(op->problem, 404, "not_found");
	json_t *rec = NULL;
	int64_t version = 0;
	int status = load_record(op, id, &rec, &version);
	if (status < 0)
		return status;
	const char *state = json_string_value(json_object_get(rec, p->state_field->name));
	str_adds(out, "{\"process\":{\"key\":");
	str_add_jsons(out, p->key);
	str_adds(out, ",\"label\":");
	str_add_jsons(out, label_get(&p->label, op->lang));
	str_adds(out, "},\"state_field\":");
	str_add_jsons(out, p->state_field->name);
	str_adds(out, ",\"state\":");
	if (state)
		str_add_jsons(out, state);
	else
		str_adds(out, "null");
	str_adds(out, ",\"transitions\":[");
	size_t n = 0;
	for (size_t i = 0; i < p->n_transitions; i++) {
		const struct transition *t = &p->transitions[i];
		if (!transition_from(t, state))
			continue;
		str_adds(out, n++ ? ",{\"key\":" : "{\"key\":");
		str_add_jsons(out, t->key);
		str_adds(out, ",\"label\":");
		str_add_jsons(out, label_get(&t->label, op->lang));
		str_adds(out, ",\"to\":");
		str_add_jsons(out, t->to);
		str_adds(out, ",\"require\":[");
		for (size_t k = 0; k < t->n_require; k++) {
			str_adds(out, k ? "," : "");
			str_add_jsons(out, t->require[k]->name);
		}
		str_addf(out, "],\"allowed\":%s}", may_fire(op, t, rec) ? "true" : "false");
	}
	str_adds(out, "],\"history\":[");
	json_decref(rec);
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               "SELECT h.id, h.transition, h.from_state, h.to_state, h.user_id, "
	               "COALESCE(u.display_name, u.username), h.comment, h.at FROM "
	               "process_history h LEFT JOIN users u ON u.id = h.user_id WHERE h.entity = "
	               "? AND h.record_id = ? ORDER BY h.id",
	               &st);
	if (!rc) {
		db_bind_texts(st, 1, op->e->name);
		db_bind_int(st, 2, id);
		size_t k = 0;
		while ((rc = db_step(st)) == DB_ROW) {
			str_adds(out, k++ ? "," : "");
			json_add_row(out, st,
			             "iid,ttransition,tfrom,tto,iuser_id,tuser_name,tcomment,Tat");
			/* The step's name as the process says it now, for whoever reads the
			 * history. */
			const struct transition *t =
			    process_transition(p, db_column_text(st, 1, NULL));
			str_truncate(out, out->len - 1);
			str_adds(out, ",\"label\":");
			if (t)
				str_add_jsons(out, label_get(&t->label, op->lang));
			else
				str_adds(out, "null");
			str_addc(out, '}');
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	if (rc)
		return crud_db_error(op, rc, "reading a process");
	str_adds(out, "]}");
	return 200;
}
