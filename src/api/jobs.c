/*
 * Scheduled jobs for administrators (services/jobs.h): every job with its state and last run,
 * the history of a job's runs, a recurring job's schedule changed or paused, a job run now.
 */
#include "api.h"
#include "body.h"
#include "core/cron.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/audit.h"
#include "services/jobs.h"

#include <stdio.h>
#include <string.h>

#define JOB_COLUMNS                                                                            \
	"id, name, handler, schedule, payload, state, next_run_at, lease_owner, lease_until, " \
	"attempts, last_run_at, last_status, last_error, created_at, updated_at"
#define JOB_SPEC                                                                               \
	"iid,tname,thandler,tschedule,jpayload,tstate,Tnext_run_at,tlease_owner,Tlease_until," \
	"iattempts,Tlast_run_at,tlast_status,tlast_error,Tcreated_at,Tupdated_at"

static const char *const kinds[] = {"recurring", "once", NULL};
static const char *const job_states[] = {"scheduled", "paused", "done", "failed", NULL};

/* The row, with the kind's label in the caller's language. */
static void job_json(struct req *r, struct db_stmt *st, struct str *out)
{
	json_add_row(out, st, JOB_SPEC);
	const struct job_kind *k = job_kind_find(db_column_text(st, 2, NULL));
	str_truncate(out, out->len - 1);
	str_adds(out, ",\"label\":");
	if (k)
		str_add_jsons(out, r->lang == LANG_EN ? k->label_en : k->label_zh);
	else
		str_adds(out, "null");
	str_addc(out, '}');
}

void api_jobs_list(struct req *r)
{
	static const struct page_filter filters[] = {{"kind", kinds}, {"state", job_states}, {0}};
	const char *v[2];
	int64_t limit, cursor;
	if (!api_page_params(r, filters, v, &limit, &cursor))
		return;
	struct str sql = STR_INIT;
	str_adds(&sql, "SELECT " JOB_COLUMNS " FROM jobs WHERE id > 0");
	if (cursor)
		str_adds(&sql, " AND id < ?");
	if (v[0])
		str_adds(&sql, str_eq(v[0], "recurring") ? " AND schedule IS NOT NULL"
		                                         : " AND schedule IS NULL");
	if (v[1])
		str_adds(&sql, " AND state = ?");
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
		if (v[1])
			db_bind_texts(st, i++, v[1]);
		db_bind_int(st, i, limit);
	}
	api_answer_list(r, rc, st, NULL, job_json, limit, &out, "listing jobs");
}

/* The job of the path: its schedule ("" for one-off) and state; false after answering. */
static bool load(struct req *r, int64_t *id, char *schedule, size_t n, char *state)
{
	if (!api_id(r, r->captures[0], id))
		return false;
	struct db_stmt *st;
	int rc = db_prepare(r->db, "SELECT schedule, state FROM jobs WHERE id = ?", &st);
	if (!rc) {
		db_bind_int(st, 1, *id);
		rc = db_step(st);
		if (rc == DB_ROW) {
			snprintf(schedule, n, "%s", db_column_text(st, 0, NULL));
			snprintf(state, 16, "%s", db_column_text(st, 1, NULL));
			rc = DB_OK;
		}
		db_reset(st);
	}
	if (rc == DB_DONE)
		resp_error(r, 404, "not_found");
	else if (rc)
		api_db_failure(r, rc, "reading a job");
	return rc == DB_OK;
}

/* Answer with the job as it is now. */
static void answer_job(struct req *r, int64_t id)
{
	api_answer_row(r, 200, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", id, NULL, job_json,
	               "reading a job");
}

static int write_audited(struct req *r, int64_t id, const char *sql, int n, const char *const *p,
                         const char *action, const char *changes)
{
	struct op op;
	req_op(r, NULL, &op);
	int rc = db_begin(r->db);
	if (!rc)
		rc = db_run(r->db, sql, n, p);
	if (!rc)
		rc = audit_write(&op, action, "jobs", id, changes);
	if (!rc)
		rc = db_commit(r->db);
	if (rc)
		db_rollback(r->db);
	return rc;
}

