#include "crud.h"
#include "access.h"
#include "audit.h"
#include "followup.h"
#include "hooks.h"
#include "owner_moves.h"
#include "process.h"
#include "query.h"
#include "refrules.h"
#include "search.h"
#include "sqlq.h"
#include "value.h"
#include "match/keys.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "services/webhook_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A record in memory: one value per field, indexed by field position. */
struct record {
	struct value *vals;
	int64_t id, version;
};

int crud_db_error(struct op *op, int rc, const char *what)
{
	switch (rc) {
	case DB_ECONSTRAINT: {
		const char *col = db_error_column(op->db);
		const struct field *f = col && op->e ? entity_field(op->e, col) : NULL;
		problem_add(op->problem, f ? f->name : NULL, "duplicate", NULL);
		return problem_set(op->problem, 409, "duplicate");
	}
	case DB_EFOREIGN:
		return problem_set(op->problem, 422, "reference_not_found");
	case DB_EBUSY:
	case DB_ECONN:
		log_warn("%s: %s (request %s)", what, db_errmsg(op->db), op->request_id);
		return problem_set(op->problem, 503, "db_busy");
	case DB_ETIMEOUT:
		log_warn("%s: %s (request %s)", what, db_errmsg(op->db), op->request_id);
		return problem_set(op->problem, 503, "timeout");
	case DB_EFULL:
		log_error("%s: %s (request %s)", what, db_errmsg(op->db), op->request_id);
		return problem_set(op->problem, 507, "db_full");
	default:
		log_error("%s: %s (request %s)", what, db_errmsg(op->db), op->request_id);
		return CRUD_FAULT;
	}
}

/* Roll back the open transaction and report a database error. */
static int fail_tx(struct op *op, int rc, const char *what)
{
	db_rollback(op->db);
	return crud_db_error(op, rc, what);
}

static struct list_query *all_fields(struct op *op)
{
	struct list_query *q = ARENA_NEW(op->arena, struct list_query);
	q->e = op->e;
	list_projection_all(op->arena, q);
	return q;
}

/* Load a record (live, or soft-deleted when deleted is true); DB_DONE if there is none. */
static int record_load(struct op *op, int64_t id, bool deleted, bool lock, struct record *r)
{
	const struct entity *e = op->e;
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT ");
	/* Every column in field order (the search tokens too: the FTS index needs the old ones). */
	sqlq_add(&s, e->columns_all);
	sqlq_addf(&s, " FROM \"%s\" t WHERE t.\"id\" = ", e->name);
	sqlq_int(&s, id);
	sqlq_addf(&s, " AND t.\"deleted_at\" IS %s", deleted ? "NOT NULL" : "NULL");
	/* A record the caller may not read is not there for them (404, never 403). */
	int rc = access_where(op, ACT_READ, &s);
	if (rc)
		goto out;
	if (lock && db_kind(op->db) == DB_PG)
		sqlq_add(&s, " FOR UPDATE");
	struct db_stmt *st;
	rc = sqlq_prepare(op->db, &s, &st);
	if (rc)
		goto out;
	rc = db_step(st);
	if (rc == DB_ROW) {
		r->vals = ARENA_NEW_ARRAY(op->arena, struct value, e->n_fields);
		int col = 0;
		for (size_t i = 0; i < e->n_fields; i++) {
			const struct field *f = &e->fields[i];
			struct value *v = &r->vals[i];
			value_from_column(f, st, &col, v);
			/* Copy out of the statement, which is reused. */
			if (v->kind == V_TEXT)
				v->s = arena_strndup(op->arena, v->s, v->n);
			if (v->currency)
				v->currency = arena_strdup(op->arena, v->currency);
		}
		r->id = id;
		const struct field *vf = entity_field(e, "version");
		r->version = r->vals[vf->position].i;
		rc = DB_OK;
	}
	db_reset(st);
out:
	sqlq_release(&s);
	return rc;
}

static void record_json(struct op *op, const struct record *r, struct str *out)
{
	const struct entity *e = op->e;
	str_addc(out, '{');
	bool first = true;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!field_visible(f))
			continue;
		if (!first)
			str_addc(out, ',');
		first = false;
		str_add_jsons(out, f->name);
		str_addc(out, ':');
		if ((f->flags & FF_SENSITIVE) && !op->reveal)
			access_mask_json(f, &r->vals[i], out);
		else
			value_to_json(out, f, &r->vals[i]);
	}
	str_addc(out, '}');
}

/* A field problem that is about permission, not the value, makes the whole answer a 403. */
static int body_problem(struct op *op)
{
	for (size_t i = 0; i < op->problem->n_errors; i++)
		if (strcmp(op->problem->errors[i].code, "forbidden_field") == 0)
			return problem_set(op->problem, 403, "forbidden");
	return problem_set(op->problem, 422, "validation_failed");
}

/* The answer when the caller may not do act on op->e at all. */
static int forbidden_unless(struct op *op, enum action act)
{
	return access_scope(op, act) == SCOPE_NONE ? problem_set(op->problem, 403, "forbidden") : 0;
}

