/* The driver-independent half of the database layer: the statement cache and conveniences. */
#include "db_internal.h"
#include "../core/timeutil.h"
#include "../core/util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * SQLite has one writer at a time. Writers of this process queue on a mutex rather than in
 * SQLite's busy handler, which sleeps and polls (1, 2, 5 … 100 ms): under concurrent writes
 * that polling made the slowest creates take seconds. Other processes (a command-line import)
 * are still waited for by the busy timeout.
 */
static pthread_mutex_t sqlite_writers = PTHREAD_MUTEX_INITIALIZER;
/*
 * Set while a bulk transaction (an import, seconds to minutes) holds the lock. Writers on HTTP
 * workers (yield_to_bulk) then give up within a slice (DB_EBUSY, a 503 the client may retry)
 * instead of waiting out their deadline, which would hold up every connection of the worker.
 */
static atomic_bool bulk_writer;
#define WRITER_WAIT_SLICE_MS 100

static void writer_unlock(struct db *db)
{
	if (db->holds_write_lock) {
		db->holds_write_lock = false;
		if (db->holds_bulk_lock) {
			db->holds_bulk_lock = false;
			atomic_store(&bulk_writer, false);
		}
		pthread_mutex_unlock(&sqlite_writers);
	}
}

/* The process's writer lock, waited for in slices up to the deadline (or, yielding, until a
 * bulk writer is seen to hold it). */
static int writer_lock(struct db *db, bool bulk)
{
	int64_t deadline = time_mono_ns() + (int64_t)db->timeout_ms * 1000000;
	for (;;) {
		if (pthread_mutex_trylock(&sqlite_writers) == 0)
			break;
		if (db->yield_to_bulk && atomic_load(&bulk_writer)) {
			db_set_error(db, "sqlite: an import holds the write lock");
			return DB_EBUSY;
		}
		int64_t left = deadline - time_mono_ns();
		if (left <= 0) {
			db_set_error(db, "sqlite: waited too long for the other writers");
			return DB_EBUSY;
		}
		int64_t slice = left < WRITER_WAIT_SLICE_MS * 1000000LL
		                    ? left
		                    : WRITER_WAIT_SLICE_MS * 1000000LL;
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)(slice / 1000000000);
		until.tv_nsec += (long)(slice % 1000000000);
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		if (pthread_mutex_timedlock(&sqlite_writers, &until) == 0)
			break;
	}
	db->holds_write_lock = true;
	if (bulk) {
		db->holds_bulk_lock = true;
		atomic_store(&bulk_writer, true);
	}
	return DB_OK;
}

static void free_options(struct db *db)
{
	free((char *)db->options.target);
	free((char *)db->options.sqlite_sync);
}

int db_open(const struct db_options *o, struct db **out, char **err)
{
	struct db *db = xcalloc(1, sizeof *db);
	db->kind = o->kind;
	db->drv = o->kind == DB_PG ? &db_pg_driver : &db_sqlite_driver;
	db->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 10000;
	db->yield_to_bulk = o->yield_to_bulk;
	db->options = *o;
	db->options.target = o->target ? xstrdup(o->target) : NULL;
	db->options.sqlite_sync = o->sqlite_sync ? xstrdup(o->sqlite_sync) : NULL;
	*err = NULL;
	int rc = db->drv->open(db, o, err);
	if (rc) {
		free_options(db);
		free(db);
		return rc;
	}
	*out = db;
	return DB_OK;
}

int db_open_sibling(struct db *db, struct db **out, char **err)
{
	return db_open(&db->options, out, err);
}

static void stmt_free(struct db_stmt *st)
{
	st->db->drv->finalize(st);
	free(st->sql);
	free(st);
}

void db_cache_clear(struct db *db)
{
	struct db_stmt *st = db->mru;
	while (st) {
		struct db_stmt *next = st->mru_next;
		if (st->in_use) {
			/* Still held by a caller: it becomes private and is freed by db_reset. */
			st->cached = false;
			st->mru_prev = st->mru_next = NULL;
		} else {
			stmt_free(st);
		}
		st = next;
	}
	memset(db->buckets, 0, sizeof db->buckets);
	db->mru = db->lru = NULL;
	db->cached = 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	writer_unlock(db);
	db_cache_clear(db);
	db->drv->close(db);
	free_options(db);
	free(db);
}

