/*
 * The outbox: every message the system owes someone — a mail, an SMS, a webhook call — is a
 * row written in the same transaction as the change that caused it, so it exists exactly when
 * the change does. Each node's outbox worker claims due messages under a lease (FOR UPDATE
 * SKIP LOCKED on PostgreSQL), delivers them, and records every attempt. A failure is retried
 * with exponential back-off; after the last attempt, or at once when the other side refuses it
 * for good, the message is parked for administrators, who can send it again or cancel it.
 * Guarantees: docs/internals/SERVICES.md.
 */
#ifndef SEXTANT_OUTBOX_H
#define SEXTANT_OUTBOX_H

#include "db/db.h"

#include <stdint.h>

struct outbox_msg {
	const char *channel;   /* "mail", "sms" or "webhook" */
	const char *recipient; /* address, E.164 number, or the webhook's URL (for display) */
	const char *subject;   /* mail subject; the event of a webhook call; NULL for SMS */
	const char *body;      /* JSON object's text, the channel's content (OUTBOX.md) */
	const char *event;     /* what caused it, e.g. "task.reminder"; may be NULL */
	const char *entity;    /* the record it concerns, if any */
	int64_t record_id;
	int64_t user_id; /* the user it is addressed to, if any */
	int64_t created_by;
};

/* Queue m inside the caller's transaction; *id gets its id (id may be NULL). A DB_ code. */
int outbox_put(struct db *db, const struct outbox_msg *m, int64_t *id);

/* How the worker behaves (from the configuration, at start-up). */
struct outbox_options {
	int max_attempts;   /* tries before a message is parked */
	int64_t backoff_ms; /* the wait after the first failure; doubled after each, capped */
	int64_t backoff_max_ms;
	long timeout_ms; /* of one delivery (the lease is longer) */
};
void outbox_configure(const struct outbox_options *o);
/* Where people reach the web app (links in messages), without a trailing slash. */
const char *outbox_public_url(void);

/* Claim and deliver at most max due messages as node: the number handled, or a DB_ code. */
int outbox_deliver_due(struct db *db, const char *node, int max);

/* Whether a message was queued in this process since the last call (the worker looks sooner). */
bool outbox_kicked(void);

#endif
