/*
 * Work reports (工作报告, REQUIREMENTS.md S-REPORT; docs/internals/SALES.md "Work reports"): a
 * day's, week's or month's report, its period made whole as a plan's is (modules/period.h) and
 * pre-filled when it is made from its owner's period: the customers they created, their
 * activities and visits, the stage moves and the business won on their opportunities — the
 * figures in read-only fields, recounted when the period or the owner changes, and the same in
 * words as the report's first draft when it has none.
 */
#ifndef SEXTANT_WORK_REPORTS_H
#define SEXTANT_WORK_REPORTS_H

#include "meta/hooks.h"

/*
 * The figures of a record's period — new customers, activities, visits, stage moves, business
 * won of its person (modules/period.h) — written into its read-only fields of those names, and
 * into its summary, when the entity has one and it is empty, the same in words. For reports
 * and appraisals. 0, or a negative status.
 */
int period_figures_fill(struct op *op, int64_t id, const struct value *vals);

/* The hooks of work reports, and of appraisals (the same fields, of their employee_id). */
int work_reports_created(struct op *op, int64_t id, const struct value *vals);
int work_reports_updated(struct op *op, int64_t id, const struct value *before,
                         const struct value *after, const bool *changed);

#endif
