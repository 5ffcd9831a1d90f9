/*
 * The OpenAPI paths of identity and access: the organisation, users, roles and shares; of each
 * user's own space: record histories, saved views, recently viewed records; and of the files
 * attached to records.
 */
#include "openapi_internal.h"
#include "auth/actor.h"
#include "auth/org.h"

#include <stdio.h>
#include <string.h>

static json_t *maybe(const char *type)
{
	return json_pack("{s:[s,s]}", "type", type, "null");
}

static json_t *type(const char *t)
{
	return json_pack("{s:s}", "type", t);
}

static json_t *when(void)
{
	return json_pack("{s:s,s:s}", "type", "string", "format", "date-time");
}

/* {"data": [items]}. */
static json_t *data_of(json_t *items)
{
	return json_pack("{s:s,s:[s],s:{s:{s:s,s:o}}}", "type", "object", "required", "data",
	                 "properties", "data", "type", "array", "items", items);
}

/* An object whose every property is required (those in `optional` aside). */
static json_t *object(json_t *props, const char *optional)
{
	json_t *req = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(props, k, v) if (!optional || strcmp(k, optional) != 0)
	    json_array_append_new(req, json_string(k));
	return json_pack("{s:s,s:o,s:b,s:o}", "type", "object", "required", req,
	                 "additionalProperties", 0, "properties", props);
}

static json_t *enum_of(const char *const *names, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(names[i]));
	return json_pack("{s:s,s:o}", "type", "string", "enum", a);
}

static json_t *path_param(const char *name, const char *t)
{
	return json_pack("{s:s,s:s,s:b,s:{s:s}}", "name", name, "in", "path", "required", 1,
	                 "schema", "type", t);
}

static json_t *body(json_t *schema)
{
	return json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content", "application/json",
	                 "schema", schema);
}

static json_t *op(const char *id, const char *summary, const char *tag, const char *ok,
                  json_t *ok_resp, const char *const *errs)
{
	json_t *o = oa_operation(id, summary, tag);
	oa_add_responses(o, ok, ok_resp ? ok_resp : json_pack("{s:s}", "description", summary),
	                 errs);
	return o;
}

static const char *const E_READ[] = {"401", NULL};
static const char *const E_ONE[] = {"400", "401", "404", NULL};
static const char *const E_CHANGE[] = {"400", "401", "403", "404", "409", "415", "422", NULL};

static void org_paths(json_t *paths)
{
	json_t *unit =
	    object(json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", type("integer"), "parent_id",
	                     maybe("integer"), "name", type("string"), "kind",
	                     enum_of(org_kind_names, ORG__MAX), "path", type("string"),
	                     "head_user_id", maybe("integer"), "members", type("integer")),
	           NULL);
	json_t *in = json_pack(
	    "{s:s,s:{s:{s:s,s:i},s:O,s:O,s:O}}", "type", "object", "properties", "name", "type",
	    "string", "maxLength", ORG_NAME_MAX, "kind",
	    json_object_get(json_object_get(unit, "properties"), "kind"), "parent_id",
	    json_object_get(json_object_get(unit, "properties"), "parent_id"), "head_user_id",
	    json_object_get(json_object_get(unit, "properties"), "head_user_id"));
	json_t *created =
	    json_pack("{s:s,s:{s:{s:s}}}", "type", "object", "properties", "id", "type", "integer");
	json_t *list = op("org.list", "The organisation tree, in tree order", "organisation", "200",
	                  oa_json_response("Every unit", data_of(unit)), E_READ);
	json_t *create = op("org.create", "Add a unit (administrators)", "organisation", "201",
	                    oa_json_response("The new unit's id", created), E_CHANGE);
	json_object_set_new(create, "requestBody", body(json_incref(in)));
	json_object_set_new(paths, "/api/v1/org-units",
	                    json_pack("{s:o,s:o}", "get", list, "post", create));
	json_t *update = op("org.update", "Rename, re-type or move a unit with everything below it",
	                    "organisation", "204", NULL, E_CHANGE);
	json_object_set_new(update, "requestBody", body(in));
	json_t *del =
	    op("org.delete", "Delete an empty unit", "organisation", "204", NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/org-units/{unit_id}",
	                    json_pack("{s:[o],s:o,s:o}", "parameters",
	                              path_param("unit_id", "integer"), "patch", update, "delete",
	                              del));
}

