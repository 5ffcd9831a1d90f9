/* The OpenAPI paths of sales' own routes: the opportunities' funnel (modules/funnel.h), the
 * activity report (modules/activity_totals.h), the customer analysis (modules/analysis.h) and
 * the salespeople's performance (modules/performance.h). */
#include "openapi_internal.h"

static json_t *props(json_t *p)
{
	return json_pack("{s:s,s:o}", "type", "object", "properties", p);
}

static json_t *nullable(const char *type)
{
	return json_pack("{s:[s,s]}", "type", type, "null");
}

/* count, amount and weighted (fen) and the members of extra (taken; may be NULL). */
static json_t *sums(json_t *extra)
{
	json_t *p = json_pack("{s:{s:s},s:{s:s},s:{s:s}}", "count", "type", "integer", "amount",
	                      "type", "integer", "weighted", "type", "integer");
	if (extra)
		json_object_update(p, extra);
	json_decref(extra);
	return props(p);
}

static json_t *query_param(const char *name, json_t *schema, const char *desc)
{
	return json_pack("{s:s,s:s,s:o,s:s}", "name", name, "in", "query", "schema", schema,
	                 "description", desc);
}

static json_t *integer(void)
{
	return json_pack("{s:s}", "type", "integer");
}

static void add_get(json_t *paths, const char *path, json_t *op)
{
	json_t *item = json_object();
	json_object_set_new(item, "get", op);
	json_object_set_new(paths, path, item);
}

static json_t *array_of(json_t *items)
{
	return json_pack("{s:s,s:o}", "type", "array", "items", items);
}

static void analysis_paths(json_t *paths, const char *const *errs)
{
	json_t *op = oa_operation("customers.analysis",
	                          "The customers the caller may see, grouped, with their purchases",
	                          "customers");
	json_object_set_new(
	    op, "parameters",
	    json_pack(
	        "[o,o,o]",
	        query_param("by",
	                    json_pack("{s:s,s:[s,s,s,s,s,s]}", "type", "string", "enum", "industry",
	                              "size", "region", "province", "source", "purchase"),
	                    "What to group by (default industry)"),
	        query_param("owner", integer(), "An owner"),
	        query_param("team", integer(), "An organisation unit, with the units below it")));
	json_t *other = props(json_pack("{s:{s:s},s:o,s:o}", "currency", "type", "string", "won",
	                                integer(), "amount", integer()));
	json_t *group =
	    props(json_pack("{s:o,s:{s:s},s:o,s:o,s:o,s:o,s:o}", "key", nullable("string"), "label",
	                    "type", "string", "count", integer(), "won", nullable("integer"),
	                    "amount", nullable("integer"), "other_currencies", array_of(other),
	                    "list", json_pack("{s:[s,s]}", "type", "object", "null")));
	json_t *body =
	    props(json_pack("{s:{s:s},s:{s:s},s:o,s:o}", "by", "type", "string", "currency", "type",
	                    "string", "groups", array_of(group), "total",
	                    props(json_pack("{s:o,s:o,s:o}", "count", integer(), "won",
	                                    nullable("integer"), "amount", nullable("integer")))));
	oa_add_responses(op, "200", oa_json_response("The groups, largest known first", body),
	                 errs);
	add_get(paths, "/api/v1/customers/analysis", op);
}

/* The figures of a person, a team or everyone in the performance. */
static json_t *metrics(json_t *extra)
{
	json_t *p =
	    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "new_customers", integer(),
	              "previous", integer(), "growth", nullable("number"), "vs_whole",
	              nullable("number"), "activities", integer(), "won",
	              props(json_pack("{s:o,s:o}", "count", integer(), "amount", integer())),
	              "lost", integer(), "win_rate", nullable("number"), "pipeline", sums(NULL));
	if (extra)
		json_object_update(p, extra);
	json_decref(extra);
	return props(p);
}

