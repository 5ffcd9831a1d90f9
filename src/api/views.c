/*
 * Saved list views: a user's named search, filters, sort and columns for an entity's list, kept
 * on the server so they follow the user from browser to browser, and shared with everyone when
 * the owner says so. Only the owner or an administrator changes or removes one. Views are the
 * user's settings, not business data: they are not audited.
 */
#include "api.h"
#include "body.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/access.h"
#include "meta/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VIEW_NAME_MAX 100
#define VIEWS_MAX     50 /* per user and entity */

/* List parameters a view does not keep: paging, the projection (its columns are that), and the
 * one-off switches. */
static const char *const unsaved_params[] = {"limit",   "cursor", "fields", "total",
                                             "deleted", "reveal", NULL};

#define VIEW_SELECT                                                                                \
	"SELECT v.id, v.user_id, u.display_name, v.entity, v.name, v.query, v.columns, v.shared, " \
	"v.created_at, v.updated_at FROM saved_views v JOIN users u ON u.id = v.user_id"

static void view_json(struct req *r, struct db_stmt *st, struct str *out)
{
	int64_t owner = db_column_int(st, 1);
	str_adds(out, "{\"id\":");
	str_add_int(out, db_column_int(st, 0));
	str_adds(out, ",\"entity\":");
	str_add_jsons(out, db_column_text(st, 3, NULL));
	str_adds(out, ",\"name\":");
	str_add_jsons(out, db_column_text(st, 4, NULL));
	/* query and columns are JSON written here. */
	str_adds(out, ",\"query\":");
	str_adds(out, db_column_text(st, 5, NULL));
	str_adds(out, ",\"columns\":");
	str_adds(out, db_column_text(st, 6, NULL));
	str_adds(out, db_column_int(st, 7) ? ",\"shared\":true" : ",\"shared\":false");
	str_adds(out, ",\"user_id\":");
	str_add_int(out, owner);
	str_adds(out, ",\"owner_name\":");
	json_add_text_column(out, st, 2);
	str_adds(out, owner == r->session.user_id ? ",\"own\":true" : ",\"own\":false");
	str_adds(out, ",\"created_at\":");
	json_add_time_column(out, st, 8);
	str_adds(out, ",\"updated_at\":");
	json_add_time_column(out, st, 9);
	str_addc(out, '}');
}

/* Answer with one view (status 200 or 201). */
static void answer_view(struct req *r, int64_t id, int status)
{
	struct db_stmt *st;
	struct str out = STR_INIT;
	int rc = db_prepare(r->db, VIEW_SELECT " WHERE v.id = ?", &st);
	if (!rc) {
		db_bind_int(st, 1, id);
		if ((rc = db_step(st)) == DB_ROW)
			view_json(r, st, &out);
		db_reset(st);
	}
	if (rc != DB_ROW) {
		str_release(&out);
		body_answer_db(r, rc, NULL, NULL, "reading a view");
		return;
	}
	resp_json(r, status, &out);
	if (status == 201) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/views/%lld", (long long)id);
		resp_header(r, "Location", loc);
	}
}

/*
 * The entity of a view, which the caller must be able to list, into op: 1; 0 if there is no
 * such entity (a problem naming "entity" added); -1 after answering (403, a database failure).
 */
static int view_entity(struct req *r, const char *name, struct op *op)
{
	const struct entity *e = r->reg ? registry_entity(r->reg, name) : NULL;
	if (!e) {
		problem_add(&r->problem, "entity", "unknown_entity", NULL);
		return 0;
	}
	req_op(r, e, op);
	bool may = false;
	int rc = access_may_list(op, &may);
	if (rc)
		api_db_failure(r, rc, "checking access");
	else if (!may)
		resp_error(r, 403, "forbidden");
	return rc || !may ? -1 : 1;
}

/*
 * "query": an object of list parameters given as strings (q, sort, filters), checked by the
 * list's own parser as a request would be, its problems named "query.<parameter>"; *out its
 * JSON text.
 */
