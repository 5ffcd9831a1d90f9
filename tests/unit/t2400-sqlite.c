/* db/ on SQLite: statements, the statement cache, transactions, error mapping and deadlines. */
#include "unit.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "db/db.h"

#include <sys/stat.h>

static char *dir;
static struct db *db;

static int setup(void **state)
{
	(void)state;
	log_threshold = LOG_ERROR;
	dir = unit_tmpdir();
	char path[1024];
	snprintf(path, sizeof path, "%s/test.sqlite", dir);
	struct db_options o = {.kind = DB_SQLITE, .target = path, .timeout_ms = 2000};
	char *err = NULL;
	if (db_open(&o, &db, &err)) {
		print_error("db_open: %s\n", err ? err : "?");
		free(err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	unit_rmtree(dir);
	free(dir);
	return 0;
}

static void test_open(void **state)
{
	(void)state;
	assert_int_equal(db_kind(db), DB_SQLITE);
	/* WAL and foreign keys are on. */
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, "PRAGMA journal_mode", &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_column_text(st, 0, NULL), "wal");
	db_reset(st);
	int64_t fk = 0;
	assert_int_equal(db_query_int(db, "PRAGMA foreign_keys", 0, NULL, &fk), DB_OK);
	assert_int_equal(fk, 1);
	/* A path that cannot be opened gives an error message. */
	struct db_options bad = {.kind = DB_SQLITE, .target = "/nonexistent-dir/x/y.sqlite"};
	struct db *b = NULL;
	char *err = NULL;
	assert_int_not_equal(db_open(&bad, &b, &err), DB_OK);
	assert_non_null(err);
	assert_non_null(strstr(err, "y.sqlite"));
	free(err);
	/* db_close(NULL) is harmless. */
	db_close(NULL);
}

static void test_bind_step(void **state)
{
	(void)state;
	assert_int_equal(db_exec(db, "CREATE TABLE kv (k TEXT PRIMARY KEY, i INTEGER, d REAL, "
	                             "t TEXT, n TEXT)"),
	                 DB_OK);
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, "INSERT INTO kv VALUES (?, ?, ?, ?, ?)", &st), DB_OK);
	char key[8] = "k1";
	db_bind_texts(st, 1, key);
	db_bind_int(st, 2, INT64_MIN);
	db_bind_double(st, 3, 2.5);
	db_bind_text(st, 4, "a\0b海韵", 9); /* length-delimited, NUL inside */
	db_bind_null(st, 5);
	memcpy(key, "XX", 2); /* bound transiently: a copy was taken */
	assert_int_equal(db_step(st), DB_DONE);
	db_reset(st);
	assert_int_equal(db_changes(db), 1);

	assert_int_equal(db_prepare(db, "SELECT k, i, d, t, n, i + 1 AS plus FROM kv", &st), DB_OK);
	assert_int_equal(db_column_count(st), 6);
	assert_int_equal(db_step(st), DB_ROW);
	assert_string_equal(db_column_name(st, 5), "plus");
	assert_string_equal(db_column_text(st, 0, NULL), "k1");
	assert_int_equal(db_column_int(st, 1), INT64_MIN);
	assert_true(db_column_double(st, 2) == 2.5);
	size_t len = 0;
	const char *t = db_column_text(st, 3, &len);
	assert_int_equal(len, 9);
	assert_memory_equal(t, "a\0b海韵", 9);
	assert_true(db_column_null(st, 4));
	assert_false(db_column_null(st, 3));
	t = db_column_text(st, 4, &len); /* NULL reads as "" */
	assert_non_null(t);
	assert_string_equal(t, "");
	assert_int_equal(len, 0);
	assert_int_equal(db_step(st), DB_DONE);
	db_reset(st);

	/* Conveniences. */
	const char *p[] = {"k2", "7"};
	assert_int_equal(db_run(db, "INSERT INTO kv (k, i) VALUES (?, ?)", 2, p), DB_OK);
	int64_t v = -1;
	assert_int_equal(db_query_int(db, "SELECT i FROM kv WHERE k = ?", 1, p, &v), DB_OK);
	assert_int_equal(v, 7);
	/* No row: *out untouched. */
	const char *none[] = {"zz"};
	v = 99;
	assert_int_equal(db_query_int(db, "SELECT i FROM kv WHERE k = ?", 1, none, &v), DB_OK);
	assert_int_equal(v, 99);
	/* NULL value: untouched as well. */
	assert_int_equal(db_query_int(db, "SELECT NULL", 0, NULL, &v), DB_OK);
	assert_int_equal(v, 99);
	/* A NULL parameter binds NULL. */
	const char *pn[] = {"k3", NULL};
	assert_int_equal(db_run(db, "INSERT INTO kv (k, i) VALUES (?, ?)", 2, pn), DB_OK);
	assert_int_equal(db_query_int(db, "SELECT count(*) FROM kv WHERE i IS NULL", 0, NULL, &v),
	                 DB_OK);
	assert_int_equal(v, 1);
	/* db_changes counts the rows of the last statement. */
	assert_int_equal(db_run(db, "UPDATE kv SET n = 'x'", 0, NULL), DB_OK);
	assert_int_equal(db_changes(db), 3);
	assert_int_equal(db_run(db, "UPDATE kv SET n = 'y' WHERE k = 'nope'", 0, NULL), DB_OK);
	assert_int_equal(db_changes(db), 0);

	/* A syntax error is a fault with a message for the log. */
	assert_int_equal(db_prepare(db, "SELEKT 1", &st), DB_ERROR);
	assert_true(strlen(db_errmsg(db)) > 0);
	assert_int_equal(db_exec(db, "CREATE TABLE kv (x)"), DB_ERROR);
	assert_non_null(strstr(db_errmsg(db), "kv"));

	char buf[64];
	assert_string_equal(db_ident("position", buf, sizeof buf), "\"position\"");
	assert_ptr_equal(db_ident("x", buf, sizeof buf), buf);
}