static void performance_paths(json_t *paths, const char *const *errs)
{
	json_t *month = json_pack("{s:s,s:s}", "type", "string", "pattern", "^[0-9]{4}-[0-9]{2}$");
	json_t *op = oa_operation("sales.performance",
	                          "Salespeople's and teams' performance in a period, against the "
	                          "period before it",
	                          "opportunities");
	json_object_set_new(
	    op, "parameters",
	    json_pack(
	        "[o,o,o]", query_param("from", json_deep_copy(month), "First month (default: to)"),
	        query_param("to", month, "Last month (default: this month)"),
	        query_param("team", integer(), "An organisation unit, with the units below it")));
	json_t *body = props(json_pack(
	    "{s:{s:s},s:{s:s},s:o,s:{s:s},s:o,s:o,s:o,s:o}", "from", "type", "string", "to", "type",
	    "string", "previous",
	    props(json_pack("{s:{s:s},s:{s:s}}", "from", "type", "string", "to", "type", "string")),
	    "currency", "type", "string", "whole",
	    props(json_pack("{s:o,s:o,s:o,s:o}", "team_id", nullable("integer"), "new_customers",
	                    integer(), "previous", integer(), "growth", nullable("number"))),
	    "total", metrics(NULL), "people",
	    array_of(
	        metrics(json_pack("{s:o,s:o}", "user_id", integer(), "name", nullable("string")))),
	    "teams",
	    array_of(metrics(
	        json_pack("{s:o,s:o}", "org_unit_id", integer(), "name", nullable("string"))))));
	oa_add_responses(op, "200", oa_json_response("Per person and per team", body), errs);
	add_get(paths, "/api/v1/sales/performance", op);

	op = oa_operation("sales.performance.customers",
	                  "A person's part of each of their customers' won total", "opportunities");
	json_object_set_new(
	    op, "parameters",
	    json_pack("[o]", query_param("user", integer(), "The person (default: the caller)")));
	json_t *row = props(json_pack("{s:o,s:{s:s},s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "customer_id",
	                              integer(), "name", "type", "string", "won", integer(),
	                              "owned", integer(), "collaborated", integer(), "amount",
	                              integer(), "customer_total", integer(), "share",
	                              nullable("number"), "owned_share", nullable("number")));
	body = props(json_pack("{s:o,s:{s:s},s:o}", "user_id", integer(), "currency", "type",
	                       "string", "data", array_of(row)));
	oa_add_responses(op, "200", oa_json_response("The 100 largest parts first", body), errs);
	add_get(paths, "/api/v1/sales/performance/customers", op);
}

static const char *const errs[] = {"400", "401", "403", NULL};

static json_t *month_schema(void)
{
	return json_pack("{s:s,s:s}", "type", "string", "pattern", "^[0-9]{4}-[0-9]{2}$");
}

/* An object of counts under any key. */
static json_t *counts(void)
{
	return json_pack("{s:s,s:{s:s}}", "type", "object", "additionalProperties", "type",
	                 "integer");
}

static void activity_report(json_t *paths)
{
	json_t *op = oa_operation("activities.report",
	                          "The activities the caller may see, by kind and month (UTC)",
	                          "activities");
	json_object_set_new(
	    op, "parameters",
	    json_pack("[o,o,o,o,o]",
	              query_param("from", month_schema(),
	                          "First month (default: eleven months before `to`)"),
	              query_param("to", month_schema(),
	                          "Last month (default: eleven after `from`, or this month)"),
	              query_param("owner", json_pack("{s:s}", "type", "integer"), "An owner"),
	              query_param("team", json_pack("{s:s}", "type", "integer"),
	                          "An organisation unit, with the units below it"),
	              query_param("kind", json_pack("{s:s}", "type", "string"),
	                          "A kind option of the activities")));
	json_t *cell = props(json_pack("{s:o,s:{s:s},s:{s:s}}", "month", month_schema(), "kind",
	                               "type", "string", "count", "type", "integer"));
	json_t *kind = props(
	    json_pack("{s:{s:s},s:{s:s}}", "key", "type", "string", "label", "type", "string"));
	json_t *body = props(json_pack(
	    "{s:o,s:o,s:{s:s,s:o},s:{s:s,s:o},s:{s:s,s:o},s:o,s:o,s:{s:s}}", "from", month_schema(),
	    "to", month_schema(), "months", "type", "array", "items", month_schema(), "kinds",
	    "type", "array", "items", kind, "data", "type", "array", "items", cell, "by_kind",
	    counts(), "by_month", counts(), "total", "type", "integer"));
	oa_add_responses(
	    op, "200",
	    oa_json_response(
	        "Counts per month and kind (only cells with activities), per kind, per "
	        "month and in all",
	        body),
	    errs);
	json_t *item = json_object();
	json_object_set_new(item, "get", op);
	json_object_set_new(paths, "/api/v1/activities/report", item);
}

