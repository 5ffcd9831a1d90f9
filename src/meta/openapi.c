#include "openapi.h"
#include "crud.h"
#include "openapi_internal.h"
#include "auth/token.h"
#include "query.h"
#include "core/version.h"
#include "core/util.h"
#include "match/find.h"
#include "match/keys.h"
#include "network.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *oa_ref(const char *to)
{
	return json_pack("{s:s}", "$ref", to);
}

static json_t *nullable(const char *type)
{
	return json_pack("{s:[s,s]}", "type", type, "null");
}

/* Schema of one field's value as the API shows it. */
static json_t *field_schema(const struct field *f, bool input)
{
	json_t *s;
	switch (f->type) {
	case FT_INT:
	case FT_REFERENCE:
	case FT_USER:
		s = nullable("integer");
		if (f->has_min)
			json_object_set_new(s, "minimum", json_integer(f->min));
		if (f->has_max)
			json_object_set_new(s, "maximum", json_integer(f->max));
		break;
	case FT_DECIMAL:
		s = nullable("number");
		break;
	case FT_BOOL:
		s = nullable("boolean");
		break;
	case FT_MONEY:
		s = json_pack("{s:[o,{s:s}]}", "anyOf", oa_ref("#/components/schemas/Money"),
		              "type", "null");
		if (input)
			json_array_append_new(json_object_get(s, "anyOf"),
			                      json_pack("{s:s}", "type", "integer"));
		break;
	case FT_DATE:
		s = nullable("string");
		json_object_set_new(s, "format", json_string("date"));
		break;
	case FT_DATETIME:
		s = nullable("string");
		json_object_set_new(s, "format", json_string("date-time"));
		break;
	case FT_ENUM: {
		s = nullable("string");
		json_t *e = json_array();
		for (size_t i = 0; i < f->n_options; i++)
			json_array_append_new(e, json_string(f->options[i].key));
		json_array_append_new(e, json_null());
		json_object_set_new(s, "enum", e);
		break;
	}
	case FT_MULTIENUM: {
		json_t *e = json_array();
		for (size_t i = 0; i < f->n_options; i++)
			json_array_append_new(e, json_string(f->options[i].key));
		s = json_pack("{s:[s,s],s:{s:s,s:o},s:b}", "type", "array", "null", "items", "type",
		              "string", "enum", e, "uniqueItems", 1);
		break;
	}
	default:
		s = nullable("string");
		if (f->type == FT_EMAIL)
			json_object_set_new(s, "format", json_string("email"));
		if (f->type == FT_URL)
			json_object_set_new(s, "format", json_string("uri"));
		json_object_set_new(s, "maxLength",
		                    json_integer(f->max_length            ? f->max_length
		                                 : f->type == FT_LONGTEXT ? 20000
		                                                          : 255));
	}
	json_object_set_new(s, "title", json_string(label_get(&f->label, LANG_EN)));
	json_object_set_new(s, "description", json_string(label_get(&f->label, LANG_ZH)));
	if (!field_writable(f) && !input)
		json_object_set_new(s, "readOnly", json_true());
	return s;
}

static char *type_name(const struct entity *e, const char *suffix)
{
	/* customers → Customers, plus a suffix: a valid, unique component name. */
	size_t n = strlen(e->name);
	char *s = xmalloc(n + strlen(suffix) + 1);
	bool up = true;
	size_t j = 0;
	for (size_t i = 0; i < n; i++) {
		if (e->name[i] == '_') {
			up = true;
			continue;
		}
		s[j++] = up && e->name[i] >= 'a' && e->name[i] <= 'z' ? (char)(e->name[i] - 32)
		                                                      : e->name[i];
		up = false;
	}
	memcpy(s + j, suffix, strlen(suffix) + 1);
	return s;
}

static json_t *entity_schema(const struct entity *e, bool input)
{
	json_t *props = json_object(), *req = json_array();
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!field_visible(f) || (input && !field_writable(f)))
			continue;
		json_object_set_new(props, f->name, field_schema(f, input));
		if (input && (f->flags & FF_REQUIRED))
			json_array_append_new(req, json_string(f->name));
	}
	json_t *s = json_pack("{s:s,s:o,s:b}", "type", "object", "properties", props,
	                      "additionalProperties", 0);
	json_object_set_new(s, "title", json_string(label_get(&e->label, LANG_EN)));
	if (input && json_array_size(req))
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	return s;
}

json_t *oa_scorecard(json_t *extra)
{
	json_t *factor =
	    json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:[s,s]},s:{s:s},s:{s:s},s:{s:s}}}", "type",
	              "object", "properties", "key", "type", "string", "label", "type", "string",
	              "value", "type", "integer", "null", "points", "type", "integer", "max",
	              "type", "integer", "rule", "type", "string");
	json_t *props =
	    json_pack("{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:o}}", "id", "type", "integer",
	              "score", "type", "integer", "level", "type", "string", "level_label", "type",
	              "string", "factors", "type", "array", "items", factor);
	if (extra)
		json_object_update(props, extra);
	json_decref(extra);
	return json_pack("{s:s,s:o}", "type", "object", "properties", props);
}

