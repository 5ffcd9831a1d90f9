#include "refrules.h"
#include "sqlq.h"
#include "core/util.h"

/*
 * Column `name` of record id of e, deleted or not: *has is false when it is empty or there is
 * no such row. lock: FOR UPDATE on PostgreSQL, so that two writers walking one chain from both
 * ends wait for each other instead of each closing a loop the other cannot see (SQLite's
 * writers take turns already).
 */
static int column_of(struct op *op, const struct entity *e, const char *name, int64_t id, bool lock,
                     int64_t *v, bool *has)
{
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT ");
	sqlq_ident(&s, "", name);
	sqlq_add(&s, " FROM ");
	sqlq_ident(&s, "", e->name);
	sqlq_add(&s, " WHERE \"id\" = ");
	sqlq_int(&s, id);
	if (lock && db_kind(op->db) == DB_PG)
		sqlq_add(&s, " FOR UPDATE");
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, &s, &st);
	if (!rc) {
		rc = db_step(st);
		*has = rc == DB_ROW && !db_column_null(st, 0);
		*v = *has ? db_column_int(st, 0) : 0;
		db_reset(st);
		rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	}
	sqlq_release(&s);
	return rc;
}

/* " AND (t.col is not v)": the rows whose reference col differs from v (empty when !has). */
static void add_differs(struct sqlq *s, const char *col, bool has, int64_t v)
{
	sqlq_add(s, " AND ");
	if (!has) {
		sqlq_ident(s, "t.", col);
		sqlq_add(s, " IS NOT NULL");
		return;
	}
	sqlq_add(s, "(");
	sqlq_ident(s, "t.", col);
	sqlq_add(s, " IS NULL OR ");
	sqlq_ident(s, "t.", col);
	sqlq_add(s, " <> ");
	sqlq_int(s, v);
	sqlq_add(s, ")");
}

/* Whether the statement in s finds a row. */
static int any_row(struct op *op, struct sqlq *s, bool *found)
{
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, s, &st);
	if (!rc) {
		rc = db_step(st);
		*found = rc == DB_ROW;
		db_reset(st);
		rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	}
	sqlq_release(s);
	return rc;
}

int refrules_same_kept(struct op *op, const struct field *f, const struct value *vals, bool *kept)
{
	*kept = true;
	const struct value *target = &vals[f->position];
	if (!f->same || target->kind != V_INT)
		return DB_OK;
	int64_t theirs;
	bool has;
	int rc = column_of(op, f->ref, f->same->name, target->i, false, &theirs, &has);
	if (rc)
		return rc;
	const struct value *mine = &vals[f->same->position];
	*kept = mine->kind == V_INT ? has && theirs == mine->i : !has;
	return DB_OK;
}

const char *const *refrules_same_params(struct op *op, const struct field *f)
{
	const char **p = ARENA_NEW_ARRAY(op->arena, const char *, 3);
	p[0] = "field";
	p[1] = label_get(&f->same->label, op->lang);
	return p;
}

/*
 * Whether following f up from record `from` comes to record id (*cycle), or goes on past
 * REFRULES_MAX_DEPTH (*too_long). Deleted records are followed too: a restore brings a record
 * back with its references as they were.
 */
static int walk_reaches(struct op *op, const struct field *f, int64_t from, int64_t id, bool *cycle,
                        bool *too_long)
{
	*cycle = *too_long = false;
	int64_t at = from;
	for (int depth = 0; depth < REFRULES_MAX_DEPTH; depth++) {
		if (at == id) {
			*cycle = true;
			return DB_OK;
		}
		bool has;
		int rc = column_of(op, op->e, f->name, at, true, &at, &has);
		if (rc || !has)
			return rc;
	}
	*too_long = true;
	return DB_OK;
}

static void add_walk_problem(struct op *op, const char *field, bool cycle, bool too_long)
{
	static const char *const depth[] = {"max", "1000", NULL};
	_Static_assert(REFRULES_MAX_DEPTH == 1000, "the message's max");
	if (cycle)
		problem_add(op->problem, field, "reference_cycle", NULL);
	else if (too_long)
		problem_add(op->problem, field, "reference_chain_too_long", depth);
}

/*
 * A live record of any entity that points at record id of op->e by a `same` field sharing g,
 * while its own g differs from v, the value g is about to take: *by gets that field.
 */
