/*
 * meta/query on SQLite: list parameters (and the problems they cause) and list pages over
 * records created through meta/crud, on a temporary database migrated as app_prepare() does;
 * and the duplicate-check keys those records carry, made again when they are out of date.
 */
#include "unit.h"

#include "core/log.h"
#include "db/db.h"
#include "db/migrate.h"
#include "match/keys.h"
#include "meta/crud.h"
#include "meta/ddl.h"
#include "meta/query.h"
#include "meta/registry.h"

#include <jansson.h>

static char *dir;
static struct db *db;
static struct registry *reg;
static int64_t ids[6]; /* ids of the customers made in setup, 1-based */

/* One operation's context, as a request would have it. */
struct ctx {
	struct arena arena;
	struct problem problem;
	struct op op;
};

static void ctx_init(struct ctx *c, const char *entity, bool admin)
{
	arena_init(&c->arena, 0);
	problem_init(&c->problem, &c->arena);
	c->op = (struct op){.arena = &c->arena,
	                    .db = db,
	                    .reg = reg,
	                    .e = registry_entity(reg, entity),
	                    .user_id = 1,
	                    .admin = admin,
	                    .lang = LANG_EN,
	                    .request_id = "unit",
	                    .problem = &c->problem,
	                    .count_cap = 10000};
	assert_non_null(c->op.e);
}

static void ctx_release(struct ctx *c)
{
	arena_release(&c->arena);
}

static char *problem_text(struct ctx *c)
{
	struct str s = STR_INIT;
	problem_render(&c->problem, LANG_EN, &s);
	return str_detach(&s, NULL);
}

static int64_t create(const char *entity, const char *body)
{
	struct ctx c;
	ctx_init(&c, entity, false);
	json_t *j = json_loads(body, 0, NULL);
	assert_non_null(j);
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_create(&c.op, j, NULL, &out, &res);
	json_decref(j);
	if (status != 201) {
		char *p = problem_text(&c);
		fail_msg("crud_create(%s) gave %d: %s", body, status, p);
	}
	str_release(&out);
	ctx_release(&c);
	return res.id;
}

static int setup(void **state)
{
	(void)state;
	log_threshold = LOG_ERROR;
	dir = unit_tmpdir();
	char path[1024];
	snprintf(path, sizeof path, "%s/crm.sqlite", dir);
	struct db_options o = {.kind = DB_SQLITE, .target = path, .timeout_ms = 5000};
	char *err = NULL;
	if (db_open(&o, &db, &err) || migrate_core(db))
		return -1;
	reg = registry_build(db, &err);
	if (!reg) {
		print_error("registry_build: %s\n", err);
		return -1;
	}
	if (ddl_sync(db, reg)) {
		print_error("ddl_sync: %s\n", db_errmsg(db));
		return -1;
	}
	if (db_exec(db, "INSERT INTO users (id, username, password_hash, created_at, updated_at) "
	                "VALUES (1, 'tester', 'x', '2026-01-01T00:00:00.000Z', "
	                "'2026-01-01T00:00:00.000Z')"))
		return -1;
	ids[1] = create("customers",
	                "{\"name\":\"上海海韵游艇俱乐部\",\"level\":\"a\",\"staff_total\":50,"
	                "\"city\":\"上海\","
	                "\"phone\":\"021-68888888\",\"email\":\"info@haiyun.cn\","
	                "\"tax_id\":\"91350100M000100Y43\","
	                "\"registered_capital\":{\"amount\":100000000,\"currency\":\"CNY\"}}");
	ids[2] =
	    create("customers", "{\"name\":\"深圳蓝海游艇\",\"level\":\"b\",\"staff_total\":10,"
	                        "\"city\":\"深圳\"}");
	ids[3] = create("customers",
	                "{\"name\":\"Blue Ocean Yachts\",\"level\":\"a\",\"staff_total\":200,"
	                "\"city\":\"Xiamen\"}");
	ids[4] = create("customers", "{\"name\":\"广州海韻船舶\",\"level\":\"c\"}");
	ids[5] = create("customers", "{\"name\":\"北京帆船俱乐部\"}");
	create("contacts", "{\"name\":\"张三\",\"customer_id\":1,\"mobile\":\"13812345678\"}");
	create("contacts", "{\"name\":\"李四\",\"customer_id\":1}");
	create("contacts", "{\"name\":\"王五\",\"customer_id\":3}");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	registry_free(reg);
	db_close(db);
	unit_rmtree(dir);
	free(dir);
	return 0;
}

