#include "custom.h"
#include "crud.h"
#include "ddl.h"
#include "metajson.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int model_bump_version(struct db *db)
{
	return db_run(db, "UPDATE sys_meta SET value = value + 1 WHERE key = 'meta_version'", 0,
	              NULL);
}

/*
 * Inside the open transaction: build the registry as the database now describes it. On
 * success *reg is the new registry (not yet installed).
 */
int model_rebuild(struct op *op, struct registry **reg)
{
	char *err = NULL;
	*reg = registry_build(op->db, &err);
	if (!*reg) {
		/* The overlay we just wrote does not load: refuse the change. */
		problem_add(
		    op->problem, NULL, "invalid_value",
		    (const char *[]){"detail", arena_strdup(op->arena, err ? err : ""), NULL});
		free(err);
		return problem_set(op->problem, 422, "validation_failed");
	}
	return 0;
}

static int finish(struct op *op, struct registry *reg, const char *entity, const char *field,
                  struct str *out, int status)
{
	int rc = db_commit(op->db);
	if (rc) {
		registry_free(reg);
		db_rollback(op->db);
		return crud_db_error(op, rc, "changing the model");
	}
	if (out) {
		const struct entity *e = registry_entity(reg, entity);
		const struct field *f = e ? entity_field(e, field) : NULL;
		if (f)
			meta_field_json(out, f);
	}
	registry_install(reg);
	log_info("model changed: %s.%s (meta_version %lld)", entity, field,
	         (long long)reg->version);
	return status;
}

/* Roll back; a problem already described stands, anything else is a database error. */
static int fail(struct op *op, int rc, const char *what)
{
	db_rollback(op->db);
	return op->problem->status ? -1 : crud_db_error(op, rc, what);
}

/* Check a definition by parsing it the way the registry will. */
static int check_definition(struct op *op, const json_t *def, struct field *f)
{
	char err[256];
	struct arena tmp;
	arena_init(&tmp, 4096);
	int rc = registry_parse_field(&tmp, def, f, err, sizeof err);
	if (rc) {
		problem_add(op->problem, NULL, "invalid_value",
		            (const char *[]){"detail", arena_strdup(op->arena, err), NULL});
		problem_set(op->problem, 422, "validation_failed");
	}
	/* The parsed field points into tmp: keep only what callers read. */
	f->name = f->name ? arena_strdup(op->arena, f->name) : NULL;
	f->ref_name = f->ref_name ? arena_strdup(op->arena, f->ref_name) : NULL;
	arena_release(&tmp);
	return rc;
}

int custom_field_create(struct op *op, const json_t *def, struct str *out)
{
	const struct entity *e = op->e;
	struct field f;
	if (check_definition(op, def, &f))
		return -1;
	if (strncmp(f.name, CUSTOM_PREFIX, strlen(CUSTOM_PREFIX)) != 0 || strlen(f.name) < 3) {
		problem_add(op->problem, "name", "invalid_name", NULL);
		return problem_set(op->problem, 422, "validation_failed");
	}
	if (entity_field(e, f.name)) {
		problem_add(op->problem, "name", "duplicate", NULL);
		return problem_set(op->problem, 409, "duplicate");
	}
	if (f.type == FT_REFERENCE && !registry_entity(op->reg, f.ref_name)) {
		problem_add(op->problem, "ref", "reference_not_found", NULL);
		return problem_set(op->problem, 422, "validation_failed");
	}
	char *text = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	char pos[24];
	snprintf(pos, sizeof pos, "%zu", e->n_fields);
	char by[24];
	snprintf(by, sizeof by, "%lld", (long long)op->user_id);
	int rc = db_begin(op->db);
	if (rc) {
		free(text);
		return crud_db_error(op, rc, "adding a field");
	}
	const char *p[] = {e->name, f.name, text, pos, now, op->user_id ? by : NULL, now};
	rc = db_run(
	    op->db,
	    "INSERT INTO meta_custom_fields (entity, name, definition, position, created_at, "
	    "created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    7, p);
	free(text);
	if (rc == DB_ECONSTRAINT) {
		/* A removed custom field keeps its name (and column). */
		db_rollback(op->db);
		problem_add(op->problem, "name", "duplicate", NULL);
		return problem_set(op->problem, 409, "duplicate");
	}
	if (rc || (rc = model_bump_version(op->db)))
		return fail(op, rc, "adding a field");
	struct registry *reg;
	if ((rc = model_rebuild(op, &reg)))
		return fail(op, rc, "adding a field");
	const struct entity *ne = registry_entity(reg, e->name);
	const struct field *nf = entity_field(ne, f.name);
	if ((rc = ddl_add_field(op->db, ne, nf)) || (rc = ddl_sync_search(op->db, ne, false))) {
		registry_free(reg);
		return fail(op, rc, "adding a column");
	}
	return finish(op, reg, e->name, f.name, out, 201);
}

/* Load a custom field's stored definition (FOR UPDATE on PostgreSQL). */
static int load_definition(struct op *op, const char *name, json_t **def, bool *removed)
{
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               db_kind(op->db) == DB_PG
	                   ? "SELECT definition, deleted_at IS NOT NULL FROM meta_custom_fields "
	                     "WHERE entity = ? AND name = ? FOR UPDATE"
	                   : "SELECT definition, deleted_at IS NOT NULL FROM meta_custom_fields "
	                     "WHERE entity = ? AND name = ?",
	               &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, op->e->name);
	db_bind_texts(st, 2, name);
	rc = db_step(st);
	*def = NULL;
	if (rc == DB_ROW) {
		*def = json_loads(db_column_text(st, 0, NULL), 0, NULL);
		*removed = db_column_int(st, 1) != 0;
		rc = *def ? DB_OK : DB_ERROR;
	}
	db_reset(st);
	return rc;
}