enum db_kind db_kind(const struct db *db)
{
	return db->kind;
}

const char *db_target(const struct db *db)
{
	return db->options.target ? db->options.target : "";
}

void db_set_error(struct db *db, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
	va_end(ap);
}

const char *db_errmsg(const struct db *db)
{
	return db->errmsg;
}

const char *db_error_column(const struct db *db)
{
	return db->errcol[0] ? db->errcol : NULL;
}

uint64_t db_time_ns(const struct db *db)
{
	return db->time_ns;
}

/*
 * Eight bytes a step: statements run to kilobytes (a record's every column) and are looked up
 * on every execution, where a byte-at-a-time hash cost a few per cent of a whole GET.
 */
static uint32_t hash_sql(const char *s, size_t n)
{
	const uint64_t k = 0xff51afd7ed558ccdull;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * k;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w) * k;
	h ^= h >> 29;
	return (uint32_t)(h ^ (h >> 32));
}

static void mru_unlink(struct db *db, struct db_stmt *st)
{
	if (st->mru_prev)
		st->mru_prev->mru_next = st->mru_next;
	else
		db->mru = st->mru_next;
	if (st->mru_next)
		st->mru_next->mru_prev = st->mru_prev;
	else
		db->lru = st->mru_prev;
	st->mru_prev = st->mru_next = NULL;
}

static void mru_push(struct db *db, struct db_stmt *st)
{
	st->mru_next = db->mru;
	st->mru_prev = NULL;
	if (db->mru)
		db->mru->mru_prev = st;
	db->mru = st;
	if (!db->lru)
		db->lru = st;
}

static void bucket_remove(struct db *db, struct db_stmt *st)
{
	struct db_stmt **pp = &db->buckets[st->hash % DB_CACHE_BUCKETS];
	while (*pp && *pp != st)
		pp = &(*pp)->bucket_next;
	if (*pp)
		*pp = st->bucket_next;
}

static void evict_one(struct db *db)
{
	for (struct db_stmt *st = db->lru; st; st = st->mru_prev) {
		if (st->in_use)
			continue;
		mru_unlink(db, st);
		bucket_remove(db, st);
		db->cached--;
		stmt_free(st);
		return;
	}
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	size_t n = strlen(sql);
	uint32_t h = hash_sql(sql, n);
	struct db_stmt *st = db->buckets[h % DB_CACHE_BUCKETS];
	while (st && !(st->hash == h && st->sql_len == n && memcmp(st->sql, sql, n) == 0))
		st = st->bucket_next;
	if (st && !st->in_use) {
		mru_unlink(db, st);
		mru_push(db, st);
		st->in_use = true;
		*out = st;
		return DB_OK;
	}
	bool cache = st == NULL; /* a busy twin means this one is private */
	st = xcalloc(1, sizeof *st);
	st->db = db;
	st->sql = xstrdup(sql);
	st->sql_len = n;
	st->hash = h;
	int rc = db->drv->prepare(st);
	if (rc) {
		free(st->sql);
		free(st);
		return rc;
	}
	st->in_use = true;
	if (cache) {
		if (db->cached >= DB_CACHE_MAX)
			evict_one(db);
		st->cached = true;
		st->bucket_next = db->buckets[h % DB_CACHE_BUCKETS];
		db->buckets[h % DB_CACHE_BUCKETS] = st;
		mru_push(db, st);
		db->cached++;
	}
	*out = st;
	return DB_OK;
}

void db_bind_int(struct db_stmt *st, int i, int64_t v)
{
	st->db->drv->bind_int(st, i, v);
}

void db_bind_double(struct db_stmt *st, int i, double v)
{
	st->db->drv->bind_double(st, i, v);
}

void db_bind_text(struct db_stmt *st, int i, const char *s, size_t n)
{
	st->db->drv->bind_text(st, i, s, n);
}

void db_bind_text_static(struct db_stmt *st, int i, const char *s, size_t n)
{
	st->db->drv->bind_text_static(st, i, s, n);
}

