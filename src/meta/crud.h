/*
 * The generic record operations every entity gets: get, create, update, soft delete, restore
 * and bulk update (docs/internals/CRUD.md). Each write validates everything first, then
 * changes the record, its audit row, the live-row count and (for creates with an
 * Idempotency-Key) the stored response in one transaction: a failure changes nothing.
 *
 * Functions return an HTTP status (200, 201, 204) or -1 with op->problem set; a database
 * fault returns -2 and is logged.
 */
#ifndef SEXTANT_CRUD_H
#define SEXTANT_CRUD_H

#include "op.h"
#include "value.h"
#include "core/str.h"

#include <jansson.h>

#define CRUD_FAULT    (-2)
#define CRUD_BULK_MAX 1000

/* A create retried with the same Idempotency-Key returns the first result. */
struct idempotency {
	const char *key;          /* NULL: none */
	const char *request_hash; /* hex SHA-256 of method, path and body */
};

struct crud_result {
	int64_t id;
	int64_t version;
	bool replayed; /* an idempotent retry answered from storage */
};

int crud_get(struct op *op, int64_t id, bool deleted, struct str *out, struct crud_result *res);
int crud_create(struct op *op, const json_t *body, const struct idempotency *idem, struct str *out,
                struct crud_result *res);
/* crud_create inside the caller's transaction (which it never ends), without idempotency:
 * the process engine's tasks. */
int crud_create_in_tx(struct op *op, const json_t *body, struct str *out, struct crud_result *res);
/* crud_update inside the caller's transaction (which it never ends): the process engine's. */
int crud_update_in_tx(struct op *op, int64_t id, const json_t *body, int64_t if_match,
                      struct str *out, struct crud_result *res);
/* if_match < 0: no precondition. A stale version is a 409 whose body has the current record. */
int crud_update(struct op *op, int64_t id, const json_t *body, int64_t if_match, struct str *out,
                struct crud_result *res);
int crud_delete(struct op *op, int64_t id, int64_t if_match);
/* crud_delete inside the caller's transaction (which it never ends): a merge's. */
int crud_delete_in_tx(struct op *op, int64_t id, int64_t if_match);
int crud_restore(struct op *op, int64_t id, struct str *out, struct crud_result *res);
/* {"ids": [...], "field": "...", "value": ...}: all or nothing. */
int crud_bulk_update(struct op *op, const json_t *body, struct str *out);
/* {"ids":[…]}: soft-delete them all or none, each checked and audited as a delete. */
int crud_bulk_delete(struct op *op, const json_t *body, struct str *out);

/* Keep sys_row_counts in step with live records (inside the writer's transaction). */
int crud_bump_count(struct op *op, int64_t delta);
/* Append "field":[old,new] to an audit changes object being built ('{' added first). */
void crud_changes_add(struct str *c, const struct field *f, const struct value *old,
                      const struct value *new);
/* Map a database error to a problem (or a fault); used by every writer. */
int crud_db_error(struct op *op, int rc, const char *what);

#endif
