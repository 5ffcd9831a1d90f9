#include "org.h"
#include "actor.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/audit.h"

#include <stdio.h>
#include <string.h>

const char *const org_kind_names[ORG__MAX] = {
    [ORG_COMPANY] = "company",
    [ORG_SUBSIDIARY] = "subsidiary",
    [ORG_DEPARTMENT] = "department",
    [ORG_TEAM] = "team",
};

int org_kind_parse(const char *s)
{
	for (int i = 0; i < ORG__MAX; i++)
		if (strcmp(s, org_kind_names[i]) == 0)
			return i;
	return -1;
}

int org_list_json(struct db *db, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT o.id, o.parent_id, o.name, o.kind, o.path, o.head_user_id, "
	                    "(SELECT count(*) FROM users u WHERE u.org_unit_id = o.id AND "
	                    "u.disabled = ?) FROM org_units o ORDER BY o.path",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, 0);
	str_addc(out, '[');
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		str_adds(out, n++ ? ",{\"id\":" : "{\"id\":");
		str_add_int(out, db_column_int(st, 0));
		str_adds(out, ",\"parent_id\":");
		json_add_int_column(out, st, 1);
		str_adds(out, ",\"name\":");
		str_add_jsons(out, db_column_text(st, 2, NULL));
		str_adds(out, ",\"kind\":");
		str_add_jsons(out, db_column_text(st, 3, NULL));
		str_adds(out, ",\"path\":");
		str_add_jsons(out, db_column_text(st, 4, NULL));
		str_adds(out, ",\"head_user_id\":");
		json_add_int_column(out, st, 5);
		str_adds(out, ",\"members\":");
		str_add_int(out, db_column_int(st, 6));
		str_addc(out, '}');
	}
	db_reset(st);
	str_addc(out, ']');
	return rc == DB_DONE ? DB_OK : rc;
}

/* A unit's path; DB_DONE if there is none. */
static int unit_path(struct db *db, struct arena *a, int64_t id, const char **path)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT path FROM org_units WHERE id = ?", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*path = arena_strdup(a, db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

static int user_exists(struct db *db, int64_t id)
{
	char s[24];
	snprintf(s, sizeof s, "%lld", (long long)id);
	int64_t n = 0;
	int rc =
	    db_query_int(db, "SELECT count(*) FROM users WHERE id = ?", 1, (const char *[]){s}, &n);
	return rc ? rc : n ? DB_OK : DB_EFOREIGN;
}

/* Changes of the tree one at a time (PostgreSQL; SQLite has one writer anyway): two moves at
 * once could otherwise leave a parent and a path that disagree. */
static int begin_change(struct op *op)
{
	int rc = db_begin(op->db);
	if (!rc && db_kind(op->db) == DB_PG)
		rc = db_exec(op->db, "SELECT pg_advisory_xact_lock(7270003)");
	return rc;
}

/* Whether records of an owned entity (deleted ones too: they may come back) are in the unit. */
static int unit_has_records(struct op *op, const char *id, bool *has)
{
	*has = false;
	for (size_t i = 0; op->reg && i < op->reg->n_entities && !*has; i++) {
		const struct entity *e = &op->reg->entities[i];
		if (!e->owned)
			continue;
		char sql[200];
		snprintf(sql, sizeof sql,
		         "SELECT count(*) FROM (SELECT 1 FROM \"%s\" WHERE \"org_unit_id\" = ? "
		         "LIMIT 1) x",
		         e->name);
		int64_t n = 0;
		int rc = db_query_int(op->db, sql, 1, (const char *[]){id}, &n);
		if (rc)
			return rc;
		*has = n > 0;
	}
	return DB_OK;
}

static void change_json(struct str *c, const struct org_change *ch)
{
	str_addc(c, '{');
	size_t n = 0;
	if (ch->name) {
		str_adds(c, "\"name\":");
		str_add_jsons(c, ch->name);
		n++;
	}
	if (ch->kind >= 0) {
		str_adds(c, n++ ? ",\"kind\":" : "\"kind\":");
		str_add_jsons(c, org_kind_names[ch->kind]);
	}
	if (ch->set_parent) {
		str_adds(c, n++ ? ",\"parent_id\":" : "\"parent_id\":");
		str_add_int(c, ch->parent_id);
	}
	if (ch->set_head) {
		str_adds(c, n++ ? ",\"head_user_id\":" : "\"head_user_id\":");
		str_add_int(c, ch->head_user_id);
	}
	str_addc(c, '}');
}

