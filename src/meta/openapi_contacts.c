/* The OpenAPI paths of contacts' own routes: personal data, closeness, birthdays, and a contact
 * plan's progress (modules/personal.h, closeness.h, birthdays.h, plans.h). */
#include "openapi_internal.h"

#include <string.h>

static json_t *props(json_t *p)
{
	return json_pack("{s:s,s:o}", "type", "object", "properties", p);
}

static json_t *nullable(const char *type)
{
	return json_pack("{s:[s,s]}", "type", type, "null");
}

/* A GET (or POST with body) of /api/v1/<path> whose one parameter is id. */
static void add(json_t *paths, const char *path, const char *method, const char *id,
                const char *summary, const char *tag, json_t *body, json_t *ok,
                const char *const *errs)
{
	json_t *op = oa_operation(id, summary, tag);
	if (body)
		json_object_set_new(op, "requestBody",
		                    json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content",
		                              "application/json", "schema", body));
	oa_add_responses(op, "200", oa_json_response(summary, ok), errs);
	json_t *item = json_object();
	if (strstr(path, "{id}"))
		json_object_set_new(item, "parameters",
		                    oa_params((const char *const[]){"id", NULL}));
	json_object_set_new(item, method, op);
	json_object_set_new(paths, path, item);
}

void openapi_contacts_paths(json_t *paths, const struct registry *r)
{
	static const char *const e_one[] = {"401", "403", "404", NULL};
	static const char *const e_erase[] = {"400", "401", "403", "404", "422", NULL};
	static const char *const e_list[] = {"400", "401", "403", NULL};
	if (registry_entity(r, "contacts")) {
		add(paths, "/api/v1/contacts/{id}/personal-data", "get", "contacts.personal_data",
		    "Everything about a person, as a download", "contacts", NULL,
		    props(json_pack("{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s}}",
		                    "exported_at", "type", "string", "entity", "type", "string",
		                    "id", "type", "integer", "record", "type", "object", "related",
		                    "type", "object", "files", "type", "array")),
		    e_one);
		add(paths, "/api/v1/contacts/{id}/erase", "post", "contacts.erase",
		    "Erase a person's data", "contacts",
		    json_pack("{s:s,s:[s],s:{s:{s:s,s:i}}}", "type", "object", "required", "reason",
		              "properties", "reason", "type", "string", "maxLength", 500),
		    json_pack("{s:s}", "type", "object"), e_erase);
		add(paths, "/api/v1/contacts/{id}/closeness", "get", "contacts.closeness",
		    "How close the company is to a contact, and why", "contacts", NULL,
		    oa_scorecard(NULL), e_one);
		json_t *birthday = props(json_pack(
		    "{s:{s:s},s:{s:s},s:{s:s},s:{s:s,s:s},s:{s:s},s:{s:s},s:o}", "id", "type",
		    "integer", "name", "type", "string", "customer", "type", "object", "date",
		    "type", "string", "format", "date", "days", "type", "integer", "lunar", "type",
		    "boolean", "lunar_text", nullable("string")));
		json_t *item = json_object();
		json_t *op = oa_operation("contacts.birthdays",
		                          "The caller's contacts' coming birthdays", "contacts");
		json_object_set_new(op, "parameters",
		                    json_pack("[{s:s,s:s,s:{s:s,s:i,s:i}}]", "name", "days", "in",
		                              "query", "schema", "type", "integer", "minimum", 1,
		                              "maximum", 366));
		oa_add_responses(op, "200",
		                 oa_json_response("Soonest first",
		                                  props(json_pack("{s:{s:s,s:o}}", "data", "type",
		                                                  "array", "items", birthday))),
		                 e_list);
		json_object_set_new(item, "get", op);
		json_object_set_new(paths, "/api/v1/contacts/birthdays", item);
	}
	if (registry_entity(r, "contact_plans")) {
		json_t *touch = props(json_pack("{s:{s:s},s:{s:s},s:o,s:{s:s}}", "id", "type",
		                                "integer", "subject", "type", "string", "due_at",
		                                nullable("string"), "status", "type", "string"));
		add(paths, "/api/v1/contact_plans/{id}/progress", "get", "contact_plans.progress",
		    "A contact plan's touches and how far they are", "contact_plans", NULL,
		    props(json_pack("{s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:{s:s},s:o,s:{s:s,s:o}}",
		                    "id", "type", "integer", "touches", "type", "integer", "done",
		                    "type", "integer", "open", "type", "integer", "cancelled",
		                    "type", "integer", "next_due_at", nullable("string"), "tasks",
		                    "type", "array", "items", touch)),
		    e_one);
	}
}
