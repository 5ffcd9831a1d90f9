/*
 * One interface to SQLite and PostgreSQL (docs/internals/DB.md).
 *
 * A `struct db` is one connection, used by one thread at a time. Statements are written once
 * with `?` placeholders (the PostgreSQL driver numbers them), prepared on first use and kept
 * in a per-connection cache keyed by their text, so a hot statement is parsed and planned once
 * per connection. Every statement runs under a deadline: a database that stops answering costs
 * a request an error, never a hung worker.
 *
 * Use:
 *	struct db_stmt *st;
 *	if ((rc = db_prepare(db, "SELECT name FROM customers WHERE id = ?", &st)))
 *		goto out;
 *	db_bind_int(st, 1, id);
 *	while ((rc = db_step(st)) == DB_ROW)
 *		use(db_column_text(st, 0, NULL));
 *	db_reset(st);               // always: releases the result and the cache slot
 *	if (rc != DB_DONE) goto out;
 */
#ifndef SEXTANT_DB_H
#define SEXTANT_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_kind { DB_SQLITE, DB_PG };

enum db_rc {
	DB_OK = 0,
	DB_ROW = 1,
	DB_DONE = 2,
	DB_ERROR = -1,       /* a fault: logged, the request gets a 500 */
	DB_ECONSTRAINT = -2, /* a unique constraint was violated */
	DB_EFOREIGN = -3,    /* a foreign key was violated */
	DB_EBUSY = -4,       /* locked, deadlocked or a serialisation failure: retry */
	DB_ETIMEOUT = -5,    /* the statement's deadline passed */
	DB_EFULL = -6,       /* the disk or database is full */
	DB_ECONN = -7,       /* the connection was lost; it is re-made on next use */
};

struct db;
struct db_stmt;

struct db_options {
	enum db_kind kind;
	const char *target;      /* SQLite file path, or PostgreSQL URL / conninfo */
	int timeout_ms;          /* deadline of one statement */
	const char *sqlite_sync; /* "FULL" or "NORMAL" */
	/* SQLite: while a bulk transaction (an import) holds the write lock, writes give up at
	 * once (DB_EBUSY) instead of waiting for it. For connections whose waits hold up others
	 * (HTTP workers); imports and the command line wait their turn. */
	bool yield_to_bulk;
};

/* Open a connection; on failure *err gets a malloc'd message for the log. */
int db_open(const struct db_options *o, struct db **out, char **err);
/* Another connection to the same database with the same options (a second thread's). */
int db_open_sibling(struct db *db, struct db **out, char **err);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);
/* The database it is connected to: the SQLite file, or the PostgreSQL URL as given. */
const char *db_target(const struct db *db);

/*
 * A statement for `sql`, from the cache or freshly prepared, reset and with no bindings.
 * If the cached one is still in use (a nested query with the same text), a private one is
 * prepared and freed by db_reset().
 */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);
/* Parameters are numbered from 1. Text is copied (PostgreSQL) or bound transiently. */
void db_bind_int(struct db_stmt *st, int i, int64_t v);
void db_bind_double(struct db_stmt *st, int i, double v);
void db_bind_text(struct db_stmt *st, int i, const char *s, size_t n);
void db_bind_texts(struct db_stmt *st, int i, const char *s); /* NUL-terminated; NULL binds NULL */
/* Text that stays valid and unchanged until the statement is reset: not copied on SQLite. */
void db_bind_text_static(struct db_stmt *st, int i, const char *s, size_t n);
void db_bind_null(struct db_stmt *st, int i);
/* Bytes (a BLOB in SQLite, bytea in PostgreSQL, sent in binary): copied. */
void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n);
/* DB_ROW while rows come, DB_DONE at the end, or a negative DB_E* code. */
int db_step(struct db_stmt *st);
/* Columns are numbered from 0. */
int db_column_count(struct db_stmt *st);
const char *db_column_name(struct db_stmt *st, int i);
bool db_column_null(struct db_stmt *st, int i);
int64_t db_column_int(struct db_stmt *st, int i); /* PostgreSQL booleans read as 0/1 */
double db_column_double(struct db_stmt *st, int i);
/* Text of a column (never NULL: "" for NULL); *len gets its length when len is given. */
const char *db_column_text(struct db_stmt *st, int i, size_t *len);
/* A BLOB or bytea column's bytes (n 0 for NULL); valid until the next step or the reset. NULL
 * only if PostgreSQL's text could not be decoded (out of memory). */
