/*
 * Sales (docs/internals/SALES.md): the opportunities' funnel (modules/funnel.h) and the leads'
 * amount bands (modules/leads.h).
 */
#include "api.h"
#include "core/util.h"
#include "meta/access.h"
#include "modules/funnel.h"
#include "modules/leads.h"

#include <stdlib.h>
#include <string.h>

bool api_is_month(const char *s)
{
	if (strlen(s) != 7 || s[4] != '-')
		return false;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return false;
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	return m >= 1 && m <= 12;
}

/* An option key of the entity's field name; a problem on param otherwise. */
static const char *option_param(struct op *op, const char *param, const char *field, const char *v)
{
	const struct field *f = entity_field(op->e, field);
	if (!f || !field_option(f, v, strlen(v))) {
		problem_add(op->problem, param, "invalid_option",
		            (const char *[]){"value", v, NULL});
		return NULL;
	}
	return v;
}

int64_t api_id_param(struct op *op, const char *param, const char *v)
{
	int64_t id;
	if (!parse_int64(v, strlen(v), &id) || id < 1) {
		problem_add(op->problem, param, "invalid_integer", NULL);
		return 0;
	}
	return id;
}

static void parse_filter(struct req *r, struct op *op, struct funnel_filter *f)
{
	for (size_t i = 0; i < r->n_query; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;
		if (str_eq(k, "from") || str_eq(k, "to")) {
			if (!api_is_month(v))
				problem_add(op->problem, k, "invalid_month", NULL);
			else if (str_eq(k, "from"))
				f->from = v;
			else
				f->to = v;
		} else if (str_eq(k, "owner"))
			f->owner_id = api_id_param(op, k, v);
		else if (str_eq(k, "team"))
			f->team_id = api_id_param(op, k, v);
		else if (str_eq(k, "region"))
			f->region = option_param(op, k, "region", v);
		else if (str_eq(k, "product"))
			f->product = option_param(op, k, "product_line", v);
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
	if (op.problem->n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	bool may;
	int rc = access_may_list(&op, &may);
	if (rc) {
		api_db_failure(r, rc, "the funnel");
		return;
	}
	if (!may) {
		resp_error(r, 403, "forbidden");
		return;
	}
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