/* A list's parameters: "k=v&k2=v2" (no escaping needed in these tests). */
static size_t parse_params(struct arena *a, const char *qs, struct kv *kv, size_t max)
{
	size_t n = 0;
	char *s = arena_strdup(a, qs);
	char *save = NULL;
	for (char *tok = strtok_r(s, "&", &save); tok && n < max;
	     tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');
		if (eq)
			*eq = '\0';
		kv[n].key = tok;
		kv[n].value = eq ? eq + 1 : "";
		n++;
	}
	return n;
}

/* Expect list_parse to fail with these errors: "field:code" items separated by spaces. */
static void expect_problem(const char *entity, const char *qs, int status, const char *errors)
{
	struct ctx c;
	ctx_init(&c, entity, false);
	struct kv kv[128];
	size_t n = parse_params(&c.arena, qs, kv, 128);
	struct list_query q;
	int rc = list_parse(&c.op, kv, n, NULL, &q);
	EXPECT(rc == -1, "list_parse(%s) accepted", qs);
	EXPECT(c.problem.status == status, "list_parse(%s): status %d, want %d", qs,
	       c.problem.status, status);
	struct str got = STR_INIT;
	for (size_t i = 0; i < c.problem.n_errors; i++)
		str_addf(&got, "%s%s:%s", i ? " " : "",
		         c.problem.errors[i].field ? c.problem.errors[i].field : "-",
		         c.problem.errors[i].code);
	EXPECT_STR(got.buf, errors, qs);
	/* Whatever the errors, the problem renders in both languages. */
	for (int l = 0; l < LANG__MAX; l++) {
		struct str out = STR_INIT;
		problem_render(&c.problem, (enum lang)l, &out);
		json_t *j = json_loads(out.buf, 0, NULL);
		EXPECT(j != NULL, "%s: problem does not render as JSON", qs);
		json_decref(j);
		str_release(&out);
	}
	str_release(&got);
	ctx_release(&c);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_problem("customers", "nosuch=1", 400, "nosuch:unknown_parameter");
	expect_problem("customers", "search_tokens=x", 400, "search_tokens:unknown_parameter");
	expect_problem("customers", "name__regex=x", 400, "name__regex:unknown_operator");
	expect_problem("customers", "staff_total__like=5", 400,
	               "staff_total__like:unknown_operator");
	expect_problem("customers", "level__lt=a", 400, "level__lt:unknown_operator");
	expect_problem("customers", "remarks__gt=a", 400, "remarks__gt:unknown_operator");
	expect_problem("customers", "name__=x", 400, "name__:unknown_operator");
	expect_problem("customers", "limit=0", 400, "limit:out_of_range");
	expect_problem("customers", "limit=201", 400, "limit:out_of_range");
	expect_problem("customers", "limit=-5", 400, "limit:out_of_range");
	expect_problem("customers", "limit=ten", 400, "limit:out_of_range");
	expect_problem("customers", "cursor=!!!notbase64", 400, "cursor:invalid_cursor");
	expect_problem("customers", "cursor=e30", 400, "cursor:invalid_cursor"); /* "{}" */
	/* A cursor made for another sort is refused. */
	expect_problem("customers",
	               "sort=name&cursor=eyJmIjoiaWQiLCJkIjowLCJuIjowLCJpIjoxLCJ2IjoxfQ", 400,
	               "cursor:invalid_cursor"); /* {"f":"id","d":0,"n":0,"i":1,"v":1} */
	expect_problem("customers", "level=a&level=b", 400, "level:duplicate_parameter");
	expect_problem("customers", "sort=name&sort=-name", 400, "sort:duplicate_parameter");
	expect_problem("customers", "sort=remarks", 400, "sort:unsortable_field");
	expect_problem("customers", "sort=-address", 400, "sort:unsortable_field");
	expect_problem("customers", "sort=nosuch", 400, "sort:unknown_field");
	expect_problem("customers", "sort=search_tokens", 400, "sort:unknown_field");
	expect_problem("customers", "staff_total=abc", 400, "staff_total:invalid_integer");
	expect_problem("customers", "staff_total__gte=1.5", 400,
	               "staff_total__gte:invalid_integer");
	expect_problem("customers", "level=zz", 400, "level:invalid_option");
	expect_problem("customers", "level__in=a,zz", 400, "level__in:invalid_option");
	expect_problem("customers", "founded_on__gt=2024-13-01", 400,
	               "founded_on__gt:invalid_date");
	expect_problem("customers", "name__null=maybe", 400, "name__null:invalid_bool");
	expect_problem("customers", "name__like=", 400, "name__like:invalid_value");
	expect_problem("customers", "fields=name,nosuch", 400, "fields:unknown_field");
	expect_problem("customers", "total=some", 400, "total:invalid_value");
	expect_problem("customers", "deleted=true", 403, ""); /* administrators only */
	/* Every bad parameter is named at once, in order. */
	expect_problem("customers", "nosuch=1&limit=0&sort=remarks", 400,
	               "nosuch:unknown_parameter limit:out_of_range sort:unsortable_field");
	/* IN lists are capped at 100 values. */
	struct str many = STR_INIT;
	str_adds(&many, "level__in=a");
	for (int i = 0; i < 100; i++)
		str_adds(&many, ",b");
	expect_problem("customers", many.buf, 400, "level__in:too_many");
	str_release(&many);
	/* And filters at 32. */
	struct str filters = STR_INIT;
	for (int i = 0; i < 33; i++)
		str_addf(&filters, "%sstaff_total__%s=%d", i ? "&" : "",
		         i % 4 == 0   ? "gte"
		         : i % 4 == 1 ? "lte"
		         : i % 4 == 2 ? "ne"
		                      : "gt",
		         i);
	/* 33 filters need distinct keys: vary the field too. */
	str_reset(&filters);
	static const char *const flds[] = {"staff_male",
	                                   "staff_female",
	                                   "staff_total",
	                                   "staff_senior_titles",
	                                   "staff_intermediate_titles",
	                                   "id",
	                                   "version"};
	static const char *const ops[] = {"in", "ne", "lt", "lte", "gt", "gte"};
	int made = 0;
	for (size_t f = 0; f < 7 && made < 33; f++)
		for (size_t o = 0; o < 6 && made < 33; o++, made++)
			str_addf(&filters, "%s%s__%s=1", made ? "&" : "", flds[f], ops[o]);
	struct ctx c;
	ctx_init(&c, "customers", false);
	struct kv kv[64];
	size_t n = parse_params(&c.arena, filters.buf, kv, 64);
	struct list_query q;
	assert_int_equal(list_parse(&c.op, kv, n, NULL, &q), -1);
	assert_int_equal(c.problem.n_errors, 1);
	assert_string_equal(c.problem.errors[0].code, "too_many");
	ctx_release(&c);
	str_release(&filters);
	/* A search on an entity without searchable fields would be refused; contacts have some. */
	EXPECT_ALL();
}

