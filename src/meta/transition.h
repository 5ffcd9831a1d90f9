/*
 * The process engine: a record's transitions (meta/process.h) fired, checked and carried out in
 * one transaction — the record changed through the generic update (validation, audit,
 * webhooks), a row in process_history, and the people the transition names told.
 */
#ifndef SEXTANT_TRANSITION_H
#define SEXTANT_TRANSITION_H

#include "crud.h"
#include "op.h"

#include <jansson.h>

/*
 * Fire transition key on record id of op->e, with fields (an object of values the caller sets,
 * may be NULL) and a comment (may be NULL). 200 with the record in out, or -1 with the problem:
 * 404 (no such record, process or transition), 409 illegal_transition (not from this state),
 * 403 transition_forbidden (not for this user), 409 guard_failed, 422 (required fields, bad
 * values); the last three list the transitions the caller may fire now (extra "allowed").
 */
int process_fire(struct op *op, int64_t id, const char *key, const json_t *fields,
                 const char *comment, int64_t if_match, struct str *out, struct crud_result *res);

/* {"process":{"key","label"},"state","transitions":[{"key","label","to","require","allowed"}],
 *  "history":[…]} of record id; 404 if it follows no process or cannot be read. */
int process_state_json(struct op *op, int64_t id, struct str *out);

#endif
