#include "search.h"
#include "core/log.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

void search_tokens_build(const struct entity *e, const struct value *vals, struct str *out)
{
	/* All searchable values in one text, so a token is stored once per record. */
	struct str all = STR_INIT;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!(f->flags & FF_SEARCHABLE) || !field_visible(f) || vals[i].kind != V_TEXT)
			continue;
		if (all.len)
			str_addc(&all, '\n');
		str_add(&all, vals[i].s, vals[i].n);
	}
	text_search_tokens(out, all.buf, all.len);
	str_release(&all);
}

void search_signature(const struct entity *e, struct str *out)
{
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!(f->flags & FF_SEARCHABLE) || !field_visible(f))
			continue;
		if (out->len)
			str_addc(out, ',');
		str_adds(out, f->name);
	}
}

void search_match_arg(enum db_kind kind, const struct search_term *terms, size_t n, struct str *out)
{
	/* Tokens hold only letters, digits and CJK characters: no quoting issues. */
	for (size_t i = 0; i < n; i++) {
		if (kind == DB_PG) {
			if (i)
				str_add(out, " & ", 3);
			str_addf(out, "'%s'%s", terms[i].token, terms[i].prefix ? ":*" : "");
		} else {
			if (i)
				str_add(out, " AND ", 5);
			str_addf(out, "\"%s\"%s", terms[i].token, terms[i].prefix ? "*" : "");
		}
	}
}

int search_index_add(struct db *db, const struct entity *e, const int64_t *ids, char *const *tokens,
                     size_t n)
{
	if (db_kind(db) != DB_SQLITE || !e->searchable || n == 0)
		return DB_OK;
	struct str sql = STR_INIT;
	str_addf(&sql, "INSERT INTO \"%s_fts\"(rowid, search_tokens) VALUES ", e->name);
	for (size_t i = 0; i < n; i++)
		str_adds(&sql, i ? ", (?, ?)" : "(?, ?)");
	struct db_stmt *st;
	int rc = db_prepare(db, sql.buf, &st);
	str_release(&sql);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		db_bind_int(st, (int)(2 * i + 1), ids[i]);
		db_bind_texts(st, (int)(2 * i + 2), tokens[i] ? tokens[i] : "");
	}
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* External content: FTS5 removes a row by being told the tokens it had. */
int search_index_remove(struct db *db, const struct entity *e, int64_t id, const char *old,
                        size_t old_n)
{
	if (db_kind(db) != DB_SQLITE || !e->searchable)
		return DB_OK;
	char sql[256];
	snprintf(sql, sizeof sql,
	         "INSERT INTO \"%s_fts\"(\"%s_fts\", rowid, search_tokens) VALUES ('delete', ?, ?)",
	         e->name, e->name);
	struct db_stmt *st;
	int rc = db_prepare(db, sql, &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	db_bind_text(st, 2, old ? old : "", old ? old_n : 0);
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int search_index_change(struct db *db, const struct entity *e, int64_t id, const char *old,
                        size_t old_n, const char *new)
{
	int rc = search_index_remove(db, e, id, old, old_n);
	if (rc)
		return rc;
	char *tok = (char *)(new ? new : "");
	return search_index_add(db, e, &id, &tok, 1);
}

int search_index_rebuild(struct db *db, const struct entity *e)
{
	if (db_kind(db) != DB_SQLITE || !e->searchable)
		return DB_OK;
	/* Live rows only: soft-deleted records leave the index, so a search's count is the
	 * index's count ('rebuild' would take every row of the table). */
	char sql[320];
	snprintf(sql, sizeof sql,
	         "INSERT INTO \"%s_fts\"(\"%s_fts\") VALUES ('delete-all');"
	         "INSERT INTO \"%s_fts\"(rowid, search_tokens) SELECT \"id\", "
	         "coalesce(\"search_tokens\", '') FROM \"%s\" WHERE \"deleted_at\" IS NULL",
	         e->name, e->name, e->name, e->name);
	return db_exec(db, sql);
}

int search_reindex(struct db *db, const struct entity *e)
{
	struct str sel = STR_INIT, upd = STR_INIT;
	str_adds(&sel, "SELECT \"id\"");
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if ((f->flags & FF_SEARCHABLE) && field_visible(f))
			str_addf(&sel, ", \"%s\"", f->name);
	}
	str_addf(&sel, " FROM \"%s\" WHERE \"id\" > ? ORDER BY \"id\" LIMIT 500", e->name);
	str_addf(&upd, "UPDATE \"%s\" SET \"search_tokens\" = ? WHERE \"id\" = ?", e->name);
	struct value *vals = xcalloc(e->n_fields, sizeof *vals);
	int64_t last = 0, total = 0;
	int rc = DB_OK;
	for (;;) {
		struct db_stmt *st;
		if ((rc = db_prepare(db, sel.buf, &st)))
			break;
		db_bind_int(st, 1, last);
		/* Collect a batch first: the update must not run under an open cursor on PG. */
		size_t n = 0, cap = 500;
		int64_t *ids = xmalloc(cap * sizeof *ids);
		char **toks = xmalloc(cap * sizeof *toks);
		while ((rc = db_step(st)) == DB_ROW) {
			memset(vals, 0, e->n_fields * sizeof *vals);
			int col = 1;
			for (size_t i = 0; i < e->n_fields; i++) {
				const struct field *f = &e->fields[i];
				if ((f->flags & FF_SEARCHABLE) && field_visible(f))
					value_from_column(f, st, &col, &vals[i]);
			}
			struct str t = STR_INIT;
			search_tokens_build(e, vals, &t);
			ids[n] = db_column_int(st, 0);
			toks[n] = str_detach(&t, NULL);
			n++;
		}
		db_reset(st);
		for (size_t i = 0; i < n && rc == DB_DONE; i++) {
			struct db_stmt *u;
			if ((rc = db_prepare(db, upd.buf, &u)))
				break;
			db_bind_texts(u, 1, toks[i]);
			db_bind_int(u, 2, ids[i]);
			rc = db_step(u);
			db_reset(u);
		}
		for (size_t i = 0; i < n; i++)
			free(toks[i]);
		free(toks);
		if (n)
			last = ids[n - 1];
		free(ids);
		total += (int64_t)n;
		if (rc != DB_DONE || n == 0)
			break;
	}
	free(vals);
	str_release(&sel);
	str_release(&upd);
	if (rc == DB_DONE) {
		if (total)
			log_info("re-tokenised %lld rows of '%s' for search", (long long)total,
			         e->name);
		return search_index_rebuild(db, e);
	}
	return rc;
}
