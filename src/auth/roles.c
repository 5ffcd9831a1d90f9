#include "roles.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/audit.h"
#include "meta/embedded.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int insert_permission(struct db *db, const char *role, const char *entity, const char *act,
                             const char *scope)
{
	const char *p[] = {role, entity, act, scope};
	return db_run(db,
	              "INSERT INTO role_permissions (role, entity, action, scope) "
	              "VALUES (?, ?, ?, ?)",
	              4, p);
}

static int insert_role(struct db *db, const char *key, const char *zh, const char *en, bool builtin)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "INSERT INTO roles (key, name_zh, name_en, builtin, created_at, "
	                    "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
	                    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, key);
	db_bind_texts(st, 2, zh);
	db_bind_texts(st, 3, en);
	db_bind_int(st, 4, builtin);
	db_bind_texts(st, 5, now);
	db_bind_texts(st, 6, now);
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int role_exists(struct db *db, const char *key)
{
	const char *p[] = {key};
	int64_t n = 0;
	int rc = db_query_int(db, "SELECT count(*) FROM roles WHERE key = ?", 1, p, &n);
	return rc ? rc : n ? DB_OK : DB_DONE;
}

/* One shipped role with its permissions; nothing if it is there already. */
static int seed_role(struct db *db, json_t *role)
{
	const char *key = json_string_value(json_object_get(role, "key"));
	json_t *name = json_object_get(role, "name");
	const char *zh = json_string_value(json_object_get(name, "zh-CN"));
	const char *en = json_string_value(json_object_get(name, "en"));
	if (!key || !zh || !en) {
		log_error("policy/roles.json: a role without key or names");
		return DB_ERROR;
	}
	int rc = role_exists(db, key);
	if (rc != DB_DONE)
		return rc;
	if ((rc = insert_role(db, key, zh, en, true)))
		return rc;
	const char *entity;
	json_t *acts;
	json_object_foreach(json_object_get(role, "permissions"), entity, acts)
	{
		const char *act;
		json_t *scope;
		json_object_foreach(acts, act, scope)
		{
			const char *sc = json_string_value(scope);
			if (action_parse(act) < 0 || !sc || scope_parse(sc) <= SCOPE_NONE) {
				log_error("policy/roles.json: role %s: bad permission %s.%s", key,
				          entity, act);
				return DB_ERROR;
			}
			if ((rc = insert_permission(db, key, entity, act, sc)))
				return rc;
		}
	}
	log_info("role '%s' added", key);
	return DB_OK;
}

int roles_seed(struct db *db)
{
	json_error_t jerr;
	json_t *j = json_loadb(embedded_policy[0].data, embedded_policy[0].len, 0, &jerr);
	if (!j) {
		log_error("policy/roles.json: %s (line %d)", jerr.text, jerr.line);
		return DB_ERROR;
	}
	int rc = db_begin(db);
	if (!rc) {
		size_t i;
		json_t *role;
		json_array_foreach(json_object_get(j, "roles"), i, role) if (!rc) rc =
		    seed_role(db, role);
		rc = rc ? (db_rollback(db), rc) : db_commit(db);
	}
	json_decref(j);
	return rc;
}

/* ---- reading ---- */

static int add_permissions_json(struct db *db, const char *key, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT entity, action, scope FROM role_permissions WHERE role = ? "
	                    "ORDER BY entity, action",
	                    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, key);
	str_addc(out, '{');
	char last[128] = "";
	bool any = false;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *entity = db_column_text(st, 0, NULL);
		if (!any || strcmp(entity, last) != 0) {
			str_adds(out, any ? "}," : "");
			str_add_jsons(out, entity);
			str_adds(out, ":{");
			snprintf(last, sizeof last, "%s", entity);
			any = true;
		} else {
			str_addc(out, ',');
		}
		str_add_jsons(out, db_column_text(st, 1, NULL));
		str_addc(out, ':');
		str_add_jsons(out, db_column_text(st, 2, NULL));
	}
	db_reset(st);
	str_adds(out, any ? "}}" : "}");
	return rc == DB_DONE ? DB_OK : rc;
}