void db_bind_texts(struct db_stmt *st, int i, const char *s)
{
	if (s)
		st->db->drv->bind_text(st, i, s, strlen(s));
	else
		st->db->drv->bind_null(st, i);
}

void db_bind_null(struct db_stmt *st, int i)
{
	st->db->drv->bind_null(st, i);
}

void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	st->db->drv->bind_blob(st, i, p, n);
}

/* The statement's execution has ended (its last row, an error, or a reset before either). */
static void execution_ended(struct db_stmt *st)
{
	if (st->started_ns) {
		st->db->time_ns += (uint64_t)(time_mono_ns() - st->started_ns);
		st->started_ns = 0;
	}
}

int db_step(struct db_stmt *st)
{
	if (!st->started_ns)
		st->started_ns = time_mono_ns();
	int rc = st->db->drv->step(st);
	if (rc != DB_ROW)
		execution_ended(st);
	return rc;
}

int db_column_count(struct db_stmt *st)
{
	return st->db->drv->column_count(st);
}

const char *db_column_name(struct db_stmt *st, int i)
{
	return st->db->drv->column_name(st, i);
}

bool db_column_null(struct db_stmt *st, int i)
{
	return st->db->drv->column_null(st, i);
}

int64_t db_column_int(struct db_stmt *st, int i)
{
	return st->db->drv->column_int(st, i);
}

double db_column_double(struct db_stmt *st, int i)
{
	return st->db->drv->column_double(st, i);
}

const char *db_column_text(struct db_stmt *st, int i, size_t *len)
{
	return st->db->drv->column_text(st, i, len);
}

const void *db_column_blob(struct db_stmt *st, int i, size_t *n)
{
	return st->db->drv->column_blob(st, i, n);
}

bool db_column_time(struct db_stmt *st, int i, int64_t *ms)
{
	if (db_column_null(st, i))
		return false;
	size_t n;
	const char *t = db_column_text(st, i, &n);
	return time_parse_datetime(t, n, ms);
}

void db_reset(struct db_stmt *st)
{
	if (!st)
		return;
	execution_ended(st);
	st->db->drv->reset(st);
	st->in_use = false;
	if (!st->cached)
		stmt_free(st);
}

int db_step_id(struct db_stmt *st, int64_t *id)
{
	int rc = db_step(st);
	if (rc == DB_ROW) {
		*id = db_column_int(st, 0);
		rc = db_step(st) == DB_DONE ? DB_OK : DB_ERROR;
	} else if (rc == DB_DONE) {
		rc = DB_ERROR; /* RETURNING gave nothing */
	}
	db_reset(st);
	return rc;
}

int db_run_one(struct db *db, const char *sql, int n, const char *const *params)
{
	int rc = db_run(db, sql, n, params);
	return rc ? rc : db_changes(db) ? DB_OK : DB_DONE;
}

int db_run(struct db *db, const char *sql, int n, const char *const *params)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		db_bind_texts(st, i + 1, params[i]);
	while ((rc = db_step(st)) == DB_ROW)
		;
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int db_run_unless_busy(struct db *db, const char *sql, int n, const char *const *params)
{
	if (db->kind != DB_SQLITE)
		return db_run(db, sql, n, params);
	if (pthread_mutex_trylock(&sqlite_writers))
		return DB_EBUSY;
	db->holds_write_lock = true;
	int rc = db_run(db, sql, n, params);
	writer_unlock(db);
	return rc;
}