/* Run a statement that ends in RETURNING <all visible fields> and render the row. */
static int run_returning(struct op *op, struct sqlq *s, struct str *out, struct crud_result *res,
                         bool *found)
{
	struct list_query *q = all_fields(op);
	int *cols = ARENA_NEW_ARRAY(op->arena, int, q->n_proj);
	sqlq_add(s, " RETURNING ");
	list_columns(q, s, cols, ""); /* RETURNING takes plain column names */
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, s, &st);
	if (rc)
		return rc;
	rc = db_step(st);
	*found = rc == DB_ROW;
	if (rc == DB_ROW) {
		list_row_json(q, st, cols, out);
		res->id = db_column_int(st, 0);
		const struct field *vf = entity_field(op->e, "version");
		for (size_t i = 0; i < q->n_proj; i++)
			if (q->proj[i] == vf)
				res->version = db_column_int(st, cols[i]);
		rc = db_step(st) == DB_DONE ? DB_OK : DB_ERROR;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

/* Whether op may set f: a request its writable fields, the system its read-only ones too. */
static bool settable(const struct op *op, const struct field *f)
{
	return op->actor ? field_writable(f) : field_system_writable(f);
}

/* Check the request body's fields into vals; marks present[] for the fields it sets. */
static void parse_body(struct op *op, const json_t *body, struct value *vals, bool *present)
{
	const struct entity *e = op->e;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)body, k, v)
	{
		const struct field *f = entity_field(e, k);
		const char *name = arena_strdup(op->arena, k);
		if (!f || !field_visible(f)) {
			problem_add(op->problem, name, "unknown_field", NULL);
			continue;
		}
		if (!settable(op, f)) {
			problem_add(op->problem, name, "read_only", NULL);
			continue;
		}
		if ((f->flags & FF_SENSITIVE) && access_scope(op, ACT_SENSITIVE) == SCOPE_NONE) {
			problem_add(op->problem, name, "forbidden_field", NULL);
			continue;
		}
		struct verr err;
		if (value_from_json(op->arena, f, v, &vals[f->position], &err)) {
			problem_add(op->problem, f->name, err.code, err.params);
			continue;
		}
		present[f->position] = true;
	}
}

/* A reference must name a live record the caller may read: one they may not is not there. */
static int reference_exists(struct op *op, const struct field *f, int64_t id, bool *exists)
{
	struct sqlq s;
	sqlq_init(&s);
	int rc = DB_OK;
	if (f->type == FT_USER) {
		sqlq_add(&s, "SELECT 1 FROM \"users\" WHERE \"id\" = ");
		sqlq_int(&s, id);
	} else {
		struct op target = *op;
		target.e = f->ref;
		target.shared = 0;
		sqlq_addf(&s, "SELECT 1 FROM \"%s\" t WHERE t.\"id\" = ", f->ref->name);
		sqlq_int(&s, id);
		sqlq_add(&s, " AND t.\"deleted_at\" IS NULL");
		rc = access_where(&target, ACT_READ, &s);
	}
	struct db_stmt *st;
	if (!rc && !(rc = sqlq_prepare(op->db, &s, &st))) {
		rc = db_step(st);
		*exists = rc == DB_ROW;
		db_reset(st);
		rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	}
	sqlq_release(&s);
	return rc;
}

/* Required fields among those marked in check[]: needs no database, so it runs first. */
static void check_required(struct op *op, const struct value *vals, const bool *check)
{
	const struct entity *e = op->e;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (check[i] && field_visible(f) && (f->flags & FF_REQUIRED) &&
		    vals[i].kind == V_NULL)
			problem_add(op->problem, f->name, "required", NULL);
	}
}

/* References of the fields marked in check[] must name live records. */
static int check_references(struct op *op, const struct value *vals, const bool *check)
{
	const struct entity *e = op->e;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!check[i] || !field_visible(f))
			continue;
		if ((f->type == FT_REFERENCE || f->type == FT_USER) && vals[i].kind == V_INT) {
			bool exists;
			int rc = reference_exists(op, f, vals[i].i, &exists);
			if (rc)
				return rc;
			if (!exists)
				problem_add(op->problem, f->name, "reference_not_found", NULL);
		}
	}
	return DB_OK;
}

void crud_changes_add(struct str *c, const struct field *f, const struct value *old,
                      const struct value *new)
{
	str_addc(c, c->len ? ',' : '{');
	str_add_jsons(c, f->name);
	str_add(c, ":[", 2);
	value_to_json(c, f, old);
	str_addc(c, ',');
	value_to_json(c, f, new);
	str_addc(c, ']');
}