/* The filters of a list: one deep-object-free form parameter per field and operator. */
json_t *oa_filter_param(const struct entity *e)
{
	json_t *props = json_object();
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!field_visible(f))
			continue;
		for (int op = 0; op < OP__MAX; op++) {
			if (!filter_op_allowed(f, (enum filter_op)op))
				continue;
			char name[160];
			if (op == OP_EQ)
				snprintf(name, sizeof name, "%s", f->name);
			else
				snprintf(name, sizeof name, "%s__%s", f->name, filter_op_names[op]);
			json_object_set_new(props, name, json_pack("{s:s}", "type", "string"));
		}
	}
	return json_pack(
	    "{s:s,s:s,s:s,s:b,s:s,s:{s:s,s:o,s:b}}", "name", "filter", "in", "query", "style",
	    "form", "explode", 1, "description",
	    "Field filters: field=value, or field__op=value with op one of ne, lt, lte, "
	    "gt, gte, in (comma-separated), like (* wildcard), null (true/false).",
	    "schema", "type", "object", "properties", props, "additionalProperties", 0);
}

static json_t *problem_responses(const char *const *codes)
{
	json_t *r = json_object();
	for (; *codes; codes++)
		json_object_set_new(r, *codes, oa_ref("#/components/responses/Problem"));
	return r;
}

json_t *oa_json_response(const char *desc, json_t *schema)
{
	return json_pack("{s:s,s:{s:{s:o}}}", "description", desc, "content", "application/json",
	                 "schema", schema);
}

/* "customers" + ".list" → "customers.list", in buf. */
static const char *opid(char buf[160], const char *entity, const char *suffix)
{
	snprintf(buf, 160, "%s%s", entity, suffix);
	return buf;
}

json_t *oa_operation(const char *id, const char *summary, const char *tag)
{
	return json_pack("{s:s,s:s,s:[s]}", "operationId", id, "summary", summary, "tags", tag);
}

void oa_add_responses(json_t *op, const char *ok, json_t *ok_resp, const char *const *errs)
{
	json_t *r = problem_responses(errs);
	json_object_set_new(r, ok, ok_resp);
	json_object_set_new(op, "responses", r);
}

json_t *oa_params(const char *const *names)
{
	json_t *a = json_array();
	for (; *names; names++) {
		char to[96];
		snprintf(to, sizeof to, "#/components/parameters/%s", *names);
		json_array_append_new(a, oa_ref(to));
	}
	return a;
}

