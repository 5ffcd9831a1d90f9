/*
 * When a recurring job runs: a five-field cron expression (minute hour day-of-month month
 * day-of-week, with * , - and /, and the day fields OR-ed as in Vixie cron when both are
 * restricted), a shortcut (@hourly @daily @weekly @monthly), or an interval (@every 30s, 5m,
 * 2h, 1d). Cron fields are read in the company's time zone (minutes east of UTC, no daylight
 * saving: Asia/Shanghai has none); intervals count from the previous run.
 */
#ifndef SEXTANT_CRON_H
#define SEXTANT_CRON_H

#include <stdbool.h>
#include <stdint.h>

struct cron {
	int64_t every_ms;          /* > 0: an interval, and the fields below are unused */
	uint64_t minutes;          /* bit m: minute m (0–59) */
	uint32_t hours;            /* bit h (0–23) */
	uint32_t days;             /* bit d (1–31) */
	uint16_t months;           /* bit m (1–12) */
	uint8_t weekdays;          /* bit w (0–6, Sunday 0) */
	bool any_day, any_weekday; /* the day fields were "*" */
};

/* False if s is not a schedule (*err, if given, names what is wrong: a static string). */
bool cron_parse(const char *s, struct cron *c, const char **err);
/*
 * The first time strictly after after_ms at which c fires (a whole minute for cron fields), in
 * ms since the epoch; -1 if it never does within five years (e.g. "0 0 30 2 *").
 */
int64_t cron_next(const struct cron *c, int64_t after_ms, int offset_min);

#endif