int crud_bump_count(struct op *op, int64_t delta)
{
	struct db_stmt *st;
	int rc = db_prepare(
	    op->db, "UPDATE sys_row_counts SET live_rows = live_rows + ? WHERE table_name = ?",
	    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, delta);
	db_bind_texts(st, 2, op->e->name);
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* A stored answer for this key: 0 if none, else the status; *same tells if the request matches. */
static int idempotency_lookup(struct op *op, const struct idempotency *idem, struct str *out,
                              struct crud_result *res, bool *same, int *status)
{
	struct db_stmt *st;
	*status = 0;
	int rc = db_prepare(op->db,
	                    "SELECT request_hash, status, response, location FROM sys_idempotency "
	                    "WHERE user_id = ? AND key = ?",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, op->user_id);
	db_bind_texts(st, 2, idem->key);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*same = strcmp(db_column_text(st, 0, NULL), idem->request_hash) == 0;
		*status = (int)db_column_int(st, 1);
		if (*same) {
			size_t n;
			const char *body = db_column_text(st, 2, &n);
			str_add(out, body, n);
			res->id = db_column_int(st, 3);
			res->replayed = true;
		}
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

static int idempotency_store(struct op *op, const struct idempotency *idem, int status,
                             const char *body, size_t n, int64_t id)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               "INSERT INTO sys_idempotency (user_id, key, request_hash, status, response, "
	               "location, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	               &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, op->user_id);
	db_bind_texts(st, 2, idem->key);
	db_bind_texts(st, 3, idem->request_hash);
	db_bind_int(st, 4, status);
	db_bind_text(st, 5, body, n);
	db_bind_int(st, 6, id);
	db_bind_texts(st, 7, now);
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int answer_replay(struct op *op, int status, bool same)
{
	if (!same)
		return problem_set(op->problem, 422, "idempotency_key_reused");
	return status;
}

/*
 * Showing a record's sensitive fields (reveal): only within the scope for sensitive fields, and
 * every time in the audit trail, with the names of the fields that had a value.
 */
static int reveal_record(struct op *op, const struct record *r)
{
	int rc = access_check_record(op, ACT_SENSITIVE, r->id);
	if (rc == DB_DONE)
		return problem_set(op->problem, 403, "forbidden");
	if (rc)
		return crud_db_error(op, rc, "reveal");
	struct str c = STR_INIT;
	const struct entity *e = op->e;
	str_adds(&c, "{\"fields\":[");
	size_t n = 0;
	for (size_t i = 0; i < e->n_fields; i++)
		if ((e->fields[i].flags & FF_SENSITIVE) && field_visible(&e->fields[i]) &&
		    r->vals[i].kind != V_NULL) {
			if (n++)
				str_addc(&c, ',');
			str_add_jsons(&c, e->fields[i].name);
		}
	str_adds(&c, "]}");
	rc = audit_write(op, "reveal", e->name, r->id, c.buf);
	str_release(&c);
	return rc ? crud_db_error(op, rc, "reveal") : 0;
}

int crud_get(struct op *op, int64_t id, bool deleted, struct str *out, struct crud_result *res)
{
	struct record r;
	int rc = record_load(op, id, deleted, false, &r);
	if (rc == DB_DONE)
		return problem_set(op->problem, 404, "not_found");
	if (rc)
		return crud_db_error(op, rc, "get");
	if (op->reveal && (rc = reveal_record(op, &r)))
		return rc;
	record_json(op, &r, out);
	res->id = id;
	res->version = r.version;
	return 200;
}

/*
 * A create's values from its body, checked before any transaction is opened: vals, and which
 * fields were checked (check). 0, or a negative status with op->problem set.
 */
static int create_values(struct op *op, const json_t *body, struct value **valsp, bool **checkp)
{
	const struct entity *e = op->e;
	struct value *vals = ARENA_NEW_ARRAY(op->arena, struct value, e->n_fields);
	bool *present = ARENA_NEW_ARRAY(op->arena, bool, e->n_fields);
	bool *check = ARENA_NEW_ARRAY(op->arena, bool, e->n_fields);
	*valsp = vals;
	*checkp = check;
	parse_body(op, body, vals, present);
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		check[i] = settable(op, f);
		if (!present[i] && settable(op, f))
			value_default(op->arena, f, &vals[i]);
	}
	/* A record that follows a process starts in its initial state, whatever was sent. */
	if (e->process) {
		const struct field *sf = e->process->state_field;
		struct value *v = &vals[sf->position];
		if (present[sf->position] &&
		    !(v->kind == V_TEXT && v->n == strlen(e->process->initial) &&
		      !memcmp(v->s, e->process->initial, v->n)))
			problem_add(op->problem, sf->name, "state_by_transition",
			            (const char *[]){"initial", e->process->initial, NULL});
		v->kind = V_TEXT;
		v->s = e->process->initial;
		v->n = strlen(e->process->initial);
	}
	if (forbidden_unless(op, ACT_CREATE))
		return -1;
	const struct field *owner = entity_field(e, "owner_id");
	if (owner && !present[owner->position] && op->user_id) {
		vals[owner->position].kind = V_INT;
		vals[owner->position].i = op->user_id;
	}
	/* A field that failed its type check is absent here, not missing: no second error. */
	for (size_t i = 0; i < op->problem->n_errors; i++) {
		const struct field *bad = op->problem->errors[i].field
		                              ? entity_field(e, op->problem->errors[i].field)
		                              : NULL;
		if (bad)
			check[bad->position] = false;
	}
	check_required(op, vals, check);
	if (op->problem->n_errors)
		return body_problem(op);
	return 0;
}

/*
 * Insert a checked create inside the caller's transaction: its references, its organisation
 * unit, the row, the search index, the audit row, the webhooks and the count. 201, or a
 * negative status with op->problem set (the caller rolls back).
 */
static int insert_record(struct op *op, struct value *vals, bool *check, struct str *out,
                         struct crud_result *res)
{
	const struct entity *e = op->e;
	const struct field *owner = entity_field(e, "owner_id");
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	int rc;
	if ((rc = check_references(op, vals, check)) ||
	    (!op->problem->n_errors && (rc = refrules_check(op, 0, vals, check))))
		return crud_db_error(op, rc, "create");
	if (op->problem->n_errors)
		return problem_set(op->problem, 422, "validation_failed");
	/* The record's organisation unit is its owner's (and who owns it, the caller may say). */
	int64_t unit = 0;
	if (owner && vals[owner->position].kind == V_INT) {
		bool may;
		if ((rc = access_check_owner(op, vals[owner->position].i, &may, &unit)))
			return crud_db_error(op, rc, "create");
		if (!may) {
			problem_add(op->problem, "owner_id", "forbidden_field", NULL);
			return problem_set(op->problem, 403, "forbidden");
		}
	}

	struct str tokens = STR_INIT;
	if (e->searchable)
		search_tokens_build(e, vals, &tokens);
	struct sqlq s;
	sqlq_init(&s);
	sqlq_addf(&s, "INSERT INTO \"%s\" (", e->name);
	bool first = true;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!settable(op, f) || vals[i].kind == V_NULL)
			continue;
		if (!first)
			sqlq_add(&s, ", ");
		sqlq_field(&s, "", f);
		first = false;
	}
	sqlq_addf(&s,
	          "%s\"created_at\", \"updated_at\", \"created_by\", \"updated_by\", \"version\"",
	          first ? "" : ", ");
	if (unit)
		sqlq_add(&s, ", \"org_unit_id\"");
	if (e->searchable)
		sqlq_add(&s, ", \"search_tokens\"");
	sqlq_add(&s, ") VALUES (");
	first = true;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!settable(op, f) || vals[i].kind == V_NULL)
			continue;
		if (!first)
			sqlq_add(&s, ", ");
		first = false;
		sqlq_value(&s, &vals[i]);
		if (f->type == FT_MONEY) {
			sqlq_add(&s, ", ");
			const char *cur = vals[i].currency ? vals[i].currency : "CNY";
			sqlq_text(&s, cur, strlen(cur));
		}
	}
	if (!first)
		sqlq_add(&s, ", ");
	sqlq_texts(&s, now);
	sqlq_add(&s, ", ");
	sqlq_texts(&s, now);
	sqlq_add(&s, ", ");
	sqlq_user(&s, op->user_id);
	sqlq_add(&s, ", ");
	sqlq_user(&s, op->user_id);
	sqlq_add(&s, ", 1");
	if (unit) {
		sqlq_add(&s, ", ");
		sqlq_int(&s, unit);
	}
	if (e->searchable) {
		sqlq_add(&s, ", ");
		sqlq_text(&s, tokens.buf, tokens.len);
	}
	sqlq_add(&s, ")");
	bool found;
	rc = run_returning(op, &s, out, res, &found);
	sqlq_release(&s);
	if (!rc) {
		char *tok = tokens.buf;
		rc = search_index_add(op->db, e, &res->id, &tok, 1);
	}
	if (!rc)
		rc = match_keys_put(op->db, e, res->id, vals);
	if (!rc)
		rc = followup_touch(op->db, e, vals);
	str_release(&tokens);
	if (rc)
		return crud_db_error(op, rc, "create");

	struct str changes = STR_INIT;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (field_visible(f) && settable(op, f) && vals[i].kind != V_NULL) {
			static const struct value null_value = {.kind = V_NULL};
			crud_changes_add(&changes, f, &null_value, &vals[i]);
		}
	}
	if (changes.len)
		str_addc(&changes, '}');
	rc = audit_write(op, "create", e->name, res->id, changes.len ? changes.buf : NULL);
	if (!rc)
		rc =
		    webhook_events_record(op, "created", res->id, changes.len ? changes.buf : NULL);
	str_release(&changes);
	if (!rc)
		rc = crud_bump_count(op, 1);
	if (rc)
		return crud_db_error(op, rc, "create");
	const struct record_hooks *h = record_hooks_of(e);
	int status = h && h->created ? h->created(op, res->id, vals) : 0;
	return status < 0 ? status : 201;
}

