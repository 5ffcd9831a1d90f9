/*
 * The shared customer pool (modules/pool.h, docs/internals/POOL.md): its list, claiming,
 * releasing, handing a customer over, a customer's moves, and the rules administrators set;
 * and the customer's 360° view (modules/customer360.h): its summary and timeline; its
 * loyalty (modules/loyalty.h).
 */
#include "api.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/access.h"
#include "meta/crud.h"
#include "meta/query.h"
#include "modules/customer360.h"
#include "modules/loyalty.h"
#include "modules/pool.h"
#include "services/settings.h"

#include <stdlib.h>

/* api_begin for the pool's routes: the entity must have a pool. False after answering. */
static bool pool_begin(struct req *r, struct op *op, int64_t *id, json_t **body)
{
	if (!api_begin(r, op, id, body))
		return false;
	if (op->e->pool)
		return true;
	if (body)
		json_decref(*body);
	resp_error(r, 404, "not_found");
	return false;
}

void api_entity_pool(struct req *r)
{
	struct op op;
	if (!pool_begin(r, &op, NULL, NULL))
		return;
	op.pool_view = true;
	struct list_query q;
	struct str out = STR_INIT;
	int status = 200, rc;
	if (access_scope(&op, ACT_READ) == SCOPE_NONE)
		status = problem_set(op.problem, 403, "forbidden");
	else if (list_parse(&op, r->query, r->n_query, NULL, &q))
		status = -1;
	else if ((rc = list_page(&op, &q, &out)))
		status = crud_db_error(&op, rc, "list");
	api_answer(r, status, &out);
}

void api_pool_claim(struct req *r)
{
	struct op op;
	int64_t id;
	if (!pool_begin(r, &op, &id, NULL))
		return;
	struct str out = STR_INIT;
	api_answer(r, pool_claim(&op, id, &out), &out);
}

void api_pool_release(struct req *r)
{
	struct op op;
	int64_t id;
	json_t *body;
	if (!pool_begin(r, &op, &id, &body))
		return;
	struct str out = STR_INIT;
	int status = pool_release(&op, id, body, &out);
	json_decref(body);
	api_answer(r, status, &out);
}

void api_pool_handover(struct req *r)
{
	struct op op;
	int64_t id;
	json_t *body;
	if (!pool_begin(r, &op, &id, &body))
		return;
	struct str out = STR_INIT;
	int status = pool_handover(&op, id, body, &out);
	json_decref(body);
	api_answer(r, status, &out);
}

#define MOVES_SPEC                                                                         \
	"iid,taction,ifrom_user_id,tfrom_user_name,ito_user_id,tto_user_name,iby_user_id," \
	"tby_user_name,treason,Tat"

static const char *const move_actions[] = {"warned",   "returned", "released", "claimed",
                                           "assigned", "handover", NULL};

void api_customer_moves(struct req *r)
{
	struct op op;
	int64_t id;
	if (!pool_begin(r, &op, &id, NULL))
		return;
	static const struct page_filter filters[] = {{"action", move_actions}, {0}};
	const char *v[1];
	int64_t limit, cursor;
	if (!api_page_params(r, filters, v, &limit, &cursor))
		return;
	int rc = access_find_record(&op, ACT_READ, id);
	if (rc == DB_DONE) {
		resp_error(r, 404, "not_found");
		return;
	}
	struct db_stmt *st = NULL;
	struct str out = STR_INIT;
	if (!rc) {
		struct str sql = STR_INIT;
		str_adds(
		    &sql,
		    "SELECT m.id, m.action, m.from_user_id, COALESCE(f.display_name, f.username), "
		    "m.to_user_id, COALESCE(t.display_name, t.username), m.by_user_id, "
		    "COALESCE(b.display_name, b.username), m.reason, m.at FROM customer_moves m "
		    "LEFT JOIN users f ON f.id = m.from_user_id LEFT JOIN users t ON t.id = "
		    "m.to_user_id LEFT JOIN users b ON b.id = m.by_user_id WHERE m.customer_id = ?");
		if (cursor)
			str_adds(&sql, " AND m.id < ?");
		if (v[0])
			str_adds(&sql, " AND m.action = ?");
		str_adds(&sql, " ORDER BY m.id DESC LIMIT ?");
		rc = db_prepare(r->db, sql.buf, &st);
		str_release(&sql);
	}
	if (!rc) {
		int i = 1;
		db_bind_int(st, i++, id);
		if (cursor)
			db_bind_int(st, i++, cursor);
		if (v[0])
			db_bind_texts(st, i++, v[0]);
		db_bind_int(st, i, limit);
		str_adds(&out, "{\"data\":[");
	}
	api_answer_list(r, rc, st, MOVES_SPEC, NULL, limit, &out, "listing a customer's moves");
}

void api_pool_settings_get(struct req *r)
{
	struct pool_rules v;
	int rc = pool_rules_load(r->db, &v);
	api_settings_answer(r, rc, rc ? NULL : pool_rules_json(&v));
}

static int check_pool(struct req *r, const json_t *body)
{
	return pool_rules_check(registry_entity(r->reg, "customers"), body, &r->problem);
}

void api_pool_settings_put(struct req *r)
{
	api_settings_put(r, "pool", check_pool, api_pool_settings_get);
}

void api_customer_loyalty(struct req *r)
{
	struct op op;
	int64_t id;
	if (!pool_begin(r, &op, &id, NULL))
		return;
	struct str out = STR_INIT;
	api_answer(r, customer_loyalty(&op, id, &out), &out);
}

void api_customer_summary(struct req *r)
{
	struct op op;
	int64_t id;
	if (!pool_begin(r, &op, &id, NULL))
		return;
	struct str out = STR_INIT;
	api_answer(r, customer_summary(&op, id, &out), &out);
}

void api_customer_timeline(struct req *r)
{
	struct op op;
	int64_t id;
	if (!pool_begin(r, &op, &id, NULL))
		return;
	const char *cursor = NULL;
	int64_t limit = 50;
	for (size_t i = 0; i < r->n_query; i++) {
		const struct kv *p = &r->query[i];
		char *end;
		if (str_eq(p->key, "cursor")) {
			cursor = p->value;
		} else if (str_eq(p->key, "limit")) {
			limit = strtoll(p->value, &end, 10);
			if (!*p->value || *end || limit < 1 || limit > TIMELINE_LIMIT_MAX) {
				problem_add(op.problem, "limit", "out_of_range",
				            (const char *[]){"min", "1", "max", "200", NULL});
				limit = 0;
			}
		} else {
			problem_add(op.problem, arena_strdup(op.arena, p->key), "unknown_parameter",
			            NULL);
		}
	}
	struct str out = STR_INIT;
	int status = op.problem->n_errors ? problem_set(op.problem, 400, "bad_request")
	                                  : customer_timeline(&op, id, cursor, limit, &out);
	api_answer(r, status, &out);
}
