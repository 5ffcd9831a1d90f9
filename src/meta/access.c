#include "access.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <pthread.h>
#include <stdio.h>

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

/*
 * The unit part of a scope on column prefix"org_unit_id": one unit, or the units whose path
 * starts with the unit's (the range [path, path with its last '/' raised to '0')). False if the
 * scope has none (own records only, or a user in no unit).
 */
static bool add_units(struct op *op, struct sqlq *s, enum scope scope, const char *prefix)
{
	const struct actor *a = op->actor;
	const char *path = scope == SCOPE_DEPT_TREE    ? a->unit_path
	                   : scope == SCOPE_SUBSIDIARY ? a->subsidiary_path
	                                               : NULL;
	if (scope == SCOPE_DEPT && a->org_unit_id) {
		sqlq_addf(s, "%s\"org_unit_id\" = ", prefix);
		sqlq_int(s, a->org_unit_id);
		return true;
	}
	if (!path)
		return false;
	size_t n = strlen(path);
	char *upper = arena_strndup(op->arena, path, n);
	upper[n - 1] = '0'; /* the character after '/' */
	sqlq_addf(s, "%s\"org_unit_id\" IN (SELECT id FROM org_units WHERE path >= ", prefix);
	sqlq_texts(s, arena_strdup(op->arena, path));
	sqlq_add(s, " AND path < ");
	sqlq_texts(s, upper);
	sqlq_add(s, ")");
	return true;
}

/* The ids of the records shared with the actor or a unit of theirs (for editing: edit). */
static void add_shared_ids(struct op *op, struct sqlq *s, enum action act)
{
	const struct actor *a = op->actor;
	sqlq_add(s, "SELECT record_id FROM record_shares WHERE entity = ");
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
}

int access_may_list(struct op *op, bool *may)
{
	*may = access_scope(op, ACT_READ) != SCOPE_NONE;
	return *may ? DB_OK : shared_with_actor(op, may);
}

/*
 * How many live records the scope's units hold (up to SIZE_PROBE_MAX), and the table's live
 * rows, kept per process for a minute: sizes change slowly, and the answer only chooses a plan.
 */
#define SIZE_PROBE_MAX 100000
#define SIZE_CACHE     64
#define SIZE_CACHE_MS  60000

struct size_entry {
	char key[192]; /* entity, scope, unit or path; "" = empty */
	int64_t records, rows, at_ns;
};

static pthread_mutex_t size_lock = PTHREAD_MUTEX_INITIALIZER;
static struct size_entry sizes[SIZE_CACHE];

static int scope_size(struct op *op, enum scope scope, int64_t *records, int64_t *rows)
{
	const struct actor *a = op->actor;
	char key[192];
	snprintf(key, sizeof key, "%s|%d|%lld|%s", op->e->name, (int)scope,
	         (long long)a->org_unit_id, scope == SCOPE_SUBSIDIARY ? a->subsidiary_path : "");
	unsigned h = 5381;
	for (const char *c = key; *c; c++)
		h = h * 33 + (unsigned char)*c;
	struct size_entry *slot = &sizes[h % SIZE_CACHE];
	pthread_mutex_lock(&size_lock);
	bool hit =
	    strcmp(slot->key, key) == 0 && time_mono_ns() - slot->at_ns < SIZE_CACHE_MS * 1000000LL;
	*records = slot->records;
	*rows = slot->rows;
	pthread_mutex_unlock(&size_lock);
	if (hit)
		return DB_OK;
	struct sqlq s;
	sqlq_init(&s);
	sqlq_addf(&s,
	          "SELECT count(*) FROM (SELECT 1 FROM \"%s\" WHERE \"deleted_at\" IS NULL AND ",
	          op->e->name);
	add_units(op, &s, scope, "");
	sqlq_addf(&s, " LIMIT %d) x", SIZE_PROBE_MAX + 1);
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, &s, &st);
	if (!rc) {
		rc = db_step(st);
		*records = rc == DB_ROW ? db_column_int(st, 0) : 0;
		db_reset(st);
		rc = rc == DB_ROW ? DB_OK : rc;
	}
	sqlq_release(&s);
	const char *p[] = {op->e->name};
	*rows = 0;
	if (!rc)
		rc = db_query_int(op->db,
		                  "SELECT live_rows FROM sys_row_counts WHERE table_name = ?", 1, p,
		                  rows);
	if (rc)
		return rc;
	pthread_mutex_lock(&size_lock);
	snprintf(slot->key, sizeof slot->key, "%s", key);
	slot->records = *records;
	slot->rows = *rows;
	slot->at_ns = time_mono_ns();
	pthread_mutex_unlock(&size_lock);
	return DB_OK;
}

/*
 * Whether to read the scope as the set of its ids (each part through its index, then sorted or
 * counted) rather than walk the table's order testing each row. Walking finds a page of 50 after
 * about 50 × rows / records rows and a capped count after cap × rows / records; the set costs
 * about its size. So the set wins when records² ≤ want × rows.
 */
static int scope_as_set(struct op *op, enum scope scope, enum list_use use, bool *set)
{
	int64_t records, rows;
	int rc = scope_size(op, scope, &records, &rows);
	if (rc)
		return rc;
	int64_t want = use == LIST_COUNT ? op->count_cap + 1 : 64;
	*set = records * records <= want * (rows > 0 ? rows : 1);
	return DB_OK;
}

