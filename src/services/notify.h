/*
 * Notifications: the one call every module uses to tell a user something. notify() looks up
 * the user's preferences for the event (or the event's defaults), renders the event's template
 * in the user's language, and — inside the caller's transaction — writes the in-app
 * notification and queues the mail and the SMS in the outbox. So a notification exists exactly
 * when the change that caused it does, and the messages it owes are never lost.
 */
#ifndef SEXTANT_NOTIFY_H
#define SEXTANT_NOTIFY_H

#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* An event users can be told about, with the channels it uses until they choose. Its
 * template (services/templates.c) has the same key. */
struct notify_event {
	const char *key;
	bool in_app, mail, sms;
};
extern const struct notify_event notify_events[];
const struct notify_event *notify_event_find(const char *key);

struct notice {
	const char *event;  /* a notify_events key */
	int64_t user_id;    /* to whom */
	const char *entity; /* the record it links to (may be NULL) */
	int64_t record_id;
	json_t *vars;  /* the template's variables (user and link are added); may be NULL */
	int64_t actor; /* who caused it (0: the system) */
};

/* Tell n->user_id, inside the caller's transaction. A disabled or unknown user is skipped.
 * A DB_ code. */
int notify(struct db *db, const struct notice *n);

#endif