int custom_field_update(struct op *op, const char *name, const json_t *patch, struct str *out)
{
	/* What may change once a column exists; type, name and reference may not, and option
	 * lists change through PUT …/options, which checks the keys still in use. */
	static const char *const editable[] = {"label",     "help",       "section", "required",
	                                       "sensitive", "max_length", "min",     "max",
	                                       "indexed",   "default"};
	const struct field *cur = entity_field(op->e, name);
	if (!cur || !(cur->flags & FF_CUSTOM) || (cur->flags & FF_REMOVED))
		return problem_set(op->problem, 404, "not_found");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)patch, k, v)
	{
		bool ok = false;
		for (size_t i = 0; i < ARRAY_SIZE(editable); i++)
			ok |= strcmp(k, editable[i]) == 0;
		if (!ok)
			problem_add(op->problem, arena_strdup(op->arena, k), "read_only", NULL);
	}
	if (op->problem->n_errors)
		return problem_set(op->problem, 422, "validation_failed");
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "changing a field");
	json_t *def;
	bool removed;
	rc = load_definition(op, name, &def, &removed);
	if (rc == DB_DONE) {
		db_rollback(op->db);
		return problem_set(op->problem, 404, "not_found");
	}
	if (rc)
		return fail(op, rc, "changing a field");
	json_object_foreach((json_t *)patch, k, v)
	{
		if (json_is_null(v))
			json_object_del(def, k);
		else
			json_object_set(def, k, v);
	}
	struct field f;
	if (check_definition(op, def, &f)) {
		json_decref(def);
		db_rollback(op->db);
		return -1;
	}
	char *text = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(def);
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	const char *p[] = {text, now, op->e->name, name};
	rc = db_run(op->db,
	            "UPDATE meta_custom_fields SET definition = ?, updated_at = ? "
	            "WHERE entity = ? AND name = ?",
	            4, p);
	free(text);
	if (rc || (rc = model_bump_version(op->db)))
		return fail(op, rc, "changing a field");
	struct registry *reg;
	if ((rc = model_rebuild(op, &reg)))
		return fail(op, rc, "changing a field");
	/* Indexes follow the new definition (indexed may have changed). */
	const struct entity *ne = registry_entity(reg, op->e->name);
	if ((rc = ddl_sync_indexes(op->db, ne))) {
		registry_free(reg);
		return fail(op, rc, "changing indexes");
	}
	return finish(op, reg, op->e->name, name, out, 200);
}

int custom_field_delete(struct op *op, const char *name)
{
	const struct field *cur = entity_field(op->e, name);
	if (!cur || !(cur->flags & FF_CUSTOM) || (cur->flags & FF_REMOVED))
		return problem_set(op->problem, 404, "not_found");
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "removing a field");
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	const char *p[] = {now, now, op->e->name, name};
	/* The column and its data stay: removing a field is not destructive (X-UPGRADE). */
	rc = db_run(op->db,
	            "UPDATE meta_custom_fields SET deleted_at = ?, updated_at = ? "
	            "WHERE entity = ? AND name = ? AND deleted_at IS NULL",
	            4, p);
	if (rc || (rc = model_bump_version(op->db)))
		return fail(op, rc, "removing a field");
	struct registry *reg;
	if ((rc = model_rebuild(op, &reg)))
		return fail(op, rc, "removing a field");
	const struct entity *ne = registry_entity(reg, op->e->name);
	/* A removed searchable field's words must stop finding records: re-tokenise. */
	if ((rc = ddl_sync_indexes(op->db, ne)) || (rc = ddl_sync_search(op->db, ne, true))) {
		registry_free(reg);
		return fail(op, rc, "dropping indexes");
	}
	return finish(op, reg, op->e->name, name, NULL, 204);
}

