/* A user's own API tokens: make one (shown once), list them, revoke one (auth/token.h). */
#include "api.h"
#include "auth/token.h"
#include "core/log.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_NAME_MAX     100
#define TOKEN_DEFAULT_DAYS 90

/* POST /api/v1/auth/tokens {"name", "expires_in_days"?} → 201 with the token, this once. */
void api_token_create_route(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "name") != 0 && strcmp(key, "expires_in_days") != 0)
			problem_add(&r->problem, key, "unknown_field", NULL);
	}
	json_t *jname = json_object_get(body, "name");
	const char *name = json_string_value(jname);
	if (!jname || (name && name[strspn(name, " \t")] == '\0'))
		problem_add(&r->problem, "name", "required", NULL);
	else if (!name)
		problem_add(&r->problem, "name", "invalid_type", NULL);
	else if (utf8_length(name, strlen(name)) > TOKEN_NAME_MAX)
		problem_add(&r->problem, "name", "too_long", (const char *[]){"max", "100", NULL});
	json_t *jdays = json_object_get(body, "expires_in_days");
	json_int_t days = TOKEN_DEFAULT_DAYS;
	if (jdays && !json_is_integer(jdays))
		problem_add(&r->problem, "expires_in_days", "invalid_integer", NULL);
	else if (jdays && ((days = json_integer_value(jdays)) < 1 || days > API_TOKEN_MAX_DAYS))
		problem_add(&r->problem, "expires_in_days", "out_of_range",
		            (const char *[]){"min", "1", "max", "366", NULL});
	if (r->problem.n_errors) {
		json_decref(body);
		resp_error(r, 422, "validation_failed");
		return;
	}
	name = arena_strdup(&r->arena, name);
	json_decref(body);
	int64_t expires = time_now_ms() + (int64_t)days * 24 * 3600 * 1000;
	int64_t id = 0;
	char token[API_TOKEN_LEN + 1];
	/* The token and its audit row together: no token nobody was told about. */
	int rc = db_begin(r->db);
	if (!rc)
		rc = api_token_create(r->db, r->session.user_id, name, expires, &id, token);
	if (!rc) {
		struct str what = STR_INIT;
		str_addf(&what, "{\"token\":%lld,\"name\":", (long long)id);
		str_add_jsons(&what, name);
		str_addc(&what, '}');
		rc = api_audit_access(r, r->session.user_id, "token_create", r->session.user_id,
		                      what.buf);
		str_release(&what);
	}
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		api_db_failure(r, rc, "creating an API token");
		return;
	}
	log_info("API token %lld made by user %lld (request %s)", (long long)id,
	         (long long)r->session.user_id, r->request_id);
	char iso[TIME_ISO_LEN];
	time_format_iso(expires, iso);
	struct str out = STR_INIT;
	str_addf(&out, "{\"id\":%lld,\"name\":", (long long)id);
	str_add_jsons(&out, name);
	str_addf(&out, ",\"prefix\":\"%.8s\",\"token\":\"%s\",\"expires_at\":\"%s\"}", token, token,
	         iso);
	sodium_memzero(token, sizeof token);
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 201, &out);
}

/* GET /api/v1/auth/tokens: the caller's tokens, without their secrets. */
void api_token_list_route(struct req *r)
{
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":");
	int rc = api_token_list_json(r->db, r->session.user_id, &out);
	api_answer_data(r, rc, &out, "listing API tokens");
}

/* DELETE /api/v1/auth/tokens/{id}: revoke one of the caller's tokens. */
void api_token_revoke_route(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	int rc = api_token_revoke(r->db, r->session.user_id, id);
	if (rc == DB_DONE) {
		resp_error(r, 404, "not_found");
		return;
	}
	char what[48];
	snprintf(what, sizeof what, "{\"token\":%lld}", (long long)id);
	if (!rc)
		rc = api_audit_access(r, r->session.user_id, "token_revoke", r->session.user_id,
		                      what);
	if (rc) {
		api_db_failure(r, rc, "revoking an API token");
		return;
	}
	log_info("API token %lld revoked by user %lld (request %s)", (long long)id,
	         (long long)r->session.user_id, r->request_id);
	resp_empty(r, 204);
}