static json_t *user_schema(void)
{
	json_t *p = json_pack("{s:o,s:o,s:o,s:o}", "id", type("integer"), "username",
	                      type("string"), "disabled", type("boolean"), "created_at", when());
	static const char *const text[] = {"display_name", "position", "email", "mobile", "locale"};
	for (size_t i = 0; i < sizeof text / sizeof *text; i++)
		json_object_set_new(p, text[i], maybe("string"));
	json_object_set_new(p, "org_unit_id", maybe("integer"));
	json_object_set_new(p, "superior_id", maybe("integer"));
	json_object_set_new(p, "roles",
	                    json_pack("{s:s,s:{s:s},s:s}", "type", "array", "items", "type",
	                              "string", "description", "To administrators only"));
	return object(p, "roles");
}

static void user_paths(json_t *paths)
{
	json_t *user = user_schema();
	json_t *list = op("users.list", "The people directory (disabled users on request)", "users",
	                  "200", oa_json_response("Users by username", data_of(json_incref(user))),
	                  (const char *const[]){"400", "401", NULL});
	json_object_set_new(list, "parameters",
	                    json_pack("[{s:s,s:s,s:{s:s}},{s:s,s:s,s:{s:s}},{s:s,s:s,s:{s:s}}]",
	                              "name", "q", "in", "query", "schema", "type", "string",
	                              "name", "org_unit_id", "in", "query", "schema", "type",
	                              "integer", "name", "disabled", "in", "query", "schema",
	                              "type", "boolean"));
	json_t *create =
	    op("users.create", "Add a user with roles and a profile (administrators)", "users",
	       "201", oa_json_response("The user", json_incref(user)), E_CHANGE);
	json_object_set_new(create, "requestBody",
	                    body(json_pack("{s:s,s:[s,s,s]}", "type", "object", "required",
	                                   "username", "password", "roles")));
	json_object_set_new(paths, "/api/v1/users",
	                    json_pack("{s:o,s:o}", "get", list, "post", create));
	json_t *get = op("users.get", "One user", "users", "200",
	                 oa_json_response("The user", json_incref(user)), E_ONE);
	json_t *patch = op("users.update", "Change a profile, roles or status (administrators)",
	                   "users", "200", oa_json_response("The user", user), E_CHANGE);
	json_object_set_new(patch, "requestBody", body(type("object")));
	json_object_set_new(paths, "/api/v1/users/{user_id}",
	                    json_pack("{s:[o],s:o,s:o}", "parameters",
	                              path_param("user_id", "integer"), "get", get, "patch",
	                              patch));
	static const char *const actions[][3] = {
	    {"/api/v1/users/{user_id}/password", "users.password", "Set a user's password"},
	    {"/api/v1/users/{user_id}/unlock", "users.unlock", "Lift a lock after failed logins"}};
	for (size_t i = 0; i < 2; i++) {
		json_t *o = op(actions[i][1], actions[i][2], "users", "204", NULL, E_CHANGE);
		if (i == 0)
			json_object_set_new(
			    o, "requestBody",
			    body(json_pack("{s:s,s:[s],s:{s:{s:s,s:i}}}", "type", "object",
			                   "required", "password", "properties", "password", "type",
			                   "string", "minLength", 8)));
		json_object_set_new(paths, actions[i][0],
		                    json_pack("{s:[o],s:o}", "parameters",
		                              path_param("user_id", "integer"), "post", o));
	}
	json_t *sessions = op("users.sessions", "A user's sessions (administrators)", "users",
	                      "200", oa_json_response("Sessions", type("object")), E_ONE);
	json_t *end =
	    op("users.sessions.end", "End every session of a user", "users", "204", NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/users/{user_id}/sessions",
	                    json_pack("{s:[o],s:o,s:o}", "parameters",
	                              path_param("user_id", "integer"), "get", sessions, "delete",
	                              end));
}

