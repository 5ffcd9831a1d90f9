/*
 * Contact plans (接触计划, REQUIREMENTS.md CT-1; docs/internals/PERSONAL.md "Contact plans"): a
 * plan of N touches with a contact, one every week, two weeks, month or quarter from a first
 * date. Creating an active plan makes each touch a task of the plan's owner (about the plan,
 * with the customer and the contact); finishing or cancelling it cancels the touches still open;
 * giving it to someone else gives them its open touches.
 */
#ifndef SEXTANT_PLANS_H
#define SEXTANT_PLANS_H

#include "core/str.h"
#include "meta/hooks.h"

/* The hooks of entity contact_plans (installed with the others by app.c). */
int plans_created(struct op *op, int64_t id, const struct value *vals);
int plans_updated(struct op *op, int64_t id, const struct value *before, const struct value *after,
                  const bool *changed);

/*
 * {"touches","done","open","cancelled","next_due_at","tasks":[{"id","subject","due_at",
 * "status"}]} of plan id as the caller may read it. 200, or a negative status.
 */
int plans_progress(struct op *op, int64_t id, struct str *out);

#endif
