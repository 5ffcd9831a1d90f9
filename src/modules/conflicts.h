/*
 * The conflict check of opportunities (报备冲突, REQUIREMENTS.md OP-CONFLICT, issue 8's "conflict
 * check on entry through the customer match"; docs/internals/SALES.md "Conflict check"): when a
 * salesperson registers an opportunity on a customer, the open opportunities already on that
 * customer — and on the customers that look like it by the duplicate check's rules — whoever
 * owns them, so that two people do not chase one deal unawares.
 */
#ifndef SEXTANT_CONFLICTS_H
#define SEXTANT_CONFLICTS_H

#include "core/str.h"
#include "meta/op.h"

/*
 * {"customer_id","look_alikes":[…match hits…],"opportunities":[{"id","name","stage",
 * "product_line","owner":{"id","name"}|null,"customer":{"id","name"},"same_customer",
 * "openable"}]} for customer_id — a customer the caller may read —, leaving out opportunity
 * exclude (the one being edited). The whole base is checked for look-alikes and their open
 * opportunities, whoever asks, as the duplicate check is; what is said of another's
 * opportunity is its name, stage, product line and owner, and whether the caller may open it.
 * op->e is the opportunities. 200, or a negative status with op->problem set.
 */
int opportunity_conflicts_json(struct op *op, int64_t customer_id, int64_t exclude,
                               struct str *out);

#endif