static void test_parse_ok(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "customers", false);
	struct kv kv[16];
	size_t n = parse_params(&c.arena,
	                        "level__in=a,b&staff_total__gte=10&name__like=海韵*&limit=200&"
	                        "sort=-name&fields=name,level,name&total=none&q=海韵游艇&"
	                        "phone__null=false&deleted=false&skipme=1",
	                        kv, 16);
	const char *skip[] = {"skipme", NULL};
	struct list_query q;
	int rc = list_parse(&c.op, kv, n, skip, &q);
	if (rc) {
		char *p = problem_text(&c);
		fail_msg("list_parse refused: %s", p);
	}
	assert_int_equal(q.limit, 200);
	assert_true(q.desc);
	assert_string_equal(q.sort->name, "name");
	assert_true(q.no_total);
	assert_false(q.deleted);
	assert_int_equal(q.n_filters, 4);
	assert_int_equal(q.filters[0].op, OP_IN);
	assert_int_equal(q.filters[0].n_vals, 2);
	assert_int_equal(q.filters[1].op, OP_GTE);
	assert_int_equal(q.filters[1].vals[0].i, 10);
	assert_int_equal(q.filters[2].op, OP_LIKE);
	assert_string_equal(q.filters[2].pattern, "海韵%");
	assert_int_equal(q.filters[3].op, OP_NULL);
	assert_false(q.filters[3].is_null);
	/* Projection: id first, duplicates once. */
	assert_int_equal(q.n_proj, 3);
	assert_string_equal(q.proj[0]->name, "id");
	assert_string_equal(q.proj[1]->name, "name");
	assert_string_equal(q.proj[2]->name, "level");
	/* The search: three bigrams. */
	assert_int_equal(q.n_terms, 3);
	ctx_release(&c);

	/* Defaults: the entity's default sort, 50 rows, every visible field. */
	ctx_init(&c, "customers", false);
	assert_int_equal(list_parse(&c.op, NULL, 0, NULL, &q), 0);
	assert_int_equal(q.limit, LIST_DEFAULT_LIMIT);
	assert_string_equal(q.sort->name, "updated_at");
	assert_true(q.desc);
	assert_false(q.no_total);
	for (size_t i = 0; i < q.n_proj; i++)
		assert_true(field_visible(q.proj[i]));
	assert_string_equal(q.proj[0]->name, "id");
	ctx_release(&c);

	/* A search without a sort: newest first. */
	ctx_init(&c, "customers", false);
	n = parse_params(&c.arena, "q=海韵", kv, 16);
	assert_int_equal(list_parse(&c.op, kv, n, NULL, &q), 0);
	assert_string_equal(q.sort->name, "id");
	assert_true(q.desc);
	/* LIKE escapes its wildcards. */
	n = parse_params(&c.arena, "name__like=50%_off\\", kv, 16);
	assert_int_equal(list_parse(&c.op, kv, n, NULL, &q), 0);
	assert_string_equal(q.filters[0].pattern, "%50\\%\\_off\\\\%");
	ctx_release(&c);

	/* Administrators may list deleted records. */
	ctx_init(&c, "customers", true);
	n = parse_params(&c.arena, "deleted=true", kv, 16);
	assert_int_equal(list_parse(&c.op, kv, n, NULL, &q), 0);
	assert_true(q.deleted);
	ctx_release(&c);
	ctx_init(&c, "customers", true);
	n = parse_params(&c.arena, "deleted=maybe", kv, 16);
	assert_int_equal(list_parse(&c.op, kv, n, NULL, &q), -1);
	assert_int_equal(c.problem.status, 400);
	assert_string_equal(c.problem.errors[0].field, "deleted");
	assert_string_equal(c.problem.errors[0].code, "invalid_bool");
	ctx_release(&c);
}

