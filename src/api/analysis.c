/*
 * Customer analysis and salespeople's performance (docs/internals/SALES.md "Performance and
 * customer analysis"; modules/analysis.h, modules/performance.h): the parameters checked, the
 * caller's right to list what is summed, then the module's answer.
 */
#include "api.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/access.h"
#include "modules/analysis.h"
#include "modules/performance.h"

#include <string.h>

static void unknown_parameter(struct op *op, const char *k)
{
	problem_add(op->problem, arena_strdup(op->arena, k), "unknown_parameter", NULL);
}

/* Whether op's caller may list anything of op->e; false after answering (403, 503 …). */
static bool may_list(struct req *r, struct op *op, const char *what)
{
	bool may;
	int rc = access_may_list(op, &may);
	if (rc)
		api_db_failure(r, rc, what);
	else if (!may)
		resp_error(r, 403, "forbidden");
	return !rc && may;
}

/* An op on the entity name, or NULL when the model has no such entity. */
static struct op *entity_op(struct req *r, const char *name, struct op *op)
{
	const struct entity *e = registry_entity(r->reg, name);
	if (!e)
		return NULL;
	req_op(r, e, op);
	return op;
}

/* Whether the caller may list the entity name (false without one), asked quietly. */
static int may_list_quietly(struct req *r, const char *name, bool *may)
{
	struct op op;
	*may = false;
	return entity_op(r, name, &op) ? access_may_list(&op, may) : DB_OK;
}

void api_customers_analysis(struct req *r)
{
	const struct entity *e = api_entity(r, "customers");
	if (!e)
		return;
	struct op op;
	req_op(r, e, &op);
	struct funnel_filter f = {0};
	int by = -1;
	for (size_t i = 0; i < r->n_query; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;
		if (str_eq(k, "by")) {
			for (int b = 0; b < BY__MAX; b++)
				if (str_eq(v, analysis_by_names[b]))
					by = b;
			if (by < 0)
				problem_add(op.problem, "by", "invalid_option",
				            (const char *[]){"value", v, NULL});
		} else if (str_eq(k, "owner"))
			f.owner_id = api_id_param(&op, k, v);
		else if (str_eq(k, "team"))
			f.team_id = api_id_param(&op, k, v);
		else
			unknown_parameter(&op, k);
	}
	if (by < 0 && !op.problem->n_errors)
		by = BY_INDUSTRY; /* the first tab of the page */
	if (op.problem->n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	bool amounts;
	int rc = may_list_quietly(r, "opportunities", &amounts);
	if (rc) {
		api_db_failure(r, rc, "the customer analysis");
		return;
	}
	if (!may_list(r, &op, "the customer analysis"))
		return;
	struct str out = STR_INIT;
	api_answer(r, analysis_customers_json(&op, (enum analysis_by)by, &f, amounts, &out), &out);
}

void api_sales_performance(struct req *r)
{
	const struct entity *e = api_entity(r, "customers");
	if (!e)
		return;
	struct op cust, act, opp;
	req_op(r, e, &cust);
	struct perf_filter f = {0};
	for (size_t i = 0; i < r->n_query; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;
		if (str_eq(k, "from") || str_eq(k, "to")) {
			if (!api_is_month(v))
				problem_add(cust.problem, k, "invalid_month", NULL);
			else if (str_eq(k, "from"))
				f.from = v;
			else
				f.to = v;
		} else if (str_eq(k, "team"))
			f.team_id = api_id_param(&cust, k, v);
		else
			unknown_parameter(&cust, k);
	}
	/* Without months: this month; with one of them, that month alone. */
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	now[7] = '\0';
	if (!f.to)
		f.to = f.from ? f.from : now;
	if (!f.from)
		f.from = f.to;
	if (strcmp(f.from, f.to) > 0)
		problem_add(cust.problem, "to", "before_from", NULL);
	if (cust.problem->n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	if (!may_list(r, &cust, "the performance"))
		return;
	struct str out = STR_INIT;
	api_answer(r,
	           performance_json(&cust, entity_op(r, "activities", &act),
	                            entity_op(r, "opportunities", &opp), &f, &out),
	           &out);
}

void api_sales_performance_customers(struct req *r)
{
	const struct entity *e = api_entity(r, "opportunities");
	if (!e)
		return;
	struct op op;
	req_op(r, e, &op);
	int64_t user = 0;
	bool given = false;
	for (size_t i = 0; i < r->n_query; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;
		if (str_eq(k, "user")) {
			user = api_id_param(&op, k, v);
			given = true;
		} else
			unknown_parameter(&op, k);
	}
	if (op.problem->n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	if (!given)
		user = op.user_id; /* the caller's own */
	if (!may_list(r, &op, "the customers' shares"))
		return;
	struct str out = STR_INIT;
	api_answer(r, performance_customers_json(&op, user, &out), &out);
}
