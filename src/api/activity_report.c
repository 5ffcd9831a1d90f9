/*
 * GET /api/v1/activities/report (docs/internals/SALES.md, "Activity report (T7)"): the
 * activities the caller may see, by kind and UTC month, from the totals the database keeps
 * (modules/activity_totals.h).
 */
#include "api.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "modules/activity_totals.h"

#include <stdio.h>
#include <string.h>

#define YEAR_MONTHS 12

static const char *month_text(struct op *op, int number)
{
	/* Kept within 0000-01 … 9999-12, which "YYYY-MM" can say. */
	if (number < 0)
		number = 0;
	if (number > 9999 * 12 + 11)
		number = 9999 * 12 + 11;
	return arena_printf(op->arena, "%04d-%02d", number / 12, number % 12 + 1);
}

static int this_month(void)
{
	int y, m, d;
	time_civil_from_days(time_now_ms() / 86400000, &y, &m, &d);
	return y * 12 + m - 1;
}

/* The filter, with a year where a month is missing: the twelve months to `to` (this month
 * without one), or from `from`. */
static void parse_filter(struct req *r, struct op *op, struct activity_filter *f)
{
	for (size_t i = 0; i < r->n_query; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;
		if (api_report_common(op, k, v, &f->from, &f->to, &f->owner_id, &f->team_id))
			continue;
		if (str_eq(k, "kind"))
			f->kind = api_option_param(op, k, "kind", v);
		else
			problem_add(op->problem, arena_strdup(op->arena, k), "unknown_parameter",
			            NULL);
	}
	if (op->problem->n_errors)
		return;
	if (!f->to)
		f->to = month_text(op, f->from ? time_month_number(f->from) + YEAR_MONTHS - 1
		                               : this_month());
	if (!f->from)
		f->from = month_text(op, time_month_number(f->to) - (YEAR_MONTHS - 1));
	int n = time_month_number(f->to) - time_month_number(f->from) + 1;
	if (n < 1)
		problem_add(op->problem, "to", "before_from", NULL);
	else if (n > ACTIVITY_REPORT_MAX_MONTHS) {
		const char *max = arena_printf(op->arena, "%d", ACTIVITY_REPORT_MAX_MONTHS);
		problem_add(op->problem, "to", "too_many_months",
		            (const char *[]){"max", max, NULL});
	}
}

void api_activities_report(struct req *r)
{
	const struct entity *e = api_entity(r, "activities");
	if (!e)
		return;
	struct op op;
	req_op(r, e, &op);
	struct activity_filter f = {0};
	parse_filter(r, &op, &f);
	if (!api_report_may(r, &op, "the activity report"))
		return;
	struct str out = STR_INIT;
	api_answer(r, activity_report_json(&op, &f, &out), &out);
}
