/* Log in, log out, who am I, and my own name, contact details and language. */
#include "api.h"
#include "body.h"
#include "auth/policy.h"
#include "auth/profile.h"
#include "auth/throttle.h"
#include "auth/totp.h"
#include "auth/user.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void user_json(struct req *r, struct str *out, const char *csrf)
{
	str_adds(out, "{\"csrf_token\":");
	str_add_jsons(out, csrf);
	str_adds(out, ",\"user\":{\"id\":");
	str_add_int(out, r->session.user_id);
	str_adds(out, ",\"username\":");
	str_add_jsons(out, r->session.username);
	str_adds(out, ",\"display_name\":");
	str_add_jsons(out, r->session.display_name ? r->session.display_name : "");
	str_adds(out, ",\"roles\":[");
	for (size_t i = 0; i < r->actor.n_roles; i++) {
		if (i)
			str_addc(out, ',');
		str_add_jsons(out, r->actor.roles[i]);
	}
	str_adds(out, "],\"admin\":");
	str_adds(out, r->actor.admin ? "true" : "false");
	str_adds(out, ",\"org_unit_id\":");
	if (r->actor.org_unit_id)
		str_add_int(out, r->actor.org_unit_id);
	else
		str_adds(out, "null");
	str_adds(out, ",\"locale\":");
	str_add_jsons(out, r->session.locale ? r->session.locale : lang_tags[r->lang]);
	str_adds(out, ",\"totp_enabled\":");
	str_adds(out, r->actor.totp_enabled ? "true" : "false");
	/* What must be done before anything else (a password change, a second factor). */
	const char *restriction = policy_restriction(&r->policy, &r->actor, time_now_ms());
	str_adds(out, ",\"restriction\":");
	if (restriction)
		str_add_jsons(out, restriction);
	else
		str_adds(out, "null");
	str_adds(out, "}}");
}

void api_set_session_cookie(struct req *r, const char *token)
{
	char c[256];
	snprintf(c, sizeof c, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s", SESSION_COOKIE,
	         token ? token : "", http_config->cookie_secure ? "; Secure" : "",
	         token ? "" : "; Max-Age=0");
	resp_header(r, "Set-Cookie", c);
}

/* A login refused after the password was checked: audited with why, answered with status. */
static void refuse_login(struct req *r, int64_t id, const char *reason, int status,
                         const char *code)
{
	struct str why = STR_INIT;
	str_adds(&why, "{\"reason\":");
	str_add_jsons(&why, reason);
	str_addc(&why, '}');
	int rc = api_audit_access(r, 0, "login_refused", id, why.buf);
	str_release(&why);
	if (rc)
		api_db_failure(r, rc, "auditing a refused login");
	else
		resp_error(r, status, code);
}

/*
 * The second step of a login whose password was right: the address must be allowed for the
 * user's roles, and an enrolled second factor must be given. False after answering.
 */
static bool login_second_step(struct req *r, int64_t id, const char *user, const char *totp,
                              const char *attempt_at)
{
	int rc = actor_load(r->db, &r->arena, id, &r->actor);
	if (rc) {
		api_db_failure(r, rc, "login");
		return false;
	}
	/* Answered as a wrong password, and counted as one: the answer must not tell someone
	 * on a refused network that the password was right. The trail says why. */
	if (!policy_ip_allowed(&r->policy, r->actor.roles, r->actor.n_roles, req_ip(r))) {
		log_warn("login of '%s' from %s refused: address not allowed", user, req_ip(r));
		refuse_login(r, id, "ip_not_allowed", 401, "invalid_credentials");
		return false;
	}
	/* Read now: a second factor turned on a moment ago on another node counts. */
	bool enrolled = false;
	if ((rc = totp_enabled(r->db, id, &enrolled))) {
		api_db_failure(r, rc, "login");
		return false;
	}
	if (!enrolled)
		return true;
	if (!totp || !*totp) {
		/* Not a guess: the client asks for the code and sends it all again. This attempt
		 * stops counting; earlier failures (wrong codes among them) still count. */
		if ((rc = login_throttle_uncount(r->db, user, req_ip(r), attempt_at))) {
			api_db_failure(r, rc, "login");
			return false;
		}
		resp_error(r, 401, "totp_required");
		return false;
	}
	bool recovery = false;
	rc = totp_check(r->db, id, totp, time_now_ms() / 1000, &recovery);
	if (rc == DB_DONE) {
		/* A wrong or reused code stays counted as a failed attempt. */
		log_info("login of '%s' from %s: second factor refused", user, req_ip(r));
		refuse_login(r, id, "totp", 401, "invalid_totp");
		return false;
	}
	if (rc) {
		api_db_failure(r, rc, "login");
		return false;
	}
	if (recovery && (rc = api_audit_access(r, id, "recovery_code_used", id, NULL))) {
		api_db_failure(r, rc, "login");
		return false;
	}
	return true;
}

