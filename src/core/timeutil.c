#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
 */
int64_t time_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void time_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void time_format_iso(int64_t ms, char out[TIME_ISO_LEN])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int msec = (int)(ms - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int sod = (int)(secs - days * 86400);
	int y, m, d;
	time_civil_from_days(days, &y, &m, &d);
	char buf[64]; /* roomier than needed so the compiler can see nothing is cut */
	snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	         (y % 10000 + 10000) % 10000, m, d, sod / 3600, sod / 60 % 60, sod % 60, msec);
	memcpy(out, buf, TIME_ISO_LEN - 1);
	out[TIME_ISO_LEN - 1] = '\0';
}

void time_now_iso(char out[TIME_ISO_LEN])
{
	time_format_iso(time_now_ms(), out);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

bool time_parse_date(const char *s, size_t n, int *y, int *m, int *d)
{
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	if (!digits(s, 4, y) || !digits(s + 5, 2, m) || !digits(s + 8, 2, d))
		return false;
	return *y >= 1000 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= days_in_month(*y, *m);
}

/*
 * strict: RFC 3339 as the API takes it (time with seconds and a zone required). Otherwise what
 * people type in spreadsheets is accepted too: a plain date, minutes without seconds, no zone
 * (then default_off minutes east of UTC apply).
 */
static bool parse_datetime(const char *s, size_t n, bool strict, int default_off, int64_t *ms)
{
	int y, mo, d, hh = 0, mi = 0, ss = 0, frac_ms = 0, off_min = default_off;
	if (n < 10 || !time_parse_date(s, 10, &y, &mo, &d))
		return false;
	size_t i = 10;
	if (i == n && strict)
		return false;
	if (i < n) {
		if ((s[i] != 'T' && s[i] != 't' && s[i] != ' ') || n < i + 6)
			return false;
		i++;
		if (s[i + 2] != ':' || !digits(s + i, 2, &hh) || !digits(s + i + 3, 2, &mi))
			return false;
		i += 5;
		if (i < n && s[i] == ':') {
			if (n < i + 3 || !digits(s + i + 1, 2, &ss))
				return false;
			i += 3;
		} else if (strict) {
			return false;
		}
		if (hh > 23 || mi > 59 || ss > 60)
			return false;
		if (ss == 60)
			ss = 59; /* a leap second is kept inside its minute */
		if (i < n && s[i] == '.') {
			i++;
			int scale = 100, nd = 0;
			while (i < n && s[i] >= '0' && s[i] <= '9') {
				frac_ms += (s[i] - '0') * scale;
				scale /= 10;
				i++;
				nd++;
			}
			if (nd == 0 || nd > 9)
				return false;
		}
		if (i >= n) {
			if (strict)
				return false; /* a time without a zone is ambiguous */
		} else if (s[i] == 'Z' || s[i] == 'z') {
			i++;
			off_min = 0;
		} else if (s[i] == '+' || s[i] == '-') {
			int sign = s[i] == '-' ? -1 : 1, oh = 0, om = 0;
			i++;
			if (n - i == 2 && digits(s + i, 2, &oh)) {
				i += 2; /* PostgreSQL prints "+00" */
			} else if (n - i == 5 && s[i + 2] == ':' && digits(s + i, 2, &oh) &&
			           digits(s + i + 3, 2, &om)) {
				i += 5;
			} else if (n - i == 4 && digits(s + i, 2, &oh) &&
			           digits(s + i + 2, 2, &om)) {
				i += 4;
			} else {
				return false;
			}
			if (oh > 23 || om > 59)
				return false;
			off_min = sign * (oh * 60 + om);
		} else {
			return false;
		}
		if (i != n)
			return false;
	}
	int64_t days = time_days_from_civil(y, mo, d);
	int64_t secs = days * 86400 + hh * 3600 + mi * 60 + ss - (int64_t)off_min * 60;
	/* In UTC the instant must still lie in the years 1000-9999 the stored form can hold. */
	if (secs < time_days_from_civil(1000, 1, 1) * 86400 ||
	    secs >= time_days_from_civil(10000, 1, 1) * 86400)
		return false;
	*ms = secs * 1000 + frac_ms;
	return true;
}

bool time_parse_datetime(const char *s, size_t n, int64_t *ms)
{
	return parse_datetime(s, n, true, 0, ms);
}

bool time_parse_datetime_local(const char *s, size_t n, int offset_min, int64_t *ms)
{
	return parse_datetime(s, n, false, offset_min, ms);
}

bool time_parse_span(const char *s, int64_t *ms)
{
	char *end;
	long n = s ? strtol(s, &end, 10) : 0;
	if (!s || end == s || !isdigit((unsigned char)*s) || n < 1 || n > 1000000)
		return false;
	int64_t unit = !strcmp(end, "s")   ? 1000
	               : !strcmp(end, "m") ? 60000
	               : !strcmp(end, "h") ? 3600000
	               : !strcmp(end, "d") ? 86400000
	                                   : 0;
	*ms = n * unit;
	return unit != 0;
}

void time_format_minute_local(int64_t ms, char out[TIME_MINUTE_LEN])
{
	char iso[TIME_ISO_LEN];
	time_format_iso(ms + TIME_DEFAULT_OFFSET_MIN * 60000LL, iso);
	snprintf(out, TIME_MINUTE_LEN, "%.10s %.5s", iso, iso + 11);
}

int time_month_number(const char *ym)
{
	return ((ym[0] - '0') * 1000 + (ym[1] - '0') * 100 + (ym[2] - '0') * 10 + (ym[3] - '0')) *
	           12 +
	       (ym[5] - '0') * 10 + (ym[6] - '0') - 1;
}
