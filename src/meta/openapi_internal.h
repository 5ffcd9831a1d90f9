/* Builders shared by the parts of the OpenAPI document (openapi.c, openapi_access.c). */
#ifndef SEXTANT_OPENAPI_INTERNAL_H
#define SEXTANT_OPENAPI_INTERNAL_H

#include "registry.h"

#include <jansson.h>

/* {"description", "content": {"application/json": {"schema"}}}; takes schema. */
json_t *oa_json_response(const char *desc, json_t *schema);
json_t *oa_operation(const char *id, const char *summary, const char *tag);
/* The success response ok_resp (taken) under ok, and a Problem for each error status. */
void oa_add_responses(json_t *op, const char *ok, json_t *ok_resp, const char *const *errs);

/* {"$ref": to}. */
json_t *oa_ref(const char *to);
/* References to the named shared parameters (#/components/parameters/…). */
json_t *oa_params(const char *const *names);
/* The parameter that filters a list of e by its fields. */
json_t *oa_filter_param(const struct entity *e);
/* A score shown with how it was made (modules/scorecard.h): {"id","score","level",
 * "level_label","factors":[…]} and the members of extra (taken; may be NULL). */
json_t *oa_scorecard(json_t *extra);

/* The shared pool, handovers and the 360° view of a pooled entity (openapi_pool.c); sref and
 * lref: its record's and its list's schemas. */
void openapi_pool_paths(json_t *paths, const struct entity *e, const char *sref, const char *lref);

/* Contacts' own routes: personal data, closeness, birthdays; a plan's progress. */
void openapi_contacts_paths(json_t *paths, const struct registry *r);

/* Sales' own routes: the opportunities' funnel, the activity report (openapi_sales.c). */
void openapi_sales_paths(json_t *paths, const struct registry *r);

/* The organisation, users, roles, and every entity's record shares. */
void openapi_access_paths(json_t *paths, const struct registry *r);

#endif
