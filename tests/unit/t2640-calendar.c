/* services/calendar: the feed's lines, folding of Chinese text, alarms, and libical reading its
 * own output back; renders from several threads at once. */
#include "unit.h"

#include "core/str.h"
#include "core/text.h"
#include "core/util.h"
#include "services/calendar.h"

#include <libical/ical.h>
#include <pthread.h>

/* Long enough to be folded twice, with characters that TEXT escapes. */
static const char long_summary[] =
    "拜访上海海韵科技有限公司：讨论二期合同续签、付款节点安排，以及售后服务条款; 带上报价单\\"
    "和样品";

/* 2026-01-01T08:00:00+08:00 and friends, in UTC milliseconds. */
#define START_MS   1767225600000LL /* 20260101T000000Z */
#define ALARM_MS   1767224700000LL /* 20251231T234500Z */
#define UPDATED_MS 1767000000000LL /* 20251229T092000Z */

static const struct calendar_item items[] = {
    {
        .uid = "plans-1@crm.example",
        .summary = long_summary,
        .description = "第一行\n第二行, 带逗号",
        .url = "https://crm.example/#/plans/1",
        .start_ms = START_MS,
        .alarm_ms = ALARM_MS,
        .updated_ms = UPDATED_MS,
        .status = "CONFIRMED",
    },
    {
        .uid = "tasks-2@crm.example",
        .summary = "Send the contract",
        .start_ms = START_MS + 3600000,
        .end_ms = START_MS + 7200000,
        .updated_ms = UPDATED_MS,
        .done = true,
    },
};

/* The feed with folded lines joined again (RFC 5545 3.1: a CRLF and one space or tab go). */
static char *unfold(const char *s)
{
	struct str out = STR_INIT;
	for (; *s; s++) {
		if (s[0] == '\r' && s[1] == '\n' && (s[2] == ' ' || s[2] == '\t')) {
			s += 2;
			continue;
		}
		str_addc(&out, *s);
	}
	return str_detach(&out, NULL);
}

/* The value of the first line "<name>:" of unfolded text, TEXT escapes undone (malloc'd). */
static char *text_value(const char *unfolded, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "\n%s:", name);
	const char *p = strstr(unfolded, key);
	if (!p)
		return NULL;
	p += strlen(key);
	struct str out = STR_INIT;
	for (; *p && *p != '\r'; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			str_addc(&out, *p == 'n' || *p == 'N' ? '\n' : *p);
		} else {
			str_addc(&out, *p);
		}
	}
	return str_detach(&out, NULL);
}

static bool valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq_len(p + i, n - i);
		if (!l)
			return false;
		i += l;
	}
	return true;
}

/* Every line ends in CRLF, holds at most 75 octets and is whole UTF-8 on its own. */
static void expect_lines(const char *feed)
{
	const char *p = feed;
	int line = 1;
	while (*p) {
		const char *nl = strstr(p, "\r\n");
		EXPECT(nl, "line %d ends in CRLF", line);
		if (!nl)
			break;
		size_t n = (size_t)(nl - p);
		EXPECT(n <= 75, "line %d: %zu octets: %.*s", line, n, (int)n, p);
		EXPECT(valid_utf8(p, n), "line %d is whole UTF-8: %.*s", line, (int)n, p);
		EXPECT(!memchr(p, '\n', n), "line %d holds no bare LF", line);
		p = nl + 2;
		line++;
	}
}

static char *render(const struct calendar_item *its, size_t n)
{
	struct str out = STR_INIT;
	assert_int_equal(calendar_render("张三的日程", its, n, &out), 0);
	return str_detach(&out, NULL);
}

