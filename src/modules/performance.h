/*
 * Salespeople's performance (S-PERF, docs/internals/SALES.md "Performance and customer
 * analysis"): per person and per team in the caller's scope, the new customers of a period
 * against the period before it — their growth beside the whole organisation's (or team's) —,
 * the activities, the opportunities won and lost (count, amount, win rate) and the open pipeline;
 * and a person's share of each of their customers' won total.
 */
#ifndef SEXTANT_PERFORMANCE_H
#define SEXTANT_PERFORMANCE_H

#include "core/str.h"
#include "meta/op.h"

struct perf_filter {
	const char *from, *to; /* "YYYY-MM", checked; from <= to */
	int64_t team_id;       /* an organisation unit and those below it; 0: any */
};

/*
 * The performance as the caller may see it. customers: an op on customers (whose scope gives
 * the rows); activities and opportunities: ops on those entities, or NULL when there is no such
 * entity. 200 with the JSON in out, or -2 (database) with customers->problem set.
 */
int performance_json(struct op *customers, struct op *activities, struct op *opportunities,
                     const struct perf_filter *f, struct str *out);

/*
 * The won opportunities (CNY) user_id owns or works on (shared with them for editing), that op's
 * caller may read, per customer: the person's part beside the customer's whole won total (of
 * every owner), the 100 customers with the largest parts first. 200, or -2.
 */
int performance_customers_json(struct op *op, int64_t user_id, struct str *out);

#endif