/* Run a list and return its parsed JSON page. */
static json_t *page(const char *entity, const char *qs, bool admin)
{
	struct ctx c;
	ctx_init(&c, entity, admin);
	struct kv kv[32];
	size_t n = parse_params(&c.arena, qs, kv, 32);
	struct list_query q;
	if (list_parse(&c.op, kv, n, NULL, &q)) {
		char *p = problem_text(&c);
		fail_msg("list_parse(%s): %s", qs, p);
	}
	struct str out = STR_INIT;
	int rc = list_page(&c.op, &q, &out);
	if (rc)
		fail_msg("list_page(%s) gave %d: %s", qs, rc, db_errmsg(db));
	json_error_t je;
	json_t *j = json_loads(out.buf, 0, &je);
	if (!j)
		fail_msg("list_page(%s) is not JSON (%s): %s", qs, je.text, out.buf);
	str_release(&out);
	ctx_release(&c);
	return j;
}

/* The ids of a page, as "1,3,5". */
static char *page_ids(const json_t *j)
{
	struct str s = STR_INIT;
	json_t *data = json_object_get(j, "data");
	for (size_t i = 0; i < json_array_size(data); i++)
		str_addf(
		    &s, "%s%lld", i ? "," : "",
		    (long long)json_integer_value(json_object_get(json_array_get(data, i), "id")));
	return str_detach(&s, NULL);
}

/* Expect the ids (in order) and the total of one page. */
static void expect_page(const char *entity, const char *qs, const char *want_ids, int64_t total)
{
	json_t *j = page(entity, qs, false);
	char *got = page_ids(j);
	EXPECT_STR(got, want_ids, qs);
	if (total >= 0) {
		EXPECT(json_integer_value(json_object_get(j, "total")) == total,
		       "%s: total %lld, want %lld", qs,
		       (long long)json_integer_value(json_object_get(j, "total")),
		       (long long)total);
		EXPECT(json_is_true(json_object_get(j, "total_exact")), "%s: total not exact", qs);
	}
	free(got);
	json_decref(j);
}