int crud_create_in_tx(struct op *op, const json_t *body, struct str *out, struct crud_result *res)
{
	struct value *vals;
	bool *check;
	int status = create_values(op, body, &vals, &check);
	return status < 0 ? status : insert_record(op, vals, check, out, res);
}

int crud_create(struct op *op, const json_t *body, const struct idempotency *idem, struct str *out,
                struct crud_result *res)
{
	struct value *vals;
	bool *check;
	int status = create_values(op, body, &vals, &check);
	if (status < 0)
		return status;
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "create");
	if (idem && idem->key) {
		bool same = false;
		if ((rc = idempotency_lookup(op, idem, out, res, &same, &status)))
			return fail_tx(op, rc, "create");
		if (status) {
			db_rollback(op->db);
			return answer_replay(op, status, same);
		}
	}
	size_t out_start = out->len;
	status = insert_record(op, vals, check, out, res);
	if (status < 0) {
		db_rollback(op->db);
		str_truncate(out, out_start);
		return status;
	}
	if (idem && idem->key)
		rc = idempotency_store(op, idem, 201, out->buf + out_start, out->len - out_start,
		                       res->id);
	if (rc == DB_ECONSTRAINT && idem && idem->key) {
		/* Another request with the same key committed first: answer as it did. */
		db_rollback(op->db);
		str_truncate(out, out_start);
		bool same = false;
		if ((rc = idempotency_lookup(op, idem, out, res, &same, &status)))
			return crud_db_error(op, rc, "create");
		return status ? answer_replay(op, status, same)
		              : problem_set(op->problem, 409, "request_in_progress");
	}
	if (rc || (rc = db_commit(op->db))) {
		str_truncate(out, out_start);
		return fail_tx(op, rc, "create");
	}
	return 201;
}

