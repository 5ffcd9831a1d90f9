#include "process_store.h"
#include "audit.h"
#include "crud.h"
#include "custom.h"
#include "process.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"

#include <stdio.h>
#include <string.h>

#define PROCESS_SPEC    "tkey,tentity,iversion,Tupdated_at,jdefinition"
#define PROCESS_COLUMNS "key, entity, version, updated_at, definition"

int process_list_json(struct op *op, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(op->db, "SELECT " PROCESS_COLUMNS " FROM processes ORDER BY key", &st);
	if (rc)
		return crud_db_error(op, rc, "listing processes");
	str_adds(out, "{\"data\":");
	rc = json_add_rows(st, PROCESS_SPEC, out);
	str_addc(out, '}');
	return rc ? crud_db_error(op, rc, "listing processes") : 200;
}

int process_get_json(struct op *op, const char *key, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(op->db, "SELECT " PROCESS_COLUMNS " FROM processes WHERE key = ?", &st);
	if (rc)
		return crud_db_error(op, rc, "reading a process");
	db_bind_texts(st, 1, key);
	rc = db_step(st);
	if (rc == DB_ROW)
		json_add_row(out, st, PROCESS_SPEC);
	db_reset(st);
	if (rc == DB_DONE)
		return problem_set(op->problem, 404, "not_found");
	return rc == DB_ROW ? 200 : crud_db_error(op, rc, "reading a process");
}

/* A definition checked against its entity as the registry will parse it: 422 naming what is
 * wrong. */
/* A role a rule names that does not exist: a typo would make a transition impossible to fire,
 * or an approval step without approvers, with no word said. 422 naming the member. */
static int role_missing(struct op *op, const json_t *rule, const char *path)
{
	const char *role = json_string_value(json_object_get(rule, "role"));
	if (!json_is_object(rule) || !role)
		return 0;
	int64_t n = 0;
	int rc = db_query_int(op->db, "SELECT count(*) FROM roles WHERE key = ?", 1,
	                      (const char *[]){role}, &n);
	if (rc)
		return crud_db_error(op, rc, "checking a process");
	if (n)
		return 0;
	problem_add(
	    op->problem, arena_printf(op->arena, "%s.role", path), "invalid_process",
	    (const char *[]){"detail", arena_printf(op->arena, "no role '%s'", role), NULL});
	return problem_set(op->problem, 422, "validation_failed");
}

/* Every role the definition names: who may fire, whom to tell, who approves. */
static int check_roles(struct op *op, const json_t *def)
{
	size_t i, k, m;
	json_t *t, *r, *f, *st;
	json_array_foreach(json_object_get(def, "transitions"), i, t)
	{
		static const char *const lists[] = {"who", "notify"};
		for (size_t l = 0; l < 2; l++)
			json_array_foreach(json_object_get(t, lists[l]), k, r)
			{
				const char *path = arena_printf(
				    op->arena, "transitions[%zu].%s[%zu]", i, lists[l], k);
				if (role_missing(op, r, path))
					return -1;
			}
	}
	json_array_foreach(json_object_get(def, "approvals"), i, f)
	{
		json_array_foreach(json_object_get(f, "steps"), k, st)
		{
			json_array_foreach(json_object_get(st, "approvers"), m, r)
			{
				const char *path = arena_printf(
				    op->arena, "approvals[%zu].steps[%zu].approvers[%zu]", i, k, m);
				if (role_missing(op, r, path))
					return -1;
			}
		}
	}
	return 0;
}

static int check(struct op *op, const char *key, const json_t *def, const struct entity **e)
{
	const char *name = json_string_value(json_object_get(def, "entity"));
	*e = name ? registry_entity(op->reg, name) : NULL;
	if (!*e) {
		problem_add(op->problem, "entity", "unknown_entity", NULL);
		return problem_set(op->problem, 422, "validation_failed");
	}
	char err[300];
	struct arena tmp;
	arena_init(&tmp, 4096);
	struct process p;
	int rc = process_parse(&tmp, *e, key, def, &p, err, sizeof err);
	arena_release(&tmp);
	if (rc) {
		/* The message starts with the member's path: the field of the problem. */
		const char *colon = strchr(err, ':');
		const char *field =
		    colon ? arena_strndup(op->arena, err, (size_t)(colon - err)) : "definition";
		problem_add(op->problem, field, "invalid_process",
		            (const char *[]){
		                "detail", arena_strdup(op->arena, colon ? colon + 2 : err), NULL});
		return problem_set(op->problem, 422, "validation_failed");
	}
	return check_roles(op, def);
}