static void entity_paths(json_t *paths, const struct entity *e)
{
	char *rec = type_name(e, ""), *in = type_name(e, "Input"), *list = type_name(e, "List");
	char sref[128], iref[128], lref[128], p[160], id[160];
	snprintf(sref, sizeof sref, "#/components/schemas/%s", rec);
	snprintf(iref, sizeof iref, "#/components/schemas/%s", in);
	snprintf(lref, sizeof lref, "#/components/schemas/%s", list);
	const char *tag = e->name;
	static const char *const e_list[] = {"400", "401", NULL};
	static const char *const e_create[] = {"400", "401", "409", "413", "415", "422", NULL};
	static const char *const e_get[] = {"401", "404", NULL};
	static const char *const e_update[] = {"400", "401", "404", "409",
	                                       "413", "415", "422", NULL};
	static const char *const e_delete[] = {"401", "404", "409", NULL};
	static const char *const e_import[] = {"400", "401", "413", "415", "422", NULL};
	static const char *const list_params[] = {"q",      "sort",  "limit", "cursor",
	                                          "fields", "total", NULL};

	/* Collection. */
	json_t *coll = json_object();
	json_t *op = oa_operation(opid(id, e->name, ".list"), "List records", tag);
	json_t *ps = oa_params(list_params);
	json_array_append_new(ps, oa_filter_param(e));
	json_object_set_new(op, "parameters", ps);
	oa_add_responses(op, "200", oa_json_response("A page of records", oa_ref(lref)), e_list);
	json_object_set_new(coll, "get", op);
	op = oa_operation(opid(id, e->name, ".create"), "Create a record", tag);
	json_object_set_new(op, "parameters",
	                    oa_params((const char *const[]){"IdempotencyKey", NULL}));
	json_object_set_new(op, "requestBody",
	                    json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content",
	                              "application/json", "schema", oa_ref(iref)));
	oa_add_responses(op, "201", oa_json_response("The created record", oa_ref(sref)), e_create);
	json_object_set_new(coll, "post", op);
	snprintf(p, sizeof p, "/api/v1/%s", e->name);
	json_object_set_new(paths, p, coll);

	/* One record. */
	json_t *one = json_object();
	json_object_set_new(one, "parameters", oa_params((const char *const[]){"id", NULL}));
	op = oa_operation(opid(id, e->name, ".get"), "Get a record", tag);
	oa_add_responses(op, "200", oa_json_response("The record", oa_ref(sref)), e_get);
	json_object_set_new(one, "get", op);
	op = oa_operation(opid(id, e->name, ".update"), "Change some fields of a record", tag);
	json_object_set_new(op, "parameters", oa_params((const char *const[]){"IfMatch", NULL}));
	json_object_set_new(op, "requestBody",
	                    json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content",
	                              "application/json", "schema", oa_ref(iref)));
	oa_add_responses(op, "200", oa_json_response("The changed record", oa_ref(sref)), e_update);
	json_object_set_new(one, "patch", op);
	op = oa_operation(opid(id, e->name, ".delete"), "Delete a record (restorable)", tag);
	json_object_set_new(op, "parameters", oa_params((const char *const[]){"IfMatch", NULL}));
	oa_add_responses(op, "204", json_pack("{s:s}", "description", "Deleted"), e_delete);
	json_object_set_new(one, "delete", op);
	snprintf(p, sizeof p, "/api/v1/%s/{id}", e->name);
	json_object_set_new(paths, p, one);

	json_t *restore = json_object();
	json_object_set_new(restore, "parameters", oa_params((const char *const[]){"id", NULL}));
	op = oa_operation(opid(id, e->name, ".restore"), "Restore a deleted record", tag);
	oa_add_responses(op, "200", oa_json_response("The restored record", oa_ref(sref)),
	                 (const char *const[]){"401", "403", "404", "409", NULL});
	json_object_set_new(restore, "post", op);
	snprintf(p, sizeof p, "/api/v1/%s/{id}/restore", e->name);
	json_object_set_new(paths, p, restore);

	for (size_t i = 0; i < e->n_relations; i++) {
		const struct relation *rel = &e->relations[i];
		char *child = type_name(rel->child, "List");
		char cref[128];
		snprintf(cref, sizeof cref, "#/components/schemas/%s", child);
		json_t *rp = json_object();
		json_t *rps = oa_params((const char *const[]){"id", "q", "sort", "limit", "cursor",
		                                              "fields", "total", NULL});
		json_array_append_new(rps, oa_filter_param(rel->child));
		json_object_set_new(rp, "parameters", rps);
		snprintf(id, sizeof id, "%s.related.%s", e->name, rel->name);
		op = oa_operation(id, "List related records", tag);
		oa_add_responses(
		    op, "200", oa_json_response("A page of related records", oa_ref(cref)), e_get);
		json_object_set_new(rp, "get", op);
		snprintf(p, sizeof p, "/api/v1/%s/{id}/%s", e->name, rel->name);
		json_object_set_new(paths, p, rp);
		free(child);
	}

	json_t *exp = json_object();
	op = oa_operation(opid(id, e->name, ".export"), "Export the filtered list", tag);
	ps = oa_params((const char *const[]){"q", "sort", "fields", NULL});
	json_array_append_new(ps, json_pack("{s:s,s:s,s:{s:s,s:[s,s],s:s}}", "name", "format", "in",
	                                    "query", "schema", "type", "string", "enum", "csv",
	                                    "xlsx", "default", "csv"));
	json_array_append_new(ps, json_pack("{s:s,s:s,s:{s:s,s:[s,s],s:s}}", "name", "header", "in",
	                                    "query", "schema", "type", "string", "enum", "labels",
	                                    "names", "default", "labels"));
	json_array_append_new(ps, oa_filter_param(e));
	json_object_set_new(op, "parameters", ps);
	oa_add_responses(
	    op, "200",
	    json_pack("{s:s,s:{s:{s:{s:s}},s:{s:{s:s,s:s}}}}", "description", "The file, streamed",
	              "content", "text/csv", "schema", "type", "string",
	              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "schema",
	              "type", "string", "format", "binary"),
	    e_list);
	json_object_set_new(exp, "get", op);
	snprintf(p, sizeof p, "/api/v1/%s/export", e->name);
	json_object_set_new(paths, p, exp);

	json_t *imp = json_object();
	op =
	    oa_operation(opid(id, e->name, ".import"),
	                 "Import CSV: map columns, validate every row, commit all or nothing", tag);
	json_object_set_new(
	    op, "parameters",
	    json_pack("[{s:s,s:s,s:{s:s}},{s:s,s:s,s:s,s:{s:s}}]", "name", "dry_run", "in", "query",
	              "schema", "type", "boolean", "name", "mapping", "in", "query", "description",
	              "JSON object: CSV column → field name", "schema", "type", "string"));
	json_object_set_new(op, "requestBody",
	                    json_pack("{s:b,s:{s:{s:{s:s}}}}", "required", 1, "content", "text/csv",
	                              "schema", "type", "string"));
	oa_add_responses(op, "200",
	                 oa_json_response("The validation report (and what was created)",
	                                  oa_ref("#/components/schemas/ImportReport")),
	                 e_import);
	json_object_set_new(imp, "post", op);
	snprintf(p, sizeof p, "/api/v1/%s/import", e->name);
	json_object_set_new(paths, p, imp);

	json_t *bulk = json_object();
	op = oa_operation(opid(id, e->name, ".bulk_update"),
	                  "Set one field on selected records (all or nothing)", tag);
	json_object_set_new(op, "requestBody",
	                    json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content",
	                              "application/json", "schema",
	                              oa_ref("#/components/schemas/BulkUpdate")));
	oa_add_responses(op, "200",
	                 oa_json_response("How many records changed",
	                                  json_pack("{s:s,s:{s:{s:s}}}", "type", "object",
	                                            "properties", "updated", "type", "integer")),
	                 e_create);
	json_object_set_new(bulk, "post", op);
	snprintf(p, sizeof p, "/api/v1/%s/bulk-update", e->name);
	json_object_set_new(paths, p, bulk);

	json_t *bulk_del = json_object();
	op = oa_operation(opid(id, e->name, ".bulk_delete"),
	                  "Delete selected records (all or nothing)", tag);
	json_object_set_new(op, "requestBody",
	                    json_pack("{s:b,s:{s:{s:{s:s,s:[s],s:{s:{s:s,s:{s:s},s:i,s:i}}}}}}",
	                              "required", 1, "content", "application/json", "schema",
	                              "type", "object", "required", "ids", "properties", "ids",
	                              "type", "array", "items", "type", "integer", "minItems", 1,
	                              "maxItems", CRUD_BULK_MAX));
	oa_add_responses(op, "200",
	                 oa_json_response("How many records were deleted",
	                                  json_pack("{s:s,s:{s:{s:s}}}", "type", "object",
	                                            "properties", "deleted", "type", "integer")),
	                 e_create);
	json_object_set_new(bulk_del, "post", op);
	snprintf(p, sizeof p, "/api/v1/%s/bulk-delete", e->name);
	json_object_set_new(paths, p, bulk_del);

	/* Merging a duplicate into a record (meta/merge.h). */
	json_t *merge = json_object();
	json_object_set_new(merge, "parameters", oa_params((const char *const[]){"id", NULL}));
	op = oa_operation(opid(id, e->name, ".merge"),
	                  "Merge another record into this one (fields taken, related records "
	                  "moved, the other deleted)",
	                  tag);
	json_object_set_new(op, "requestBody",
	                    json_pack("{s:b,s:{s:{s:{s:s,s:[s],s:{s:{s:s},s:{s:s,s:{s:s}}}}}}}",
	                              "required", 1, "content", "application/json", "schema",
	                              "type", "object", "required", "from", "properties", "from",
	                              "type", "integer", "take", "type", "array", "items", "type",
	                              "string"));
	oa_add_responses(op, "200",
	                 oa_json_response("The kept record, with what moved", oa_ref(sref)),
	                 e_update);
	json_object_set_new(merge, "post", op);
	snprintf(p, sizeof p, "/api/v1/%s/{id}/merge", e->name);
	json_object_set_new(paths, p, merge);

	/* The duplicate check (match/find.h), for the entities that have one. */
	if (match_fields_of(e)) {
		json_t *match = json_object(), *body = json_object();
		json_t *props = json_object();
		for (size_t r = 0; r < MR__MAX; r++)
			json_object_set_new(props, match_rule_names[r],
			                    json_pack("{s:s}", "type", "string"));
		json_object_set_new(props, "id", json_pack("{s:s}", "type", "integer"));
		json_object_set_new(body, "type", json_string("object"));
		json_object_set_new(body, "properties", props);
		op = oa_operation(opid(id, e->name, ".match"),
		                  "The records that look like this one, best first, with why", tag);
		json_object_set_new(op, "requestBody",
		                    json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content",
		                              "application/json", "schema", body));
		json_t *hit = json_pack(
		    "{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:{s:s}},s:{s:s},s:{s:[s,s]}}}", "type",
		    "object", "properties", "id", "type", "integer", "name", "type", "string",
		    "score", "type", "number", "reasons", "type", "array", "items", "type",
		    "string", "similarity", "type", "object", "owner", "type", "object", "null");
		oa_add_responses(
		    op, "200",
		    oa_json_response("The look-alikes", json_pack("{s:s,s:{s:{s:s,s:o}}}", "type",
		                                                  "object", "properties", "data",
		                                                  "type", "array", "items", hit)),
		    e_create);
		json_object_set_new(match, "post", op);
		snprintf(p, sizeof p, "/api/v1/%s/match", e->name);
		json_object_set_new(paths, p, match);
	}
	if (e->pool)
		openapi_pool_paths(paths, e, sref, lref);
	free(rec);
	free(in);
	free(list);
}

