/* Roles and their permissions (administrators): list, add, rename, delete, set permissions. */
#include "api.h"
#include "body.h"
#include "auth/roles.h"

#include <stdio.h>
#include <string.h>

#define ROLE_NAME_MAX 50
#define ROLE_KEY_MAX  32

void api_roles_list(struct req *r)
{
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":");
	api_answer_data(r, roles_list_json(r->db, &out), &out, "listing roles");
}

static bool key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n < 2 || n > ROLE_KEY_MAX || k[0] < 'a' || k[0] > 'z')
		return false;
	return strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* "name": {"zh-CN": …, "en": …}, both required. */
static void read_names(struct req *r, json_t *body, const char **zh, const char **en)
{
	json_t *name = json_object_get(body, "name");
	*zh = *en = NULL;
	if (!json_is_object(name)) {
		problem_add(&r->problem, "name", name ? "invalid_type" : "required", NULL);
		return;
	}
	static const char *const langs[] = {"zh-CN", "en", NULL};
	size_t first = r->problem.n_errors;
	body_allow(r, name, langs);
	body_text(r, name, "zh-CN", ROLE_NAME_MAX, true, zh);
	body_text(r, name, "en", ROLE_NAME_MAX, true, en);
	/* The members are checked inside "name": say so, as name.zh-CN. */
	for (size_t i = first; i < r->problem.n_errors; i++)
		r->problem.errors[i].field =
		    arena_printf(&r->arena, "name.%s", r->problem.errors[i].field);
}

void api_role_create(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"key", "name", NULL};
	body_allow(r, body, allowed);
	const char *key = NULL, *zh, *en;
	if (body_text(r, body, "key", ROLE_KEY_MAX, true, &key) == BM_VALUE && !key_ok(key))
		problem_add(&r->problem, "key", "invalid_name", NULL);
	read_names(r, body, &zh, &en);
	if (!body_checked(r, body))
		return;
	struct op op;
	req_op(r, NULL, &op);
	int rc = role_create(&op, key, zh, en);
	if (rc) {
		if (rc == DB_ECONSTRAINT)
			problem_add(&r->problem, "key", "duplicate", NULL);
		body_answer_db(r, rc, NULL, NULL, "adding a role");
		return;
	}
	struct str out = STR_INIT;
	str_adds(&out, "{\"key\":");
	str_add_jsons(&out, key);
	str_addc(&out, '}');
	resp_json(r, 201, &out);
}

void api_role_update(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"name", NULL};
	body_allow(r, body, allowed);
	const char *zh, *en;
	read_names(r, body, &zh, &en);
	if (!body_checked(r, body))
		return;
	struct op op;
	req_op(r, NULL, &op);
	int rc = role_rename(&op, r->captures[0], zh, en);
	body_answer_done(r, rc, "renaming a role");
}

void api_role_delete(struct req *r)
{
	struct op op;
	req_op(r, NULL, &op);
	int rc = role_delete(&op, r->captures[0]);
	if (rc == DB_ECONSTRAINT)
		problem_add(&r->problem, "key", "role_in_use", NULL);
	body_answer_done(r, rc, "deleting a role");
}

/* PUT {"permissions": {"entity or *": {"action": "scope", …}, …}}: the role's whole matrix. */
void api_role_permissions(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"permissions", NULL};
	body_allow(r, body, allowed);
	json_t *perms = json_object_get(body, "permissions");
	if (!json_is_object(perms))
		problem_add(&r->problem, "permissions", perms ? "invalid_type" : "required", NULL);
	if (strcmp(r->captures[0], "admin") == 0)
		problem_add(&r->problem, "permissions", "read_only", NULL); /* may do all */
	size_t cap = 16, n = 0;
	struct permission *list = ARENA_NEW_ARRAY(&r->arena, struct permission, cap);
	const char *entity;
	json_t *acts;
	json_object_foreach(perms, entity, acts)
	{
		const char *path = arena_printf(&r->arena, "permissions.%s", entity);
		if (strcmp(entity, "*") != 0 && !registry_entity(r->reg, entity)) {
			problem_add(&r->problem, path, "unknown_entity", NULL);
			continue;
		}
		if (!json_is_object(acts)) {
			problem_add(&r->problem, path, "invalid_type", NULL);
			continue;
		}
		const char *act;
		json_t *scope;
		json_object_foreach(acts, act, scope)
		{
			const char *apath = arena_printf(&r->arena, "%s.%s", path, act);
			int a = action_parse(act);
			int s = json_is_string(scope) ? scope_parse(json_string_value(scope)) : -1;
			if (a < 0) {
				problem_add(&r->problem, apath, "unknown_field", NULL);
				continue;
			}
			if (s < 0) {
				problem_add(&r->problem, apath, "invalid_option", NULL);
				continue;
			}
			if (s == SCOPE_NONE)
				continue; /* what is not allowed has no line */
			if (n == cap) {
				struct permission *bigger =
				    ARENA_NEW_ARRAY(&r->arena, struct permission, cap * 2);
				memcpy(bigger, list, cap * sizeof *list);
				list = bigger;
				cap *= 2;
			}
			list[n++] = (struct permission){.entity = arena_strdup(&r->arena, entity),
			                                .action = (enum action)a,
			                                .scope = (enum scope)s};
		}
	}
	if (!body_checked(r, body))
		return;
	struct op op;
	req_op(r, NULL, &op);
	int rc = role_set_permissions(&op, r->captures[0], list, n);
	body_answer_done(r, rc, "setting permissions");
}