void api_login(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	/* Copied out of the body: it is released before the last use of these. */
	const char *user = json_string_value(json_object_get(body, "username"));
	const char *pass = json_string_value(json_object_get(body, "password"));
	const char *totp = json_string_value(json_object_get(body, "totp"));
	user = user ? arena_strdup(&r->arena, user) : NULL;
	pass = pass ? arena_strdup(&r->arena, pass) : NULL;
	totp = totp ? arena_strdup(&r->arena, totp) : NULL;
	json_decref(body);
	api_forget_body(r); /* the password is in it */
	if (!user || !*user)
		problem_add(&r->problem, "username", "required", NULL);
	if (!pass || !*pass)
		problem_add(&r->problem, "password", "required", NULL);
	if (r->problem.n_errors) {
		resp_error(r, 422, "validation_failed");
		return;
	}
	int rc = policy_get(r->db, &r->arena, &r->policy);
	if (rc) {
		api_db_failure(r, rc, "login");
		return;
	}
	/* Before any password is checked: a locked account costs an attacker no argon2 time,
	 * and the attempt counts as a failure from here until it is seen to succeed. */
	const struct login_limits limits = {.account_failures = r->policy.login_account_failures,
	                                    .ip_failures = r->policy.login_ip_failures,
	                                    .window_s = r->policy.login_window_s};
	int64_t retry_after = 0;
	char attempt_at[TIME_ISO_LEN];
	rc = login_throttle_begin(r->db, &limits, user, req_ip(r), &retry_after, attempt_at);
	if (rc) {
		api_db_failure(r, rc, "login throttle");
		return;
	}
	if (retry_after > 0) {
		log_warn("login of '%s' from %s refused: too many failures", user, req_ip(r));
		char secs[24];
		snprintf(secs, sizeof secs, "%lld", (long long)retry_after);
		resp_error(r, 429, "too_many_attempts");
		resp_header(r, "Retry-After", secs);
		return;
	}
	int64_t id = 0;
	const char *hash = NULL;
	rc = user_credentials(r->db, &r->arena, user, &id, &hash);
	bool ok = false;
	if (rc == DB_OK)
		ok = password_verify(hash, pass);
	else if (rc == DB_DONE)
		password_dummy_verify(pass);
	if (pass)
		sodium_memzero((char *)pass, strlen(pass));
	if (rc != DB_OK && rc != DB_DONE) {
		api_db_failure(r, rc, "login");
		return;
	}
	if (!ok) {
		log_info("login failed for '%s' from %s", user, req_ip(r));
		/* The name as typed: it may be nobody's, or a password typed in the wrong box, so
		 * it is kept only here, for administrators. */
		struct str who = STR_INIT;
		str_adds(&who, "{\"username\":");
		str_add_jsons(&who, user);
		str_addc(&who, '}');
		rc = api_audit_access(r, 0, "login_failed", hash ? id : 0, who.buf);
		str_release(&who);
		if (rc)
			api_db_failure(r, rc, "auditing a failed login");
		else
			resp_error(r, 401, "invalid_credentials");
		return;
	}
	if (!login_second_step(r, id, user, totp, attempt_at))
		return;
	if ((rc = login_throttle_succeeded(r->db, user, req_ip(r), attempt_at))) {
		api_db_failure(r, rc, "login");
		return;
	}
	char token[TOKEN_TEXT_LEN], csrf[TOKEN_TEXT_LEN];
	/* A fresh session id at every login: a planted cookie is worth nothing (fixation). */
	const char *old = req_cookie(r, SESSION_COOKIE);
	if (old)
		session_delete(r->db, old);
	rc = session_create(r->db, id, req_ip(r), req_user_agent(r), policy_absolute_ms(&r->policy),
	                    token, csrf);
	if (!rc && (rc = api_audit_access(r, id, "login", id, NULL)))
		session_delete(r->db, token); /* no session the trail does not know of */
	if (rc) {
		api_db_failure(r, rc, "creating a session");
		return;
	}
	if (session_lookup(r->db, &r->arena, token, policy_idle_ms(&r->policy), &r->session) !=
	    DB_OK) {
		resp_fault(r, "reading the new session");
		return;
	}
	r->authed = true;
	log_info("login of '%s' from %s", user, req_ip(r));
	struct str out = STR_INIT;
	user_json(r, &out, csrf);
	resp_json(r, 200, &out);
	api_set_session_cookie(r, token);
}