/* The records of a customer's network (meta/network.h): the named fields of entity. */
static json_t *network_items(const struct registry *r, const char *entity, const char *const *names)
{
	const struct entity *e = registry_entity(r, entity);
	json_t *props = json_object(), *req = json_array();
	for (; *names; names++) {
		const struct field *f = entity_field(e, *names);
		if (!f)
			continue;
		json_object_set_new(props, f->name, field_schema(f, false));
		json_array_append_new(req, json_string(f->name));
	}
	return json_pack("{s:s,s:o,s:o}", "type", "object", "required", req, "properties", props);
}

/* GET /api/v1/customers/{id}/network (api/network.c). */
static void network_paths(json_t *paths, const struct registry *r)
{
	if (!registry_entity(r, "customers") || !registry_entity(r, "contacts") ||
	    !registry_entity(r, "contact_relations"))
		return;
	json_t *op =
	    oa_operation("customers.network",
	                 "The customer's contacts and their relations, as far as the "
	                 "caller may read them: its organisation chart and influence graph",
	                 "customers");
	json_t *schema = json_pack(
	    "{s:s,s:[s,s,s],s:{s:{s:s,s:o,s:i},s:{s:s,s:o,s:i},s:{s:s,s:s}}}", "type", "object",
	    "required", "contacts", "relations", "truncated", "properties", "contacts", "type",
	    "array", "items", network_items(r, "contacts", network_contact_fields), "maxItems",
	    NETWORK_MAX_CONTACTS, "relations", "type", "array", "items",
	    network_items(r, "contact_relations", network_relation_fields), "maxItems",
	    NETWORK_MAX_RELATIONS, "truncated", "type", "boolean", "description",
	    "More contacts or relations than the answer holds");
	oa_add_responses(op, "200", oa_json_response("The network", schema),
	                 (const char *const[]){"401", "404", NULL});
	json_object_set_new(paths, "/api/v1/customers/{id}/network",
	                    json_pack("{s:o,s:o}", "parameters",
	                              oa_params((const char *const[]){"id", NULL}), "get", op));
}