static void read_query(struct req *r, struct op *op, json_t *q, const char **out)
{
	if (!json_is_object(q)) {
		problem_add(&r->problem, "query", "invalid_type",
		            (const char *[]){"expected", "object", NULL});
		return;
	}
	struct kv *params = ARENA_NEW_ARRAY(&r->arena, struct kv, json_object_size(q) + 1);
	size_t n = 0;
	const char *key;
	json_t *v;
	json_object_foreach(q, key, v)
	{
		const char *field = arena_printf(&r->arena, "query.%s", key);
		if (!json_is_string(v))
			problem_add(&r->problem, field, "invalid_type",
			            (const char *[]){"expected", "string", NULL});
		else if (str_in_list(key, unsaved_params))
			problem_add(&r->problem, field, "unknown_parameter", NULL);
		else
			params[n++] =
			    (struct kv){.key = arena_strdup(&r->arena, key),
			                .value = arena_strdup(&r->arena, json_string_value(v))};
	}
	struct problem parsed;
	problem_init(&parsed, &r->arena);
	op->problem = &parsed;
	struct list_query lq;
	list_parse(op, params, n, NULL, &lq);
	op->problem = &r->problem;
	for (size_t i = 0; i < parsed.n_errors; i++) {
		const struct problem_error *e = &parsed.errors[i];
		problem_add(&r->problem,
		            e->field ? arena_printf(&r->arena, "query.%s", e->field) : "query",
		            e->code, e->params);
	}
	char *text = json_dumps(q, JSON_COMPACT);
	*out = arena_strdup(&r->arena, text);
	free(text);
}

/* "columns": names of fields of the entity that the API shows, each once; *out the JSON text. */
static void read_columns(struct req *r, const struct entity *e, json_t *a, const char **out)
{
	if (!json_is_array(a)) {
		problem_add(&r->problem, "columns", "invalid_type",
		            (const char *[]){"expected", "array", NULL});
		return;
	}
	struct str t = STR_INIT;
	str_addc(&t, '[');
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		const char *name = json_string_value(v);
		const struct field *f = name ? entity_field(e, name) : NULL;
		bool dup = false;
		for (size_t k = 0; k < i && f; k++)
			dup |= json_equal(json_array_get(a, k), v);
		if (!name)
			problem_add(&r->problem, "columns", "invalid_type",
			            (const char *[]){"expected", "string", NULL});
		else if (!f || !field_visible(f))
			problem_add(&r->problem, "columns", "unknown_field",
			            (const char *[]){"name", arena_strdup(&r->arena, name), NULL});
		else if (dup)
			problem_add(&r->problem, "columns", "duplicate", NULL);
		else
			str_addf(&t, i ? ",\"%s\"" : "\"%s\"", f->name); /* [a-z0-9_] */
	}
	str_addc(&t, ']');
	*out = arena_strndup(&r->arena, t.buf, t.len);
	str_release(&t);
}

struct view_change {
	const char *name, *query, *columns; /* NULL: unchanged */
	bool shared;
	enum body_member shared_set;
};

/* The members of a create (required ones and defaults) or a change, checked against the view's
 * entity (op; NULL when it is unknown, a problem already). */
static void read_view(struct req *r, json_t *body, struct op *op, bool create,
                      struct view_change *v)
{
	memset(v, 0, sizeof *v);
	if (body_text(r, body, "name", VIEW_NAME_MAX, create, &v->name) == BM_NULL)
		problem_add(&r->problem, "name", "required", NULL); /* a change may not clear it */
	json_t *q = json_object_get(body, "query"), *c = json_object_get(body, "columns");
	if (op && q)
		read_query(r, op, q, &v->query);
	if (op && c)
		read_columns(r, op->e, c, &v->columns);
	v->shared_set = body_bool(r, body, "shared", &v->shared);
	if (create) {
		v->query = v->query ? v->query : "{}";
		v->columns = v->columns ? v->columns : "[]";
		v->shared_set = BM_VALUE;
	}
}

