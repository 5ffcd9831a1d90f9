#include "transfer.h"
#include "audit.h"
#include "crud.h"
#include "search.h"
#include "sqlq.h"
#include "validate.h"
#include "value.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/strset.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IMPORT_MAX_ERRORS 1000
#define IMPORT_BATCH_MAX  500
#define IMPORT_PARAMS_MAX 30000 /* under SQLite's 32766 and PostgreSQL's 65535 parameters */

struct importer {
	struct op *op;
	const struct entity *e;
	struct csv_reader csv;
	size_t n_cols;
	const struct field **col_field; /* per CSV column: the field, or NULL to skip */
	bool *mapped;                   /* per field position */
	bool *stored;                   /* per field position: a column the inserts set */
	size_t batch;                   /* rows per INSERT statement */
	struct strset *unique_seen;     /* per field position, for unique fields */
	struct strset refs_ok;          /* "field:id" known to exist */
	int64_t rows, invalid;
	size_t errors_dropped;
	struct str header_json; /* mapping for the report */
	struct str unmapped_json;
};

static void add_error(struct importer *im, int64_t row, const char *field, const char *code,
                      const char *const *params)
{
	if (im->op->problem->n_errors >= IMPORT_MAX_ERRORS) {
		im->errors_dropped++;
		return;
	}
	problem_add_row(im->op->problem, row, field, code, params);
}

static bool header_matches(const struct field *f, const char *h, size_t n)
{
	if (strlen(f->name) == n && strncasecmp(f->name, h, n) == 0)
		return true;
	for (int l = 0; l < LANG__MAX; l++) {
		const char *t = f->label.text[l];
		if (t && strlen(t) == n && strncasecmp(t, h, n) == 0)
			return true;
	}
	return false;
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* Decide which column feeds which field: the explicit mapping first, then names and labels. */
static int map_columns(struct importer *im, const char *mapping)
{
	struct op *op = im->op;
	const struct entity *e = im->e;
	json_t *m = NULL;
	if (mapping && *mapping) {
		m = json_loads(mapping, 0, NULL);
		if (!json_is_object(m)) {
			json_decref(m);
			problem_add(op->problem, "mapping", "invalid_value", NULL);
			return problem_set(op->problem, 400, "bad_request");
		}
	}
	im->n_cols = im->csv.n_fields;
	im->col_field = ARENA_NEW_ARRAY(op->arena, const struct field *, im->n_cols);
	im->mapped = ARENA_NEW_ARRAY(op->arena, bool, e->n_fields);
	const char **headers = ARENA_NEW_ARRAY(op->arena, const char *, im->n_cols);
	for (size_t c = 0; c < im->n_cols; c++) {
		size_t n;
		const char *h = csv_field(&im->csv, c, &n);
		trim(&h, &n);
		headers[c] = arena_strndup(op->arena, h, n);
	}
	/* Every key of the mapping must name a column and a writable field (or null). */
	const char *k;
	json_t *v;
	json_object_foreach(m, k, v)
	{
		bool found = false;
		for (size_t c = 0; c < im->n_cols; c++)
			found |= strcmp(headers[c], k) == 0;
		const char *fname = json_string_value(v);
		const struct field *f = fname ? entity_field(e, fname) : NULL;
		if (!found)
			problem_add(op->problem, "mapping", "unknown_parameter",
			            (const char *[]){"name", arena_strdup(op->arena, k), NULL});
		else if (!json_is_null(v) && (!f || !field_visible(f) || !field_writable(f)))
			problem_add(op->problem, "mapping", "unknown_field",
			            (const char *[]){"name", arena_strdup(op->arena, k), NULL});
	}
	if (op->problem->n_errors) {
		json_decref(m);
		return problem_set(op->problem, 400, "bad_request");
	}
	str_addc(&im->header_json, '{');
	str_addc(&im->unmapped_json, '[');
	for (size_t c = 0; c < im->n_cols; c++) {
		const struct field *f = NULL;
		json_t *explicit = m ? json_object_get(m, headers[c]) : NULL;
		if (explicit) {
			if (!json_is_null(explicit))
				f = entity_field(e, json_string_value(explicit));
		} else {
			for (size_t i = 0; i < e->n_fields && !f; i++)
				if (field_visible(&e->fields[i]) && field_writable(&e->fields[i]) &&
				    header_matches(&e->fields[i], headers[c], strlen(headers[c])))
					f = &e->fields[i];
		}
		if (f && im->mapped[f->position]) {
			problem_add(op->problem, "mapping", "duplicate",
			            (const char *[]){"name", f->name, NULL});
			continue;
		}
		im->col_field[c] = f;
		if (f) {
			im->mapped[f->position] = true;
			if (im->header_json.len > 1)
				str_addc(&im->header_json, ',');
			str_add_jsons(&im->header_json, headers[c]);
			str_addc(&im->header_json, ':');
			str_add_jsons(&im->header_json, f->name);
		} else {
			if (im->unmapped_json.len > 1)
				str_addc(&im->unmapped_json, ',');
			str_add_jsons(&im->unmapped_json, headers[c]);
		}
	}
	str_addc(&im->header_json, '}');
	str_addc(&im->unmapped_json, ']');
	json_decref(m);
	if (op->problem->n_errors)
		return problem_set(op->problem, 400, "bad_request");
	/* A required field with no column and no default fails every row: say it once. */
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if ((f->flags & FF_REQUIRED) && field_visible(f) && !im->mapped[i] &&
		    !f->default_value)
			problem_add(op->problem, f->name, "required", NULL);
	}
	if (op->problem->n_errors)
		return problem_set(op->problem, 422, "validation_failed");
	return 0;
}

