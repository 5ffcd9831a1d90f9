/*
 * db/ on PostgreSQL: placeholder conversion (pg.c's static convert_placeholders, through the
 * driver), error mapping, deadlines, the statement cache, and the metadata DDL on a real server.
 *
 * Uses the server in $SEXTANT_TEST_PG_URL if set; otherwise starts a throwaway one with
 * tools/pg-temp.sh (about 4 seconds) and stops it at the end. Without PostgreSQL the tests fail:
 * `make test` installs it, so its absence is a broken set-up, not a reason to pass.
 */
#include "unit.h"

#include "core/log.h"
#include "core/timeutil.h"
#include "db/db.h"
#include "db/migrate.h"
#include "meta/crud.h"
#include "meta/ddl.h"
#include "meta/query.h"
#include "meta/registry.h"

#include <jansson.h>

static char *dir; /* the throwaway cluster, if we started one */
static char script[600];
static char url[512];
static struct db *db;

static int setup(void **state)
{
	(void)state;
	log_threshold = LOG_ERROR;
	const char *env = getenv("SEXTANT_TEST_PG_URL");
	if (env && *env) {
		snprintf(url, sizeof url, "%s", env);
	} else {
		char tools[512];
		if (!unit_find_dir("tools", tools, sizeof tools))
			return 0;
		snprintf(script, sizeof script, "%s/pg-temp.sh", tools);
		if (access(script, X_OK))
			return 0;
		/* Not unit_tmpdir(): the folder must go only after the server has stopped. */
		const char *base = getenv("TMPDIR");
		char tmpl[512];
		snprintf(tmpl, sizeof tmpl, "%s/sextant-unit-pg-XXXXXX",
		         base && *base ? base : "/tmp");
		if (!mkdtemp(tmpl))
			return 0;
		dir = strdup(tmpl);
		chmod(dir, 0755); /* the server may run as another user */
		char cmd[2048];
		/* Stopped and removed at exit even if a sanitizer aborts the test. */
		snprintf(cmd, sizeof cmd, "'%s' stop '%s/pg'; rm -rf '%s'", script, dir, dir);
		unit_at_exit_sh(cmd);
		snprintf(cmd, sizeof cmd, "'%s' start '%s/pg' 2>/dev/null", script, dir);
		FILE *p = popen(cmd, "r");
		if (!p)
			return 0;
		if (!fgets(url, sizeof url, p))
			url[0] = '\0';
		pclose(p);
		url[strcspn(url, "\n")] = '\0';
		if (strncmp(url, "postgresql://", 13) != 0) {
			print_error("no PostgreSQL: tools/pg-temp.sh gave no URL\n");
			url[0] = '\0';
			return 0;
		}
	}
	struct db_options o = {.kind = DB_PG, .target = url, .timeout_ms = 5000};
	char *err = NULL;
	if (db_open(&o, &db, &err)) {
		print_error("db_open(%s): %s\n", url, err ? err : "?");
		free(err);
		db = NULL;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_close(db);
	if (dir) {
		char cmd[2048];
		snprintf(cmd, sizeof cmd, "'%s' stop '%s/pg' >/dev/null 2>&1; rm -rf '%s'", script,
		         dir, dir);
		if (system(cmd) != 0)
			print_error("could not stop the test server in %s\n", dir);
		free(dir);
	}
	return 0;
}

#define NEED_PG()                                                              \
	do {                                                                   \
		if (!db)                                                       \
			fail_msg("PostgreSQL is not available for this test"); \
	} while (0)

/* The first column of a one-row query as text. */
static char *one(const char *sql, int n, const char *const *params)
{
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc)
		fail_msg("prepare %s: %s", sql, db_errmsg(db));
	for (int i = 0; i < n; i++)
		db_bind_texts(st, i + 1, params[i]);
	rc = db_step(st);
	if (rc != DB_ROW)
		fail_msg("step %s: %d %s", sql, rc, db_errmsg(db));
	char *r = strdup(db_column_text(st, 0, NULL));
	db_reset(st);
	return r;
}

