/*
 * The duplicate check (docs/internals/MATCH.md): POST /api/v1/{entity}/match with a
 * customer-shaped body answers the look-alikes with their reasons, for a person to confirm; the
 * rules it scores by are administrators' settings (/api/v1/settings/match).
 */
#include "api.h"
#include "core/util.h"
#include "match/find.h"
#include "meta/access.h"
#include "meta/audit.h"
#include "services/settings.h"

void api_entity_match(struct req *r)
{
	struct op op;
	json_t *body;
	if (!api_begin(r, &op, NULL, &body))
		return;
	struct str out = STR_INIT;
	/* Whoever may enter records of the entity may ask whether one exists already. */
	int status =
	    access_scope(&op, ACT_CREATE) == SCOPE_NONE && access_scope(&op, ACT_READ) == SCOPE_NONE
	        ? problem_set(op.problem, 403, "forbidden")
	        : match_find(&op, body, &out);
	json_decref(body);
	api_answer(r, status, &out);
}

void api_match_settings_get(struct req *r)
{
	struct match_rules rules;
	int rc = match_rules_load(r->db, &rules);
	if (rc) {
		api_db_failure(r, rc, "reading settings");
		return;
	}
	json_t *doc = match_rules_json(&rules);
	/* Four digits: 0.85, not 0.84999999999999998. */
	char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(4));
	struct str out = STR_INIT;
	str_adds(&out, text);
	free(text);
	json_decref(doc);
	resp_json(r, 200, &out);
}

void api_match_settings_put(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	if (match_rules_check(body, &r->problem)) {
		json_decref(body);
		resp_error(r, 422, "validation_failed");
		return;
	}
	int rc = api_settings_merge(r, "match", body);
	json_decref(body);
	if (rc) {
		api_db_failure(r, rc, "saving settings");
		return;
	}
	api_match_settings_get(r);
}
