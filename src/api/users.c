/*
 * The people directory (everyone reads it: owner pickers, org charts) and the administration of
 * accounts: create, change profile, roles and status, set a password, lift a lock, see and end
 * a user's sessions.
 */
#include "api.h"
#include "body.h"
#include "auth/policy.h"
#include "auth/profile.h"
#include "auth/roles.h"
#include "auth/user.h"
#include "core/log.h"
#include "meta/audit.h"
#include "meta/value.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define USERNAME_MAX     64
#define USER_ROLES_MAX   16
#define PROFILE_TEXT_MAX 200

void api_users_list(struct req *r)
{
	struct profile_query q = {.q = req_query(r, "q"), .with_roles = r->actor.admin};
	const char *unit = req_query(r, "org_unit_id"), *disabled = req_query(r, "disabled");
	if (unit && !api_id(r, unit, &q.org_unit_id))
		return;
	q.with_disabled = disabled && strcmp(disabled, "true") == 0;
	if (q.q && !*q.q)
		q.q = NULL;
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":");
	api_answer_data(r, profile_list_json(r->db, &q, &out), &out, "listing users");
}

/* Answer with the user as it now is (roles for administrators); false if that failed. */
static bool answer_user(struct req *r, int64_t id, int status)
{
	struct str out = STR_INIT;
	int rc = profile_get_json(r->db, id, r->actor.admin, &out);
	if (rc) {
		str_release(&out);
		body_answer_db(r, rc, NULL, NULL, "reading a user");
		return false;
	}
	resp_json(r, status, &out);
	return true;
}

void api_user_get(struct req *r)
{
	int64_t id;
	if (api_id(r, r->captures[0], &id))
		answer_user(r, id, 200);
}

/* How the text members of a profile are checked and normalised: as record fields of these
 * types (trimmed, no control characters; e-mail and phone formats). */
static const struct field profile_checks[PF__MAX] = {
    [PF_DISPLAY_NAME] = {.name = "display_name", .type = FT_TEXT, .max_length = PROFILE_TEXT_MAX},
    [PF_POSITION] = {.name = "position", .type = FT_TEXT, .max_length = PROFILE_TEXT_MAX},
    [PF_EMAIL] = {.name = "email", .type = FT_EMAIL, .max_length = PROFILE_TEXT_MAX},
    [PF_MOBILE] = {.name = "mobile", .type = FT_PHONE, .max_length = PROFILE_TEXT_MAX},
};

void api_read_profile(struct req *r, json_t *body, struct profile_change *c)
{
	memset(c, 0, sizeof *c);
	for (int f = 0; f < PF__MAX; f++) {
		const char *name = profile_field_names[f];
		enum body_member m;
		if (profile_field_is_id((enum profile_field)f))
			m = body_id(r, body, name, false, &c->id[f]);
		else
			m = body_text(r, body, name, PROFILE_TEXT_MAX, false, &c->text[f]);
		c->set[f] = m == BM_VALUE || m == BM_NULL;
		c->null[f] = m == BM_NULL;
		struct value v;
		struct verr e;
		if (m != BM_VALUE || !profile_checks[f].name)
			continue;
		if (value_from_text(&r->arena, &profile_checks[f], c->text[f], strlen(c->text[f]),
		                    TS_JSON, &v, &e))
			problem_add(&r->problem, name, e.code, e.params);
		else if (v.kind == V_NULL) /* only white space */
			c->null[f] = true;
		else
			c->text[f] = v.s;
	}
	if (c->set[PF_DISPLAY_NAME] && c->null[PF_DISPLAY_NAME])
		problem_add(&r->problem, "display_name", "required", NULL);
	int lang = c->set[PF_LOCALE] && !c->null[PF_LOCALE] ? lang_parse(c->text[PF_LOCALE]) : 0;
	if (lang < 0)
		problem_add(&r->problem, "locale", "invalid_option",
		            (const char *[]){"value", c->text[PF_LOCALE], NULL});
	else if (c->set[PF_LOCALE] && !c->null[PF_LOCALE])
		c->text[PF_LOCALE] = lang_tags[lang]; /* one spelling: "en", "zh-CN" */
}