/*
 * What a change needs beyond update: a new owner needs assign on the record and an owner within
 * its scope (the record then moves to the owner's unit); sensitive fields sent need their scope.
 */
static int check_change_access(struct op *op, int64_t id, struct value *next, bool *changed,
                               const bool *present)
{
	const struct entity *e = op->e;
	const struct field *owner = entity_field(e, "owner_id");
	int rc;
	if (owner && changed[owner->position]) {
		bool may = false;
		int64_t unit = 0;
		rc = access_check_record(op, ACT_ASSIGN, id);
		if (rc == DB_OK && next[owner->position].kind == V_INT)
			rc = access_check_owner(op, next[owner->position].i, &may, &unit);
		else if (rc == DB_OK)
			may = true; /* no owner: the record leaves its unit as it is */
		if (rc && rc != DB_DONE)
			return crud_db_error(op, rc, "update");
		if (rc == DB_DONE || !may) {
			problem_add(op->problem, "owner_id", "forbidden_field", NULL);
			return problem_set(op->problem, 403, "forbidden");
		}
		const struct field *uf = entity_field(e, "org_unit_id");
		if (next[owner->position].kind == V_INT) {
			struct value *u = &next[uf->position];
			struct value want = {.kind = unit ? V_INT : V_NULL, .i = unit};
			if (!value_equal(uf, u, &want)) {
				*u = want;
				changed[uf->position] = true;
			}
		}
	}
	/* Sent, not only changed: a 200 for the current value and a 403 for any other would
	 * tell the value one guess at a time. */
	for (size_t i = 0; i < e->n_fields; i++) {
		if (!present[i] || !(e->fields[i].flags & FF_SENSITIVE))
			continue;
		if ((rc = access_check_record(op, ACT_SENSITIVE, id)) == DB_DONE) {
			problem_add(op->problem, e->fields[i].name, "forbidden_field", NULL);
			return problem_set(op->problem, 403, "forbidden");
		}
		if (rc)
			return crud_db_error(op, rc, "update");
		break;
	}
	return 0;
}

/*
 * Apply patch (the fields marked in present[]) to a live record inside the caller's
 * transaction. Returns 200, 404 as a problem, or <0; never commits or rolls back.
 */