static void test_cache(void **state)
{
	(void)state;
	const char *sql = "SELECT k FROM kv ORDER BY k";
	struct db_stmt *a, *b, *c;
	assert_int_equal(db_prepare(db, sql, &a), DB_OK);
	assert_int_equal(db_step(a), DB_ROW);
	db_reset(a);
	/* The same text again: the cached statement, reset and without bindings. */
	assert_int_equal(db_prepare(db, sql, &b), DB_OK);
	assert_ptr_equal(a, b);
	assert_int_equal(db_step(b), DB_ROW);
	assert_string_equal(db_column_text(b, 0, NULL), "k1");

	/* Nested use of the same text while b is in use: a private statement. */
	assert_int_equal(db_prepare(db, sql, &c), DB_OK);
	assert_ptr_not_equal(b, c);
	assert_int_equal(db_step(c), DB_ROW);
	assert_string_equal(db_column_text(c, 0, NULL), "k1");
	assert_int_equal(db_step(c), DB_ROW);
	assert_string_equal(db_column_text(c, 0, NULL), "k2");
	/* b's cursor is unaffected by c. */
	assert_int_equal(db_step(b), DB_ROW);
	assert_string_equal(db_column_text(b, 0, NULL), "k2");
	db_reset(c); /* freed (ASan/LSan would notice a leak or a double free) */
	db_reset(b);
	/* After both: the cached one comes back again. */
	assert_int_equal(db_prepare(db, sql, &c), DB_OK);
	assert_ptr_equal(c, a);
	db_reset(c);
	db_reset(NULL); /* harmless */

	/* Bindings do not survive a reset. */
	struct db_stmt *q;
	assert_int_equal(db_prepare(db, "SELECT ? IS NULL", &q), DB_OK);
	db_bind_int(q, 1, 5);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_column_int(q, 0), 0);
	db_reset(q);
	assert_int_equal(db_prepare(db, "SELECT ? IS NULL", &q), DB_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_column_int(q, 0), 1);
	db_reset(q);

	/* Many distinct statements: the cache evicts, and everything keeps working. */
	for (int i = 0; i < 1000; i++) {
		char s[64];
		snprintf(s, sizeof s, "SELECT %d + ?", i);
		struct db_stmt *st;
		assert_int_equal(db_prepare(db, s, &st), DB_OK);
		db_bind_int(st, 1, 1);
		assert_int_equal(db_step(st), DB_ROW);
		if (db_column_int(st, 0) != i + 1)
			fail_msg("statement %d gave %lld", i, (long long)db_column_int(st, 0));
		db_reset(st);
	}
	/* The first statement is prepared again if it was evicted, and still right. */
	assert_int_equal(db_prepare(db, sql, &c), DB_OK);
	assert_int_equal(db_step(c), DB_ROW);
	assert_string_equal(db_column_text(c, 0, NULL), "k1");
	db_reset(c);
}