static void test_placeholders(void **state)
{
	(void)state;
	NEED_PG();
	static const struct {
		const char *sql;
		int n;
		const char *params[12];
		const char *want;
	} cases[] = {
	    {"SELECT ?::int + ?::int", 2, {"1", "2"}, "3"},
	    {"SELECT '?' || ?", 1, {"x"}, "?x"},            /* ? inside a string */
	    {"SELECT 'it''s ?' || ?", 1, {"!"}, "it's ?!"}, /* doubled quote */
	    {"SELECT \"?c\" || ? FROM (SELECT 'a' AS \"?c\") s", 1, {"b"}, "ab"}, /* identifier */
	    {"SELECT -- a ? comment\n ?::text", 1, {"y"}, "y"},                   /* line comment */
	    {"SELECT ?::text -- trailing ? comment", 1, {"z"}, "z"},
	    {"SELECT 5 - -3", 0, {NULL}, "8"}, /* not a comment */
	    {"SELECT concat(?::text,?::text,?::text,?::text,?::text,?::text,?::text,?::text,?::text,"
	     "?::text,?::text)",
	     11,
	     {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"},
	     "abcdefghijk"}, /* $10, $11 */
	    {"SELECT coalesce(?, 'null')", 1, {NULL}, "null"},
	    {"SELECT ?::text", 1, {"海韵"}, "海韵"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = one(cases[i].sql, cases[i].n, cases[i].params);
		EXPECT_STR(got, cases[i].want, cases[i].sql);
		free(got);
	}
	/* Types read back. */
	struct db_stmt *st;
	assert_int_equal(db_prepare(db,
	                            "SELECT true, false, NULL::int, 9007199254740993::bigint, "
	                            "2.5::float8, '2026-11-27 09:09:16.5+08'::timestamptz",
	                            &st),
	                 DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_column_int(st, 0), 1);
	assert_int_equal(db_column_int(st, 1), 0);
	assert_true(db_column_null(st, 2));
	assert_string_equal(db_column_text(st, 2, NULL), "");
	assert_int_equal(db_column_int(st, 3), 9007199254740993LL);
	assert_true(db_column_double(st, 4) == 2.5);
	/* Sessions run in UTC. */
	int64_t ms = 0;
	const char *ts = db_column_text(st, 5, NULL);
	assert_true(time_parse_datetime(ts, strlen(ts), &ms));
	char iso[TIME_ISO_LEN];
	time_format_iso(ms, iso);
	assert_string_equal(iso, "2026-11-27T01:09:16.500Z");
	assert_int_equal(db_step(st), DB_DONE);
	db_reset(st);
	EXPECT_ALL();
}

static void test_errors_and_cache(void **state)
{
	(void)state;
	NEED_PG();
	assert_int_equal(
	    db_exec(db, "CREATE TABLE t (id bigint PRIMARY KEY, col text, "
	                "deleted_at text, parent bigint REFERENCES t(id));"
	                "CREATE UNIQUE INDEX ux_t__col ON t (col) WHERE deleted_at IS NULL"),
	    DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO t (id, col) VALUES (1, 'a'), (2, 'b')"), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO t (id, col) VALUES (3, 'a')"), DB_ECONSTRAINT);
	assert_string_equal(db_error_column(db), "col");
	assert_int_equal(db_exec(db, "INSERT INTO t (id, col) VALUES (4, 'z', NULL, 99)"),
	                 DB_ERROR);
	assert_int_equal(db_exec(db, "INSERT INTO t (id, col, parent) VALUES (4, 'z', 99)"),
	                 DB_EFOREIGN);
	assert_int_equal(db_exec(db, "SELEKT"), DB_ERROR);
	/* Changes. */
	const char *p[] = {"x"};
	assert_int_equal(db_run(db, "UPDATE t SET deleted_at = ?", 1, p), DB_OK);
	assert_int_equal(db_changes(db), 2);
	/* Transactions. */
	assert_int_equal(db_begin(db), DB_OK);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_exec(db, "DELETE FROM t"), DB_OK);
	assert_int_equal(db_rollback(db), DB_OK);
	assert_false(db_in_transaction(db));
	int64_t n = 0;
	assert_int_equal(db_query_int(db, "SELECT count(*) FROM t", 0, NULL, &n), DB_OK);
	assert_int_equal(n, 2);
	/* An error inside a transaction aborts it; rollback recovers. */
	assert_int_equal(db_begin(db), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO t (id) VALUES (1)"), DB_ECONSTRAINT);
	assert_int_equal(db_rollback(db), DB_OK);
	assert_int_equal(db_query_int(db, "SELECT count(*) FROM t", 0, NULL, &n), DB_OK);
	/* Cache: same statement back; a nested twin is private. */
	const char *sql = "SELECT id FROM t ORDER BY id";
	struct db_stmt *a, *b, *c;
	assert_int_equal(db_prepare(db, sql, &a), DB_OK);
	db_reset(a);
	assert_int_equal(db_prepare(db, sql, &b), DB_OK);
	assert_ptr_equal(a, b);
	assert_int_equal(db_step(b), DB_ROW);
	assert_int_equal(db_prepare(db, sql, &c), DB_OK);
	assert_ptr_not_equal(b, c);
	assert_int_equal(db_step(c), DB_ROW);
	assert_int_equal(db_column_int(c, 0), 1);
	assert_int_equal(db_step(c), DB_ROW);
	assert_int_equal(db_column_int(c, 0), 2);
	assert_int_equal(db_step(b), DB_ROW);
	assert_int_equal(db_column_int(b, 0), 2);
	db_reset(c);
	db_reset(b);
	assert_int_equal(db_exec(db, "DROP TABLE t"), DB_OK);
}

static void test_deadline(void **state)
{
	(void)state;
	NEED_PG();
	struct db_options o = {.kind = DB_PG, .target = url, .timeout_ms = 100};
	struct db *d;
	char *err = NULL;
	assert_int_equal(db_open(&o, &d, &err), DB_OK);
	int64_t t0 = time_mono_ns();
	int rc = db_exec(d, "SELECT pg_sleep(5)");
	int64_t ms = (time_mono_ns() - t0) / 1000000;
	assert_int_equal(rc, DB_ETIMEOUT);
	if (ms > 2000)
		fail_msg("deadline of 100 ms hit after %lld ms", (long long)ms);
	struct db_stmt *st;
	assert_int_equal(db_prepare(d, "SELECT count(*) FROM generate_series(1, 1000000000)", &st),
	                 DB_OK);
	t0 = time_mono_ns();
	rc = db_step(st);
	ms = (time_mono_ns() - t0) / 1000000;
	db_reset(st);
	assert_int_equal(rc, DB_ETIMEOUT);
	if (ms > 2000)
		fail_msg("deadline of 100 ms hit after %lld ms", (long long)ms);
	/* Still usable. */
	int64_t v = 0;
	assert_int_equal(db_query_int(d, "SELECT 42", 0, NULL, &v), DB_OK);
	assert_int_equal(v, 42);
	db_close(d);
}

/*
 * A multi-host URL whose first host is down connects to the next; a connection the server
 * ends is reported once (DB_ECONN) and re-made on next use, its statements prepared again.
 */
static void test_failover_and_reconnect(void **state)
{
	(void)state;
	NEED_PG();
	const char *at = strstr(url, "@127.0.0.1:");
	assert_non_null(at);
	char multi[600];
	snprintf(multi, sizeof multi, "%.*s@127.0.0.1:1,127.0.0.1:%s", (int)(at - url), url,
	         at + strlen("@127.0.0.1:"));
	struct db_options o = {.kind = DB_PG, .target = multi, .timeout_ms = 5000};
	struct db *d;
	char *err = NULL;
	if (db_open(&o, &d, &err) != DB_OK)
		fail_msg("multi-host %s: %s", multi, err ? err : "?");
	int64_t pid = 0, v = 0;
	assert_int_equal(db_query_int(d, "SELECT pg_backend_pid()", 0, NULL, &pid), DB_OK);
	assert_int_equal(db_query_int(d, "SELECT 1 + ?::int", 1, (const char *[]){"1"}, &v), DB_OK);
	assert_int_equal(v, 2);
	/* The server ends the session, as a restarted or promoted server would. */
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%lld)", (long long)pid);
	free(one(sql, 0, NULL));
	int rc = db_query_int(d, "SELECT 1 + ?::int", 1, (const char *[]){"2"}, &v);
	assert_true(rc == DB_ECONN || rc == DB_OK);
	/* The next use connects again (through the same multi-host URL) and re-prepares. */
	v = 0;
	assert_int_equal(db_query_int(d, "SELECT 1 + ?::int", 1, (const char *[]){"41"}, &v),
	                 DB_OK);
	assert_int_equal(v, 42);
	int64_t pid2 = 0;
	assert_int_equal(db_query_int(d, "SELECT pg_backend_pid()", 0, NULL, &pid2), DB_OK);
	assert_true(pid2 != pid);
	db_close(d);
}

