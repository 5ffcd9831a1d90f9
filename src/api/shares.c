/*
 * Sharing a record with a colleague or a unit (a team, a department), to read or to edit
 * (docs/internals/ACCESS.md). Whoever may change a record may share it; the generic engine
 * then counts shared records into the reads (and, shared for editing, the updates) of those
 * it reaches.
 */
#include "api.h"
#include "body.h"
#include "meta/access.h"
#include "meta/audit.h"
#include "core/timeutil.h"
#include "db/dbjson.h"

#include <stdio.h>
#include <string.h>

/* The entity, the record id and the op; false after answering (404 if the caller may not
 * reach the record for act). */
static bool share_begin(struct req *r, enum action act, struct op *op, int64_t *id)
{
	if (!api_begin(r, op, id, NULL))
		return false;
	int rc = access_find_record(op, ACT_READ, *id);
	if (rc == DB_DONE) {
		resp_error(r, 404, "not_found");
		return false;
	}
	if (!rc && act != ACT_READ && (rc = access_check_record(op, act, *id)) == DB_DONE) {
		resp_error(r, 403, "forbidden");
		return false;
	}
	if (rc) {
		api_db_failure(r, rc, "checking access");
		return false;
	}
	return true;
}

void api_shares_list(struct req *r)
{
	struct op op;
	int64_t id;
	if (!share_begin(r, ACT_READ, &op, &id))
		return;
	struct db_stmt *st;
	int rc = db_prepare(r->db,
	                    "SELECT id, user_id, org_unit_id, access, created_by, created_at "
	                    "FROM record_shares WHERE entity = ? AND record_id = ? ORDER BY id",
	                    &st);
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	if (!rc) {
		db_bind_texts(st, 1, op.e->name);
		db_bind_int(st, 2, id);
		size_t n = 0;
		while ((rc = db_step(st)) == DB_ROW) {
			str_adds(&out, n++ ? ",{\"id\":" : "{\"id\":");
			str_add_int(&out, db_column_int(st, 0));
			for (int c = 1; c <= 2; c++) {
				str_adds(&out, c == 1 ? ",\"user_id\":" : ",\"org_unit_id\":");
				json_add_int_column(&out, st, c);
			}
			str_adds(&out, ",\"access\":");
			str_add_jsons(&out, db_column_text(st, 3, NULL));
			str_adds(&out, ",\"created_by\":");
			str_add_int(&out, db_column_int(st, 4));
			str_adds(&out, ",\"created_at\":");
			json_add_time_column(&out, st, 5);
			str_addc(&out, '}');
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	str_addc(&out, ']');
	api_answer_data(r, rc, &out, "listing shares");
}

void api_share_create(struct req *r)
{
	struct op op;
	int64_t id;
	json_t *body;
	if (!share_begin(r, ACT_UPDATE, &op, &id) || !(body = api_json_body(r)))
		return;
	static const char *const allowed[] = {"user_id", "org_unit_id", "access", NULL};
	body_allow(r, body, allowed);
	int64_t user = 0, unit = 0;
	enum body_member mu = body_id(r, body, "user_id", false, &user);
	enum body_member mo = body_id(r, body, "org_unit_id", false, &unit);
	const char *access = NULL;
	if (body_text(r, body, "access", 10, true, &access) == BM_VALUE &&
	    strcmp(access, "read") != 0 && strcmp(access, "edit") != 0)
		problem_add(&r->problem, "access", "invalid_option",
		            (const char *[]){"value", access, NULL});
	if ((mu == BM_VALUE) == (mo == BM_VALUE) && mu != BM_BAD && mo != BM_BAD)
		problem_add(&r->problem, "user_id", "required", NULL); /* exactly one of the two */
	if (!body_checked(r, body))
		return;
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	int64_t share = 0;
	struct db_stmt *st;
	int rc = db_begin(r->db);
	if (!rc && !(rc = db_prepare(r->db,
	                             "INSERT INTO record_shares (entity, record_id, user_id, "
	                             "org_unit_id, access, created_by, created_at) "
	                             "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
	                             &st))) {
		db_bind_texts(st, 1, op.e->name);
		db_bind_int(st, 2, id);
		if (user)
			db_bind_int(st, 3, user);
		else
			db_bind_null(st, 3);
		if (unit)
			db_bind_int(st, 4, unit);
		else
			db_bind_null(st, 4);
		db_bind_texts(st, 5, access);
		db_bind_int(st, 6, r->session.user_id);
		db_bind_texts(st, 7, now);
		rc = db_step_id(st, &share);
	}
	struct str c = STR_INIT;
	str_addf(&c, "{\"share\":%lld,\"%s\":%lld,\"access\":\"%s\"}", (long long)share,
	         user ? "user_id" : "org_unit_id", (long long)(user ? user : unit), access);
	if (!rc)
		rc = audit_write(&op, "share", op.e->name, id, c.buf);
	str_release(&c);
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		body_answer_db(r, rc, NULL, user ? "user_id" : "org_unit_id", "sharing a record");
		return;
	}
	struct str out = STR_INIT;
	str_addf(&out, "{\"id\":%lld}", (long long)share);
	resp_json(r, 201, &out);
}

void api_share_delete(struct req *r)
{
	struct op op;
	int64_t id, share;
	if (!share_begin(r, ACT_UPDATE, &op, &id) || !api_id(r, r->captures[2], &share))
		return;
	char e_id[24], s_id[24];
	snprintf(e_id, sizeof e_id, "%lld", (long long)id);
	snprintf(s_id, sizeof s_id, "%lld", (long long)share);
	int rc = db_begin(r->db);
	if (!rc)
		rc = db_run_one(
		    r->db,
		    "DELETE FROM record_shares WHERE id = ? AND entity = ? AND record_id = ?", 3,
		    (const char *[]){s_id, op.e->name, e_id});
	char c[64];
	snprintf(c, sizeof c, "{\"share\":%lld}", (long long)share);
	if (!rc)
		rc = audit_write(&op, "unshare", op.e->name, id, c);
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		body_answer_db(r, rc, NULL, NULL, "unsharing a record");
		return;
	}
	resp_empty(r, 204);
}
