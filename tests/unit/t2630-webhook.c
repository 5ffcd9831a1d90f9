/* services/webhook: the signatures receivers check, and calls when nothing answers. */
#include "unit.h"

#include "services/outbound_hosts.h"

#include "core/util.h"
#include "services/webhook.h"

#include <curl/curl.h>
#include <sodium.h>

static void test_signature(void **state)
{
	(void)state;
	/*
	 * Expected values computed independently with Python's hmac module:
	 *   python3 -c "import hmac,hashlib;
	 *     print(hmac.new(KEY, b'<timestamp>.<body>', hashlib.sha256).hexdigest())"
	 * with KEY and the message UTF-8 encoded.
	 */
	static const struct {
		const char *secret;
		int64_t ts;
		const char *body;
		const char *want;
	} cases[] = {
	    {"secret", 1700000000, "{\"a\":1}",
	     "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"},
	    {"", 0, "", "sha256=b849d5a581847b281957065739df36df2463d1977ea8d6e1e4e6cf33fadc68c3"},
	    /* b'k' * 100: a key longer than a SHA-256 block is hashed first. */
	    {"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
	     "kkkkkkkkkkkkk",
	     1700000000, "{\"a\":1}",
	     "sha256=e0b419ce90349e7bf07569fb4c3e646db7042eb8c074a060f9d00f9df36890d1"},
	    {"密钥", 1700000000, "{\"名\":\"张三\"}",
	     "sha256=9224615e41463cb2333d38172302f1bdf83bb0d2ec0028530524e7e8f4620e14"},
	    {"secret", -5, "body",
	     "sha256=97b48950a01707d0585c56cd1f1832dc35da20fb85dd12b7144d8ba1b5a0799e"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[72];
		webhook_signature(cases[i].secret, cases[i].ts, cases[i].body,
		                  strlen(cases[i].body), out);
		EXPECT_STR(out, cases[i].want, cases[i].body);
	}
	/* Only len bytes of the body count; a NULL secret is the empty one. */
	char a[72], b[72];
	webhook_signature("secret", 1700000000, "{\"a\":1}trailing", 7, a);
	EXPECT_STR(a, cases[0].want, "len bytes");
	webhook_signature(NULL, 0, "", 0, b);
	EXPECT_STR(b, cases[1].want, "NULL secret");
	EXPECT_ALL();
}

static void test_dingtalk_sign(void **state)
{
	(void)state;
	/*
	 * Expected values computed independently with Python:
	 *   base64.b64encode(hmac.new(KEY, f"{ms}\n{KEY}".encode(), hashlib.sha256).digest())
	 */
	static const struct {
		const char *secret;
		int64_t ms;
		const char *want;
	} cases[] = {
	    {"SEC000000000000000000000", 1700000000000,
	     "1zJ/w34EOSVAYr7cu7Vo8LnebmK2/GrCgegtr8mQrqM="},
	    {"secret", 1577262236757, "TIz5XcFHyeEuCoyc+5d9DoNiRC3txFfOzZU76lmRbYc="},
	    {"", 0, "Q9tEPDPpqPnAbOT2fNJuW8fHBSbcKNHJA/iXNesb6iA="},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[64];
		webhook_dingtalk_sign(cases[i].secret, cases[i].ms, out);
		EXPECT_STR(out, cases[i].want, cases[i].secret);
	}
	EXPECT_ALL();
}

static void test_send_refused(void **state)
{
	(void)state;
	static const struct {
		const char *kind, *url, *secret;
		enum delivery want;
	} cases[] = {
	    /* Nothing listens on port 1 of the loopback. */
	    {"generic", "http://127.0.0.1:1/hook", "s3cret", DELIVERY_RETRY},
	    {"generic", "http://127.0.0.1:1/hook", NULL, DELIVERY_RETRY},
	    {"wecom", "http://127.0.0.1:1/cgi-bin/webhook/send?key=k", NULL, DELIVERY_RETRY},
	    {"dingtalk", "http://127.0.0.1:1/robot/send?access_token=t", "SECx", DELIVERY_RETRY},
	    {"dingtalk", "http://127.0.0.1:1/robot/send", "SECx", DELIVERY_RETRY},
	    {"dingtalk", "http://127.0.0.1:1/robot/send?access_token=t", "", DELIVERY_RETRY},
	    /* What can never work. */
	    {"generic", "ftp://127.0.0.1:1/hook", "s", DELIVERY_PERMANENT},
	    {"generic", NULL, "s", DELIVERY_PERMANENT},
	    {"dingtalk", "", "SECx", DELIVERY_PERMANENT},
	    {"slack", "http://127.0.0.1:1/hook", NULL, DELIVERY_PERMANENT},
	    {NULL, "http://127.0.0.1:1/hook", NULL, DELIVERY_PERMANENT},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct webhook_call c = {
		    .kind = cases[i].kind,
		    .url = cases[i].url,
		    .secret = cases[i].secret,
		    .event = "customers.updated",
		    .delivery = "outbox-9",
		    .body = "{\"id\":1}",
		    .timeout_ms = 3000,
		};
		char err[DELIVERY_ERROR_MAX] = "";
		char what[128];
		snprintf(what, sizeof what, "%s %s", cases[i].kind ? cases[i].kind : "(null)",
		         cases[i].url ? cases[i].url : "(null)");
		EXPECT_INT(webhook_send(&c, err, sizeof err), cases[i].want, what);
		EXPECT(*err, "%s: a reason", what);
	}
	/* An event name that would split the header is refused, never sent. */
	const struct webhook_call c = {
	    .kind = "generic",
	    .url = "http://127.0.0.1:1/hook",
	    .event = "a\r\nX-Injected: 1",
	    .delivery = "outbox-9",
	    .body = "{}",
	};
	char err[DELIVERY_ERROR_MAX];
	EXPECT_INT(webhook_send(&c, err, sizeof err), DELIVERY_PERMANENT, "split header");
	EXPECT_ALL();
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* The closed port the tests call is on this host. */
	outbound_hosts_configure("127.0.0.1");
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_signature),
	    UNIT_TEST(test_dingtalk_sign),
	    UNIT_TEST(test_send_refused),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
