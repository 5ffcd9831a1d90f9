/*
 * The organisation tree (docs/internals/ACCESS.md): the head company, subsidiaries,
 * departments and teams, to any depth. Each unit keeps its materialised path ("/1/4/9/"), so
 * "this unit and everything below it" is one range over an index. Changes are made by
 * administrators, each in one transaction with its audit row (entity "org_units").
 */
#ifndef SEXTANT_ORG_H
#define SEXTANT_ORG_H

#include "core/str.h"
#include "meta/op.h"

#include <stdbool.h>
#include <stdint.h>

#define ORG_NAME_MAX 100

enum org_kind { ORG_COMPANY, ORG_SUBSIDIARY, ORG_DEPARTMENT, ORG_TEAM, ORG__MAX };
extern const char *const org_kind_names[ORG__MAX];
int org_kind_parse(const char *s); /* -1 if unknown */

/* Every unit, in tree order, as a JSON array (with the number of people in each). */
int org_list_json(struct db *db, struct str *out);

struct org_change {
	const char *name; /* NULL: unchanged */
	int kind;         /* -1: unchanged */
	bool set_parent;  /* move under parent_id (0: make it the root) */
	int64_t parent_id;
	bool set_head; /* the unit's head (0: none) */
	int64_t head_user_id;
};

/*
 * Create a unit under parent_id (0: the root, of which there is one). DB_EFOREIGN if the parent
 * or head does not exist, DB_ECONSTRAINT if the name is taken among its siblings or a second
 * root is asked for.
 */
int org_unit_create(struct op *op, const struct org_change *c, int64_t *id);
/* Change a unit; a move carries the whole subtree. DB_DONE if there is no such unit,
 * DB_ECONSTRAINT for a move under itself or a duplicate name, DB_EFOREIGN as for create. */
int org_unit_update(struct op *op, int64_t id, const struct org_change *c);
/* Only a unit with no units below, nobody in it and no records of it (they would fall out of
 * every scope but their owner's): else DB_ECONSTRAINT. */
int org_unit_delete(struct op *op, int64_t id);

#endif
