/*
 * Return visits (回访, REQUIREMENTS.md LEAD-6; docs/internals/SALES.md): the person a visit is
 * scheduled for (its owner) gets a task at the scheduled time, reminded half an hour before; the
 * task follows the visit — moved with its time or its owner, done when the visit is recorded,
 * cancelled with it.
 */
#ifndef SEXTANT_RETURN_VISITS_H
#define SEXTANT_RETURN_VISITS_H

#include "meta/op.h"
#include "meta/value.h"

int return_visits_created(struct op *op, int64_t id, const struct value *vals);
int return_visits_updated(struct op *op, int64_t id, const struct value *before,
                          const struct value *after, const bool *changed);

#endif
