#include "reminders.h"
#include "notify.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A task's reminder that is older than this when first seen is not sent (the server was off). */
#define TASK_REMINDER_WINDOW_MS (24 * 3600 * 1000LL)
#define TASKS_PER_RUN           500
/* An overdue task older than this when first seen is not escalated (the server was off). */
#define TASK_OVERDUE_WINDOW_MS (30 * 24 * 3600 * 1000LL)

int reminder_add(struct db *db, int64_t user_id, const char *entity, int64_t record_id,
                 const char *note, int64_t remind_at_ms, int64_t *id)
{
	char now[TIME_ISO_LEN], at[TIME_ISO_LEN];
	time_now_iso(now);
	time_format_iso(remind_at_ms, at);
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "INSERT INTO reminders (user_id, entity, record_id, note, remind_at, "
	                    "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user_id);
	db_bind_texts(st, 2, entity);
	if (record_id)
		db_bind_int(st, 3, record_id);
	else
		db_bind_null(st, 3);
	db_bind_texts(st, 4, note);
	db_bind_texts(st, 5, at);
	db_bind_texts(st, 6, now);
	if ((rc = db_step_id(st, id)))
		return rc;
	char payload[64], name[64], rid[24], jid[24];
	snprintf(payload, sizeof payload, "{\"reminder_id\":%lld}", (long long)*id);
	snprintf(name, sizeof name, "reminder %lld", (long long)*id);
	int64_t job = 0;
	if ((rc = job_enqueue(db, "reminders.fire", name, payload, remind_at_ms, user_id, &job)))
		return rc;
	snprintf(rid, sizeof rid, "%lld", (long long)*id);
	snprintf(jid, sizeof jid, "%lld", (long long)job);
	return db_run(db, "UPDATE reminders SET job_id = ? WHERE id = ?", 2,
	              (const char *[]){jid, rid});
}

int reminders_fire(struct job_ctx *ctx)
{
	json_int_t id = json_integer_value(json_object_get(ctx->payload, "reminder_id"));
	char rid[24], now[TIME_ISO_LEN];
	snprintf(rid, sizeof rid, "%lld", (long long)id);
	time_now_iso(now);
	struct db *db = ctx->db;
	int rc = db_begin(db);
	/* Claimed by the update: a second run of the same reminder finds it fired. */
	if (!rc)
		rc = db_run_one(
		    db,
		    "UPDATE reminders SET fired_at = ? WHERE id = ? AND fired_at IS NULL "
		    "AND deleted_at IS NULL",
		    2, (const char *[]){now, rid});
	if (rc == DB_DONE) {
		db_rollback(db);
		snprintf(ctx->message, sizeof ctx->message, "reminder %s was fired or deleted",
		         rid);
		return 0;
	}
	struct db_stmt *st = NULL;
	if (!rc)
		rc = db_prepare(
		    db, "SELECT user_id, entity, record_id, note FROM reminders WHERE id = ?", &st);
	if (!rc) {
		db_bind_int(st, 1, id);
		rc = db_step(st);
		if (rc == DB_ROW) {
			char entity[64];
			snprintf(entity, sizeof entity, "%s", db_column_text(st, 1, NULL));
			json_t *vars = json_pack("{s:s}", "note", db_column_text(st, 3, NULL));
			struct notice n = {.event = "reminder",
			                   .user_id = db_column_int(st, 0),
			                   .entity = entity[0] ? entity : NULL,
			                   .record_id = db_column_int(st, 2),
			                   .vars = vars};
			db_reset(st);
			rc = notify(db, &n);
			json_decref(vars);
		} else {
			db_reset(st);
			rc = rc == DB_DONE ? DB_ERROR : rc;
		}
	}
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		snprintf(ctx->message, sizeof ctx->message, "database error %d", rc);
		return -1;
	}
	snprintf(ctx->message, sizeof ctx->message, "reminder %s sent", rid);
	return 0;
}

/* Marked sent (what, record, at) and told in one transaction, unless marked already: each
 * reminder and each escalation goes once, however many nodes look. */
static int notify_once(struct db *db, const char *what, int64_t id, const char *at,
                       const struct notice *n, bool *sent)
{
	char rid[24];
	snprintf(rid, sizeof rid, "%lld", (long long)id);
	*sent = false;
	int rc = db_begin(db);
	if (!rc)
		rc = db_run(db,
		            "INSERT INTO sys_reminders_sent (entity, record_id, remind_at) VALUES "
		            "(?, ?, ?)",
		            3, (const char *[]){what, rid, at});
	if (rc == DB_ECONSTRAINT) {
		db_rollback(db);
		return DB_OK;
	}
	if (!rc)
		rc = notify(db, n);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	*sent = !rc;
	return rc;
}

/* A task to tell someone about: whom, its time (the mark), and the template's words. */
struct due_task {
	int64_t id, to;
	char at[TIME_ISO_LEN], due[TIME_MINUTE_LEN];
	char *subject, *owner;
};

