/*
 * Tables, columns and indexes from the metadata (docs/internals/METADATA.md).
 *
 * ddl_sync() brings the database to what the registry declares, additively: it creates missing
 * tables, adds missing columns, creates missing indexes and drops indexes of ours that the model
 * no longer has. It never drops a column or changes a column's type; a removed field keeps its
 * data.
 */
#ifndef SEXTANT_DDL_H
#define SEXTANT_DDL_H

#include "registry.h"
#include "core/str.h"

/* In one transaction, under the migration lock. */
int ddl_sync(struct db *db, const struct registry *r);
/* Add one field's column(s) and index(es) (inside the caller's transaction). */
int ddl_add_field(struct db *db, const struct entity *e, const struct field *f);
/* Create and drop indexes so they match the entity (inside the caller's transaction). */
int ddl_sync_indexes(struct db *db, const struct entity *e);
/*
 * Keep search_tokens and the FTS5 index in step with the entity's searchable fields: when their
 * set has changed, re-tokenise every row if reindex (a field's data left or came), or only
 * record the new set (a new field has no data yet).
 */
int ddl_sync_search(struct db *db, const struct entity *e, bool reindex);
/* The statements that create an entity from nothing, for the golden tests and docs. */
void ddl_create_sql(enum db_kind kind, const struct entity *e, struct str *out);

#endif