static int commit(struct op *op, struct registry *reg, const char *key)
{
	int rc = db_commit(op->db);
	if (rc) {
		registry_free(reg);
		db_rollback(op->db);
		return crud_db_error(op, rc, "changing a process");
	}
	registry_install(reg);
	log_info("process '%s' changed (meta_version %lld)", key, (long long)reg->version);
	return 0;
}

static int fail(struct op *op, int rc, const char *what)
{
	db_rollback(op->db);
	if (rc == DB_ECONSTRAINT) {
		problem_add(op->problem, "entity", "process_exists", NULL);
		return problem_set(op->problem, 409, "conflict");
	}
	return op->problem->status ? -1 : crud_db_error(op, rc, what);
}

int process_store(struct op *op, const char *key, const json_t *def, struct str *out)
{
	if (!*key || strlen(key) > 64 ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(key)) {
		problem_add(op->problem, "key", "invalid_name", NULL);
		return problem_set(op->problem, 422, "validation_failed");
	}
	const struct entity *e;
	if (check(op, key, def, &e))
		return -1;
	char *text = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
	char now[TIME_ISO_LEN], by[24];
	time_now_iso(now);
	snprintf(by, sizeof by, "%lld", (long long)op->user_id);
	int64_t version = 0;
	int rc = db_begin(op->db);
	if (!rc)
		rc = db_query_int(op->db, "SELECT version FROM processes WHERE key = ?", 1,
		                  (const char *[]){key}, &version);
	char v[24];
	snprintf(v, sizeof v, "%lld", (long long)version + 1);
	const char *p[] = {key, e->name, text, v, now, op->user_id ? by : NULL};
	if (!rc)
		rc = db_run(op->db, "DELETE FROM processes WHERE key = ?", 1, p);
	if (!rc)
		rc = db_run(op->db,
		            "INSERT INTO processes (key, entity, definition, version, updated_at, "
		            "updated_by) VALUES (?, ?, ?, ?, ?, ?)",
		            6, p);
	json_t *changes = json_pack("{s:s, s:s, s:I}", "process", key, "entity", e->name, "version",
	                            (json_int_t)(version + 1));
	char *ch = json_dumps(changes, JSON_COMPACT);
	json_decref(changes);
	if (!rc)
		rc = audit_write(op, version ? "process_update" : "process_create", "processes", 0,
		                 ch);
	free(ch);
	free(text);
	struct registry *reg = NULL;
	if (!rc && !(rc = model_bump_version(op->db)) && model_rebuild(op, &reg))
		return fail(op, 0, "changing a process");
	if (rc)
		return fail(op, rc, "changing a process");
	if ((rc = commit(op, reg, key)))
		return rc;
	return process_get_json(op, key, out) < 0 ? -1 : version ? 200 : 201;
}

int process_remove(struct op *op, const char *key)
{
	int rc = db_begin(op->db);
	if (!rc)
		rc = db_run_one(op->db, "DELETE FROM processes WHERE key = ?", 1,
		                (const char *[]){key});
	if (rc == DB_DONE) {
		db_rollback(op->db);
		return problem_set(op->problem, 404, "not_found");
	}
	json_t *changes = json_pack("{s:s}", "process", key);
	char *ch = json_dumps(changes, JSON_COMPACT);
	json_decref(changes);
	if (!rc)
		rc = audit_write(op, "process_delete", "processes", 0, ch);
	free(ch);
	struct registry *reg = NULL;
	if (!rc && !(rc = model_bump_version(op->db)) && model_rebuild(op, &reg))
		return fail(op, 0, "removing a process");
	if (rc)
		return fail(op, rc, "removing a process");
	if ((rc = commit(op, reg, key)))
		return rc;
	return 204;
}
