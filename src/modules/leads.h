/*
 * Leads (需求, REQUIREMENTS.md LEAD-1..LEAD-5; docs/internals/SALES.md): graded by their expected
 * amount against bands administrators keep (settings key "leads"), and made into an opportunity
 * when the process converts them.
 */
#ifndef SEXTANT_LEADS_H
#define SEXTANT_LEADS_H

#include "core/problem.h"
#include "db/db.h"
#include "meta/op.h"
#include "meta/value.h"

#include <jansson.h>
#include <stdint.h>

/* An amount of a_min fen or more is grade A, of b_min or more B, less C. */
struct lead_bands {
	int64_t a_min, b_min;
};

void lead_bands_default(struct lead_bands *b);
/* The bands as stored over the defaults. A DB_ code. */
int lead_bands_load(struct db *db, struct lead_bands *b);
/* 0, or -1 with the problem's errors added (member names). */
int lead_bands_check(const json_t *doc, struct problem *p);
json_t *lead_bands_json(const struct lead_bands *b);
/* "a", "b" or "c". */
const char *lead_grade(const struct lead_bands *b, int64_t amount);

/* Record hooks (modules/hooks.c): the grade follows the amount; converted, the lead makes its
 * opportunity. */
int leads_created(struct op *op, int64_t id, const struct value *vals);
int leads_updated(struct op *op, int64_t id, const struct value *before, const struct value *after,
                  const bool *changed);

#endif