static void test_pages(void **state)
{
	(void)state;
	char want[64];
	/* Default order: newest first (ties broken by id, descending). */
	json_t *j = page("customers", "", false);
	json_t *data = json_object_get(j, "data");
	assert_int_equal(json_array_size(data), 5);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 5);
	assert_true(json_is_null(json_object_get(j, "next_cursor")));
	/* A full record: types rendered as the API promises. */
	json_t *first = NULL;
	for (size_t i = 0; i < 5; i++)
		if (json_integer_value(json_object_get(json_array_get(data, i), "id")) == ids[1])
			first = json_array_get(data, i);
	assert_non_null(first);
	assert_string_equal(json_string_value(json_object_get(first, "name")),
	                    "上海海韵游艇俱乐部");
	assert_string_equal(json_string_value(json_object_get(first, "level")), "a");
	assert_int_equal(json_integer_value(json_object_get(first, "staff_total")), 50);
	assert_string_equal(json_string_value(json_object_get(first, "phone")), "021-68888888");
	json_t *money = json_object_get(first, "registered_capital");
	assert_int_equal(json_integer_value(json_object_get(money, "amount")), 100000000);
	assert_string_equal(json_string_value(json_object_get(money, "currency")), "CNY");
	assert_string_equal(json_string_value(json_object_get(first, "customer_type")), "end_user");
	assert_int_equal(json_integer_value(json_object_get(first, "owner_id")), 1);
	assert_int_equal(json_integer_value(json_object_get(first, "version")), 1);
	assert_true(json_is_null(json_object_get(first, "deleted_at")));
	assert_null(json_object_get(first, "search_tokens")); /* internal */
	const char *created = json_string_value(json_object_get(first, "created_at"));
	assert_non_null(created);
	assert_int_equal(strlen(created), 24);
	json_decref(j);

	/* Filters. */
	snprintf(want, sizeof want, "%lld,%lld", (long long)ids[1], (long long)ids[3]);
	expect_page("customers", "level=a&sort=id", want, 2);
	snprintf(want, sizeof want, "%lld,%lld,%lld", (long long)ids[1], (long long)ids[2],
	         (long long)ids[3]);
	expect_page("customers", "level__in=a,b&sort=id", want, 3);
	/* "not equal" includes records without a value. */
	snprintf(want, sizeof want, "%lld,%lld,%lld", (long long)ids[2], (long long)ids[4],
	         (long long)ids[5]);
	expect_page("customers", "level__ne=a&sort=id", want, 3);
	snprintf(want, sizeof want, "%lld", (long long)ids[5]);
	expect_page("customers", "level__null=true&sort=id", want, 1);
	snprintf(want, sizeof want, "%lld,%lld", (long long)ids[1], (long long)ids[3]);
	expect_page("customers", "staff_total__gte=50&sort=id", want, 2);
	snprintf(want, sizeof want, "%lld", (long long)ids[2]);
	expect_page("customers", "staff_total__lt=50&sort=id", want, 1);
	snprintf(want, sizeof want, "%lld,%lld", (long long)ids[1], (long long)ids[2]);
	expect_page("customers", "name__like=游艇&sort=id", want, 2);
	snprintf(want, sizeof want, "%lld", (long long)ids[3]);
	expect_page("customers", "name__like=blue*&sort=id", want, 1); /* case-insensitive */
	snprintf(want, sizeof want, "%lld", (long long)ids[1]);
	expect_page("customers", "name__like=上海*&sort=id", want, 1);
	expect_page("customers", "name__like=游艇*&sort=id", "", 0); /* prefix only */
	snprintf(want, sizeof want, "%lld", (long long)ids[3]);
	expect_page("customers", "city=Xiamen", want, 1);
	expect_page("customers", "city=xiamen", "", 0); /* equality is exact */
	snprintf(want, sizeof want, "%lld", (long long)ids[1]);
	expect_page("customers", "tax_id=91350100M000100Y43", want, 1);

	/* Contacts of a customer. */
	j = page("contacts", "customer_id=1&sort=id", false);
	assert_int_equal(json_array_size(json_object_get(j, "data")), 2);
	json_decref(j);

	/* Projection. */
	j = page("customers", "fields=name,level&limit=1&sort=id", false);
	json_t *row = json_array_get(json_object_get(j, "data"), 0);
	assert_int_equal(json_object_size(row), 3);
	assert_non_null(json_object_get(row, "id"));
	assert_non_null(json_object_get(row, "name"));
	assert_non_null(json_object_get(row, "level"));
	assert_false(json_is_null(json_object_get(j, "next_cursor")));
	json_decref(j);

	/* total=none leaves the total out. */
	j = page("customers", "total=none", false);
	assert_null(json_object_get(j, "total"));
	assert_null(json_object_get(j, "total_exact"));
	json_decref(j);
	EXPECT_ALL();
}

static void test_search(void **state)
{
	(void)state;
	char want[64];
	/* Newest first by default. 海韻 (traditional) in record 4 matches 海韵. */
	snprintf(want, sizeof want, "%lld,%lld", (long long)ids[4], (long long)ids[1]);
	expect_page("customers", "q=海韵", want, 2);
	expect_page("customers", "q=海韻", want, 2);
	/* One character: a prefix of any token. */
	snprintf(want, sizeof want, "%lld,%lld,%lld", (long long)ids[4], (long long)ids[2],
	         (long long)ids[1]);
	expect_page("customers", "q=海", want, 3);
	/* Latin words match by prefix, case-insensitively. */
	snprintf(want, sizeof want, "%lld", (long long)ids[3]);
	expect_page("customers", "q=YACHT", want, 1);
	expect_page("customers", "q=ocean yachts", want, 1);
	/* All terms must match. */
	snprintf(want, sizeof want, "%lld", (long long)ids[1]);
	expect_page("customers", "q=海韵游艇", want, 1);
	expect_page("customers", "q=海韵 blue", "", 0);
	/* Searchable fields other than the name. */
	expect_page("customers", "q=haiyun", want, 1);
	expect_page("customers", "q=68888888", want, 1);
	/* Search with a filter and another sort. */
	snprintf(want, sizeof want, "%lld", (long long)ids[1]);
	expect_page("customers", "q=海&level=a", want, 1);
	snprintf(want, sizeof want, "%lld,%lld,%lld", (long long)ids[1], (long long)ids[4],
	         (long long)ids[2]);
	expect_page("customers", "q=海&sort=name", want, 3);
	/* Contacts are searchable as well. */
	json_t *j = page("contacts", "q=张三", false);
	assert_int_equal(json_array_size(json_object_get(j, "data")), 1);
	json_decref(j);
	j = page("contacts", "q=138", false);
	assert_int_equal(json_array_size(json_object_get(j, "data")), 1);
	json_decref(j);
	EXPECT_ALL();
}

