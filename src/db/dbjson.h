/*
 * Columns of a result row written as JSON values in the API's form, whichever database stored
 * them (the answers built outside the generic engine: sessions, tokens, users, units, roles…).
 */
#ifndef SEXTANT_DBJSON_H
#define SEXTANT_DBJSON_H

#include "db.h"
#include "core/str.h"

/* A timestamp as ISO 8601 UTC; null if NULL. */
void json_add_time_column(struct str *out, struct db_stmt *st, int col);
/* Text, or null. */
void json_add_text_column(struct str *out, struct db_stmt *st, int col);
/* An integer (an id), or null. */
void json_add_int_column(struct str *out, struct db_stmt *st, int col);
/* Run a prepared statement and write the text of column 0 of every row as a JSON array. */
int json_add_text_rows(struct db_stmt *st, struct str *out);

/*
 * The current row as a JSON object, its members described by spec: comma-separated
 * "<kind><name>" for each column in order, kind i (integer), t (text), T (timestamp), b
 * (boolean) or j (text holding JSON, written as is; null if NULL or empty). E.g.
 * "iid,tname,Tcreated_at,bactive".
 */
void json_add_row(struct str *out, struct db_stmt *st, const char *spec);
/* Every row of a prepared statement as json_add_row objects, in a JSON array; resets st. */
int json_add_rows(struct db_stmt *st, const char *spec, struct str *out);

#endif