/* "USD 1234.50" or "1234.50 USD" in a money cell. */
static int money_cell(struct importer *im, const struct field *f, const char *s, size_t n,
                      struct value *v, struct verr *e)
{
	const char *cur = NULL;
	trim(&s, &n);
	if (n > 4 && s[3] == ' ' && validate_currency(s, 3)) {
		cur = arena_strndup(im->op->arena, s, 3);
		s += 4;
		n -= 4;
	} else if (n > 4 && s[n - 4] == ' ' && validate_currency(s + n - 3, 3)) {
		cur = arena_strndup(im->op->arena, s + n - 3, 3);
		n -= 4;
	}
	int rc = value_from_text(im->op->arena, f, s, n, TS_CSV, v, e);
	if (!rc && cur && v->kind == V_INT)
		v->currency = cur;
	return rc;
}

/*
 * Read one row into vals (all fields, defaults applied). Errors are added to the report;
 * returns true if the row is valid. check_db adds the database checks (unique, references).
 */
static bool read_row(struct importer *im, struct value *vals)
{
	struct op *op = im->op;
	const struct entity *e = im->e;
	int64_t line = im->csv.line;
	bool ok = true;
	memset(vals, 0, e->n_fields * sizeof *vals);
	if (im->csv.n_fields != im->n_cols) {
		add_error(
		    im, line, NULL, "invalid_csv",
		    (const char *[]){"detail",
		                     arena_printf(op->arena, "%zu columns, the header has %zu",
		                                  im->csv.n_fields, im->n_cols),
		                     NULL});
		return false;
	}
	bool *bad = ARENA_NEW_ARRAY(op->arena, bool, e->n_fields);
	for (size_t c = 0; c < im->n_cols; c++) {
		const struct field *f = im->col_field[c];
		if (!f)
			continue;
		size_t n;
		const char *s = csv_field(&im->csv, c, &n);
		struct verr err;
		int rc = f->type == FT_MONEY ? money_cell(im, f, s, n, &vals[f->position], &err)
		                             : value_from_text(op->arena, f, s, n, TS_CSV,
		                                               &vals[f->position], &err);
		if (rc) {
			add_error(im, line, f->name, err.code, err.params);
			bad[f->position] = true;
			ok = false;
		}
	}
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!field_visible(f) || !field_writable(f))
			continue;
		if (!im->mapped[i] || vals[i].kind == V_NULL)
			value_default(op->arena, f, &vals[i]);
		if (strcmp(f->name, "owner_id") == 0 && vals[i].kind == V_NULL && op->user_id) {
			vals[i].kind = V_INT;
			vals[i].i = op->user_id;
		}
		/* A cell that failed its check is bad, not missing: one error is enough. */
		if ((f->flags & FF_REQUIRED) && vals[i].kind == V_NULL && !bad[i]) {
			add_error(im, line, f->name, "required", NULL);
			ok = false;
		}
	}
	if (!ok)
		return false;
	/* The same unique value twice in the file (the database is asked per batch). */
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!(f->flags & FF_UNIQUE) || vals[i].kind == V_NULL)
			continue;
		struct str key = STR_INIT;
		value_to_json(&key, f, &vals[i]);
		int64_t first;
		if (!strset_add(&im->unique_seen[i], key.buf, key.len, line, &first)) {
			add_error(
			    im, line, f->name, "duplicate_row",
			    (const char *[]){
			        "row", arena_printf(op->arena, "%lld", (long long)first), NULL});
			ok = false;
		}
		str_release(&key);
	}
	return ok;
}

