#include "jobs.h"
#include "core/cron.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

#define BACKOFF_BASE_MS (30 * 1000LL)
#define BACKOFF_MAX_MS  (3600 * 1000LL)

const struct job_kind *job_kind_find(const char *handler)
{
	for (const struct job_kind *k = job_kinds; k->handler; k++)
		if (str_eq(k->handler, handler))
			return k;
	return NULL;
}

int64_t jobs_next_time(const char *schedule, int64_t after_ms)
{
	struct cron c;
	if (!cron_parse(schedule, &c, NULL))
		return -2;
	return cron_next(&c, after_ms, TIME_DEFAULT_OFFSET_MIN);
}

int jobs_sync(struct db *db)
{
	char now[TIME_ISO_LEN], next[TIME_ISO_LEN];
	int64_t now_ms = time_now_ms();
	time_format_iso(now_ms, now);
	for (const struct job_kind *k = job_kinds; k->handler; k++) {
		if (!k->schedule)
			continue;
		time_format_iso(jobs_next_time(k->schedule, now_ms), next);
		/* The unique index on recurring names makes a second node's insert a no-op. */
		const char *p[] = {k->handler, k->handler, k->schedule, next, now, now, k->handler};
		int rc = db_run(db,
		                "INSERT INTO jobs (name, handler, schedule, state, next_run_at, "
		                "created_at, updated_at) SELECT ?, ?, ?, 'scheduled', ?, ?, ? "
		                "WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE name = ? AND schedule "
		                "IS NOT NULL)",
		                7, p);
		if (rc && rc != DB_ECONSTRAINT)
			return rc;
	}
	return DB_OK;
}

int job_enqueue(struct db *db, const char *handler, const char *name, const char *payload,
                int64_t run_at_ms, int64_t created_by, int64_t *id)
{
	if (!job_kind_find(handler))
		BUG("job_enqueue: unknown job kind");
	char now[TIME_ISO_LEN], at[TIME_ISO_LEN];
	int64_t now_ms = time_now_ms();
	time_format_iso(now_ms, now);
	time_format_iso(run_at_ms ? run_at_ms : now_ms, at);
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "INSERT INTO jobs (name, handler, payload, state, next_run_at, "
	                    "created_by, created_at, updated_at) VALUES (?, ?, ?, 'scheduled', ?, "
	                    "?, ?, ?) RETURNING id",
	                    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, name);
	db_bind_texts(st, 2, handler);
	db_bind_texts(st, 3, payload);
	db_bind_texts(st, 4, at);
	if (created_by)
		db_bind_int(st, 5, created_by);
	else
		db_bind_null(st, 5);
	db_bind_texts(st, 6, now);
	db_bind_texts(st, 7, now);
	int64_t got = 0;
	rc = db_step_id(st, &got);
	if (id)
		*id = got;
	return rc;
}

/* A job as claimed. */
struct claim {
	int64_t id, run_id;
	const struct job_kind *kind;
	char handler[64];
	char schedule[128]; /* "" for one-off */
	bool recurring;
	char *payload;
	int attempts;
	char scheduled_for[TIME_ISO_LEN];
};

static int64_t backoff_ms(int attempts)
{
	int64_t d = BACKOFF_BASE_MS;
	for (int i = 1; i < attempts && d < BACKOFF_MAX_MS; i++)
		d *= 2;
	return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

/* Find one due job and take it: 1 taken, 0 none due, or a DB_ code. */
static int claim_one(struct db *db, const char *node, struct claim *c)
{
	int64_t now_ms = time_now_ms();
	char now[TIME_ISO_LEN];
	time_format_iso(now_ms, now);
	/* Most looks find nothing: asked without a transaction, which on SQLite would take the
	 * write lock from the requests for nothing. */
	int64_t due = 0;
	int rc = db_query_int(db,
	                      "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE state = 'scheduled' "
	                      "AND next_run_at <= ? LIMIT 1) d",
	                      1, (const char *[]){now}, &due);
	if (rc || !due)
		return rc;
	if ((rc = db_begin(db)))
		return rc;
	struct db_stmt *st;
	rc =
	    db_prepare(db,
	               db_kind(db) == DB_PG
	                   ? "SELECT id, handler, schedule, payload, next_run_at, attempts FROM "
	                     "jobs WHERE state = 'scheduled' AND next_run_at <= ? AND (lease_until "
	                     "IS NULL OR lease_until < ?) ORDER BY next_run_at, id LIMIT 1 "
	                     "FOR UPDATE SKIP LOCKED"
	                   : "SELECT id, handler, schedule, payload, next_run_at, attempts FROM "
	                     "jobs WHERE state = 'scheduled' AND next_run_at <= ? AND (lease_until "
	                     "IS NULL OR lease_until < ?) ORDER BY next_run_at, id LIMIT 1",
	               &st);
	int found = 0;
	if (!rc) {
		db_bind_texts(st, 1, now);
		db_bind_texts(st, 2, now);
		rc = db_step(st);
		if (rc == DB_ROW) {
			found = 1;
			memset(c, 0, sizeof *c);
			c->id = db_column_int(st, 0);
			snprintf(c->handler, sizeof c->handler, "%s", db_column_text(st, 1, NULL));
			c->recurring = !db_column_null(st, 2);
			snprintf(c->schedule, sizeof c->schedule, "%s",
			         db_column_text(st, 2, NULL));
			c->payload =
			    db_column_null(st, 3) ? NULL : xstrdup(db_column_text(st, 3, NULL));
			int64_t due_ms = now_ms;
			db_column_time(st, 4, &due_ms);
			time_format_iso(due_ms, c->scheduled_for);
			c->attempts = (int)db_column_int(st, 5) + 1;
			rc = DB_OK;
		} else {
			rc = rc == DB_DONE ? DB_OK : rc;
		}
		db_reset(st);
	}
	if (!rc && found) {
		c->kind = job_kind_find(c->handler);
		int lease_s = c->kind ? c->kind->lease_s : 60;
		char until[TIME_ISO_LEN], next[TIME_ISO_LEN];
		time_format_iso(now_ms + lease_s * 1000LL, until);
		/* A recurring job moves to its next time now; a one-off one to when its lease
		 * runs out, which is when it runs again if this node dies. */
		int64_t next_ms =
		    c->recurring ? jobs_next_time(c->schedule, now_ms) : now_ms + lease_s * 1000LL;
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)c->id);
		time_format_iso(next_ms > 0 ? next_ms : now_ms + 365LL * 86400000, next);
		const char *p[] = {node, until, next, now, id};
		rc = db_run(db,
		            "UPDATE jobs SET lease_owner = ?, lease_until = ?, next_run_at = ?, "
		            "attempts = attempts + 1, updated_at = ? WHERE id = ?",
		            5, p);
		if (!rc && !(rc = db_prepare(db,
		                             "INSERT INTO job_runs (job_id, scheduled_for, node, "
		                             "started_at, status) VALUES (?, ?, ?, ?, 'running') "
		                             "RETURNING id",
		                             &st))) {
			db_bind_int(st, 1, c->id);
			db_bind_texts(st, 2, c->scheduled_for);
			db_bind_texts(st, 3, node);
			db_bind_texts(st, 4, now);
			rc = db_step_id(st, &c->run_id);
		}
	}
	if (!rc)
		rc = db_commit(db);
	if (rc) {
		db_rollback(db);
		if (found)
			free(c->payload);
		return rc;
	}
	return found;
}

