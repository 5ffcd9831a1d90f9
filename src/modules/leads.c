#include "leads.h"

#include "core/util.h"
#include "meta/hooks.h"
#include "meta/crud.h"
#include "services/settings.h"

#include <stdio.h>

/* Yachts are dear: ¥5,000,000 and more is a major requirement, ¥1,000,000 a significant one. */
#define A_MIN_DEFAULT INT64_C(500000000)
#define B_MIN_DEFAULT INT64_C(100000000)
/* ¥100,000,000,000 in fen: beyond any yacht, within what a double holds exactly. */
#define BAND_MAX 1e13

void lead_bands_default(struct lead_bands *b)
{
	b->a_min = A_MIN_DEFAULT;
	b->b_min = B_MIN_DEFAULT;
}

int lead_bands_load(struct db *db, struct lead_bands *b)
{
	lead_bands_default(b);
	json_t *doc = NULL;
	int rc = settings_get(db, "leads", &doc);
	if (rc)
		return rc;
	json_t *a = json_object_get(doc, "a_min"), *bb = json_object_get(doc, "b_min");
	if (json_is_integer(a) && json_is_integer(bb) && json_integer_value(bb) > 0 &&
	    json_integer_value(a) > json_integer_value(bb)) {
		b->a_min = json_integer_value(a);
		b->b_min = json_integer_value(bb);
	}
	json_decref(doc);
	return DB_OK;
}

int lead_bands_check(const json_t *doc, struct problem *p)
{
	static const char *const members[] = {"a_min", "b_min", NULL};
	size_t before = p->n_errors;
	if (!settings_check_members(doc, members, p))
		return -1;
	for (const char *const *m = members; *m; m++) {
		json_t *v = json_object_get(doc, *m);
		if (!v)
			problem_add(p, *m, "required", NULL);
		else
			settings_check_number(p, *m, v, true, 1, BAND_MAX);
	}
	if (p->n_errors == before && json_integer_value(json_object_get(doc, "a_min")) <=
	                                 json_integer_value(json_object_get(doc, "b_min")))
		problem_add(p, "a_min", "not_above", (const char *[]){"other", "b_min", NULL});
	return p->n_errors > before ? -1 : 0;
}

json_t *lead_bands_json(const struct lead_bands *b)
{
	return json_pack("{s:I, s:I}", "a_min", (json_int_t)b->a_min, "b_min",
	                 (json_int_t)b->b_min);
}

const char *lead_grade(const struct lead_bands *b, int64_t amount)
{
	return amount >= b->a_min ? "a" : amount >= b->b_min ? "b" : "c";
}

/* The grade the amount in vals earns, written unless the record has it already. A lead without
 * an amount is not graded. */
static int grade(struct op *op, int64_t id, const struct value *vals)
{
	const struct value *amount = hook_value(op, vals, "amount");
	if (!amount || amount->kind != V_INT)
		return 0;
	struct lead_bands bands;
	int rc = lead_bands_load(op->db, &bands);
	if (rc)
		return crud_db_error(op, rc, "the lead bands");
	const char *g = lead_grade(&bands, amount->i);
	if (hook_text_is(hook_value(op, vals, "grade"), g))
		return 0;
	/* As the system: the grade is read-only to people. */
	return hook_update_as_system(op, NULL, id, json_pack("{s:s}", "grade", g));
}

/* The opportunity a converted lead becomes: its title, customer, amount, product and region;
 * owned by its project manager (or its owner), made by whoever converted it. */
static int convert(struct op *op, int64_t id, const struct value *vals)
{
	const struct entity *opps = registry_entity(op->reg, "opportunities");
	if (!opps)
		return 0;
	const struct value *title = hook_value(op, vals, "title"),
	                   *amount = hook_value(op, vals, "amount");
	int64_t owner = hook_int(hook_value(op, vals, "project_manager_id"));
	if (!owner)
		owner = hook_int(hook_value(op, vals, "owner_id"));
	json_t *body =
	    json_pack("{s:s#, s:I, s:s, s:I}", "name", title->s, (int)title->n, "customer_id",
	              (json_int_t)hook_int(hook_value(op, vals, "customer_id")), "source", "lead",
	              "lead_id", (json_int_t)id);
	if (amount && amount->kind == V_INT)
		json_object_set_new(body, "amount",
		                    json_pack("{s:I, s:s}", "amount", (json_int_t)amount->i,
		                              "currency",
		                              amount->currency ? amount->currency : "CNY"));
	static const char *const copied[][2] = {
	    {"product_line", "product_line"}, {"region", "region"}, {"requirement", "description"}};
	for (size_t i = 0; i < ARRAY_SIZE(copied); i++) {
		const struct value *v = hook_value(op, vals, copied[i][0]);
		if (v && v->kind == V_TEXT)
			json_object_set_new(body, copied[i][1], json_stringn(v->s, v->n));
	}
	if (owner)
		json_object_set_new(body, "owner_id", json_integer(owner));
	/* As the system: lead_id is read-only to people, and the converter may not own it. */
	struct op sys = op_as_system(op);
	sys.e = opps;
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_create_in_tx(&sys, body, &out, &res);
	json_decref(body);
	str_release(&out);
	return status < 0 ? status : 0;
}

int leads_created(struct op *op, int64_t id, const struct value *vals)
{
	return grade(op, id, vals);
}

int leads_updated(struct op *op, int64_t id, const struct value *before, const struct value *after,
                  const bool *changed)
{
	(void)before;
	int rc = 0;
	if (hook_changed(op, changed, "amount") || hook_changed(op, changed, "stage"))
		rc = grade(op, id, after);
	if (!rc && hook_changed(op, changed, "stage") &&
	    hook_text_is(hook_value(op, after, "stage"), "converted"))
		rc = convert(op, id, after);
	return rc;
}
