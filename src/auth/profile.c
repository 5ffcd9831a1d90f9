#include "profile.h"
#include "actor.h"
#include "roles.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const profile_field_names[PF__MAX] = {
    [PF_DISPLAY_NAME] = "display_name",
    [PF_ORG_UNIT_ID] = "org_unit_id",
    [PF_POSITION] = "position",
    [PF_SUPERIOR_ID] = "superior_id",
    [PF_EMAIL] = "email",
    [PF_MOBILE] = "mobile",
    [PF_LOCALE] = "locale",
};

bool profile_field_is_id(enum profile_field f)
{
	return f == PF_ORG_UNIT_ID || f == PF_SUPERIOR_ID;
}

#define PROFILE_COLUMNS                                                                           \
	"u.id, u.username, u.disabled, u.created_at, u.display_name, u.org_unit_id, u.position, " \
	"u.superior_id, u.email, u.mobile, u.locale"
#define PROFILE_FIRST 4 /* the column of profile_field 0 */

/* One row as JSON, without the closing brace (roles may follow). */
static void row_json(struct str *out, struct db_stmt *st)
{
	str_adds(out, "{\"id\":");
	str_add_int(out, db_column_int(st, 0));
	str_adds(out, ",\"username\":");
	str_add_jsons(out, db_column_text(st, 1, NULL));
	str_adds(out, db_column_int(st, 2) ? ",\"disabled\":true" : ",\"disabled\":false");
	str_adds(out, ",\"created_at\":");
	json_add_time_column(out, st, 3);
	for (int f = 0; f < PF__MAX; f++) {
		str_addc(out, ',');
		str_add_jsons(out, profile_field_names[f]);
		str_addc(out, ':');
		if (profile_field_is_id((enum profile_field)f))
			json_add_int_column(out, st, PROFILE_FIRST + f);
		else
			json_add_text_column(out, st, PROFILE_FIRST + f);
	}
}

/* Close each user's object, adding their roles when asked: ids collected while listing. */
static int finish_rows(struct db *db, struct str *rows, const int64_t *ids, size_t n,
                       bool with_roles, struct str *out)
{
	/* Rows are separated by '\n' (which JSON text never holds raw). */
	const char *p = rows->buf;
	int rc = DB_OK;
	for (size_t i = 0; i < n; i++) {
		const char *end = strchr(p, '\n');
		str_add(out, p, (size_t)(end - p));
		if (with_roles) {
			str_adds(out, ",\"roles\":");
			if (!rc)
				rc = user_roles_json(db, ids[i], out);
		}
		str_addc(out, '}');
		if (i + 1 < n)
			str_addc(out, ',');
		p = end + 1;
	}
	return rc;
}

int profile_list_json(struct db *db, const struct profile_query *q, struct str *out)
{
	/* Conditions only for what is asked: a few distinct statements, each cached. */
	char sql[512];
	snprintf(sql, sizeof sql,
	         "SELECT " PROFILE_COLUMNS " FROM users u WHERE 1 = 1%s%s%s "
	         "ORDER BY u.username LIMIT 1000",
	         q->q ? " AND (u.username LIKE ? ESCAPE '\\' OR u.display_name LIKE ? ESCAPE '\\')"
	              : "",
	         q->org_unit_id ? " AND u.org_unit_id = ?" : "",
	         q->with_disabled ? "" : " AND u.disabled = ?");
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc)
		return rc;
	char *like = NULL;
	int i = 1;
	if (q->q) {
		struct str l = STR_INIT;
		str_addc(&l, '%');
		for (const char *c = q->q; *c; c++) {
			if (*c == '%' || *c == '_' || *c == '\\')
				str_addc(&l, '\\');
			str_addc(&l, *c);
		}
		str_addc(&l, '%');
		like = l.buf;
		db_bind_texts(st, i++, like);
		db_bind_texts(st, i++, like);
	}
	if (q->org_unit_id)
		db_bind_int(st, i++, q->org_unit_id);
	if (!q->with_disabled)
		db_bind_int(st, i++, 0);
	struct str rows = STR_INIT;
	int64_t *ids = NULL;
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = db_column_int(st, 0);
		row_json(&rows, st);
		str_addc(&rows, '\n');
	}
	db_reset(st);
	free(like);
	str_addc(out, '[');
	if (rc == DB_DONE)
		rc = finish_rows(db, &rows, ids, n, q->with_roles, out);
	str_addc(out, ']');
	str_release(&rows);
	free(ids);
	return rc;
}

