/*
 * meta/ddl golden tests: the CREATE statements of each shipped entity, per dialect, compared
 * with tests/golden/ddl-<entity>-<sqlite|pg>.sql.
 *
 * After an intended change to the schema files or to ddl.c, regenerate the files with
 *
 *	GOLDEN_UPDATE=1 build/tests/t2200-ddl
 *
 * (run from the repository root, or set GOLDEN_DIR) and review the diff before committing it.
 * The test also runs the SQLite statements on a fresh database, so SQL that SQLite cannot
 * execute fails too, and checks properties that must hold whatever the golden files say.
 */
#include "unit.h"
#include "unit_registry.h"

#include "core/log.h"
#include "db/db.h"
#include "db/migrate.h"
#include "meta/ddl.h"
#include "meta/registry.h"

static struct registry *reg;
static char golden_dir[512];

static int setup(void **state)
{
	(void)state;
	if (!(reg = unit_registry()))
		return -1;
	const char *d = getenv("GOLDEN_DIR");
	if (d && *d)
		snprintf(golden_dir, sizeof golden_dir, "%s", d);
	else if (!unit_find_dir("tests/golden", golden_dir, sizeof golden_dir)) {
		print_error(
		    "tests/golden not found: run from the repository root or set GOLDEN_DIR\n");
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	registry_free(reg);
	return 0;
}

static int strcmp_ptr(const char *const *a, const char *const *b)
{
	return strcmp(*a, *b);
}

static bool updating(void)
{
	const char *u = getenv("GOLDEN_UPDATE");
	return u && strcmp(u, "1") == 0;
}

static void golden(const char *entity, enum db_kind kind)
{
	const struct entity *e = registry_entity(reg, entity);
	assert_non_null(e);
	struct str sql = STR_INIT;
	ddl_create_sql(kind, e, &sql);
	char path[1024];
	snprintf(path, sizeof path, "%s/ddl-%s-%s.sql", golden_dir, entity,
	         kind == DB_PG ? "pg" : "sqlite");
	if (updating()) {
		unit_write_file(path, sql.buf, sql.len);
		print_message("wrote %s\n", path);
	} else {
		size_t n = 0;
		char *want = unit_read_file(path, &n);
		if (!want)
			fail_msg("%s is missing: GOLDEN_UPDATE=1 creates it", path);
		if (n != sql.len || memcmp(want, sql.buf, n) != 0) {
			/* Point at the first differing line. */
			size_t i = 0, line = 1;
			while (i < n && i < sql.len && want[i] == sql.buf[i])
				line += want[i++] == '\n';
			print_error("%s differs from the generated SQL at line %zu:\n", path, line);
			print_error("generated:\n%s\n", sql.buf);
			free(want);
			fail_msg("golden mismatch (GOLDEN_UPDATE=1 rewrites after review)");
		}
		free(want);
	}
	str_release(&sql);
}

static void test_customers_sqlite(void **state)
{
	(void)state;
	golden("customers", DB_SQLITE);
}

static void test_customers_pg(void **state)
{
	(void)state;
	golden("customers", DB_PG);
}

static void test_contacts_sqlite(void **state)
{
	(void)state;
	golden("contacts", DB_SQLITE);
}

static void test_contacts_pg(void **state)
{
	(void)state;
	golden("contacts", DB_PG);
}

/* Two references to contacts (the person, and the related contact), sensitive personal fields. */
static void test_contact_relations_sqlite(void **state)
{
	(void)state;
	golden("contact_relations", DB_SQLITE);
}

static void test_contact_relations_pg(void **state)
{
	(void)state;
	golden("contact_relations", DB_PG);
}

/* Properties every generated statement set must have, whatever the golden files say. */
static void test_properties(void **state)
{
	(void)state;
	for (size_t i = 0; i < reg->n_entities; i++) {
		const struct entity *e = &reg->entities[i];
		for (int k = 0; k < 2; k++) {
			enum db_kind kind = k ? DB_PG : DB_SQLITE;
			struct str sql = STR_INIT;
			ddl_create_sql(kind, e, &sql);
			const char *dn = k ? "pg" : "sqlite";
			/* One column per field (two for money), named as the field. */
			for (size_t f = 0; f < e->n_fields; f++) {
				char col[128];
				snprintf(col, sizeof col, "\"%s\" ", e->fields[f].name);
				EXPECT(strstr(sql.buf, col) != NULL, "%s %s: no column %s", e->name,
				       dn, e->fields[f].name);
				if (e->fields[f].type == FT_MONEY) {
					snprintf(col, sizeof col, "\"%s_currency\" ",
					         e->fields[f].name);
					EXPECT(strstr(sql.buf, col) != NULL, "%s %s: no column %s",
					       e->name, dn, col);
				}
			}
			/* Every unique field has a unique index over live rows. */
			for (size_t f = 0; f < e->n_fields; f++) {
				if (!(e->fields[f].flags & FF_UNIQUE))
					continue;
				char ix[256];
				snprintf(
				    ix, sizeof ix,
				    "CREATE UNIQUE INDEX \"ux_%s__%s\" ON \"%s\" (\"%s\") WHERE "
				    "\"deleted_at\" IS NULL",
				    e->name, e->fields[f].name, e->name, e->fields[f].name);
				EXPECT(strstr(sql.buf, ix) != NULL,
				       "%s %s: no partial unique index on %s", e->name, dn,
				       e->fields[f].name);
			}
			if (kind == DB_PG) {
				/* Text compares byte-wise on PostgreSQL, as in SQLite. */
				if (entity_field(e, "name"))
					EXPECT(strstr(sql.buf, "\"name\" text COLLATE \"C\""),
					       "%s: name collation", e->name);
				EXPECT(!strstr(sql.buf, "INTEGER"), "%s: SQLite type in PG DDL",
				       e->name);
				EXPECT(!strstr(sql.buf, "fts5"), "%s: FTS5 in PG DDL", e->name);
				if (e->searchable)
					EXPECT(strstr(sql.buf, "USING gin"),
					       "%s: no GIN search index", e->name);
			} else {
				EXPECT(!strstr(sql.buf, "COLLATE"), "%s: collation in SQLite DDL",
				       e->name);
				EXPECT(!strstr(sql.buf, "timestamptz"), "%s: PG type in SQLite DDL",
				       e->name);
				if (e->searchable) {
					/* An external-content FTS5 table over search_tokens (the
					 * engine writes it, meta/search.c). */
					char t[256];
					snprintf(
					    t, sizeof t,
					    "\"%s_fts\" USING fts5(search_tokens, content='%s', "
					    "content_rowid='id'",
					    e->name, e->name);
					EXPECT(strstr(sql.buf, t), "%s: no FTS table", e->name);
				}
			}
			/* Index names fit PostgreSQL's 63 bytes. */
			for (const char *p = sql.buf; (p = strstr(p, "INDEX \"")); p++) {
				const char *s = p + 7, *q = strchr(s, '"');
				EXPECT(q && q - s <= 63, "%s %s: index name too long: %.80s",
				       e->name, dn, s);
			}
			str_release(&sql);
		}
	}
	EXPECT_ALL();
}

/* The SQLite statements run on a database that has the system tables (users for the FKs). */
static void test_sqlite_executes(void **state)
{
	(void)state;
	struct db_options o = {.kind = DB_SQLITE, .target = ":memory:", .timeout_ms = 5000};
	struct db *db;
	char *err = NULL;
	assert_int_equal(db_open(&o, &db, &err), DB_OK);
	assert_int_equal(migrate_core(db), DB_OK);
	/* Referenced tables first. */
	static const char *const order[] = {"customers", "contacts"};
	for (size_t i = 0; i < 2; i++) {
		struct str sql = STR_INIT;
		ddl_create_sql(DB_SQLITE, registry_entity(reg, order[i]), &sql);
		int rc = db_exec(db, sql.buf);
		if (rc)
			fail_msg("%s DDL does not run on SQLite: %s", order[i], db_errmsg(db));
		str_release(&sql);
	}
	/* The FTS table reads its content from the entity table (external content). */
	assert_int_equal(db_exec(db, "INSERT INTO customers (name, created_at, updated_at, "
	                             "search_tokens) VALUES ('海韵', 'x', 'x', '海韵 韵')"),
	                 DB_OK);
	assert_int_equal(db_exec(db, "INSERT INTO customers_fts(customers_fts) VALUES ('rebuild')"),
	                 DB_OK);
	int64_t n = -1;
	assert_int_equal(db_query_int(db,
	                              "SELECT count(*) FROM customers_fts WHERE customers_fts "
	                              "MATCH '\"海韵\"'",
	                              0, NULL, &n),
	                 DB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(db_query_int(db,
	                              "SELECT count(*) FROM customers_fts WHERE customers_fts "
	                              "MATCH '\"韵\"*'",
	                              0, NULL, &n),
	                 DB_OK);
	assert_int_equal(n, 1);
	db_close(db);
}

/* The CREATE INDEX statements of ddl_create_sql, one per line, sorted. */
static char *expected_indexes(enum db_kind kind, const struct entity *e)
{
	struct str sql = STR_INIT, out = STR_INIT;
	ddl_create_sql(kind, e, &sql);
	char *lines[256];
	size_t n = 0;
	char *save = NULL;
	for (char *l = strtok_r(sql.buf, "\n", &save); l && n < 256;
	     l = strtok_r(NULL, "\n", &save))
		if (strncmp(l, "CREATE INDEX", 12) == 0 ||
		    strncmp(l, "CREATE UNIQUE INDEX", 19) == 0) {
			size_t len = strlen(l);
			if (len && l[len - 1] == ';')
				l[len - 1] = '\0';
			lines[n++] = l;
		}
	qsort(lines, n, sizeof *lines, (int (*)(const void *, const void *))strcmp_ptr);
	for (size_t i = 0; i < n; i++)
		str_addf(&out, "%s\n", lines[i]);
	str_release(&sql);
	return str_detach(&out, NULL);
}

/* The indexes of a table as SQLite stores them, one per line, sorted. */
static char *actual_indexes(struct db *db, const char *table)
{
	struct db_stmt *st;
	assert_int_equal(db_prepare(db,
	                            "SELECT sql FROM sqlite_master WHERE type = 'index' AND "
	                            "tbl_name = ? AND sql IS NOT NULL ORDER BY sql",
	                            &st),
	                 DB_OK);
	db_bind_texts(st, 1, table);
	struct str out = STR_INIT;
	while (db_step(st) == DB_ROW)
		str_addf(&out, "%s\n", db_column_text(st, 0, NULL));
	db_reset(st);
	return str_detach(&out, NULL);
}

/*
 * ddl_sync on SQLite makes exactly the indexes ddl_create_sql describes, is idempotent, and
 * brings an index whose definition changed (same name, other columns) up to date: deployed
 * databases must get new index definitions too, not only new index names.
 */
static void test_sync_indexes(void **state)
{
	(void)state;
	struct db_options o = {.kind = DB_SQLITE, .target = ":memory:", .timeout_ms = 5000};
	struct db *db;
	char *err = NULL;
	assert_int_equal(db_open(&o, &db, &err), DB_OK);
	assert_int_equal(migrate_core(db), DB_OK);
	assert_int_equal(ddl_sync(db, reg), DB_OK);
	const struct entity *e = registry_entity(reg, "customers");
	char *want = expected_indexes(DB_SQLITE, e), *got = actual_indexes(db, "customers");
	EXPECT_STR(got, want, "indexes after ddl_sync");
	free(got);
	assert_int_equal(ddl_sync(db, reg), DB_OK);
	got = actual_indexes(db, "customers");
	EXPECT_STR(got, want, "indexes after a second ddl_sync");
	free(got);
	/* An index of ours with an older definition under the same name. */
	assert_int_equal(db_exec(db,
	                         "DROP INDEX \"ix_customers__name\";"
	                         "CREATE INDEX \"ix_customers__name\" ON \"customers\" (\"name\") "
	                         "WHERE \"deleted_at\" IS NULL"),
	                 DB_OK);
	assert_int_equal(ddl_sync(db, reg), DB_OK);
	struct db_stmt *st;
	assert_int_equal(
	    db_prepare(db, "SELECT sql FROM sqlite_master WHERE name = 'ix_customers__name'", &st),
	    DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	char *now = strdup(db_column_text(st, 0, NULL));
	db_reset(st);
	const char *line = strstr(want, "CREATE INDEX \"ix_customers__name\"");
	assert_non_null(line);
	char *w = strndup(line, strcspn(line, "\n"));
	EXPECT_STR(now, w, "ix_customers__name after ddl_sync over an older definition");
	free(w);
	free(now);
	free(want);
	db_close(db);
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_customers_sqlite),
	    UNIT_TEST(test_customers_pg),
	    UNIT_TEST(test_contacts_sqlite),
	    UNIT_TEST(test_contacts_pg),
	    UNIT_TEST(test_contact_relations_sqlite),
	    UNIT_TEST(test_contact_relations_pg),
	    UNIT_TEST(test_properties),
	    UNIT_TEST(test_sqlite_executes),
	    UNIT_TEST(test_sync_indexes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