static json_t *components(const struct registry *r)
{
	json_t *schemas = json_object();
	json_object_set_new(
	    schemas, "Problem",
	    json_pack(
	        "{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:{s:s,s:{s:{s:[s,s]},s:{s:s},s:{s:s},s:{s:s}}}}},s:[s,s,s]}",
	        "type", "object", "properties", "type", "type", "string", "title", "type", "string",
	        "status", "type", "integer", "code", "type", "string", "detail", "type", "string",
	        "errors", "type", "array", "items", "type", "object", "properties", "field", "type",
	        "string", "null", "code", "type", "string", "message", "type", "string", "row",
	        "type", "integer", "required", "type", "title", "status"));
	/* A 413 names the limit it met, for programs. */
	json_object_set_new(json_object_get(json_object_get(schemas, "Problem"), "properties"),
	                    "limit", json_pack("{s:s}", "type", "integer"));
	json_object_set_new(schemas, "Money",
	                    json_pack("{s:s,s:{s:{s:s,s:s},s:{s:s,s:s}},s:[s]}", "type", "object",
	                              "properties", "amount", "type", "integer", "description",
	                              "In cents (fen)", "currency", "type", "string", "pattern",
	                              "^[A-Z]{3}$", "required", "amount"));
	json_object_set_new(schemas, "BulkUpdate",
	                    json_pack("{s:s,s:{s:{s:s,s:{s:s},s:i},s:{s:s},s:{}},s:[s,s,s]}",
	                              "type", "object", "properties", "ids", "type", "array",
	                              "items", "type", "integer", "maxItems", 1000, "field", "type",
	                              "string", "value", "required", "ids", "field", "value"));
	json_object_set_new(
	    schemas, "ImportReport",
	    json_pack("{s:s,s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:o}}}",
	              "type", "object", "properties", "dry_run", "type", "boolean", "rows", "type",
	              "integer", "valid", "type", "integer", "invalid", "type", "integer",
	              "created", "type", "integer", "mapping", "type", "object", "errors", "type",
	              "array", "items", oa_ref("#/components/schemas/ProblemError")));
	json_object_set_new(schemas, "ProblemError",
	                    json_pack("{s:s,s:{s:{s:s},s:{s:[s,s]},s:{s:s},s:{s:s}}}", "type",
	                              "object", "properties", "row", "type", "integer", "field",
	                              "type", "string", "null", "code", "type", "string", "message",
	                              "type", "string"));
	for (size_t i = 0; i < r->n_entities; i++) {
		const struct entity *e = &r->entities[i];
		char *n = type_name(e, ""), *in = type_name(e, "Input"), *l = type_name(e, "List");
		char sref[128];
		snprintf(sref, sizeof sref, "#/components/schemas/%s", n);
		json_object_set_new(schemas, n, entity_schema(e, false));
		json_object_set_new(schemas, in, entity_schema(e, true));
		json_object_set_new(
		    schemas, l,
		    json_pack("{s:s,s:{s:{s:s,s:o},s:{s:[s,s]},s:{s:s},s:{s:s}},s:[s,s]}", "type",
		              "object", "properties", "data", "type", "array", "items",
		              oa_ref(sref), "next_cursor", "type", "string", "null", "total",
		              "type", "integer", "total_exact", "type", "boolean", "required",
		              "data", "next_cursor"));
		free(n);
		free(in);
		free(l);
	}
	json_t *p = json_object();
	json_object_set_new(p, "id",
	                    json_pack("{s:s,s:s,s:b,s:{s:s,s:i}}", "name", "id", "in", "path",
	                              "required", 1, "schema", "type", "integer", "minimum", 1));
	json_object_set_new(p, "q",
	                    json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "q", "in", "query",
	                              "description",
	                              "Full-text search; Chinese works from two characters",
	                              "schema", "type", "string"));
	json_object_set_new(p, "sort",
	                    json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "sort", "in", "query",
	                              "description", "A sortable field, - in front for descending",
	                              "schema", "type", "string"));
	json_object_set_new(p, "limit",
	                    json_pack("{s:s,s:s,s:{s:s,s:i,s:i,s:i}}", "name", "limit", "in",
	                              "query", "schema", "type", "integer", "minimum", 1, "maximum",
	                              200, "default", 50));
	json_object_set_new(p, "cursor",
	                    json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "cursor", "in", "query",
	                              "description", "next_cursor of the previous page", "schema",
	                              "type", "string"));
	json_object_set_new(p, "fields",
	                    json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "fields", "in", "query",
	                              "description", "Comma-separated fields to return", "schema",
	                              "type", "string"));
	json_object_set_new(p, "total",
	                    json_pack("{s:s,s:s,s:{s:s,s:[s,s],s:s}}", "name", "total", "in",
	                              "query", "schema", "type", "string", "enum", "auto", "none",
	                              "default", "auto"));
	json_object_set_new(p, "IfMatch",
	                    json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "If-Match", "in", "header",
	                              "description", "The version (ETag) the change is based on",
	                              "schema", "type", "string"));
	json_object_set_new(p, "IdempotencyKey",
	                    json_pack("{s:s,s:s,s:s,s:{s:s,s:i}}", "name", "Idempotency-Key", "in",
	                              "header", "description",
	                              "A retried create with the same key returns the first result",
	                              "schema", "type", "string", "maxLength", 255));
	json_t *c = json_object();
	json_object_set_new(c, "schemas", schemas);
	json_object_set_new(c, "parameters", p);
	json_object_set_new(c, "responses",
	                    json_pack("{s:{s:s,s:{s:{s:o}}}}", "Problem", "description",
	                              "A problem (RFC 9457)", "content", "application/problem+json",
	                              "schema", oa_ref("#/components/schemas/Problem")));
	json_object_set_new(c, "securitySchemes",
	                    json_pack("{s:{s:s,s:s,s:s},s:{s:s,s:s,s:s},s:{s:s,s:s}}", "session",
	                              "type", "apiKey", "in", "cookie", "name", "sextant_session",
	                              "csrf", "type", "apiKey", "in", "header", "name",
	                              "X-CSRF-Token", "token", "type", "http", "scheme", "bearer"));
	return c;
}

