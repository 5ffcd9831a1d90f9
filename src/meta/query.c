#include "query.h"
#include "access.h"
#include "sqlq.h"
#include "core/log.h"
#include "core/text.h"
#include "core/util.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

const char *const filter_op_names[OP__MAX] = {
    [OP_EQ] = "eq",   [OP_NE] = "ne", [OP_LT] = "lt",     [OP_LTE] = "lte",   [OP_GT] = "gt",
    [OP_GTE] = "gte", [OP_IN] = "in", [OP_LIKE] = "like", [OP_NULL] = "null",
};

static const char *const reserved[] = {"q",     "sort",    "limit",  "cursor", "fields",
                                       "total", "deleted", "reveal", NULL};

static bool is_text_like(const struct field *f)
{
	return f->type == FT_TEXT || f->type == FT_LONGTEXT || f->type == FT_EMAIL ||
	       f->type == FT_PHONE || f->type == FT_URL;
}

bool filter_op_allowed(const struct field *f, enum filter_op op)
{
	switch (op) {
	case OP_LIKE:
		return is_text_like(f);
	case OP_LT:
	case OP_LTE:
	case OP_GT:
	case OP_GTE:
		return f->type != FT_MULTIENUM && f->type != FT_BOOL && f->type != FT_LONGTEXT &&
		       f->type != FT_ENUM;
	default:
		return true;
	}
}

/* A filter value: for text-like fields any text (a partial phone number is a fine filter). */
static int filter_value(struct op *op, const struct field *f, const char *s, size_t n,
                        struct value *v, const char *param)
{
	struct verr e;
	if (is_text_like(f)) {
		memset(v, 0, sizeof *v);
		if (!utf8_valid(s, n)) {
			problem_add(op->problem, param, "invalid_utf8", NULL);
			return -1;
		}
		v->kind = V_TEXT;
		v->s = arena_strndup(op->arena, s, n);
		v->n = n;
		return 0;
	}
	if (value_from_text(op->arena, f, s, n, TS_FILTER, v, &e) == 0) {
		if (v->kind == V_NULL) {
			problem_add(op->problem, param, "invalid_value", NULL);
			return -1;
		}
		return 0;
	}
	problem_add(op->problem, param, e.code, e.params);
	return -1;
}

/* "海韵*" → "海韵%"; without a * the text may stand anywhere: "%海韵%". */
static const char *like_pattern(struct arena *a, const char *s, size_t n)
{
	struct str p = STR_INIT;
	bool star = memchr(s, '*', n) != NULL;
	if (!star)
		str_addc(&p, '%');
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%' || c == '_' || c == '\\')
			str_addc(&p, '\\');
		str_addc(&p, c == '*' ? '%' : c);
	}
	if (!star)
		str_addc(&p, '%');
	const char *r = arena_strndup(a, p.buf, p.len);
	str_release(&p);
	return r;
}

/*
 * The caller's team: the caller and everyone whose chain of superiors leads to them, as ids
 * into out (at most max). Level by level, at most 8 deep.
 */
static int team_of(struct op *op, int64_t *out, size_t max, size_t *n)
{
	*n = 0;
	if (!op->user_id)
		return DB_OK;
	out[(*n)++] = op->user_id;
	size_t from = 0;
	for (int depth = 0; depth < 8 && from < *n && *n < max; depth++) {
		size_t to = *n;
		struct sqlq s;
		sqlq_init(&s);
		sqlq_add(&s, "SELECT id FROM users WHERE disabled = ");
		sqlq_int(&s, 0);
		sqlq_add(&s, " AND superior_id IN (");
		for (size_t i = from; i < to; i++) {
			sqlq_add(&s, i > from ? ", " : "");
			sqlq_int(&s, out[i]);
		}
		sqlq_add(&s, ") ORDER BY id");
		struct db_stmt *st;
		int rc = sqlq_prepare(op->db, &s, &st);
		sqlq_release(&s);
		if (rc)
			return rc;
		while ((rc = db_step(st)) == DB_ROW && *n < max) {
			int64_t id = db_column_int(st, 0);
			bool seen = false;
			for (size_t i = 0; i < *n && !seen; i++)
				seen = out[i] == id;
			if (!seen)
				out[(*n)++] = id;
		}
		db_reset(st);
		if (rc != DB_DONE && rc != DB_ROW)
			return rc;
		from = to;
	}
	return DB_OK;
}

/*
 * A user filter's "@me" (the caller) and "@team" (the caller and the people under them, for a
 * manager's team view) as ids, in a comma list with the others; NULL for another "@word" or
 * when nobody is logged in.
 */
