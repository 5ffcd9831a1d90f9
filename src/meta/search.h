/*
 * Full-text search over an entity's searchable fields (docs/internals/SEARCH.md).
 * Tokens (CJK bigrams and words, core/text.h) are computed at write time into the
 * search_tokens column, indexed by FTS5 in SQLite and by a GIN index over a tsvector in
 * PostgreSQL; a query is the AND of its terms.
 */
#ifndef SEXTANT_SEARCH_H
#define SEXTANT_SEARCH_H

#include "registry.h"
#include "value.h"
#include "core/str.h"
#include "core/text.h"

#define SEARCH_MAX_TERMS 16

/* Tokens of a record; vals is indexed by field position. */
void search_tokens_build(const struct entity *e, const struct value *vals, struct str *out);
/* Names of the searchable fields, comma-separated: when it changes, rows are re-tokenised. */
void search_signature(const struct entity *e, struct str *out);
/* The match argument for the dialect: an FTS5 query or a tsquery text. */
void search_match_arg(enum db_kind kind, const struct search_term *terms, size_t n,
                      struct str *out);
/* Recompute search_tokens of every row (after the searchable fields changed). */
int search_reindex(struct db *db, const struct entity *e);

/*
 * The FTS5 index (SQLite; PostgreSQL's GIN index follows the column by itself, so these do
 * nothing there). Called in the transaction that writes the row.
 */
int search_index_add(struct db *db, const struct entity *e, const int64_t *ids, char *const *tokens,
                     size_t n);
int search_index_remove(struct db *db, const struct entity *e, int64_t id, const char *old,
                        size_t old_n);
int search_index_change(struct db *db, const struct entity *e, int64_t id, const char *old,
                        size_t old_n, const char *new);
/* Build the FTS5 index again from the table's live rows. Soft-deleted records are not in
 * the index: delete removes them, restore adds them back. */
int search_index_rebuild(struct db *db, const struct entity *e);

#endif