/* The caller's own sessions: list, end one, end all. */
static void sessions_paths(json_t *paths)
{
	json_t *when = json_pack("{s:s,s:s}", "type", "string", "format", "date-time");
	json_t *text = json_pack("{s:[s,s]}", "type", "string", "null");
	json_t *session = json_pack(
	    "{s:s,s:[s,s,s,s,s,s,s],s:b,s:{s:{s:s,s:s},s:O,s:O,s:O,s:O,s:O,s:{s:s}}}", "type",
	    "object", "required", "id", "created_at", "last_seen_at", "expires_at", "ip",
	    "user_agent", "current", "additionalProperties", 0, "properties", "id", "type",
	    "string", "pattern", "^[0-9a-f]{16}$", "created_at", when, "last_seen_at", when,
	    "expires_at", when, "ip", text, "user_agent", text, "current", "type", "boolean");
	json_decref(when);
	json_decref(text);
	json_t *list = oa_operation("auth.sessions.list", "Your sessions, on every device", "auth");
	oa_add_responses(list, "200",
	                 oa_json_response("Newest use first",
	                                  json_pack("{s:s,s:[s],s:{s:{s:s,s:o}}}", "type", "object",
	                                            "required", "data", "properties", "data",
	                                            "type", "array", "items", session)),
	                 (const char *const[]){"401", NULL});
	json_t *all = oa_operation("auth.sessions.end_all",
	                           "Log out everywhere, this browser included", "auth");
	oa_add_responses(all, "204", json_pack("{s:s}", "description", "Every session ended"),
	                 (const char *const[]){"401", "403", NULL});
	json_object_set_new(paths, "/api/v1/auth/sessions",
	                    json_pack("{s:o,s:o}", "get", list, "delete", all));
	json_t *one = oa_operation("auth.sessions.revoke", "End one of your sessions", "auth");
	json_object_set_new(one, "parameters",
	                    json_pack("[{s:s,s:s,s:b,s:{s:s}}]", "name", "id", "in", "path",
	                              "required", 1, "schema", "type", "string"));
	oa_add_responses(one, "204", json_pack("{s:s}", "description", "The session ended"),
	                 (const char *const[]){"401", "403", "404", NULL});
	json_object_set_new(paths, "/api/v1/auth/sessions/{id}", json_pack("{s:o}", "delete", one));
}