/* A checked row waiting for its batch's database checks and insert. */
struct pending {
	struct value *vals;
	int64_t line;
	bool ok;
};

/*
 * What only the database can tell, asked once per batch rather than once per row: unique
 * values already taken, and references to records that do not exist.
 */
static int check_batch(struct importer *im, struct pending *rows, size_t n)
{
	struct op *op = im->op;
	const struct entity *e = im->e;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		bool unique = f->flags & FF_UNIQUE;
		bool ref = f->type == FT_REFERENCE || f->type == FT_USER;
		if ((!unique && !ref) || !im->stored[i])
			continue;
		/* The values to ask about (references already seen to exist are not asked again).
		 */
		struct sqlq s;
		sqlq_init(&s);
		if (unique)
			sqlq_addf(
			    &s,
			    "SELECT \"%s\" FROM \"%s\" WHERE \"deleted_at\" IS NULL AND \"%s\" IN (",
			    f->name, e->name, f->name);
		else if (f->type == FT_USER)
			sqlq_add(&s, "SELECT \"id\" FROM \"users\" WHERE \"id\" IN (");
		else
			sqlq_addf(
			    &s,
			    "SELECT \"id\" FROM \"%s\" WHERE \"deleted_at\" IS NULL AND \"id\" IN (",
			    f->ref->name);
		size_t asked = 0;
		for (size_t r = 0; r < n; r++) {
			const struct value *v = &rows[r].vals[i];
			if (v->kind == V_NULL)
				continue;
			if (ref) {
				char key[64];
				int kn = snprintf(key, sizeof key, "%zu:%lld", i, (long long)v->i);
				if (strset_get(&im->refs_ok, key, (size_t)kn, NULL))
					continue;
			}
			sqlq_add(&s, asked++ ? ", " : "");
			sqlq_value(&s, v);
		}
		sqlq_add(&s, ")");
		struct strset found;
		strset_init(&found);
		int rc = DB_OK;
		if (asked) {
			struct db_stmt *st;
			if ((rc = sqlq_prepare(op->db, &s, &st))) {
				sqlq_release(&s);
				return rc;
			}
			static const struct field plain_int = {.name = "id", .type = FT_INT};
			while ((rc = db_step(st)) == DB_ROW) {
				struct value v;
				int col = 0;
				value_from_column(unique ? f : &plain_int, st, &col, &v);
				struct str key = STR_INIT;
				value_to_json(&key, unique ? f : &plain_int, &v);
				strset_add(&found, key.buf, key.len, 1, NULL);
				str_release(&key);
			}
			db_reset(st);
			rc = rc == DB_DONE ? DB_OK : rc;
		}
		sqlq_release(&s);
		for (size_t r = 0; r < n && !rc && asked; r++) {
			const struct value *v = &rows[r].vals[i];
			if (v->kind == V_NULL)
				continue;
			static const struct field plain_int = {.name = "id", .type = FT_INT};
			struct str key = STR_INIT;
			value_to_json(&key, unique ? f : &plain_int, v);
			bool there = strset_get(&found, key.buf, key.len, NULL);
			str_release(&key);
			if (unique && there) {
				add_error(im, rows[r].line, f->name, "duplicate", NULL);
				rows[r].ok = false;
			} else if (ref && !there) {
				char k[64];
				int kn = snprintf(k, sizeof k, "%zu:%lld", i, (long long)v->i);
				if (strset_get(&im->refs_ok, k, (size_t)kn, NULL))
					continue;
				add_error(im, rows[r].line, f->name, "reference_not_found", NULL);
				rows[r].ok = false;
			} else if (ref) {
				char k[64];
				int kn = snprintf(k, sizeof k, "%zu:%lld", i, (long long)v->i);
				strset_add(&im->refs_ok, k, (size_t)kn, 1, NULL);
			}
		}
		strset_release(&found);
		if (rc)
			return rc;
	}
	return DB_OK;
}

