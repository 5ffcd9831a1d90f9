/* The OpenAPI paths of the shared pool, handovers and the 360° view (modules/pool.h,
 * modules/customer360.h), for an entity with a pool. */
#include "openapi_internal.h"

#include <stdio.h>

static json_t *object_of(json_t *props)
{
	return json_pack("{s:s,s:o}", "type", "object", "properties", props);
}

static json_t *typed(const char *type)
{
	return json_pack("{s:s}", "type", type);
}

static json_t *nullable(const char *type)
{
	return json_pack("{s:[s,s]}", "type", type, "null");
}

/* {"id","name"} or null: a person or a contact as the 360° view names them. */
static json_t *named(void)
{
	return json_pack("{s:[s,s],s:{s:{s:s},s:{s:s}}}", "type", "object", "null", "properties",
	                 "id", "type", "integer", "name", "type", "string");
}

static json_t *body_of(json_t *schema)
{
	return json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content", "application/json",
	                 "schema", schema);
}

/* A path /api/v1/<entity>/{id}/<suffix> with one operation. */
static void one_path(json_t *paths, const struct entity *e, const char *suffix, const char *method,
                     json_t *op)
{
	char p[160];
	json_t *item = json_object();
	json_object_set_new(item, "parameters", oa_params((const char *const[]){"id", NULL}));
	json_object_set_new(item, method, op);
	snprintf(p, sizeof p, "/api/v1/%s/{id}/%s", e->name, suffix);
	json_object_set_new(paths, p, item);
}

/* The record with what moved along: {…record…, "moved": {"contacts": n, …}}. */
static json_t *record_moved(const char *sref)
{
	return json_pack("{s:[o,{s:{s:{s:s,s:{s:s}}}}]}", "allOf", oa_ref(sref), "properties",
	                 "moved", "type", "object", "additionalProperties", "type", "integer");
}

static void move_paths(json_t *paths, const struct entity *e, const char *sref)
{
	static const char *const errs[] = {"400", "401", "403", "404", "409", "422", NULL};
	char id[160];
	const char *tag = e->name;
	snprintf(id, sizeof id, "%s.claim", e->name);
	json_t *op = oa_operation(id, "Claim a record from the shared pool", tag);
	oa_add_responses(
	    op, "200",
	    oa_json_response("The record, now the caller's, with what moved", record_moved(sref)),
	    errs);
	one_path(paths, e, "claim", "post", op);

	snprintf(id, sizeof id, "%s.release", e->name);
	op = oa_operation(id, "Give a record up to the shared pool", tag);
	json_object_set_new(
	    op, "requestBody",
	    body_of(json_pack("{s:s,s:[s],s:{s:{s:s,s:i}}}", "type", "object", "required", "reason",
	                      "properties", "reason", "type", "string", "maxLength", 500)));
	oa_add_responses(op, "200", oa_json_response("The record, now in the pool", oa_ref(sref)),
	                 errs);
	one_path(paths, e, "release", "post", op);

	snprintf(id, sizeof id, "%s.handover", e->name);
	op = oa_operation(id, "Hand a record over to another person, with its open work", tag);
	json_object_set_new(
	    op, "requestBody",
	    body_of(json_pack("{s:s,s:[s],s:{s:{s:s},s:{s:s,s:i},s:{s:s}}}", "type", "object",
	                      "required", "to", "properties", "to", "type", "integer", "reason",
	                      "type", "string", "maxLength", 500, "with_open_work", "type",
	                      "boolean")));
	oa_add_responses(op, "200",
	                 oa_json_response("The record, now the other person's, with what moved",
	                                  record_moved(sref)),
	                 errs);
	one_path(paths, e, "handover", "post", op);

	snprintf(id, sizeof id, "%s.moves", e->name);
	op = oa_operation(id, "Every move of a record between people and the pool", tag);
	json_object_set_new(op, "parameters",
	                    oa_params((const char *const[]){"limit", "cursor", NULL}));
	json_t *move = object_of(
	    json_pack("{s:o,s:{s:s,s:[s,s,s,s,s,s]},s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:s,s:s}}", "id",
	              typed("integer"), "action", "type", "string", "enum", "warned", "returned",
	              "released", "claimed", "assigned", "handover", "from_user_id",
	              nullable("integer"), "from_user_name", nullable("string"), "to_user_id",
	              nullable("integer"), "to_user_name", nullable("string"), "by_user_id",
	              nullable("integer"), "by_user_name", nullable("string"), "reason",
	              nullable("string"), "at", "type", "string", "format", "date-time"));
	oa_add_responses(op, "200",
	                 oa_json_response("Newest first",
	                                  object_of(json_pack("{s:{s:s,s:o},s:o}", "data", "type",
	                                                      "array", "items", move, "next_cursor",
	                                                      nullable("string")))),
	                 errs);
	one_path(paths, e, "moves", "get", op);
}