int profile_get_json(struct db *db, int64_t id, bool with_roles, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT " PROFILE_COLUMNS " FROM users u WHERE u.id = ?", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	struct str rows = STR_INIT;
	rc = db_step(st);
	if (rc == DB_ROW) {
		row_json(&rows, st);
		str_addc(&rows, '\n');
	}
	db_reset(st);
	if (rc == DB_ROW)
		rc = finish_rows(db, &rows, &id, 1, with_roles, out);
	str_release(&rows);
	return rc;
}

/* Whether making superior the superior of id would close a loop (bounded walk upwards). */
static int superior_loops(struct db *db, int64_t id, int64_t superior, bool *loops)
{
	*loops = false;
	for (int depth = 0; superior && depth < 64; depth++) {
		if (superior == id) {
			*loops = true;
			return DB_OK;
		}
		char s[24];
		snprintf(s, sizeof s, "%lld", (long long)superior);
		int64_t next = 0;
		int rc =
		    db_query_int(db, "SELECT coalesce(max(superior_id), 0) FROM users WHERE id = ?",
		                 1, (const char *[]){s}, &next);
		if (rc)
			return rc;
		superior = next;
	}
	return DB_OK;
}

static int exists(struct db *db, const char *table, int64_t id)
{
	char sql[96], s[24];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE id = ?", table);
	snprintf(s, sizeof s, "%lld", (long long)id);
	int64_t n = 0;
	int rc = db_query_int(db, sql, 1, (const char *[]){s}, &n);
	return rc ? rc : n ? DB_OK : DB_EFOREIGN;
}

int profile_apply(struct op *op, int64_t id, const struct profile_change *c)
{
	int rc;
	if (c->set[PF_ORG_UNIT_ID] && !c->null[PF_ORG_UNIT_ID] &&
	    (rc = exists(op->db, "org_units", c->id[PF_ORG_UNIT_ID])))
		return rc;
	if (c->set[PF_SUPERIOR_ID] && !c->null[PF_SUPERIOR_ID]) {
		bool loops;
		if ((rc = exists(op->db, "users", c->id[PF_SUPERIOR_ID])) ||
		    (rc = superior_loops(op->db, id, c->id[PF_SUPERIOR_ID], &loops)))
			return rc;
		if (loops) {
			problem_add(op->problem, "superior_id", "superior_loop", NULL);
			return DB_ECONSTRAINT;
		}
	}
	/* The old values for the audit row, then one UPDATE per field that is set. */
	struct str before = STR_INIT, changes = STR_INIT;
	if ((rc = profile_get_json(op->db, id, false, &before)))
		goto out;
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	str_addc(&changes, '{');
	size_t n = 0;
	for (int f = 0; f < PF__MAX && !rc; f++) {
		if (!c->set[f])
			continue;
		char sql[96], val[24];
		snprintf(sql, sizeof sql, "UPDATE users SET %s = ? WHERE id = ?",
		         profile_field_names[f]);
		const char *v = c->null[f] ? NULL : c->text[f];
		if (!c->null[f] && profile_field_is_id((enum profile_field)f)) {
			snprintf(val, sizeof val, "%lld", (long long)c->id[f]);
			v = val;
		}
		rc = db_run(op->db, sql, 2, (const char *[]){v, sid});
		if (n++)
			str_addc(&changes, ',');
		str_add_jsons(&changes, profile_field_names[f]);
		str_addc(&changes, ':');
		if (!v)
			str_adds(&changes, "null");
		else if (profile_field_is_id((enum profile_field)f))
			str_adds(&changes, v);
		else
			str_add_jsons(&changes, v);
	}
	str_addc(&changes, '}');
	if (!rc && n) {
		struct str a = STR_INIT;
		str_adds(&a, "{\"before\":");
		str_add(&a, before.buf, before.len);
		str_adds(&a, ",\"after\":");
		str_add(&a, changes.buf, changes.len);
		str_addc(&a, '}');
		rc = audit_write(op, "profile", "users", id, a.buf);
		str_release(&a);
	}
out:
	str_release(&before);
	str_release(&changes);
	return rc;
}