/*
 * Which columns the inserts set: mapped fields, fields with a default, the owner. Leaving the
 * rest out keeps statements short, so more rows fit in one (fewer statements, fewer FTS flushes).
 */
static void plan_columns(struct importer *im)
{
	const struct entity *e = im->e;
	size_t params = 6; /* created/updated at/by, version, search tokens */
	im->stored = ARENA_NEW_ARRAY(im->op->arena, bool, e->n_fields);
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!field_visible(f) || !field_writable(f))
			continue;
		if (im->mapped[i] || f->default_value || strcmp(f->name, "owner_id") == 0) {
			im->stored[i] = true;
			params += (size_t)field_columns(f);
		}
	}
	im->batch = IMPORT_PARAMS_MAX / params;
	if (im->batch > IMPORT_BATCH_MAX)
		im->batch = IMPORT_BATCH_MAX;
}

/* The columns every imported row sets, in order. */
static void insert_columns(struct importer *im, struct sqlq *s)
{
	const struct entity *e = im->e;
	sqlq_addf(s, "INSERT INTO \"%s\" (", e->name);
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!im->stored[i])
			continue;
		sqlq_field(s, "", f);
		sqlq_add(s, ", ");
	}
	sqlq_add(s, "\"created_at\", \"updated_at\", \"created_by\", \"updated_by\", \"version\"");
	if (e->searchable)
		sqlq_add(s, ", \"search_tokens\"");
	sqlq_add(s, ") VALUES ");
}

static void insert_values(struct importer *im, struct sqlq *s, const struct value *vals,
                          const char *now, const char *tokens, size_t ntok, bool first)
{
	const struct entity *e = im->e;
	sqlq_add(s, first ? "(" : ", (");
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!im->stored[i])
			continue;
		sqlq_value(s, &vals[i]);
		sqlq_add(s, ", ");
		if (f->type == FT_MONEY) {
			if (vals[i].kind == V_NULL)
				sqlq_null(s);
			else
				sqlq_text(s, vals[i].currency ? vals[i].currency : "CNY",
				          strlen(vals[i].currency ? vals[i].currency : "CNY"));
			sqlq_add(s, ", ");
		}
	}
	sqlq_texts(s, now);
	sqlq_add(s, ", ");
	sqlq_texts(s, now);
	sqlq_add(s, ", ");
	sqlq_user(s, im->op->user_id);
	sqlq_add(s, ", ");
	sqlq_user(s, im->op->user_id);
	sqlq_add(s, ", 1");
	if (e->searchable) {
		sqlq_add(s, ", ");
		sqlq_text(s, tokens, ntok);
	}
	sqlq_add(s, ")");
}

/* Insert a batch; RETURNING gives each record as stored, which its audit row describes. */
static int insert_batch(struct importer *im, struct sqlq *s, int64_t *created)
{
	struct op *op = im->op;
	const struct entity *e = im->e;
	sqlq_add(s, " RETURNING \"id\"");
	if (e->searchable)
		sqlq_add(s, ", \"search_tokens\"");
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!im->stored[i])
			continue;
		sqlq_add(s, ", ");
		sqlq_field(s, "", f);
	}
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, s, &st);
	if (rc)
		return rc;
	int64_t *ids = xmalloc(im->batch * sizeof *ids);
	char **changes = xmalloc(im->batch * sizeof *changes);
	char **tokens = xcalloc(im->batch, sizeof *tokens);
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW && n < im->batch) {
		ids[n] = db_column_int(st, 0);
		int col = 1;
		if (e->searchable)
			tokens[n] = xstrdup(db_column_text(st, col++, NULL));
		struct str c = STR_INIT;
		static const struct value null_value = {.kind = V_NULL};
		for (size_t i = 0; i < e->n_fields; i++) {
			const struct field *f = &e->fields[i];
			if (!im->stored[i])
				continue;
			struct value v;
			value_from_column(f, st, &col, &v);
			if (v.kind != V_NULL)
				crud_changes_add(&c, f, &null_value, &v);
		}
		if (c.len)
			str_addc(&c, '}');
		changes[n++] = c.len ? str_detach(&c, NULL) : NULL;
		str_release(&c);
	}
	db_reset(st);
	if (rc == DB_DONE)
		rc = audit_write_many(op, "create", e->name, ids, changes, n);
	if (rc == DB_OK)
		rc = search_index_add(op->db, e, ids, tokens, n);
	for (size_t i = 0; i < n; i++) {
		free(changes[i]);
		free(tokens[i]);
	}
	free(ids);
	free(changes);
	free(tokens);
	*created += (int64_t)n;
	return rc == DB_DONE ? DB_OK : rc;
}

