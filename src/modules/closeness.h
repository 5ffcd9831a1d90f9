/*
 * How close the company is to a contact (紧密度, REQUIREMENTS.md CT-1), from the recency and
 * frequency of follow-ups with them: 0–100 in three factors, each answered with its value, its
 * points and its rule, so the page can show how the score was made (docs/internals/PERSONAL.md
 * "Closeness").
 */
#ifndef SEXTANT_CLOSENESS_H
#define SEXTANT_CLOSENESS_H

#include "core/str.h"
#include "meta/op.h"

/* {"id","score","level","level_label","factors":[{"key","label","value","points","max",
 * "rule"}]} for contact id as the caller may read it. 200, or a negative status. */
int contact_closeness(struct op *op, int64_t id, struct str *out);

#endif