/* The caller's API tokens: make one (shown once), list, revoke. */
static void tokens_paths(json_t *paths)
{
	json_t *when = json_pack("{s:s,s:s}", "type", "string", "format", "date-time");
	json_t *maybe_when =
	    json_pack("{s:[s,s],s:s}", "type", "string", "null", "format", "date-time");
	json_t *token = json_pack(
	    "{s:s,s:[s,s,s,s,s,s,s],s:b,s:{s:{s:s},s:{s:s},s:{s:s},s:O,s:O,s:O,s:O}}", "type",
	    "object", "required", "id", "name", "prefix", "created_at", "expires_at",
	    "last_used_at", "revoked_at", "additionalProperties", 0, "properties", "id", "type",
	    "integer", "name", "type", "string", "prefix", "type", "string", "created_at", when,
	    "expires_at", when, "last_used_at", maybe_when, "revoked_at", maybe_when);
	json_t *made = json_pack(
	    "{s:s,s:[s,s,s,s,s],s:{s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:s},s:O}}", "type", "object",
	    "required", "id", "name", "prefix", "token", "expires_at", "properties", "id", "type",
	    "integer", "name", "type", "string", "prefix", "type", "string", "token", "type",
	    "string", "description", "The secret, shown this once", "expires_at", when);
	json_decref(when);
	json_decref(maybe_when);
	json_t *list =
	    oa_operation("auth.tokens.list", "Your API tokens, without their secrets", "auth");
	oa_add_responses(
	    list, "200",
	    oa_json_response("Newest first", json_pack("{s:s,s:[s],s:{s:{s:s,s:o}}}", "type",
	                                               "object", "required", "data", "properties",
	                                               "data", "type", "array", "items", token)),
	    (const char *const[]){"401", NULL});
	json_t *create = oa_operation("auth.tokens.create",
	                              "Make an API token (a browser session only)", "auth");
	json_object_set_new(create, "requestBody",
	                    json_pack("{s:b,s:{s:{s:{s:s,s:[s],s:{s:{s:s,s:i},s:{s:s,s:i,s:i}}}}}}",
	                              "required", 1, "content", "application/json", "schema",
	                              "type", "object", "required", "name", "properties", "name",
	                              "type", "string", "maxLength", 100, "expires_in_days", "type",
	                              "integer", "minimum", 1, "maximum", API_TOKEN_MAX_DAYS));
	json_object_set_new(create, "security", json_pack("[{s:[],s:[]}]", "session", "csrf"));
	oa_add_responses(create, "201", oa_json_response("The token, with its secret", made),
	                 (const char *const[]){"400", "401", "403", "415", "422", NULL});
	json_object_set_new(paths, "/api/v1/auth/tokens",
	                    json_pack("{s:o,s:o}", "get", list, "post", create));
	json_t *one = oa_operation("auth.tokens.revoke", "Revoke one of your API tokens", "auth");
	json_object_set_new(one, "parameters", oa_params((const char *const[]){"id", NULL}));
	oa_add_responses(one, "204", json_pack("{s:s}", "description", "Revoked"),
	                 (const char *const[]){"401", "403", "404", NULL});
	json_object_set_new(paths, "/api/v1/auth/tokens/{id}", json_pack("{s:o}", "delete", one));
}

