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

int work_reports_created(struct op *op, int64_t id, const struct value *vals);
int work_reports_updated(struct op *op, int64_t id, const struct value *before,
                         const struct value *after, const bool *changed);

#endif
