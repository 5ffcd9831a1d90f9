/* The SQLite driver: WAL, a busy timeout, and a progress handler that enforces deadlines. */
#include "db_internal.h"
#include "../core/timeutil.h"
#include "../core/util.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lite {
	sqlite3 *h;
	/*
	 * The deadline of the step (or exec) running: timeout_ns after the progress handler first
	 * sees it. A step's clock starts at its first 4,000 virtual-machine instructions rather
	 * than at its call, so the many short steps of a query (a row each) read no clock at all:
	 * reading it per step was a tenth of a duplicate check, which steps through hundreds of
	 * rows.
	 */
	bool running;
	int64_t began_ns; /* 0: not yet seen by the progress handler */
	int64_t timeout_ns;
};

#define LITE(db) ((struct lite *)(db)->impl)
#define STMT(st) ((sqlite3_stmt *)(st)->impl)

static int on_progress(void *arg)
{
	struct lite *l = arg;
	if (!l->running)
		return 0;
	int64_t now = time_mono_ns();
	if (!l->began_ns)
		l->began_ns = now;
	return now - l->began_ns > l->timeout_ns;
}

static int map_error(struct db *db, int rc)
{
	sqlite3 *h = LITE(db)->h;
	db_set_error(db, "sqlite: %s (%d)", sqlite3_errmsg(h), sqlite3_extended_errcode(h));
	db->errcol[0] = '\0';
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return DB_EFOREIGN;
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
			/* "UNIQUE constraint failed: customers.tax_id" */
			const char *m = sqlite3_errmsg(h), *dot = strrchr(m, '.');
			if (dot && !strchr(m, ',')) /* one column: a field we can name */
				snprintf(db->errcol, sizeof db->errcol, "%s", dot + 1);
			return DB_ECONSTRAINT;
		}
		return DB_ERROR;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_EBUSY;
	case SQLITE_INTERRUPT:
		return DB_ETIMEOUT;
	case SQLITE_FULL:
		return DB_EFULL;
	default:
		return DB_ERROR;
	}
}

/*
 * Once per process, before the library initialises itself. Memory statistics (which nothing
 * here reads) make every sqlite3_malloc take one process-wide mutex: the workers, each with a
 * connection of its own, then queue on it and wake each other through futex calls (about 10 %
 * of GET throughput at -c64, measured).
 */
static void lite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int lite_open(struct db *db, const struct db_options *o, char **err)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	pthread_once(&configured, lite_configure);
	struct lite *l = xcalloc(1, sizeof *l);
	int rc =
	    sqlite3_open_v2(o->target, &l->h,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		char buf[512];
		snprintf(buf, sizeof buf, "cannot open '%s': %s", o->target,
		         l->h ? sqlite3_errmsg(l->h) : sqlite3_errstr(rc));
		*err = xstrdup(buf);
		sqlite3_close(l->h);
		free(l);
		return DB_ERROR;
	}
	db->impl = l;
	sqlite3_extended_result_codes(l->h, 1);
	sqlite3_busy_timeout(l->h, o->timeout_ms > 0 ? o->timeout_ms : 10000);
	l->timeout_ns = (int64_t)(o->timeout_ms > 0 ? o->timeout_ms : 10000) * 1000000;
	sqlite3_progress_handler(l->h, 4000, on_progress, l);
	const char *sync =
	    o->sqlite_sync && strcmp(o->sqlite_sync, "NORMAL") == 0 ? "NORMAL" : "FULL";
	char pragmas[512];
	/* WAL lets readers run beside the writer. synchronous=FULL makes every acknowledged
	 * commit survive a power cut. No mmap: reading through it cost a quarter of GET
	 * throughput on a 1 M-row database and tripled its p99 at -c8 (page faults; measured,
	 * docs/DECISIONS.md); the page cache (16 MiB a connection) holds the hot pages. */
	snprintf(pragmas, sizeof pragmas,
	         "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA foreign_keys=ON;"
	         "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=0; PRAGMA cache_size=" DB_PAGE_CACHE
	         ";",
	         sync);
	char *msg = NULL;
	if (sqlite3_exec(l->h, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
		char buf[512];
		snprintf(buf, sizeof buf, "cannot set up '%s': %s", o->target, msg ? msg : "?");
		sqlite3_free(msg);
		*err = xstrdup(buf);
		sqlite3_close(l->h);
		free(l);
		db->impl = NULL;
		return DB_ERROR;
	}
	return DB_OK;
}