static void role_paths(json_t *paths)
{
	json_t *scopes = enum_of(scope_names + 1, SCOPE__MAX - 1); /* "none" has no line */
	json_t *perms = json_pack("{s:s,s:{s:s,s:o}}", "type", "object", "additionalProperties",
	                          "type", "object", "additionalProperties", scopes);
	json_t *names =
	    json_pack("{s:s,s:[s,s],s:{s:{s:s},s:{s:s}}}", "type", "object", "required", "zh-CN",
	              "en", "properties", "zh-CN", "type", "string", "en", "type", "string");
	json_t *role = object(json_pack("{s:o,s:O,s:o,s:o,s:O}", "key", type("string"), "name",
	                                names, "builtin", type("boolean"), "users", type("integer"),
	                                "permissions", perms),
	                      NULL);
	json_t *list = op("roles.list", "Roles and their permissions (administrators)", "roles",
	                  "200", oa_json_response("Shipped roles first", data_of(role)),
	                  (const char *const[]){"401", "403", NULL});
	json_t *create = op("roles.create", "Add a role", "roles", "201",
	                    oa_json_response("The role's key", type("object")), E_CHANGE);
	json_object_set_new(
	    create, "requestBody",
	    body(json_pack("{s:s,s:[s,s],s:{s:{s:s,s:s},s:O}}", "type", "object", "required", "key",
	                   "name", "properties", "key", "type", "string", "pattern",
	                   "^[a-z][a-z0-9_]{1,31}$", "name", names)));
	json_object_set_new(paths, "/api/v1/roles",
	                    json_pack("{s:o,s:o}", "get", list, "post", create));
	json_t *rename = op("roles.update", "Rename a role", "roles", "204", NULL, E_CHANGE);
	json_object_set_new(rename, "requestBody",
	                    body(json_pack("{s:s,s:[s],s:{s:O}}", "type", "object", "required",
	                                   "name", "properties", "name", names)));
	json_t *del = op("roles.delete", "Delete a role nobody holds (not a shipped one)", "roles",
	                 "204", NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/roles/{key}",
	                    json_pack("{s:[o],s:o,s:o}", "parameters", path_param("key", "string"),
	                              "patch", rename, "delete", del));
	json_t *set = op("roles.permissions",
	                 "Replace a role's permissions: entity (or *) → action "
	                 "→ scope",
	                 "roles", "204", NULL, E_CHANGE);
	json_object_set_new(set, "requestBody",
	                    body(json_pack("{s:s,s:[s],s:{s:O}}", "type", "object", "required",
	                                   "permissions", "properties", "permissions", perms)));
	json_object_set_new(
	    paths, "/api/v1/roles/{key}/permissions",
	    json_pack("{s:[o],s:o}", "parameters", path_param("key", "string"), "put", set));
	json_decref(names);
	json_decref(perms);
}

static void share_paths(json_t *paths, const struct entity *e)
{
	static const char *const access[] = {"read", "edit"};
	json_t *share = object(json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", type("integer"),
	                                 "user_id", maybe("integer"), "org_unit_id",
	                                 maybe("integer"), "access", enum_of(access, 2),
	                                 "created_by", type("integer"), "created_at", when()),
	                       NULL);
	char id[160], p[160];
	snprintf(id, sizeof id, "%s.shares.list", e->name);
	json_t *list = op(id, "Who the record is shared with", e->name, "200",
	                  oa_json_response("Shares", data_of(share)), E_ONE);
	snprintf(id, sizeof id, "%s.shares.create", e->name);
	json_t *create = op(id, "Share the record with a user or a unit, to read or edit", e->name,
	                    "201", oa_json_response("The share's id", type("object")), E_CHANGE);
	json_object_set_new(
	    create, "requestBody",
	    body(json_pack("{s:s,s:[s],s:{s:{s:s},s:{s:s},s:o}}", "type", "object", "required",
	                   "access", "properties", "user_id", "type", "integer", "org_unit_id",
	                   "type", "integer", "access", enum_of(access, 2))));
	snprintf(p, sizeof p, "/api/v1/%s/{id}/shares", e->name);
	json_object_set_new(paths, p,
	                    json_pack("{s:[{s:s,s:s,s:b,s:{s:s}}],s:o,s:o}", "parameters", "name",
	                              "id", "in", "path", "required", 1, "schema", "type",
	                              "integer", "get", list, "post", create));
	snprintf(id, sizeof id, "%s.shares.delete", e->name);
	json_t *del = op(id, "Stop sharing", e->name, "204", NULL, E_CHANGE);
	snprintf(p, sizeof p, "/api/v1/%s/{id}/shares/{share_id}", e->name);
	json_object_set_new(paths, p,
	                    json_pack("{s:[o,o],s:o}", "parameters", path_param("id", "integer"),
	                              path_param("share_id", "integer"), "delete", del));
}

