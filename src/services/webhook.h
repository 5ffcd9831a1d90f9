/*
 * Webhook calls: a JSON body POSTed to a subscriber's URL. Three kinds of receiver:
 *  - "generic": the body as is, signed with HMAC-SHA256 over "<timestamp>.<body>" with the
 *    subscription's secret: headers X-Sextant-Event, X-Sextant-Delivery (the message's unique
 *    id, the same on every retry), X-Sextant-Timestamp (Unix seconds) and
 *    X-Sextant-Signature: sha256=<hex>;
 *  - "wecom": a WeCom (企业微信) group robot; the body must be the robot's own message JSON;
 *    success is errcode 0 in the answer;
 *  - "dingtalk": a DingTalk (钉钉) group robot; with a secret, the URL gets &timestamp=<ms>&sign=
 *    <base64 HMAC-SHA256 of "<ms>\n<secret>">, URL-encoded; success is errcode 0.
 */
#ifndef SEXTANT_WEBHOOK_H
#define SEXTANT_WEBHOOK_H

#include "delivery.h"

#include <stddef.h>
#include <stdint.h>

/* "sha256=" and 64 hex digits of HMAC-SHA256(secret, "<timestamp>.<body>"). */
void webhook_signature(const char *secret, int64_t timestamp, const char *body, size_t len,
                       char out[72]);
/* base64(HMAC-SHA256(secret, "<ms>\n<secret>")), not yet URL-encoded (DingTalk's sign). */
void webhook_dingtalk_sign(const char *secret, int64_t ms, char out[64]);

struct webhook_call {
	const char *kind; /* "generic", "wecom" or "dingtalk" */
	const char *url;
	const char *secret;   /* may be NULL or "" (no signature) */
	const char *event;    /* e.g. "customers.updated" */
	const char *delivery; /* unique id of the message */
	const char *body;     /* JSON */
	long timeout_ms;
};

/*
 * Make the call. Generic: a 2xx answer is DELIVERY_OK. Robots: 2xx with errcode 0; another
 * errcode is DELIVERY_PERMANENT, except their rate limits (errcode 45009 WeCom, 130101
 * DingTalk) and "system busy" (-1), which are DELIVERY_RETRY. Statuses as outbound_judge_status.
 */
enum delivery webhook_send(const struct webhook_call *c, char *err, size_t n);

#endif
