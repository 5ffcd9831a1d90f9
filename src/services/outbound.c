#include "outbound.h"
#include "outbound_hosts.h"
#include "core/version.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A request nobody gave a deadline still ends: a stuck gateway must not hold an outbox worker. */
#define DEFAULT_TIMEOUT_MS 10000L
/* A host that takes longer than this to accept a connection is down, whatever the deadline. */
#define CONNECT_TIMEOUT_MAX_MS 10000L

static bool is_http_url(const char *url)
{
	return url && (strncasecmp(url, "http://", 7) == 0 || strncasecmp(url, "https://", 8) == 0);
}

/*
 * The method in upper case into out. It goes on the request line as is, so only letters may:
 * anything else could smuggle a second line in. False if it is no method.
 */
static bool method_upper(const char *m, char out[16])
{
	size_t i = 0;
	for (; m[i]; i++) {
		char c = m[i];
		if (i == 15 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
			return false;
		out[i] = (char)(c & ~0x20);
	}
	out[i] = '\0';
	return i > 0;
}

/* A CR or LF would end the header early and let the rest pose as another header. */
static bool header_ok(const char *h)
{
	return !strpbrk(h, "\r\n") && strchr(h, ':');
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct str *body = userp;
	size_t len = size * nmemb;
	size_t room = body->len < OUTBOUND_BODY_MAX ? OUTBOUND_BODY_MAX - body->len : 0;
	/* What lies past the cap is read and dropped: the start says whether it worked. */
	str_add(body, data, len < room ? len : room);
	return len;
}

static int build_headers(const char *const *lines, struct curl_slist **out, char *err, size_t n)
{
	/* Else curl waits a second before a large body for a "100 Continue" few servers send. */
	struct curl_slist *list = curl_slist_append(NULL, "Expect:");
	for (size_t i = 0; list && lines && lines[i]; i++) {
		if (!header_ok(lines[i])) {
			delivery_error(err, n, "bad header line '%.60s'", lines[i]);
			curl_slist_free_all(list);
			return -1;
		}
		struct curl_slist *next = curl_slist_append(list, lines[i]);
		if (!next)
			curl_slist_free_all(list); /* a failed append leaves the list as it was */
		list = next;
	}
	if (!list) {
		delivery_error(err, n, "out of memory");
		return -1;
	}
	*out = list;
	return 0;
}

static void set_method(CURL *h, const struct outbound_request *q, const char *method)
{
	if (!q->body && strcmp(method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		return;
	}
	/* Every other request carries a body, empty if need be, so a length is always sent. */
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(q->body ? q->body_len : 0));
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body ? q->body : "");
	if (strcmp(method, "POST") != 0)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
}

static void set_options(CURL *h, const struct outbound_request *q, struct curl_slist *headers,
                        struct str *body, char *errbuf)
{
	long timeout = q->timeout_ms > 0 ? q->timeout_ms : DEFAULT_TIMEOUT_MS;
	curl_easy_setopt(h, CURLOPT_URL, q->url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	/* An alarm signal would hit whichever thread; Debian's curl resolves names in a thread
	 * of its own, so the deadline still covers them. */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	if (outbound_tls_ca_file())
		curl_easy_setopt(h, CURLOPT_CAINFO, outbound_tls_ca_file());
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	                 timeout < CONNECT_TIMEOUT_MAX_MS ? timeout : CONNECT_TIMEOUT_MAX_MS);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "Sextant/" SEXTANT_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

/* Whether a failed transfer can be tried again: a URL curl cannot use never will be. */
static enum delivery judge_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_BAD_FUNCTION_ARGUMENT:
		return DELIVERY_PERMANENT;
	default:
		return DELIVERY_RETRY;
	}
}

static enum delivery perform(CURL *h, const struct outbound_request *q, struct outbound_answer *a,
                             char *err, size_t n)
{
	const char *given = q->method && *q->method ? q->method : (q->body ? "POST" : "GET");
	char method[16];
	if (!method_upper(given, method)) {
		delivery_error(err, n, "bad method '%.20s'", given);
		return DELIVERY_PERMANENT;
	}
	struct curl_slist *headers = NULL;
	if (build_headers(q->headers, &headers, err, n))
		return DELIVERY_PERMANENT;
	char errbuf[CURL_ERROR_SIZE] = "";
	set_options(h, q, headers, &a->body, errbuf);
	set_method(h, q, method);
	CURLcode rc = curl_easy_perform(h);
	curl_slist_free_all(headers);
	if (rc != CURLE_OK) {
		str_release(&a->body);
		delivery_error(err, n, "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
		return judge_curl(rc);
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
	return DELIVERY_OK;
}

enum delivery outbound_http(const struct outbound_request *q, struct outbound_answer *a, char *err,
                            size_t n)
{
	a->status = 0;
	a->body = (struct str)STR_INIT;
	delivery_error(err, n, "%s", "");
	if (!is_http_url(q->url)) {
		delivery_error(err, n, "not an http(s) URL");
		return DELIVERY_PERMANENT;
	}
	/* Checked here, at the one door out, whatever saved the URL (SSRF). */
	if (!outbound_url_allowed(q->url)) {
		delivery_error(
		    err, n, "the host is not among the allowed outbound hosts (--outbound-hosts)");
		return DELIVERY_PERMANENT;
	}
	CURL *h = curl_easy_init();
	if (!h) {
		delivery_error(err, n, "cannot start libcurl");
		return DELIVERY_RETRY;
	}
	enum delivery d = perform(h, q, a, err, n);
	curl_easy_cleanup(h);
	return d;
}

enum delivery outbound_judge_status(long status)
{
	if (status >= 200 && status <= 299)
		return DELIVERY_OK;
	/* No answer at all is an outage, not a refusal. */
	if (status == 0 || status == 408 || status == 429 || (status >= 500 && status <= 599))
		return DELIVERY_RETRY;
	/* 4xx, and the 1xx and 3xx that end a transfer without following it: what we sent is wrong,
	 * or the receiver moved, and saying it again will not change the answer. */
	return DELIVERY_PERMANENT;
}

int outbound_excerpt_len(const struct str *body)
{
	size_t cut = body->len < 200 ? body->len : 200;
	while (cut < body->len && cut > 0 && ((unsigned char)body->buf[cut] & 0xc0) == 0x80)
		cut--;
	return (int)cut;
}
