#include "work_plans.h"

#include "period.h"
#include "core/str.h"
#include "core/util.h"
#include "meta/access.h"
#include "meta/crud.h"

#include <stdio.h>

static int recount(struct op *op, int64_t plan);

int work_plans_created(struct op *op, int64_t id, const struct value *vals)
{
	/* Counted from the start: a new plan has 0 of 0 items done, not none. */
	int status = period_fill(op, id, NULL, vals);
	return status < 0 ? status : recount(op, id);
}

/* A plan given to someone else gives them its items too: a batch at a time, each moved item
 * leaving the query's rows, until a batch comes back short. */
static int items_follow(struct op *op, int64_t plan, int64_t owner)
{
	const struct entity *items = registry_entity(op->reg, "work_plan_items");
	int64_t ids[256];
	size_t n;
	do {
		struct db_stmt *st;
		int rc =
		    db_prepare(op->db,
		               "SELECT id FROM work_plan_items WHERE plan_id = ?"
		               " AND deleted_at IS NULL AND owner_id <> ? ORDER BY id LIMIT 256",
		               &st);
		if (rc)
			return crud_db_error(op, rc, "a plan's items");
		db_bind_int(st, 1, plan);
		db_bind_int(st, 2, owner);
		n = 0;
		while ((rc = db_step(st)) == DB_ROW && n < sizeof ids / sizeof *ids)
			ids[n++] = db_column_int(st, 0);
		db_reset(st);
		if (rc < 0)
			return crud_db_error(op, rc, "a plan's items");
		for (size_t i = 0; i < n; i++) {
			int status = hook_update_as_system(
			    op, items, ids[i], json_pack("{s:I}", "owner_id", (json_int_t)owner));
			if (status < 0)
				return status;
		}
	} while (n == sizeof ids / sizeof *ids);
	return 0;
}

int work_plans_updated(struct op *op, int64_t id, const struct value *before,
                       const struct value *after, const bool *changed)
{
	int64_t owner = hook_int(hook_value(op, after, "owner_id"));
	if (owner && hook_changed(op, changed, "owner_id")) {
		int status = items_follow(op, id, owner);
		if (status < 0)
			return status;
	}
	static const char *const made_from[] = {"period", "starts_on", "ends_on", "title",
	                                        "owner_id"};
	for (size_t i = 0; i < sizeof made_from / sizeof *made_from; i++)
		if (hook_changed(op, changed, made_from[i]))
			return period_fill(op, id, before, after);
	return 0;
}

/* The plan's items, done items and completion counted from its live items, written as the
 * system when they changed (the fields are read-only to people). */
static int recount(struct op *op, int64_t plan)
{
	const struct entity *plans = registry_entity(op->reg, "work_plans");
	if (!plan || !plans)
		return 0;
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               "SELECT count(i.id), COALESCE(sum(CASE WHEN i.done THEN 1 ELSE 0 END), 0),"
	               " p.items_total, p.items_done FROM work_plans p"
	               " LEFT JOIN work_plan_items i ON i.plan_id = p.id"
	               " AND i.deleted_at IS NULL WHERE p.id = ? AND p.deleted_at IS NULL"
	               " GROUP BY p.id, p.items_total, p.items_done",
	               &st);
	if (rc)
		return crud_db_error(op, rc, "a plan's completion");
	db_bind_int(st, 1, plan);
	rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? 0 : crud_db_error(op, rc, "a plan's completion");
	}
	int64_t total = db_column_int(st, 0), done = db_column_int(st, 1);
	bool same = !db_column_null(st, 2) && db_column_int(st, 2) == total &&
	            !db_column_null(st, 3) && db_column_int(st, 3) == done;
	db_reset(st);
	if (same)
		return 0;
	/* Rounded down: a plan is 100 % done only when every item is. */
	return hook_update_as_system(op, plans, plan,
	                             json_pack("{s:I, s:I, s:I}", "items_total", (json_int_t)total,
	                                       "items_done", (json_int_t)done, "completion",
	                                       (json_int_t)(total ? done * 100 / total : 0)));
}

/* An item belongs to its plan's owner, whoever wrote it (a superior adding to a plan). */
static int owned_as_plan(struct op *op, int64_t id, const struct value *vals)
{
	int64_t plan = hook_int(hook_value(op, vals, "plan_id")), owner = 0;
	char pid[24];
	snprintf(pid, sizeof pid, "%lld", (long long)plan);
	int rc = db_query_int(op->db, "SELECT owner_id FROM work_plans WHERE id = ?", 1,
	                      (const char *[]){pid}, &owner);
	if (rc)
		return crud_db_error(op, rc, "a plan's owner");
	if (!owner || owner == hook_int(hook_value(op, vals, "owner_id")))
		return 0;
	return hook_update_as_system(op, NULL, id,
	                             json_pack("{s:I}", "owner_id", (json_int_t)owner));
}

/* Items are added to, or moved into, a plan the caller may change: reading another's plan is
 * not writing it. The system (imports, the demo) may. 0, or 403 naming the field. */
static int may_change_plan(struct op *op, int64_t plan)
{
	if (!op->actor || !plan)
		return 0;
	struct op check = *op;
	check.e = registry_entity(op->reg, "work_plans");
	int rc = check.e ? access_check_record(&check, ACT_UPDATE, plan) : DB_OK;
	if (rc == DB_DONE) {
		problem_add(op->problem, "plan_id", "forbidden_field", NULL);
		return problem_set(op->problem, 403, "forbidden");
	}
	return rc ? crud_db_error(op, rc, "a plan's access") : 0;
}

int work_plan_items_created(struct op *op, int64_t id, const struct value *vals)
{
	int64_t plan = hook_int(hook_value(op, vals, "plan_id"));
	int status = may_change_plan(op, plan);
	if (status >= 0)
		status = owned_as_plan(op, id, vals);
	return status < 0 ? status : recount(op, plan);
}

int work_plan_items_updated(struct op *op, int64_t id, const struct value *before,
                            const struct value *after, const bool *changed)
{
	int64_t was = hook_int(hook_value(op, before, "plan_id")),
	        is = hook_int(hook_value(op, after, "plan_id"));
	if (!hook_changed(op, changed, "done") && was == is)
		return 0;
	int status = 0;
	if (was != is) {
		/* Moved into another plan: one the caller may change, whose owner it then is. */
		if ((status = may_change_plan(op, is)) >= 0 &&
		    (status = owned_as_plan(op, id, after)) >= 0)
			status = recount(op, was);
	}
	return status < 0 ? status : recount(op, is);
}

int work_plan_items_removed(struct op *op, int64_t id, const struct value *vals, bool restored)
{
	(void)id;
	(void)restored;
	return recount(op, hook_int(hook_value(op, vals, "plan_id")));
}
