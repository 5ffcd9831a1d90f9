/*
 * How the outbox hands a message to its channel: mail (services/mail.h, the server in the
 * "mail" settings), sms (services/sms.h, the "sms" settings) or webhook (services/webhook.h,
 * the subscription in table webhooks). The stored body of each is in docs/internals/SERVICES.md.
 */
#ifndef SEXTANT_OUTBOX_CHANNELS_H
#define SEXTANT_OUTBOX_CHANNELS_H

#include "db/db.h"
#include "delivery.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct outbox_delivery {
	struct db *db;
	int64_t id;
	int attempt;
	int64_t created_ms;
	const char *recipient;
	json_t *body;
	long timeout_ms;
	const char *public_url;
};

enum delivery outbox_channel_send(const char *channel, const struct outbox_delivery *d, char *err,
                                  size_t n);

/* The largest attachment the outbox reads into memory for one mail. */
#define OUTBOX_ATTACHMENT_MAX (20 * 1024 * 1024)

#endif
