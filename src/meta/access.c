#include "access.h"
#include "core/util.h"

#include <string.h>

enum scope access_scope(const struct op *op, enum action act)
{
	if (!op->actor)
		return SCOPE_ALL;
	enum scope s = actor_scope(op->actor, op->e->name, act);
	if (act == ACT_EXPORT) {
		enum scope r = actor_scope(op->actor, op->e->name, ACT_READ);
		if (r < s)
			s = r;
	}
	/* Records of an entity without owners belong to the whole organisation. */
	if (!op->e->owned && s != SCOPE_NONE)
		s = SCOPE_ALL;
	return s;
}

/* Whether anything of op->e is shared with the actor or one of their units (asked once). */
static int shared_with_actor(struct op *op, bool *yes)
{
	if (op->shared) {
		*yes = op->shared > 0;
		return DB_OK;
	}
	const struct actor *a = op->actor;
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT 1 FROM record_shares WHERE entity = ");
	sqlq_texts(&s, op->e->name);
	sqlq_add(&s, " AND (user_id = ");
	sqlq_int(&s, a->user_id);
	for (size_t i = 0; i < a->n_units; i++) {
		sqlq_add(&s, i ? ", " : " OR org_unit_id IN (");
		sqlq_int(&s, a->units[i]);
	}
	sqlq_add(&s, a->n_units ? ")) LIMIT 1" : ") LIMIT 1");
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, &s, &st);
	if (!rc) {
		rc = db_step(st);
		db_reset(st);
		if (rc == DB_ROW || rc == DB_DONE) {
			op->shared = rc == DB_ROW ? 1 : -1;
			*yes = rc == DB_ROW;
			rc = DB_OK;
		}
	}
	sqlq_release(&s);
	return rc;
}

/* Units whose path starts with prefix: [prefix, prefix with its last '/' raised to '0'). */
static void add_subtree(struct op *op, struct sqlq *s, const char *prefix)
{
	size_t n = strlen(prefix);
	char *upper = arena_strndup(op->arena, prefix, n);
	upper[n - 1] = '0'; /* the character after '/' */
	sqlq_add(s, " OR t.\"org_unit_id\" IN (SELECT id FROM org_units WHERE path >= ");
	sqlq_texts(s, arena_strdup(op->arena, prefix));
	sqlq_add(s, " AND path < ");
	sqlq_texts(s, upper);
	sqlq_add(s, ")");
}

int access_may_list(struct op *op, bool *may)
{
	*may = access_scope(op, ACT_READ) != SCOPE_NONE;
	return *may ? DB_OK : shared_with_actor(op, may);
}

int access_cond(struct op *op, enum action act, struct sqlq *s)
{
	enum scope scope = access_scope(op, act);
	const struct actor *a = op->actor;
	if (scope == SCOPE_ALL) {
		sqlq_add(s, "(1 = 1)");
		return DB_OK;
	}
	bool shares = false;
	if (act == ACT_READ || act == ACT_UPDATE) {
		int rc = shared_with_actor(op, &shares);
		if (rc)
			return rc;
	}
	sqlq_add(s, "(");
	if (scope == SCOPE_NONE) {
		sqlq_add(s, "1 = 0");
	} else {
		sqlq_add(s, "t.\"owner_id\" = ");
		sqlq_int(s, a->user_id);
		if (scope == SCOPE_DEPT && a->org_unit_id) {
			sqlq_add(s, " OR t.\"org_unit_id\" = ");
			sqlq_int(s, a->org_unit_id);
		} else if (scope == SCOPE_DEPT_TREE && a->unit_path) {
			add_subtree(op, s, a->unit_path);
		} else if (scope == SCOPE_SUBSIDIARY && a->subsidiary_path) {
			add_subtree(op, s, a->subsidiary_path);
		}
	}
	if (shares) {
		sqlq_add(s, " OR t.\"id\" IN (SELECT record_id FROM record_shares WHERE entity = ");
		sqlq_texts(s, op->e->name);
		sqlq_add(s, " AND (user_id = ");
		sqlq_int(s, a->user_id);
		for (size_t i = 0; i < a->n_units; i++) {
			sqlq_add(s, i ? ", " : " OR org_unit_id IN (");
			sqlq_int(s, a->units[i]);
		}
		sqlq_add(s, a->n_units ? "))" : ")");
		if (act == ACT_UPDATE)
			sqlq_add(s, " AND access = 'edit'");
		sqlq_add(s, ")");
	}
	sqlq_add(s, ")");
	return DB_OK;
}

