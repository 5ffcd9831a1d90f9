/*
 * What one attempt to deliver a message (a mail, an SMS, a webhook call) came to. The outbox
 * (services/outbox.h) retries DELIVERY_RETRY with back-off and parks DELIVERY_PERMANENT at once;
 * a transport never retries by itself.
 */
#ifndef SEXTANT_DELIVERY_H
#define SEXTANT_DELIVERY_H

#include <stddef.h>

enum delivery {
	DELIVERY_OK = 0,    /* the other side took the message */
	DELIVERY_RETRY = 1, /* not taken now; may be taken later (down, busy, 4xx of SMTP, 5xx) */
	DELIVERY_PERMANENT =
	    2, /* will never be taken as it is (bad address, refused, 4xx of HTTP) */
};

/* The reason of a failed attempt, for the outbox row and the administrators' page. */
#define DELIVERY_ERROR_MAX 512

/* Write the reason into err (n bytes; nothing if err is NULL or n is 0). */
void delivery_error(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