void api_logout(struct req *r)
{
	/* Only a browser session is ended here; an API token is revoked instead. */
	const char *token = r->by_token ? NULL : req_cookie(r, SESSION_COOKIE);
	int rc = token ? session_delete(r->db, token) : DB_OK;
	if (!rc && token)
		rc = api_audit_access(r, r->session.user_id, "logout", r->session.user_id, NULL);
	if (rc) {
		api_db_failure(r, rc, "logout");
		return;
	}
	resp_empty(r, 204);
	api_set_session_cookie(r, NULL);
}

void api_me(struct req *r)
{
	struct str out = STR_INIT;
	user_json(r, &out, r->session.csrf);
	resp_json(r, 200, &out);
}

/* PATCH /api/v1/auth/me: the caller's own display name, e-mail, mobile and language. */
void api_me_update(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"display_name", "email", "mobile", "locale", NULL};
	body_allow(r, body, allowed);
	struct profile_change c;
	api_read_profile(r, body, &c);
	if (!body_checked(r, body))
		return;
	struct op op;
	req_op(r, NULL, &op);
	int rc = db_begin(r->db);
	if (!rc)
		rc = profile_apply(&op, r->session.user_id, &c); /* audited: "profile" */
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		api_db_failure(r, rc, "changing one's profile");
		return;
	}
	/* What this node cached of the user's sessions holds the old name and language. */
	session_cache_forget_user(r->session.user_id);
	if (c.set[PF_DISPLAY_NAME])
		r->session.display_name = c.text[PF_DISPLAY_NAME];
	if (c.set[PF_LOCALE])
		r->session.locale = c.null[PF_LOCALE] ? NULL : c.text[PF_LOCALE];
	api_me(r);
}

/* GET /api/v1/auth/sessions: the caller's own sessions, on every device. */
void api_sessions_list(struct req *r)
{
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":");
	int rc = session_list_json(r->db, r->session.user_id, req_cookie(r, SESSION_COOKIE),
	                           policy_idle_ms(&r->policy), &out);
	api_answer_data(r, rc, &out, "listing sessions");
}

/* DELETE /api/v1/auth/sessions/{id}: end one of the caller's sessions (another device's). */
void api_session_revoke(struct req *r)
{
	bool was_current = false;
	int rc = session_revoke(r->db, r->session.user_id, r->captures[0],
	                        req_cookie(r, SESSION_COOKIE), &was_current);
	if (rc == DB_DONE) {
		resp_error(r, 404, "not_found");
		return;
	}
	char what[64];
	snprintf(what, sizeof what, "{\"session\":\"%.16s\"}", r->captures[0]);
	if (!rc)
		rc = api_audit_access(r, r->session.user_id, "session_end", r->session.user_id,
		                      what);
	if (rc) {
		api_db_failure(r, rc, "ending a session");
		return;
	}
	resp_empty(r, 204);
	if (was_current)
		api_set_session_cookie(r, NULL);
}

/* DELETE /api/v1/auth/sessions: log out everywhere, this browser included. */
void api_sessions_end_all(struct req *r)
{
	int rc = session_end_all(r->db, r->session.user_id);
	session_cache_forget_user(r->session.user_id);
	if (!rc)
		rc = api_audit_access(r, r->session.user_id, "logout_everywhere",
		                      r->session.user_id, NULL);
	if (rc) {
		api_db_failure(r, rc, "ending sessions");
		return;
	}
	log_info("user %lld logged out everywhere (request %s)", (long long)r->session.user_id,
	         r->request_id);
	resp_empty(r, 204);
	api_set_session_cookie(r, NULL);
}
