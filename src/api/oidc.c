/*
 * The OpenID Connect provider's endpoints (docs/internals/OIDC.md): discovery, keys, the
 * authorization endpoint (code flow with PKCE), the token endpoint, userinfo, RP-initiated
 * logout; and the administrators' registration of clients and rotation of keys. Errors of the
 * OAuth endpoints take OAuth's form ({"error","error_description"}), which relying-party
 * libraries read; an unknown client or redirect URI is answered here and never redirected to.
 */
#include "api.h"
#include "body.h"
#include "auth/jwt.h"
#include "auth/oidc.h"
#include "auth/policy.h"
#include "auth/roles.h"
#include "core/log.h"
#include "meta/audit.h"
#include "core/timeutil.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* ---- discovery and keys ---- */

void api_oidc_discovery(struct req *r)
{
	const char *i = http_public_url;
	struct str out = STR_INIT;
	str_adds(&out, "{\"issuer\":");
	str_add_jsons(&out, i);
	static const char *const endpoints[][2] = {
	    {"authorization_endpoint", "/oidc/authorize"}, {"token_endpoint", "/oidc/token"},
	    {"userinfo_endpoint", "/oidc/userinfo"},       {"jwks_uri", "/oidc/jwks"},
	    {"end_session_endpoint", "/oidc/logout"},
	};
	for (size_t k = 0; k < sizeof endpoints / sizeof endpoints[0]; k++) {
		str_addf(&out, ",\"%s\":\"", endpoints[k][0]);
		str_adds(&out, i);
		str_adds(&out, endpoints[k][1]);
		str_addc(&out, '"');
	}
	str_adds(&out,
	         ",\"scopes_supported\":[\"openid\",\"profile\",\"email\"],"
	         "\"response_types_supported\":[\"code\"],\"response_modes_supported\":[\"query\"],"
	         "\"grant_types_supported\":[\"authorization_code\"],"
	         "\"subject_types_supported\":[\"public\"],"
	         "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
	         "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\","
	         "\"client_secret_post\",\"none\"],"
	         "\"code_challenge_methods_supported\":[\"S256\"],"
	         "\"prompt_values_supported\":[\"none\",\"login\"],"
	         "\"claims_supported\":[\"sub\",\"iss\",\"aud\",\"exp\",\"iat\",\"auth_time\","
	         "\"nonce\",\"amr\",\"name\",\"preferred_username\",\"locale\",\"email\","
	         "\"org_unit\",\"roles\"],"
	         "\"authorization_response_iss_parameter_supported\":true,"
	         "\"claims_parameter_supported\":false,\"request_parameter_supported\":false,"
	         "\"request_uri_parameter_supported\":false}");
	resp_json(r, 200, &out);
}

void api_oidc_jwks(struct req *r)
{
	struct str out = STR_INIT;
	int rc = oidc_jwks_json(r->db, &out);
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "publishing keys");
		return;
	}
	resp_json(r, 200, &out);
}

/* ---- OAuth answers ---- */

static void oauth_error(struct req *r, int status, const char *error, const char *description)
{
	struct str out = STR_INIT;
	str_adds(&out, "{\"error\":");
	str_add_jsons(&out, error);
	str_adds(&out, ",\"error_description\":");
	str_add_jsons(&out, description);
	str_addc(&out, '}');
	resp_json(r, status, &out);
	resp_header(r, "Pragma", "no-cache");
	resp_header(r, "Cache-Control", "no-store");
}

static void redirect(struct req *r, const char *location)
{
	struct str empty = STR_INIT;
	resp_text(r, 302, "text/plain; charset=utf-8", &empty);
	resp_header(r, "Location", location);
}

/* Back to the client's redirect URI with these parameters (values URL-encoded). */
static void redirect_back(struct req *r, const char *uri, const char *const *params)
{
	struct str loc = STR_INIT;
	str_adds(&loc, uri);
	bool first = !strchr(uri, '?');
	for (const char *const *p = params; p[0]; p += 2) {
		if (!p[1])
			continue;
		str_addc(&loc, first ? '?' : '&');
		first = false;
		str_adds(&loc, p[0]);
		str_addc(&loc, '=');
		str_add_urlenc(&loc, p[1]);
	}
	redirect(r, loc.buf);
	str_release(&loc);
}

