#include "actor.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const scope_names[SCOPE__MAX] = {
    [SCOPE_NONE] = "none",
    [SCOPE_OWN] = "own",
    [SCOPE_DEPT] = "dept",
    [SCOPE_DEPT_TREE] = "dept_tree",
    [SCOPE_SUBSIDIARY] = "subsidiary",
    [SCOPE_ALL] = "all",
};

const char *const action_names[ACT__MAX] = {
    [ACT_READ] = "read",     [ACT_CREATE] = "create",   [ACT_UPDATE] = "update",
    [ACT_DELETE] = "delete", [ACT_EXPORT] = "export",   [ACT_IMPORT] = "import",
    [ACT_ASSIGN] = "assign", [ACT_APPROVE] = "approve", [ACT_SENSITIVE] = "sensitive",
};

int scope_parse(const char *s)
{
	for (int i = 0; i < SCOPE__MAX; i++)
		if (strcmp(s, scope_names[i]) == 0)
			return i;
	return -1;
}

int action_parse(const char *s)
{
	for (int i = 0; i < ACT__MAX; i++)
		if (strcmp(s, action_names[i]) == 0)
			return i;
	return -1;
}

enum scope actor_scope(const struct actor *a, const char *entity, enum action act)
{
	if (a->admin)
		return SCOPE_ALL;
	for (size_t i = 1; i < a->n_grants; i++)
		if (strcmp(a->grants[i].entity, entity) == 0)
			return (enum scope)a->grants[i].scope[act];
	return a->n_grants ? (enum scope)a->grants[0].scope[act] : SCOPE_NONE;
}

/* ---- loading ---- */

/* One line of role_permissions, as read. */
struct perm_row {
	const char *role, *entity;
	int action, scope;
};

/* What one role gives on an entity: its own line for the action, else its "*" line. */
static int role_scope(const struct perm_row *rows, size_t n, const char *role, const char *entity,
                      int act)
{
	int star = SCOPE_NONE;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].action != act || strcmp(rows[i].role, role) != 0)
			continue;
		if (strcmp(rows[i].entity, entity) == 0)
			return rows[i].scope;
		if (strcmp(rows[i].entity, "*") == 0)
			star = rows[i].scope;
	}
	return star;
}

/* The grants of every entity any role names, "*" first: per action the widest of the roles. */
static void build_grants(struct arena *a, const struct perm_row *rows, size_t n, struct actor *out)
{
	const char **names = ARENA_NEW_ARRAY(a, const char *, n + 1);
	size_t n_names = 0;
	names[n_names++] = "*";
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < n_names && !seen; j++)
			seen = strcmp(names[j], rows[i].entity) == 0;
		if (!seen)
			names[n_names++] = rows[i].entity;
	}
	out->grants = ARENA_NEW_ARRAY(a, struct grant, n_names);
	out->n_grants = n_names;
	for (size_t g = 0; g < n_names; g++) {
		struct grant *gr = &out->grants[g];
		gr->entity = names[g];
		for (int act = 0; act < ACT__MAX; act++) {
			int best = SCOPE_NONE;
			for (size_t r = 0; r < out->n_roles; r++) {
				int s = role_scope(rows, n, out->roles[r], names[g], act);
				if (s > best)
					best = s;
			}
			gr->scope[act] = (unsigned char)best;
		}
	}
}

