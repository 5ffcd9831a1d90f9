/*
 * The Chinese lunar calendar (农历), 1900–2100, from a generated table (tools/gen-lunar.mjs):
 * enough to find when a birthday kept by the lunar calendar falls in a solar year. Days are
 * counted from 1970-01-01 (core/timeutil.h time_days_from_civil).
 */
#ifndef SEXTANT_LUNAR_H
#define SEXTANT_LUNAR_H

#include <stdbool.h>
#include <stdint.h>

struct lunar_date {
	int year, month, day; /* month 1–12, day 1–30 */
	bool leap;            /* the leap month after `month` (闰月) */
};

/* The lunar date of a solar day; false outside the table. */
bool lunar_from_days(int64_t days, struct lunar_date *out);

/*
 * The solar day of a lunar date; false outside the table, or for a leap month the year does not
 * have. A 30th in a month of 29 days is its 29th, as birthdays are kept.
 */
bool lunar_to_days(const struct lunar_date *d, int64_t *days);

/*
 * The first day on or after `from` that is the anniversary of someone born on day `born`: by
 * the solar calendar (a 29 February on 28 February in other years), or by the lunar one (a
 * birthday in a leap month falls on the ordinary month in years without that leap month).
 * false if it cannot be found (outside the table).
 */
bool birthday_next(int64_t born, bool lunar, int64_t from, int64_t *next);

#endif