static int update_record(struct op *op, int64_t id, const struct value *patch, const bool *present,
                         int64_t if_match, struct str *out, struct crud_result *res)
{
	const struct entity *e = op->e;
	struct record cur;
	int rc = record_load(op, id, false, true, &cur);
	if (rc == DB_DONE)
		return problem_set(op->problem, 404, "not_found");
	if (rc)
		return crud_db_error(op, rc, "update");
	if ((rc = access_check_record(op, ACT_UPDATE, id)) == DB_DONE)
		return problem_set(op->problem, 403, "forbidden");
	if (rc)
		return crud_db_error(op, rc, "update");
	/* A state moves only by its process's transitions. */
	if (e->process && !op->in_transition && present[e->process->state_field->position]) {
		problem_add(op->problem, e->process->state_field->name, "state_by_transition",
		            (const char *[]){"initial", e->process->initial, NULL});
		return problem_set(op->problem, 409, "conflict");
	}
	if (if_match >= 0 && if_match != cur.version) {
		/* The caller edited an older version: show what is there now. */
		struct str now = STR_INIT;
		str_adds(&now, "\"current\":");
		record_json(op, &cur, &now);
		op->problem->extra = arena_strndup(op->arena, now.buf, now.len);
		str_release(&now);
		problem_add(op->problem, NULL, "stale_version", NULL);
		return problem_set(op->problem, 409, "conflict");
	}
	bool *changed = ARENA_NEW_ARRAY(op->arena, bool, e->n_fields);
	struct value *next = ARENA_NEW_ARRAY(op->arena, struct value, e->n_fields);
	bool any = false, search_changed = false;
	for (size_t i = 0; i < e->n_fields; i++) {
		next[i] = cur.vals[i];
		if (present[i] && !value_equal(&e->fields[i], &cur.vals[i], &patch[i])) {
			next[i] = patch[i];
			changed[i] = any = true;
			if (e->fields[i].flags & FF_SEARCHABLE)
				search_changed = true;
		}
	}
	check_required(op, next, changed);
	if (op->problem->n_errors)
		return problem_set(op->problem, 422, "validation_failed");
	if ((rc = check_references(op, next, changed)) ||
	    (!op->problem->n_errors && (rc = refrules_check(op, id, next, changed))))
		return crud_db_error(op, rc, "update");
	if (op->problem->n_errors)
		return problem_set(op->problem, 422, "validation_failed");
	if ((rc = check_change_access(op, id, next, changed, present)))
		return rc;
	bool moving;
	owner_moves_prepare(op, cur.vals, next, changed, &moving);
	res->id = id;
	if (!any) {
		record_json(op, &cur, out);
		res->version = cur.version;
		return 200;
	}
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct str tokens = STR_INIT, changes = STR_INIT;
	struct sqlq s;
	sqlq_init(&s);
	sqlq_addf(&s, "UPDATE \"%s\" SET ", e->name);
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!changed[i])
			continue;
		sqlq_addf(&s, "\"%s\" = ", f->name);
		sqlq_value(&s, &next[i]);
		if (f->type == FT_MONEY) {
			sqlq_addf(&s, ", \"%s_currency\" = ", f->name);
			if (next[i].kind == V_NULL)
				sqlq_null(&s);
			else
				sqlq_text(&s, next[i].currency, strlen(next[i].currency));
		}
		sqlq_add(&s, ", ");
		crud_changes_add(&changes, f, &cur.vals[i], &next[i]);
	}
	str_addc(&changes, '}');
	if (search_changed) {
		search_tokens_build(e, next, &tokens);
		sqlq_add(&s, "\"search_tokens\" = ");
		sqlq_text(&s, tokens.buf, tokens.len);
		sqlq_add(&s, ", ");
	}
	sqlq_add(&s, "\"version\" = \"version\" + 1, \"updated_at\" = ");
	sqlq_texts(&s, now);
	sqlq_add(&s, ", \"updated_by\" = ");
	sqlq_user(&s, op->user_id);
	sqlq_add(&s, " WHERE \"id\" = ");
	sqlq_int(&s, id);
	sqlq_add(&s, " AND \"version\" = ");
	sqlq_int(&s, cur.version);
	bool found;
	size_t start = out->len;
	rc = run_returning(op, &s, out, res, &found);
	sqlq_release(&s);
	if (!rc && !found)
		rc = DB_EBUSY; /* cannot happen under the row lock; a retry will tell */
	if (!rc && search_changed) {
		const struct value *old = &cur.vals[entity_field(e, "search_tokens")->position];
		rc = search_index_change(op->db, e, id, old->kind == V_TEXT ? old->s : NULL, old->n,
		                         tokens.buf);
	}
	if (!rc && match_keys_changed(e, cur.vals, next) &&
	    !(rc = match_keys_drop(op->db, e, id, cur.vals)))
		rc = match_keys_put(op->db, e, id, next);
	if (!rc && followup_changed(e, changed))
		rc = followup_touch(op->db, e, next);
	if (!rc && moving)
		rc = owner_moves_record(op, id, cur.vals, next);
	str_release(&tokens);
	if (!rc)
		rc = audit_write(op, "update", e->name, id, changes.buf);
	if (!rc)
		rc = webhook_events_record(op, "updated", id, op->erasing ? NULL : changes.buf);
	str_release(&changes);
	if (rc) {
		str_truncate(out, start);
		return crud_db_error(op, rc, "update");
	}
	const struct record_hooks *h = record_hooks_of(e);
	int status = h && h->updated ? h->updated(op, id, cur.vals, next, changed) : 0;
	if (status < 0)
		str_truncate(out, start);
	return status < 0 ? status : 200;
}

int crud_update_in_tx(struct op *op, int64_t id, const json_t *body, int64_t if_match,
                      struct str *out, struct crud_result *res)
{
	const struct entity *e = op->e;
	struct value *patch = ARENA_NEW_ARRAY(op->arena, struct value, e->n_fields);
	bool *present = ARENA_NEW_ARRAY(op->arena, bool, e->n_fields);
	parse_body(op, body, patch, present);
	if (op->problem->n_errors)
		return body_problem(op);
	return update_record(op, id, patch, present, if_match, out, res);
}

int crud_update(struct op *op, int64_t id, const json_t *body, int64_t if_match, struct str *out,
                struct crud_result *res)
{
	const struct entity *e = op->e;
	struct value *patch = ARENA_NEW_ARRAY(op->arena, struct value, e->n_fields);
	bool *present = ARENA_NEW_ARRAY(op->arena, bool, e->n_fields);
	parse_body(op, body, patch, present);
	if (op->problem->n_errors)
		return body_problem(op);
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "update");
	int status = update_record(op, id, patch, present, if_match, out, res);
	if (status < 0) {
		db_rollback(op->db);
		return status;
	}
	if ((rc = db_commit(op->db)))
		return fail_tx(op, rc, "update");
	return status;
}

/*
 * Soft-delete one record inside the caller's transaction: its checks, the row, the search
 * index, the audit and the count. 204, or a negative status with op->problem set (the caller
 * rolls back).
 */