/* "roles": an array of role keys; *n is -1 when absent. */
static void read_roles(struct req *r, json_t *body, const char **roles, long *n)
{
	json_t *a = json_object_get(body, "roles");
	*n = -1;
	if (!a)
		return;
	if (!json_is_array(a) || json_array_size(a) > USER_ROLES_MAX) {
		problem_add(&r->problem, "roles", json_is_array(a) ? "too_many" : "invalid_type",
		            NULL);
		return;
	}
	*n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v)) {
			problem_add(&r->problem, "roles", "invalid_type", NULL);
			return;
		}
		roles[(*n)++] = arena_strdup(&r->arena, json_string_value(v));
	}
}

/* A password an administrator sets: the policy's rules (not the history: it is not theirs). */
static bool password_ok(struct req *r, const char *password, const char *username)
{
	if (!password) {
		problem_add(&r->problem, "password", "required", NULL);
		return false;
	}
	return policy_password_ok(&r->policy, password, username, &r->problem, "password");
}

/* "must_change_password": whether the user must choose their own at the next login (yes
 * unless told otherwise: the administrator knows this one). */
static bool must_change(struct req *r, json_t *body)
{
	bool v = true;
	body_bool(r, body, "must_change_password", &v);
	return v;
}

/* Map what a user change can meet to an answer naming the member at fault. */
static void answer_user_db(struct req *r, int rc, const char *what)
{
	if (rc == DB_EFOREIGN) {
		problem_add(&r->problem, NULL, "reference_not_found", NULL);
		resp_error(r, 422, "reference_not_found");
	} else {
		body_answer_db(r, rc, "username", NULL, what);
	}
}

void api_user_create(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {
	    "username",    "password", "roles",  "display_name", "org_unit_id",          "position",
	    "superior_id", "email",    "mobile", "locale",       "must_change_password", NULL};
	body_allow(r, body, allowed);
	const char *username = NULL, *password = NULL;
	body_text(r, body, "username", USERNAME_MAX, true, &username);
	json_t *jp = json_object_get(body, "password");
	if (jp && json_is_string(jp))
		password = arena_strdup(&r->arena, json_string_value(jp));
	if (username)
		password_ok(r, password, username);
	bool change = must_change(r, body);
	struct profile_change c;
	api_read_profile(r, body, &c);
	const char *roles[USER_ROLES_MAX];
	long n_roles;
	read_roles(r, body, roles, &n_roles);
	json_decref(body);
	api_forget_body(r);
	if (n_roles <= 0)
		problem_add(&r->problem, "roles", "required", NULL);
	if (r->problem.n_errors) {
		resp_error(r, 422, "validation_failed");
		return;
	}
	struct op op;
	req_op(r, NULL, &op);
	int64_t id = 0;
	int rc = db_begin(r->db);
	if (!rc)
		rc = user_insert(r->db, username, c.text[PF_DISPLAY_NAME], roles[0], password,
		                 change, &id);
	if (!rc)
		rc = profile_apply(&op, id, &c);
	if (!rc)
		rc = user_set_roles(&op, id, roles, (size_t)n_roles);
	if (!rc)
		rc = audit_write(&op, "user_create", "users", id, NULL);
	rc = actor_change_end(r->db, rc);
	sodium_memzero((char *)password, strlen(password));
	if (rc) {
		answer_user_db(r, rc, "adding a user");
		return;
	}
	log_info("user '%s' (id %lld) added by user %lld", username, (long long)id,
	         (long long)r->session.user_id);
	if (answer_user(r, id, 201)) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/users/%lld", (long long)id);
		resp_header(r, "Location", loc);
	}
}

