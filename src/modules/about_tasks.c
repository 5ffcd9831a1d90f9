#include "about_tasks.h"

#include "meta/crud.h"

/* The most open tasks one record has: a plan's touches are at most this many. */
#define OPEN_MAX 100

int about_task_add(struct op *op, const json_t *body)
{
	struct op sys = op_as_system(op);
	sys.e = registry_entity(op->reg, "tasks");
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_create_in_tx(&sys, body, &out, &res);
	str_release(&out);
	return status < 0 ? status : 0;
}

int about_tasks_change(struct op *op, const char *entity, int64_t id, const json_t *change)
{
	struct db_stmt *st;
	int rc = db_prepare(op->db,
	                    "SELECT id FROM tasks WHERE about_entity = ? AND about_id = ? AND "
	                    "status = 'open' AND deleted_at IS NULL ORDER BY id LIMIT 100",
	                    &st);
	if (rc)
		return crud_db_error(op, rc, "a record's tasks");
	db_bind_texts(st, 1, entity);
	db_bind_int(st, 2, id);
	int64_t ids[OPEN_MAX];
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW && n < OPEN_MAX)
		ids[n++] = db_column_int(st, 0);
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW)
		return crud_db_error(op, rc, "a record's tasks");
	struct op sys = op_as_system(op);
	sys.e = registry_entity(op->reg, "tasks");
	for (size_t i = 0; i < n; i++) {
		struct str out = STR_INIT;
		struct crud_result res = {0};
		int status = crud_update_in_tx(&sys, ids[i], change, -1, &out, &res);
		str_release(&out);
		if (status < 0)
			return status;
	}
	return 0;
}
