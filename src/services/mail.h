/*
 * Mail: an RFC 5322 message built from its parts (plain text and HTML alternatives,
 * attachments; Chinese subjects and names as RFC 2047 encoded words, file names as RFC 2231),
 * sent to an SMTP server through libcurl (smtp:// with optional or required STARTTLS, smtps://,
 * authentication). One recipient a message: every message the system sends is addressed to one
 * person or one mailbox.
 */
#ifndef SEXTANT_MAIL_H
#define SEXTANT_MAIL_H

#include "core/str.h"
#include "delivery.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where and as whom mail goes out (administrators set it; services/outbox.c reads it). */
struct mail_settings {
	const char *url;      /* smtp://host:port or smtps://host:port */
	const char *tls;      /* "none", "starttls" (required) or "tls" (smtps) */
	const char *username; /* NULL or "": no authentication */
	const char *password;
	const char *from_address; /* the envelope and header sender */
	const char *from_name;    /* display name, may be Chinese; NULL or "" for none */
	long timeout_ms;          /* of the whole conversation */
};

struct mail_attachment {
	const char *name;         /* file name, may be Chinese */
	const char *content_type; /* e.g. application/pdf */
	const void *data;
	size_t len;
};

struct mail_message {
	const char *to_address;
	const char *to_name; /* NULL or "" for none */
	const char *subject; /* UTF-8 */
	const char *text;    /* plain-text part, UTF-8; NULL: none */
	const char *html;    /* HTML part, UTF-8; NULL: none (one of text, html is needed) */
	const struct mail_attachment *attachments;
	size_t n_attachments;
	const char *message_id; /* without angle brackets, e.g. "outbox-42@sextant.example" */
	int64_t date_ms;        /* the Date header */
};

/* True if s is one address (local@domain, no spaces, no angle brackets, ≤ 254 bytes). */
bool mail_address_valid(const char *s);

/* The whole message, CRLF line ends, headers then body, into out. -1 if a part is invalid. */
int mail_build(const struct mail_settings *s, const struct mail_message *m, struct str *out);

/*
 * Build and send m. DELIVERY_OK once the server accepted it; DELIVERY_RETRY when it could not be
 * reached, timed out or answered 4xx; DELIVERY_PERMANENT when it answered 5xx (bad recipient,
 * authentication refused) or the message cannot be built. err gets the reason (the server's
 * reply where there is one).
 */
enum delivery mail_send(const struct mail_settings *s, const struct mail_message *m, char *err,
                        size_t n);

#endif