/* Walk every page of a list, returning the ids in order. */
static char *walk(const char *entity, const char *qs, int *pages)
{
	struct str all = STR_INIT;
	char *cursor = NULL;
	*pages = 0;
	for (int guard = 0; guard < 20; guard++) {
		char full[1024];
		snprintf(full, sizeof full, "%s%s%s", qs, cursor ? "&cursor=" : "",
		         cursor ? cursor : "");
		free(cursor);
		cursor = NULL;
		json_t *j = page(entity, full, false);
		(*pages)++;
		char *ids_s = page_ids(j);
		if (*ids_s)
			str_addf(&all, "%s%s", all.len ? "," : "", ids_s);
		free(ids_s);
		json_t *nc = json_object_get(j, "next_cursor");
		if (json_is_string(nc))
			cursor = strdup(json_string_value(nc));
		json_decref(j);
		if (!cursor)
			break;
	}
	free(cursor);
	return str_detach(&all, NULL);
}

static void expect_walk(const char *qs, const int *order, int n, int want_pages)
{
	char want[128] = "";
	for (int i = 0; i < n; i++)
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", i ? "," : "",
		         (long long)ids[order[i]]);
	int pages = 0;
	char *got = walk("customers", qs, &pages);
	EXPECT_STR(got, want, qs);
	EXPECT(pages == want_pages, "%s: %d pages, want %d", qs, pages, want_pages);
	free(got);
}

static void test_cursor_pagination(void **state)
{
	(void)state;
	/* By name, in byte order: Latin first, then 上 北 广 深. */
	static const int by_name[] = {3, 1, 5, 4, 2};
	expect_walk("sort=name&limit=2", by_name, 5, 3);
	static const int by_name_desc[] = {2, 4, 5, 1, 3};
	expect_walk("sort=-name&limit=2", by_name_desc, 5, 3);
	expect_walk("sort=name&limit=1", by_name, 5, 5);
	expect_walk("sort=name&limit=5", by_name, 5, 1);
	expect_walk("sort=name&limit=200", by_name, 5, 1);
	/* A sort column with NULLs (city: 4 and 5 have none): ascending puts them first (by
	 * id), descending last. Byte order: "Xiamen" < 上海 < 深圳. */
	static const int city_asc[] = {4, 5, 3, 1, 2};
	expect_walk("sort=city&limit=2", city_asc, 5, 3);
	expect_walk("sort=city&limit=1", city_asc, 5, 5);
	static const int city_desc[] = {2, 1, 3, 5, 4};
	expect_walk("sort=-city&limit=2", city_desc, 5, 3);
	expect_walk("sort=-city&limit=3", city_desc, 5, 2);
	expect_walk("sort=-city&limit=1", city_desc, 5, 5);
	expect_walk("sort=-city&limit=4", city_desc, 5, 2);
	/* Filled exactly at the end of the non-NULL part. */
	static const int city_desc_3[] = {2, 1, 3};
	expect_walk("sort=-city&limit=3&city__null=false", city_desc_3, 3, 1);
	static const int city_asc_2[] = {4, 5};
	expect_walk("sort=city&limit=2&city__null=true", city_asc_2, 2, 1);
	/* By id both ways. */
	static const int by_id[] = {1, 2, 3, 4, 5};
	expect_walk("sort=id&limit=2", by_id, 5, 3);
	static const int by_id_desc[] = {5, 4, 3, 2, 1};
	expect_walk("sort=-id&limit=2", by_id_desc, 5, 3);
	/* Search pages (FTS-driven on SQLite). */
	static const int search_desc[] = {4, 2, 1};
	expect_walk("q=海&limit=1", search_desc, 3, 3);
	static const int search_asc[] = {1, 2, 4};
	expect_walk("q=海&sort=id&limit=2", search_asc, 3, 2);
	/* With a filter. */
	static const int level_a[] = {1, 3};
	expect_walk("level=a&sort=-city&limit=1", level_a, 2, 2);
	EXPECT_ALL();
}

