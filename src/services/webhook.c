#include "webhook.h"
#include "outbound.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The robots' "too many messages" codes: the same message goes through a minute later. */
#define WECOM_RATE_LIMITED    45009
#define DINGTALK_RATE_LIMITED 130101

static void hmac_sha256(const char *secret, const char *const parts[], const size_t lens[],
                        size_t nparts, unsigned char mac[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;
	const char *key = secret ? secret : "";
	/* A key of any length: libsodium hashes one longer than a block, as RFC 2104 says. */
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	for (size_t i = 0; i < nparts; i++)
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)parts[i], lens[i]);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof st);
}

void webhook_signature(const char *secret, int64_t timestamp, const char *body, size_t len,
                       char out[72])
{
	char ts[24];
	int tn = snprintf(ts, sizeof ts, "%lld.", (long long)timestamp);
	const char *parts[] = {ts, body ? body : ""};
	const size_t lens[] = {(size_t)tn, body ? len : 0};
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	hmac_sha256(secret, parts, lens, ARRAY_SIZE(parts), mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 72 - 7, mac, sizeof mac);
}

void webhook_dingtalk_sign(const char *secret, int64_t ms, char out[64])
{
	char ts[24];
	int tn = snprintf(ts, sizeof ts, "%lld\n", (long long)ms);
	const char *key = secret ? secret : "";
	const char *parts[] = {ts, key};
	const size_t lens[] = {(size_t)tn, strlen(key)};
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	hmac_sha256(secret, parts, lens, ARRAY_SIZE(parts), mac);
	sodium_bin2base64(out, 64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
}

/* ---- the call ---- */

/* The header lines of one call, owned here until it is made. */
struct headers {
	struct str lines[8];
	const char *list[9]; /* NULL-terminated, for outbound_request */
	size_t n;
};

static void headers_addf(struct headers *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void headers_addf(struct headers *h, const char *fmt, ...)
{
	if (h->n == ARRAY_SIZE(h->lines))
		BUG("too many webhook headers");
	struct str *line = &h->lines[h->n];
	*line = (struct str)STR_INIT;
	va_list ap;
	va_start(ap, fmt);
	str_vaddf(line, fmt, ap);
	va_end(ap);
	h->list[h->n++] = line->buf;
	h->list[h->n] = NULL;
}

static void headers_release(struct headers *h)
{
	for (size_t i = 0; i < h->n; i++)
		str_release(&h->lines[i]);
	h->n = 0;
}

static void add_common(struct headers *h)
{
	headers_addf(h, "Content-Type: application/json");
	headers_addf(h, "User-Agent: Sextant-Webhook/1");
}

static void add_generic(struct headers *h, const struct webhook_call *c, size_t body_len)
{
	int64_t ts = time_now_ms() / 1000;
	add_common(h);
	headers_addf(h, "X-Sextant-Event: %s", c->event ? c->event : "");
	headers_addf(h, "X-Sextant-Delivery: %s", c->delivery ? c->delivery : "");
	headers_addf(h, "X-Sextant-Timestamp: %lld", (long long)ts);
	if (c->secret && *c->secret) {
		char sig[72];
		webhook_signature(c->secret, ts, c->body, body_len, sig);
		headers_addf(h, "X-Sextant-Signature: %s", sig);
	}
}

/* DingTalk checks the signature against a timestamp within the hour, both in the query. */
static void dingtalk_url(struct str *url, const struct webhook_call *c)
{
	str_adds(url, c->url ? c->url : "");
	if (!c->secret || !*c->secret)
		return;
	int64_t ms = time_now_ms();
	char sign[64];
	webhook_dingtalk_sign(c->secret, ms, sign);
	if (!url->len || (url->buf[url->len - 1] != '?' && url->buf[url->len - 1] != '&'))
		str_addc(url, strchr(url->buf, '?') ? '&' : '?');
	str_addf(url, "timestamp=%lld&sign=", (long long)ms);
	str_add_urlenc(url, sign);
}

/* What sets a robot apart: it answers 200 and says in errcode whether it took the message. */
struct robot {
	long long rate_limited; /* the errcode that means "too many, try later" */
};

static const struct robot wecom = {WECOM_RATE_LIMITED};
static const struct robot dingtalk = {DINGTALK_RATE_LIMITED};

static enum delivery judge_robot(const struct robot *r, const struct outbound_answer *a, char *err,
                                 size_t n)
{
	json_t *root = json_loadb(a->body.buf, a->body.len, 0, NULL);
	json_t *code = json_object_get(root, "errcode");
	enum delivery d = DELIVERY_PERMANENT;
	if (!json_is_integer(code)) {
		delivery_error(err, n, "no errcode in the answer: %.*s",
		               outbound_excerpt_len(&a->body), a->body.buf);
	} else if (json_integer_value(code) == 0) {
		d = DELIVERY_OK;
	} else {
		long long v = json_integer_value(code);
		delivery_error(err, n, "robot answered errcode %lld: %.*s", v,
		               outbound_excerpt_len(&a->body), a->body.buf);
		/* -1 is both robots' "system busy". */
		if (v == r->rate_limited || v == -1)
			d = DELIVERY_RETRY;
	}
	json_decref(root);
	return d;
}

/* r: NULL for a generic receiver, whose status says it all. */
static enum delivery call(const struct webhook_call *c, const char *url, struct headers *h,
                          const struct robot *r, char *err, size_t n)
{
	const struct outbound_request q = {
	    .method = "POST",
	    .url = url,
	    .headers = h->list,
	    .body = c->body ? c->body : "",
	    .body_len = c->body ? strlen(c->body) : 0,
	    .timeout_ms = c->timeout_ms,
	};
	struct outbound_answer a;
	enum delivery d = outbound_http(&q, &a, err, n);
	if (d != DELIVERY_OK)
		goto out;
	d = outbound_judge_status(a.status);
	if (d != DELIVERY_OK)
		delivery_error(err, n, "receiver answered %ld: %.*s", a.status,
		               outbound_excerpt_len(&a.body), a.body.buf);
	else if (r)
		d = judge_robot(r, &a, err, n);
out:
	str_release(&a.body);
	return d;
}

enum delivery webhook_send(const struct webhook_call *c, char *err, size_t n)
{
	delivery_error(err, n, "%s", "");
	const char *kind = c->kind ? c->kind : "";
	struct headers h = {.n = 0};
	struct str url = STR_INIT;
	enum delivery d;
	if (strcmp(kind, "generic") == 0) {
		add_generic(&h, c, c->body ? strlen(c->body) : 0);
		d = call(c, c->url, &h, NULL, err, n);
	} else if (strcmp(kind, "wecom") == 0) {
		add_common(&h);
		d = call(c, c->url, &h, &wecom, err, n);
	} else if (strcmp(kind, "dingtalk") == 0) {
		add_common(&h);
		dingtalk_url(&url, c);
		d = call(c, url.buf, &h, &dingtalk, err, n);
	} else {
		delivery_error(err, n, "unknown webhook kind '%.40s'", kind);
		d = DELIVERY_PERMANENT;
	}
	headers_release(&h);
	str_release(&url);
	return d;
}