static void lite_close(struct db *db)
{
	struct lite *l = LITE(db);
	if (!l)
		return;
	sqlite3_close_v2(l->h);
	free(l);
	db->impl = NULL;
}

static int lite_prepare(struct db_stmt *st)
{
	sqlite3_stmt *s = NULL;
	int rc =
	    sqlite3_prepare_v3(LITE(st->db)->h, st->sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK)
		return map_error(st->db, rc);
	st->impl = s;
	return DB_OK;
}

static void lite_finalize(struct db_stmt *st)
{
	sqlite3_finalize(STMT(st));
}

static void lite_bind_int(struct db_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(STMT(st), i, v);
}

static void lite_bind_double(struct db_stmt *st, int i, double v)
{
	sqlite3_bind_double(STMT(st), i, v);
}

static void lite_bind_text(struct db_stmt *st, int i, const char *s, size_t n)
{
	sqlite3_bind_text64(STMT(st), i, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void lite_bind_text_static(struct db_stmt *st, int i, const char *s, size_t n)
{
	sqlite3_bind_text64(STMT(st), i, s, n, SQLITE_STATIC, SQLITE_UTF8);
}

static void lite_bind_null(struct db_stmt *st, int i)
{
	sqlite3_bind_null(STMT(st), i);
}

static void lite_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	/* A zero-length blob is still a blob, not NULL (SQLite binds NULL for a NULL pointer). */
	sqlite3_bind_blob64(STMT(st), i, n ? p : "", n, SQLITE_TRANSIENT);
}

static int lite_step(struct db_stmt *st)
{
	struct lite *l = LITE(st->db);
	l->running = true;
	l->began_ns = 0;
	int rc = sqlite3_step(STMT(st));
	l->running = false;
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	return map_error(st->db, rc);
}

static int lite_column_count(struct db_stmt *st)
{
	return sqlite3_column_count(STMT(st));
}

static const char *lite_column_name(struct db_stmt *st, int i)
{
	return sqlite3_column_name(STMT(st), i);
}

static bool lite_column_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(STMT(st), i) == SQLITE_NULL;
}

static int64_t lite_column_int(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(STMT(st), i);
}

static double lite_column_double(struct db_stmt *st, int i)
{
	return sqlite3_column_double(STMT(st), i);
}

static const char *lite_column_text(struct db_stmt *st, int i, size_t *len)
{
	const char *t = (const char *)sqlite3_column_text(STMT(st), i);
	if (len)
		*len = t ? (size_t)sqlite3_column_bytes(STMT(st), i) : 0;
	return t ? t : "";
}

static const void *lite_column_blob(struct db_stmt *st, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(STMT(st), i);
	*len = p ? (size_t)sqlite3_column_bytes(STMT(st), i) : 0;
	return p ? p : "";
}

static void lite_reset(struct db_stmt *st)
{
	sqlite3_reset(STMT(st));
	sqlite3_clear_bindings(STMT(st));
}

static int lite_exec(struct db *db, const char *sql)
{
	struct lite *l = LITE(db);
	l->running = true;
	l->began_ns = 0;
	int rc = sqlite3_exec(l->h, sql, NULL, NULL, NULL);
	l->running = false;
	return rc == SQLITE_OK ? DB_OK : map_error(db, rc);
}

static int64_t lite_changes(struct db *db)
{
	return sqlite3_changes64(LITE(db)->h);
}

static bool lite_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(LITE(db)->h);
}

const struct db_driver db_sqlite_driver = {
    .open = lite_open,
    .close = lite_close,
    .prepare = lite_prepare,
    .finalize = lite_finalize,
    .bind_int = lite_bind_int,
    .bind_double = lite_bind_double,
    .bind_text = lite_bind_text,
    .bind_text_static = lite_bind_text_static,
    .bind_null = lite_bind_null,
    .bind_blob = lite_bind_blob,
    .step = lite_step,
    .column_count = lite_column_count,
    .column_name = lite_column_name,
    .column_null = lite_column_null,
    .column_int = lite_column_int,
    .column_double = lite_column_double,
    .column_text = lite_column_text,
    .column_blob = lite_column_blob,
    .reset = lite_reset,
    .exec = lite_exec,
    .changes = lite_changes,
    .in_transaction = lite_in_transaction,
};
