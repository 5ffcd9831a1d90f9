/*
 * Customer analysis (S-CHART, docs/internals/SALES.md "Performance and customer analysis"): the
 * customers the caller may see, grouped by industry, size, sales region, province, source or
 * purchase amount, each group with its count and what its customers bought (the amounts of
 * their won opportunities, by currency, until contracts exist).
 */
#ifndef SEXTANT_ANALYSIS_H
#define SEXTANT_ANALYSIS_H

#include "core/str.h"
#include "meta/op.h"
#include "modules/funnel.h"

/* What the customers are grouped by; ANALYSIS_BY_NAMES spells them as the parameter takes them. */
enum analysis_by { BY_INDUSTRY, BY_SIZE, BY_REGION, BY_PROVINCE, BY_SOURCE, BY_PURCHASE, BY__MAX };
extern const char *const analysis_by_names[BY__MAX + 1]; /* NULL-terminated */

/*
 * The groups of op->e (customers) as the caller may list them, narrowed by the owner and team of
 * f (its other members are not used): 200 with the JSON in out, -1 with op->problem set, -2
 * (database). may_amounts: the caller may list opportunities (else the amounts are null, and a
 * grouping by purchase is refused).
 */
int analysis_customers_json(struct op *op, enum analysis_by by, const struct funnel_filter *f,
                            bool may_amounts, struct str *out);

#endif
