/*
 * Sales (docs/internals/SALES.md): the opportunities' funnel (modules/funnel.h) and the leads'
 * amount bands (modules/leads.h).
 */
#include "api.h"
#include "core/util.h"
#include "modules/conflicts.h"
#include "modules/funnel.h"
#include "modules/leads.h"

#include <stdlib.h>
#include <string.h>

static void parse_filter(struct req *r, struct op *op, struct funnel_filter *f)
{
	for (size_t i = 0; i < r->n_query; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;
		if (api_report_common(op, k, v, &f->from, &f->to, &f->owner_id, &f->team_id))
			continue;
		if (str_eq(k, "region"))
			f->region = api_option_param(op, k, "region", v);
		else if (str_eq(k, "product"))
			f->product = api_option_param(op, k, "product_line", v);
		else
			problem_add(op->problem, arena_strdup(op->arena, k), "unknown_parameter",
			            NULL);
	}
	if (f->from && f->to && strcmp(f->from, f->to) > 0)
		problem_add(op->problem, "to", "before_from", NULL);
}

void api_opportunities_funnel(struct req *r)
{
	const struct entity *e = api_entity(r, "opportunities");
	if (!e)
		return;
	struct op op;
	req_op(r, e, &op);
	struct funnel_filter f = {0};
	parse_filter(r, &op, &f);
	if (!api_report_may(r, &op, "the funnel"))
		return;
	struct str out = STR_INIT;
	api_answer(r, funnel_json(&op, &f, &out), &out);
}

void api_lead_settings_get(struct req *r)
{
	struct lead_bands v;
	int rc = lead_bands_load(r->db, &v);
	api_settings_answer(r, rc, rc ? NULL : lead_bands_json(&v));
}

static int check_lead(struct req *r, const json_t *body)
{
	return lead_bands_check(body, &r->problem);
}

void api_lead_settings_put(struct req *r)
{
	api_settings_put(r, "leads", check_lead, api_lead_settings_get);
}

void api_opportunity_conflicts(struct req *r)
{
	const struct entity *e = api_entity(r, "opportunities");
	if (!e)
		return;
	struct op op;
	req_op(r, e, &op);
	int64_t customer = 0, exclude = 0;
	for (size_t i = 0; i < r->n_query; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;
		if (str_eq(k, "customer_id"))
			customer = api_id_param(&op, k, v);
		else if (str_eq(k, "exclude"))
			exclude = api_id_param(&op, k, v);
		else
			problem_add(op.problem, arena_strdup(op.arena, k), "unknown_parameter",
			            NULL);
	}
	if (!customer && !op.problem->n_errors)
		problem_add(op.problem, "customer_id", "required", NULL);
	/* Whoever may list opportunities may ask whether one on a customer is taken. */
	if (!api_report_may(r, &op, "the conflict check"))
		return;
	struct str out = STR_INIT;
	api_answer(r, opportunity_conflicts_json(&op, customer, exclude, &out), &out);
}