static void test_lines(void **state)
{
	(void)state;
	char *feed = render(items, ARRAY_SIZE(items));
	expect_lines(feed);
	char *u = unfold(feed);
	static const char *const want[] = {
	    "BEGIN:VCALENDAR\r\n",
	    "\r\nPRODID:-//Sextant CRM//Sextant//ZH\r\n",
	    "\r\nVERSION:2.0\r\n",
	    "\r\nCALSCALE:GREGORIAN\r\n",
	    "\r\nMETHOD:PUBLISH\r\n",
	    "\r\nX-WR-CALNAME:张三的日程\r\n",
	    "\r\nX-WR-TIMEZONE:Asia/Shanghai\r\n",
	    "\r\nUID:plans-1@crm.example\r\n",
	    "\r\nDTSTAMP:20251229T092000Z\r\n",
	    "\r\nLAST-MODIFIED:20251229T092000Z\r\n",
	    "\r\nDTSTART:20260101T000000Z\r\n",
	    "\r\nDTEND:20260101T003000Z\r\n", /* no end: half an hour */
	    "\r\nURL:https://crm.example/#/plans/1\r\n",
	    "\r\nSTATUS:CONFIRMED\r\n",
	    "\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n",
	    "\r\nTRIGGER;VALUE=DATE-TIME:20251231T234500Z\r\n",
	    "\r\nUID:tasks-2@crm.example\r\n",
	    "\r\nSUMMARY:✓ Send the contract\r\n",
	    "\r\nDTSTART:20260101T010000Z\r\n",
	    "\r\nDTEND:20260101T020000Z\r\n",
	    "\r\nEND:VCALENDAR\r\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		EXPECT(strstr(u, want[i]), "a line %s", unit_esc(want[i]));
	/* The Chinese summary was folded, and unfolding gives it back. */
	EXPECT(!strstr(feed, long_summary), "the long summary is folded");
	char *summary = text_value(u, "SUMMARY");
	EXPECT_STR(summary, long_summary, "unfolded SUMMARY");
	free(summary);
	char *description = text_value(u, "DESCRIPTION");
	EXPECT_STR(description, items[0].description, "unfolded DESCRIPTION");
	free(description);
	EXPECT(strstr(u, "第二行\\, 带逗号"), "commas escaped");
	/* The alarm says what the event does; the done task has none. */
	const char *alarm = strstr(u, "BEGIN:VALARM");
	char *alarm_text = alarm ? text_value(alarm - 1, "DESCRIPTION") : NULL;
	EXPECT_STR(alarm_text, long_summary, "alarm DESCRIPTION");
	free(alarm_text);
	EXPECT(alarm && !strstr(alarm + 1, "BEGIN:VALARM"), "one alarm");
	EXPECT(!strstr(strstr(u, "tasks-2@") ? strstr(u, "tasks-2@") : "", "STATUS:"),
	       "no STATUS when none given");
	free(u);
	free(feed);
	EXPECT_ALL();
}

static void test_parse_back(void **state)
{
	(void)state;
	char *feed = render(items, ARRAY_SIZE(items));
	icalcomponent *cal = icalparser_parse_string(feed);
	assert_non_null(cal);
	EXPECT_INT(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT, "a VCALENDAR");
	EXPECT_INT(icalcomponent_count_errors(cal), 0, "no X-LIC-ERROR");
	EXPECT_INT(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 2, "VEVENTs");
	icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	EXPECT_STR(icalcomponent_get_summary(ev), long_summary, "parsed SUMMARY");
	EXPECT_STR(icalcomponent_get_description(ev), items[0].description, "parsed DESCRIPTION");
	struct icaltimetype t = icalcomponent_get_dtstart(ev);
	EXPECT_INT(icaltime_as_timet(t), START_MS / 1000, "parsed DTSTART");
	EXPECT(icaltime_is_utc(t), "DTSTART in UTC");
	icalcomponent *alarm = icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT);
	icalproperty *trig =
	    alarm ? icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY) : NULL;
	EXPECT(trig, "a TRIGGER");
	if (trig)
		EXPECT_INT(icaltime_as_timet(icalproperty_get_trigger(trig).time), ALARM_MS / 1000,
		           "parsed TRIGGER");
	ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
	EXPECT_STR(icalcomponent_get_summary(ev), "✓ Send the contract", "parsed done SUMMARY");
	EXPECT(!icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT), "no alarm");
	icalcomponent_free(cal);
	free(feed);
	EXPECT_ALL();
}