/* Writes keep lists and search in step: updates, unique values, references. */
static void test_writes(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "customers", false);
	json_t *body = json_loads("{\"name\":\"深圳白鲸船舶\"}", 0, NULL);
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_update(&c.op, ids[2], body, 1, &out, &res);
	json_decref(body);
	if (status != 200) {
		char *p = problem_text(&c);
		fail_msg("crud_update gave %d: %s", status, p);
	}
	assert_int_equal(res.version, 2);
	str_release(&out);
	ctx_release(&c);
	char want[64];
	expect_page("customers", "q=蓝海", "", 0); /* the old name is no longer found */
	snprintf(want, sizeof want, "%lld", (long long)ids[2]);
	expect_page("customers", "q=白鲸", want, 1);
	expect_page("customers", "q=深圳", want, 1);
	/* A stale version is a conflict. */
	ctx_init(&c, "customers", false);
	body = json_loads("{\"name\":\"x\"}", 0, NULL);
	status = crud_update(&c.op, ids[2], body, 1, &out, &res);
	assert_int_equal(status, -1);
	assert_int_equal(c.problem.status, 409);
	json_decref(body);
	str_release(&out);
	ctx_release(&c);
	/* A duplicate unique value: 409 naming the field; nothing is created. */
	ctx_init(&c, "customers", false);
	body = json_loads("{\"name\":\"另一家\",\"tax_id\":\"91350100M000100Y43\"}", 0, NULL);
	status = crud_create(&c.op, body, NULL, &out, &res);
	json_decref(body);
	assert_int_equal(status, -1);
	assert_int_equal(c.problem.status, 409);
	assert_int_equal(c.problem.n_errors, 1);
	assert_string_equal(c.problem.errors[0].field, "tax_id");
	assert_string_equal(c.problem.errors[0].code, "duplicate");
	str_release(&out);
	ctx_release(&c);
	expect_page("customers", "q=另一家", "", 0);
	/* Validation names every bad field. */
	ctx_init(&c, "customers", false);
	body = json_loads("{\"level\":\"zz\",\"email\":\"bad\",\"staff_total\":-1,"
	                  "\"nosuch\":1,\"id\":5}",
	                  0, NULL);
	status = crud_create(&c.op, body, NULL, &out, &res);
	json_decref(body);
	assert_int_equal(status, -1);
	assert_int_equal(c.problem.status, 422);
	struct str got = STR_INIT;
	for (size_t i = 0; i < c.problem.n_errors; i++)
		str_addf(&got, "%s%s:%s", i ? " " : "", c.problem.errors[i].field,
		         c.problem.errors[i].code);
	/* Object members come in jansson's order; compare as a set. */
	static const char *const want_errs[] = {
	    "level:invalid_option", "email:invalid_email", "staff_total:out_of_range",
	    "nosuch:unknown_field", "id:read_only",        "name:required"};
	for (size_t i = 0; i < sizeof want_errs / sizeof want_errs[0]; i++)
		EXPECT(strstr(got.buf, want_errs[i]) != NULL, "create errors [%s] lack %s", got.buf,
		       want_errs[i]);
	EXPECT(c.problem.n_errors == 6, "create errors: %s", got.buf);
	str_release(&got);
	ctx_release(&c);
	/* A contact of a customer that does not exist. */
	ctx_init(&c, "contacts", false);
	body = json_loads("{\"name\":\"赵六\",\"customer_id\":999}", 0, NULL);
	status = crud_create(&c.op, body, NULL, &out, &res);
	json_decref(body);
	assert_int_equal(status, -1);
	assert_int_equal(c.problem.status, 422);
	assert_string_equal(c.problem.errors[0].field, "customer_id");
	assert_string_equal(c.problem.errors[0].code, "reference_not_found");
	ctx_release(&c);
	str_release(&out);
	EXPECT_ALL();
}