static int delete_record(struct op *op, int64_t id, int64_t if_match)
{
	const struct entity *e = op->e;
	struct record cur;
	int rc = record_load(op, id, false, true, &cur);
	if (rc == DB_DONE)
		return problem_set(op->problem, 404, "not_found");
	if (rc)
		return crud_db_error(op, rc, "delete");
	if ((rc = access_check_record(op, ACT_DELETE, id)) == DB_DONE)
		return problem_set(op->problem, 403, "forbidden");
	if (rc)
		return crud_db_error(op, rc, "delete");
	if (if_match >= 0 && if_match != cur.version) {
		problem_add(op->problem, NULL, "stale_version", NULL);
		return problem_set(op->problem, 409, "conflict");
	}
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	char sql[256];
	snprintf(sql, sizeof sql,
	         "UPDATE \"%s\" SET \"deleted_at\" = ?, \"updated_at\" = ?, \"updated_by\" = ?, "
	         "\"version\" = \"version\" + 1 WHERE \"id\" = ? AND \"deleted_at\" IS NULL",
	         e->name);
	if ((rc = db_prepare(op->db, sql, &st)))
		return crud_db_error(op, rc, "delete");
	db_bind_texts(st, 1, now);
	db_bind_texts(st, 2, now);
	if (op->user_id)
		db_bind_int(st, 3, op->user_id);
	else
		db_bind_null(st, 3);
	db_bind_int(st, 4, id);
	rc = db_step(st);
	db_reset(st);
	if (rc != DB_DONE)
		return crud_db_error(op, rc, "delete");
	const struct value *tok = &cur.vals[entity_field(e, "search_tokens")->position];
	if ((rc =
	         search_index_remove(op->db, e, id, tok->kind == V_TEXT ? tok->s : NULL, tok->n)) ||
	    (rc = match_keys_drop(op->db, e, id, cur.vals)) ||
	    (rc = audit_write(op, "delete", e->name, id, NULL)) ||
	    (rc = webhook_events_record(op, "deleted", id, NULL)) || (rc = crud_bump_count(op, -1)))
		return crud_db_error(op, rc, "delete");
	const struct record_hooks *h = record_hooks_of(e);
	int status = h && h->removed ? h->removed(op, id, cur.vals, false) : 0;
	return status < 0 ? status : 204;
}

int crud_delete_in_tx(struct op *op, int64_t id, int64_t if_match)
{
	return delete_record(op, id, if_match);
}

int crud_delete(struct op *op, int64_t id, int64_t if_match)
{
	int rc;
	if ((rc = db_begin(op->db)))
		return crud_db_error(op, rc, "delete");
	int status = delete_record(op, id, if_match);
	if (status < 0) {
		db_rollback(op->db);
		return status;
	}
	if ((rc = db_commit(op->db)))
		return fail_tx(op, rc, "delete");
	return status;
}

int crud_restore(struct op *op, int64_t id, struct str *out, struct crud_result *res)
{
	const struct entity *e = op->e;
	if (!op->admin)
		return problem_set(op->problem, 403, "forbidden");
	int rc;
	if ((rc = db_begin(op->db)))
		return crud_db_error(op, rc, "restore");
	struct record cur;
	rc = record_load(op, id, true, true, &cur);
	if (rc == DB_DONE) {
		db_rollback(op->db);
		return problem_set(op->problem, 404, "not_found");
	}
	if (rc)
		return fail_tx(op, rc, "restore");
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct sqlq s;
	sqlq_init(&s);
	sqlq_addf(&s, "UPDATE \"%s\" SET \"deleted_at\" = NULL, \"updated_at\" = ", e->name);
	sqlq_texts(&s, now);
	sqlq_add(&s, ", \"updated_by\" = ");
	sqlq_user(&s, op->user_id);
	sqlq_add(&s, ", \"version\" = \"version\" + 1 WHERE \"id\" = ");
	sqlq_int(&s, id);
	sqlq_add(&s, " AND \"deleted_at\" IS NOT NULL");
	bool found;
	size_t start = out->len;
	rc = run_returning(op, &s, out, res, &found);
	sqlq_release(&s);
	if (rc) {
		str_truncate(out, start);
		return fail_tx(op, rc, "restore");
	}
	if (!found) {
		db_rollback(op->db);
		return problem_set(op->problem, 404, "not_found");
	}
	const struct value *tok = &cur.vals[entity_field(e, "search_tokens")->position];
	char *tokens = (char *)(tok->kind == V_TEXT ? tok->s : "");
	if ((rc = search_index_add(op->db, e, &id, &tokens, 1)) ||
	    (rc = match_keys_put(op->db, e, id, cur.vals)) ||
	    (rc = audit_write(op, "restore", e->name, id, NULL)) ||
	    (rc = webhook_events_record(op, "restored", id, NULL)) ||
	    (rc = crud_bump_count(op, 1))) {
		str_truncate(out, start);
		return fail_tx(op, rc, "restore");
	}
	const struct record_hooks *h = record_hooks_of(e);
	int status = h && h->removed ? h->removed(op, id, cur.vals, true) : 0;
	if (status < 0) {
		str_truncate(out, start);
		db_rollback(op->db);
		return status;
	}
	if ((rc = db_commit(op->db))) {
		str_truncate(out, start);
		return fail_tx(op, rc, "restore");
	}
	return 200;
}