static void test_odd_input(void **state)
{
	(void)state;
	/* Bytes a feed must not carry are replaced or dropped, not passed on to break it. */
	const struct calendar_item odd[] = {{
	    .uid = "x-1@h",
	    .summary = "bad \xff byte\x01 bell\x07, tab\there\r\nnext",
	    .url = "https://h/a\r\nX-INJECTED:1",
	    .start_ms = 0,
	    .end_ms = -1000, /* before the start: no length */
	    .updated_ms = 0,
	    .status = "COMPLETED", /* not a VEVENT status */
	}};
	char *feed = render(odd, 1);
	expect_lines(feed);
	char *u = unfold(feed);
	char *summary = text_value(u, "SUMMARY");
	EXPECT_STR(summary, "bad \xef\xbf\xbd byte bell, tab\there\nnext", "cleaned SUMMARY");
	free(summary);
	EXPECT(strstr(u, "\r\nURL:https://h/aX-INJECTED:1\r\n"), "URL on one line");
	EXPECT(!strstr(u, "\r\nX-INJECTED"), "no injected line");
	EXPECT(strstr(u, "\r\nDTSTART:19700101T000000Z\r\nDTEND:19700101T000000Z\r\n"),
	       "end not before start");
	EXPECT(!strstr(u, "STATUS:"), "unknown status left out");
	EXPECT(!strstr(u, "LAST-MODIFIED:"), "no LAST-MODIFIED without a change time");
	EXPECT(strstr(u, "\r\nDTSTAMP:"), "DTSTAMP all the same");
	icalcomponent *cal = icalparser_parse_string(feed);
	assert_non_null(cal);
	EXPECT_INT(icalcomponent_count_errors(cal), 0, "no X-LIC-ERROR");
	icalcomponent_free(cal);
	free(u);
	free(feed);

	/* No items: a calendar all the same; what was in out stays. */
	struct str out = STR_INIT;
	str_adds(&out, "before\n");
	EXPECT_INT(calendar_render(NULL, NULL, 0, &out), 0, "empty feed");
	EXPECT(strncmp(out.buf, "before\nBEGIN:VCALENDAR\r\n", 24) == 0, "appended: %s",
	       unit_esc(out.buf));
	EXPECT(!strstr(out.buf, "VEVENT"), "no events");
	str_release(&out);
	EXPECT_ALL();
}

struct worker {
	char *first; /* this thread's first feed */
	int failures;
};

static void *render_many(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 40; i++) {
		struct str out = STR_INIT;
		if (calendar_render("张三的日程", items, ARRAY_SIZE(items), &out))
			w->failures++;
		else if (!w->first)
			w->first = str_detach(&out, NULL);
		else if (strcmp(out.buf, w->first) != 0)
			w->failures++;
		str_release(&out);
	}
	return NULL;
}

/* Run first, so that the threads also race for libical's first use. */
static void test_threads(void **state)
{
	(void)state;
	pthread_t t[8];
	struct worker w[8];
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		w[i] = (struct worker){.first = NULL};
		assert_int_equal(pthread_create(&t[i], NULL, render_many, &w[i]), 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		pthread_join(t[i], NULL);
	char *want = render(items, ARRAY_SIZE(items));
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		EXPECT_INT(w[i].failures, 0, "failed or different renders");
		EXPECT_STR(w[i].first, want, "a thread's feed");
		free(w[i].first);
	}
	free(want);
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_threads),
	    UNIT_TEST(test_lines),
	    UNIT_TEST(test_parse_back),
	    UNIT_TEST(test_odd_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
