/*
 * A user's own credentials (change the password, set up or turn off the second factor), an
 * administrator's reset of someone's second factor, and the security policy (administrators).
 */
#include "api.h"
#include "body.h"
#include "auth/policy.h"
#include "auth/roles.h"
#include "auth/throttle.h"
#include "auth/totp.h"
#include "auth/user.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "db/dbjson.h"
#include "meta/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TOTP_ISSUER "Sextant"

/*
 * The caller's password, checked again before a change to their credentials. Counted like a
 * login (a stolen session must not become a way to guess the password): a wrong one is a
 * failure, and a locked account is answered 429. False with the problem added, or after
 * answering (*answered).
 */
static bool reauthenticated(struct req *r, json_t *body, const char *field, bool *answered)
{
	const char *given = json_string_value(json_object_get(body, field));
	*answered = false;
	if (!given) {
		problem_add(&r->problem, field, "required", NULL);
		return false;
	}
	const struct login_limits limits = {.account_failures = r->policy.login_account_failures,
	                                    .ip_failures = r->policy.login_ip_failures,
	                                    .window_s = r->policy.login_window_s};
	int64_t retry_after = 0, id;
	char at[TIME_ISO_LEN];
	const char *user = r->session.username, *hash = NULL;
	int rc = login_throttle_begin(r->db, &limits, user, req_ip(r), &retry_after, at);
	if (!rc && retry_after > 0) {
		char secs[24];
		snprintf(secs, sizeof secs, "%lld", (long long)retry_after);
		resp_error(r, 429, "too_many_attempts");
		resp_header(r, "Retry-After", secs);
		*answered = true;
		return false;
	}
	if (!rc)
		rc = user_credentials(r->db, &r->arena, user, &id, &hash);
	bool ok = rc == DB_OK && password_verify(hash, given);
	if (ok)
		rc = login_throttle_succeeded(r->db, user, req_ip(r), at);
	if (rc && rc != DB_DONE) {
		api_db_failure(r, rc, "checking a password");
		*answered = true;
		return false;
	}
	if (!ok)
		problem_add(&r->problem, field, "wrong_password", NULL);
	return ok;
}

/* A new session after a change of credentials (the old one ended with them): its CSRF token
 * into out, its token for the cookie into token. */
static int fresh_session(struct req *r, struct str *out, char token[TOKEN_TEXT_LEN])
{
	char csrf[TOKEN_TEXT_LEN];
	int rc = session_create(r->db, r->session.user_id, req_ip(r), req_user_agent(r),
	                        policy_absolute_ms(&r->policy), token, csrf);
	if (rc)
		return rc;
	str_adds(out, "{\"csrf_token\":");
	str_add_jsons(out, csrf);
	str_addc(out, '}');
	return DB_OK;
}

/* POST /api/v1/auth/password {current_password, new_password}: the caller's own. */
void api_password_change(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"current_password", "new_password", NULL};
	body_allow(r, body, allowed);
	const char *fresh = json_string_value(json_object_get(body, "new_password"));
	bool answered;
	bool ok = reauthenticated(r, body, "current_password", &answered);
	if (answered) {
		json_decref(body);
		return;
	}
	if (!fresh)
		problem_add(&r->problem, "new_password", "required", NULL);
	else if (policy_password_ok(&r->policy, fresh, r->session.username, &r->problem,
	                            "new_password") &&
	         ok) {
		bool reused = false;
		int rc = password_reused(r->db, r->session.user_id, fresh,
		                         r->policy.password_history, &reused);
		if (rc) {
			json_decref(body);
			api_db_failure(r, rc, "checking the password history");
			return;
		}
		if (reused)
			problem_add(&r->problem, "new_password", "password_reused", NULL);
	}
	if (r->problem.n_errors) {
		json_decref(body);
		resp_error(r, 422, "validation_failed");
		return;
	}
	/* Every session of the user ends, this one too; this browser gets a new one. */
	int rc = user_set_password(r->db, r->session.user_id, fresh, r->session.user_id, false);
	json_decref(body);
	api_forget_body(r);
	struct str out = STR_INIT;
	char token[TOKEN_TEXT_LEN];
	if (!rc)
		rc = fresh_session(r, &out, token);
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "changing a password");
		return;
	}
	log_info("user %lld changed their password", (long long)r->session.user_id);
	resp_json(r, 200, &out);
	api_set_session_cookie(r, token);
}