static int audit_unit(struct op *op, const char *action, int64_t id, const struct org_change *ch)
{
	struct str c = STR_INIT;
	if (ch)
		change_json(&c, ch);
	int rc = audit_write(op, action, "org_units", id, ch ? c.buf : NULL);
	str_release(&c);
	return rc;
}

int org_unit_create(struct op *op, const struct org_change *c, int64_t *id)
{
	int rc = begin_change(op);
	if (rc)
		return rc;
	const char *parent_path = "/";
	if (c->parent_id) {
		rc = unit_path(op->db, op->arena, c->parent_id, &parent_path);
		if (rc == DB_DONE)
			rc = DB_EFOREIGN;
	} else {
		int64_t roots = 0;
		rc = db_query_int(op->db, "SELECT count(*) FROM org_units WHERE parent_id IS NULL",
		                  0, NULL, &roots);
		if (!rc && roots) {
			problem_add(op->problem, "parent_id", "second_root", NULL);
			rc = DB_ECONSTRAINT;
		}
	}
	if (!rc && c->set_head && c->head_user_id)
		rc = user_exists(op->db, c->head_user_id);
	if (!rc)
		rc = db_next_ids(op->db, "org_units", 1, id);
	if (rc)
		return actor_change_end(op->db, rc);
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	const char *path = arena_printf(op->arena, "%s%lld/", parent_path, (long long)*id);
	struct db_stmt *st;
	if (!(rc = db_prepare(
	          op->db,
	          "INSERT INTO org_units (id, parent_id, name, kind, path, head_user_id, "
	          "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	          &st))) {
		db_bind_int(st, 1, *id);
		if (c->parent_id)
			db_bind_int(st, 2, c->parent_id);
		else
			db_bind_null(st, 2);
		db_bind_texts(st, 3, c->name);
		db_bind_texts(st, 4, org_kind_names[c->kind]);
		db_bind_texts(st, 5, path);
		if (c->set_head && c->head_user_id)
			db_bind_int(st, 6, c->head_user_id);
		else
			db_bind_null(st, 6);
		db_bind_texts(st, 7, now);
		db_bind_texts(st, 8, now);
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	if (!rc)
		rc = audit_unit(op, "create", *id, c);
	return actor_change_end(op->db, rc);
}

/* Move a unit and everything below it under a new parent (its path prefix changes). */
static int move_subtree(struct op *op, int64_t id, const char *old_path, int64_t parent_id)
{
	const char *parent_path = "/";
	int rc = DB_OK;
	if (parent_id) {
		rc = unit_path(op->db, op->arena, parent_id, &parent_path);
		if (rc == DB_DONE)
			return DB_EFOREIGN;
		if (rc)
			return rc;
		if (strncmp(parent_path, old_path, strlen(old_path)) == 0) {
			problem_add(op->problem, "parent_id", "unit_under_itself", NULL);
			return DB_ECONSTRAINT;
		}
	} else {
		int64_t roots = 0;
		rc = db_query_int(
		    op->db, "SELECT count(*) FROM org_units WHERE parent_id IS NULL AND id <> ?", 1,
		    (const char *[]){arena_printf(op->arena, "%lld", (long long)id)}, &roots);
		if (rc)
			return rc;
		if (roots) {
			problem_add(op->problem, "parent_id", "second_root", NULL);
			return DB_ECONSTRAINT;
		}
	}
	const char *new_path = arena_printf(op->arena, "%s%lld/", parent_path, (long long)id);
	size_t n = strlen(old_path);
	char *upper = arena_strndup(op->arena, old_path, n);
	upper[n - 1] = '0';
	char cut[24];
	snprintf(cut, sizeof cut, "%zu", n + 1);
	/* Through a prefix no path has, so the unique index never sees two equal paths. */
	const char *p[] = {new_path, cut, old_path, upper};
	rc = db_run(op->db,
	            "UPDATE org_units SET path = '#' || ? || substr(path, CAST(? AS integer)) "
	            "WHERE path >= ? AND path < ?",
	            4, p);
	if (!rc)
		rc = db_exec(op->db,
		             "UPDATE org_units SET path = substr(path, 2) WHERE path LIKE '#%'");
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)parent_id);
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	if (!rc)
		rc = db_run(op->db,
		            parent_id ? "UPDATE org_units SET parent_id = ? WHERE id = ?"
		                      : "UPDATE org_units SET parent_id = NULL WHERE id = ?",
		            parent_id ? 2 : 1,
		            parent_id ? (const char *[]){pid, sid} : (const char *[]){sid});
	return rc;
}

int org_unit_update(struct op *op, int64_t id, const struct org_change *c)
{
	int rc = begin_change(op);
	if (rc)
		return rc;
	const char *path;
	if ((rc = unit_path(op->db, op->arena, id, &path)))
		return actor_change_end(op->db, rc);
	if (c->set_head && c->head_user_id && (rc = user_exists(op->db, c->head_user_id)))
		return actor_change_end(op->db, rc);
	if (c->set_parent && (rc = move_subtree(op, id, path, c->parent_id)))
		return actor_change_end(op->db, rc);
	char now[TIME_ISO_LEN], sid[24], head[24];
	time_now_iso(now);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	snprintf(head, sizeof head, "%lld", (long long)c->head_user_id);
	if (c->name)
		rc = db_run(op->db, "UPDATE org_units SET name = ? WHERE id = ?", 2,
		            (const char *[]){c->name, sid});
	if (!rc && c->kind >= 0)
		rc = db_run(op->db, "UPDATE org_units SET kind = ? WHERE id = ?", 2,
		            (const char *[]){org_kind_names[c->kind], sid});
	if (!rc && c->set_head)
		rc = c->head_user_id
		         ? db_run(op->db, "UPDATE org_units SET head_user_id = ? WHERE id = ?", 2,
		                  (const char *[]){head, sid})
		         : db_run(op->db, "UPDATE org_units SET head_user_id = NULL WHERE id = ?",
		                  1, (const char *[]){sid});
	if (!rc)
		rc = db_run(op->db, "UPDATE org_units SET updated_at = ? WHERE id = ?", 2,
		            (const char *[]){now, sid});
	if (!rc)
		rc = audit_unit(op, "update", id, c);
	return actor_change_end(op->db, rc);
}

int org_unit_delete(struct op *op, int64_t id)
{
	int rc = begin_change(op);
	if (rc)
		return rc;
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	const char *p[] = {sid};
	int64_t below = 0, members = 0;
	if (!(rc = db_query_int(op->db, "SELECT count(*) FROM org_units WHERE parent_id = ?", 1, p,
	                        &below)))
		rc = db_query_int(op->db, "SELECT count(*) FROM users WHERE org_unit_id = ?", 1, p,
		                  &members);
	bool records = false;
	if (!rc && !below && !members)
		rc = unit_has_records(op, sid, &records);
	if (!rc && (below || members || records)) {
		char nb[24], nm[24];
		snprintf(nb, sizeof nb, "%lld", (long long)below);
		snprintf(nm, sizeof nm, "%lld", (long long)members);
		problem_add(op->problem, "id", "unit_not_empty",
		            (const char *[]){"units", nb, "people", nm, NULL});
		rc = DB_ECONSTRAINT;
	}
	if (!rc)
		rc = db_run(op->db, "DELETE FROM record_shares WHERE org_unit_id = ?", 1, p);
	if (!rc) /* an announcement to it reaches nobody more */
		rc = db_run(op->db, "DELETE FROM announcement_units WHERE org_unit_id = ?", 1, p);
	if (!rc)
		rc = db_run_one(op->db, "DELETE FROM org_units WHERE id = ?", 1, p);
	if (!rc)
		rc = audit_unit(op, "delete", id, NULL);
	return actor_change_end(op->db, rc);
}
