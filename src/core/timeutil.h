/*
 * Time in the forms the data rules use: stored in UTC as "YYYY-MM-DDTHH:MM:SS.mmmZ" (fixed width,
 * so text order is time order in both databases) and dates as "YYYY-MM-DD".
 */
#ifndef SEXTANT_TIMEUTIL_H
#define SEXTANT_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIME_ISO_LEN 25 /* "2026-11-27T01:09:16.123Z" plus NUL */

/* Milliseconds since the Unix epoch, wall clock. */
int64_t time_now_ms(void);
/* Monotonic clock in nanoseconds, for measuring durations and deadlines. */
int64_t time_mono_ns(void);
void time_format_iso(int64_t ms, char out[TIME_ISO_LEN]);
void time_now_iso(char out[TIME_ISO_LEN]);

/* A real calendar date "YYYY-MM-DD" (1000..9999). */
bool time_parse_date(const char *s, size_t n, int *y, int *m, int *d);
/*
 * RFC 3339 date-time with "Z" or a numeric offset ("T" or one space between date and time,
 * seconds required, optional fraction); also what PostgreSQL prints for timestamptz
 * ("2026-11-27 01:09:16.123+00"). Gives milliseconds since the epoch.
 */
bool time_parse_datetime(const char *s, size_t n, int64_t *ms);
/*
 * The same, also taking what people type in spreadsheets and filters: a plain date (midnight),
 * minutes without seconds, and no zone, which then means offset_min minutes east of UTC.
 */
bool time_parse_datetime_local(const char *s, size_t n, int offset_min, int64_t *ms);
/* ms as people read it in notices: "2026-11-27 09:05", in the default time zone. */
#define TIME_MINUTE_LEN 17
void time_format_minute_local(int64_t ms, char out[TIME_MINUTE_LEN]);
/* A span written as a whole number and a unit, s, m, h or d ("30s", "5m", "2h", "3d"), from 1
 * to 1,000,000 units, in milliseconds. */
bool time_parse_span(const char *s, int64_t *ms);
/* Minutes east of UTC of the default time zone, Asia/Shanghai (no daylight saving). */
#define TIME_DEFAULT_OFFSET_MIN 480
int64_t time_days_from_civil(int y, int m, int d);
/* The inverse: the date of a day number (days since 1970-01-01). */
void time_civil_from_days(int64_t z, int *y, int *m, int *d);
/* A month "YYYY-MM" (four and two digits, checked by the caller) as year × 12 + month − 1, so
 * months can be counted and stepped. */
int time_month_number(const char *ym);

#endif
