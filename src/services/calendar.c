#include "calendar.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <libical/ical.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#define DEFAULT_LENGTH_MS (30 * 60 * 1000)

/*
 * libical cannot be driven from several threads at once: every list it makes bumps a plain
 * global counter (pvl.c; helgrind shows the race), and its first use of the UTC zone sets up
 * shared state partly outside its own lock. Feeds are rendered seldom and in milliseconds, so
 * they take turns. Any other user of libical in the process must take this lock too.
 */
static pthread_mutex_t ical_lock = PTHREAD_MUTEX_INITIALIZER;
/* libical knows a time is UTC by the address of this zone; no other zone is ever loaded. */
static icaltimezone *utc;

static struct icaltimetype utc_time(int64_t ms)
{
	int64_t s = ms / 1000 - (ms % 1000 < 0); /* rounded down, also before 1970 */
	return icaltime_from_timet_with_zone((time_t)s, 0, utc);
}

/*
 * s made fit for a value: libical escapes and folds, but passes on bytes it should not, which
 * would leave a feed that calendar programs refuse whole. Invalid UTF-8 becomes U+FFFD, control
 * characters go, except tab and line feed in TEXT (which libical writes as "\n").
 */
static void clean_value(struct str *out, const char *s, bool text)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p);
	while (*p) {
		size_t l = utf8_seq_len(p, n);
		if (!l)
			str_adds(out, "\xef\xbf\xbd");
		else if (*p >= 0x20 && *p != 0x7f)
			str_add(out, p, l);
		else if (text && (*p == '\t' || *p == '\n'))
			str_addc(out, (char)*p);
		l = l ? l : 1;
		p += l;
		n -= l;
	}
}

/* Takes p (NULL when libical could not make it, which it has already reported in icalerrno). */
static int add_prop(icalcomponent *c, icalproperty *p)
{
	if (!p)
		return -1;
	icalcomponent_add_property(c, p);
	return 0;
}

static int add_value(icalcomponent *c, icalproperty *(*make)(const char *), const char *s,
                     bool text)
{
	struct str t = STR_INIT;
	clean_value(&t, s, text);
	int rc = add_prop(c, make(t.buf));
	str_release(&t);
	return rc;
}

static int add_text(icalcomponent *c, icalproperty *(*make)(const char *), const char *s)
{
	return add_value(c, make, s, true);
}

/*
 * An X- property as calendar programs write and look for it, "X-WR-CALNAME:<name>": libical
 * escapes backslashes and line ends in it but, it being no TEXT, leaves commas as they are.
 */
static int add_x(icalcomponent *c, const char *name, const char *s)
{
	struct str t = STR_INIT;
	clean_value(&t, s, true);
	icalproperty *p = icalproperty_new_x(t.buf);
	str_release(&t);
	if (p)
		icalproperty_set_x_name(p, name);
	return add_prop(c, p);
}

static int add_header(icalcomponent *cal, const char *name)
{
	if (add_prop(cal, icalproperty_new_prodid("-//Sextant CRM//Sextant//ZH")) ||
	    add_prop(cal, icalproperty_new_version("2.0")) ||
	    add_prop(cal, icalproperty_new_calscale("GREGORIAN")) ||
	    add_prop(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH)) ||
	    add_x(cal, "X-WR-CALNAME", name) || add_x(cal, "X-WR-TIMEZONE", "Asia/Shanghai"))
		return -1;
	return 0;
}

/* Only the states a VEVENT may have; anything else is left out rather than sent wrong. */
static icalproperty_status event_status(const char *s)
{
	static const struct {
		const char *name;
		icalproperty_status status;
	} known[] = {
	    {"CONFIRMED", ICAL_STATUS_CONFIRMED},
	    {"CANCELLED", ICAL_STATUS_CANCELLED},
	    {"TENTATIVE", ICAL_STATUS_TENTATIVE},
	};
	for (size_t i = 0; s && i < ARRAY_SIZE(known); i++)
		if (strcmp(s, known[i].name) == 0)
			return known[i].status;
	return ICAL_STATUS_NONE;
}