/* Comments on a record (api/comments.c): read and written by whoever may read it. */
static void comment_paths(json_t *paths, const struct entity *e)
{
	json_t *comment =
	    object(json_pack("{s:o,s:o,s:o,s:o,s:o,s:o}", "id", type("integer"), "author_id",
	                     type("integer"), "author_name", type("string"), "body", type("string"),
	                     "created_at", when(), "mine", type("boolean")),
	           NULL);
	char id[160], p[160];
	snprintf(id, sizeof id, "%s.comments.list", e->name);
	json_t *list = op(id, "The record's comments, oldest first", e->name, "200",
	                  oa_json_response("Comments", data_of(comment)), E_ONE);
	snprintf(id, sizeof id, "%s.comments.create", e->name);
	json_t *create = op(
	    id, "Comment on the record; its owner and the earlier commenters are told", e->name,
	    "201",
	    oa_json_response(
	        "The comment's id and time",
	        object(json_pack("{s:o,s:o}", "id", type("integer"), "created_at", when()), NULL)),
	    E_CHANGE);
	json_object_set_new(
	    create, "requestBody",
	    body(json_pack("{s:s,s:[s],s:{s:{s:s,s:i}}}", "type", "object", "required", "body",
	                   "properties", "body", "type", "string", "maxLength", 2000)));
	snprintf(p, sizeof p, "/api/v1/%s/{id}/comments", e->name);
	json_object_set_new(paths, p,
	                    json_pack("{s:[o],s:o,s:o}", "parameters", path_param("id", "integer"),
	                              "get", list, "post", create));
	snprintf(id, sizeof id, "%s.comments.delete", e->name);
	json_t *del = op(id, "Take a comment back (its author or an administrator)", e->name, "204",
	                 NULL, E_CHANGE);
	snprintf(p, sizeof p, "/api/v1/%s/{id}/comments/{comment_id}", e->name);
	json_object_set_new(paths, p,
	                    json_pack("{s:[o,o],s:o}", "parameters", path_param("id", "integer"),
	                              path_param("comment_id", "integer"), "delete", del));
}

/* The caller's own credentials, and the security policy. */
static void credential_paths(json_t *paths)
{
	json_t *change = op(
	    "auth.password", "Change your own password (a browser session)", "auth", "200",
	    oa_json_response("A new session's CSRF token (and cookie)",
	                     json_pack("{s:s,s:[s],s:{s:{s:s}}}", "type", "object", "required",
	                               "csrf_token", "properties", "csrf_token", "type", "string")),
	    E_CHANGE);
	json_object_set_new(change, "requestBody",
	                    body(json_pack("{s:s,s:[s,s]}", "type", "object", "required",
	                                   "current_password", "new_password")));
	json_object_set_new(paths, "/api/v1/auth/password", json_pack("{s:o}", "post", change));
	json_t *setup = op("auth.totp.setup", "Begin setting up the second factor", "auth", "200",
	                   oa_json_response("The secret, its otpauth URI and a QR code (SVG)",
	                                    json_pack("{s:s,s:[s,s,s]}", "type", "object",
	                                              "required", "secret", "uri", "qr_svg")),
	                   E_CHANGE);
	json_object_set_new(
	    setup, "requestBody",
	    body(json_pack("{s:s,s:[s]}", "type", "object", "required", "password")));
	json_object_set_new(paths, "/api/v1/auth/totp/setup", json_pack("{s:o}", "post", setup));
	json_t *confirm =
	    op("auth.totp.confirm", "Turn the second factor on with a code", "auth", "200",
	       oa_json_response(
	           "Ten recovery codes, shown this once",
	           json_pack("{s:s,s:[s]}", "type", "object", "required", "recovery_codes")),
	       E_CHANGE);
	json_object_set_new(confirm, "requestBody",
	                    body(json_pack("{s:s,s:[s]}", "type", "object", "required", "code")));
	json_object_set_new(paths, "/api/v1/auth/totp/confirm",
	                    json_pack("{s:o}", "post", confirm));
	json_t *off = op("auth.totp.disable", "Turn the second factor off (with the password)",
	                 "auth", "204", NULL, E_CHANGE);
	json_object_set_new(
	    off, "requestBody",
	    body(json_pack("{s:s,s:[s]}", "type", "object", "required", "password")));
	json_object_set_new(paths, "/api/v1/auth/totp", json_pack("{s:o}", "delete", off));
	json_t *reset = op("users.totp.reset", "Clear a user's lost second factor (administrators)",
	                   "users", "204", NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/users/{user_id}/totp",
	                    json_pack("{s:[o],s:o}", "parameters", path_param("user_id", "integer"),
	                              "delete", reset));
	json_t *doc = json_pack("{s:s,s:[s,s,s,s,s,s]}", "type", "object", "required", "password",
	                        "login", "session", "totp_roles", "ip_allowlist", "exporters");
	json_t *get = op("policy.get", "The security policy (administrators)", "policy", "200",
	                 oa_json_response("The policy", json_incref(doc)),
	                 (const char *const[]){"401", "403", NULL});
	json_t *put = op("policy.put", "Replace the security policy (what is left out: defaults)",
	                 "policy", "200", oa_json_response("The policy now", doc), E_CHANGE);
	json_object_set_new(put, "requestBody", body(type("object")));
	json_object_set_new(paths, "/api/v1/security-policy",
	                    json_pack("{s:o,s:o}", "get", get, "put", put));
	json_t *audit =
	    op("audit.export", "The audit trail as CSV, filtered as the search", "audit", "200",
	       json_pack("{s:s,s:{s:{s:{s:s}}}}", "description", "CSV, newest first", "content",
	                 "text/csv", "schema", "type", "string"),
	       (const char *const[]){"400", "401", "403", "422", NULL});
	json_object_set_new(paths, "/api/v1/audit/export", json_pack("{s:o}", "get", audit));
}

