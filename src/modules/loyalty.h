/*
 * How loyal a customer is (忠诚度, REQUIREMENTS.md CT-1, LC-1; issue 7 "a loyalty indicator from
 * repeat business"): scored 0–100 from the business done with it — the records of every entity
 * whose schema declares "business" (orders, contracts), counted when in a counting state — in
 * three factors, each answered with its value, points and rule, so the page can show how the
 * score was made (docs/internals/CUSTOMER360.md "Loyalty"). With no business recorded, or no
 * entity that records any, the level says so instead of a score pretending to know.
 */
#ifndef SEXTANT_LOYALTY_H
#define SEXTANT_LOYALTY_H

#include "core/str.h"
#include "meta/op.h"

/*
 * {"id","score","level","level_label","deals","first_at","last_at",
 *  "sources":[{"entity","label"}],
 *  "factors":[{"key","label","value","points","max","rule"}]} for customer id as the caller may
 * read it. Counts are over all the customer's business, whoever recorded it (aggregates, like the
 * summary's). 200, or a negative status with op->problem.
 */
int customer_loyalty(struct op *op, int64_t id, struct str *out);

#endif
