/*
 * The 360° view of a customer (issue 7, CT-7; docs/internals/CUSTOMER360.md): a summary of who
 * has it and how it stands, and one timeline of every interaction the system holds about it —
 * the records of every entity whose schema declares a timeline (activities, tasks; later
 * opportunities, quotations, contracts, service) and the customer's moves. Whoever may read the
 * customer sees all of it, whoever entered each item: a salesperson taking a customer over
 * learns its history (handover). Opening an item follows that item's own access rules.
 */
#ifndef SEXTANT_CUSTOMER360_H
#define SEXTANT_CUSTOMER360_H

#include "core/str.h"
#include "meta/op.h"

#define TIMELINE_LIMIT_MAX 200

/*
 * {"id","name","owner":{id,name}|null,"in_pool","lifecycle_stage","level","last_followup_at",
 *  "days_since_followup","pool_due_at","open_tasks","followups_90d",
 *  "related":[{"relation","label","count"}]}. 200, or a negative status with op->problem.
 */
int customer_summary(struct op *op, int64_t id, struct str *out);

/*
 * Newest first: {"data":[{"source","id","at","title","kind","kind_label","detail",
 * "who":{id,name}|null,"contact":{id,name}|null,"openable"}],"next_cursor"}; openable: whether
 * the caller may open the item's record. cursor: the next_cursor of
 * the page before, or NULL. 200, 400 for a cursor that is not one, or a negative status.
 */
int customer_timeline(struct op *op, int64_t id, const char *cursor, int64_t limit,
                      struct str *out);

#endif
