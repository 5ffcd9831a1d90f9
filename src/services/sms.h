/*
 * SMS: mobile numbers validated and normalised to E.164 (+86 for mainland China), and sent
 * through a gateway adapter: "log" (development: the message goes to the server log and
 * counts as sent) or "http" (any HTTP gateway, described by administrators: URL, method, body
 * template, an authentication header, and how success is read from the answer).
 */
#ifndef SEXTANT_SMS_H
#define SEXTANT_SMS_H

#include "core/str.h"
#include "delivery.h"

#include <stdbool.h>
#include <stddef.h>

#define SMS_NUMBER_MAX 17 /* "+" 15 digits NUL */

/*
 * in as people write it ("138 0013 8000", "+86-138-0013-8000", "0086 13800138000",
 * "8613800138000", "+44 20 7946 0958") into E.164 in out. Mainland numbers (11 digits starting
 * 1[3-9], with or without 86 / +86 / 0086) become +86…; other numbers need their "+" or "00"
 * and 8–15 digits. Spaces, dashes, dots and brackets are ignored. False if it is not a mobile
 * number we can send to.
 */
bool sms_normalise(const char *in, char out[SMS_NUMBER_MAX]);

struct sms_settings {
	const char *adapter;       /* "log" or "http" */
	const char *url;           /* http(s); may hold {{mobile}} {{text}} {{id}} (URL-encoded) */
	const char *method;        /* "POST" (default), "GET" or "PUT" */
	const char *content_type;  /* of the body, e.g. application/json or
	                              application/x-www-form-urlencoded */
	const char *body_template; /* {{mobile}} {{text}} {{id}}, escaped for the content type
	                              (JSON string contents, or form encoding) */
	const char *auth_header;   /* one header line sent as is ("Authorization: Bearer …");
	                              may be NULL */
	const char *success_field; /* JSON member (dotted path "result.code") that must equal
	                              success_value; NULL or "": a 2xx status is enough */
	const char *success_value;
	long timeout_ms;
};

/*
 * Append tmpl to out with {{mobile}}, {{text}} and {{id}} replaced by their values, escaped for
 * content_type: JSON string contents (the template holds the quotes) when it names json,
 * percent-encoded (as in a URL) when it is application/x-www-form-urlencoded, as is otherwise
 * (NULL included). Other {{…}} are left as they are. sms_send uses it for the body, and with the
 * form type for the URL.
 */
void sms_expand(struct str *out, const char *tmpl, const char *content_type, const char *mobile,
                const char *text, const char *id);

/*
 * Send text to mobile (already normalised) with id (the message's unique key, for gateways
 * that take one and for the log). A 2xx answer whose success field (if set) holds the success
 * value is DELIVERY_OK; a 2xx answer that says otherwise is DELIVERY_PERMANENT; statuses are
 * judged by outbound_judge_status. err gets the reason (with the gateway's answer, cut short).
 */
enum delivery sms_send(const struct sms_settings *s, const char *mobile, const char *text,
                       const char *id, char *err, size_t n);

#endif