static int add_alarm(icalcomponent *ev, const char *summary, int64_t alarm_ms)
{
	icalcomponent *alarm = icalcomponent_new_valarm();
	if (!alarm)
		return -1;
	struct icaltriggertype trig = {
	    .time = utc_time(alarm_ms),
	    .duration = icaldurationtype_null_duration(),
	};
	/* A trigger with a time is written with VALUE=DATE-TIME by libical itself. */
	icalproperty *tp = icalproperty_new_trigger(trig);
	if (add_prop(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY)) ||
	    add_text(alarm, icalproperty_new_description, summary) || add_prop(alarm, tp)) {
		icalcomponent_free(alarm);
		return -1;
	}
	icalcomponent_add_component(ev, alarm);
	return 0;
}

static int add_times(icalcomponent *ev, const struct calendar_item *it)
{
	int64_t end = it->end_ms ? it->end_ms : it->start_ms + DEFAULT_LENGTH_MS;
	if (end < it->start_ms)
		end = it->start_ms;
	/* DTSTAMP is required; without a known change time it is the time of the feed. */
	int64_t stamp = it->updated_ms ? it->updated_ms : time_now_ms();
	if (add_prop(ev, icalproperty_new_dtstamp(utc_time(stamp))) ||
	    (it->updated_ms &&
	     add_prop(ev, icalproperty_new_lastmodified(utc_time(it->updated_ms)))) ||
	    add_prop(ev, icalproperty_new_dtstart(utc_time(it->start_ms))) ||
	    add_prop(ev, icalproperty_new_dtend(utc_time(end))))
		return -1;
	return 0;
}

static int add_texts(icalcomponent *ev, const struct calendar_item *it, const char *summary)
{
	icalproperty_status st = event_status(it->status);
	if (add_text(ev, icalproperty_new_uid, it->uid) ||
	    add_text(ev, icalproperty_new_summary, summary) ||
	    (it->description && *it->description &&
	     add_text(ev, icalproperty_new_description, it->description)) ||
	    (it->url && *it->url && add_value(ev, icalproperty_new_url, it->url, false)) ||
	    (st != ICAL_STATUS_NONE && add_prop(ev, icalproperty_new_status(st))))
		return -1;
	return 0;
}

static int add_event(icalcomponent *cal, const struct calendar_item *it)
{
	icalcomponent *ev = icalcomponent_new_vevent();
	if (!ev)
		return -1;
	struct str summary = STR_INIT;
	if (it->done)
		str_adds(&summary, "\xe2\x9c\x93 "); /* ✓ */
	str_adds(&summary, it->summary ? it->summary : "");
	int rc = add_texts(ev, it, summary.buf);
	if (!rc)
		rc = add_times(ev, it);
	if (!rc && it->alarm_ms)
		rc = add_alarm(ev, summary.buf, it->alarm_ms);
	str_release(&summary);
	if (rc) {
		icalcomponent_free(ev);
		return -1;
	}
	icalcomponent_add_component(cal, ev);
	return 0;
}

/* The feed as libical writes it (its buffer), or NULL; under ical_lock. */
static char *build(const char *name, const struct calendar_item *items, size_t n)
{
	if (!utc)
		utc = icaltimezone_get_utc_timezone();
	icalcomponent *cal = icalcomponent_new_vcalendar();
	if (!cal)
		return NULL;
	int rc = add_header(cal, name);
	for (size_t i = 0; !rc && i < n; i++)
		rc = add_event(cal, &items[i]);
	char *text = rc ? NULL : icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	return text;
}

int calendar_render(const char *name, const struct calendar_item *items, size_t n, struct str *out)
{
	pthread_mutex_lock(&ical_lock);
	char *text = build(name, items, n);
	pthread_mutex_unlock(&ical_lock);
	if (!text)
		return -1;
	str_adds(out, text);
	icalmemory_free_buffer(text);
	return 0;
}
