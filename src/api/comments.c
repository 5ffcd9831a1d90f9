/*
 * Comments on a record (批注, REQUIREMENTS.md S-STD: superiors comment on and guide their
 * people's plans, reports and records; docs/internals/SALES.md "Comments"). Whoever may read a
 * record may comment on it and read its comments; the record's owner and everyone who commented
 * before are told. A comment is its author's: they (or an administrator) may take it back, which
 * leaves a trace in the audit trail rather than a hole in the conversation.
 */
#include "api.h"
#include "body.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/access.h"
#include "meta/audit.h"
#include "meta/transition.h"
#include "services/notify.h"

#include <stdio.h>
#include <string.h>

#define COMMENT_MAX  2000 /* characters */
#define NOTICE_CHARS 200  /* of the comment quoted in a notice */
#define TOLD_MAX     64   /* people told of one comment */

/* The entity, the record id and the op, the record readable by the caller; false after
 * answering (404 when it is not). */
static bool comment_begin(struct req *r, struct op *op, int64_t *id, json_t **body)
{
	if (!api_begin(r, op, id, body))
		return false;
	int rc = access_find_record(op, ACT_READ, *id);
	if (rc == DB_DONE)
		resp_error(r, 404, "not_found");
	else if (rc)
		api_db_failure(r, rc, "checking access");
	if (rc && body)
		json_decref(*body);
	return rc == DB_OK;
}

void api_comments_list(struct req *r)
{
	struct op op;
	int64_t id;
	if (!comment_begin(r, &op, &id, NULL))
		return;
	struct db_stmt *st;
	int rc = db_prepare(r->db,
	                    "SELECT c.id, c.author_id, COALESCE(u.display_name, u.username),"
	                    " c.body, c.created_at FROM record_comments c"
	                    " JOIN users u ON u.id = c.author_id WHERE c.entity = ?"
	                    " AND c.record_id = ? AND c.deleted_at IS NULL ORDER BY c.id",
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
			str_adds(&out, ",\"author_id\":");
			str_add_int(&out, db_column_int(st, 1));
			str_adds(&out, ",\"author_name\":");
			str_add_jsons(&out, db_column_text(st, 2, NULL));
			str_adds(&out, ",\"body\":");
			str_add_jsons(&out, db_column_text(st, 3, NULL));
			str_adds(&out, ",\"created_at\":");
			json_add_time_column(&out, st, 4);
			str_adds(&out, ",\"mine\":");
			str_adds(&out, db_column_int(st, 1) == op.user_id ? "true}" : "false}");
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	str_addc(&out, ']');
	api_answer_data(r, rc, &out, "listing comments");
}

/* Who is told of a comment: the record's owner and the earlier authors, not the author. */
static int addressees(struct op *op, int64_t id, int64_t *ids, size_t *n)
{
	const struct entity *e = op->e;
	*n = 0;
	int rc = DB_OK;
	if (e->owned) {
		char sql[200], rid[24];
		snprintf(sql, sizeof sql, "SELECT owner_id FROM \"%s\" WHERE id = ?", e->name);
		snprintf(rid, sizeof rid, "%lld", (long long)id);
		int64_t owner = 0;
		if ((rc = db_query_int(op->db, sql, 1, (const char *[]){rid}, &owner)))
			return rc;
		if (owner)
			ids[(*n)++] = owner;
	}
	struct db_stmt *st;
	if ((rc = db_prepare(op->db,
	                     "SELECT DISTINCT author_id FROM record_comments WHERE entity = ?"
	                     " AND record_id = ? AND deleted_at IS NULL",
	                     &st)))
		return rc;
	db_bind_texts(st, 1, e->name);
	db_bind_int(st, 2, id);
	while ((rc = db_step(st)) == DB_ROW && *n < TOLD_MAX) {
		int64_t a = db_column_int(st, 0);
		bool seen = false;
		for (size_t i = 0; i < *n; i++)
			seen = seen || ids[i] == a;
		if (!seen)
			ids[(*n)++] = a;
	}
	db_reset(st);
	return rc < 0 ? rc : DB_OK;
}

static int tell(struct op *op, int64_t id, const char *text)
{
	int64_t ids[TOLD_MAX];
	size_t n = 0;
	int rc = addressees(op, id, ids, &n);
	const char *title = record_title_of(op, op->e, id);
	const char *author = user_name(op, op->user_id);
	char quote[NOTICE_CHARS * 4 + 4];
	size_t len = utf8_prefix_chars(text, strlen(text), NOTICE_CHARS);
	snprintf(quote, sizeof quote, "%.*s%s", (int)len, text, text[len] ? "…" : "");
	for (size_t i = 0; i < n && !rc; i++) {
		if (ids[i] == op->user_id)
			continue;
		json_t *vars = json_pack("{s:s, s:s, s:s}", "author", author, "record", title,
		                         "comment", quote);
		struct notice notice = {.event = "record.comment",
		                        .user_id = ids[i],
		                        .entity = op->e->name,
		                        .record_id = id,
		                        .vars = vars,
		                        .actor = op->user_id};
		rc = notify(op->db, &notice);
		json_decref(vars);
	}
	return rc;
}

void api_comment_create(struct req *r)
{
	struct op op;
	int64_t id;
	json_t *body;
	if (!comment_begin(r, &op, &id, &body))
		return;
	static const char *const allowed[] = {"body", NULL};
	body_allow(r, body, allowed);
	const char *text = NULL;
	body_text(r, body, "body", COMMENT_MAX, true, &text);
	if (!body_checked(r, body))
		return;
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	int64_t comment = 0;
	struct db_stmt *st;
	int rc = db_begin(r->db);
	if (!rc && !(rc = db_prepare(r->db,
	                             "INSERT INTO record_comments (entity, record_id, author_id,"
	                             " body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
	                             &st))) {
		db_bind_texts(st, 1, op.e->name);
		db_bind_int(st, 2, id);
		db_bind_int(st, 3, op.user_id);
		db_bind_texts(st, 4, text);
		db_bind_texts(st, 5, now);
		rc = db_step_id(st, &comment);
	}
	char c[64];
	snprintf(c, sizeof c, "{\"comment\":%lld}", (long long)comment);
	/* Told before this comment's own row counts its author among the earlier ones: tell()
	 * skips the author anyway. */
	if (!rc)
		rc = tell(&op, id, text);
	if (!rc)
		rc = audit_write(&op, "comment", op.e->name, id, c);
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		body_answer_db(r, rc, NULL, NULL, "commenting on a record");
		return;
	}
	struct str out = STR_INIT;
	str_addf(&out, "{\"id\":%lld,\"created_at\":\"%s\"}", (long long)comment, now);
	resp_json(r, 201, &out);
}