int access_where(struct op *op, enum action act, struct sqlq *s)
{
	if (access_scope(op, act) == SCOPE_ALL)
		return DB_OK;
	sqlq_add(s, " AND ");
	return access_cond(op, act, s);
}

int access_check_record(struct op *op, enum action act, int64_t id)
{
	/* The callers loaded the live record already; with scope all there is nothing to ask. */
	if (access_scope(op, act) == SCOPE_ALL)
		return DB_OK;
	return access_find_record(op, act, id);
}

int access_find_record(struct op *op, enum action act, int64_t id)
{
	struct sqlq s;
	sqlq_init(&s);
	sqlq_addf(&s, "SELECT 1 FROM \"%s\" t WHERE t.\"id\" = ", op->e->name);
	sqlq_int(&s, id);
	sqlq_add(&s, " AND t.\"deleted_at\" IS NULL");
	int rc = access_where(op, act, &s);
	struct db_stmt *st;
	if (!rc && !(rc = sqlq_prepare(op->db, &s, &st))) {
		rc = db_step(st);
		db_reset(st);
		if (rc == DB_ROW)
			rc = DB_OK;
	}
	sqlq_release(&s);
	return rc;
}

int access_check_owner(struct op *op, int64_t user_id, bool *ok, int64_t *unit)
{
	const char *path;
	*ok = false;
	int rc = user_unit(op->db, op->arena, user_id, unit, &path);
	if (rc == DB_OK) {
		const struct actor *a = op->actor;
		enum scope scope = access_scope(op, ACT_ASSIGN);
		if (!a || user_id == a->user_id || scope == SCOPE_ALL)
			*ok = true;
		else if (scope == SCOPE_DEPT)
			*ok = a->org_unit_id && *unit == a->org_unit_id;
		else if (scope == SCOPE_DEPT_TREE)
			*ok = a->unit_path && path &&
			      strncmp(path, a->unit_path, strlen(a->unit_path)) == 0;
		else if (scope == SCOPE_SUBSIDIARY)
			*ok = a->subsidiary_path && path &&
			      strncmp(path, a->subsidiary_path, strlen(a->subsidiary_path)) == 0;
	} else if (rc == DB_DONE) {
		rc = DB_OK; /* no such user: the reference check names the field */
		*ok = true;
	}
	return rc;
}

void access_mask_text(const struct field *f, const struct value *v, struct str *out)
{
	if (v->kind == V_NULL)
		return;
	if (v->kind == V_TEXT && f->type == FT_PHONE) {
		/* Mainland custom: the first three and the last four digits stay. */
		size_t digits = 0;
		for (size_t i = 0; i < v->n; i++)
			digits += v->s[i] >= '0' && v->s[i] <= '9';
		if (digits >= 11) {
			size_t seen = 0;
			for (size_t i = 0; i < v->n; i++) {
				char c = v->s[i];
				if (c < '0' || c > '9') {
					str_addc(out, c);
					continue;
				}
				seen++;
				str_addc(out, seen <= 3 || seen > digits - 4 ? c : '*');
			}
			return;
		}
	}
	if (v->kind == V_TEXT && f->type == FT_EMAIL) {
		const char *at = memchr(v->s, '@', v->n);
		if (at && at > v->s) {
			str_addc(out, v->s[0]);
			str_adds(out, "***");
			str_add(out, at, v->n - (size_t)(at - v->s));
			return;
		}
	}
	str_adds(out, "******");
}

void access_mask_json(const struct field *f, const struct value *v, struct str *out)
{
	bool text_like = f->type == FT_TEXT || f->type == FT_LONGTEXT || f->type == FT_PHONE ||
	                 f->type == FT_EMAIL || f->type == FT_URL;
	if (v->kind == V_NULL || !text_like) {
		str_adds(out, "null");
		return;
	}
	struct str m = STR_INIT;
	access_mask_text(f, v, &m);
	str_add_json(out, m.buf, m.len);
	str_release(&m);
}
