/*
 * The rules of references beyond "the target exists" (docs/internals/METADATA.md):
 *
 *   same     the target holds the same value as the record in a field both have (a contact
 *            reports only to a contact of its own customer);
 *   acyclic  following a reference to the entity's own records never comes back to the record
 *            it started from (nobody is their own superior, however far up).
 *
 * Every write of the generic engine checks them: create and update (so bulk updates and the
 * fields a merge takes too), import, and the references a merge moves.
 */
#ifndef SEXTANT_REFRULES_H
#define SEXTANT_REFRULES_H

#include "op.h"
#include "value.h"

/* How far an acyclic reference is followed. A longer chain is refused: no organisation is that
 * deep, and the walk costs a query a step. */
#define REFRULES_MAX_DEPTH 1000

/*
 * Check the rules for record id of op->e (0: one being created) as it is about to be written:
 * vals holds every field, changed[] marks those this write sets. Also refuses a change of a
 * field that other records share by a `same` rule while they point at this record. Problems go
 * to op->problem, naming the field (reference_not_same, reference_cycle,
 * reference_chain_too_long, same_in_use); returns a DB_ code.
 */
int refrules_check(struct op *op, int64_t id, const struct value *vals, const bool *changed);

/* Whether vals, a record of op->e, keeps f's `same` rule (it does when f is empty). */
int refrules_same_kept(struct op *op, const struct field *f, const struct value *vals, bool *kept);

/* The parameters of a reference_not_same problem about f: the shared field's label. */
const char *const *refrules_same_params(struct op *op, const struct field *f);

/*
 * After a merge moved every reference to another record of op->e onto record into: whether the
 * records that refer to into now still keep the rules (those moved may belong to another
 * customer, or into may have been below the other record). Problems as refrules_check adds
 * them, naming the referring field.
 */
int refrules_check_merged(struct op *op, int64_t into);

#endif