void api_comment_delete(struct req *r)
{
	struct op op;
	int64_t id, comment;
	if (!comment_begin(r, &op, &id, NULL) || !api_id(r, r->captures[2], &comment))
		return;
	char e_id[24], c_id[24], now[TIME_ISO_LEN];
	snprintf(e_id, sizeof e_id, "%lld", (long long)id);
	snprintf(c_id, sizeof c_id, "%lld", (long long)comment);
	time_now_iso(now);
	int64_t author = 0;
	int rc = db_query_int(r->db,
	                      "SELECT author_id FROM record_comments WHERE id = ? AND entity = ?"
	                      " AND record_id = ? AND deleted_at IS NULL",
	                      3, (const char *[]){c_id, op.e->name, e_id}, &author);
	if (!rc && !author) {
		resp_error(r, 404, "not_found");
		return;
	}
	if (!rc && author != op.user_id && !op.admin) {
		resp_error(r, 403, "forbidden");
		return;
	}
	if (!rc)
		rc = db_begin(r->db);
	if (!rc)
		rc = db_run_one(r->db, "UPDATE record_comments SET deleted_at = ? WHERE id = ?", 2,
		                (const char *[]){now, c_id});
	char c[64];
	snprintf(c, sizeof c, "{\"comment\":%lld}", (long long)comment);
	if (!rc)
		rc = audit_write(&op, "uncomment", op.e->name, id, c);
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		body_answer_db(r, rc, NULL, NULL, "taking a comment back");
		return;
	}
	resp_empty(r, 204);
}