/*
 * One pass over the rows. Each row is checked as it is read; the database checks (unique
 * values, references) are made per batch; while every row so far is valid and this is no dry
 * run, each batch is inserted, all inside one transaction. The first invalid row stops the
 * inserting (checking goes on, for the report) and the transaction is rolled back: all or
 * nothing. Returns a database error or 0; *csv_rc gets the reader's last result.
 */
static int run_rows(struct importer *im, bool insert, int64_t *created, int *csv_rc)
{
	struct op *op = im->op;
	const struct entity *e = im->e;
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	int rc = DB_OK;
	bool began = insert;
	if (began && (rc = db_begin_bulk(op->db)))
		return rc;
	struct sqlq s;
	sqlq_init(&s);
	/* A batch's rows and values live in this arena, dropped after each batch. */
	struct arena batch;
	arena_init(&batch, 64 * 1024);
	struct arena *req_arena = op->arena;
	struct pending *rows = xcalloc(im->batch, sizeof *rows);
	size_t n = 0;
	struct str tokens = STR_INIT;
	int r;
	for (;;) {
		r = csv_next(&im->csv);
		if (r == 1) {
			im->rows++;
			op->arena = &batch;
			rows[n].vals = ARENA_NEW_ARRAY(&batch, struct value, e->n_fields);
			rows[n].line = im->csv.line;
			rows[n].ok = read_row(im, rows[n].vals);
			if (!rows[n].ok) {
				im->invalid++;
				insert = false; /* nothing more goes in; the transaction is rolled
				                   back */
				if (n == 0 && im->invalid % 256 == 0) {
					/* Nothing pending: a long run of bad rows must not pile up.
					 */
					op->arena = req_arena;
					arena_release(&batch);
					arena_init(&batch, 64 * 1024);
				}
			} else {
				n++;
			}
			if (n < im->batch)
				continue;
		}
		if (n == 0) {
			if (r != 1)
				break;
			continue;
		}
		/* A full batch, or the last one: ask the database, then insert if all is well. */
		if ((rc = check_batch(im, rows, n)))
			break;
		for (size_t i = 0; i < n; i++)
			if (!rows[i].ok) {
				im->invalid++;
				insert = false;
			}
		if (insert) {
			sqlq_reset(&s);
			insert_columns(im, &s);
			for (size_t i = 0; i < n; i++) {
				str_reset(&tokens);
				if (e->searchable)
					search_tokens_build(e, rows[i].vals, &tokens);
				const char *tok = arena_strndup(&batch, tokens.buf, tokens.len);
				insert_values(im, &s, rows[i].vals, now, tok, tokens.len, i == 0);
			}
			if ((rc = insert_batch(im, &s, created)))
				break;
		}
		n = 0;
		op->arena = req_arena;
		arena_release(&batch);
		arena_init(&batch, 64 * 1024);
		if (r != 1)
			break;
	}
	*csv_rc = r;
	op->arena = req_arena;
	arena_release(&batch);
	free(rows);
	str_release(&tokens);
	sqlq_release(&s);
	if (began) {
		if (!rc && insert && r == 0 && *created > 0 &&
		    !(rc = crud_bump_count(op, *created)))
			rc = db_commit(op->db);
		if (rc || !insert || r != 0) {
			db_rollback(op->db);
			*created = 0;
		}
	}
	return rc;
}

/*
 * Database checks report a batch after later rows' own errors: put them in file order. An
 * insertion sort, stable so a row's errors keep their order; there are at most 1,000.
 */
static void sort_errors(struct problem *p)
{
	for (size_t i = 1; i < p->n_errors; i++) {
		struct problem_error e = p->errors[i];
		size_t j = i;
		for (; j > 0 && p->errors[j - 1].row > e.row; j--)
			p->errors[j] = p->errors[j - 1];
		p->errors[j] = e;
	}
}

