/*
 * The audit trail: who changed what, when, with each changed field's old and new value,
 * written in the same transaction as the change itself.
 */
#ifndef SEXTANT_AUDIT_H
#define SEXTANT_AUDIT_H

#include "op.h"

/* changes: a JSON object {"field": [old, new], …} or NULL. */
int audit_write(struct op *op, const char *action, const char *entity, int64_t record_id,
                const char *changes);
/* Many rows at once (imports): one statement per batch. */
int audit_write_many(struct op *op, const char *action, const char *entity, const int64_t *ids,
                     char *const *changes, size_t n);
/*
 * GET /api/v1/audit: filters entity, record_id, user_id, action; keyset by id, newest first;
 * each entry with its user's username and display name. Returns 200, or -1/-2 like crud.h.
 */
int audit_list(struct op *op, const struct kv *params, size_t n, struct str *out);
/*
 * GET /api/v1/{entity}/{id}/history: the same entries for one record of op->e (the caller has
 * checked that they may read it), paged by cursor and limit alone; changes of creates and
 * updates as {"field":{"old","new"}}; the addresses and browsers only for administrators.
 */
int audit_history(struct op *op, int64_t record_id, const struct kv *params, size_t n,
                  struct str *out);
/*
 * GET /api/v1/audit/export: the same filters (no paging) as CSV, newest first, at most
 * AUDIT_EXPORT_MAX rows (more: 422 naming "from", to narrow the time range).
 */
#define AUDIT_EXPORT_MAX 100000
int audit_export_csv(struct op *op, const struct kv *params, size_t n, struct str *out);

#endif
