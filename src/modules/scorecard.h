/*
 * A score shown with how it was made (closeness, loyalty): factors, each with its value, the
 * points it gave, the most it can give and its rule in words, and a level by the total.
 */
#ifndef SEXTANT_SCORECARD_H
#define SEXTANT_SCORECARD_H

#include "core/i18n.h"
#include "core/str.h"

#include <stddef.h>
#include <stdint.h>

struct score_factor {
	const char *key;
	struct label label, rule;
	int64_t value; /* -1: none */
	int points, max;
};

/* A level: reached from min points up; levels are listed from the highest min down to 0. */
struct score_level {
	int min;
	const char *key;
	struct label label;
};

/* The sum of the factors' points. */
int score_total(const struct score_factor *f, size_t n);
/* The level the score reaches. */
const struct score_level *score_level_of(const struct score_level *levels, int score);
/* ,"factors":[{"key","label","value","points","max","rule"}…] */
void score_factors_json(struct str *out, const struct score_factor *f, size_t n, enum lang lang);

#endif