int roles_list_json(struct db *db, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT r.key, r.name_zh, r.name_en, r.builtin, "
	                    "(SELECT count(*) FROM user_roles u WHERE u.role = r.key) "
	                    "FROM roles r ORDER BY r.builtin DESC, r.created_at, r.key",
	                    &st);
	if (rc)
		return rc;
	/* Names first (the statement is reused by the permission queries after). */
	struct str head = STR_INIT;
	size_t n = 0;
	char **keys = NULL;
	while ((rc = db_step(st)) == DB_ROW) {
		keys = xrealloc(keys, (n + 1) * sizeof *keys);
		keys[n] = xstrdup(db_column_text(st, 0, NULL));
		str_adds(&head, n ? "\n{\"key\":" : "{\"key\":");
		str_add_jsons(&head, keys[n]);
		str_adds(&head, ",\"name\":{\"zh-CN\":");
		str_add_jsons(&head, db_column_text(st, 1, NULL));
		str_adds(&head, ",\"en\":");
		str_add_jsons(&head, db_column_text(st, 2, NULL));
		str_adds(&head,
		         db_column_int(st, 3) ? "},\"builtin\":true" : "},\"builtin\":false");
		str_adds(&head, ",\"users\":");
		str_add_int(&head, db_column_int(st, 4));
		n++;
	}
	db_reset(st);
	if (rc == DB_DONE)
		rc = DB_OK;
	str_addc(out, '[');
	const char *line = head.buf;
	for (size_t i = 0; i < n; i++) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (i)
			str_addc(out, ',');
		str_add(out, line, len);
		str_adds(out, ",\"permissions\":");
		if (!rc)
			rc = add_permissions_json(db, keys[i], out);
		str_addc(out, '}');
		line = end ? end + 1 : line + len;
		free(keys[i]);
	}
	str_addc(out, ']');
	free(keys);
	str_release(&head);
	return rc;
}

int user_roles_json(struct db *db, int64_t user_id, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT role FROM user_roles WHERE user_id = ? ORDER BY role", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	return json_add_text_rows(st, out);
}

/* ---- changes ---- */

static int audit_role(struct op *op, const char *action, const char *key, const char *more)
{
	struct str c = STR_INIT;
	str_adds(&c, "{\"role\":");
	str_add_jsons(&c, key);
	if (more) {
		str_addc(&c, ',');
		str_adds(&c, more);
	}
	str_addc(&c, '}');
	int rc = audit_write(op, action, "roles", 0, c.buf);
	str_release(&c);
	return rc;
}

static void names_json(struct str *c, const char *zh, const char *en)
{
	str_adds(c, "\"name\":{\"zh-CN\":");
	str_add_jsons(c, zh);
	str_adds(c, ",\"en\":");
	str_add_jsons(c, en);
	str_addc(c, '}');
}

int role_create(struct op *op, const char *key, const char *name_zh, const char *name_en)
{
	int rc = db_begin(op->db);
	if (rc)
		return rc;
	struct str c = STR_INIT;
	names_json(&c, name_zh, name_en);
	if (!(rc = insert_role(op->db, key, name_zh, name_en, false)))
		rc = audit_role(op, "role_create", key, c.buf);
	str_release(&c);
	return actor_change_end(op->db, rc);
}

int role_rename(struct op *op, const char *key, const char *name_zh, const char *name_en)
{
	int rc = db_begin(op->db);
	if (rc)
		return rc;
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	const char *p[] = {name_zh, name_en, now, key};
	rc = db_run_one(op->db,
	                "UPDATE roles SET name_zh = ?, name_en = ?, updated_at = ? WHERE key = ?",
	                4, p);
	struct str c = STR_INIT;
	names_json(&c, name_zh, name_en);
	if (!rc)
		rc = audit_role(op, "role_update", key, c.buf);
	str_release(&c);
	return actor_change_end(op->db, rc);
}