/*
 * A body of just {"password"}, the caller's, checked again; keep_totp: refused too when a role
 * of the caller requires a second factor. False after answering.
 */
static bool password_body(struct req *r, bool keep_totp)
{
	json_t *body = api_json_body(r);
	if (!body)
		return false;
	static const char *const allowed[] = {"password", NULL};
	body_allow(r, body, allowed);
	bool answered;
	reauthenticated(r, body, "password", &answered);
	json_decref(body);
	api_forget_body(r);
	if (answered)
		return false;
	if (keep_totp && !r->problem.n_errors &&
	    policy_totp_required(&r->policy, r->actor.roles, r->actor.n_roles))
		problem_add(&r->problem, NULL, "totp_required_by_policy", NULL);
	if (r->problem.n_errors) {
		resp_error(r, 422, "validation_failed");
		return false;
	}
	return true;
}

/* POST /api/v1/auth/totp/setup {password}: a new secret, its URI and QR code, until confirmed.
 * The password first: a stolen session must not enrol the thief's phone. */
void api_totp_setup(struct req *r)
{
	if (!password_body(r, false))
		return;
	struct str secret = STR_INIT, uri = STR_INIT, svg = STR_INIT;
	int rc = totp_setup(r->db, r->session.user_id, TOTP_ISSUER, r->session.username, &secret,
	                    &uri, &svg);
	if (rc == DB_ECONSTRAINT) {
		problem_add(&r->problem, NULL, "totp_enabled", NULL);
		resp_error(r, 409, "conflict");
	} else if (rc) {
		api_db_failure(r, rc, "setting up a second factor");
	} else {
		struct str out = STR_INIT;
		str_adds(&out, "{\"secret\":");
		str_add_json(&out, secret.buf, secret.len);
		str_adds(&out, ",\"uri\":");
		str_add_json(&out, uri.buf, uri.len);
		str_adds(&out, ",\"qr_svg\":");
		str_add_json(&out, svg.buf, svg.len);
		str_addc(&out, '}');
		resp_json(r, 200, &out);
	}
	sodium_memzero(secret.buf, secret.len);
	sodium_memzero(uri.buf, uri.len);
	str_release(&secret);
	str_release(&uri);
	str_release(&svg);
}

/* POST /api/v1/auth/totp/confirm {code}: the second factor is on; recovery codes, this once. */
void api_totp_confirm(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"code", NULL};
	body_allow(r, body, allowed);
	const char *code = NULL;
	body_text(r, body, "code", 16, true, &code);
	if (!body_checked(r, body))
		return;
	struct str codes = STR_INIT;
	int rc = totp_confirm(r->db, r->session.user_id, code, time_now_ms() / 1000, &codes);
	if (rc == DB_DONE) {
		problem_add(&r->problem, "code", "invalid_totp", NULL);
		resp_error(r, 422, "validation_failed");
	} else if (rc == DB_ECONSTRAINT) {
		problem_add(&r->problem, NULL, "totp_enabled", NULL);
		resp_error(r, 409, "conflict");
	} else if (!rc && !(rc = api_audit_access(r, r->session.user_id, "totp_enable",
	                                          r->session.user_id, NULL))) {
		actor_cache_invalidate();
		struct str out = STR_INIT;
		str_adds(&out, "{\"recovery_codes\":");
		str_add(&out, codes.buf, codes.len);
		str_addc(&out, '}');
		resp_json(r, 200, &out);
	}
	if (rc && rc != DB_DONE && rc != DB_ECONSTRAINT)
		api_db_failure(r, rc, "confirming a second factor");
	sodium_memzero(codes.buf, codes.len);
	str_release(&codes);
}