int db_query_int(struct db *db, const char *sql, int n, const char *const *params, int64_t *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc)
		return rc;
	for (int i = 0; i < n; i++)
		db_bind_texts(st, i + 1, params[i]);
	rc = db_step(st);
	if (rc == DB_ROW) {
		if (!db_column_null(st, 0))
			*out = db_column_int(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

int db_exec(struct db *db, const char *sql)
{
	int64_t t0 = time_mono_ns();
	int rc = db->drv->exec(db, sql);
	db->time_ns += (uint64_t)(time_mono_ns() - t0);
	return rc;
}

static int begin(struct db *db, bool bulk)
{
	if (db->kind != DB_SQLITE)
		return db_exec(db, "BEGIN");
	int rc = writer_lock(db, bulk);
	if (rc)
		return rc;
	rc = db_exec(db, "BEGIN IMMEDIATE");
	if (rc)
		writer_unlock(db);
	return rc;
}

int db_begin(struct db *db)
{
	return begin(db, false);
}

/* SQLite's default: a commit that leaves more than this many pages in the WAL checkpoints. */
#define WAL_AUTOCHECKPOINT_PAGES "1000"

int db_begin_read(struct db *db)
{
	return db_exec(db, db->kind == DB_PG ? "BEGIN READ ONLY" : "BEGIN");
}

int db_begin_bulk(struct db *db)
{
	int rc = begin(db, true);
	if (!rc && db->kind == DB_SQLITE && !(rc = db_exec(db, "PRAGMA wal_autocheckpoint=0"))) {
		db->checkpoint_due = true;
		return DB_OK;
	}
	if (rc || db->kind != DB_PG)
		return rc;
	rc = db_exec(db, "SET LOCAL plan_cache_mode = force_custom_plan");
	if (rc)
		db_rollback(db);
	return rc;
}

void db_release_memory(struct db *db)
{
	if (db->kind == DB_SQLITE)
		db_exec(db, "PRAGMA shrink_memory");
}

void db_small_cache(struct db *db)
{
	if (db->kind == DB_SQLITE)
		db_exec(db, "PRAGMA cache_size=" DB_SMALL_PAGE_CACHE);
}

/* After a bulk transaction, this connection's commits checkpoint again as SQLite's do. */
static void end_bulk(struct db *db)
{
	if (db->holds_bulk_lock && db->kind == DB_SQLITE)
		db_exec(db, "PRAGMA wal_autocheckpoint=" WAL_AUTOCHECKPOINT_PAGES);
	writer_unlock(db);
}

int db_commit(struct db *db)
{
	int rc = db_exec(db, "COMMIT");
	/* A failed COMMIT leaves the transaction open for a ROLLBACK, which unlocks. */
	if (!rc || !db->drv->in_transaction(db))
		end_bulk(db);
	return rc;
}

int db_rollback(struct db *db)
{
	int rc = DB_OK;
	/* SQLite may already have rolled back (interrupt, disk full). */
	if (db->drv->in_transaction(db))
		rc = db_exec(db, "ROLLBACK");
	end_bulk(db);
	return rc;
}

void db_settle(struct db *db)
{
	if (!db->checkpoint_due || db->drv->in_transaction(db))
		return;
	db->checkpoint_due = false;
	db_exec(db, "PRAGMA wal_checkpoint(PASSIVE)");
}

bool db_in_transaction(const struct db *db)
{
	return db->drv->in_transaction((struct db *)db);
}

int db_next_ids(struct db *db, const char *table, size_t n, int64_t *ids)
{
	char sql[256];
	struct db_stmt *st;
	if (db->kind == DB_SQLITE) {
		int64_t last = 0;
		snprintf(sql, sizeof sql, "SELECT coalesce(max(\"id\"), 0) FROM \"%s\"", table);
		int rc = db_query_int(db, sql, 0, NULL, &last);
		for (size_t i = 0; rc == DB_OK && i < n; i++)
			ids[i] = last + 1 + (int64_t)i;
		return rc;
	}
	snprintf(
	    sql, sizeof sql,
	    "SELECT nextval(pg_get_serial_sequence('\"%s\"', 'id')) FROM generate_series(1, ?)",
	    table);
	int rc = db_prepare(db, sql, &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, (int64_t)n);
	size_t got = 0;
	while ((rc = db_step(st)) == DB_ROW && got < n)
		ids[got++] = db_column_int(st, 0);
	db_reset(st);
	if (rc == DB_ROW || rc == DB_DONE)
		rc = got == n ? DB_OK : DB_ERROR;
	return rc;
}

int64_t db_changes(struct db *db)
{
	return db->drv->changes(db);
}

const char *db_ident(const char *name, char *buf, size_t n)
{
	/* Names come from the registry, which only admits [a-z][a-z0-9_]*; quoting keeps
	 * reserved words (e.g. "position", "order") usable as column names. */
	snprintf(buf, n, "\"%s\"", name);
	return buf;
}