const void *db_column_blob(struct db_stmt *st, int i, size_t *n);
/* A timestamp column as ms since the epoch, whichever database printed it; false (and *ms
 * untouched) if it is NULL or unreadable. */
bool db_column_time(struct db_stmt *st, int i, int64_t *ms);
/* Finish with a statement: frees its result and makes it available again. */
void db_reset(struct db_stmt *st);
/* Step an INSERT … RETURNING id to its end and reset it: the id in *id. */
int db_step_id(struct db_stmt *st, int64_t *id);

/* Convenience: run a statement that returns no rows, with n text parameters (NULL = NULL). */
int db_run(struct db *db, const char *sql, int n, const char *const *params);
/* The same for a change meant to touch a row: DB_DONE when it changed none. */
int db_run_one(struct db *db, const char *sql, int n, const char *const *params);
/* db_run for a write that may be skipped: DB_EBUSY at once, rather than a wait, while another
 * writer of this process holds SQLite's write lock (a long import). Outside a transaction. */
int db_run_unless_busy(struct db *db, const char *sql, int n, const char *const *params);
/* Convenience: the first column of the first row as an integer (*out untouched if no row). */
int db_query_int(struct db *db, const char *sql, int n, const char *const *params, int64_t *out);

/* Run one or more statements without parameters or results (DDL). Not cached. */
int db_exec(struct db *db, const char *sql);

/* Transactions. SQLite takes the write lock at BEGIN so writers queue instead of deadlocking. */
int db_begin(struct db *db);
/*
 * A transaction for bulk writes (imports): on PostgreSQL every statement is planned for its own
 * parameters, since a table that grows inside the transaction still has the statistics of
 * before, and a plan cached for an empty table scans it whole. On SQLite, while it holds the
 * write lock, writers on connections opened with yield_to_bulk get DB_EBUSY at once, and its
 * commit does not copy the WAL into the database file: see db_settle.
 */
int db_begin_bulk(struct db *db);
/* A transaction that only reads: one snapshot for many statements, which on SQLite also saves
 * each statement taking and leaving a read lock of its own (an import's dry run asks hundreds
 * of queries a batch). Ended by db_commit or db_rollback. */
int db_begin_read(struct db *db);
int db_commit(struct db *db);
/*
 * SQLite: copy what a bulk commit left in the WAL into the database file (a checkpoint that
 * waits for no one). Copying an import's pages takes about as long as writing them did, and
 * whoever waits for the import's answer need not wait for it too: the server runs this after
 * the answer has gone. Nothing to do otherwise.
 */
void db_settle(struct db *db);
/* SQLite: hand the connection's cached pages back (a connection that is seldom used). */
void db_release_memory(struct db *db);
/* SQLite: a page cache of 4 MiB instead of 16, for a short-lived connection on a short-lived
 * thread (an import's second checker). glibc keeps the top of a thread's heap up to
 * M_TRIM_THRESHOLD (src/main.c), which malloc_trim does not give back for threads other than
 * the main one: a full cache there would stay with the process after the import. */
void db_small_cache(struct db *db);
int db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);

/*
 * Reserve n new ids of a table (inside a write transaction) for rows inserted with explicit
 * ids: SQLite continues after the largest (it holds the write lock); PostgreSQL takes them from
 * the identity column's sequence.
 */
int db_next_ids(struct db *db, const char *table, size_t n, int64_t *ids);

/* Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t db_changes(struct db *db);
/* The last error's text, for logs only (never shown to clients). */
const char *db_errmsg(const struct db *db);
/* For DB_ECONSTRAINT: the column the violated unique index covers, if one can be told. */
const char *db_error_column(const struct db *db);
/* Time spent in the database by this connection, for /metrics: each statement's from its first
 * step to its last row (or reset), the caller's work between rows included. */
uint64_t db_time_ns(const struct db *db);

/* True if the error means the operation may succeed when retried. */
static inline bool db_retryable(int rc)
{
	return rc == DB_EBUSY || rc == DB_ECONN;
}

/* Quote an identifier (which must come from the metadata registry) into buf. */
const char *db_ident(const char *name, char *buf, size_t n);

#endif