void api_user_update(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {
	    "roles",       "disabled", "display_name", "org_unit_id", "position",
	    "superior_id", "email",    "mobile",       "locale",      NULL};
	body_allow(r, body, allowed);
	struct profile_change c;
	api_read_profile(r, body, &c);
	const char *roles[USER_ROLES_MAX];
	long n_roles;
	read_roles(r, body, roles, &n_roles);
	bool disabled = false;
	enum body_member dm = body_bool(r, body, "disabled", &disabled);
	json_decref(body);
	if (n_roles == 0)
		problem_add(&r->problem, "roles", "required", NULL);
	if (dm == BM_VALUE && disabled && id == r->session.user_id)
		problem_add(&r->problem, "disabled", "invalid_value", NULL); /* not oneself */
	if (r->problem.n_errors) {
		resp_error(r, 422, "validation_failed");
		return;
	}
	struct op op;
	req_op(r, NULL, &op);
	int64_t exists = 0;
	char sid[24];
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	int rc = db_begin(r->db);
	if (!rc)
		rc = db_query_int(r->db, "SELECT count(*) FROM users WHERE id = ?", 1,
		                  (const char *[]){sid}, &exists);
	if (!rc && !exists)
		rc = DB_DONE;
	if (!rc)
		rc = profile_apply(&op, id, &c);
	if (!rc && n_roles > 0)
		rc = user_set_roles(&op, id, roles, (size_t)n_roles);
	/* Committed, then the cached scopes go: none is read in between and kept. */
	if ((rc = actor_change_end(r->db, rc))) {
		answer_user_db(r, rc, "changing a user");
		return;
	}
	bool changed;
	/* Its own transaction: disabling also ends every session of the user. */
	if (dm == BM_VALUE &&
	    (rc = user_set_disabled(r->db, id, disabled, r->session.user_id, &changed))) {
		api_db_failure(r, rc, "disabling a user");
		return;
	}
	answer_user(r, id, 200);
}

/* The username of a user id, for the calls that take one; false after answering. */
static bool username_of(struct req *r, int64_t id, const char **name)
{
	struct db_stmt *st;
	int rc = db_prepare(r->db, "SELECT username FROM users WHERE id = ?", &st);
	if (!rc) {
		db_bind_int(st, 1, id);
		rc = db_step(st);
		if (rc == DB_ROW)
			*name = arena_strdup(&r->arena, db_column_text(st, 0, NULL));
		db_reset(st);
	}
	if (rc == DB_ROW)
		return true;
	body_answer_db(r, rc, NULL, NULL, "reading a user");
	return false;
}

void api_user_password(struct req *r)
{
	int64_t id;
	const char *name;
	if (!api_id(r, r->captures[0], &id) || !username_of(r, id, &name))
		return;
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"password", "must_change_password", NULL};
	body_allow(r, body, allowed);
	json_t *jp = json_object_get(body, "password");
	const char *password = jp && json_is_string(jp) ? json_string_value(jp) : NULL;
	bool change = must_change(r, body);
	bool ok = password_ok(r, password, name) && !r->problem.n_errors;
	int rc = ok ? user_set_password(r->db, id, password, r->session.user_id, change) : DB_OK;
	json_decref(body); /* the password lived in the body: freed with it */
	api_forget_body(r);
	if (!ok)
		resp_error(r, 422, "validation_failed");
	else if (rc)
		body_answer_db(r, rc, NULL, NULL, "setting a password");
	else
		resp_empty(r, 204);
}

void api_user_unlock(struct req *r)
{
	int64_t id;
	const char *name;
	if (!api_id(r, r->captures[0], &id) || !username_of(r, id, &name))
		return;
	int rc = user_unlock(r->db, id, name, r->session.user_id);
	body_answer_done(r, rc, "unlocking a user");
}

void api_user_sessions(struct req *r)
{
	int64_t id;
	const char *name;
	if (!api_id(r, r->captures[0], &id) || !username_of(r, id, &name))
		return;
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":");
	api_answer_data(r, session_list_json(r->db, id, NULL, policy_idle_ms(&r->policy), &out),
	                &out, "listing sessions");
}

void api_user_sessions_end(struct req *r)
{
	int64_t id;
	const char *name;
	if (!api_id(r, r->captures[0], &id) || !username_of(r, id, &name))
		return;
	int rc = session_end_all(r->db, id);
	session_cache_forget_user(id);
	if (!rc)
		rc = api_audit_access(r, r->session.user_id, "sessions_ended", id, NULL);
	body_answer_done(r, rc, "ending sessions");
}
