/* The writer's side of an import: what only the database can tell, and the inserts. */
#include "import_internal.h"
#include "access.h"
#include "audit.h"
#include "followup.h"
#include "hooks.h"
#include "refrules.h"
#include "search.h"
#include "sqlq.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The rules of references (meta/refrules.h) for the rows still good, a query per row that sets
 * such a reference: few do. A record being created has nothing pointing back at it, so only
 * `same` can fail.
 */
static int check_reference_rules(struct importer *im, struct import_batch *b)
{
	struct op *op = im->op;
	const struct entity *e = im->e;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!f->same || !im->stored[i])
			continue;
		for (size_t r = 0; r < b->n; r++) {
			struct import_row *row = &b->rows[r];
			bool kept;
			int rc = row->ok ? refrules_same_kept(op, f, row->vals, &kept) : DB_OK;
			if (rc)
				return rc;
			if (row->ok && !kept) {
				import_add_error(&im->write, row->line, f->name,
				                 "reference_not_same", refrules_same_params(op, f));
				row->ok = false;
			}
		}
	}
	return DB_OK;
}

/*
 * What only the database can tell, asked once per batch rather than once per row: unique
 * values already taken, and references to records that do not exist.
 */
int import_check_batch(struct importer *im, struct import_batch *b)
{
	struct op *op = im->op;
	const struct entity *e = im->e;
	struct import_row *rows = b->rows;
	size_t n = b->n;
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
		else {
			/* Only records the importer may read: others are not there for them. */
			struct op target = *op;
			target.e = f->ref;
			target.shared = 0;
			sqlq_addf(&s,
			          "SELECT t.\"id\" FROM \"%s\" t WHERE t.\"deleted_at\" IS NULL",
			          f->ref->name);
			int rc = access_where(&target, ACT_READ, &s);
			if (rc) {
				sqlq_release(&s);
				return rc;
			}
			sqlq_add(&s, " AND t.\"id\" IN (");
		}
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
				import_add_error(&im->write, rows[r].line, f->name, "duplicate",
				                 NULL);
				rows[r].ok = false;
			} else if (ref && !there) {
				char k[64];
				int kn = snprintf(k, sizeof k, "%zu:%lld", i, (long long)v->i);
				if (strset_get(&im->refs_ok, k, (size_t)kn, NULL))
					continue;
				import_add_error(&im->write, rows[r].line, f->name,
				                 "reference_not_found", NULL);
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
	return check_reference_rules(im, b);
}

/* The columns every imported row sets, in order; ids are given, not generated. */
static void insert_columns(struct importer *im, struct sqlq *s)
{
	const struct entity *e = im->e;
	sqlq_addf(s, "INSERT INTO \"%s\" (\"id\", ", e->name);
	for (size_t i = 0; i < e->n_fields; i++) {
		if (!im->stored[i])
			continue;
		sqlq_field(s, "", &e->fields[i]);
		sqlq_add(s, ", ");
	}
	sqlq_add(s, "\"created_at\", \"updated_at\", \"created_by\", \"updated_by\", \"version\"");
	if (e->owned)
		sqlq_add(s, ", \"org_unit_id\"");
	if (e->searchable)
		sqlq_add(s, ", \"search_tokens\"");
	sqlq_add(s, ") VALUES ");
}

static void insert_values(struct importer *im, struct sqlq *s, int64_t id,
                          const struct import_row *row, int64_t unit, bool first)
{
	const struct entity *e = im->e;
	sqlq_add(s, first ? "(" : ", (");
	sqlq_int(s, id);
	sqlq_add(s, ", ");
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!im->stored[i])
			continue;
		sqlq_value(s, &row->vals[i]);
		sqlq_add(s, ", ");
		if (f->type == FT_MONEY) {
			if (row->vals[i].kind == V_NULL)
				sqlq_null(s);
			else
				sqlq_texts(s,
				           row->vals[i].currency ? row->vals[i].currency : "CNY");
			sqlq_add(s, ", ");
		}
	}
	sqlq_texts(s, im->now);
	sqlq_add(s, ", ");
	sqlq_texts(s, im->now);
	sqlq_add(s, ", ");
	sqlq_user(s, im->op->user_id);
	sqlq_add(s, ", ");
	sqlq_user(s, im->op->user_id);
	sqlq_add(s, ", 1");
	if (e->owned) {
		sqlq_add(s, ", ");
		if (unit)
			sqlq_int(s, unit);
		else
			sqlq_null(s);
	}
	if (e->searchable) {
		sqlq_add(s, ", ");
		sqlq_text(s, row->tokens ? row->tokens : "", row->n_tokens);
	}
	sqlq_add(s, ")");
}