static void system_paths(json_t *paths)
{
	static const char *const e_login[] = {"400", "401", "415", "422", "429", NULL};
	json_t *op = oa_operation("auth.login", "Log in: sets the session cookie", "auth");
	json_object_set_new(op, "security", json_array());
	json_object_set_new(op, "requestBody",
	                    json_pack("{s:b,s:{s:{s:{s:s,s:{s:{s:s},s:{s:s}},s:[s,s]}}}}",
	                              "required", 1, "content", "application/json", "schema",
	                              "type", "object", "properties", "username", "type", "string",
	                              "password", "type", "string", "required", "username",
	                              "password"));
	oa_add_responses(
	    op, "200",
	    oa_json_response("The CSRF token and the user",
	                     json_pack("{s:s,s:{s:{s:s},s:{s:s}}}", "type", "object", "properties",
	                               "csrf_token", "type", "string", "user", "type", "object")),
	    e_login);
	json_object_set_new(paths, "/api/v1/auth/login", json_pack("{s:o}", "post", op));
	op = oa_operation("auth.logout", "Log out", "auth");
	oa_add_responses(op, "204", json_pack("{s:s}", "description", "Logged out"),
	                 (const char *const[]){"401", NULL});
	json_object_set_new(paths, "/api/v1/auth/logout", json_pack("{s:o}", "post", op));
	op = oa_operation("auth.me", "The current user and CSRF token", "auth");
	oa_add_responses(op, "200",
	                 oa_json_response("The user", json_pack("{s:s}", "type", "object")),
	                 (const char *const[]){"401", NULL});
	json_t *me = op;
	op = oa_operation("auth.me.update",
	                  "Change your own display name, e-mail, mobile or language", "auth");
	json_object_set_new(
	    op, "requestBody",
	    json_pack(
	        "{s:b,s:{s:{s:{s:s,s:b,s:{s:{s:s},s:{s:[s,s]},s:{s:[s,s]},s:{s:[s,s],s:[s,s,n]}}}}}}",
	        "required", 1, "content", "application/json", "schema", "type", "object",
	        "additionalProperties", 0, "properties", "display_name", "type", "string", "email",
	        "type", "string", "null", "mobile", "type", "string", "null", "locale", "type",
	        "string", "null", "enum", "zh-CN", "en"));
	oa_add_responses(
	    op, "200",
	    oa_json_response("The user, as GET answers", json_pack("{s:s}", "type", "object")),
	    (const char *const[]){"400", "401", "403", "415", "422", NULL});
	json_object_set_new(paths, "/api/v1/auth/me",
	                    json_pack("{s:o,s:o}", "get", me, "patch", op));
	sessions_paths(paths);
	tokens_paths(paths);
	op = oa_operation("meta", "Entities, fields, option lists and labels", "meta");
	oa_add_responses(op, "200",
	                 oa_json_response("The model", json_pack("{s:s}", "type", "object")),
	                 (const char *const[]){"401", NULL});
	json_object_set_new(paths, "/api/v1/meta", json_pack("{s:o}", "get", op));
	json_t *fields = json_object();
	json_object_set_new(fields, "parameters",
	                    json_pack("[{s:s,s:s,s:b,s:{s:s}}]", "name", "entity", "in", "path",
	                              "required", 1, "schema", "type", "string"));
	op = oa_operation("meta.field.create", "Add a custom field (a real column)", "meta");
	json_object_set_new(op, "requestBody",
	                    json_pack("{s:b,s:{s:{s:{s:s}}}}", "required", 1, "content",
	                              "application/json", "schema", "type", "object"));
	oa_add_responses(op, "201",
	                 oa_json_response("The field", json_pack("{s:s}", "type", "object")),
	                 (const char *const[]){"400", "401", "403", "409", "422", NULL});
	json_object_set_new(fields, "post", op);
	json_object_set_new(paths, "/api/v1/meta/entities/{entity}/fields", fields);
	op = oa_operation("audit", "Search the audit trail (administrators)", "audit");
	json_object_set_new(
	    op, "parameters",
	    json_pack(
	        "[{s:s,s:s,s:{s:s}},{s:s,s:s,s:{s:s}},{s:s,s:s,s:{s:s}},{s:s,s:s,s:{s:s}},{s:s,s:s,s:{s:s}},"
	        "{s:s,s:s,s:{s:s,s:s}},{s:s,s:s,s:{s:s,s:s}}]",
	        "name", "entity", "in", "query", "schema", "type", "string", "name", "record_id",
	        "in", "query", "schema", "type", "integer", "name", "user_id", "in", "query",
	        "schema", "type", "integer", "name", "action", "in", "query", "schema", "type",
	        "string", "name", "cursor", "in", "query", "schema", "type", "string", "name",
	        "from", "in", "query", "schema", "type", "string", "format", "date-time", "name",
	        "to", "in", "query", "schema", "type", "string", "format", "date-time"));
	oa_add_responses(
	    op, "200",
	    oa_json_response("Audit entries, newest first", json_pack("{s:s}", "type", "object")),
	    (const char *const[]){"400", "401", "403", NULL});
	json_object_set_new(paths, "/api/v1/audit", json_pack("{s:o}", "get", op));
	static const char *const probes[][3] = {{"/healthz", "healthz", "The process is up"},
	                                        {"/readyz", "readyz", "The database answers"},
	                                        {"/metrics", "metrics", "Prometheus metrics"}};
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		op = oa_operation(probes[i][1], probes[i][2], "service");
		json_object_set_new(op, "security", json_array());
		oa_add_responses(op, "200", json_pack("{s:s}", "description", probes[i][2]),
		                 (const char *const[]){"503", NULL});
		json_object_set_new(paths, probes[i][0], json_pack("{s:o}", "get", op));
	}
}

/* Cookie sessions need the CSRF token on every unsafe method (login says otherwise). */
static void require_csrf(json_t *paths)
{
	static const char *const unsafe[] = {"post", "put", "patch", "delete"};
	const char *p;
	json_t *item;
	json_object_foreach(paths, p, item)
	{
		for (size_t i = 0; i < ARRAY_SIZE(unsafe); i++) {
			json_t *op = json_object_get(item, unsafe[i]);
			if (op && !json_object_get(op, "security"))
				json_object_set_new(
				    op, "security",
				    json_pack("[{s:[],s:[]},{s:[]}]", "session", "csrf", "token"));
		}
	}
}

void openapi_render(const struct registry *r, struct str *out)
{
	json_t *paths = json_object();
	system_paths(paths);
	openapi_access_paths(paths, r);
	openapi_contacts_paths(paths, r);
	openapi_sales_paths(paths, r);
	for (size_t i = 0; i < r->n_entities; i++)
		entity_paths(paths, &r->entities[i]);
	network_paths(paths, r);
	require_csrf(paths);
	json_t *doc = json_pack(
	    "{s:s,s:{s:s,s:s,s:s,s:{s:s,s:s}},s:[{s:s}],s:[{s:[]},{s:[]}],s:o,s:o}", "openapi",
	    "3.1.0", "info", "title", "Sextant CRM API", "version", SEXTANT_VERSION, "description",
	    "Generated from the metadata registry: every entity, field and option list as "
	    "this server has them now, custom fields included.",
	    "license", "name", "Proprietary", "identifier", "LicenseRef-Proprietary", "servers",
	    "url", "/", "security", "session", "token", "paths", paths, "components",
	    components(r));
	char *s = json_dumps(doc, JSON_COMPACT);
	str_adds(out, s);
	free(s);
	json_decref(doc);
}