static void test_transactions(void **state)
{
	(void)state;
	assert_int_equal(db_exec(db, "CREATE TABLE tx (v INTEGER)"), DB_OK);
	assert_false(db_in_transaction(db));
	assert_int_equal(db_begin(db), DB_OK);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_exec(db, "INSERT INTO tx VALUES (1)"), DB_OK);
	assert_int_equal(db_commit(db), DB_OK);
	assert_false(db_in_transaction(db));

	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO tx VALUES (2)"), DB_OK);
	int64_t n = 0;
	assert_int_equal(db_query_int(db, "SELECT count(*) FROM tx", 0, NULL, &n), DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(db_rollback(db), DB_OK);
	assert_false(db_in_transaction(db));
	assert_int_equal(db_query_int(db, "SELECT count(*) FROM tx", 0, NULL, &n), DB_OK);
	assert_int_equal(n, 1);
	/* Rolling back outside a transaction is harmless. */
	assert_int_equal(db_rollback(db), DB_OK);
	/* Nested BEGIN is an error, and leaves the first transaction open. */
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_not_equal(db_begin(db), DB_OK);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_rollback(db), DB_OK);
	/* A second connection sees only committed rows (WAL). */
	char path[1024];
	snprintf(path, sizeof path, "%s/test.sqlite", dir);
	struct db_options o = {
	    .kind = DB_SQLITE, .target = path, .timeout_ms = 200, .yield_to_bulk = true};
	struct db *other;
	char *err = NULL;
	assert_int_equal(db_open(&o, &other, &err), DB_OK);
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO tx VALUES (3)"), DB_OK);
	assert_int_equal(db_query_int(other, "SELECT count(*) FROM tx", 0, NULL, &n), DB_OK);
	assert_int_equal(n, 1);
	/* A second writer waits for the lock, then gives up: busy, to be retried. */
	int64_t t0 = time_mono_ns();
	int rc = db_begin(other);
	assert_int_equal(rc, DB_EBUSY);
	assert_true(db_retryable(rc));
	assert_true(time_mono_ns() - t0 >= 150 * 1000000LL);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(db_query_int(other, "SELECT count(*) FROM tx", 0, NULL, &n), DB_OK);
	assert_int_equal(n, 2);
	/* A write that may be skipped is, at once, while another writer holds the lock. */
	assert_int_equal(db_begin(db), DB_OK);
	t0 = time_mono_ns();
	assert_int_equal(db_run_unless_busy(other, "INSERT INTO tx VALUES (4)", 0, NULL), DB_EBUSY);
	assert_true(time_mono_ns() - t0 < 50 * 1000000LL);
	assert_int_equal(db_commit(db), DB_OK);
	assert_int_equal(db_run_unless_busy(other, "INSERT INTO tx VALUES (4)", 0, NULL), DB_OK);
	/* While a bulk transaction (an import) holds the lock, a yielding writer gives up at once
	 * rather than wait out its deadline, and another waits its deadline; after it, both
	 * write again. */
	assert_int_equal(db_begin_bulk(db), DB_OK);
	t0 = time_mono_ns();
	assert_int_equal(db_begin(other), DB_EBUSY);
	assert_true(time_mono_ns() - t0 < 50 * 1000000LL);
	o.yield_to_bulk = false;
	struct db *patient;
	assert_int_equal(db_open(&o, &patient, &err), DB_OK);
	t0 = time_mono_ns();
	assert_int_equal(db_begin(patient), DB_EBUSY);
	assert_true(time_mono_ns() - t0 >= 150 * 1000000LL);
	assert_int_equal(db_rollback(db), DB_OK);
	assert_int_equal(db_begin(patient), DB_OK);
	assert_int_equal(db_commit(patient), DB_OK);
	db_close(patient);
	assert_int_equal(db_begin(other), DB_OK);
	assert_int_equal(db_commit(other), DB_OK);
	assert_int_equal(db_query_int(other, "SELECT count(*) FROM tx", 0, NULL, &n), DB_OK);
	assert_int_equal(n, 3);
	db_close(other);
}

