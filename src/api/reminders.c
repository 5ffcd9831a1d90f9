/*
 * A user's own reminders (services/reminders.h): "remind me of this at that time", of a record
 * they may read or of a note alone. They arrive as notifications, and show in the calendar feed.
 */
#include "api.h"
#include "body.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/access.h"
#include "services/reminders.h"

#include <stdio.h>
#include <string.h>

#define REMINDER_COLUMNS "id, entity, record_id, note, remind_at, fired_at, created_at"
#define REMINDER_SPEC    "iid,tentity,irecord_id,tnote,Tremind_at,Tfired_at,Tcreated_at"

void api_reminders_list(struct req *r)
{
	static const struct page_filter filters[] = {{"pending", api_bool_options}, {0}};
	const char *v[1];
	int64_t limit, cursor;
	if (!api_page_params(r, filters, v, &limit, &cursor))
		return;
	struct str sql = STR_INIT;
	str_adds(&sql, "SELECT " REMINDER_COLUMNS
	               " FROM reminders WHERE user_id = ? AND deleted_at IS NULL");
	if (v[0])
		str_adds(&sql, str_eq(v[0], "true") ? " AND fired_at IS NULL"
		                                    : " AND fired_at IS NOT NULL");
	if (cursor)
		str_adds(&sql, " AND id < ?");
	str_adds(&sql, " ORDER BY id DESC LIMIT ?");
	struct db_stmt *st = NULL;
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	int rc = db_prepare(r->db, sql.buf, &st);
	str_release(&sql);
	if (!rc) {
		int i = 1;
		db_bind_int(st, i++, r->session.user_id);
		if (cursor)
			db_bind_int(st, i++, cursor);
		db_bind_int(st, i, limit);
	}
	api_answer_list(r, rc, st, REMINDER_SPEC, NULL, limit, &out, "listing reminders");
}

void api_reminder_create(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	body_allow(r, body, (const char *[]){"note", "remind_at", "entity", "id", NULL});
	const char *note = NULL, *at = NULL, *name = NULL;
	int64_t ms = 0, record = 0;
	body_text(r, body, "note", 500, true, &note);
	body_time(r, body, "remind_at", true, &at, &ms);
	const struct entity *e = NULL;
	enum body_member has_entity = body_text(r, body, "entity", 64, false, &name);
	if (has_entity == BM_VALUE && !(e = r->reg ? registry_entity(r->reg, name) : NULL))
		problem_add(&r->problem, "entity", "unknown_entity", NULL);
	body_id(r, body, "id", e != NULL, &record);
	if (record && has_entity != BM_VALUE)
		problem_add(&r->problem, "entity", "required", NULL);
	if (!body_checked(r, body))
		return;
	struct op op;
	req_op(r, e, &op);
	/* Only of a record the user may read, as GET would answer: 404 otherwise. */
	int rc = e ? access_find_record(&op, ACT_READ, record) : DB_OK;
	int64_t id = 0;
	if (!rc)
		rc = db_begin(r->db);
	if (!rc)
		rc = reminder_add(r->db, r->session.user_id, e ? e->name : NULL, record, note, ms,
		                  &id);
	if (!rc)
		rc = db_commit(r->db);
	if (rc && db_in_transaction(r->db))
		db_rollback(r->db);
	if (rc) {
		if (rc == DB_DONE)
			resp_error(r, 404, "not_found");
		else
			api_db_failure(r, rc, "adding a reminder");
		return;
	}
	api_answer_row(r, 201, "SELECT " REMINDER_COLUMNS " FROM reminders WHERE id = ?", id,
	               REMINDER_SPEC, NULL, "reading a reminder");
}

void api_reminder_delete(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	char now[TIME_ISO_LEN], sid[24], uid[24];
	time_now_iso(now);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	snprintf(uid, sizeof uid, "%lld", (long long)r->session.user_id);
	/* Its job finds it deleted and sends nothing. */
	int rc = db_run_one(r->db,
	                    "UPDATE reminders SET deleted_at = ? WHERE id = ? AND user_id = ? AND "
	                    "deleted_at IS NULL",
	                    3, (const char *[]){now, sid, uid});
	if (rc == DB_DONE) {
		resp_error(r, 404, "not_found");
		return;
	}
	body_answer_done(r, rc, "deleting a reminder");
}