static const char *people(struct op *op, const char *val, bool *team)
{
	struct str out = STR_INIT;
	const char *r = NULL;
	for (const char *p = val;;) {
		size_t len = strcspn(p, ",");
		if (out.len)
			str_addc(&out, ',');
		if (len == 3 && !memcmp(p, "@me", 3) && op->user_id) {
			str_add_int(&out, op->user_id);
		} else if (len == 5 && !memcmp(p, "@team", 5) && op->user_id) {
			int64_t ids[LIST_MAX_IN];
			size_t n = 0;
			if (team_of(op, ids, LIST_MAX_IN, &n))
				goto out;
			for (size_t i = 0; i < n; i++) {
				if (i)
					str_addc(&out, ',');
				str_add_int(&out, ids[i]);
			}
			*team = true;
		} else if (len && p[0] == '@') {
			goto out;
		} else {
			str_add(&out, p, len);
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	r = arena_strndup(op->arena, out.buf, out.len);
out:
	str_release(&out);
	return r;
}

static int parse_filter(struct op *op, struct list_query *q, const char *key, const char *val)
{
	const struct entity *e = q->e;
	const char *sep = strstr(key, "__");
	size_t flen = sep ? (size_t)(sep - key) : strlen(key);
	const struct field *f = entity_field_n(e, key, flen);
	if (!f || !field_visible(f)) {
		problem_add(op->problem, key, "unknown_parameter", NULL);
		return -1;
	}
	/* A filter on a masked field would tell its value, one guess at a time: only for those
	 * who may see the field on every record (a narrower scope would leak the rest). */
	if ((f->flags & FF_SENSITIVE) && access_scope(op, ACT_SENSITIVE) != SCOPE_ALL) {
		problem_add(op->problem, key, "forbidden_field", NULL);
		return -1;
	}
	enum filter_op fop = OP_EQ;
	if (sep) {
		const char *name = sep + 2;
		int found = -1;
		for (int i = 0; i < OP__MAX; i++)
			if (strcmp(name, filter_op_names[i]) == 0)
				found = i;
		if (found < 0 || !filter_op_allowed(f, (enum filter_op)found)) {
			const char *p[] = {"op", arena_strdup(op->arena, name), NULL};
			problem_add(op->problem, key, "unknown_operator", p);
			return -1;
		}
		fop = (enum filter_op)found;
	}
	if (q->n_filters == LIST_MAX_FILTERS) {
		const char *p[] = {"max", "32", NULL};
		problem_add(op->problem, key, "too_many", p);
		return -1;
	}
	if (f->type == FT_USER && (fop == OP_EQ || fop == OP_NE || fop == OP_IN) &&
	    strchr(val, '@')) {
		bool team = false;
		if (!(val = people(op, val, &team))) {
			problem_add(op->problem, key, "invalid_value", NULL);
			return -1;
		}
		if (team && fop == OP_EQ)
			fop = OP_IN; /* "=@team": anyone of the team */
		else if (team && fop == OP_NE) {
			problem_add(op->problem, key, "unknown_operator",
			            (const char *[]){"op", "ne", NULL});
			return -1;
		}
	}
	struct filter *flt = &q->filters[q->n_filters++];
	memset(flt, 0, sizeof *flt);
	flt->f = f;
	flt->op = fop;
	size_t n = strlen(val);
	switch (fop) {
	case OP_NULL: {
		static const struct field boolf = {.name = "null", .type = FT_BOOL};
		struct value b;
		if (filter_value(op, &boolf, val, n, &b, key))
			return -1;
		flt->is_null = b.i;
		return 0;
	}
	case OP_LIKE:
		if (n == 0 || !utf8_valid(val, n)) {
			problem_add(op->problem, key, "invalid_value", NULL);
			return -1;
		}
		flt->pattern = like_pattern(op->arena, val, n);
		return 0;
	case OP_IN: {
		size_t count = 1;
		for (const char *p = val; *p; p++)
			count += *p == ',';
		if (count > LIST_MAX_IN) {
			const char *p[] = {"max", "100", NULL};
			problem_add(op->problem, key, "too_many", p);
			return -1;
		}
		flt->vals = ARENA_NEW_ARRAY(op->arena, struct value, count);
		const char *p = val;
		for (;;) {
			const char *c = strchr(p, ',');
			size_t len = c ? (size_t)(c - p) : strlen(p);
			if (filter_value(op, f, p, len, &flt->vals[flt->n_vals], key))
				return -1;
			flt->n_vals++;
			if (!c)
				break;
			p = c + 1;
		}
		return 0;
	}
	default:
		flt->vals = ARENA_NEW(op->arena, struct value);
		flt->n_vals = 1;
		return filter_value(op, f, val, n, flt->vals, key);
	}
}

/* Cursors are base64url JSON: {"f":sort field,"d":descending,"n":in NULL part,"v":value,"i":id}. */
static const char *cursor_encode(struct arena *a, const struct list_query *q,
                                 const struct cursor *c)
{
	struct str j = STR_INIT;
	str_adds(&j, "{\"f\":");
	str_add_jsons(&j, q->sort->name);
	str_addf(&j, ",\"d\":%d,\"n\":%d,\"i\":", q->desc, c->in_nulls);
	str_add_int(&j, c->id);
	str_adds(&j, ",\"v\":");
	if (c->v.kind == V_INT)
		str_add_int(&j, c->v.i);
	else if (c->v.kind == V_TEXT)
		str_add_json(&j, c->v.s, c->v.n);
	else
		str_adds(&j, "null");
	str_addc(&j, '}');
	size_t len = sodium_base64_encoded_len(j.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = arena_alloc(a, len);
	sodium_bin2base64(out, len, (const unsigned char *)j.buf, j.len,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	str_release(&j);
	return out;
}

static int cursor_decode(struct op *op, struct list_query *q, const char *s)
{
	size_t n = strlen(s), len = 0;
	if (n == 0 || n > 4096)
		goto bad;
	unsigned char *bin = arena_alloc(op->arena, n);
	if (sodium_base642bin(bin, n, s, n, NULL, &len, NULL,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		goto bad;
	json_t *j = json_loadb((const char *)bin, len, 0, NULL);
	if (!j)
		goto bad;
	const char *f = json_string_value(json_object_get(j, "f"));
	json_t *v = json_object_get(j, "v"), *i = json_object_get(j, "i");
	bool ok = f && strcmp(f, q->sort->name) == 0 && json_is_integer(i) &&
	          json_integer_value(json_object_get(j, "d")) == q->desc;
	if (ok) {
		struct cursor *c = &q->cursor;
		c->valid = true;
		c->in_nulls = json_integer_value(json_object_get(j, "n")) != 0;
		c->id = json_integer_value(i);
		if (json_is_integer(v)) {
			c->v.kind = V_INT;
			c->v.i = json_integer_value(v);
		} else if (json_is_string(v)) {
			c->v.kind = V_TEXT;
			c->v.s =
			    arena_strndup(op->arena, json_string_value(v), json_string_length(v));
			c->v.n = json_string_length(v);
		} else {
			c->v.kind = V_NULL;
		}
		ok = c->in_nulls == (c->v.kind == V_NULL);
	}
	json_decref(j);
	if (ok)
		return 0;
bad:
	problem_add(op->problem, "cursor", "invalid_cursor", NULL);
	return -1;
}

static int parse_fields(struct op *op, struct list_query *q, const char *val)
{
	size_t count = 1;
	for (const char *p = val; *p; p++)
		count += *p == ',';
	q->proj = ARENA_NEW_ARRAY(op->arena, const struct field *, count + 1);
	q->proj[q->n_proj++] = entity_field(q->e, "id");
	for (const char *p = val; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		const struct field *f = entity_field_n(q->e, p, len);
		if (!f || !field_visible(f)) {
			problem_add(
			    op->problem, "fields", "unknown_field",
			    (const char *[]){"name", arena_strndup(op->arena, p, len), NULL});
			return -1;
		}
		bool dup = false;
		for (size_t i = 0; i < q->n_proj; i++)
			dup |= q->proj[i] == f;
		if (!dup)
			q->proj[q->n_proj++] = f;
		if (!c)
			break;
		p = c + 1;
	}
	return 0;
}

void list_projection_all(struct arena *a, struct list_query *q)
{
	const struct entity *e = q->e;
	q->proj = ARENA_NEW_ARRAY(a, const struct field *, e->n_fields);
	for (size_t i = 0; i < e->n_fields; i++)
		if (field_visible(&e->fields[i]))
			q->proj[q->n_proj++] = &e->fields[i];
}

int list_parse(struct op *op, const struct kv *params, size_t n, const char *const *skip,
               struct list_query *q)
{
	const struct entity *e = op->e;
	const char *sort = NULL, *cursor = NULL, *search = NULL, *fields = NULL;
	memset(q, 0, sizeof *q);
	q->e = e;
	q->limit = LIST_DEFAULT_LIMIT;
	for (size_t i = 0; i < n; i++) {
		const char *k = params[i].key, *v = params[i].value;
		for (size_t j = 0; j < i; j++)
			if (strcmp(params[j].key, k) == 0) {
				problem_add(op->problem, k, "duplicate_parameter", NULL);
				goto next;
			}
		if (str_in_list(k, skip))
			continue;
		if (strcmp(k, "q") == 0) {
			search = v;
		} else if (strcmp(k, "sort") == 0) {
			sort = v;
		} else if (strcmp(k, "cursor") == 0) {
			cursor = v;
		} else if (strcmp(k, "fields") == 0) {
			fields = v;
		} else if (strcmp(k, "limit") == 0) {
			int64_t l;
			if (!parse_int64(v, strlen(v), &l) || l < 1 || l > LIST_MAX_LIMIT) {
				const char *p[] = {"min", "1", "max", "200", NULL};
				problem_add(op->problem, "limit", "out_of_range", p);
			} else {
				q->limit = (size_t)l;
			}
		} else if (strcmp(k, "total") == 0) {
			if (strcmp(v, "none") == 0)
				q->no_total = true;
			else if (strcmp(v, "auto") != 0)
				problem_add(op->problem, "total", "invalid_value", NULL);
		} else if (strcmp(k, "reveal") == 0) {
			if (strcmp(v, "true") == 0) {
				enum scope sc = access_scope(op, ACT_SENSITIVE);
				if (sc == SCOPE_NONE)
					return problem_set(op->problem, 403, "forbidden");
				q->reveal = sc == SCOPE_ALL ? LIST_REVEAL_ALL : LIST_REVEAL_ROW;
			} else if (strcmp(v, "false") != 0) {
				problem_add(op->problem, "reveal", "invalid_bool", NULL);
			}
		} else if (strcmp(k, "deleted") == 0) {
			if (strcmp(v, "true") == 0) {
				if (!op->admin)
					return problem_set(op->problem, 403, "forbidden");
				q->deleted = true;
			} else if (strcmp(v, "false") != 0) {
				problem_add(op->problem, "deleted", "invalid_bool", NULL);
			}
		} else if (!str_in_list(k, reserved)) {
			parse_filter(op, q, k, v);
		}
	next:;
	}
	if (search && *search) {
		if (!utf8_valid(search, strlen(search))) {
			problem_add(op->problem, "q", "invalid_utf8", NULL);
		} else if (!e->searchable) {
			problem_add(op->problem, "q", "unknown_parameter", NULL);
		} else {
			q->n_terms =
			    text_search_query(search, strlen(search), q->terms, SEARCH_MAX_TERMS);
			/* Keep the terms in the arena: a streamed export outlives this call. */
			for (size_t i = 0; i < q->n_terms; i++) {
				char *t = arena_strdup(op->arena, q->terms[i].token);
				free(q->terms[i].token);
				q->terms[i].token = t;
			}
		}
	}
	/* With a search and no explicit sort, newest first: cheap to serve from the index. */
	const char *s = sort && *sort ? sort : q->n_terms ? "-id" : e->default_sort;
	q->desc = s[0] == '-';
	const char *sname = q->desc || s[0] == '+' ? s + 1 : s;
	q->sort = entity_field(e, sname);
	if (!q->sort || !field_visible(q->sort)) {
		problem_add(op->problem, "sort", "unknown_field", NULL);
		q->sort = entity_field(e, "id");
	} else if (!field_sortable(q->sort)) {
		problem_add(op->problem, "sort", "unsortable_field", NULL);
	} else if (q->sort->flags & FF_SENSITIVE) {
		/* Not reached while the registry refuses indexes on sensitive fields: a keyset
		 * cursor would carry the value. */
		problem_add(op->problem, "sort", "forbidden_field", NULL);
	}
	if (fields && *fields)
		parse_fields(op, q, fields);
	else
		list_projection_all(op->arena, q);
	if (cursor && *cursor && !op->problem->n_errors)
		cursor_decode(op, q, cursor);
	if (op->problem->n_errors)
		return problem_set(op->problem, 400, "bad_request");
	return 0;
}

/* Whether the sort column can hold NULL (system columns that are always set cannot). */
static bool sort_nullable(const struct field *f)
{
	return !(f->flags & FF_SYSTEM) || strcmp(f->name, "owner_id") == 0 ||
	       strcmp(f->name, "org_unit_id") == 0 || strcmp(f->name, "deleted_at") == 0 ||
	       strcmp(f->name, "created_by") == 0 || strcmp(f->name, "updated_by") == 0;
}

/* SQLite with a search sorted by id: drive the query from the FTS index, in its own order. */
static bool fts_driven(struct op *op, const struct list_query *q)
{
	return q->n_terms && db_kind(op->db) == DB_SQLITE && strcmp(q->sort->name, "id") == 0;
}

static void add_from(struct op *op, const struct list_query *q, struct sqlq *s)
{
	if (fts_driven(op, q))
		sqlq_addf(s, " FROM \"%s_fts\" JOIN \"%s\" t ON t.\"id\" = \"%s_fts\".rowid",
		          q->e->name, q->e->name, q->e->name);
	else
		sqlq_addf(s, " FROM \"%s\" t", q->e->name);
}

static void add_filter(struct op *op, const struct filter *flt, struct sqlq *s)
{
	const char *c = flt->f->name;
	bool pg = db_kind(op->db) == DB_PG;
	static const char *const cmp[OP__MAX] = {
	    [OP_LT] = "<", [OP_LTE] = "<=", [OP_GT] = ">", [OP_GTE] = ">="};
	sqlq_add(s, " AND ");
	switch (flt->op) {
	case OP_EQ:
	case OP_IN:
		if (flt->f->type == FT_MULTIENUM) {
			/* Stored as ",a,b,": contains any of the keys. */
			sqlq_add(s, "(");
			for (size_t i = 0; i < flt->n_vals; i++) {
				sqlq_addf(s, "%st.\"%s\" LIKE ", i ? " OR " : "", c);
				const char *pat = arena_printf(op->arena, "%%,%.*s,%%",
				                               (int)flt->vals[i].n, flt->vals[i].s);
				sqlq_text(s, pat, strlen(pat));
			}
			sqlq_add(s, ")");
		} else if (flt->op == OP_EQ) {
			sqlq_addf(s, "t.\"%s\" = ", c);
			sqlq_value(s, &flt->vals[0]);
		} else {
			sqlq_addf(s, "t.\"%s\" IN (", c);
			for (size_t i = 0; i < flt->n_vals; i++) {
				if (i)
					sqlq_add(s, ", ");
				sqlq_value(s, &flt->vals[i]);
			}
			sqlq_add(s, ")");
		}
		return;
	case OP_NE:
		if (flt->f->type == FT_MULTIENUM) {
			sqlq_addf(s, "(t.\"%s\" IS NULL OR t.\"%s\" NOT LIKE ", c, c);
			const char *pat = arena_printf(op->arena, "%%,%.*s,%%", (int)flt->vals[0].n,
			                               flt->vals[0].s);
			sqlq_text(s, pat, strlen(pat));
			sqlq_add(s, ")");
		} else {
			/* Records without a value are "not equal" too. */
			sqlq_addf(s, pg ? "t.\"%s\" IS DISTINCT FROM " : "t.\"%s\" IS NOT ", c);
			sqlq_value(s, &flt->vals[0]);
		}
		return;
	case OP_LT:
	case OP_LTE:
	case OP_GT:
	case OP_GTE:
		sqlq_addf(s, "t.\"%s\" %s ", c, cmp[flt->op]);
		sqlq_value(s, &flt->vals[0]);
		return;
	case OP_LIKE:
		/* ILIKE on PostgreSQL matches SQLite's case-insensitive LIKE. */
		sqlq_addf(s, "t.\"%s\" %s ", c, pg ? "ILIKE" : "LIKE");
		sqlq_text(s, flt->pattern, strlen(flt->pattern));
		sqlq_add(s, " ESCAPE '\\'");
		return;
	case OP_NULL:
		sqlq_addf(s, "t.\"%s\" IS %s", c, flt->is_null ? "NULL" : "NOT NULL");
		return;
	case OP__MAX:
		break;
	}
}

/* Everything that selects rows, without the keyset position: what the caller may reach first. */
static int add_where(struct op *op, const struct list_query *q, struct sqlq *s, struct str *match,
                     enum list_use use)
{
	sqlq_addf(s, " WHERE t.\"deleted_at\" IS %s", q->deleted ? "NOT NULL" : "NULL");
	int rc = access_where_list(op, q->act, use, s);
	if (rc)
		return rc;
	if (q->parent_field) {
		sqlq_addf(s, " AND t.\"%s\" = ", q->parent_field->name);
		sqlq_int(s, q->parent_id);
	}
	for (size_t i = 0; i < q->n_filters; i++)
		add_filter(op, &q->filters[i], s);
	if (q->n_terms) {
		if (!match->len)
			search_match_arg(db_kind(op->db), q->terms, q->n_terms, match);
		const char *t = q->e->name;
		if (fts_driven(op, q))
			sqlq_addf(s, " AND \"%s_fts\" MATCH ", t);
		else if (db_kind(op->db) == DB_SQLITE)
			sqlq_addf(
			    s,
			    " AND t.\"id\" IN (SELECT rowid FROM \"%s_fts\" WHERE \"%s_fts\" MATCH ",
			    t, t);
		else
			sqlq_add(
			    s, " AND array_to_tsvector(string_to_array(t.\"search_tokens\", ' ')) "
			       "@@ CAST(");
		sqlq_text(s, match->buf, match->len);
		if (db_kind(op->db) == DB_PG)
			sqlq_add(s, " AS tsquery)");
		else if (!fts_driven(op, q))
			sqlq_add(s, ")");
	}
	return DB_OK;
}

/* Total: exact up to the cap, from the maintained row count when nothing filters. */
static int list_total(struct op *op, const struct list_query *q, int64_t *total, bool *exact)
{
	int rc;
	bool all = access_scope(op, q->act) == SCOPE_ALL && !op->pool_view;
	if (!q->n_filters && !q->n_terms && !q->deleted && !q->parent_field && all) {
		const char *p[] = {q->e->name};
		*total = 0;
		rc = db_query_int(op->db,
		                  "SELECT live_rows FROM sys_row_counts WHERE table_name = ?", 1, p,
		                  total);
		*exact = true;
		return rc;
	}
	struct sqlq s;
	struct str match = STR_INIT;
	sqlq_init(&s);
	rc = DB_OK;
	if (q->n_terms && !q->n_filters && !q->deleted && !q->parent_field && all &&
	    db_kind(op->db) == DB_SQLITE) {
		/* The FTS index holds live records only: a bare search counts index entries. */
		search_match_arg(DB_SQLITE, q->terms, q->n_terms, &match);
		sqlq_addf(&s,
		          "SELECT count(*) FROM (SELECT 1 FROM \"%s_fts\" WHERE \"%s_fts\" MATCH ",
		          q->e->name, q->e->name);
		sqlq_text(&s, match.buf, match.len);
	} else {
		sqlq_add(&s, "SELECT count(*) FROM (SELECT 1");
		add_from(op, q, &s);
		rc = add_where(op, q, &s, &match, LIST_COUNT);
	}
	/* Limits are written into the statement, not bound: a planner that knows the limit
	 * plans for a few rows (an index walk) where a parameter can make it plan for all. They
	 * are numbers from the server, never text from the request. */
	sqlq_addf(&s, " LIMIT %ld", op->count_cap + 1);
	sqlq_add(&s, ") x");
	struct db_stmt *st;
	if (!rc)
		rc = sqlq_prepare(op->db, &s, &st);
	if (!rc) {
		rc = db_step(st);
		if (rc == DB_ROW) {
			*total = db_column_int(st, 0);
			rc = DB_OK;
		}
		db_reset(st);
	}
	*exact = *total <= op->count_cap;
	if (!*exact)
		*total = op->count_cap;
	sqlq_release(&s);
	str_release(&match);
	return rc;
}

struct fetch_state {
	struct list_query *q;
	int *cols;
	int sort_col;
	size_t want, given;
	bool more;
	list_row_fn fn;
	void *ctx;
	struct arena *arena;
};

void list_columns(const struct list_query *q, struct sqlq *s, int *cols, const char *prefix)
{
	int col = 0;
	for (size_t i = 0; i < q->n_proj; i++) {
		const struct field *f = q->proj[i];
		if (i)
			sqlq_add(s, ", ");
		sqlq_field(s, prefix, f);
		cols[i] = col;
		col += field_columns(f);
	}
}

/* The SELECT list: the projection (id first), the sort column if not shown, and whether a row's
 * sensitive fields may be revealed when that depends on the row. */
static int select_list(struct op *op, struct list_query *q, struct sqlq *s, int *cols,
                       int *sort_col)
{
	sqlq_add(s, "SELECT ");
	list_columns(q, s, cols, "t.");
	*sort_col = -1;
	int col = 0;
	for (size_t i = 0; i < q->n_proj; i++) {
		if (q->proj[i] == q->sort)
			*sort_col = cols[i];
		col = cols[i] + field_columns(q->proj[i]);
	}
	if (*sort_col < 0) {
		sqlq_addf(s, ", t.\"%s\"", q->sort->name);
		*sort_col = col++;
	}
	if (q->reveal == LIST_REVEAL_ROW) {
		sqlq_add(s, ", CASE WHEN ");
		int rc = access_cond(op, ACT_SENSITIVE, s);
		if (rc)
			return rc;
		sqlq_add(s, " THEN 1 ELSE 0 END");
		q->reveal_col = col;
	}
	return DB_OK;
}

/*
 * The order of a list is walked in parts, each one query that an index serves by seeking and
 * scanning, never by skipping rows: rows whose sort value is NULL; the rows tied with the
 * cursor's value (the rest of them, by id); the rows after the cursor's value; or a whole part
 * when there is no cursor in it. (A row-value comparison (sort, id) < (v, i) would be one
 * query, but SQLite seeks on its first column only and then steps through every tie.)
 */
enum part { PART_ALL, PART_AFTER_ID, PART_NULLS, PART_NULLS_AFTER, PART_TIES, PART_AFTER_VALUE };

/*
 * The rows a part asks for: one more than still wanted, to know whether more follow. A first
 * part asks for exactly that (the page size, of which clients use few); a later part's remainder
 * can be any number, so it is rounded up to a power of two to keep the number of distinct
 * statements, each cached, small. Rows beyond the page are read and left.
 */
static size_t part_limit(const struct fetch_state *fs)
{
	size_t n = fs->want - fs->given + 1;
	if (fs->given == 0)
		return n;
	size_t p = 1;
	while (p < n)
		p *= 2;
	return p;
}

static int fetch_part(struct op *op, struct fetch_state *fs, enum part part)
{
	struct list_query *q = fs->q;
	struct sqlq s;
	struct str match = STR_INIT;
	sqlq_init(&s);
	int rc = select_list(op, q, &s, fs->cols, &fs->sort_col);
	add_from(op, q, &s);
	if (!rc)
		rc = add_where(op, q, &s, &match, LIST_PAGE);
	if (rc)
		goto out;
	const char *sc = q->sort->name, *dir = q->desc ? "DESC" : "ASC";
	const char *beyond = q->desc ? "<" : ">";
	bool by_id = strcmp(sc, "id") == 0;
	/* In the FTS-driven form the order and keyset use the FTS rowid, which it serves. */
	char idcol[96];
	if (fts_driven(op, q))
		snprintf(idcol, sizeof idcol, "\"%s_fts\".rowid", q->e->name);
	else
		snprintf(idcol, sizeof idcol, "t.\"id\"");
	bool order_by_id =
	    by_id || part == PART_NULLS || part == PART_NULLS_AFTER || part == PART_TIES;
	switch (part) {
	case PART_ALL:
		if (!by_id && sort_nullable(q->sort))
			sqlq_addf(&s, " AND t.\"%s\" IS NOT NULL", sc);
		break;
	case PART_AFTER_ID:
		sqlq_addf(&s, " AND %s %s ", idcol, beyond);
		sqlq_int(&s, q->cursor.id);
		break;
	case PART_NULLS:
		sqlq_addf(&s, " AND t.\"%s\" IS NULL", sc);
		break;
	case PART_NULLS_AFTER:
		sqlq_addf(&s, " AND t.\"%s\" IS NULL AND t.\"id\" %s ", sc, beyond);
		sqlq_int(&s, q->cursor.id);
		break;
	case PART_TIES:
		sqlq_addf(&s, " AND t.\"%s\" = ", sc);
		sqlq_value(&s, &q->cursor.v);
		sqlq_addf(&s, " AND t.\"id\" %s ", beyond);
		sqlq_int(&s, q->cursor.id);
		break;
	case PART_AFTER_VALUE:
		sqlq_addf(&s, " AND t.\"%s\" %s ", sc, beyond);
		sqlq_value(&s, &q->cursor.v);
		break;
	}
	if (order_by_id)
		sqlq_addf(&s, " ORDER BY %s %s", by_id ? idcol : "t.\"id\"", dir);
	else
		sqlq_addf(&s, " ORDER BY t.\"%s\" %s, t.\"id\" %s", sc, dir, dir);
	sqlq_addf(&s, " LIMIT %zu", part_limit(fs)); /* a literal: see list_total() */

	struct db_stmt *st;
	rc = sqlq_prepare(op->db, &s, &st);
	if (rc)
		goto out;
	while ((rc = db_step(st)) == DB_ROW) {
		if (fs->given == fs->want) {
			fs->more = true;
			break;
		}
		if ((rc = fs->fn(fs->ctx, st, fs->cols)))
			break;
		fs->given++;
		struct cursor *c = &q->cursor;
		int col = fs->sort_col;
		struct value v;
		value_from_column(q->sort, st, &col, &v);
		c->valid = true;
		c->in_nulls = v.kind == V_NULL;
		c->id = db_column_int(st, 0);
		c->v = v;
		if (v.kind == V_TEXT) {
			c->v.s = arena_strndup(fs->arena, v.s, v.n);
			c->v.currency = NULL;
		}
	}
	db_reset(st);
	if (rc == DB_ROW || rc == DB_DONE)
		rc = DB_OK;
out:
	sqlq_release(&s);
	str_release(&match);
	return rc;
}

/* The parts still to walk, in order, given where the cursor stands. */
static size_t plan_parts(const struct list_query *q, enum part parts[3])
{
	size_t n = 0;
	const struct cursor *c = &q->cursor;
	if (strcmp(q->sort->name, "id") == 0) {
		parts[n++] = c->valid ? PART_AFTER_ID : PART_ALL;
		return n;
	}
	bool nullable = sort_nullable(q->sort);
	/* NULLs come first ascending (as SQLite orders them) and last descending. */
	bool nulls_first = nullable && !q->desc, nulls_last = nullable && q->desc;
	if (nulls_first && (!c->valid || c->in_nulls))
		parts[n++] = c->valid ? PART_NULLS_AFTER : PART_NULLS;
	if (!c->valid || !c->in_nulls) {
		if (c->valid) {
			parts[n++] = PART_TIES;
			parts[n++] = PART_AFTER_VALUE;
		} else {
			parts[n++] = PART_ALL;
		}
	} else if (nulls_first) {
		parts[n++] = PART_ALL; /* past the NULLs, all the values */
	}
	if (nulls_last)
		parts[n++] = c->valid && c->in_nulls ? PART_NULLS_AFTER : PART_NULLS;
	return n;
}

int list_fetch(struct op *op, struct list_query *q, size_t want, list_row_fn fn, void *ctx,
               bool *more)
{
	struct fetch_state fs = {.q = q, .want = want, .fn = fn, .ctx = ctx, .arena = op->arena};
	fs.cols = ARENA_NEW_ARRAY(op->arena, int, q->n_proj + 1);
	/* The id must be column 0 for the cursor; the projection always starts with it. */
	if (q->n_proj == 0 || strcmp(q->proj[0]->name, "id") != 0)
		BUG("projection must start with id");
	enum part parts[4];
	size_t n = plan_parts(q, parts);
	int rc = DB_OK;
	/* Parts are planned from where the cursor stood before this call: the first part that
	 * gives rows moves it. A part that comes up empty simply passes to the next. Once the page
	 * is full, the following parts are only asked whether they have a row (LIMIT 1). */
	for (size_t i = 0; i < n && !rc && !fs.more; i++)
		rc = fetch_part(op, &fs, parts[i]);
	*more = fs.more;
	return rc;
}

bool list_field_masked(const struct list_query *q, struct db_stmt *st, const struct field *f)
{
	if (!(f->flags & FF_SENSITIVE) || q->reveal == LIST_REVEAL_ALL)
		return false;
	return q->reveal == LIST_REVEAL_NONE || db_column_int(st, q->reveal_col) == 0;
}

void list_row_json(const struct list_query *q, struct db_stmt *st, const int *cols, struct str *out)
{
	str_addc(out, '{');
	for (size_t i = 0; i < q->n_proj; i++) {
		const struct field *f = q->proj[i];
		if (i)
			str_addc(out, ',');
		str_addc(out, '"');
		str_adds(out, f->name);
		str_add(out, "\":", 2);
		int col = cols[i];
		struct value v;
		value_from_column(f, st, &col, &v);
		if (list_field_masked(q, st, f))
			access_mask_json(f, &v, out);
		else
			value_to_json(out, f, &v);
	}
	str_addc(out, '}');
}

struct page_ctx {
	const struct list_query *q;
	struct str *out;
	size_t n;
};

static int page_row(void *ctx, struct db_stmt *st, const int *cols)
{
	struct page_ctx *pc = ctx;
	if (pc->n++)
		str_addc(pc->out, ',');
	list_row_json(pc->q, st, cols, pc->out);
	return 0;
}

int list_page(struct op *op, struct list_query *q, struct str *out)
{
	struct page_ctx pc = {.q = q, .out = out};
	bool more = false;
	str_adds(out, "{\"data\":[");
	int rc = list_fetch(op, q, q->limit, page_row, &pc, &more);
	if (rc)
		return rc;
	str_adds(out, "],\"next_cursor\":");
	if (more)
		str_add_jsons(out, cursor_encode(op->arena, q, &q->cursor));
	else
		str_adds(out, "null");
	if (!q->no_total) {
		int64_t total = 0;
		bool exact = true;
		if ((rc = list_total(op, q, &total, &exact)))
			return rc;
		str_adds(out, ",\"total\":");
		str_add_int(out, total);
		str_adds(out, exact ? ",\"total_exact\":true" : ",\"total_exact\":false");
	}
	str_addc(out, '}');
	return 0;
}