/* The metadata DDL runs on PostgreSQL, and a record round-trips through the generic layer. */
static void test_ddl_and_list(void **state)
{
	(void)state;
	NEED_PG();
	assert_int_equal(migrate_core(db), DB_OK);
	char *err = NULL;
	struct registry *reg = registry_build(db, &err);
	if (!reg)
		fail_msg("registry_build: %s", err);
	if (ddl_sync(db, reg))
		fail_msg("ddl_sync on PostgreSQL: %s", db_errmsg(db));
	/* Running it again changes nothing and succeeds. */
	assert_int_equal(ddl_sync(db, reg), DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO users (id, username, password_hash, created_at, "
	                             "updated_at) VALUES (1, 'tester', 'x', now(), now())"),
	                 DB_OK);
	struct arena a;
	arena_init(&a, 0);
	struct problem p;
	problem_init(&p, &a);
	struct op op = {.arena = &a,
	                .db = db,
	                .reg = reg,
	                .e = registry_entity(reg, "customers"),
	                .user_id = 1,
	                .lang = LANG_EN,
	                .request_id = "unit",
	                .problem = &p,
	                .count_cap = 10000};
	json_t *body = json_loads("{\"name\":\"上海海韵游艇俱乐部\",\"level\":\"a\","
	                          "\"founded_on\":\"2008-08-08\",\"tax_id\":\"91350100m000100y43\","
	                          "\"registered_capital\":{\"amount\":5000,\"currency\":\"USD\"}}",
	                          0, NULL);
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_create(&op, body, NULL, &out, &res);
	if (status != 201) {
		struct str ps = STR_INIT;
		problem_render(&p, LANG_EN, &ps);
		fail_msg("crud_create on PostgreSQL: %d %s %s", status, ps.buf, db_errmsg(db));
	}
	/* A second record with the same tax id: 409 naming the field. */
	str_reset(&out);
	problem_init(&p, &a);
	status = crud_create(&op, body, NULL, &out, &res);
	assert_int_equal(status, -1);
	assert_int_equal(p.status, 409);
	assert_int_equal(p.n_errors, 1);
	assert_string_equal(p.errors[0].field, "tax_id");
	json_decref(body);

	struct kv kv[] = {{"q", "海韵"},
	                  {"founded_on__gte", "2008-01-01"},
	                  {"fields", "name,founded_on,registered_capital"}};
	struct list_query q;
	problem_init(&p, &a);
	assert_int_equal(list_parse(&op, kv, 3, NULL, &q), 0);
	str_reset(&out);
	if (list_page(&op, &q, &out))
		fail_msg("list_page on PostgreSQL: %s", db_errmsg(db));
	json_t *j = json_loads(out.buf, 0, NULL);
	assert_non_null(j);
	json_t *row = json_array_get(json_object_get(j, "data"), 0);
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "founded_on")), "2008-08-08");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(row, "registered_capital"), "currency")),
	                    "USD");
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	str_release(&out);
	arena_release(&a);
	registry_free(reg);
}