static void test_delete_and_totals(void **state)
{
	(void)state;
	struct ctx c;
	ctx_init(&c, "customers", false);
	assert_int_equal(crud_delete(&c.op, ids[5], -1), 204);
	ctx_release(&c);
	char want[64];
	snprintf(want, sizeof want, "%lld,%lld,%lld,%lld", (long long)ids[1], (long long)ids[2],
	         (long long)ids[3], (long long)ids[4]);
	expect_page("customers", "sort=id", want, 4);
	expect_page("customers", "level__null=true", "", 0);
	/* Administrators see it among the deleted. */
	json_t *j = page("customers", "deleted=true", true);
	char *got = page_ids(j);
	snprintf(want, sizeof want, "%lld", (long long)ids[5]);
	EXPECT_STR(got, want, "deleted=true");
	EXPECT(json_integer_value(json_object_get(j, "total")) == 1, "deleted total");
	free(got);
	json_decref(j);
	/* A deleted record is no longer found by search. */
	expect_page("customers", "q=帆船", "", 0);
	/* Totals are capped: with count_cap 2, three matches give a total of 2, not exact. */
	ctx_init(&c, "customers", false);
	c.op.count_cap = 2;
	struct kv kv[] = {{"staff_total__null", "false"}};
	struct list_query q;
	assert_int_equal(list_parse(&c.op, kv, 1, NULL, &q), 0);
	struct str out = STR_INIT;
	assert_int_equal(list_page(&c.op, &q, &out), 0);
	j = json_loads(out.buf, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	assert_true(json_is_false(json_object_get(j, "total_exact")));
	assert_int_equal(json_array_size(json_object_get(j, "data")), 3);
	json_decref(j);
	str_release(&out);
	ctx_release(&c);
	/* Restored (administrators): listed and found again. */
	ctx_init(&c, "customers", true);
	struct crud_result res = {0};
	assert_int_equal(crud_restore(&c.op, ids[5], &out, &res), 200);
	str_release(&out);
	ctx_release(&c);
	char want5[32];
	snprintf(want5, sizeof want5, "%lld", (long long)ids[5]);
	expect_page("customers", "q=帆船", want5, 1);
	expect_page("customers", "level__null=true", want5, 1);
	EXPECT_ALL();
}

/* Codes (match/keys.h): customers are entity number 1, their names kind 5 (MK_NAME). */
static int64_t count_keys(void)
{
	int64_t n = -1;
	assert_int_equal(
	    db_query_int(db, "SELECT count(*) FROM match_keys WHERE code >> 44 = 1", 0, NULL, &n),
	    DB_OK);
	return n;
}

static void test_match_keys_sync(void **state)
{
	(void)state;
	/* Every customer made through crud has its keys. */
	assert_int_equal(match_keys_sync(db, reg), DB_OK);
	int64_t keys = count_keys();
	assert_true(keys > 0);
	int64_t name_keys = -1;
	assert_int_equal(db_query_int(db,
	                              "SELECT count(*) FROM match_keys WHERE code >> 40 = "
	                              "(1 << 4 | 5)",
	                              0, NULL, &name_keys),
	                 DB_OK);
	int64_t live = -1;
	assert_int_equal(db_query_int(db, "SELECT count(*) FROM customers WHERE deleted_at IS NULL",
	                              0, NULL, &live),
	                 DB_OK);
	assert_int_equal(name_keys, live);
	/* And each its core name and address beside them (match_forms), under its entity's number.
	 */
	int64_t forms = -1;
	assert_int_equal(db_query_int(db, "SELECT count(*) FROM match_forms WHERE record >> 44 = 1",
	                              0, NULL, &forms),
	                 DB_OK);
	assert_int_equal(forms, live);
	/* Up to date: nothing is made again (a key removed by hand stays removed). */
	assert_int_equal(db_exec(db, "DELETE FROM match_keys WHERE code >> 40 = (1 << 4 | 5)"),
	                 DB_OK);
	assert_int_equal(match_keys_sync(db, reg), DB_OK);
	assert_int_equal(count_keys(), keys - name_keys);
	/* Out of date (a database from before the check, or new normal forms): all made again. */
	assert_int_equal(db_exec(db, "DELETE FROM match_keys"), DB_OK);
	assert_int_equal(db_exec(db, "UPDATE sys_meta SET value = 0 WHERE key = "
	                             "'match_keys_version'"),
	                 DB_OK);
	assert_int_equal(db_exec(db, "DELETE FROM match_forms"), DB_OK);
	assert_int_equal(match_keys_sync(db, reg), DB_OK);
	assert_int_equal(count_keys(), keys);
	assert_int_equal(db_query_int(db, "SELECT count(*) FROM match_forms", 0, NULL, &forms),
	                 DB_OK);
	assert_int_equal(forms, live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_parse_errors),
	    UNIT_TEST(test_parse_ok),
	    UNIT_TEST(test_pages),
	    UNIT_TEST(test_search),
	    UNIT_TEST(test_cursor_pagination),
	    UNIT_TEST(test_writes),
	    UNIT_TEST(test_delete_and_totals),
	    UNIT_TEST(test_match_keys_sync),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