/* Administration of the OpenID Connect provider (its protocol endpoints are in its discovery
 * document, /.well-known/openid-configuration). */
static void oidc_paths(json_t *paths)
{
	json_t *client =
	    object(json_pack("{s:o,s:o,s:o,s:{s:s,s:{s:s}},s:{s:s,s:{s:s}},s:o}", "client_id",
	                     type("string"), "name", type("string"), "confidential",
	                     type("boolean"), "redirect_uris", "type", "array", "items", "type",
	                     "string", "post_logout_redirect_uris", "type", "array", "items",
	                     "type", "string", "created_at", when()),
	           NULL);
	json_t *list = op("oidc.clients.list", "Registered OpenID clients (administrators)", "sso",
	                  "200", oa_json_response("Clients, without secrets", data_of(client)),
	                  (const char *const[]){"401", "403", NULL});
	json_t *create =
	    op("oidc.clients.create", "Register a client; its secret is shown once", "sso", "201",
	       oa_json_response("The client's id and secret",
	                        json_pack("{s:s,s:[s,s]}", "type", "object", "required",
	                                  "client_id", "client_secret")),
	       E_CHANGE);
	json_object_set_new(create, "requestBody",
	                    body(json_pack("{s:s,s:[s,s]}", "type", "object", "required", "name",
	                                   "redirect_uris")));
	json_object_set_new(paths, "/api/v1/oidc/clients",
	                    json_pack("{s:o,s:o}", "get", list, "post", create));
	json_t *del = op("oidc.clients.delete", "Remove a client and its tokens", "sso", "204",
	                 NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/oidc/clients/{client_id}",
	                    json_pack("{s:[o],s:o}", "parameters",
	                              path_param("client_id", "string"), "delete", del));
	json_t *rotate = op("oidc.keys.rotate", "Sign with a new key; the previous stays published",
	                    "sso", "204", NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/oidc/keys/rotate", json_pack("{s:o}", "post", rotate));
}

/* Company announcements (modules/news.h). */
static void news_paths(json_t *paths)
{
	static const char *const kinds[] = {"announcement", "notice", "document"};
	json_t *item = object(
	    json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:s,s:{s:s}}}", "id",
	              type("integer"), "title", type("string"), "body", type("string"), "kind",
	              enum_of(kinds, 3), "pinned", type("boolean"), "everyone", type("boolean"),
	              "published_at", when(), "expires_at",
	              json_pack("{s:[s,s],s:s}", "type", "string", "null", "format", "date-time"),
	              "created_by", maybe("integer"), "read_at",
	              json_pack("{s:[s,s],s:s}", "type", "string", "null", "format", "date-time"),
	              "org_unit_ids", "type", "array", "items", "type", "integer"),
	    NULL);
	json_t *list_schema = json_pack("{s:s,s:[s,s],s:{s:{s:s,s:O},s:{s:s}}}", "type", "object",
	                                "required", "data", "unread", "properties", "data", "type",
	                                "array", "items", item, "unread", "type", "integer");
	json_t *list = op("news.list", "Announcements addressed to you, pinned first, newest first",
	                  "announcements", "200", oa_json_response("Announcements", list_schema),
	                  (const char *const[]){"400", "401", "403", NULL});
	json_object_set_new(list, "parameters",
	                    json_pack("[{s:s,s:s,s:{s:s}},{s:s,s:s,s:{s:s}},{s:s,s:s,s:{s:s}}]",
	                              "name", "unread", "in", "query", "schema", "type", "boolean",
	                              "name", "all", "in", "query", "schema", "type", "boolean",
	                              "name", "limit", "in", "query", "schema", "type", "integer"));
	json_t *create =
	    op("news.create", "Publish an announcement (administrators)", "announcements", "201",
	       oa_json_response("The announcement", json_incref(item)), E_CHANGE);
	json_object_set_new(
	    create, "requestBody",
	    body(json_pack("{s:s,s:[s,s]}", "type", "object", "required", "title", "body")));
	json_object_set_new(paths, "/api/v1/announcements",
	                    json_pack("{s:o,s:o}", "get", list, "post", create));
	json_t *get = op("news.get", "One announcement addressed to you", "announcements", "200",
	                 oa_json_response("The announcement", json_incref(item)), E_ONE);
	json_t *put = op("news.update", "Replace an announcement (administrators)", "announcements",
	                 "200", oa_json_response("The announcement", item), E_CHANGE);
	json_object_set_new(
	    put, "requestBody",
	    body(json_pack("{s:s,s:[s,s]}", "type", "object", "required", "title", "body")));
	json_t *del = op("news.delete", "Withdraw an announcement (administrators)",
	                 "announcements", "204", NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/announcements/{announcement_id}",
	                    json_pack("{s:[o],s:o,s:o,s:o}", "parameters",
	                              path_param("announcement_id", "integer"), "get", get, "put",
	                              put, "delete", del));
	json_t *read = op("news.read", "Record that you read it (the first time counts)",
	                  "announcements", "204", NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/announcements/{announcement_id}/read",
	                    json_pack("{s:[o],s:o}", "parameters",
	                              path_param("announcement_id", "integer"), "post", read));
	json_t *receipts =
	    op("news.receipts", "Who it is for and who read it (administrators)", "announcements",
	       "200",
	       oa_json_response("Read receipts", json_pack("{s:s,s:[s,s,s]}", "type", "object",
	                                                   "required", "audience", "read", "data")),
	       E_ONE);
	json_object_set_new(paths, "/api/v1/announcements/{announcement_id}/receipts",
	                    json_pack("{s:[o],s:o}", "parameters",
	                              path_param("announcement_id", "integer"), "get", receipts));
}