/* Whether any record uses the option key — deleted ones too, as a restore brings them back. */
static int option_in_use(struct op *op, const struct field *f, const char *key, bool *used)
{
	char sql[256];
	snprintf(sql, sizeof sql,
	         f->type == FT_MULTIENUM ? "SELECT 1 FROM \"%s\" WHERE \"%s\" LIKE ? LIMIT 1"
	                                 : "SELECT 1 FROM \"%s\" WHERE \"%s\" = ? LIMIT 1",
	         op->e->name, f->name);
	struct db_stmt *st;
	int rc = db_prepare(op->db, sql, &st);
	if (rc)
		return rc;
	if (f->type == FT_MULTIENUM) {
		char *pat = arena_printf(op->arena, "%%,%s,%%", key);
		db_bind_texts(st, 1, pat);
	} else {
		db_bind_texts(st, 1, key);
	}
	rc = db_step(st);
	*used = rc == DB_ROW;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

int custom_field_options(struct op *op, const char *name, const json_t *options, struct str *out)
{
	const struct field *cur = entity_field(op->e, name);
	if (!cur || !field_visible(cur))
		return problem_set(op->problem, 404, "not_found");
	if (cur->type != FT_ENUM && cur->type != FT_MULTIENUM) {
		problem_add(op->problem, "field", "invalid_type",
		            (const char *[]){"expected", "enum", NULL});
		return problem_set(op->problem, 422, "validation_failed");
	}
	/* Parse as the registry will, through a throwaway field of the same type. */
	json_t *def =
	    json_pack("{s:s,s:s,s:{s:s,s:s},s:O}", "name", "x", "type", field_type_names[cur->type],
	              "label", "zh-CN", "x", "en", "x", "options", options);
	struct field f;
	int rc = def ? check_definition(op, def, &f) : -1;
	json_decref(def);
	if (rc) {
		if (!op->problem->status)
			problem_set(op->problem, 422, "validation_failed");
		return -1;
	}
	if ((rc = db_begin(op->db)))
		return crud_db_error(op, rc, "changing options");
	/* A key still used by a record may be disabled, not removed. */
	for (size_t i = 0; i < cur->n_options; i++) {
		bool kept = false;
		for (size_t k = 0; k < json_array_size(options); k++) {
			const char *key =
			    json_string_value(json_object_get(json_array_get(options, k), "key"));
			kept |= key && strcmp(key, cur->options[i].key) == 0;
		}
		if (kept)
			continue;
		bool used;
		if ((rc = option_in_use(op, cur, cur->options[i].key, &used)))
			return fail(op, rc, "changing options");
		if (used)
			problem_add(op->problem, "options", "option_in_use",
			            (const char *[]){"value", cur->options[i].key, NULL});
	}
	if (op->problem->n_errors) {
		db_rollback(op->db);
		return problem_set(op->problem, 409, "conflict");
	}
	char *text = json_dumps(options, JSON_COMPACT);
	char now[TIME_ISO_LEN], by[24];
	time_now_iso(now);
	snprintf(by, sizeof by, "%lld", (long long)op->user_id);
	const char *del[] = {op->e->name, name};
	const char *ins[] = {op->e->name, name, text, now, op->user_id ? by : NULL};
	/* Delete-then-insert is the same upsert on both databases. */
	rc = db_run(op->db, "DELETE FROM meta_options WHERE entity = ? AND field = ?", 2, del);
	if (!rc)
		rc = db_run(
		    op->db,
		    "INSERT INTO meta_options (entity, field, options, updated_at, updated_by) "
		    "VALUES (?, ?, ?, ?, ?)",
		    5, ins);
	free(text);
	if (rc || (rc = model_bump_version(op->db)))
		return fail(op, rc, "changing options");
	struct registry *reg;
	if ((rc = model_rebuild(op, &reg)))
		return fail(op, rc, "changing options");
	return finish(op, reg, op->e->name, name, out, 200);
}