int role_delete(struct op *op, const char *key)
{
	int rc = db_begin(op->db);
	if (rc)
		return rc;
	const char *p[] = {key};
	int64_t users = 0, builtin = 0;
	if (!(rc = db_query_int(op->db, "SELECT count(*) FROM user_roles WHERE role = ?", 1, p,
	                        &users)))
		rc =
		    db_query_int(op->db, "SELECT count(*) FROM roles WHERE key = ? AND builtin = ?",
		                 2, (const char *[]){key, "1"}, &builtin);
	if (!rc && (users || builtin))
		rc = DB_ECONSTRAINT;
	if (!rc)
		rc = db_run(op->db, "DELETE FROM role_permissions WHERE role = ?", 1, p);
	if (!rc)
		rc = db_run_one(op->db, "DELETE FROM roles WHERE key = ?", 1, p);
	if (!rc)
		rc = audit_role(op, "role_delete", key, NULL);
	return actor_change_end(op->db, rc);
}

int role_set_permissions(struct op *op, const char *key, const struct permission *perms, size_t n)
{
	int rc = db_begin(op->db);
	if (rc)
		return rc;
	if ((rc = role_exists(op->db, key)))
		return actor_change_end(op->db, rc);
	/* The audit row carries the permissions before and after. */
	struct str c = STR_INIT;
	str_adds(&c, "\"permissions\":[");
	rc = add_permissions_json(op->db, key, &c);
	const char *p[] = {key};
	if (!rc)
		rc = db_run(op->db, "DELETE FROM role_permissions WHERE role = ?", 1, p);
	for (size_t i = 0; i < n && !rc; i++)
		rc = insert_permission(op->db, key, perms[i].entity, action_names[perms[i].action],
		                       scope_names[perms[i].scope]);
	str_addc(&c, ',');
	if (!rc)
		rc = add_permissions_json(op->db, key, &c);
	str_addc(&c, ']');
	if (!rc)
		rc = audit_role(op, "role_permissions", key, c.buf);
	str_release(&c);
	return actor_change_end(op->db, rc);
}

int user_set_roles(struct op *op, int64_t user_id, const char *const *roles, size_t n)
{
	struct str before = STR_INIT, after = STR_INIT;
	int rc = user_roles_json(op->db, user_id, &before);
	for (size_t i = 0; i < n && !rc; i++)
		if ((rc = role_exists(op->db, roles[i])) == DB_DONE)
			rc = DB_EFOREIGN;
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)user_id);
	if (!rc)
		rc = db_run(op->db, "DELETE FROM user_roles WHERE user_id = ?", 1,
		            (const char *[]){id});
	for (size_t i = 0; i < n && !rc; i++)
		rc = db_run(op->db, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)", 2,
		            (const char *[]){id, roles[i]});
	if (!rc)
		rc = user_roles_json(op->db, user_id, &after);
	if (!rc && strcmp(before.buf, after.buf) != 0) {
		struct str c = STR_INIT;
		str_adds(&c, "{\"roles\":[");
		str_add(&c, before.buf, before.len);
		str_addc(&c, ',');
		str_add(&c, after.buf, after.len);
		str_adds(&c, "]}");
		rc = audit_write(op, "roles", "users", user_id, c.buf);
		str_release(&c);
	}
	str_release(&before);
	str_release(&after);
	return rc;
}

int role_members(struct db *db, const char *role, int64_t *ids, size_t max, size_t *n)
{
	struct db_stmt *st;
	*n = 0;
	int rc = db_prepare(db,
	                    "SELECT u.id FROM user_roles r JOIN users u ON u.id = r.user_id WHERE "
	                    "r.role = ? AND NOT u.disabled ORDER BY u.id",
	                    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, role);
	while (*n < max && (rc = db_step(st)) == DB_ROW)
		ids[(*n)++] = db_column_int(st, 0);
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}
