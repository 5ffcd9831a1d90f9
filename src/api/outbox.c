/*
 * The outbox for administrators (services/outbox.h): what is waiting, sent, parked or
 * cancelled, every attempt of a message, and sending a parked one again.
 */
#include "api.h"
#include "body.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/audit.h"

#include <stdio.h>
#include <string.h>

#define OUTBOX_COLUMNS                                                                       \
	"id, channel, recipient, subject, state, attempts, next_attempt_at, last_error, "    \
	"sent_at, event, entity, record_id, user_id, lease_owner, lease_until, created_at, " \
	"updated_at"
#define OUTBOX_SPEC                                                                          \
	"iid,tchannel,trecipient,tsubject,tstate,iattempts,Tnext_attempt_at,tlast_error,"    \
	"Tsent_at,tevent,tentity,irecord_id,iuser_id,tlease_owner,Tlease_until,Tcreated_at," \
	"Tupdated_at"

static const char *const states[] = {"pending", "sent", "parked", "cancelled", NULL};
static const char *const channels[] = {"mail", "sms", "webhook", NULL};

void api_outbox_list(struct req *r)
{
	static const struct page_filter filters[] = {{"state", states}, {"channel", channels}, {0}};
	const char *v[2];
	int64_t limit, cursor;
	if (!api_page_params(r, filters, v, &limit, &cursor))
		return;
	struct str sql = STR_INIT;
	str_adds(&sql, "SELECT " OUTBOX_COLUMNS " FROM outbox WHERE id > 0");
	if (cursor)
		str_adds(&sql, " AND id < ?");
	if (v[0])
		str_adds(&sql, " AND state = ?");
	if (v[1])
		str_adds(&sql, " AND channel = ?");
	str_adds(&sql, " ORDER BY id DESC LIMIT ?");
	struct db_stmt *st = NULL;
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	int rc = db_prepare(r->db, sql.buf, &st);
	str_release(&sql);
	if (!rc) {
		int i = 1;
		if (cursor)
			db_bind_int(st, i++, cursor);
		for (int k = 0; k < 2; k++)
			if (v[k])
				db_bind_texts(st, i++, v[k]);
		db_bind_int(st, i, limit);
	}
	api_answer_list(r, rc, st, OUTBOX_SPEC, NULL, limit, &out, "listing the outbox");
}

void api_outbox_get(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	struct db_stmt *st;
	struct str out = STR_INIT;
	int rc = db_prepare(r->db, "SELECT " OUTBOX_COLUMNS ", body FROM outbox WHERE id = ?", &st);
	if (!rc) {
		db_bind_int(st, 1, id);
		rc = db_step(st);
		if (rc == DB_ROW) {
			json_add_row(&out, st, OUTBOX_SPEC ",jbody");
			rc = DB_OK;
		} else if (rc == DB_DONE) {
			rc = DB_DONE;
		}
		db_reset(st);
	}
	if (!rc && !(rc = db_prepare(r->db,
	                             "SELECT attempt, node, started_at, duration_ms, result, error "
	                             "FROM outbox_attempts WHERE outbox_id = ? ORDER BY id",
	                             &st))) {
		str_truncate(&out, out.len - 1); /* the closing brace */
		str_adds(&out, ",\"attempts_log\":");
		db_bind_int(st, 1, id);
		rc = json_add_rows(st, "iattempt,tnode,Tstarted_at,iduration_ms,tresult,terror",
		                   &out);
		str_addc(&out, '}');
	}
	if (rc) {
		str_release(&out);
		if (rc == DB_DONE)
			resp_error(r, 404, "not_found");
		else
			api_db_failure(r, rc, "reading an outbox message");
		return;
	}
	resp_json(r, 200, &out);
}

/* Move a message from one of the states in from to `to`; 409 naming its state otherwise. */
static void move(struct req *r, const char *from_sql, const char *to, bool reset)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	char now[TIME_ISO_LEN], sid[24];
	time_now_iso(now);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	struct str sql = STR_INIT;
	str_addf(&sql,
	         "UPDATE outbox SET state = ?, updated_at = ?%s WHERE id = ? AND state IN (%s)",
	         reset ? ", attempts = 0, next_attempt_at = ?, last_error = NULL, lease_owner = "
	                 "NULL, lease_until = NULL"
	               : "",
	         from_sql);
	int rc = db_begin(r->db);
	if (!rc)
		rc = reset ? db_run_one(r->db, sql.buf, 4, (const char *[]){to, now, now, sid})
		           : db_run_one(r->db, sql.buf, 3, (const char *[]){to, now, sid});
	str_release(&sql);
	struct op op;
	req_op(r, NULL, &op);
	if (!rc)
		rc = audit_write(&op, reset ? "resend" : "cancel", "outbox", id, NULL);
	if (!rc)
		rc = db_commit(r->db);
	if (rc)
		db_rollback(r->db);
	if (rc == DB_DONE) {
		/* Not in a state it can move from: which one it is in, if it exists. */
		struct db_stmt *st;
		char state[16] = "";
		if (!(rc = db_prepare(r->db, "SELECT state FROM outbox WHERE id = ?", &st))) {
			db_bind_int(st, 1, id);
			if ((rc = db_step(st)) == DB_ROW)
				snprintf(state, sizeof state, "%s", db_column_text(st, 0, NULL));
			db_reset(st);
			rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
		}
		if (!rc && !state[0]) {
			resp_error(r, 404, "not_found");
			return;
		}
		if (!rc) {
			problem_add(
			    &r->problem, "state", "invalid_state",
			    (const char *[]){"state", arena_strdup(&r->arena, state), NULL});
			resp_error(r, 409, "conflict");
			return;
		}
	}
	body_answer_done(r, rc, "changing an outbox message");
}

void api_outbox_resend(struct req *r)
{
	move(r, "'parked', 'cancelled'", "pending", true);
}

void api_outbox_cancel(struct req *r)
{
	move(r, "'pending', 'parked'", "cancelled", false);
}