static int64_t file_size(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct stat st;
	return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* A bulk commit leaves its pages in the WAL until db_settle copies them into the database
 * file; ordinary commits checkpoint as before. */
static void test_bulk_checkpoint(void **state)
{
	(void)state;
	assert_int_equal(db_exec(db, "CREATE TABLE big (id INTEGER PRIMARY KEY, pad BLOB)"), DB_OK);
	assert_int_equal(db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)"), DB_OK);
	int64_t before = file_size("test.sqlite");
	assert_int_equal(db_begin_bulk(db), DB_OK);
	/* 4,000 pages: well past SQLite's automatic checkpoint at 1,000. */
	assert_int_equal(db_exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	                             "FROM n WHERE i < 4000) INSERT INTO big SELECT i, "
	                             "zeroblob(4000) FROM n"),
	                 DB_OK);
	assert_int_equal(db_commit(db), DB_OK);
	assert_true(file_size("test.sqlite") < before + 1000 * 4096);
	assert_true(file_size("test.sqlite-wal") > 4000 * 4000);
	int64_t n = 0;
	assert_int_equal(db_query_int(db, "PRAGMA wal_autocheckpoint", 0, NULL, &n), DB_OK);
	assert_int_equal(n, 1000);
	db_settle(db);
	assert_true(file_size("test.sqlite") >= before + 4000 * 4000);
	/* Settled once: a second call has nothing to do. */
	db_settle(db);
	assert_int_equal(db_exec(db, "DROP TABLE big"), DB_OK);
}

static void test_constraints(void **state)
{
	(void)state;
	assert_int_equal(
	    db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, col TEXT, other TEXT, "
	                "deleted_at TEXT, parent INTEGER REFERENCES t(id));"
	                "CREATE UNIQUE INDEX ux_t__col ON t (col) WHERE deleted_at IS NULL;"
	                "CREATE UNIQUE INDEX ux_t__other ON t (other, col);"),
	    DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO t (id, col, other) VALUES (1, 'a', 'x')"), DB_OK);
	/* A unique index: DB_ECONSTRAINT, naming the column. */
	assert_int_equal(db_exec(db, "INSERT INTO t (col) VALUES ('a')"), DB_ECONSTRAINT);
	assert_non_null(db_error_column(db));
	assert_string_equal(db_error_column(db), "col");
	/* The same through a prepared statement. */
	struct db_stmt *st;
	assert_int_equal(db_prepare(db, "INSERT INTO t (col) VALUES (?)", &st), DB_OK);
	db_bind_texts(st, 1, "a");
	assert_int_equal(db_step(st), DB_ECONSTRAINT);
	db_reset(st);
	assert_string_equal(db_error_column(db), "col");
	/* The partial index admits a duplicate among deleted rows. */
	assert_int_equal(db_exec(db, "INSERT INTO t (col, deleted_at) VALUES ('a', 'now')"), DB_OK);
	/* A primary key. */
	assert_int_equal(db_exec(db, "INSERT INTO t (id, col) VALUES (1, 'b')"), DB_ECONSTRAINT);
	assert_string_equal(db_error_column(db), "id");
	/* Two columns: no single column to name. */
	assert_int_equal(
	    db_exec(db, "INSERT INTO t (col, other, deleted_at) VALUES ('a', 'x', 'n')"),
	    DB_ECONSTRAINT);
	assert_null(db_error_column(db));
	/* A foreign key. */
	assert_int_equal(db_exec(db, "INSERT INTO t (col, parent) VALUES ('z', 999)"), DB_EFOREIGN);
	/* Other constraints are faults. */
	assert_int_equal(db_exec(db, "CREATE TABLE nn (v TEXT NOT NULL)"), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO nn VALUES (NULL)"), DB_ERROR);
	/* A failed statement inside a transaction leaves it open for rollback. */
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO t (col) VALUES ('q')"), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO t (col) VALUES ('q')"), DB_ECONSTRAINT);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_rollback(db), DB_OK);
	int64_t n = -1;
	assert_int_equal(db_query_int(db, "SELECT count(*) FROM t WHERE col = 'q'", 0, NULL, &n),
	                 DB_OK);
	assert_int_equal(n, 0);
}