static void view_paths(json_t *paths, const struct entity *e)
{
	static const char *const errs[] = {"400", "401", "404", NULL};
	char id[160];
	const char *tag = e->name;
	snprintf(id, sizeof id, "%s.summary", e->name);
	json_t *op = oa_operation(id, "The 360° summary of a record", tag);
	json_t *related =
	    json_pack("{s:s,s:{s:s,s:{s:{s:s},s:{s:s},s:{s:s}}}}", "type", "array", "items", "type",
	              "object", "properties", "relation", "type", "string", "label", "type",
	              "string", "count", "type", "integer");
	json_t *summary = object_of(json_pack(
	    "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", typed("integer"),
	    "name", nullable("string"), "owner", named(), "in_pool", typed("boolean"),
	    "lifecycle_stage", nullable("string"), "level", nullable("string"), "customer_type",
	    nullable("string"), "last_followup_at", nullable("string"), "days_since_followup",
	    nullable("integer"), "pool_entered_at", nullable("string"), "pool_due_at",
	    nullable("string"), "open_tasks", typed("integer"), "followups_90d", typed("integer"),
	    "related", related));
	/* The customer's opportunities, open and won (CNY, fen); null without the entity. */
	json_t *sums = json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:s}}}", "type", "object",
	                         "properties", "count", "type", "integer", "amount", "type",
	                         "integer", "weighted", "type", "integer");
	json_object_set_new(json_object_get(summary, "properties"), "opportunities",
	                    json_pack("{s:[s,s],s:{s:o,s:o}}", "type", "object", "null",
	                              "properties", "open", json_deep_copy(sums), "won", sums));
	oa_add_responses(op, "200", oa_json_response("The summary", summary), errs);
	one_path(paths, e, "summary", "get", op);

	snprintf(id, sizeof id, "%s.timeline", e->name);
	op = oa_operation(id, "Every interaction with a record, newest first", tag);
	json_object_set_new(op, "parameters",
	                    oa_params((const char *const[]){"limit", "cursor", NULL}));
	json_t *item = object_of(
	    json_pack("{s:o,s:o,s:{s:s,s:s},s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "source",
	              typed("string"), "id", typed("integer"), "at", "type", "string", "format",
	              "date-time", "title", nullable("string"), "kind", nullable("string"),
	              "kind_label", nullable("string"), "detail", nullable("string"), "who",
	              named(), "contact", named(), "openable", typed("boolean")));
	oa_add_responses(op, "200",
	                 oa_json_response("A page of the timeline",
	                                  object_of(json_pack("{s:{s:s,s:o},s:o}", "data", "type",
	                                                      "array", "items", item, "next_cursor",
	                                                      nullable("string")))),
	                 errs);
	one_path(paths, e, "timeline", "get", op);

	snprintf(id, sizeof id, "%s.loyalty", e->name);
	op = oa_operation(id, "How loyal a customer is from its repeat business, and why", tag);
	json_t *source =
	    object_of(json_pack("{s:o,s:o}", "entity", typed("string"), "label", typed("string")));
	oa_add_responses(
	    op, "200",
	    oa_json_response("The score and its factors",
	                     oa_scorecard(json_pack(
	                         "{s:o,s:o,s:o,s:{s:s,s:o}}", "deals", typed("integer"), "first_at",
	                         nullable("string"), "last_at", nullable("string"), "sources",
	                         "type", "array", "items", source))),
	    errs);
	one_path(paths, e, "loyalty", "get", op);
}

void openapi_pool_paths(json_t *paths, const struct entity *e, const char *sref, const char *lref)
{
	static const char *const list_params[] = {"q",      "sort",  "limit", "cursor",
	                                          "fields", "total", NULL};
	static const char *const e_list[] = {"400", "401", "403", NULL};
	char id[160], p[160];
	snprintf(id, sizeof id, "%s.pool", e->name);
	json_t *op = oa_operation(id, "The shared pool: records without an owner", e->name);
	json_t *ps = oa_params(list_params);
	json_array_append_new(ps, oa_filter_param(e));
	json_object_set_new(op, "parameters", ps);
	oa_add_responses(op, "200", oa_json_response("A page of the pool", oa_ref(lref)), e_list);
	snprintf(p, sizeof p, "/api/v1/%s/pool", e->name);
	json_object_set_new(paths, p, json_pack("{s:o}", "get", op));
	move_paths(paths, e, sref);
	view_paths(paths, e);
}
