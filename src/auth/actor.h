/*
 * Who is acting: a user with their roles, their place in the organisation and what their roles
 * allow, per entity and action, as a data scope (docs/internals/ACCESS.md). Loaded once per
 * request (cached per user for two seconds on each node) and consulted by the generic engine
 * (meta/access.h), so every entity is protected without code of its own.
 */
#ifndef SEXTANT_ACTOR_H
#define SEXTANT_ACTOR_H

#include "core/arena.h"
#include "db/db.h"

#include <stdbool.h>
#include <stdint.h>

/* Wider scopes compare greater: a user with several roles gets the widest each one gives. */
enum scope {
	SCOPE_NONE,
	SCOPE_OWN,        /* records the user owns */
	SCOPE_DEPT,       /* … and those of the user's own organisation unit */
	SCOPE_DEPT_TREE,  /* … and of every unit below it */
	SCOPE_SUBSIDIARY, /* … of the user's subsidiary (or the head company) and below */
	SCOPE_ALL,
	SCOPE__MAX
};

enum action {
	ACT_READ,
	ACT_CREATE,
	ACT_UPDATE,
	ACT_DELETE,
	ACT_EXPORT,
	ACT_IMPORT,
	ACT_ASSIGN,    /* change a record's owner */
	ACT_APPROVE,   /* decide approvals (the process engine) */
	ACT_SENSITIVE, /* see and set fields flagged sensitive */
	ACT__MAX
};

extern const char *const scope_names[SCOPE__MAX];
extern const char *const action_names[ACT__MAX];
int scope_parse(const char *s);  /* -1 if unknown */
int action_parse(const char *s); /* -1 if unknown */

/* What the user's roles together allow on one entity ("*": every entity not named). */
struct grant {
	const char *entity;
	unsigned char scope[ACT__MAX];
};

struct actor {
	int64_t user_id;
	bool admin; /* has the administrator role: every action, every record */
	const char **roles;
	size_t n_roles;
	int64_t org_unit_id;         /* 0: in no unit */
	const char *unit_path;       /* "/1/4/9/": the unit and its ancestors; NULL if none */
	const char *subsidiary_path; /* the nearest subsidiary above (or the head company) */
	int64_t *units; /* the ids in unit_path: records shared with any reach the user */
	size_t n_units;
	struct grant *grants; /* grants[0] is "*" */
	size_t n_grants;
	/* The account's state, for the security policy (policy.h). */
	bool must_change_password;
	int64_t password_changed_ms; /* 0: unknown */
	bool totp_enabled;
};

/* Load the user's actor into a (from this process's cache when fresh). */
int actor_load(struct db *db, struct arena *a, int64_t user_id, struct actor *out);
/* Forget every cached actor (after a change of roles, permissions or the organisation). */
void actor_cache_invalidate(void);
/* End a transaction that changed what actors are: commit if rc is DB_OK (else roll back) and,
 * once committed, forget the cached actors. Returns the outcome. */
int actor_change_end(struct db *db, int rc);
/* A user's organisation unit (0 and NULL path if none); DB_DONE if there is no such user. */
int user_unit(struct db *db, struct arena *a, int64_t user_id, int64_t *unit, const char **path);
void actor_cache_release(void);

/* The scope the actor has for an action on an entity. */
enum scope actor_scope(const struct actor *a, const char *entity, enum action act);

#endif