/* DELETE /api/v1/auth/totp {password}: off, unless a role of the caller needs it. */
void api_totp_disable(struct req *r)
{
	if (!password_body(r, true))
		return;
	int rc = totp_disable(r->db, r->session.user_id);
	if (!rc)
		rc = api_audit_access(r, r->session.user_id, "totp_disable", r->session.user_id,
		                      NULL);
	if (rc) {
		api_db_failure(r, rc, "turning off a second factor");
		return;
	}
	actor_cache_invalidate();
	resp_empty(r, 204);
}

/* DELETE /api/v1/users/{id}/totp: an administrator clears a lost second factor. */
void api_user_totp_reset(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	int64_t n = 0;
	int rc = db_query_int(r->db, "SELECT count(*) FROM users WHERE id = ?", 1,
	                      (const char *[]){sid}, &n);
	if (!rc && !n)
		rc = DB_DONE;
	if (!rc)
		rc = totp_disable(r->db, id);
	if (!rc)
		rc = api_audit_access(r, r->session.user_id, "totp_reset", id, NULL);
	if (rc) {
		body_answer_db(r, rc, NULL, NULL, "resetting a second factor");
		return;
	}
	actor_cache_invalidate();
	resp_empty(r, 204);
}

/* ---- the security policy ---- */

/* Who may export: the roles with an export permission (set on roles, shown here). */
static int exporters_json(struct db *db, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT DISTINCT role FROM role_permissions WHERE action = 'export' "
	                    "UNION SELECT 'admin' ORDER BY 1",
	                    &st);
	return rc ? rc : json_add_text_rows(st, out);
}

static int policy_answer_json(struct req *r, const struct security_policy *p, struct str *out)
{
	policy_json(p, out);
	str_truncate(out, out->len - 1); /* reopen the object */
	str_adds(out, ",\"exporters\":");
	int rc = exporters_json(r->db, out);
	str_addc(out, '}');
	return rc;
}

void api_policy_get(struct req *r)
{
	struct str out = STR_INIT;
	int rc = policy_answer_json(r, &r->policy, &out);
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "reading the policy");
		return;
	}
	resp_json(r, 200, &out);
}

static bool role_known(void *ctx, const char *role)
{
	return role_exists(ctx, role) == DB_OK;
}

/* PUT /api/v1/security-policy: the whole policy (what it leaves out takes the defaults). */
void api_policy_put(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	struct security_policy p;
	int bad = policy_parse(&r->arena, body, role_known, r->db, &r->problem, &p);
	json_decref(body);
	if (bad) {
		resp_error(r, 422, "validation_failed");
		return;
	}
	/* An administrator does not lock themselves out: their own address must stay allowed. */
	if (!policy_ip_allowed(&p, r->actor.roles, r->actor.n_roles, req_ip(r))) {
		problem_add(&r->problem, "ip_allowlist", "locks_you_out", NULL);
		resp_error(r, 422, "validation_failed");
		return;
	}
	struct op op;
	req_op(r, NULL, &op);
	struct str before = STR_INIT, after = STR_INIT, c = STR_INIT;
	policy_json(&r->policy, &before);
	policy_json(&p, &after);
	str_adds(&c, "{\"policy\":[");
	str_add(&c, before.buf, before.len);
	str_addc(&c, ',');
	str_add(&c, after.buf, after.len);
	str_adds(&c, "]}");
	int rc = db_begin(r->db);
	if (!rc)
		rc = policy_store(r->db, &p, r->session.user_id);
	if (!rc)
		rc = audit_write(&op, "policy", "security_policy", 0, c.buf);
	if (!rc)
		rc = db_commit(r->db);
	str_release(&before);
	str_release(&after);
	str_release(&c);
	if (rc) {
		db_rollback(r->db);
		api_db_failure(r, rc, "storing the policy");
		return;
	}
	policy_cache_invalidate();
	struct str out = STR_INIT;
	if ((rc = policy_answer_json(r, &p, &out))) {
		str_release(&out);
		api_db_failure(r, rc, "reading the policy");
		return;
	}
	resp_json(r, 200, &out);
}