/* GET /api/v1/{entity}/{id}/history: the record's audit entries, for whoever may read it. */
static void history_path(json_t *paths, const struct entity *e)
{
	json_t *entry = json_pack(
	    "{s:s,s:[s,s,s,s,s,s,s,s,s,s],s:b,s:{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}}",
	    "type", "object", "required", "id", "at", "user_id", "username", "display_name",
	    "action", "entity", "record_id", "changes", "request_id", "additionalProperties", 0,
	    "properties", "id", type("integer"), "at", when(), "user_id", maybe("integer"),
	    "username", maybe("string"), "display_name", maybe("string"), "action", type("string"),
	    "entity", type("string"), "record_id", maybe("integer"), "changes",
	    json_pack("{s:[s,s],s:s}", "type", "object", "null", "description",
	              "Creates and updates: {field: {old, new}}; other actions: their details"),
	    "request_id", maybe("string"), "ip", maybe("string"), "user_agent", maybe("string"));
	json_t *page = json_pack("{s:s,s:[s,s],s:{s:{s:s,s:o},s:o}}", "type", "object", "required",
	                         "data", "next_cursor", "properties", "data", "type", "array",
	                         "items", entry, "next_cursor", maybe("string"));
	char id[160], p[160];
	snprintf(id, sizeof id, "%s.history", e->name);
	json_t *get = op(id, "The record's history, newest first (addresses: administrators only)",
	                 e->name, "200", oa_json_response("Audit entries", page), E_ONE);
	json_object_set_new(get, "parameters",
	                    json_pack("[o,{s:s,s:s,s:{s:s}},{s:s,s:s,s:{s:s,s:i,s:i}}]",
	                              path_param("id", "integer"), "name", "cursor", "in", "query",
	                              "schema", "type", "string", "name", "limit", "in", "query",
	                              "schema", "type", "integer", "minimum", 1, "maximum", 200));
	snprintf(p, sizeof p, "/api/v1/%s/{id}/history", e->name);
	json_object_set_new(paths, p, json_pack("{s:o}", "get", get));
}

/* A file attached to a record, as lists and uploads answer it. */
static json_t *file_schema(void)
{
	return object(json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
	                        type("integer"), "document_id", type("integer"), "name",
	                        type("string"), "content_type", type("string"), "size",
	                        type("integer"), "sha256", type("string"), "version",
	                        type("integer"), "versions", type("integer"), "previewable",
	                        type("boolean"), "created_by", maybe("integer"), "created_by_name",
	                        maybe("string"), "created_at", when()),
	              NULL);
}

