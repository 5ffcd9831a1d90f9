#include "merge.h"
#include "access.h"
#include "audit.h"
#include "members.h"
#include "refrules.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

/* The body: the other record's id, and the fields to take from it (checked against op->e). */
static int read_body(struct op *op, int64_t id, const json_t *body, int64_t *from, json_t **take)
{
	static const char *const members[] = {"from", "take", NULL};
	json_t *v;
	if (!json_is_object(body)) {
		problem_add(op->problem, NULL, "invalid_json", NULL);
		return problem_set(op->problem, 400, "bad_request");
	}
	members_check(op, body, members);
	json_t *f = json_object_get(body, "from");
	*from = json_is_integer(f) ? json_integer_value(f) : 0;
	if (!f)
		problem_add(op->problem, "from", "required", NULL);
	else if (*from <= 0)
		problem_add(op->problem, "from", "invalid_type",
		            (const char *[]){"expected", "a record id", NULL});
	else if (*from == id)
		problem_add(op->problem, "from", "same_record", NULL);
	*take = json_object_get(body, "take");
	if (*take && !json_is_array(*take))
		problem_add(op->problem, "take", "invalid_type",
		            (const char *[]){"expected", "a list of field names", NULL});
	size_t i;
	json_array_foreach(*take, i, v)
	{
		const struct field *fld =
		    json_is_string(v) ? entity_field(op->e, json_string_value(v)) : NULL;
		if (!fld || !field_visible(fld) || !field_writable(fld))
			problem_add(op->problem, arena_printf(op->arena, "take[%zu]", i),
			            "unknown_field", NULL);
	}
	return op->problem->n_errors ? problem_set(op->problem, 422, "validation_failed") : 0;
}

/* Move what refers to record `from` by column `column` of table to `into`; *moved of them.
 * Records of an entity are changed as records (version, time, user, an audit row each). */
static int move(struct op *op, const struct entity *child, const char *table, const char *column,
                const char *entity_column, int64_t from, int64_t into, int64_t *moved)
{
	char f[24], t[24], now[TIME_ISO_LEN], by[24];
	snprintf(f, sizeof f, "%lld", (long long)from);
	snprintf(t, sizeof t, "%lld", (long long)into);
	snprintf(by, sizeof by, "%lld", (long long)op->user_id);
	time_now_iso(now);
	char sql[512];
	int rc;
	*moved = 0;
	if (!child) {
		/* A table of the system's (files, shares, reminders): entity and record columns. */
		snprintf(sql, sizeof sql, "UPDATE %s SET %s = ? WHERE %s = ? AND %s = ?", table,
		         column, entity_column, column);
		rc = db_run(op->db, sql, 3, (const char *[]){t, op->e->name, f});
		if (!rc)
			*moved = db_changes(op->db);
		return rc;
	}
	struct db_stmt *st;
	snprintf(sql, sizeof sql,
	         "SELECT \"id\" FROM \"%s\" WHERE \"%s\" = ? AND \"deleted_at\" IS NULL%s%s%s",
	         child->name, column, entity_column ? " AND \"" : "",
	         entity_column ? entity_column : "", entity_column ? "\" = ?" : "");
	if ((rc = db_prepare(op->db, sql, &st)))
		return rc;
	db_bind_int(st, 1, from);
	if (entity_column)
		db_bind_texts(st, 2, op->e->name);
	int64_t *ids = NULL;
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = db_column_int(st, 0);
	}
	db_reset(st);
	rc = rc == DB_DONE ? DB_OK : rc;
	snprintf(sql, sizeof sql,
	         "UPDATE \"%s\" SET \"%s\" = ?, \"version\" = \"version\" + 1, \"updated_at\" = ?, "
	         "\"updated_by\" = ? WHERE \"id\" = ?",
	         child->name, column);
	char changes[160];
	snprintf(changes, sizeof changes, "{\"%s\":[%lld,%lld]}", column, (long long)from,
	         (long long)into);
	struct op as_child = *op;
	as_child.e = child;
	for (size_t i = 0; i < n && !rc; i++) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)ids[i]);
		rc = db_run(op->db, sql, 4, (const char *[]){t, now, op->user_id ? by : NULL, id});
		if (!rc)
			rc = audit_write(&as_child, "update", child->name, ids[i], changes);
	}
	*moved = (int64_t)n;
	free(ids);
	return rc;
}

