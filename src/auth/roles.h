/*
 * Roles and what they may do (docs/internals/ACCESS.md): the roles shipped in policy/roles.json
 * are seeded once each; administrators add roles and edit any role's permissions, and every
 * change is in the audit trail. A change takes effect on this node at once and on the others
 * within two seconds (the actor cache, actor.h).
 */
#ifndef SEXTANT_ROLES_H
#define SEXTANT_ROLES_H

#include "actor.h"
#include "core/str.h"
#include "db/db.h"
#include "meta/op.h"

#include <stdbool.h>
#include <stdint.h>

/* One line of a role's permissions. */
struct permission {
	const char *entity; /* an entity's name or "*" */
	enum action action;
	enum scope scope; /* never SCOPE_NONE: what is not allowed has no line */
};

/* Insert the shipped roles that are not there yet, with their permissions (every start). */
int roles_seed(struct db *db);

/* Every role as a JSON array: key, names, builtin, number of users, permissions. */
int roles_list_json(struct db *db, struct str *out);
/* DB_DONE if there is no such role. */
int role_exists(struct db *db, const char *key);

/*
 * Changes by an administrator, each in one transaction with its audit row (entity "roles",
 * the role's key in the changes): op gives the database and who acts, from where.
 */
/* DB_ECONSTRAINT if the key is taken. */
int role_create(struct op *op, const char *key, const char *name_zh, const char *name_en);
/* DB_DONE if there is no such role. */
int role_rename(struct op *op, const char *key, const char *name_zh, const char *name_en);
/* A shipped role cannot be deleted, nor one still given to users: DB_ECONSTRAINT. */
int role_delete(struct op *op, const char *key);
/* Replace all of a role's permissions (DB_DONE if there is no such role). */
int role_set_permissions(struct op *op, const char *key, const struct permission *p, size_t n);
/* Replace a user's roles inside the caller's transaction (every one must exist: DB_EFOREIGN
 * if not), with an audit row (entity "users") when they changed. After the commit the caller
 * calls actor_cache_invalidate(). */
int user_set_roles(struct op *op, int64_t user_id, const char *const *roles, size_t n);
/* A user's roles as a JSON array of keys. */
int user_roles_json(struct db *db, int64_t user_id, struct str *out);
/* The active users holding role, by id, at most max of them into ids (*n). A DB_ code. */
int role_members(struct db *db, const char *role, int64_t *ids, size_t max, size_t *n);

#endif