static void report(struct importer *im, const struct import_options *o, int64_t created,
                   struct str *out)
{
	str_addf(out,
	         "\"dry_run\":%s,\"rows\":%lld,\"valid\":%lld,\"invalid\":%lld,\"created\":%lld",
	         o->dry_run ? "true" : "false", (long long)im->rows,
	         (long long)(im->rows - im->invalid), (long long)im->invalid, (long long)created);
	str_addf(out, ",\"encoding\":\"%s\"", im->csv.converted ? "GB18030" : "UTF-8");
	str_adds(out, ",\"mapping\":");
	str_adds(out, im->header_json.buf);
	str_adds(out, ",\"unmapped_columns\":");
	str_adds(out, im->unmapped_json.buf);
	str_addf(out, ",\"errors_truncated\":%s", im->errors_dropped ? "true" : "false");
}

int import_csv(struct op *op, int fd, const struct import_options *o, struct str *out)
{
	struct importer im = {
	    .op = op, .e = op->e, .header_json = STR_INIT, .unmapped_json = STR_INIT};
	int status;
	strset_init(&im.refs_ok);
	im.unique_seen = ARENA_NEW_ARRAY(op->arena, struct strset, op->e->n_fields);
	if (csv_open(&im.csv, fd, o->max_bytes)) {
		problem_add(op->problem, "body", "invalid_csv",
		            (const char *[]){"detail", im.csv.error, NULL});
		status = problem_set(op->problem, 400, "bad_request");
		goto out;
	}
	int rc = csv_next(&im.csv);
	if (rc <= 0) {
		problem_add(
		    op->problem, "body", "invalid_csv",
		    (const char *[]){"detail", rc < 0 ? im.csv.error : "no header row", NULL});
		status = problem_set(op->problem, 400, "bad_request");
		goto out;
	}
	if ((status = map_columns(&im, o->mapping)))
		goto out;
	plan_columns(&im);
	int64_t created = 0;
	int csv_rc = 0;
	if ((rc = run_rows(&im, !o->dry_run, &created, &csv_rc))) {
		status = crud_db_error(op, rc, "import");
		goto out;
	}
	if (csv_rc < 0) {
		problem_add(op->problem, "body", "invalid_csv",
		            (const char *[]){"detail", im.csv.error, NULL});
		status = problem_set(op->problem, 400, "bad_request");
		goto out;
	}
	if (!o->dry_run && im.invalid) {
		/* Nothing was created: a problem document carrying the whole report. */
		sort_errors(op->problem);
		struct str rep = STR_INIT;
		report(&im, o, 0, &rep);
		op->problem->extra = arena_strndup(op->arena, rep.buf, rep.len);
		str_release(&rep);
		status = problem_set(op->problem, 422, "validation_failed");
		goto out;
	}
	if (created)
		log_info("imported %lld rows into '%s' (request %s)", (long long)created,
		         op->e->name, op->request_id);
	sort_errors(op->problem);
	str_addc(out, '{');
	report(&im, o, created, out);
	str_adds(out, ",\"errors\":");
	problem_render_errors(op->problem, op->lang, out);
	str_addc(out, '}');
	op->problem->n_errors = 0;
	status = 200;
out:
	for (size_t i = 0; i < op->e->n_fields; i++)
		strset_release(&im.unique_seen[i]);
	strset_release(&im.refs_ok);
	str_release(&im.header_json);
	str_release(&im.unmapped_json);
	csv_close(&im.csv);
	return status;
}

int import_run(struct db *db, const struct registry *reg, const char *entity, int fd,
               const struct import_options *o, int64_t user_id, const char *request_id,
               struct str *out)
{
	struct arena a;
	arena_init(&a, 64 * 1024);
	struct problem p;
	problem_init(&p, &a);
	struct op op = {.arena = &a,
	                .db = db,
	                .reg = reg,
	                .e = registry_entity(reg, entity),
	                .user_id = user_id,
	                .admin = true,
	                .lang = LANG_EN,
	                .request_id = request_id,
	                .problem = &p,
	                .count_cap = 10000};
	int status;
	if (!op.e)
		status = problem_set(&p, 404, "not_found");
	else
		status = import_csv(&op, fd, o, out);
	if (status < 0) {
		str_reset(out);
		problem_render(&p, LANG_EN, out);
	}
	arena_release(&a);
	return status;
}
