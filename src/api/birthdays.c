/*
 * Birthday reminders (modules/birthdays.h): the rules administrators set, and the coming
 * birthdays of the caller's own contacts (their workbench).
 */
#include "api.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/access.h"
#include "modules/birthdays.h"

#include <inttypes.h>
#include <stdlib.h>

void api_birthday_settings_get(struct req *r)
{
	struct birthday_rules v;
	int rc = birthday_rules_load(r->db, &v);
	api_settings_answer(r, rc, rc ? NULL : birthday_rules_json(&v));
}

static int check_birthday(struct req *r, const json_t *body)
{
	return birthday_rules_check(body, &r->problem);
}

void api_birthday_settings_put(struct req *r)
{
	api_settings_put(r, "birthdays", check_birthday, api_birthday_settings_get);
}

#define UPCOMING_MAX 200

struct upcoming {
	int64_t id, customer_id, next;
	int days;
	bool lunar;
	const char *name, *customer;
};

static int by_days(const void *a, const void *b)
{
	const struct upcoming *x = a, *y = b;
	return x->days != y->days ? x->days - y->days : (x->id > y->id) - (x->id < y->id);
}

/* GET /api/v1/contacts/birthdays?days=1..366 (30): the caller's own contacts' coming birthdays,
 * soonest first. A birthday is personal data: the caller needs the sensitive action. */
void api_contacts_birthdays(struct req *r)
{
	const struct entity *e = api_entity(r, "contacts");
	if (!e)
		return;
	struct op op;
	req_op(r, e, &op);
	int64_t days = 30;
	for (size_t i = 0; i < r->n_query; i++) {
		char *end;
		if (!str_eq(r->query[i].key, "days")) {
			problem_add(op.problem, arena_strdup(op.arena, r->query[i].key),
			            "unknown_parameter", NULL);
			continue;
		}
		days = strtoll(r->query[i].value, &end, 10);
		if (!*r->query[i].value || *end || days < 1 || days > 366)
			problem_add(op.problem, "days", "out_of_range",
			            (const char *[]){"min", "1", "max", "366", NULL});
	}
	if (op.problem->n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	if (access_scope(&op, ACT_SENSITIVE) == SCOPE_NONE) {
		resp_error(r, 403, "forbidden");
		return;
	}
	struct db_stmt *st;
	int rc = db_prepare(r->db,
	                    "SELECT c.id, c.name, c.birthday, c.birthday_lunar, c.customer_id, "
	                    "COALESCE(k.name, '') FROM contacts c LEFT JOIN customers k ON k.id = "
	                    "c.customer_id WHERE c.owner_id = ? AND c.deleted_at IS NULL AND "
	                    "c.birthday IS NOT NULL",
	                    &st);
	if (rc) {
		api_db_failure(r, rc, "listing birthdays");
		return;
	}
	db_bind_int(st, 1, op.user_id);
	struct upcoming *list = ARENA_NEW_ARRAY(op.arena, struct upcoming, UPCOMING_MAX);
	size_t n = 0;
	int64_t today = birthday_today();
	while ((rc = db_step(st)) == DB_ROW && n < UPCOMING_MAX) {
		struct upcoming u = {.id = db_column_int(st, 0),
		                     .lunar = !db_column_null(st, 3) && db_column_int(st, 3),
		                     .customer_id = db_column_int(st, 4)};
		if (!birthday_of(db_column_text(st, 2, NULL), u.lunar, today, &u.next, &u.days) ||
		    u.days > days)
			continue;
		u.name = arena_strdup(op.arena, db_column_text(st, 1, NULL));
		u.customer = arena_strdup(op.arena, db_column_text(st, 5, NULL));
		list[n++] = u;
	}
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		api_db_failure(r, rc, "listing birthdays");
		return;
	}
	qsort(list, n, sizeof *list, by_days);
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	for (size_t i = 0; i < n; i++) {
		int y, m, d;
		char lunar[64] = "";
		time_civil_from_days(list[i].next, &y, &m, &d);
		if (list[i].lunar)
			birthday_lunar_text(list[i].next, r->lang, lunar, sizeof lunar);
		str_addf(&out, "%s{\"id\":%" PRId64 ",\"name\":", i ? "," : "", list[i].id);
		str_add_jsons(&out, list[i].name);
		str_addf(&out, ",\"customer\":{\"id\":%" PRId64 ",\"name\":", list[i].customer_id);
		str_add_jsons(&out, list[i].customer);
		str_addf(&out,
		         "},\"date\":\"%04d-%02d-%02d\",\"days\":%d,\"lunar\":%s,\"lunar_text\":",
		         y, m, d, list[i].days, list[i].lunar ? "true" : "false");
		if (list[i].lunar)
			str_add_jsons(&out, lunar);
		else
			str_adds(&out, "null");
		str_addc(&out, '}');
	}
	str_adds(&out, "]}");
	resp_json(r, 200, &out);
}