/* Read the tasks of a prepared, bound scan (id, to, at, due, subject, owner name), then tell
 * each once with event, marked as what. The number told into *told. */
static int tell_tasks(struct db *db, struct db_stmt *st, const char *what, const char *event,
                      size_t *told)
{
	struct due_task *due = xcalloc(TASKS_PER_RUN, sizeof *due);
	size_t n = 0;
	int rc;
	while (n < TASKS_PER_RUN && (rc = db_step(st)) == DB_ROW) {
		struct due_task *d = &due[n];
		/* Nobody to tell (no superior, no head of unit): nothing to mark either. */
		if (!(d->to = db_column_int(st, 1)))
			continue;
		d->id = db_column_int(st, 0);
		int64_t ms = 0;
		db_column_time(st, 2, &ms);
		time_format_iso(ms, d->at);
		if (db_column_time(st, 3, &ms)) /* shown in the company's time zone */
			time_format_minute_local(ms, d->due);
		d->subject = xstrdup(db_column_text(st, 4, NULL));
		d->owner = xstrdup(db_column_text(st, 5, NULL));
		n++;
	}
	db_reset(st);
	rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	*told = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *vars = json_pack("{s:s, s:s, s:s}", "subject", due[i].subject, "due",
		                         due[i].due, "owner", due[i].owner);
		struct notice notice = {.event = event,
		                        .user_id = due[i].to,
		                        .entity = "tasks",
		                        .record_id = due[i].id,
		                        .vars = vars};
		bool one;
		rc = notify_once(db, what, due[i].id, due[i].at, &notice, &one);
		json_decref(vars);
		*told += one;
	}
	for (size_t i = 0; i < n; i++) {
		free(due[i].subject);
		free(due[i].owner);
	}
	free(due);
	return rc;
}

int reminders_tasks_due(struct job_ctx *ctx)
{
	int64_t now_ms = time_now_ms();
	char now[TIME_ISO_LEN], since[TIME_ISO_LEN];
	time_format_iso(now_ms, now);
	time_format_iso(now_ms - TASK_REMINDER_WINDOW_MS, since);
	struct db_stmt *st;
	/* Read first, then one transaction each: a long read holds no write lock. */
	int rc = db_prepare(
	    ctx->db,
	    "SELECT t.id, t.owner_id, t.remind_at, t.due_at, t.subject, '' FROM tasks t WHERE "
	    "t.remind_at <= ? AND t.remind_at > ? AND t.status = 'open' AND t.deleted_at IS NULL "
	    "AND t.owner_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sys_reminders_sent s WHERE "
	    "s.entity = 'tasks' AND s.record_id = t.id AND s.remind_at = t.remind_at) ORDER BY "
	    "t.remind_at LIMIT 500",
	    &st);
	size_t sent = 0;
	if (!rc) {
		db_bind_texts(st, 1, now);
		db_bind_texts(st, 2, since);
		rc = tell_tasks(ctx->db, st, "tasks", "task.reminder", &sent);
	}
	snprintf(ctx->message, sizeof ctx->message, "%zu task reminders sent%s", sent,
	         rc ? ", then a database error" : "");
	return rc ? -1 : 0;
}

int reminders_tasks_overdue(struct job_ctx *ctx)
{
	int64_t now_ms = time_now_ms();
	char now[TIME_ISO_LEN], since[TIME_ISO_LEN];
	time_format_iso(now_ms, now);
	time_format_iso(now_ms - TASK_OVERDUE_WINDOW_MS, since);
	struct db_stmt *st;
	/* To the owner's superior, or else the head of the owner's unit; never to the owner. */
	int rc = db_prepare(
	    ctx->db,
	    "SELECT t.id, CASE WHEN COALESCE(u.superior_id, h.head_user_id) = t.owner_id THEN 0 "
	    "ELSE COALESCE(u.superior_id, h.head_user_id, 0) END, t.due_at, t.due_at, t.subject, "
	    "COALESCE(u.display_name, u.username) FROM tasks t JOIN users u ON u.id = t.owner_id "
	    "LEFT JOIN org_units h ON h.id = u.org_unit_id WHERE t.due_at < ? AND t.due_at > ? AND "
	    "t.status = 'open' AND t.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM "
	    "sys_reminders_sent s WHERE s.entity = 'tasks.overdue' AND s.record_id = t.id AND "
	    "s.remind_at = t.due_at) ORDER BY t.due_at LIMIT 500",
	    &st);
	size_t sent = 0;
	if (!rc) {
		db_bind_texts(st, 1, now);
		db_bind_texts(st, 2, since);
		rc = tell_tasks(ctx->db, st, "tasks.overdue", "task.overdue", &sent);
	}
	snprintf(ctx->message, sizeof ctx->message, "%zu overdue tasks escalated%s", sent,
	         rc ? ", then a database error" : "");
	return rc ? -1 : 0;
}
