/* The reader's side of an import: columns to fields, and each row's own checks. */
#include "import_internal.h"
#include "crud.h"
#include "search.h"
#include "validate.h"
#include "core/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define IMPORT_BATCH_MAX 500
/* A dry run inserts nothing: its batches are as large as memory allows (about 5 MiB of values
 * each), so the threads that check them hand over less often. */
#define IMPORT_DRY_BATCH  1000
#define IMPORT_PARAMS_MAX 30000 /* under SQLite's 32766 and PostgreSQL's 65535 parameters */

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
int import_map_columns(struct importer *im, const char *mapping)
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
static int money_cell(struct arena *a, const struct field *f, const char *s, size_t n,
                      struct value *v, struct verr *e)
{
	const char *cur = NULL;
	trim(&s, &n);
	if (n > 4 && s[3] == ' ' && validate_currency(s, 3)) {
		cur = arena_strndup(a, s, 3);
		s += 4;
		n -= 4;
	} else if (n > 4 && s[n - 4] == ' ' && validate_currency(s + n - 3, 3)) {
		cur = arena_strndup(a, s + n - 3, 3);
		n -= 4;
	}
	int rc = value_from_text(a, f, s, n, TS_CSV, v, e);
	if (!rc && cur && v->kind == V_INT)
		v->currency = cur;
	return rc;
}

/* The codes of the row's duplicate-check keys (none for an entity without the check). */
static void row_keys(const struct entity *e, struct arena *a, struct import_row *row)
{
	struct match_keyset ks = {0};
	match_keys_of(e, row->vals, &ks);
	row->keys = ARENA_NEW_ARRAY(a, int64_t, ks.n ? ks.n : 1);
	for (size_t i = 0; i < ks.n; i++)
		row->keys[i] = ks.keys[i].code;
	row->n_keys = ks.n;
	const char *name, *address;
	match_keyset_forms(&ks, &name, &address);
	row->core_name = name ? arena_strdup(a, name) : NULL;
	row->core_address = address ? arena_strdup(a, address) : NULL;
	match_keyset_free(&ks);
}

bool import_read_row(struct importer *im, struct arena *a, struct import_row *row)
{
	const struct entity *e = im->e;
	struct import_findings *fi = &im->read;
	int64_t line = im->csv.line;
	struct value *vals = ARENA_NEW_ARRAY(a, struct value, e->n_fields);
	bool ok = true;
	row->vals = vals;
	row->line = line;
	row->tokens = row->changes = NULL;
	row->n_tokens = 0;
	row->keys = NULL;
	row->n_keys = 0;
	row->core_name = row->core_address = NULL;
	if (im->csv.n_fields != im->n_cols) {
		import_add_error(fi, line, NULL, "invalid_csv",
		                 (const char *[]){"detail",
		                                  arena_printf(a, "%zu columns, the header has %zu",
		                                               im->csv.n_fields, im->n_cols),
		                                  NULL});
		return row->ok = false;
	}
	bool *bad = ARENA_NEW_ARRAY(a, bool, e->n_fields);
	for (size_t c = 0; c < im->n_cols; c++) {
		const struct field *f = im->col_field[c];
		if (!f)
			continue;
		size_t n;
		const char *s = csv_field(&im->csv, c, &n);
		struct verr err;
		int rc = f->type == FT_MONEY
		             ? money_cell(a, f, s, n, &vals[f->position], &err)
		             : value_from_text(a, f, s, n, TS_CSV, &vals[f->position], &err);
		if (rc) {
			import_add_error(fi, line, f->name, err.code, err.params);
			bad[f->position] = true;
			ok = false;
		}
	}
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!field_visible(f) || !field_writable(f))
			continue;
		if (!im->mapped[i] || vals[i].kind == V_NULL)
			value_default(a, f, &vals[i]);
		if (strcmp(f->name, "owner_id") == 0 && vals[i].kind == V_NULL && im->op->user_id) {
			vals[i].kind = V_INT;
			vals[i].i = im->op->user_id;
		}
		/* A cell that failed its check is bad, not missing: one error is enough. */
		if ((f->flags & FF_REQUIRED) && vals[i].kind == V_NULL && !bad[i]) {
			import_add_error(fi, line, f->name, "required", NULL);
			ok = false;
		}
	}
	if (!ok)
		return row->ok = false;
	/* The same unique value twice in the file (the database is asked per batch). */
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		if (!(f->flags & FF_UNIQUE) || vals[i].kind == V_NULL)
			continue;
		struct str key = STR_INIT;
		value_to_json(&key, f, &vals[i]);
		int64_t first;
		if (!strset_add(&im->unique_seen[i], key.buf, key.len, line, &first)) {
			import_add_error(fi, line, f->name, "duplicate_row",
			                 (const char *[]){"row",
			                                  arena_printf(a, "%lld", (long long)first),
			                                  NULL});
			ok = false;
		}
		str_release(&key);
	}
	if (!ok)
		return row->ok = false;
	/* What the insert will need, made here on the reader's core: search tokens and the
	 * audit's record of the new values. Not worth it once nothing will be inserted. */
	if (atomic_load(&im->inserting)) {
		struct str t = STR_INIT, c = STR_INIT;
		if (e->searchable)
			search_tokens_build(e, vals, &t);
		row->tokens = arena_strndup(a, t.buf, t.len);
		row->n_tokens = t.len;
		static const struct value null_value = {.kind = V_NULL};
		for (size_t i = 0; i < e->n_fields; i++)
			if (im->stored[i] && vals[i].kind != V_NULL)
				crud_changes_add(&c, &e->fields[i], &null_value, &vals[i]);
		if (c.len) {
			str_addc(&c, '}');
			row->changes = arena_strndup(a, c.buf, c.len);
		}
		str_release(&t);
		str_release(&c);
	}
	/* The duplicate-check keys, for the dry run's report or the insert: normalising names
	 * and addresses is work better done here than on the writer's core. */
	if (im->dup.on || atomic_load(&im->inserting))
		row_keys(e, a, row);
	return row->ok = true;
}

/*
 * Which columns the inserts set: mapped fields, fields with a default, the owner. Leaving the
 * rest out keeps statements short, so more rows fit in one (fewer statements, fewer FTS flushes).
 */
void import_plan_columns(struct importer *im, bool dry_run)
{
	const struct entity *e = im->e;
	/* id, created/updated at/by, version, search tokens, organisation unit */
	size_t params = e->owned ? 8 : 7;
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
	if (dry_run)
		im->batch = IMPORT_DRY_BATCH;
}
