/*
 * What modules do when records of an entity are written: a contact plan makes its tasks when it
 * is created, and cancels them when it is cancelled (modules/plans.c). The hooks run inside the
 * write's transaction, after the record, its audit row and its webhooks are written, so what
 * they do commits or rolls back with it. The table is installed once at start-up (app.c); the
 * engine alone (unit tests, tools) runs none.
 */
#ifndef SEXTANT_HOOKS_H
#define SEXTANT_HOOKS_H

#include "op.h"
#include "value.h"

#include <string.h>

struct record_hooks {
	const char *entity;
	/* After a create. 0, or a negative status with op->problem set. */
	int (*created)(struct op *op, int64_t id, const struct value *vals);
	/* After an update that changed something (changed[] by field position). */
	int (*updated)(struct op *op, int64_t id, const struct value *before,
	               const struct value *after, const bool *changed);
	/* After a delete (restored false) or a restore (true), with the record's values: what
	 * depends on the live records of e — a plan's completion counted from its items — is
	 * counted again. */
	int (*removed)(struct op *op, int64_t id, const struct value *vals, bool restored);
};

/* For hooks: the value of op->e's field name in vals (NULL if the entity has none). */
static inline const struct value *hook_value(const struct op *op, const struct value *vals,
                                             const char *name)
{
	const struct field *f = entity_field(op->e, name);
	return f ? &vals[f->position] : NULL;
}

/* Whether an update changed op->e's field name. */
static inline bool hook_changed(const struct op *op, const bool *changed, const char *name)
{
	const struct field *f = entity_field(op->e, name);
	return f && changed[f->position];
}

/* Whether v is the text s (an option key, say). */
static inline bool hook_text_is(const struct value *v, const char *s)
{
	return v && v->kind == V_TEXT && v->n == strlen(s) && memcmp(v->s, s, v->n) == 0;
}

/* v's integer (an id, an amount), or 0. */
static inline int64_t hook_int(const struct value *v)
{
	return v && v->kind == V_INT ? v->i : 0;
}

/* Update record id of entity e (NULL: op->e) as the system, for fields read-only to people
 * or a record the caller may not change (a plan's counted items): body is released. 0, or a
 * negative status with op->problem set. */
int hook_update_as_system(struct op *op, const struct entity *e, int64_t id, json_t *body);

/* table: rows ending with a zeroed one; kept, not copied. */
void record_hooks_install(const struct record_hooks *table);
/* The hooks of e, or NULL. */
const struct record_hooks *record_hooks_of(const struct entity *e);

#endif