/* Write down how a run went, and what the job does next. */
static int finish(struct db *db, const struct claim *c, bool ok, const char *message)
{
	int64_t now_ms = time_now_ms();
	char now[TIME_ISO_LEN], next[TIME_ISO_LEN], id[24], run[24];
	time_format_iso(now_ms, now);
	snprintf(id, sizeof id, "%lld", (long long)c->id);
	snprintf(run, sizeof run, "%lld", (long long)c->run_id);
	const char *status = ok ? "ok" : "failed";
	const char *state = "scheduled";
	int max = c->kind && c->kind->max_attempts > 0 ? c->kind->max_attempts : 5;
	next[0] = '\0';
	if (!c->recurring && ok)
		state = "done";
	else if (!c->recurring && c->attempts >= max)
		state = "failed";
	else if (!c->recurring)
		time_format_iso(now_ms + backoff_ms(c->attempts), next);
	int rc = db_begin(db);
	/* A finished one-off job has no next time; a recurring one keeps the one its claim set. */
	bool finished = str_eq(state, "done") || str_eq(state, "failed");
	const char *pj[] = {state,
	                    now,
	                    status,
	                    ok ? NULL : message,
	                    now,
	                    finished ? "1" : "0",
	                    next[0] ? next : NULL,
	                    id};
	if (!rc)
		rc = db_run(
		    db,
		    "UPDATE jobs SET lease_owner = NULL, lease_until = NULL, state = ?, "
		    "last_run_at = ?, last_status = ?, last_error = ?, updated_at = ?, "
		    "next_run_at = CASE WHEN ? = '1' THEN NULL ELSE COALESCE(?, next_run_at) "
		    "END WHERE id = ?",
		    8, pj);
	const char *pr[] = {now, status, message, run};
	if (!rc)
		rc = db_run(
		    db, "UPDATE job_runs SET finished_at = ?, status = ?, message = ? WHERE id = ?",
		    4, pr);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

int jobs_run_due(struct db *db, const char *node, int max)
{
	int ran = 0;
	while (ran < max) {
		struct claim c;
		int rc = claim_one(db, node, &c);
		if (rc <= 0)
			return rc < 0 ? rc : ran;
		struct job_ctx ctx = {.db = db, .job_id = c.id, .node = node};
		json_error_t jerr;
		ctx.payload = c.payload ? json_loads(c.payload, 0, &jerr) : NULL;
		int64_t t0 = time_mono_ns();
		int result = -1;
		if (!c.kind)
			snprintf(ctx.message, sizeof ctx.message, "no such job kind '%s'",
			         c.handler);
		else if (c.payload && !ctx.payload)
			snprintf(ctx.message, sizeof ctx.message, "the payload is not JSON");
		else
			result = c.kind->run(&ctx);
		if (db_in_transaction(db)) {
			/* A handler must finish what it began; a leftover is a bug of the handler.
			 */
			log_error("job '%s' left a transaction open", c.handler);
			db_rollback(db);
			result = -1;
		}
		log_info("job %lld '%s' %s in %.0f ms%s%s", (long long)c.id, c.handler,
		         result ? "failed" : "ran", (double)(time_mono_ns() - t0) / 1e6,
		         ctx.message[0] ? ": " : "", ctx.message);
		json_decref(ctx.payload);
		rc = finish(db, &c, result == 0, ctx.message);
		free(c.payload);
		if (rc)
			return rc;
		ran++;
	}
	return ran;
}
