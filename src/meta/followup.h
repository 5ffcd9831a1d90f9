/*
 * Follow-up clocks (C-POOL, CT-1): a record of an entity whose timeline says "followup" (an
 * activity), once its time has come, moves its customer's last_followup_at and its contact's
 * last_contacted_at forward — never back, so an old record entered late changes nothing. They
 * are derived values: written without a version, an audit row or webhooks of their own, inside
 * the transaction of the record that moved them.
 */
#ifndef SEXTANT_FOLLOWUP_H
#define SEXTANT_FOLLOWUP_H

#include "registry.h"
#include "value.h"
#include "db/db.h"

/* After a create (or an update that changed the time, customer or contact) of a record of e
 * with values vals. Nothing for an entity that is not a follow-up. A DB_ code. */
int followup_touch(struct db *db, const struct entity *e, const struct value *vals);

/* Whether an update that changed these fields (by position) needs followup_touch. */
bool followup_changed(const struct entity *e, const bool *changed);

#endif
