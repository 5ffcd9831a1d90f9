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

/* One task's reminder: marked sent and notified in one transaction, unless sent already. */
static int remind_task(struct db *db, int64_t id, int64_t owner, const char *remind_at,
                       const char *subject, const char *due, bool *sent)
{
	char tid[24];
	snprintf(tid, sizeof tid, "%lld", (long long)id);
	*sent = false;
	int rc = db_begin(db);
	if (!rc)
		rc = db_run(db,
		            "INSERT INTO sys_reminders_sent (entity, record_id, remind_at) VALUES "
		            "('tasks', ?, ?)",
		            2, (const char *[]){tid, remind_at});
	if (rc == DB_ECONSTRAINT) {
		db_rollback(db);
		return DB_OK;
	}
	json_t *vars = json_pack("{s:s, s:s}", "subject", subject, "due", due);
	struct notice n = {.event = "task.reminder",
	                   .user_id = owner,
	                   .entity = "tasks",
	                   .record_id = id,
	                   .vars = vars};
	if (!rc)
		rc = notify(db, &n);
	json_decref(vars);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	*sent = !rc;
	return rc;
}

struct due_task {
	int64_t id, owner;
	char remind_at[TIME_ISO_LEN], due[32];
	char *subject;
};

int reminders_tasks_due(struct job_ctx *ctx)
{
	int64_t now_ms = time_now_ms();
	char now[TIME_ISO_LEN], since[TIME_ISO_LEN];
	time_format_iso(now_ms, now);
	time_format_iso(now_ms - TASK_REMINDER_WINDOW_MS, since);
	struct db_stmt *st;
	/* Read first, then one transaction each: a long read holds no write lock. */
	int rc =
	    db_prepare(ctx->db,
	               "SELECT t.id, t.owner_id, t.remind_at, t.due_at, t.subject FROM tasks t "
	               "WHERE t.remind_at <= ? AND t.remind_at > ? AND t.status = 'open' AND "
	               "t.deleted_at IS NULL AND t.owner_id IS NOT NULL AND NOT EXISTS (SELECT "
	               "1 FROM sys_reminders_sent s WHERE s.entity = 'tasks' AND s.record_id = "
	               "t.id AND s.remind_at = t.remind_at) ORDER BY t.remind_at LIMIT 500",
	               &st);
	if (rc) {
		snprintf(ctx->message, sizeof ctx->message, "database error %d", rc);
		return -1;
	}
	db_bind_texts(st, 1, now);
	db_bind_texts(st, 2, since);
	struct due_task *due = xcalloc(TASKS_PER_RUN, sizeof *due);
	size_t n = 0;
	while (n < TASKS_PER_RUN && (rc = db_step(st)) == DB_ROW) {
		struct due_task *d = &due[n++];
		d->id = db_column_int(st, 0);
		d->owner = db_column_int(st, 1);
		int64_t ms = 0;
		db_column_time(st, 2, &ms);
		time_format_iso(ms, d->remind_at);
		if (db_column_time(st, 3, &ms)) {
			/* Shown in the company's time zone. */
			char iso[TIME_ISO_LEN];
			time_format_iso(ms + TIME_DEFAULT_OFFSET_MIN * 60000LL, iso);
			snprintf(d->due, sizeof d->due, "%.10s %.5s", iso, iso + 11);
		}
		d->subject = xstrdup(db_column_text(st, 4, NULL));
	}
	db_reset(st);
	rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	size_t sent = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		bool one;
		rc = remind_task(ctx->db, due[i].id, due[i].owner, due[i].remind_at, due[i].subject,
		                 due[i].due, &one);
		sent += one;
	}
	for (size_t i = 0; i < n; i++)
		free(due[i].subject);
	free(due);
	snprintf(ctx->message, sizeof ctx->message, "%zu task reminders sent%s", sent,
	         rc ? ", then a database error" : "");
	return rc ? -1 : 0;
}
