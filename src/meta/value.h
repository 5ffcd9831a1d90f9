/*
 * Field values in their canonical form: what is bound to SQL, compared for changes and audited.
 * Every way a value comes in (JSON body, query-string filter, CSV cell) is checked here against
 * the field's type, and every way it goes out (JSON, CSV, database parameter) starts here.
 */
#ifndef SEXTANT_VALUE_H
#define SEXTANT_VALUE_H

#include "registry.h"
#include "core/str.h"
#include "core/timeutil.h"

#include <jansson.h>

enum value_kind { V_NULL, V_INT, V_TEXT };

struct value {
	enum value_kind kind;
	int64_t i;     /* V_INT: integers, booleans (0/1), money and decimals (scaled) */
	const char *s; /* V_TEXT; not owned: arena, statement column or buf */
	size_t n;
	const char *currency; /* money only */
	char buf[TIME_ISO_LEN];
};

/* Why a value was refused: a message code of the catalogue plus its parameters. */
struct verr {
	const char *code;
	const char *params[5]; /* name, value pairs, NULL-terminated */
};

/* Where a text value comes from: a JSON string, a query-string filter, or a CSV cell. */
enum text_source { TS_JSON, TS_FILTER, TS_CSV };

/* A JSON value from a request body; text is copied into the arena. 0 or -1 with *e set. */
int value_from_json(struct arena *a, const struct field *f, const json_t *j, struct value *v,
                    struct verr *e);
/*
 * A text value. TS_FILTER: money is whole fen, booleans true/false/1/0, enums by key.
 * TS_CSV: also money in yuan ("1234.50"), booleans 是/否, enums and booleans by their label in
 * either language. Empty text is NULL.
 */
int value_from_text(struct arena *a, const struct field *f, const char *s, size_t n,
                    enum text_source src, struct value *v, struct verr *e);

/* Read a field's column(s) starting at *col (money uses two), advancing *col. */
void value_from_column(const struct field *f, struct db_stmt *st, int *col, struct value *v);
/* Bind a field's value at parameter *idx (money uses two), advancing *idx. */
void value_bind(struct db_stmt *st, int *idx, const struct field *f, const struct value *v);
/* Number of columns a field occupies (money: amount and currency). */
int field_columns(const struct field *f);

void value_to_json(struct str *out, const struct field *f, const struct value *v);
/* Text for a CSV/XLSX cell, in people's terms: labels for enums, yuan for money. */
void value_to_text(struct str *out, const struct field *f, const struct value *v, enum lang lang);
bool value_equal(const struct field *f, const struct value *a, const struct value *b);

/* The default value for a field (from the schema's "default"), if it has one. */
bool value_default(struct arena *a, const struct field *f, struct value *v);

/* Largest integer exchanged: JavaScript clients lose precision beyond 2^53. */
#define VALUE_INT_LIMIT 9007199254740991LL

#endif