/* The file itself, as an upload's raw body or a form's part "file". */
static json_t *upload_body(void)
{
	return json_pack("{s:b,s:{s:{s:{s:s,s:[s],s:{s:{s:s,s:s}}}},s:{s:{s:s,s:s}}}}", "required",
	                 1, "content", "multipart/form-data", "schema", "type", "object",
	                 "required", "file", "properties", "file", "type", "string", "format",
	                 "binary", "*/*", "schema", "type", "string", "format", "binary");
}

static const char *const E_UPLOAD[] = {"400", "401", "403", "404", "413", "415", "422", NULL};

static json_t *query_param(const char *name, const char *t, const char *desc)
{
	return json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", name, "in", "query", "description", desc,
	                 "schema", "type", t);
}

/* GET and POST /api/v1/{entity}/{id}/files: the record's documents, and an upload. */
static void files_path(json_t *paths, const struct entity *e)
{
	char id[160], p[160];
	snprintf(id, sizeof id, "%s.files.list", e->name);
	json_t *list = op(id, "The record's files: the latest version of each document", e->name,
	                  "200", oa_json_response("Newest first", data_of(file_schema())), E_ONE);
	snprintf(id, sizeof id, "%s.files.upload", e->name);
	json_t *add =
	    op(id, "Attach a file (raw body or multipart part \"file\"), or a new version", e->name,
	       "201", oa_json_response("The file", file_schema()), E_UPLOAD);
	json_object_set_new(
	    add, "parameters",
	    json_pack("[o,o]",
	              query_param("name", "string",
	                          "The file's name (else the form's or "
	                          "Content-Disposition's)"),
	              query_param("replaces", "integer",
	                          "A file of the record: this is its new version")));
	json_object_set_new(add, "requestBody", upload_body());
	snprintf(p, sizeof p, "/api/v1/%s/{id}/files", e->name);
	json_object_set_new(paths, p,
	                    json_pack("{s:[o],s:o,s:o}", "parameters", path_param("id", "integer"),
	                              "get", list, "post", add));
}

/* /api/v1/files/{file_id}: download and delete; …/versions. */
static void file_paths(json_t *paths)
{
	json_t *get =
	    op("files.download",
	       "Download a file (Range, If-None-Match); inline=true shows pictures and PDF",
	       "files", "200",
	       json_pack("{s:s,s:{s:{s:{s:s,s:s}}}}", "description", "The file", "content", "*/*",
	                 "schema", "type", "string", "format", "binary"),
	       (const char *const[]){"400", "401", "404", "416", NULL});
	json_t *responses = json_object_get(get, "responses");
	json_object_set_new(responses, "206",
	                    json_pack("{s:s,s:{s:{s:{s:s,s:s}}}}", "description", "One range",
	                              "content", "*/*", "schema", "type", "string", "format",
	                              "binary"));
	json_object_set_new(responses, "304", json_pack("{s:s}", "description", "Not modified"));
	json_object_set_new(
	    get, "parameters",
	    json_pack("[o]",
	              query_param("inline", "boolean", "Show in the browser (pictures and PDF)")));
	json_t *del = op("files.delete", "Delete a document, every version of it", "files", "204",
	                 NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/files/{file_id}",
	                    json_pack("{s:[o],s:o,s:o}", "parameters",
	                              path_param("file_id", "integer"), "get", get, "delete", del));
	json_t *versions =
	    op("files.versions", "Every version of the document, newest first", "files", "200",
	       oa_json_response("Versions", data_of(file_schema())), E_ONE);
	json_t *add = op("files.versions.add", "Upload a new version of the document", "files",
	                 "201", oa_json_response("The new version", file_schema()), E_UPLOAD);
	json_object_set_new(
	    add, "parameters",
	    json_pack("[o]", query_param("name", "string", "Its name (else the document's)")));
	json_object_set_new(add, "requestBody", upload_body());
	json_object_set_new(paths, "/api/v1/files/{file_id}/versions",
	                    json_pack("{s:[o],s:o,s:o}", "parameters",
	                              path_param("file_id", "integer"), "get", versions, "post",
	                              add));
}