/* Answer a failed write: a name taken by another of the owner's views is a 409. */
static void answer_write_failure(struct req *r, int rc, const char *what)
{
	if (rc == DB_ECONSTRAINT) {
		problem_add(&r->problem, "name", "duplicate", NULL);
		resp_error(r, 409, "duplicate");
	} else {
		body_answer_db(r, rc, NULL, NULL, what);
	}
}

/* The caller's own first, then those others share, each by entity and name. */
#define VIEW_ORDER \
	" ORDER BY CASE WHEN v.user_id = ? THEN 0 ELSE 1 END, v.entity, v.name, v.id LIMIT 1000"

void api_views_list(struct req *r)
{
	const char *name = NULL;
	for (size_t i = 0; i < r->n_query; i++)
		if (strcmp(r->query[i].key, "entity") == 0 && !name)
			name = r->query[i].value;
		else
			problem_add(&r->problem, r->query[i].key, "unknown_parameter", NULL);
	struct op op;
	int known = name && !r->problem.n_errors ? view_entity(r, name, &op) : 1;
	if (known < 0)
		return;
	if (!known || r->problem.n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	/* Without an entity: the views of every entity the caller may list. */
	size_t n_entities = r->reg ? r->reg->n_entities : 0;
	bool *may = ARENA_NEW_ARRAY(&r->arena, bool, n_entities + 1);
	int rc = DB_OK;
	for (size_t i = 0; i < n_entities && !name && !rc; i++) {
		req_op(r, &r->reg->entities[i], &op);
		rc = access_may_list(&op, &may[i]);
	}
	static const char *const sql[] = {
	    VIEW_SELECT " WHERE (v.user_id = ? OR v.shared = ?)" VIEW_ORDER,
	    VIEW_SELECT " WHERE (v.user_id = ? OR v.shared = ?) AND v.entity = ?" VIEW_ORDER};
	struct db_stmt *st;
	if (!rc)
		rc = db_prepare(r->db, sql[name != NULL], &st);
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	if (!rc) {
		int i = 1;
		db_bind_int(st, i++, r->session.user_id);
		db_bind_int(st, i++, 1);
		if (name)
			db_bind_texts(st, i++, name);
		db_bind_int(st, i, r->session.user_id);
		for (size_t n = 0; (rc = db_step(st)) == DB_ROW;) {
			const struct entity *e =
			    r->reg ? registry_entity(r->reg, db_column_text(st, 3, NULL)) : NULL;
			if (!name && (!e || !may[e - r->reg->entities]))
				continue;
			if (n++)
				str_addc(&out, ',');
			view_json(r, st, &out);
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	str_addc(&out, ']');
	api_answer_data(r, rc, &out, "listing views");
}

void api_view_create(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"entity", "name", "query", "columns", "shared", NULL};
	body_allow(r, body, allowed);
	const char *entity = NULL;
	struct op op;
	int known = 0;
	if (body_text(r, body, "entity", 64, true, &entity) == BM_VALUE &&
	    (known = view_entity(r, entity, &op)) < 0) {
		json_decref(body);
		return;
	}
	struct view_change v;
	read_view(r, body, known ? &op : NULL, true, &v);
	if (!body_checked(r, body))
		return;
	char user[24], now[TIME_ISO_LEN];
	snprintf(user, sizeof user, "%lld", (long long)r->session.user_id);
	time_now_iso(now);
	int64_t count = 0, id = 0;
	int rc = db_begin(r->db);
	/* The limit holds under concurrent creates: they queue on the owner's row. */
	if (!rc && db_kind(r->db) == DB_PG)
		rc = db_run(r->db, "SELECT id FROM users WHERE id = ? FOR UPDATE", 1,
		            (const char *[]){user});
	if (!rc)
		rc = db_query_int(
		    r->db, "SELECT count(*) FROM saved_views WHERE user_id = ? AND entity = ?", 2,
		    (const char *[]){user, op.e->name}, &count);
	struct db_stmt *st;
	if (!rc && count < VIEWS_MAX &&
	    !(rc = db_prepare(r->db,
	                      "INSERT INTO saved_views (user_id, entity, name, query, columns, "
	                      "shared, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
	                      "RETURNING id",
	                      &st))) {
		db_bind_int(st, 1, r->session.user_id);
		db_bind_texts(st, 2, op.e->name);
		db_bind_texts(st, 3, v.name);
		db_bind_texts(st, 4, v.query);
		db_bind_texts(st, 5, v.columns);
		db_bind_int(st, 6, v.shared);
		db_bind_texts(st, 7, now);
		db_bind_texts(st, 8, now);
		if (!(rc = db_step_id(st, &id)))
			rc = db_commit(r->db);
	}
	if (rc || count >= VIEWS_MAX)
		db_rollback(r->db);
	if (rc) {
		answer_write_failure(r, rc, "saving a view");
	} else if (count >= VIEWS_MAX) {
		problem_add(&r->problem, "name", "too_many", (const char *[]){"max", "50", NULL});
		resp_error(r, 422, "validation_failed");
	} else {
		answer_view(r, id, 201);
	}
}

/*
 * The view of the path, if the caller may change it: their own, or anyone's for an
 * administrator. False after answering: 404 when they cannot see it (another's, not shared),
 * 403 when they can. *entity gets its entity.
 */
static bool changeable_view(struct req *r, int64_t *id, const char **entity)
{
	if (!api_id(r, r->captures[0], id))
		return false;
	struct db_stmt *st;
	int64_t owner = 0;
	bool shared = false;
	int rc =
	    db_prepare(r->db, "SELECT user_id, shared, entity FROM saved_views WHERE id = ?", &st);
	if (!rc) {
		db_bind_int(st, 1, *id);
		if ((rc = db_step(st)) == DB_ROW) {
			owner = db_column_int(st, 0);
			shared = db_column_int(st, 1);
			*entity = arena_strdup(&r->arena, db_column_text(st, 2, NULL));
		}
		db_reset(st);
	}
	bool mine = owner == r->session.user_id || r->actor.admin;
	if (rc == DB_ROW && !mine && shared)
		resp_error(r, 403, "forbidden");
	else if (rc == DB_ROW && !mine)
		resp_error(r, 404, "not_found");
	else if (rc != DB_ROW)
		body_answer_db(r, rc, NULL, NULL, "reading a view");
	return rc == DB_ROW && mine;
}

void api_view_update(struct req *r)
{
	int64_t id;
	const char *entity;
	json_t *body;
	if (!changeable_view(r, &id, &entity) || !(body = api_json_body(r)))
		return;
	static const char *const allowed[] = {"name", "query", "columns", "shared", NULL};
	body_allow(r, body, allowed);
	struct op op;
	int known = view_entity(r, entity, &op);
	struct view_change v;
	if (known > 0)
		read_view(r, body, &op, false, &v);
	json_decref(body);
	if (known < 0)
		return;
	if (!known) { /* an entity gone from the model: its views are left to be deleted */
		resp_error(r, 404, "not_found");
		return;
	}
	if (r->problem.n_errors) {
		resp_error(r, 422, "validation_failed");
		return;
	}
	char sid[24], now[TIME_ISO_LEN];
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	time_now_iso(now);
	const char *shared = v.shared_set == BM_VALUE ? (v.shared ? "1" : "0") : NULL;
	int rc = db_run_one(r->db,
	                    "UPDATE saved_views SET name = coalesce(?, name), "
	                    "query = coalesce(?, query), columns = coalesce(?, columns), "
	                    "shared = coalesce(?, shared), updated_at = ? WHERE id = ?",
	                    6, (const char *[]){v.name, v.query, v.columns, shared, now, sid});
	if (rc)
		answer_write_failure(r, rc, "changing a view");
	else
		answer_view(r, id, 200);
}

void api_view_delete(struct req *r)
{
	int64_t id;
	const char *entity;
	if (!changeable_view(r, &id, &entity))
		return;
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	body_answer_done(
	    r, db_run_one(r->db, "DELETE FROM saved_views WHERE id = ?", 1, (const char *[]){sid}),
	    "deleting a view");
}