/* The owner and unit part of a scope, without its ")": columns prefix"owner_id" and
 * prefix"org_unit_id". */
static void add_owner_units(struct op *op, enum scope scope, const char *prefix, struct sqlq *s)
{
	sqlq_addf(s, "(%s\"owner_id\" = ", prefix);
	sqlq_int(s, op->actor->user_id);
	size_t mark = s->sql.len;
	sqlq_add(s, " OR ");
	if (!add_units(op, s, scope, prefix))
		str_truncate(&s->sql, mark);
}

/* The scope as one row test: owner, unit, or shared. Best for one record, or for walking. */
static void cond_per_row(struct op *op, enum action act, enum scope scope, bool shares,
                         struct sqlq *s)
{
	add_owner_units(op, scope, "t.", s);
	if (shares) {
		sqlq_add(s, " OR t.\"id\" IN (");
		add_shared_ids(op, s, act);
		sqlq_add(s, ")");
	}
	sqlq_add(s, ")");
}

/* The scope as a set of ids, each part read through its own index: best when it is small. */
static void cond_as_set(struct op *op, enum action act, enum scope scope, bool shares,
                        struct sqlq *s)
{
	const char *e = op->e->name;
	sqlq_addf(s,
	          "t.\"id\" IN (SELECT \"id\" FROM \"%s\" WHERE \"deleted_at\" IS NULL AND "
	          "\"owner_id\" = ",
	          e);
	sqlq_int(s, op->actor->user_id);
	size_t mark = s->sql.len;
	sqlq_addf(s, " UNION ALL SELECT \"id\" FROM \"%s\" WHERE \"deleted_at\" IS NULL AND ", e);
	if (!add_units(op, s, scope, ""))
		str_truncate(&s->sql, mark);
	if (shares) {
		sqlq_add(s, " UNION ALL ");
		add_shared_ids(op, s, act);
	}
	sqlq_add(s, ")");
}

static int cond_scoped(struct op *op, enum action act, enum scope scope, struct sqlq *s,
                       enum list_use use);

/*
 * The condition, in the form that serves its use best. The shared pool (records of a pooled
 * entity without an owner) is its own list (pool_view), and a record of it can be read by
 * whoever may read the entity at all, so that they can look before they claim.
 */
static int cond(struct op *op, enum action act, struct sqlq *s, enum list_use use)
{
	enum scope scope = access_scope(op, act);
	if (op->pool_view && op->e->pool) {
		sqlq_add(s, scope == SCOPE_NONE ? "(1 = 0)" : "t.\"owner_id\" IS NULL");
		return DB_OK;
	}
	if (act != ACT_READ || !op->e->pool || use != LIST_NONE || scope == SCOPE_NONE ||
	    scope == SCOPE_ALL)
		return cond_scoped(op, act, scope, s, use);
	sqlq_add(s, "(t.\"owner_id\" IS NULL OR ");
	int rc = cond_scoped(op, act, scope, s, use);
	sqlq_add(s, ")");
	return rc;
}

static int cond_scoped(struct op *op, enum action act, enum scope scope, struct sqlq *s,
                       enum list_use use)
{
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
	if (scope == SCOPE_NONE) {
		if (!shares) {
			sqlq_add(s, "(1 = 0)");
			return DB_OK;
		}
		sqlq_add(s, "t.\"id\" IN (");
		add_shared_ids(op, s, act);
		sqlq_add(s, ")");
		return DB_OK;
	}
	bool set = false;
	if (use != LIST_NONE) {
		/* Own records: the owner index serves them, unless shares join in. Units: it
		 * depends on how many records they hold. */
		struct sqlq probe;
		sqlq_init(&probe);
		bool has_units = add_units(op, &probe, scope, "");
		sqlq_release(&probe);
		set = shares && !has_units;
		if (has_units) {
			int rc = scope_as_set(op, scope, use, &set);
			if (rc)
				return rc;
		}
	}
	if (set)
		cond_as_set(op, act, scope, shares, s);
	else
		cond_per_row(op, act, scope, shares, s);
	return DB_OK;
}

int access_cond_owner_unit(struct op *op, enum action act, const char *prefix, struct sqlq *s,
                           bool *shares)
{
	enum scope scope = access_scope(op, act);
	*shares = false;
	if (scope == SCOPE_ALL) {
		sqlq_add(s, "(1 = 1)");
		return DB_OK;
	}
	int rc = shared_with_actor(op, shares);
	if (rc)
		return rc;
	if (scope == SCOPE_NONE)
		sqlq_add(s, "(1 = 0)");
	else {
		add_owner_units(op, scope, prefix, s);
		sqlq_add(s, ")");
	}
	return DB_OK;
}

void access_add_shared_ids(struct op *op, enum action act, struct sqlq *s)
{
	add_shared_ids(op, s, act);
}

int access_cond(struct op *op, enum action act, struct sqlq *s)
{
	return cond(op, act, s, LIST_NONE);
}

int access_where_list(struct op *op, enum action act, enum list_use use, struct sqlq *s)
{
	if (access_scope(op, act) == SCOPE_ALL && !(op->pool_view && op->e->pool))
		return DB_OK;
	sqlq_add(s, " AND ");
	return cond(op, act, s, use);
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
