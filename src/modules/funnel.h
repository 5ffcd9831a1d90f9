/*
 * The sales funnel (OP-FUN, docs/internals/SALES.md): the open opportunities by stage with
 * their count, expected and weighted revenue; won and lost; each stage's conversion and days;
 * the cycle length; a forecast by expected close month.
 *
 * The whole organisation's funnel over a million opportunities must answer within T6's 50 ms,
 * and summing the rows takes several times that, so the database keeps totals as rows change:
 * triggers on `opportunities` (every path that writes one: create, edit, transition, delete,
 * restore, import, merge) keep `funnel_totals`, and a trigger on `process_history` keeps
 * `funnel_moves`. A funnel filtered by what the totals do not carry (region, product) is summed
 * from the records instead, through the same access rules as a list.
 */
#ifndef SEXTANT_FUNNEL_H
#define SEXTANT_FUNNEL_H

#include "db/db.h"
#include "meta/op.h"
#include "meta/sqlq.h"
#include "core/str.h"

/* Make the triggers and fill the totals from the records, when this build's are not there
 * yet (FUNNEL_VERSION in sys_meta). 0, or a database status (logged by the caller). */
int funnel_sync(struct db *db);

struct funnel_filter {
	const char *from, *to; /* expected close months (and move months), "YYYY-MM"; NULL: open */
	int64_t owner_id;      /* 0: anyone */
	int64_t team_id;       /* an organisation unit and those below it; 0: any */
	const char *region, *product; /* option keys; NULL: any */
};

/* A sum of amount × probability (%): the weighted revenue in fen, rounded. */
int64_t funnel_weighted_fen(int64_t w);
/* num / den with that many decimals, or null when there is nothing to divide by. */
void funnel_add_ratio(struct str *out, double num, double den, int decimals);

/* A customer's opportunities for its 360° summary, as `,"opportunities":{"open":{"count",
 * "amount","weighted"},"won":{"count","amount","weighted"}}` (CNY, fen), or `,"opportunities":null`
 * when there is no such entity. Counted whoever owns them, like the summary's other counts. A
 * DB_ code. */
int funnel_customer_json(struct db *db, const struct registry *reg, int64_t customer_id,
                         struct str *out);

/* The funnel op->e (opportunities) as the caller may see it: 200 with the JSON in out, or -1
 * with op->problem set (a bad filter), or -2 (database). */
int funnel_json(struct op *op, const struct funnel_filter *f, struct str *out);

#endif