/* A record's unit is its owner's. Rows mostly share an owner: the last answer is kept. */
static int owner_unit(struct importer *im, const struct import_row *row, int64_t *unit)
{
	const struct field *of = entity_field(im->e, "owner_id");
	const struct value *v = &row->vals[of->position];
	*unit = 0;
	if (v->kind != V_INT)
		return DB_OK;
	if (v->i == im->unit_owner) {
		*unit = im->unit;
		return DB_OK;
	}
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)v->i);
	const char *p[] = {id};
	int rc = db_query_int(
	    im->op->db, "SELECT coalesce(max(org_unit_id), 0) FROM users WHERE id = ?", 1, p, unit);
	if (!rc) {
		im->unit_owner = v->i;
		im->unit = *unit;
	}
	return rc;
}

int import_insert_batch(struct importer *im, struct import_batch *b, int64_t *created)
{
	struct op *op = im->op;
	const struct entity *e = im->e;
	int64_t *ids = ARENA_NEW_ARRAY(&b->arena, int64_t, b->n);
	char **changes = ARENA_NEW_ARRAY(&b->arena, char *, b->n);
	char **tokens = ARENA_NEW_ARRAY(&b->arena, char *, b->n);
	/* Ids known before the insert pair each row with its audit and search entries. */
	int rc = db_next_ids(op->db, e->name, b->n, ids);
	if (rc)
		return rc;
	struct sqlq s;
	sqlq_init(&s);
	insert_columns(im, &s);
	for (size_t i = 0; i < b->n; i++) {
		int64_t unit = 0;
		if (e->owned && (rc = owner_unit(im, &b->rows[i], &unit))) {
			sqlq_release(&s);
			return rc;
		}
		insert_values(im, &s, ids[i], &b->rows[i], unit, i == 0);
		changes[i] = b->rows[i].changes;
		tokens[i] = b->rows[i].tokens;
	}
	struct db_stmt *st;
	if (!(rc = sqlq_prepare(op->db, &s, &st))) {
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	sqlq_release(&s);
	if (!rc)
		rc = audit_write_many(op, "create", e->name, ids, changes, b->n);
	if (!rc)
		rc = search_index_add(op->db, e, ids, tokens, b->n);
	const struct match_fields *mf = match_fields_of(e);
	for (size_t i = 0; i < b->n; i++) {
		const struct import_row *row = &b->rows[i];
		for (size_t k = 0; k < row->n_keys; k++)
			match_postings_add(&im->postings, row->keys[k], ids[i]);
		if (row->core_name || row->core_address)
			match_postings_add_form(&im->postings, match_form_key(mf, ids[i]),
			                        row->core_name, row->core_address);
	}
	if (!rc && im->postings.n >= MATCH_POSTINGS_FLUSH)
		rc = match_postings_write(op->db, &im->postings);
	for (size_t i = 0; i < b->n && !rc; i++)
		rc = followup_touch(op->db, e, b->rows[i].vals);
	/* What a module makes of a new record (a plan's tasks) is made for imported ones too. */
	const struct record_hooks *h = record_hooks_of(e);
	for (size_t i = 0; i < b->n && !rc && h && h->created; i++)
		if (h->created(op, ids[i], b->rows[i].vals) < 0)
			rc = DB_ERROR;
	if (!rc)
		*created += (int64_t)b->n;
	return rc;
}

int import_write_keys(struct importer *im)
{
	return match_postings_write(im->op->db, &im->postings);
}
