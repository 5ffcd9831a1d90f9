#include "workers.h"
#include "outbound_hosts.h"
#include "outbox.h"
#include "app.h"
#include "auth/throttle.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#define TICK_US 100000 /* how often a sleeping worker checks for stop and kicks */

static const struct config *config;
static atomic_bool stopping;
static pthread_t jobs_thread, outbox_thread;
static bool started;
static char node[128];

const char *workers_node(void)
{
	return node;
}

/* Sleep about ms, waking early to stop, or (outbox) when this node queued a message. */
static void nap(long ms, bool outbox)
{
	for (long waited = 0; waited < ms && !atomic_load(&stopping); waited += TICK_US / 1000) {
		if (outbox && outbox_kicked())
			return;
		usleep(TICK_US);
	}
}

static long poll_ms(void)
{
	return config->worker_poll_ms >= 50 ? config->worker_poll_ms : 50;
}

static struct db *connect(struct db *db)
{
	if (db)
		return db;
	if (app_open_db(config, &db))
		return NULL;
	return db;
}

/* A connection that failed is closed and made again on the next round. */
static struct db *after(struct db *db, int rc)
{
	if (rc >= 0 || !db_retryable(rc))
		return db;
	db_close(db);
	return NULL;
}

static void *jobs_loop(void *arg)
{
	UNUSED(arg);
	struct db *db = NULL;
	bool synced = false;
	while (!atomic_load(&stopping)) {
		if ((db = connect(db))) {
			int rc = synced ? DB_OK : jobs_sync(db);
			synced |= rc == DB_OK;
			if (!rc)
				rc = jobs_run_due(db, node, 10);
			if (rc < 0)
				log_warn("job worker: database error %d: %s", rc, db_errmsg(db));
			db = after(db, rc);
			if (rc > 0)
				continue; /* there may be more due */
		}
		nap(poll_ms(), false);
	}
	db_close(db);
	return NULL;
}

static void *outbox_loop(void *arg)
{
	UNUSED(arg);
	struct db *db = NULL;
	while (!atomic_load(&stopping)) {
		if ((db = connect(db))) {
			int rc = outbox_deliver_due(db, node, 16);
			if (rc < 0)
				log_warn("outbox worker: database error %d: %s", rc, db_errmsg(db));
			db = after(db, rc);
			if (rc > 0)
				continue;
		}
		nap(poll_ms(), true);
	}
	db_close(db);
	return NULL;
}

int workers_start(const struct config *cfg)
{
	config = cfg;
	char host[64] = "";
	gethostname(host, sizeof host - 1);
	snprintf(node, sizeof node, "%s:%d", host[0] ? host : "node", (int)getpid());
	struct outbox_options o = {
	    .max_attempts = cfg->outbox_attempts > 0 ? (int)cfg->outbox_attempts : 1,
	    .backoff_ms = cfg->outbox_backoff_s * 1000LL,
	    .backoff_max_ms = 3600 * 1000LL,
	    .timeout_ms = (cfg->outbox_timeout_s > 0 ? cfg->outbox_timeout_s : 1) * 1000L,
	};
	outbox_configure(&o);
	outbound_hosts_configure(cfg->outbound_hosts);
	outbound_tls_configure(cfg->tls_ca_file);
	atomic_store(&stopping, false);
	if (pthread_create(&jobs_thread, NULL, jobs_loop, NULL))
		return -1;
	if (pthread_create(&outbox_thread, NULL, outbox_loop, NULL)) {
		atomic_store(&stopping, true);
		pthread_join(jobs_thread, NULL);
		return -1;
	}
	started = true;
	return 0;
}

void workers_stop(void)
{
	if (!started)
		return;
	atomic_store(&stopping, true);
	pthread_join(jobs_thread, NULL);
	pthread_join(outbox_thread, NULL);
	started = false;
}

int workers_purge(struct job_ctx *ctx)
{
	struct db *db = ctx->db;
	int64_t now = time_now_ms();
	char day[TIME_ISO_LEN], now_iso[TIME_ISO_LEN], month[TIME_ISO_LEN], quarter[TIME_ISO_LEN],
	    half[TIME_ISO_LEN];
	time_format_iso(now - 24 * 3600 * 1000LL, day);
	time_format_iso(now, now_iso);
	time_format_iso(now - 30 * 86400 * 1000LL, month);
	time_format_iso(now - 90 * 86400 * 1000LL, quarter);
	time_format_iso(now - 180 * 86400 * 1000LL, half);
	/* What is kept, and for how long: docs/internals/SERVICES.md. */
	static const struct {
		const char *sql;
		int cut; /* 0 day, 1 now, 2 month, 3 quarter, 4 half a year */
	} steps[] = {
	    {"DELETE FROM sys_idempotency WHERE created_at < ?", 0},
	    {"DELETE FROM sessions WHERE expires_at < ?", 1},
	    {"DELETE FROM job_runs WHERE started_at < ?", 2},
	    {"DELETE FROM job_runs WHERE job_id IN (SELECT id FROM jobs WHERE schedule IS NULL "
	     "AND state = 'done' AND updated_at < ?)",
	     2},
	    {"DELETE FROM jobs WHERE schedule IS NULL AND state = 'done' AND updated_at < ? AND id "
	     "NOT IN (SELECT job_id FROM reminders WHERE job_id IS NOT NULL)",
	     2},
	    {"DELETE FROM outbox_attempts WHERE outbox_id IN (SELECT id FROM outbox WHERE state "
	     "IN ('sent', 'cancelled') AND updated_at < ?)",
	     3},
	    {"DELETE FROM outbox WHERE state IN ('sent', 'cancelled') AND updated_at < ?", 3},
	    {"DELETE FROM notifications WHERE read_at < ?", 4},
	};
	const char *cuts[] = {day, now_iso, month, quarter, half};
	int rc = DB_OK;
	for (size_t i = 0; i < ARRAY_SIZE(steps) && !rc; i++)
		rc = db_run(db, steps[i].sql, 1, &cuts[steps[i].cut]);
	if (!rc)
		rc = login_throttle_purge(db, config->login_window_s);
	snprintf(ctx->message, sizeof ctx->message, rc ? "database error %d" : "purged", rc);
	return rc ? -1 : 0;
}
