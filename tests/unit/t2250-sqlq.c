/* meta/sqlq: SQL text and its bound parameters assembled together. */
#include "unit.h"

#include "db/db.h"
#include "meta/sqlq.h"

static void test_build_and_bind(void **state)
{
	(void)state;
	struct db_options o = {.kind = DB_SQLITE, .target = ":memory:", .timeout_ms = 5000};
	struct db *db;
	char *err = NULL;
	assert_int_equal(db_open(&o, &db, &err), DB_OK);

	struct sqlq q;
	sqlq_init(&q);
	assert_int_equal(q.n, 0);
	assert_string_equal(q.sql.buf, "");
	sqlq_add(&q, "SELECT ");
	sqlq_int(&q, INT64_MIN);
	sqlq_addf(&q, ", %s", "'lit?'");
	sqlq_add(&q, ", ");
	sqlq_text(&q, "海韵\0x", 8); /* length-delimited */
	sqlq_add(&q, ", ");
	sqlq_null(&q);
	struct value vi = {.kind = V_INT, .i = 42}, vt = {.kind = V_TEXT, .s = "abc", .n = 2},
	             vn = {.kind = V_NULL};
	sqlq_add(&q, ", ");
	sqlq_value(&q, &vi);
	sqlq_add(&q, ", ");
	sqlq_value(&q, &vt);
	sqlq_add(&q, ", ");
	sqlq_value(&q, &vn);
	/* The text has one ? per parameter, in order. */
	assert_string_equal(q.sql.buf, "SELECT ?, 'lit?', ?, ?, ?, ?, ?");
	assert_int_equal(q.n, 6);

	struct db_stmt *st;
	assert_int_equal(sqlq_prepare(db, &q, &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_column_int(st, 0), INT64_MIN);
	assert_string_equal(db_column_text(st, 1, NULL), "lit?");
	size_t len;
	const char *t = db_column_text(st, 2, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(t, "海韵\0x", 8);
	assert_true(db_column_null(st, 3));
	assert_int_equal(db_column_int(st, 4), 42);
	assert_string_equal(db_column_text(st, 5, NULL), "ab");
	assert_true(db_column_null(st, 6));
	db_reset(st);

	/* Reset forgets text and parameters; many parameters grow the array. */
	sqlq_reset(&q);
	assert_int_equal(q.n, 0);
	assert_string_equal(q.sql.buf, "");
	sqlq_add(&q, "SELECT ");
	for (int i = 0; i < 100; i++) {
		if (i)
			sqlq_add(&q, " + ");
		sqlq_int(&q, i);
	}
	assert_int_equal(q.n, 100);
	assert_int_equal(sqlq_prepare(db, &q, &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_column_int(st, 0), 4950);
	db_reset(st);

	/* A statement that does not prepare reports the error. */
	sqlq_reset(&q);
	sqlq_add(&q, "SELEKT ");
	sqlq_int(&q, 1);
	assert_int_equal(sqlq_prepare(db, &q, &st), DB_ERROR);
	sqlq_release(&q);
	sqlq_release(&q); /* twice is harmless */
	db_close(db);
}

/* A condition written once and appended to statements: its ? and parameters follow it, in
 * order among the statement's own; an empty one adds nothing. */
static void test_append(void **state)
{
	(void)state;
	struct db_options o = {.kind = DB_SQLITE, .target = ":memory:", .timeout_ms = 5000};
	struct db *db;
	char *err = NULL;
	assert_int_equal(db_open(&o, &db, &err), DB_OK);
	struct sqlq cond, q, none;
	sqlq_init(&cond);
	sqlq_init(&none);
	sqlq_add(&cond, " AND ");
	sqlq_int(&cond, 7);
	sqlq_add(&cond, " < ");
	sqlq_texts(&cond, "8");
	sqlq_init(&q);
	sqlq_add(&q, "SELECT ");
	sqlq_int(&q, 1);
	sqlq_add(&q, " WHERE 1 = 1");
	sqlq_append(&q, &none);
	for (int i = 0; i < 20; i++) /* past the first allocation of parameters */
		sqlq_append(&q, &cond);
	sqlq_add(&q, " AND ");
	sqlq_int(&q, 2);
	sqlq_add(&q, " = 2");
	assert_int_equal(q.n, 42);
	assert_int_equal(cond.n, 2);
	struct db_stmt *st;
	assert_int_equal(sqlq_prepare(db, &q, &st), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	assert_int_equal(db_column_int(st, 0), 1);
	db_reset(st);
	sqlq_release(&q);
	sqlq_release(&cond);
	sqlq_release(&none);
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_build_and_bind),
	    UNIT_TEST(test_append),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
