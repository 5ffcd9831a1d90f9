/*
 * Webhook subscriptions meeting record changes: when a record of an entity is created,
 * updated, deleted or restored, every active subscription to that entity and event gets a
 * call queued in the outbox, in the transaction of the change (services/outbox.h). The call
 * says what happened and what changed; the receiver reads the rest with an API token.
 */
#ifndef SEXTANT_WEBHOOK_EVENTS_H
#define SEXTANT_WEBHOOK_EVENTS_H

#include "meta/op.h"

#include <jansson.h>

#include <stdint.h>

/* The events a subscription may name. */
extern const char *const webhook_event_names[]; /* "created", "updated", "deleted", "restored" */

/*
 * Queue the calls for a change of record id of op->e by op->user_id: action is one of the event
 * names; changes the audit's {"field":[old,new]} or NULL. Inside the caller's transaction. A
 * DB_ code.
 */
int webhook_events_record(struct op *op, const char *action, int64_t id, const char *changes);

/* The body of a call for subscription `hook` of `kind`: the robots' markdown message, or the
 * generic event document. Also used by the test call. Returns a new reference. */
struct entity;
json_t *webhook_events_payload(const char *kind, const struct entity *e, const char *action,
                               int64_t id, int64_t actor, const char *changes,
                               const char *occurred_at);

#endif
