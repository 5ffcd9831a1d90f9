/*
 * The people directory: users as colleagues see them (name, unit, position, superior, contact
 * details) and as administrators edit them. Accounts and passwords are user.h's.
 */
#ifndef SEXTANT_PROFILE_H
#define SEXTANT_PROFILE_H

#include "core/str.h"
#include "meta/op.h"

#include <stdbool.h>
#include <stdint.h>

/* The profile fields an administrator may set, in this order. */
enum profile_field {
	PF_DISPLAY_NAME,
	PF_ORG_UNIT_ID,
	PF_POSITION,
	PF_SUPERIOR_ID,
	PF_EMAIL,
	PF_MOBILE,
	PF_LOCALE,
	PF__MAX
};
extern const char *const profile_field_names[PF__MAX];
bool profile_field_is_id(enum profile_field f); /* an id (unit, superior), else text */

struct profile_change {
	bool set[PF__MAX];
	bool null[PF__MAX]; /* set to nothing */
	int64_t id[PF__MAX];
	const char *text[PF__MAX];
};

struct profile_query {
	const char *q;       /* part of the username or display name; NULL: any */
	int64_t org_unit_id; /* 0: any */
	bool with_disabled;
	bool with_roles; /* each user's roles too (administrators) */
};

/* Users as a JSON array, by username (at most 1000). */
int profile_list_json(struct db *db, const struct profile_query *q, struct str *out);
/* One user as a JSON object; DB_DONE if there is none. */
int profile_get_json(struct db *db, int64_t id, bool with_roles, struct str *out);
/*
 * Apply a change inside the caller's transaction, with an audit row of the old and new values
 * (entity "users", action "profile"). DB_EFOREIGN if the unit or superior does not exist;
 * DB_ECONSTRAINT if the superior would be the user or someone below them. A new unit is a new
 * scope: after the commit the caller calls actor_cache_invalidate().
 */
int profile_apply(struct op *op, int64_t id, const struct profile_change *c);

#endif