void api_job_update(struct req *r)
{
	int64_t id;
	char schedule[128], state[16];
	if (!load(r, &id, schedule, sizeof schedule, state))
		return;
	json_t *body = api_json_body(r);
	if (!body)
		return;
	body_allow(r, body, (const char *[]){"schedule", "paused", NULL});
	const char *want = NULL;
	bool paused = str_eq(state, "paused");
	enum body_member s = body_text(r, body, "schedule", 120, false, &want);
	enum body_member p = body_bool(r, body, "paused", &paused);
	const char *why = NULL;
	struct cron c;
	if (s == BM_VALUE && !cron_parse(want, &c, &why))
		problem_add(&r->problem, "schedule", "invalid_schedule",
		            (const char *[]){"detail", why, NULL});
	else if (s == BM_VALUE && jobs_next_time(want, time_now_ms()) < 0)
		problem_add(&r->problem, "schedule", "invalid_schedule",
		            (const char *[]){"detail", "it never comes", NULL});
	if (s == BM_NULL)
		problem_add(&r->problem, "schedule", "required", NULL);
	if (!body_checked(r, body))
		return;
	if (!schedule[0] && (s == BM_VALUE || p == BM_VALUE)) {
		problem_add(&r->problem, "schedule", "not_recurring", NULL);
		resp_error(r, 409, "conflict");
		return;
	}
	const char *sched = s == BM_VALUE ? want : schedule;
	char now[TIME_ISO_LEN], next[TIME_ISO_LEN], sid[24];
	int64_t now_ms = time_now_ms();
	time_format_iso(now_ms, now);
	time_format_iso(jobs_next_time(sched, now_ms), next);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	json_t *changes = json_pack("{s:s, s:b}", "schedule", sched, "paused", paused);
	char *ch = json_dumps(changes, JSON_COMPACT);
	int rc = write_audited(
	    r, id,
	    "UPDATE jobs SET schedule = ?, state = ?, next_run_at = ?, "
	    "updated_at = ? WHERE id = ?",
	    5, (const char *[]){sched, paused ? "paused" : "scheduled", next, now, sid}, "update",
	    ch);
	free(ch);
	json_decref(changes);
	if (rc) {
		api_db_failure(r, rc, "changing a job");
		return;
	}
	answer_job(r, id);
}

void api_job_run(struct req *r)
{
	int64_t id;
	char schedule[128], state[16];
	if (!load(r, &id, schedule, sizeof schedule, state))
		return;
	if (str_eq(state, "done")) {
		problem_add(&r->problem, "state", "invalid_state",
		            (const char *[]){"state", state, NULL});
		resp_error(r, 409, "conflict");
		return;
	}
	char now[TIME_ISO_LEN], sid[24];
	time_now_iso(now);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	/* A failed one-off job starts its attempts again; a paused one stays paused after. */
	int rc = write_audited(r, id,
	                       "UPDATE jobs SET next_run_at = ?, updated_at = ?, attempts = CASE "
	                       "WHEN state = 'failed' THEN 0 ELSE attempts END, state = CASE WHEN "
	                       "state = 'failed' THEN 'scheduled' ELSE state END WHERE id = ?",
	                       3, (const char *[]){now, now, sid}, "run", NULL);
	if (rc) {
		api_db_failure(r, rc, "running a job");
		return;
	}
	answer_job(r, id);
}

void api_job_runs(struct req *r)
{
	int64_t id;
	char schedule[128], state[16];
	if (!load(r, &id, schedule, sizeof schedule, state))
		return;
	int64_t limit, cursor;
	if (!api_page_params(r, NULL, NULL, &limit, &cursor))
		return;
	struct db_stmt *st = NULL;
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	int rc =
	    db_prepare(r->db,
	               "SELECT id, scheduled_for, node, started_at, finished_at, status, message "
	               "FROM job_runs WHERE job_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC "
	               "LIMIT ?",
	               &st);
	if (!rc) {
		db_bind_int(st, 1, id);
		db_bind_int(st, 2, cursor);
		db_bind_int(st, 3, cursor);
		db_bind_int(st, 4, limit);
	}
	api_answer_list(r, rc, st,
	                "iid,Tscheduled_for,tnode,Tstarted_at,Tfinished_at,tstatus,tmessage", NULL,
	                limit, &out, "listing job runs");
}
