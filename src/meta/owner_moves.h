/*
 * Owner changes of a pooled entity's records (customers, C-POOL). Every change of owner — a
 * claim from the pool, a return to it, a release, an assignment, a handover — goes through the
 * generic update, which calls these: the record's clocks are set (owned_since, pool_entered_at,
 * pool_warned_at) and the move is added to table customer_moves, in the update's transaction.
 */
#ifndef SEXTANT_OWNER_MOVES_H
#define SEXTANT_OWNER_MOVES_H

#include "op.h"
#include "value.h"

/*
 * Before the update is written: if next changes the owner of a pooled record, set the clocks
 * in next and mark them in changed. Whether it does, in *moving.
 */
void owner_moves_prepare(struct op *op, const struct value *cur, struct value *next, bool *changed,
                         bool *moving);

/* After it is written: the move (op->move_action, op->move_reason) of record id. A DB_ code. */
int owner_moves_record(struct op *op, int64_t id, const struct value *cur,
                       const struct value *next);

/* A move that changes no owner (the pool job's warning). A DB_ code. */
int owner_moves_add(struct db *db, int64_t customer_id, const char *action, int64_t from,
                    int64_t to, int64_t by, const char *reason);

#endif
