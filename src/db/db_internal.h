/* Shared between db.c and the two drivers; nothing outside src/db/ includes this. */
#ifndef SEXTANT_DB_INTERNAL_H
#define SEXTANT_DB_INTERNAL_H

#include "db.h"

struct db_driver {
	int (*open)(struct db *db, const struct db_options *o, char **err);
	void (*close)(struct db *db);
	int (*prepare)(struct db_stmt *st);
	void (*finalize)(struct db_stmt *st);
	void (*bind_int)(struct db_stmt *st, int i, int64_t v);
	void (*bind_double)(struct db_stmt *st, int i, double v);
	void (*bind_text)(struct db_stmt *st, int i, const char *s, size_t n);
	void (*bind_text_static)(struct db_stmt *st, int i, const char *s, size_t n);
	void (*bind_null)(struct db_stmt *st, int i);
	void (*bind_blob)(struct db_stmt *st, int i, const void *p, size_t n);
	int (*step)(struct db_stmt *st);
	int (*column_count)(struct db_stmt *st);
	const char *(*column_name)(struct db_stmt *st, int i);
	bool (*column_null)(struct db_stmt *st, int i);
	int64_t (*column_int)(struct db_stmt *st, int i);
	double (*column_double)(struct db_stmt *st, int i);
	const char *(*column_text)(struct db_stmt *st, int i, size_t *len);
	const void *(*column_blob)(struct db_stmt *st, int i, size_t *len);
	void (*reset)(struct db_stmt *st);
	int (*exec)(struct db *db, const char *sql);
	int64_t (*changes)(struct db *db);
	bool (*in_transaction)(struct db *db);
};

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

/* SQLite's page cache per connection (KiB, negative as PRAGMA cache_size takes it). A 256 MiB
 * one while an import runs was tried (make bench): with the duplicate check's keys the HTTP
 * import went from 5,694 to 9,849 rows/s, but its memory peak from 60 to 321 MiB. Left out:
 * the keys are to be made cheaper instead (docs/internals/MATCH.md). */
#define DB_PAGE_CACHE       "-16384"
#define DB_SMALL_PAGE_CACHE "-4096" /* db_small_cache: KiB */

#define DB_CACHE_BUCKETS 512
#define DB_CACHE_MAX     384

struct db {
	const struct db_driver *drv;
	enum db_kind kind;
	int timeout_ms;
	char errmsg[512];
	char errcol[64];
	/* Statement cache: hash buckets plus a most-recently-used list for eviction. */
	struct db_stmt *buckets[DB_CACHE_BUCKETS];
	struct db_stmt *mru, *lru;
	size_t cached;
	uint64_t time_ns;
	bool holds_write_lock;     /* SQLite: this connection holds the process's writer lock */
	bool holds_bulk_lock;      /* … for a bulk transaction (an import) */
	bool checkpoint_due;       /* SQLite: a bulk commit left its pages in the WAL (db_settle) */
	bool yield_to_bulk;        /* see db_options */
	struct db_options options; /* as opened, strings copied: for db_open_sibling */
	void *impl;
};

struct db_stmt {
	struct db *db;
	char *sql;
	size_t sql_len;
	uint32_t hash;
	bool in_use;
	bool cached;
	/* When its execution began (its first step since a reset), 0 when not running: the time
	 * is read once per execution, not per row (a clock read per row was a tenth of a check
	 * that steps through hundreds of rows). */
	int64_t started_ns;
	struct db_stmt *bucket_next;
	struct db_stmt *mru_prev, *mru_next;
	void *impl;
};

/* Record an error's text for the log. */
void db_set_error(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Drop every cached statement (the PostgreSQL driver after reconnecting). */
void db_cache_clear(struct db *db);

#endif