/* A bulk call's body: only the members named, and 1 to CRUD_BULK_MAX positive integer ids. */
static void bulk_body(struct op *op, const json_t *body, const char *const *allowed)
{
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)body, k, x) if (!str_in_list(k, allowed))
	    problem_add(op->problem, arena_strdup(op->arena, k), "unknown_field", NULL);
	const json_t *ids = json_object_get(body, "ids");
	size_t n = json_array_size(ids);
	if (!json_is_array(ids) || n == 0)
		problem_add(op->problem, "ids", "required", NULL);
	else if (n > CRUD_BULK_MAX)
		problem_add(op->problem, "ids", "too_many", (const char *[]){"max", "1000", NULL});
	for (size_t i = 0; i < n; i++)
		if (!json_is_integer(json_array_get(ids, i)) ||
		    json_integer_value(json_array_get(ids, i)) <= 0) {
			problem_add(op->problem, "ids", "invalid_id", NULL);
			break;
		}
}

/*
 * One transaction applying `one` to every id: all or nothing. A record not found (or not
 * readable) names its id under `ids`; any other refusal is the record's own.
 */
static int bulk_run(struct op *op, const json_t *ids, int (*one)(struct op *, int64_t, void *),
                    void *ctx, const char *what, size_t *done)
{
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, what);
	*done = 0;
	for (size_t i = 0; i < json_array_size(ids); i++) {
		int64_t id = json_integer_value(json_array_get(ids, i));
		int status = one(op, id, ctx);
		if (status == -1 && op->problem->status == 404) {
			op->problem->status = 0;
			problem_add(op->problem, "ids", "id_not_found",
			            (const char *[]){"id",
			                             arena_printf(op->arena, "%lld", (long long)id),
			                             NULL});
			status = problem_set(op->problem, 422, "validation_failed");
		}
		if (status < 0) {
			db_rollback(op->db);
			return status;
		}
		++*done;
	}
	if ((rc = db_commit(op->db)))
		return fail_tx(op, rc, what);
	return 200;
}

struct bulk_change {
	const struct value *patch;
	const bool *present;
	struct str *scratch;
};

static int bulk_update_one(struct op *op, int64_t id, void *ctx)
{
	struct bulk_change *c = ctx;
	struct crud_result r;
	str_reset(c->scratch);
	return update_record(op, id, c->patch, c->present, -1, c->scratch, &r);
}

static int bulk_delete_one(struct op *op, int64_t id, void *ctx)
{
	(void)ctx;
	return delete_record(op, id, -1);
}

int crud_bulk_update(struct op *op, const json_t *body, struct str *out)
{
	const struct entity *e = op->e;
	const json_t *ids = json_object_get(body, "ids"), *value = json_object_get(body, "value");
	const char *fname = json_string_value(json_object_get(body, "field"));
	static const char *const allowed[] = {"ids", "field", "value", NULL};
	bulk_body(op, body, allowed);
	const struct field *f = fname ? entity_field(e, fname) : NULL;
	if (!fname)
		problem_add(op->problem, "field", "required", NULL);
	else if (!f || !field_visible(f))
		problem_add(op->problem, "field", "unknown_field", NULL);
	else if (!field_writable(f))
		problem_add(op->problem, "field", "read_only", NULL);
	else if ((f->flags & FF_SENSITIVE) && access_scope(op, ACT_SENSITIVE) == SCOPE_NONE)
		problem_add(op->problem, "field", "forbidden_field", NULL);
	else if (!value)
		problem_add(op->problem, "value", "required", NULL);
	struct value *patch = ARENA_NEW_ARRAY(op->arena, struct value, e->n_fields);
	bool *present = ARENA_NEW_ARRAY(op->arena, bool, e->n_fields);
	if (!op->problem->n_errors) {
		struct verr err;
		if (value_from_json(op->arena, f, value, &patch[f->position], &err))
			problem_add(op->problem, "value", err.code, err.params);
		present[f->position] = true;
	}
	if (op->problem->n_errors)
		return body_problem(op);
	/* Every record goes through the one update path: same checks, same audit. */
	struct str scratch = STR_INIT;
	struct bulk_change change = {patch, present, &scratch};
	size_t updated;
	int status = bulk_run(op, ids, bulk_update_one, &change, "bulk update", &updated);
	str_release(&scratch);
	if (status < 0)
		return status;
	str_addf(out, "{\"updated\":%zu}", updated);
	return 200;
}

int crud_bulk_delete(struct op *op, const json_t *body, struct str *out)
{
	static const char *const allowed[] = {"ids", NULL};
	bulk_body(op, body, allowed);
	const json_t *ids = json_object_get(body, "ids");
	if (op->problem->n_errors)
		return body_problem(op);
	size_t deleted;
	int status = bulk_run(op, ids, bulk_delete_one, NULL, "bulk delete", &deleted);
	if (status < 0)
		return status;
	str_addf(out, "{\"deleted\":%zu}", deleted);
	return 200;
}
