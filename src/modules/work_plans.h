/*
 * Work plans (工作计划, REQUIREMENTS.md OP-PLAN, S-STD; docs/internals/SALES.md "Work plans"):
 * a person's month, week or day, made whole from any date in it (modules/period.h), and the
 * activities it plans (work_plan_items). The plan's completion — items, done, per cent — is
 * counted again whenever one of its items is made, changed, deleted or restored, so a list of
 * plans shows it without reading their items.
 */
#ifndef SEXTANT_WORK_PLANS_H
#define SEXTANT_WORK_PLANS_H

#include "meta/hooks.h"

int work_plans_created(struct op *op, int64_t id, const struct value *vals);
int work_plans_updated(struct op *op, int64_t id, const struct value *before,
                       const struct value *after, const bool *changed);

int work_plan_items_created(struct op *op, int64_t id, const struct value *vals);
int work_plan_items_updated(struct op *op, int64_t id, const struct value *before,
                            const struct value *after, const bool *changed);
int work_plan_items_removed(struct op *op, int64_t id, const struct value *vals, bool restored);

#endif
