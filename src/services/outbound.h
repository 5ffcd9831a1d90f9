/*
 * Outbound HTTP requests through libcurl, shared by the SMS gateway and webhooks: one request,
 * a deadline, the status and (capped) body of the answer. Redirects are not followed (a
 * gateway or a webhook receiver that moved is a configuration to fix, not to guess).
 */
#ifndef SEXTANT_OUTBOUND_H
#define SEXTANT_OUTBOUND_H

#include "core/str.h"
#include "delivery.h"

#include <stddef.h>

#define OUTBOUND_BODY_MAX (64 * 1024) /* of an answer kept for the success check and the log */

struct outbound_request {
	const char *method;         /* "GET", "POST", "PUT" */
	const char *url;            /* http:// or https:// only */
	const char *const *headers; /* "Name: value" lines, NULL-terminated; may be NULL */
	const char *body;           /* NULL for none */
	size_t body_len;
	long timeout_ms;
};

struct outbound_answer {
	long status;     /* HTTP status; 0 if no answer came */
	struct str body; /* up to OUTBOUND_BODY_MAX bytes; the caller releases it */
};

/*
 * Make the request. DELIVERY_OK for any HTTP answer (the caller judges the status and body),
 * DELIVERY_RETRY when no answer came (refused, timed out, TLS failure), DELIVERY_PERMANENT for a
 * URL that is not http(s). err gets the reason.
 */
enum delivery outbound_http(const struct outbound_request *q, struct outbound_answer *a, char *err,
                            size_t n);

/* How much of an answer to quote in an error: at most 200 bytes, not ending inside a
 * character (for "%.*s"). */
int outbound_excerpt_len(const struct str *body);

/* What an HTTP status means for delivery: 2xx OK, 408/429/5xx RETRY, other 4xx PERMANENT. */
enum delivery outbound_judge_status(long status);

#endif
