/*
 * The periods of work plans and work reports (modules/work_plans.c, modules/work_reports.c): a
 * month, a week (Monday to Sunday) or a day, made whole from any date in it. Both entities
 * carry the same fields — period, starts_on, ends_on, title — and the same hook keeps them.
 */
#ifndef SEXTANT_PERIOD_H
#define SEXTANT_PERIOD_H

#include "meta/hooks.h"

#define PERIOD_DATE_LEN 11 /* "YYYY-MM-DD" and its NUL */

/* The first and last day of the period kind ("year", "quarter", "month", "week", "day") that
 * holds date (text "YYYY-MM-DD…"). False for another kind or an unreadable date. */
bool period_bounds(const char *kind, const char *date, size_t n, char start[PERIOD_DATE_LEN],
                   char end[PERIOD_DATE_LEN]);

/* Whose period it is: the record's employee_id when its entity has one (an appraisal is of a
 * person, written by their superior), else its owner. 0 if none. */
int64_t period_person(const struct op *op, const struct value *vals);

/*
 * After a create (before NULL) or an update of a record of op->e: starts_on moved to its
 * period's first day, ends_on set to its last, and the title made from the person and the period
 * ("张三 · 周计划 2026-11-23") when it is empty or still the one made from the values before.
 * Written as the system, since ends_on is read-only to people. 0, or a negative status.
 */
int period_fill(struct op *op, int64_t id, const struct value *before, const struct value *vals);

#endif