static void test_deadline(void **state)
{
	(void)state;
	char path[1024];
	snprintf(path, sizeof path, "%s/test.sqlite", dir);
	struct db_options o = {.kind = DB_SQLITE, .target = path, .timeout_ms = 100};
	struct db *d;
	char *err = NULL;
	assert_int_equal(db_open(&o, &d, &err), DB_OK);
	static const char forever[] =
	    "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r";
	struct db_stmt *st;
	assert_int_equal(db_prepare(d, forever, &st), DB_OK);
	int64_t t0 = time_mono_ns();
	int rc = db_step(st);
	int64_t ms = (time_mono_ns() - t0) / 1000000;
	db_reset(st);
	assert_int_equal(rc, DB_ETIMEOUT);
	assert_false(db_retryable(rc));
	if (ms < 90 || ms > 1500)
		fail_msg("deadline of 100 ms hit after %lld ms", (long long)ms);
	/* db_exec has the deadline as well. */
	t0 = time_mono_ns();
	assert_int_equal(db_exec(d, forever), DB_ETIMEOUT);
	ms = (time_mono_ns() - t0) / 1000000;
	if (ms > 1500)
		fail_msg("db_exec deadline hit after %lld ms", (long long)ms);
	/* The connection is usable afterwards, and the deadline is per statement. */
	int64_t v = 0;
	assert_int_equal(db_query_int(d, "SELECT 41 + 1", 0, NULL, &v), DB_OK);
	assert_int_equal(v, 42);
	/* A statement shorter than the deadline is not interrupted, even after a long pause. */
	assert_int_equal(db_prepare(d,
	                            "SELECT count(*) FROM (WITH RECURSIVE r(x) AS (SELECT 1 "
	                            "UNION ALL SELECT x + 1 FROM r LIMIT 1000) SELECT x FROM r)",
	                            &st),
	                 DB_OK);
	usleep(150 * 1000);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_column_int(st, 0), 1000);
	db_reset(st);
	assert_true(db_time_ns(d) > 0);
	db_close(d);
}

/* Bytes in and out unchanged: NULs, none at all, and a file chunk's worth. */
static void test_blobs(void **state)
{
	(void)state;
	assert_int_equal(db_exec(db, "CREATE TABLE bl (k INTEGER PRIMARY KEY, b BLOB)"), DB_OK);
	static unsigned char big[256 * 1024];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (unsigned char)(i * 7 + (i >> 9));
	const struct {
		const void *p;
		size_t n;
	} cases[] = {{"\0\1\2\xff\0", 5}, {"", 0}, {big, sizeof big}};
	struct db_stmt *st;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(db_prepare(db, "INSERT INTO bl (k, b) VALUES (?, ?)", &st), DB_OK);
		db_bind_int(st, 1, (int64_t)i);
		db_bind_blob(st, 2, cases[i].p, cases[i].n);
		assert_int_equal(db_step(st), DB_DONE);
		db_reset(st);
	}
	assert_int_equal(db_prepare(db, "SELECT b, b IS NULL FROM bl ORDER BY k", &st), DB_OK);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(db_step(st), DB_ROW);
		size_t n = 99;
		const void *p = db_column_blob(st, 0, &n);
		EXPECT_INT(n, cases[i].n, "blob length");
		EXPECT(p && memcmp(p, cases[i].p, n) == 0, "blob %zu differs", i);
		EXPECT_INT(db_column_int(st, 1), 0, "an empty blob is not NULL");
	}
	assert_int_equal(db_step(st), DB_DONE);
	db_reset(st);
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_open),     UNIT_TEST(test_bind_step),       UNIT_TEST(test_blobs),
	    UNIT_TEST(test_cache),    UNIT_TEST(test_transactions),    UNIT_TEST(test_constraints),
	    UNIT_TEST(test_deadline), UNIT_TEST(test_bulk_checkpoint),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