/* Everything that refers to `from`, moved to `into`; counts into moved ({"contacts": 3, …}). */
static int move_all(struct op *op, int64_t from, int64_t into, json_t *moved)
{
	const struct entity *e = op->e;
	int rc = DB_OK;
	int64_t n;
	for (size_t i = 0; i < e->n_relations && !rc; i++) {
		const struct relation *rel = &e->relations[i];
		if (!(rc = move(op, rel->child, NULL, rel->via->name, NULL, from, into, &n)) && n)
			json_object_set_new(moved, rel->name, json_integer(n));
	}
	/* Tasks a process made about the record (about_entity, about_id). */
	const struct entity *tasks = registry_entity(op->reg, "tasks");
	if (!rc && tasks && entity_field(tasks, "about_id") &&
	    !(rc = move(op, tasks, NULL, "about_id", "about_entity", from, into, &n)) && n)
		json_object_set_new(moved, "tasks_about", json_integer(n));
	static const char *const tables[] = {"files", "record_shares", "reminders"};
	for (size_t i = 0; i < ARRAY_SIZE(tables) && !rc; i++)
		if (!(rc = move(op, NULL, tables[i], "record_id", "entity", from, into, &n)) && n)
			json_object_set_new(moved, tables[i], json_integer(n));
	return rc;
}

int record_merge(struct op *op, int64_t id, const json_t *body, struct str *out)
{
	int64_t from = 0;
	json_t *take = NULL;
	int status = read_body(op, id, body, &from, &take);
	if (status)
		return status;
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "a merge");
	/* The other record as the caller may see it; the kept one must be theirs to change. */
	struct str other = STR_INIT;
	struct crud_result res = {0};
	json_t *patch = json_object(), *moved = json_object(), *from_rec = NULL;
	/* A sensitive field is taken as it is, not as its mask: the other is read revealed
	 * (which needs the right to see it, and is audited as a reveal). */
	struct op reader = *op;
	size_t i;
	json_t *name;
	json_array_foreach(take, i, name)
	{
		const struct field *fld = entity_field(op->e, json_string_value(name));
		reader.reveal |= (fld->flags & FF_SENSITIVE) != 0;
	}
	status = crud_get(&reader, from, false, &other, &res);
	if (status >= 0) {
		json_error_t je;
		from_rec = json_loadb(other.buf, other.len, 0, &je);
		rc = access_find_record(op, ACT_UPDATE, id);
		if (rc == DB_DONE)
			status = problem_set(op->problem, 404, "not_found");
		else if (rc)
			status = crud_db_error(op, rc, "a merge");
	}
	json_array_foreach(take, i, name)
	{
		json_t *v = json_object_get(from_rec, json_string_value(name));
		json_object_set(patch, json_string_value(name), v ? v : json_null());
	}
	struct str kept = STR_INIT;
	if (status >= 0 && json_object_size(patch))
		status = crud_update_in_tx(op, id, patch, -1, &kept, &res);
	if (status >= 0 && (rc = move_all(op, from, id, moved)))
		status = crud_db_error(op, rc, "a merge");
	/* The moves are plain updates: the rules of references are checked on what they made. */
	if (status >= 0 && (rc = refrules_check_merged(op, id)))
		status = crud_db_error(op, rc, "a merge");
	if (status >= 0 && op->problem->n_errors)
		status = problem_set(op->problem, 422, "validation_failed");
	if (status >= 0)
		status = crud_delete_in_tx(op, from, -1);
	if (status >= 0) {
		json_t *note = json_pack("{s:I, s:o, s:O}", "merged", (json_int_t)from, "took",
		                         take ? json_incref(take) : json_array(), "moved", moved);
		char *text = json_dumps(note, JSON_COMPACT);
		char into[80];
		snprintf(into, sizeof into, "{\"merged_into\":%lld}", (long long)id);
		if ((rc = audit_write(op, "merge", op->e->name, id, text)) ||
		    (rc = audit_write(op, "merge", op->e->name, from, into)) ||
		    (rc = db_commit(op->db)))
			status = crud_db_error(op, rc, "a merge");
		free(text);
		json_decref(note);
	}
	if (status < 0)
		db_rollback(op->db);
	str_release(&other);
	str_release(&kept);
	if (status >= 0) {
		struct str rec = STR_INIT;
		status = crud_get(op, id, false, &rec, &res);
		if (status >= 0) {
			/* {…record…, "moved": {…}} */
			char *m = json_dumps(moved, JSON_COMPACT);
			str_add(out, rec.buf, rec.len - 1);
			str_adds(out, ",\"moved\":");
			str_adds(out, m);
			str_addc(out, '}');
			free(m);
			status = 200;
		}
		str_release(&rec);
	}
	json_decref(patch);
	json_decref(moved);
	json_decref(from_rec);
	return status;
}
