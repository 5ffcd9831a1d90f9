/*
 * Scheduled work, safe with many nodes (docs/internals/SERVICES.md). A job is a row of table
 * jobs: recurring (a schedule, core/cron.h; one row a kind, made at start-up) or one-off (a
 * time to run, made by job_enqueue in the caller's transaction). Every node's job worker
 * claims due jobs: the claim takes a lease and moves the next run time in one transaction
 * (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's write lock serialises it), and records the
 * run in job_runs, unique per job and scheduled time — so two workers never run the same
 * occurrence. A node that dies mid-run leaves a lease that runs out; the job runs again then.
 */
#ifndef SEXTANT_JOBS_H
#define SEXTANT_JOBS_H

#include "db/db.h"

#include <jansson.h>
#include <stdint.h>

#define JOB_MESSAGE_MAX 256

struct job_ctx {
	struct db *db; /* the worker's connection, outside any transaction */
	int64_t job_id;
	json_t *payload;               /* the job's payload (an object), or NULL */
	const char *node;              /* who runs it */
	char message[JOB_MESSAGE_MAX]; /* what the run did or why it failed: the history shows it */
};

/* Run one job. 0 when done; -1 when it failed (ctx->message says why): a one-off job is tried
 * again with back-off, a recurring one waits for its next time. */
typedef int (*job_fn)(struct job_ctx *ctx);

struct job_kind {
	const char *handler; /* e.g. "tasks.remind" */
	job_fn run;
	const char *schedule; /* a recurring kind's default schedule; NULL for one-off kinds */
	int lease_s;          /* how long a run may take before another node takes it over */
	int max_attempts;     /* one-off kinds: tries before the job is marked failed */
	const char *label_zh, *label_en;
};

/* Every kind the system has (services/job_kinds.c), ending with a zeroed row. */
extern const struct job_kind job_kinds[];
const struct job_kind *job_kind_find(const char *handler);

/* At start-up: a row for every recurring kind that has none yet. A DB_ code. */
int jobs_sync(struct db *db);

/*
 * A one-off job of kind handler at run_at_ms (0: now), with a payload (a JSON object's text, or
 * NULL), inside the caller's transaction. name describes it in the history. A DB_ code.
 */
int job_enqueue(struct db *db, const char *handler, const char *name, const char *payload,
                int64_t run_at_ms, int64_t created_by, int64_t *id);

/* Claim and run at most max due jobs as node; the number run, or a negative DB_ code. */
int jobs_run_due(struct db *db, const char *node, int max);

/* When the next occurrence of a schedule after after_ms falls (-1 never; -2 not a schedule). */
int64_t jobs_next_time(const char *schedule, int64_t after_ms);

#endif