static void authorize_error(struct req *r, const char *uri, const char *error, const char *state)
{
	const char *params[] = {"error", error, "state", state, "iss", http_public_url, NULL};
	redirect_back(r, uri, params);
}

/* The scope has this word. */
static bool scope_has(const char *scope, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = scope; p && (p = strstr(p, word)); p += n)
		if ((p == scope || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/* ---- the authorization endpoint ---- */

/* To the login page, which comes back here; prompt=login and max_age are not asked again (the
 * login is fresh then). */
static void to_login(struct req *r)
{
	struct str back = STR_INIT, loc = STR_INIT;
	str_adds(&back, "/oidc/authorize");
	bool first = true;
	for (size_t i = 0; i < r->n_query; i++) {
		if (strcmp(r->query[i].key, "prompt") == 0 ||
		    strcmp(r->query[i].key, "max_age") == 0)
			continue;
		str_addc(&back, first ? '?' : '&');
		first = false;
		str_add_urlenc(&back, r->query[i].key);
		str_addc(&back, '=');
		str_add_urlenc(&back, r->query[i].value);
	}
	str_adds(&loc, "/login?next=");
	str_add_urlenc(&loc, back.buf);
	redirect(r, loc.buf);
	str_release(&back);
	str_release(&loc);
}

void api_oidc_authorize(struct req *r)
{
	for (size_t i = 0; i < r->n_query; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->query[i].key, r->query[j].key) == 0) {
				problem_add(&r->problem, r->query[i].key, "duplicate_parameter",
				            NULL);
				resp_error(r, 400, "bad_request");
				return;
			}
	const char *client_id = req_query(r, "client_id"), *uri = req_query(r, "redirect_uri");
	const char *state = req_query(r, "state"), *type = req_query(r, "response_type");
	const char *scope = req_query(r, "scope"), *nonce = req_query(r, "nonce");
	const char *challenge = req_query(r, "code_challenge");
	const char *method = req_query(r, "code_challenge_method");
	const char *prompt = req_query(r, "prompt"), *max_age = req_query(r, "max_age");
	struct oidc_client c;
	int rc = client_id ? oidc_client_get(r->db, &r->arena, client_id, &c) : DB_DONE;
	if (rc && rc != DB_DONE) {
		api_db_failure(r, rc, "authorize");
		return;
	}
	/* Never redirect to a URI the client did not register: answered here. */
	if (rc == DB_DONE) {
		problem_add(&r->problem, "client_id",
		            client_id ? "reference_not_found" : "required", NULL);
		resp_error(r, 400, "bad_request");
		return;
	}
	if (!oidc_uri_registered(c.redirect_uris, c.n_redirect_uris, uri)) {
		problem_add(&r->problem, "redirect_uri", uri ? "invalid_value" : "required", NULL);
		resp_error(r, 400, "bad_request");
		return;
	}
	if (!type)
		return authorize_error(r, uri, "invalid_request", state);
	if (strcmp(type, "code") != 0)
		return authorize_error(r, uri, "unsupported_response_type", state);
	if (!scope_has(scope, "openid"))
		return authorize_error(r, uri, "invalid_scope", state);
	/* S256 only, and said (RFC 7636 would take a missing method for "plain"). */
	if ((challenge || method) && (!challenge || !method || strcmp(method, "S256") != 0 ||
	                              strlen(challenge) < 43 || strlen(challenge) > 128))
		return authorize_error(r, uri, "invalid_request", state);
	if (!c.confidential && !challenge)
		return authorize_error(r, uri, "invalid_request", state);
	char *end = NULL;
	long long age = max_age ? strtoll(max_age, &end, 10) : -1;
	if (max_age && (!*max_age || *end || age < 0))
		return authorize_error(r, uri, "invalid_request", state);
	bool login_needed = !r->authed || r->by_token;
	if (!login_needed) {
		if ((rc = policy_get(r->db, &r->arena, &r->policy))) {
			api_db_failure(r, rc, "authorize");
			return;
		}
		/* Signing in elsewhere is working here: the networks of the user's roles hold. */
		if (!policy_ip_allowed(&r->policy, r->actor.roles, r->actor.n_roles, req_ip(r)))
			return authorize_error(r, uri, "access_denied", state);
		const char *restriction = policy_restriction(&r->policy, &r->actor, time_now_ms());
		/* prompt=login and max_age ask for a new login; the way back from the login page
		 * leaves them out (to_login), so it does not loop. */
		int64_t since = time_now_ms() / 1000 - r->session.created_ms / 1000;
		login_needed = restriction || (prompt && scope_has(prompt, "login")) ||
		               (age >= 0 && since > age);
	}
	if (login_needed) {
		if (prompt && scope_has(prompt, "none"))
			return authorize_error(r, uri, "login_required", state);
		return to_login(r);
	}
	struct oidc_grant g = {.client_id = c.client_id,
	                       .user_id = r->session.user_id,
	                       .redirect_uri = uri,
	                       .scope = scope,
	                       .nonce = nonce,
	                       .code_challenge = challenge,
	                       .auth_time = r->session.created_ms / 1000};
	char code[TOKEN_TEXT_LEN];
	if ((rc = oidc_code_issue(r->db, &g, code))) {
		api_db_failure(r, rc, "authorize");
		return;
	}
	const char *params[] = {"code", code, "state", state, "iss", http_public_url, NULL};
	redirect_back(r, uri, params);
	sodium_memzero(code, sizeof code);
}

/* ---- tokens ---- */

/* The claims about a user the scope asks for, appended to an open JSON object. */
static int user_claims(struct req *r, int64_t user_id, const char *scope, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(r->db,
	                    "SELECT u.username, u.display_name, u.locale, u.email, u.org_unit_id, "
	                    "o.name, u.totp_enabled FROM users u LEFT JOIN org_units o ON "
	                    "o.id = u.org_unit_id WHERE u.id = ? AND u.disabled = ?",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	db_bind_int(st, 2, 0);
	rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc;
	}
	str_addf(out, "\"sub\":\"%lld\"", (long long)user_id);
	if (scope_has(scope, "profile")) {
		str_adds(out, ",\"preferred_username\":");
		str_add_jsons(out, db_column_text(st, 0, NULL));
		str_adds(out, ",\"name\":");
		str_add_jsons(out, db_column_text(st, db_column_null(st, 1) ? 0 : 1, NULL));
		if (!db_column_null(st, 2)) {
			str_adds(out, ",\"locale\":");
			str_add_jsons(out, db_column_text(st, 2, NULL));
		}
	}
	if (scope_has(scope, "email") && !db_column_null(st, 3)) {
		str_adds(out, ",\"email\":");
		str_add_jsons(out, db_column_text(st, 3, NULL));
		str_adds(out, ",\"email_verified\":false");
	}
	str_adds(out, ",\"org_unit\":");
	if (db_column_null(st, 4)) {
		str_adds(out, "null");
	} else {
		str_addf(out, "{\"id\":%lld,\"name\":", (long long)db_column_int(st, 4));
		str_add_jsons(out, db_column_text(st, 5, NULL));
		str_addc(out, '}');
	}
	bool otp = db_column_int(st, 6) != 0;
	db_reset(st);
	str_adds(out, ",\"roles\":");
	if ((rc = user_roles_json(r->db, user_id, out)))
		return rc;
	str_adds(out, otp ? ",\"amr\":[\"pwd\",\"otp\"]" : ",\"amr\":[\"pwd\"]");
	return DB_OK;
}

/* The client, authenticated by HTTP Basic, by the form, or (public) by its id alone. */
static bool token_client(struct req *r, const struct kv *form, size_t n, struct oidc_client *c)
{
	const char *id = kv_get(form, n, "client_id"), *secret = kv_get(form, n, "client_secret");
	const char *h = req_header(r, "Authorization");
	bool basic = h && strncasecmp(h, "Basic ", 6) == 0;
	if (basic) {
		unsigned char buf[512];
		size_t len = 0;
		if (sodium_base642bin(buf, sizeof buf - 1, h + 6, strlen(h + 6), NULL, &len, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) == 0) {
			buf[len] = '\0';
			char *colon = strchr((char *)buf, ':');
			if (colon) {
				*colon = '\0';
				/* RFC 6749 §2.3.1 form-encodes both parts first; ours (hex,
				 * base64url) have nothing to encode. */
				id = arena_strdup(&r->arena, (char *)buf);
				secret = arena_strdup(&r->arena, colon + 1);
			}
		}
		sodium_memzero(buf, sizeof buf);
	}
	int rc = id ? oidc_client_get(r->db, &r->arena, id, c) : DB_DONE;
	bool ok = rc == DB_OK && (c->confidential ? oidc_client_secret_ok(c, secret) : !secret);
	if (rc && rc != DB_DONE) {
		api_db_failure(r, rc, "token");
		return false;
	}
	if (!ok) {
		oauth_error(r, 401, "invalid_client", "client authentication failed");
		if (basic)
			resp_header(r, "WWW-Authenticate", "Basic realm=\"sextant\"");
		return false;
	}
	return true;
}

void api_oidc_token(struct req *r)
{
	struct kv *form;
	size_t n;
	if (!body_form(r, &form, &n))
		return oauth_error(r, 400, "invalid_request", "malformed or repeated parameters");
	struct oidc_client c;
	if (!token_client(r, form, n, &c))
		return;
	const char *grant = kv_get(form, n, "grant_type"), *code = kv_get(form, n, "code");
	if (!grant || strcmp(grant, "authorization_code") != 0)
		return oauth_error(r, 400, "unsupported_grant_type", "authorization_code only");
	if (!code)
		return oauth_error(r, 400, "invalid_request", "code is missing");
	struct oidc_grant g;
	bool reused = false;
	char token[TOKEN_TEXT_LEN];
	int rc =
	    oidc_code_exchange(r->db, &r->arena, code, c.client_id, kv_get(form, n, "redirect_uri"),
	                       kv_get(form, n, "code_verifier"), &g, token, &reused);
	if (rc == DB_DONE) {
		if (reused) {
			log_warn(
			    "OpenID code used twice by client %s: its tokens are revoked (request %s)",
			    c.client_id, r->request_id);
			struct op op;
			req_op(r, NULL, &op);
			op.ip = req_ip(r);
			audit_write(&op, "code_reuse", "oidc_clients", 0, NULL);
		}
		return oauth_error(r, 400, "invalid_grant",
		                   "the code is unknown, used, expired, not this client's, or its "
		                   "verifier does not match");
	}
	if (rc) {
		api_db_failure(r, rc, "token");
		return;
	}
	/* The ID token: who, for whom, until when, and the claims the scope asks for. */
	int64_t now = time_now_ms() / 1000;
	struct str claims = STR_INIT;
	str_adds(&claims, "{\"iss\":");
	str_add_jsons(&claims, http_public_url);
	str_adds(&claims, ",\"aud\":");
	str_add_jsons(&claims, c.client_id);
	str_addf(&claims, ",\"iat\":%lld,\"exp\":%lld,\"auth_time\":%lld", (long long)now,
	         (long long)(now + OIDC_TOKEN_TTL_S), (long long)g.auth_time);
	if (g.nonce) {
		str_adds(&claims, ",\"nonce\":");
		str_add_jsons(&claims, g.nonce);
	}
	str_addc(&claims, ',');
	rc = user_claims(r, g.user_id, g.scope, &claims);
	str_addc(&claims, '}');
	if (rc == DB_DONE) {
		str_release(&claims);
		return oauth_error(r, 400, "invalid_grant", "the user is not active");
	}
	const char *kid, *pem;
	struct str idt = STR_INIT;
	if (!rc)
		rc = oidc_signing_key(r->db, &r->arena, &kid, &pem);
	if (!rc && jwt_sign(pem, kid, claims.buf, claims.len, &idt))
		rc = DB_ERROR;
	str_release(&claims);
	if (rc) {
		str_release(&idt);
		api_db_failure(r, rc, "token");
		return;
	}
	struct str out = STR_INIT;
	str_adds(&out, "{\"access_token\":");
	str_add_jsons(&out, token);
	str_addf(&out,
	         ",\"token_type\":\"Bearer\",\"expires_in\":%d,\"id_token\":", OIDC_TOKEN_TTL_S);
	str_add_json(&out, idt.buf, idt.len);
	str_adds(&out, ",\"scope\":");
	str_add_jsons(&out, g.scope);
	str_addc(&out, '}');
	str_release(&idt);
	sodium_memzero(token, sizeof token);
	resp_json(r, 200, &out);
	resp_header(r, "Pragma", "no-cache");
	resp_header(r, "Cache-Control", "no-store");
}

/* GET or POST with the access token as a Bearer credential. */
void api_oidc_userinfo(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	struct oidc_grant g;
	int rc = DB_DONE;
	if (h && strncasecmp(h, "Bearer ", 7) == 0)
		rc = oidc_token_lookup(r->db, &r->arena, h + 7, &g);
	if (rc == DB_DONE) {
		oauth_error(r, 401, "invalid_token", "the access token is not valid");
		resp_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		return;
	}
	struct str out = STR_INIT;
	str_addc(&out, '{');
	if (!rc)
		rc = user_claims(r, g.user_id, g.scope, &out);
	str_addc(&out, '}');
	if (rc) {
		str_release(&out);
		if (rc == DB_DONE)
			oauth_error(r, 401, "invalid_token", "the user is not active");
		else
			api_db_failure(r, rc, "userinfo");
		return;
	}
	resp_json(r, 200, &out);
	resp_header(r, "Cache-Control", "no-store");
}

/* The claims of an ID token this provider signed (expired ones too: a logout hint may be). */
static bool id_token_claims(struct req *r, const char *jwt, json_t **claims)
{
	const char *dot = strchr(jwt, '.');
	if (!dot)
		return false;
	unsigned char head[512];
	size_t len = 0;
	if (sodium_base642bin(head, sizeof head - 1, jwt, (size_t)(dot - jwt), NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return false;
	json_t *h = json_loadb((const char *)head, len, 0, NULL);
	const char *kid = json_string_value(json_object_get(h, "kid"));
	const char *pem = NULL;
	bool ok = kid && oidc_key_pem(r->db, &r->arena, kid, &pem) == DB_OK;
	json_decref(h);
	struct str payload = STR_INIT;
	ok = ok && jwt_verify(pem, jwt, &payload);
	*claims = ok ? json_loadb(payload.buf, payload.len, 0, NULL) : NULL;
	str_release(&payload);
	const char *iss = json_string_value(json_object_get(*claims, "iss"));
	return iss && strcmp(iss, http_public_url) == 0;
}

/* RP-initiated logout: GET with id_token_hint, post_logout_redirect_uri, state. */
void api_oidc_logout(struct req *r)
{
	const char *hint = req_query(r, "id_token_hint");
	const char *uri = req_query(r, "post_logout_redirect_uri"), *state = req_query(r, "state");
	json_t *claims = NULL;
	/* Without a hint we sign, a third-party page could log people out: refused. */
	if (!hint || !id_token_claims(r, hint, &claims)) {
		json_decref(claims);
		problem_add(&r->problem, "id_token_hint", hint ? "invalid_value" : "required",
		            NULL);
		resp_error(r, 400, "bad_request");
		return;
	}
	const char *aud = json_string_value(json_object_get(claims, "aud"));
	const char *sub = json_string_value(json_object_get(claims, "sub"));
	struct oidc_client c;
	int rc = aud ? oidc_client_get(r->db, &r->arena, aud, &c) : DB_DONE;
	bool uri_ok =
	    rc == DB_OK && (!uri || oidc_uri_registered(c.logout_uris, c.n_logout_uris, uri));
	char me[24];
	snprintf(me, sizeof me, "%lld", (long long)r->session.user_id);
	bool same_user = r->authed && !r->by_token && sub && strcmp(sub, me) == 0;
	json_decref(claims);
	if (rc && rc != DB_DONE) {
		api_db_failure(r, rc, "logout");
		return;
	}
	if (!uri_ok) {
		problem_add(&r->problem, rc ? "id_token_hint" : "post_logout_redirect_uri",
		            "invalid_value", NULL);
		resp_error(r, 400, "bad_request");
		return;
	}
	if (same_user) {
		const char *token = req_cookie(r, SESSION_COOKIE);
		rc = session_delete(r->db, token);
		if (!rc)
			rc = api_audit_access(r, r->session.user_id, "logout", r->session.user_id,
			                      "{\"via\":\"oidc\"}");
		if (rc) {
			api_db_failure(r, rc, "logout");
			return;
		}
	}
	if (uri) {
		const char *params[] = {"state", state, NULL};
		redirect_back(r, uri, params);
	} else {
		struct str out = STR_INIT;
		str_adds(&out, same_user ? "{\"logged_out\":true}" : "{\"logged_out\":false}");
		resp_json(r, 200, &out);
	}
	if (same_user)
		api_set_session_cookie(r, NULL);
}

/* ---- administration ---- */

void api_oidc_clients_list(struct req *r)
{
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":");
	api_answer_data(r, oidc_clients_json(r->db, &out), &out, "listing clients");
}

/* An absolute http(s) URL without a fragment, as OAuth wants redirect URIs. */
static bool uri_ok(const char *u)
{
	return (strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0) &&
	       !strchr(u, '#') && strlen(u) <= 500 && !strpbrk(u, " \t\r\n");
}

static size_t read_uris(struct req *r, json_t *body, const char *name, const char **out,
                        bool required)
{
	json_t *a = json_object_get(body, name);
	if (!a) {
		if (required)
			problem_add(&r->problem, name, "required", NULL);
		return 0;
	}
	if (!json_is_array(a) || json_array_size(a) > OIDC_URIS_MAX ||
	    (required && !json_array_size(a))) {
		problem_add(&r->problem, name, json_is_array(a) ? "out_of_range" : "invalid_type",
		            (const char *[]){"min", required ? "1" : "0", "max", "10", NULL});
		return 0;
	}
	size_t n = 0, i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		const char *u = json_string_value(v);
		if (!u || !uri_ok(u))
			problem_add(&r->problem, arena_printf(&r->arena, "%s[%zu]", name, i),
			            "invalid_url", NULL);
		else
			out[n++] = arena_strdup(&r->arena, u);
	}
	return n;
}

void api_oidc_client_create(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"name", "redirect_uris", "post_logout_redirect_uris",
	                                      "confidential", NULL};
	body_allow(r, body, allowed);
	const char *name = NULL;
	body_text(r, body, "name", 100, true, &name);
	const char *redirects[OIDC_URIS_MAX], *logouts[OIDC_URIS_MAX];
	size_t nr = read_uris(r, body, "redirect_uris", redirects, true);
	size_t nl = read_uris(r, body, "post_logout_redirect_uris", logouts, false);
	bool confidential = true;
	body_bool(r, body, "confidential", &confidential);
	if (!body_checked(r, body))
		return;
	struct op op;
	req_op(r, NULL, &op);
	char client_id[OIDC_CLIENT_ID_LEN], secret[TOKEN_TEXT_LEN];
	int rc = oidc_client_create(&op, name, redirects, nr, logouts, nl, confidential, client_id,
	                            secret);
	if (rc) {
		api_db_failure(r, rc, "registering a client");
		return;
	}
	struct str out = STR_INIT;
	str_adds(&out, "{\"client_id\":");
	str_add_jsons(&out, client_id);
	str_adds(&out, ",\"client_secret\":");
	if (confidential)
		str_add_jsons(&out, secret);
	else
		str_adds(&out, "null");
	str_addc(&out, '}');
	sodium_memzero(secret, sizeof secret);
	resp_json(r, 201, &out);
}

void api_oidc_client_delete(struct req *r)
{
	struct op op;
	req_op(r, NULL, &op);
	int rc = oidc_client_delete(&op, r->captures[0]);
	body_answer_done(r, rc, "deleting a client");
}

void api_oidc_keys_rotate(struct req *r)
{
	struct op op;
	req_op(r, NULL, &op);
	int rc = oidc_keys_rotate(&op);
	body_answer_done(r, rc, "rotating keys");
}
