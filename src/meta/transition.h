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

/* The same inside the caller's transaction, which it never ends (an approval's outcome fires its
 * transition in the transaction of the decision). */
int process_fire_in_tx(struct op *op, int64_t id, const char *key, const json_t *fields,
                       const char *comment, int64_t if_match, struct str *out,
                       struct crud_result *res);

/* {"process":{"key","label"},"state","transitions":[{"key","label","to","require","allowed"}],
 *  "history":[…]} of record id; 404 if it follows no process or cannot be read. */
int process_state_json(struct op *op, int64_t id, struct str *out);

/* Shared with meta/approval.c: a user field's id in a record as the API shows it (0 if none);
 * whether a condition holds on such a record; a user's superior (0 if none); a record's title
 * and a user's name as notices show them ("" if none, in op's arena). */
struct guard;
int64_t record_user(json_t *rec, const char *field);
bool guard_holds(const struct guard *g, json_t *rec);
int64_t superior_of(struct op *op, int64_t user);
const char *record_title(struct op *op, json_t *rec);
/* Record id of e's title as stored ("" if none, in op's arena), for lists that name records they
 * only know by id (approval tasks, comments' notices). */
const char *record_title_of(struct op *op, const struct entity *e, int64_t id);
/* The users rule r names on record rec, into ids (*count, at most max): the owner, the owner's
 * superior, the actor, a user field's user, a named user, or a role's active members. A DB_
 * code. */
struct person_rule;
int person_users(struct op *op, const struct person_rule *r, json_t *rec, int64_t *ids, size_t max,
                 size_t *count);
const char *user_name(struct op *op, int64_t user);

#endif