/* bytea as binary parameters, read back in either of its text forms (hex, the old escape). */
static void test_bytea(void **state)
{
	(void)state;
	NEED_PG();
	unsigned char *chunk = malloc(256 * 1024);
	assert_non_null(chunk);
	for (size_t i = 0; i < 256 * 1024; i++)
		chunk[i] = (unsigned char)(i % 251);
	struct db_stmt *st;
	assert_int_equal(db_exec(db, "CREATE TEMP TABLE bytes_t (k int PRIMARY KEY, b bytea)"),
	                 DB_OK);
	assert_int_equal(
	    db_prepare(db, "INSERT INTO bytes_t VALUES (1, ?), (2, ?), (3, ?), (4, NULL)", &st),
	    DB_OK);
	db_bind_blob(st, 1, "\0'\\\xff", 4);
	db_bind_blob(st, 2, NULL, 0);
	db_bind_blob(st, 3, chunk, 256 * 1024);
	assert_int_equal(db_step(st), DB_DONE);
	db_reset(st);
	static const char *const forms[] = {"SET bytea_output = 'hex'",
	                                    "SET bytea_output = 'escape'"};
	for (size_t f = 0; f < 2; f++) {
		assert_int_equal(db_exec(db, forms[f]), DB_OK);
		assert_int_equal(db_prepare(db, "SELECT b FROM bytes_t ORDER BY k", &st), DB_OK);
		size_t n[4];
		const unsigned char *got[4];
		for (int row = 0; row < 4; row++) {
			assert_int_equal(db_step(st), DB_ROW);
			got[row] = db_column_blob(st, 0, &n[row]);
			assert_non_null(got[row]);
			if (row == 0)
				EXPECT(n[0] == 4 && memcmp(got[0], "\0'\\\xff", 4) == 0,
				       "%s: NULs and quotes", forms[f]);
			if (row == 2)
				EXPECT(n[2] == 256 * 1024 && memcmp(got[2], chunk, n[2]) == 0,
				       "%s: a chunk", forms[f]);
		}
		EXPECT(n[1] == 0 && n[3] == 0, "%s: empty and NULL have no bytes", forms[f]);
		assert_int_equal(db_step(st), DB_DONE);
		db_reset(st);
	}
	assert_int_equal(db_exec(db, "RESET bytea_output"), DB_OK);
	free(chunk);
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_placeholders), UNIT_TEST(test_errors_and_cache),
	    UNIT_TEST(test_deadline),     UNIT_TEST(test_failover_and_reconnect),
	    UNIT_TEST(test_ddl_and_list), UNIT_TEST(test_bytea),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