static int dependent_differs(struct op *op, int64_t id, const struct field *g,
                             const struct value *v, const struct field **by)
{
	*by = NULL;
	for (size_t c = 0; c < op->reg->n_entities && !*by; c++) {
		const struct entity *child = &op->reg->entities[c];
		for (size_t k = 0; k < child->n_fields && !*by; k++) {
			const struct field *f = &child->fields[k];
			if (!f->same || f->ref != op->e || !str_eq(f->same_name, g->name))
				continue;
			struct sqlq s;
			sqlq_init(&s);
			sqlq_add(&s, "SELECT 1 FROM ");
			sqlq_ident(&s, "", child->name);
			sqlq_add(&s, " t WHERE t.\"deleted_at\" IS NULL AND ");
			sqlq_ident(&s, "t.", f->name);
			sqlq_add(&s, " = ");
			sqlq_int(&s, id);
			sqlq_add(&s, " AND t.\"id\" <> ");
			sqlq_int(&s, id);
			add_differs(&s, g->name, v->kind == V_INT, v->i);
			sqlq_add(&s, " LIMIT 1");
			bool found;
			int rc = any_row(op, &s, &found);
			if (rc)
				return rc;
			if (found)
				*by = f;
		}
	}
	return DB_OK;
}

int refrules_check(struct op *op, int64_t id, const struct value *vals, const bool *changed)
{
	const struct entity *e = op->e;
	int rc;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!field_visible(f) || vals[i].kind != V_INT)
			continue;
		if (f->same && (changed[i] || changed[f->same->position])) {
			bool kept;
			if ((rc = refrules_same_kept(op, f, vals, &kept)))
				return rc;
			if (!kept)
				problem_add(op->problem, f->name, "reference_not_same",
				            refrules_same_params(op, f));
		}
		/* A record being created has no id anything could point back with. */
		if (f->acyclic && changed[i] && id) {
			bool cycle, too_long;
			if ((rc = walk_reaches(op, f, vals[i].i, id, &cycle, &too_long)))
				return rc;
			add_walk_problem(op, f->name, cycle, too_long);
		}
	}
	for (size_t i = 0; i < e->n_fields && id; i++) {
		const struct field *g = &e->fields[i];
		const struct field *by;
		if (!changed[i] || g->type != FT_REFERENCE)
			continue;
		if ((rc = dependent_differs(op, id, g, &vals[i], &by)))
			return rc;
		if (by)
			problem_add(
			    op->problem, g->name, "same_in_use",
			    (const char *[]){"field", label_get(&by->label, op->lang), NULL});
	}
	return DB_OK;
}

/* The records of rel that point at into by a `same` field: do they all share it with into? */
static int merged_same_kept(struct op *op, const struct relation *rel, int64_t into, bool *kept)
{
	const struct field *via = rel->via;
	int64_t v;
	bool has;
	int rc = column_of(op, op->e, via->same_name, into, false, &v, &has);
	if (rc)
		return rc;
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT 1 FROM ");
	sqlq_ident(&s, "", rel->child->name);
	sqlq_add(&s, " t WHERE t.\"deleted_at\" IS NULL AND ");
	sqlq_ident(&s, "t.", via->name);
	sqlq_add(&s, " = ");
	sqlq_int(&s, into);
	add_differs(&s, via->same_name, has, v);
	sqlq_add(&s, " LIMIT 1");
	bool found;
	rc = any_row(op, &s, &found);
	*kept = !found;
	return rc;
}

int refrules_check_merged(struct op *op, int64_t into)
{
	for (size_t i = 0; i < op->e->n_relations; i++) {
		const struct relation *rel = &op->e->relations[i];
		const struct field *via = rel->via;
		int rc;
		if (via->same) {
			bool kept;
			if ((rc = merged_same_kept(op, rel, into, &kept)))
				return rc;
			if (!kept)
				problem_add(op->problem, via->name, "reference_not_same",
				            refrules_same_params(op, via));
		}
		/* Only into's chain can have closed: every moved reference now points at it. */
		if (via->acyclic) {
			int64_t up;
			bool has, cycle, too_long;
			if ((rc = column_of(op, op->e, via->name, into, true, &up, &has)))
				return rc;
			if (has && (rc = walk_reaches(op, via, up, into, &cycle, &too_long)))
				return rc;
			if (has)
				add_walk_problem(op, via->name, cycle, too_long);
		}
	}
	return DB_OK;
}