/* GET /api/v1/opportunities/conflicts (modules/conflicts.h). */
static void conflict_paths(json_t *paths)
{
	json_t *op =
	    oa_operation("opportunities.conflicts",
	                 "Open opportunities on a customer and on its look-alikes, whoever "
	                 "owns them",
	                 "opportunities");
	json_object_set_new(
	    op, "parameters",
	    json_pack(
	        "[o,o]",
	        json_pack("{s:s,s:s,s:b,s:o,s:s}", "name", "customer_id", "in", "query", "required",
	                  1, "schema", integer(), "description", "The customer"),
	        query_param("exclude", integer(), "An opportunity left out (the one edited)")));
	json_t *hit = props(json_pack(
	    "{s:o,s:{s:s},s:{s:s},s:{s:s,s:{s:s}},s:{s:s},s:{s:[s,s]}}", "id", integer(), "name",
	    "type", "string", "score", "type", "number", "reasons", "type", "array", "items",
	    "type", "string", "similarity", "type", "object", "owner", "type", "object", "null"));
	json_t *rival = props(json_pack(
	    "{s:o,s:{s:s},s:{s:s},s:o,s:{s:[s,s]},s:{s:s},s:{s:s},s:{s:s}}", "id", integer(),
	    "name", "type", "string", "stage", "type", "string", "product_line", nullable("string"),
	    "owner", "type", "object", "null", "customer", "type", "object", "same_customer",
	    "type", "boolean", "openable", "type", "boolean"));
	json_t *body = props(json_pack("{s:o,s:o,s:o}", "customer_id", integer(), "look_alikes",
	                               array_of(hit), "opportunities", array_of(rival)));
	oa_add_responses(
	    op, "200", oa_json_response("The look-alikes, and the open opportunities of all", body),
	    errs);
	add_get(paths, "/api/v1/opportunities/conflicts", op);
}

void openapi_sales_paths(json_t *paths, const struct registry *r)
{
	if (registry_entity(r, "activities"))
		activity_report(paths);
	if (!registry_entity(r, "opportunities"))
		return;
	json_t *month = month_schema();
	json_t *op = oa_operation("opportunities.funnel",
	                          "The sales funnel of the opportunities the caller may see",
	                          "opportunities");
	json_object_set_new(
	    op, "parameters",
	    json_pack("[o,o,o,o,o,o]",
	              query_param("from", json_deep_copy(month),
	                          "First expected close month (and month of stage moves)"),
	              query_param("to", month, "Last month"),
	              query_param("owner", json_pack("{s:s}", "type", "integer"), "An owner"),
	              query_param("team", json_pack("{s:s}", "type", "integer"),
	                          "An organisation unit, with the units below it"),
	              query_param("region", json_pack("{s:s}", "type", "string"),
	                          "A region option (summed from the records)"),
	              query_param("product", json_pack("{s:s}", "type", "string"),
	                          "A product line option (summed from the records)")));
	json_t *stage =
	    sums(json_pack("{s:{s:s},s:{s:s},s:{s:s},s:o,s:o}", "key", "type", "string", "label",
	                   "type", "string", "exits", "type", "integer", "conversion",
	                   nullable("number"), "avg_days", nullable("number")));
	json_t *body = props(json_pack(
	    "{s:{s:s,s:[s,s]},s:{s:s},s:{s:s,s:o},s:o,s:o,s:o,s:o,s:o,s:{s:s,s:o},s:{s:s,s:o}}",
	    "source", "type", "string", "enum", "totals", "records", "currency", "type", "string",
	    "stages", "type", "array", "items", stage, "open", sums(NULL), "won", sums(NULL),
	    "lost", sums(NULL), "win_rate", nullable("number"), "cycle_days", nullable("number"),
	    "forecast", "type", "array", "items",
	    sums(json_pack("{s:o}", "month", nullable("string"))), "other_currencies", "type",
	    "array", "items", sums(json_pack("{s:{s:s}}", "currency", "type", "string"))));
	oa_add_responses(op, "200",
	                 oa_json_response("Per open stage, then won, lost and the forecast", body),
	                 errs);
	add_get(paths, "/api/v1/opportunities/funnel", op);
	conflict_paths(paths);
	analysis_paths(paths, errs);
	performance_paths(paths, errs);
}
