#include "cron.h"
#include "timeutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct range {
	int lo, hi;
};

/* A number at *p within r; advances *p. */
static bool number(const char **p, struct range r, int *out)
{
	if (!isdigit((unsigned char)**p))
		return false;
	char *end;
	long v = strtol(*p, &end, 10);
	if (end - *p > 2 || v < r.lo || v > r.hi)
		return false;
	*p = end;
	*out = (int)v;
	return true;
}

/* One field ("*", "*\/n", "a", "a-b", "a-b/n", comma lists) into the bit set *bits. */
static bool field(const char *s, size_t n, struct range r, uint64_t *bits, bool *any)
{
	char buf[64];
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*bits = 0;
	*any = strcmp(buf, "*") == 0;
	const char *p = buf;
	for (;;) {
		int lo = r.lo, hi = r.hi, step = 1;
		if (*p == '*') {
			p++;
		} else {
			if (!number(&p, r, &lo))
				return false;
			hi = lo;
			if (*p == '-') {
				p++;
				if (!number(&p, r, &hi) || hi < lo)
					return false;
			}
		}
		if (*p == '/') {
			p++;
			if (!number(&p, (struct range){1, r.hi + 1}, &step))
				return false;
			if (hi == lo && buf[0] != '*')
				hi = r.hi; /* "5/15": from 5 on, every 15 */
		}
		for (int v = lo; v <= hi; v += step)
			*bits |= 1ULL << v;
		if (*p == '\0')
			return true;
		if (*p++ != ',')
			return false;
	}
}

bool cron_parse(const char *s, struct cron *c, const char **err)
{
	static const struct {
		const char *name, *expr;
	} shortcuts[] = {{"@hourly", "0 * * * *"},
	                 {"@daily", "0 0 * * *"},
	                 {"@weekly", "0 0 * * 0"},
	                 {"@monthly", "0 0 1 * *"}};
	const char *why = NULL;
	memset(c, 0, sizeof *c);
	if (!s || !*s) {
		why = "empty";
		goto bad;
	}
	if (!strncmp(s, "@every ", 7)) {
		if (time_parse_span(s + 7, &c->every_ms))
			return true;
		why = "an interval is a number and s, m, h or d (@every 30s)";
		goto bad;
	}
	for (size_t i = 0; i < sizeof shortcuts / sizeof shortcuts[0]; i++)
		if (!strcmp(s, shortcuts[i].name))
			return cron_parse(shortcuts[i].expr, c, err);
	static const struct range ranges[5] = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
	uint64_t bits[5];
	bool any[5];
	const char *p = s;
	for (int f = 0; f < 5; f++) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, " ");
		if (!field(p, n, ranges[f], &bits[f], &any[f])) {
			why = "five fields: minute hour day month weekday (* , - / allowed)";
			goto bad;
		}
		p += n;
	}
	while (*p == ' ')
		p++;
	if (*p) {
		why = "more than five fields";
		goto bad;
	}
	c->minutes = bits[0];
	c->hours = (uint32_t)bits[1];
	c->days = (uint32_t)bits[2];
	c->months = (uint16_t)bits[3];
	/* Sunday is 0 or 7. */
	c->weekdays = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f);
	c->any_day = any[2];
	c->any_weekday = any[4];
	return true;
bad:
	if (err)
		*err = why;
	return false;
}

/* Vixie cron: with both day fields restricted, either one matching is enough. */
static bool day_matches(const struct cron *c, int d, int weekday)
{
	bool by_day = c->days >> d & 1, by_weekday = c->weekdays >> weekday & 1;
	if (c->any_day && c->any_weekday)
		return true;
	if (c->any_day)
		return by_weekday;
	if (c->any_weekday)
		return by_day;
	return by_day || by_weekday;
}

int64_t cron_next(const struct cron *c, int64_t after_ms, int offset_min)
{
	if (c->every_ms > 0)
		return after_ms + c->every_ms;
	/* Local minutes since the epoch, starting at the minute after after_ms. */
	int64_t off = (int64_t)offset_min * 60000;
	int64_t local = after_ms + off;
	int64_t minute = (local >= 0 ? local / 60000 : (local - 59999) / 60000) + 1;
	int64_t day = minute >= 0 ? minute / 1440 : (minute - 1439) / 1440;
	int first = (int)(minute - day * 1440); /* minute of the first day to try from */
	for (int64_t k = 0; k < 5 * 366; k++, first = 0) {
		int64_t z = day + k;
		int y, m, d;
		time_civil_from_days(z, &y, &m, &d);
		int weekday = (int)(((z % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
		if (!(c->months >> m & 1) || !day_matches(c, d, weekday))
			continue;
		for (int t = first; t < 1440; t++)
			if ((c->hours >> (t / 60) & 1) && (c->minutes >> (t % 60) & 1))
				return (z * 1440 + t) * 60000 - off;
	}
	return -1;
}
