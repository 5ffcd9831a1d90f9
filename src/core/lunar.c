#include "lunar.h"
#include "timeutil.h"

#include <stddef.h>

struct lunar_year {
	int32_t new_year; /* days since 1970-01-01 */
	uint8_t leap;     /* the month a leap month follows; 0: none */
	uint16_t thirty; /* bit i: the i-th month (a leap month counted in its place) has 30 days */
};

#include "lunar_table.h"

#define N_YEARS ((int)(sizeof lunar_years / sizeof lunar_years[0]))

static int months_in(const struct lunar_year *y)
{
	return y->leap ? 13 : 12;
}

static int month_days(const struct lunar_year *y, int i)
{
	return (y->thirty >> i) & 1 ? 30 : 29;
}

bool lunar_from_days(int64_t days, struct lunar_date *out)
{
	if (days < lunar_years[0].new_year)
		return false;
	int k = 0;
	while (k + 1 < N_YEARS && lunar_years[k + 1].new_year <= days)
		k++;
	const struct lunar_year *y = &lunar_years[k];
	int64_t left = days - y->new_year;
	for (int i = 0; i < months_in(y); i++) {
		if (left < month_days(y, i)) {
			/* In order: months 1 … L, the leap month L, then L+1 … 12. */
			int L = y->leap;
			bool leap = L && i == L;
			int month = !L || i < L ? i + 1 : i;
			out->year = LUNAR_FIRST_YEAR + k;
			out->month = month;
			out->day = (int)left + 1;
			out->leap = leap;
			return true;
		}
		left -= month_days(y, i);
	}
	return false; /* after the last year of the table */
}

bool lunar_to_days(const struct lunar_date *d, int64_t *days)
{
	int k = d->year - LUNAR_FIRST_YEAR;
	if (k < 0 || k >= N_YEARS || d->month < 1 || d->month > 12 || d->day < 1 || d->day > 30)
		return false;
	const struct lunar_year *y = &lunar_years[k];
	if (d->leap && y->leap != d->month)
		return false;
	/* The month's place in order: a leap month comes right after its ordinary month. */
	int i = d->month - 1;
	if (y->leap && (d->month > y->leap || d->leap))
		i++;
	int64_t at = y->new_year;
	for (int m = 0; m < i; m++)
		at += month_days(y, m);
	int day = d->day > month_days(y, i) ? month_days(y, i) : d->day;
	*days = at + day - 1;
	return true;
}

static bool solar_next(int64_t born, int64_t from, int64_t *next)
{
	int by, bm, bd, fy, fm, fd;
	time_civil_from_days(born, &by, &bm, &bd);
	time_civil_from_days(from, &fy, &fm, &fd);
	(void)by;
	for (int y = fy; y <= fy + 1; y++) {
		bool leap_year = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		int d = bm == 2 && bd == 29 && !leap_year ? 28 : bd;
		int64_t at = time_days_from_civil(y, bm, d);
		if (at >= from) {
			*next = at;
			return true;
		}
	}
	return false;
}

bool birthday_next(int64_t born, bool lunar, int64_t from, int64_t *next)
{
	if (!lunar)
		return solar_next(born, from, next);
	struct lunar_date b, f;
	if (!lunar_from_days(born, &b) || !lunar_from_days(from, &f))
		return false;
	/* This lunar year's anniversary, else the next one's. */
	for (int y = f.year; y <= f.year + 1; y++) {
		struct lunar_date d = {y, b.month, b.day, b.leap};
		int64_t at;
		if (!lunar_to_days(&d, &at)) {
			d.leap = false; /* no such leap month this year: the ordinary month */
			if (!lunar_to_days(&d, &at))
				return false;
		}
		if (at >= from) {
			*next = at;
			return true;
		}
	}
	return false;
}
