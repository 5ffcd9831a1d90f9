/*
 * Lists of an entity: filters, full-text search, sort, keyset cursors and totals
 * (docs/internals/LISTS.md). The same parsed query serves the list API, related lists and
 * exports.
 */
#ifndef SEXTANT_QUERY_H
#define SEXTANT_QUERY_H

#include "op.h"
#include "search.h"
#include "sqlq.h"
#include "value.h"

enum filter_op { OP_EQ, OP_NE, OP_LT, OP_LTE, OP_GT, OP_GTE, OP_IN, OP_LIKE, OP_NULL, OP__MAX };

#define LIST_MAX_FILTERS   32
#define LIST_MAX_IN        100
#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT     200

struct filter {
	const struct field *f;
	enum filter_op op;
	struct value *vals;
	size_t n_vals;
	bool is_null;        /* OP_NULL */
	const char *pattern; /* OP_LIKE: the SQL pattern */
};

/* Where the next page starts: after (value, id) in sort order, in the NULL or non-NULL part. */
struct cursor {
	bool valid;
	bool in_nulls;
	struct value v;
	int64_t id;
};

/*
 * Sensitive fields are masked in every list unless the caller asked to see them (reveal=true)
 * and may: in every row, or in the rows within their scope for sensitive fields.
 */
enum list_reveal { LIST_REVEAL_NONE, LIST_REVEAL_ALL, LIST_REVEAL_ROW };

struct list_query {
	const struct entity *e;
	struct filter filters[LIST_MAX_FILTERS];
	size_t n_filters;
	struct search_term terms[SEARCH_MAX_TERMS];
	size_t n_terms;
	const struct field *sort;
	bool desc;
	size_t limit;
	struct cursor cursor;
	const struct field **proj; /* fields to show, in order */
	size_t n_proj;
	bool no_total;
	bool deleted;                     /* list soft-deleted records (administrators) */
	enum action act;                  /* what the rows are for: read (lists), export */
	enum list_reveal reveal;          /* sensitive fields: masked unless revealed */
	int reveal_col;                   /* LIST_REVEAL_ROW: the column telling it per row */
	const struct field *parent_field; /* related list: parent_field = parent_id */
	int64_t parent_id;
};

/* Parameters a list understands besides filters; exports add their own. */
enum list_allow { LA_PAGE = 1, LA_EXPORT = 2 };

/*
 * Parse query parameters into q. Unknown parameters, fields and operators, and values of the
 * wrong type, are problems (400). Parameters named in `skip` (NULL-terminated) are left to the
 * caller.
 */
int list_parse(struct op *op, const struct kv *params, size_t n, const char *const *skip,
               struct list_query *q);

/* One page as {"data":[…],"next_cursor":…,"total":…,"total_exact":…}. */
int list_page(struct op *op, struct list_query *q, struct str *out);

/* Called for each row of list_fetch(); cols[i] is the first column of q->proj[i]. */
typedef int (*list_row_fn)(void *ctx, struct db_stmt *st, const int *cols);
/*
 * Up to `want` rows after q's cursor, in q's order; the cursor moves past the last row given.
 * *more tells whether rows remain.
 */
int list_fetch(struct op *op, struct list_query *q, size_t want, list_row_fn fn, void *ctx,
               bool *more);

/* Show every visible field (what a list shows without fields=). */
void list_projection_all(struct arena *a, struct list_query *q);
/* Append the projection's columns ("t.a, t.b" with prefix "t.") to s; cols[i] gets
 * q->proj[i]'s first column. */
void list_columns(const struct list_query *q, struct sqlq *s, int *cols, const char *prefix);
/* Whether a projected field shows as masked in this row. */
bool list_field_masked(const struct list_query *q, struct db_stmt *st, const struct field *f);
/* Render one row's projected fields as a JSON object. */
void list_row_json(const struct list_query *q, struct db_stmt *st, const int *cols,
                   struct str *out);

extern const char *const filter_op_names[OP__MAX];
/* Whether a filter on f may use op (LIKE on text, ranges on ordered types …). */
bool filter_op_allowed(const struct field *f, enum filter_op op);

#endif