/* Saved list views (own and shared) and recently viewed records. */
static void user_space_paths(json_t *paths)
{
	json_t *columns = json_pack("{s:s,s:{s:s}}", "type", "array", "items", "type", "string");
	json_t *query = json_pack("{s:s,s:s,s:{s:s}}", "type", "object", "description",
	                          "List parameters: q, sort, field or field__op filters",
	                          "additionalProperties", "type", "string");
	json_t *view =
	    object(json_pack("{s:o,s:o,s:o,s:O,s:O,s:o,s:o,s:o,s:o,s:o,s:o}", "id", type("integer"),
	                     "entity", type("string"), "name", type("string"), "query", query,
	                     "columns", columns, "shared", type("boolean"), "user_id",
	                     type("integer"), "owner_name", maybe("string"), "own", type("boolean"),
	                     "created_at", when(), "updated_at", when()),
	           NULL);
	json_t *in = json_pack("{s:s,s:{s:{s:s},s:{s:s,s:i,s:i},s:O,s:O,s:o}}", "type", "object",
	                       "properties", "entity", "type", "string", "name", "type", "string",
	                       "minLength", 1, "maxLength", 100, "query", query, "columns", columns,
	                       "shared", type("boolean"));
	json_t *list = op(
	    "views.list", "Your saved views and those others share", "views", "200",
	    oa_json_response("Your own first, then by entity and name", data_of(json_incref(view))),
	    (const char *const[]){"400", "401", "403", NULL});
	json_object_set_new(list, "parameters",
	                    json_pack("[{s:s,s:s,s:{s:s}}]", "name", "entity", "in", "query",
	                              "schema", "type", "string"));
	json_t *create = op("views.create", "Save a view of an entity's list", "views", "201",
	                    oa_json_response("The view", json_incref(view)), E_CHANGE);
	json_t *create_in = json_deep_copy(in);
	json_object_set_new(create_in, "required", json_pack("[s,s]", "entity", "name"));
	json_object_set_new(create, "requestBody", body(create_in));
	json_object_set_new(paths, "/api/v1/views",
	                    json_pack("{s:o,s:o}", "get", list, "post", create));
	json_t *patch = op("views.update", "Change a view (its owner or an administrator)", "views",
	                   "200", oa_json_response("The view", view), E_CHANGE);
	json_object_del(json_object_get(in, "properties"), "entity");
	json_object_set_new(patch, "requestBody", body(in));
	json_t *del = op("views.delete", "Delete a view (its owner or an administrator)", "views",
	                 "204", NULL, E_CHANGE);
	json_object_set_new(paths, "/api/v1/views/{view_id}",
	                    json_pack("{s:[o],s:o,s:o}", "parameters",
	                              path_param("view_id", "integer"), "patch", patch, "delete",
	                              del));
	json_t *item =
	    object(json_pack("{s:o,s:o,s:{s:s},s:o}", "entity", type("string"), "id",
	                     type("integer"), "title", "description",
	                     "The record's title field, as it is now", "viewed_at", when()),
	           NULL);
	json_t *recent = op("recent.list", "The records you opened last, newest first", "recent",
	                    "200", oa_json_response("Still there and readable", data_of(item)),
	                    (const char *const[]){"400", "401", NULL});
	json_object_set_new(recent, "parameters",
	                    json_pack("[{s:s,s:s,s:{s:s,s:i,s:i,s:i}}]", "name", "limit", "in",
	                              "query", "schema", "type", "integer", "minimum", 1, "maximum",
	                              30, "default", 10));
	json_t *opened =
	    op("recent.add", "Record that you opened a record", "recent", "204", NULL, E_CHANGE);
	json_object_set_new(opened, "requestBody",
	                    body(json_pack("{s:s,s:[s,s],s:{s:{s:s},s:{s:s}}}", "type", "object",
	                                   "required", "entity", "id", "properties", "entity",
	                                   "type", "string", "id", "type", "integer")));
	json_object_set_new(paths, "/api/v1/recent",
	                    json_pack("{s:o,s:o}", "get", recent, "post", opened));
	json_decref(columns);
	json_decref(query);
}

void openapi_access_paths(json_t *paths, const struct registry *r)
{
	user_space_paths(paths);
	news_paths(paths);
	oidc_paths(paths);
	credential_paths(paths);
	org_paths(paths);
	user_paths(paths);
	role_paths(paths);
	file_paths(paths);
	for (size_t i = 0; i < r->n_entities; i++) {
		share_paths(paths, &r->entities[i]);
		comment_paths(paths, &r->entities[i]);
		history_path(paths, &r->entities[i]);
		files_path(paths, &r->entities[i]);
	}
}
