#include "period.h"

#include "core/i18n.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/crud.h"
#include "meta/transition.h"

#include <stdio.h>
#include <string.h>

bool period_bounds(const char *kind, const char *date, size_t n, char start[PERIOD_DATE_LEN],
                   char end[PERIOD_DATE_LEN])
{
	int y, m, d;
	if (!kind || !time_parse_date(date, n < 10 ? n : 10, &y, &m, &d))
		return false;
	int64_t day = time_days_from_civil(y, m, d), first, last;
	if (str_eq(kind, "day")) {
		first = last = day;
	} else if (str_eq(kind, "week")) {
		/* Day 0 of the civil count (1970-01-01) was a Thursday: Monday is 3 days before. */
		int64_t monday_offset = ((day + 3) % 7 + 7) % 7;
		first = day - monday_offset;
		last = first + 6;
	} else if (str_eq(kind, "month") || str_eq(kind, "quarter") || str_eq(kind, "year")) {
		/* The first month of the period, and the first month after it. */
		int from = str_eq(kind, "month")     ? m
		           : str_eq(kind, "quarter") ? (m - 1) / 3 * 3 + 1
		                                     : 1;
		int months = str_eq(kind, "month") ? 1 : str_eq(kind, "quarter") ? 3 : 12;
		int next = from + months;
		first = time_days_from_civil(y, from, 1);
		last =
		    time_days_from_civil(next > 12 ? y + 1 : y, next > 12 ? next - 12 : next, 1) -
		    1;
	} else {
		return false;
	}
	time_civil_from_days(first, &y, &m, &d);
	snprintf(start, PERIOD_DATE_LEN, "%04d-%02d-%02d", y, m, d);
	time_civil_from_days(last, &y, &m, &d);
	snprintf(end, PERIOD_DATE_LEN, "%04d-%02d-%02d", y, m, d);
	return true;
}

int64_t period_person(const struct op *op, const struct value *vals)
{
	const struct value *person = hook_value(op, vals, "employee_id");
	return hook_int(person ? person : hook_value(op, vals, "owner_id"));
}

static const char *text(struct op *op, const struct value *v)
{
	return v && v->kind == V_TEXT ? arena_strndup(op->arena, v->s, v->n) : NULL;
}

/* The title the values make: the owner's name, the period's label (in the company's language,
 * as data) and when — "2026年11月" for a month, the first day otherwise. NULL without them. */
static const char *made_title(struct op *op, const struct value *vals)
{
	const char *kind = text(op, hook_value(op, vals, "period")),
	           *on = text(op, hook_value(op, vals, "starts_on"));
	char start[PERIOD_DATE_LEN], end[PERIOD_DATE_LEN];
	if (!on || !period_bounds(kind, on, strlen(on), start, end))
		return NULL;
	const struct field *f = entity_field(op->e, "period");
	const char *label = kind;
	for (size_t i = 0; i < f->n_options; i++)
		if (str_eq(f->options[i].key, kind))
			label = label_get(&f->options[i].label, LANG_ZH);
	char when[32];
	int month = (start[5] - '0') * 10 + start[6] - '0';
	if (str_eq(kind, "month"))
		snprintf(when, sizeof when, "%.4s年%d月", start, month);
	else if (str_eq(kind, "quarter"))
		snprintf(when, sizeof when, "%.4s年第%d季度", start, (month - 1) / 3 + 1);
	else if (str_eq(kind, "year"))
		snprintf(when, sizeof when, "%.4s年", start);
	else
		snprintf(when, sizeof when, "%s", start);
	const char *owner = user_name(op, period_person(op, vals));
	return arena_printf(op->arena, "%s%s%s %s", owner, *owner ? " · " : "", label, when);
}

int period_fill(struct op *op, int64_t id, const struct value *before, const struct value *vals)
{
	const char *kind = text(op, hook_value(op, vals, "period")),
	           *on = text(op, hook_value(op, vals, "starts_on")),
	           *ends = text(op, hook_value(op, vals, "ends_on")),
	           *title = text(op, hook_value(op, vals, "title"));
	char start[PERIOD_DATE_LEN], end[PERIOD_DATE_LEN];
	if (!on || !period_bounds(kind, on, strlen(on), start, end))
		return 0;
	json_t *body = json_object();
	if (strncmp(on, start, 10) != 0)
		json_object_set_new(body, "starts_on", json_string(start));
	if (!ends || strncmp(ends, end, 10) != 0)
		json_object_set_new(body, "ends_on", json_string(end));
	const char *was = before ? made_title(op, before) : NULL;
	if (!title || !*title || (was && str_eq(title, was))) {
		const char *now = made_title(op, vals);
		if (now && (!title || !str_eq(title, now)))
			json_object_set_new(body, "title", json_string(now));
	}
	if (!json_object_size(body)) {
		json_decref(body);
		return 0;
	}
	return hook_update_as_system(op, NULL, id, body);
}
