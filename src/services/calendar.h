/*
 * iCalendar (RFC 5545) feeds built with libical: a user's plans, visits, tasks and reminders
 * as VEVENTs of one VCALENDAR, for calendar programs that subscribe to a URL.
 */
#ifndef SEXTANT_CALENDAR_H
#define SEXTANT_CALENDAR_H

#include "core/str.h"

#include <stdbool.h>
#include <stdint.h>

struct calendar_item {
	const char *uid;         /* stable across feeds, e.g. "tasks-42@<host>" */
	const char *summary;     /* UTF-8 */
	const char *description; /* UTF-8; NULL for none */
	const char *url;         /* the record in the web app; NULL for none */
	int64_t start_ms;        /* UTC */
	int64_t end_ms;          /* UTC; 0: start + 30 minutes */
	int64_t alarm_ms;        /* a reminder at this time (UTC); 0: none */
	int64_t updated_ms;      /* LAST-MODIFIED and DTSTAMP */
	const char *status;      /* "CONFIRMED", "CANCELLED" or NULL */
	bool done;               /* a completed task: shown, marked done in the summary */
};

/*
 * The VCALENDAR of items into out (CRLF lines folded at 75 octets, text escaped — libical's
 * doing): PRODID, VERSION 2.0, X-WR-CALNAME name, X-WR-TIMEZONE Asia/Shanghai, one VEVENT each,
 * with a VALARM (ACTION DISPLAY, trigger at alarm_ms) when alarm_ms is set. -1 on failure.
 */
int calendar_render(const char *name, const struct calendar_item *items, size_t n, struct str *out);

#endif