int user_unit(struct db *db, struct arena *a, int64_t user_id, int64_t *unit, const char **path)
{
	struct db_stmt *st;
	*unit = 0;
	*path = NULL;
	int rc = db_prepare(db,
	                    "SELECT u.org_unit_id, o.path FROM users u "
	                    "LEFT JOIN org_units o ON o.id = u.org_unit_id WHERE u.id = ?",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	rc = db_step(st);
	if (rc == DB_ROW && !db_column_null(st, 1)) {
		*unit = db_column_int(st, 0);
		*path = arena_strdup(a, db_column_text(st, 1, NULL));
	}
	db_reset(st);
	return rc == DB_ROW ? DB_OK : rc;
}

static int load_org(struct db *db, struct arena *a, int64_t user_id, struct actor *out)
{
	int rc = user_unit(db, a, user_id, &out->org_unit_id, &out->unit_path);
	if (rc || !out->unit_path)
		return rc;
	struct db_stmt *st;
	/* The ids along the path, root first. */
	size_t n = 0;
	for (const char *p = out->unit_path; *p; p++)
		n += *p == '/';
	out->units = ARENA_NEW_ARRAY(a, int64_t, n);
	for (const char *p = out->unit_path; *p == '/' && p[1];) {
		char *end;
		long long id = strtoll(p + 1, &end, 10);
		if (end == p + 1)
			break;
		out->units[out->n_units++] = id;
		p = end;
	}
	/* The nearest subsidiary at or above the unit; else the root (the head company). */
	rc = db_prepare(db,
	                "SELECT path FROM org_units WHERE kind = 'subsidiary' AND "
	                "substr(?, 1, length(path)) = path ORDER BY length(path) DESC LIMIT 1",
	                &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, out->unit_path);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->subsidiary_path = arena_strdup(a, db_column_text(st, 0, NULL));
	} else if (rc == DB_DONE) {
		const char *second = strchr(out->unit_path + 1, '/');
		out->subsidiary_path =
		    arena_strndup(a, out->unit_path, (size_t)(second - out->unit_path) + 1);
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

static int load_roles(struct db *db, struct arena *a, int64_t user_id, struct actor *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT role FROM user_roles WHERE user_id = ? ORDER BY role", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	size_t cap = 8;
	out->roles = ARENA_NEW_ARRAY(a, const char *, cap);
	while ((rc = db_step(st)) == DB_ROW) {
		if (out->n_roles == cap) {
			const char **bigger = ARENA_NEW_ARRAY(a, const char *, cap * 2);
			memcpy(bigger, out->roles, cap * sizeof *bigger);
			out->roles = bigger;
			cap *= 2;
		}
		const char *role = arena_strdup(a, db_column_text(st, 0, NULL));
		out->roles[out->n_roles++] = role;
		if (strcmp(role, "admin") == 0)
			out->admin = true;
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int load_grants(struct db *db, struct arena *a, int64_t user_id, struct actor *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT p.role, p.entity, p.action, p.scope FROM role_permissions p "
	                    "JOIN user_roles r ON r.role = p.role WHERE r.user_id = ?",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	size_t n = 0, cap = 64;
	struct perm_row *rows = ARENA_NEW_ARRAY(a, struct perm_row, cap);
	while ((rc = db_step(st)) == DB_ROW) {
		int act = action_parse(db_column_text(st, 2, NULL));
		int scope = scope_parse(db_column_text(st, 3, NULL));
		if (act < 0 || scope < 0)
			continue; /* written by a newer version: not understood, so not granted */
		if (n == cap) {
			struct perm_row *bigger = ARENA_NEW_ARRAY(a, struct perm_row, cap * 2);
			memcpy(bigger, rows, cap * sizeof *rows);
			rows = bigger;
			cap *= 2;
		}
		rows[n].role = arena_strdup(a, db_column_text(st, 0, NULL));
		rows[n].entity = arena_strdup(a, db_column_text(st, 1, NULL));
		rows[n].action = act;
		rows[n].scope = scope;
		n++;
	}
	db_reset(st);
	if (rc != DB_DONE)
		return rc;
	build_grants(a, rows, n, out);
	return DB_OK;
}

static int load_account(struct db *db, int64_t user_id, struct actor *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT must_change_password, password_changed_at, totp_enabled "
	                    "FROM users WHERE id = ?",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->must_change_password = db_column_int(st, 0) != 0;
		db_column_time(st, 1, &out->password_changed_ms);
		out->totp_enabled = db_column_int(st, 2) != 0;
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

static int actor_read(struct db *db, struct arena *a, int64_t user_id, struct actor *out)
{
	memset(out, 0, sizeof *out);
	out->user_id = user_id;
	int rc = load_account(db, user_id, out);
	if (!rc)
		rc = load_org(db, a, user_id, out);
	if (!rc)
		rc = load_roles(db, a, user_id, out);
	if (!rc)
		rc = load_grants(db, a, user_id, out);
	return rc;
}

static void actor_copy(struct arena *a, const struct actor *src, struct actor *dst)
{
	*dst = *src;
	dst->roles = ARENA_NEW_ARRAY(a, const char *, src->n_roles + 1);
	for (size_t i = 0; i < src->n_roles; i++)
		dst->roles[i] = arena_strdup(a, src->roles[i]);
	dst->unit_path = src->unit_path ? arena_strdup(a, src->unit_path) : NULL;
	dst->subsidiary_path = src->subsidiary_path ? arena_strdup(a, src->subsidiary_path) : NULL;
	dst->units = ARENA_NEW_ARRAY(a, int64_t, src->n_units + 1);
	if (src->n_units) /* units is NULL for a user in no unit */
		memcpy(dst->units, src->units, src->n_units * sizeof *src->units);
	dst->grants = ARENA_NEW_ARRAY(a, struct grant, src->n_grants + 1);
	for (size_t i = 0; i < src->n_grants; i++) {
		dst->grants[i] = src->grants[i];
		dst->grants[i].entity = arena_strdup(a, src->grants[i].entity);
	}
}

/*
 * A short-lived cache per process, as for sessions (session.c): entries live ACTOR_CACHE_MS, so
 * a change made on another node holds here within that; one made here clears the cache at once.
 */
#define ACTOR_CACHE_SLOTS 256
#define ACTOR_CACHE_MS    2000

struct cached_actor {
	int64_t user_id; /* 0: empty */
	int64_t fetched_ns;
	struct arena arena;
	struct actor actor;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_actor cache[ACTOR_CACHE_SLOTS];
static uint64_t cache_generation;

static void slot_clear(struct cached_actor *c)
{
	if (c->user_id)
		arena_release(&c->arena);
	memset(c, 0, sizeof *c);
}

void actor_cache_invalidate(void)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < ACTOR_CACHE_SLOTS; i++)
		slot_clear(&cache[i]);
	cache_generation++;
	pthread_mutex_unlock(&cache_lock);
}

int actor_change_end(struct db *db, int rc)
{
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	else
		actor_cache_invalidate();
	return rc;
}

void actor_cache_release(void)
{
	actor_cache_invalidate();
}

int actor_load(struct db *db, struct arena *a, int64_t user_id, struct actor *out)
{
	struct cached_actor *c = &cache[(uint64_t)user_id % ACTOR_CACHE_SLOTS];
	pthread_mutex_lock(&cache_lock);
	bool hit =
	    c->user_id == user_id && time_mono_ns() - c->fetched_ns < ACTOR_CACHE_MS * 1000000LL;
	if (hit)
		actor_copy(a, &c->actor, out);
	uint64_t generation = cache_generation;
	pthread_mutex_unlock(&cache_lock);
	if (hit)
		return DB_OK;

	int64_t fetched = time_mono_ns();
	int rc = actor_read(db, a, user_id, out);
	if (rc)
		return rc;
	pthread_mutex_lock(&cache_lock);
	/* A change since the read began may have made it stale: then it is not kept. */
	if (generation == cache_generation) {
		slot_clear(c);
		arena_init(&c->arena, 4096);
		actor_copy(&c->arena, out, &c->actor);
		c->user_id = user_id;
		c->fetched_ns = fetched;
	}
	pthread_mutex_unlock(&cache_lock);
	return DB_OK;
}
