/* services/sms and services/outbound: numbers as people write them, the gateway templates, what
 * an HTTP status means, and sending when nothing answers. */
#include "unit.h"

#include "services/outbound_hosts.h"

#include "core/log.h"
#include "core/util.h"
#include "services/outbound.h"
#include "services/sms.h"

#include <curl/curl.h>

/* Nothing listens on port 1 of the loopback: the connection is refused at once. */
#define CLOSED_URL "http://127.0.0.1:1/"

static void test_normalise(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		const char *want; /* NULL: refused */
	} cases[] = {
	    /* Mainland mobiles, however they are written. */
	    {"13800138000", "+8613800138000"},
	    {"138 0013 8000", "+8613800138000"},
	    {"138-0013-8000", "+8613800138000"},
	    {"138.0013.8000", "+8613800138000"},
	    {"(138) 0013 8000", "+8613800138000"},
	    {"[138]00138000", "+8613800138000"},
	    {" 13800138000 ", "+8613800138000"},
	    {"\t13800138000", "+8613800138000"},
	    {"+8613800138000", "+8613800138000"},
	    {"+86 138 0013 8000", "+8613800138000"},
	    {"+86-138-0013-8000", "+8613800138000"},
	    {"(+86) 138 0013 8000", "+8613800138000"},
	    {"+(86)13800138000", "+8613800138000"},
	    {"0086 13800138000", "+8613800138000"},
	    {"0086-138-0013-8000", "+8613800138000"},
	    {"008613800138000", "+8613800138000"},
	    {"8613800138000", "+8613800138000"},
	    {"86 138 0013 8000", "+8613800138000"},
	    {"19912345678", "+8619912345678"},
	    {"16612345678", "+8616612345678"},
	    /* Not mainland mobiles. */
	    {"12800138000", NULL},     /* 12x is no mobile range */
	    {"10086", NULL},           /* a service number */
	    {"1380013800", NULL},      /* ten digits */
	    {"138001380001", NULL},    /* twelve digits */
	    {"+86138001380001", NULL}, /* twelve after +86 */
	    {"+861380013800", NULL},   /* ten after +86 */
	    {"010-12345678", NULL},    /* a Beijing landline */
	    {"01012345678", NULL},
	    {"+86 10 1234 5678", NULL}, /* the same with the country code */
	    {"0086 21 6123 4567", NULL},
	    {"021-61234567", NULL},
	    {"86 21 6123 4567", NULL},
	    {"013800138000", NULL}, /* a trunk 0 before a mobile */
	    {"+86 013800138000", NULL},
	    /* Other countries need their code. */
	    {"+1 415 555 2671", "+14155552671"},
	    {"+1 (415) 555-2671", "+14155552671"},
	    {"001 415 555 2671", "+14155552671"},
	    {"+44 20 7946 0958", "+442079460958"},
	    {"0044 20 7946 0958", "+442079460958"},
	    {"+852 5123 4567", "+85251234567"},
	    {"+886 912 345 678", "+886912345678"},
	    {"+49 1512 3456789", "+4915123456789"},
	    {"+123456789012345", "+123456789012345"}, /* 15 digits, the most E.164 has */
	    {"+1234567890123456", NULL},              /* 16 */
	    {"+1234567", NULL},                       /* 7 */
	    {"+12345678", "+12345678"},               /* 8 */
	    {"4155552671", NULL},                     /* no country code */
	    /* Without its "+" a US number reads as a mainland one (14x is a mobile range). */
	    {"1 415 555 2671", "+8614155552671"},
	    {"+0 123 4567 890", NULL}, /* no country code starts with 0 */
	    {"+0086 13800138000", NULL},
	    {"00", NULL},
	    {"0", NULL},
	    /* Not numbers. */
	    {"", NULL},
	    {"   ", NULL},
	    {"+", NULL},
	    {"--", NULL},
	    {"1380013800O", NULL}, /* a letter O */
	    {"138 0013 8000 ext 1", NULL},
	    {"tel:13800138000", NULL},
	    {"138/0013/8000", NULL},
	    {"138_0013_8000", NULL},
	    {"+86+13800138000", NULL},
	    {"138+00138000", NULL},
	    {"13800138000\n", NULL},
	    {"１３８００１３８０００", NULL}, /* full-width digits */
	    {"12345678901234567890123456789", NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[SMS_NUMBER_MAX] = "";
		bool ok = sms_normalise(cases[i].in, out);
		if (cases[i].want) {
			EXPECT(ok, "[%s] refused, want %s", unit_esc(cases[i].in), cases[i].want);
			if (ok)
				EXPECT_STR(out, cases[i].want, cases[i].in);
		} else {
			EXPECT(!ok, "[%s] taken as %s, want refused", unit_esc(cases[i].in), out);
		}
	}
	char out[SMS_NUMBER_MAX];
	EXPECT(!sms_normalise(NULL, out), "NULL refused");
	EXPECT_ALL();
}

static void test_expand(void **state)
{
	(void)state;
	static const char json[] = "application/json", form[] = "application/x-www-form-urlencoded";
	static const struct {
		const char *tmpl, *ctype, *mobile, *text, *id, *want;
	} cases[] = {
	    /* JSON: the template holds the quotes, the values are string contents. */
	    {"{\"to\":\"{{mobile}}\",\"msg\":\"{{text}}\",\"ref\":\"{{id}}\"}", json,
	     "+8613800138000", "您的验证码是 123456", "outbox-7",
	     "{\"to\":\"+8613800138000\",\"msg\":\"您的验证码是 123456\",\"ref\":\"outbox-7\"}"},
	    {"{\"msg\":\"{{text}}\"}", json, "", "say \"hi\"\\ now\nand\tthen\x01", "",
	     "{\"msg\":\"say \\\"hi\\\"\\\\ now\\nand\\tthen\\u0001\"}"},
	    {"{\"msg\":\"{{text}}\"}", "Application/JSON; charset=UTF-8", "", "\"", "",
	     "{\"msg\":\"\\\"\"}"},
	    {"{\"msg\":\"{{text}}\"}", "application/vnd.api+json", "", "a\"b", "",
	     "{\"msg\":\"a\\\"b\"}"},
	    {"{\"msg\":\"{{text}}\"}", json, "", "bad \xff byte", "",
	     "{\"msg\":\"bad \\ufffd byte\"}"},
	    /* Form: percent-encoded, as in a URL. */
	    {"phone={{mobile}}&content={{text}}&sid={{id}}", form, "+8613800138000", "验证码 1&2=3",
	     "a b",
	     "phone=%2B8613800138000&content=%E9%AA%8C%E8%AF%81%E7%A0%81%201%262%3D3&sid=a%20b"},
	    {"m={{mobile}}", "APPLICATION/X-WWW-FORM-URLENCODED; charset=utf-8", "+1", "", "",
	     "m=%2B1"},
	    /* Anything else as is. */
	    {"<to>{{mobile}}</to><text>{{text}}</text>", "text/xml", "+8613800138000", "a<b", "",
	     "<to>+8613800138000</to><text>a<b</text>"},
	    {"{{text}}", NULL, "", "\"raw\"", "", "\"raw\""},
	    /* Placeholders: each as often as it comes, unknown ones and broken ones left alone. */
	    {"{{id}}-{{id}}", json, "", "", "x\"", "x\\\"-x\\\""},
	    {"{{name}} {{mobile}} {{ mobile }} {{mobile} {{", json, "+86", "", "",
	     "{{name}} +86 {{ mobile }} {{mobile} {{"},
	    {"{{{mobile}}}", json, "+86", "", "", "{+86}"},
	    {"no placeholders", json, "+86", "t", "i", "no placeholders"},
	    {"", json, "+86", "t", "i", ""},
	    {NULL, json, "+86", "t", "i", ""},
	    {"{{mobile}}{{text}}{{id}}", json, NULL, NULL, NULL, ""},
	    /* A value that looks like a placeholder is not expanded again. */
	    {"{{text}}", NULL, "+86", "{{mobile}}", "", "{{mobile}}"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct str out = STR_INIT;
		sms_expand(&out, cases[i].tmpl, cases[i].ctype, cases[i].mobile, cases[i].text,
		           cases[i].id);
		EXPECT_STR(out.buf, cases[i].want, cases[i].tmpl ? cases[i].tmpl : "(null)");
		str_release(&out);
	}
	/* Appends to what is there. */
	struct str out = STR_INIT;
	str_adds(&out, "x=");
	sms_expand(&out, "{{mobile}}", form, "+86 1", "", "");
	EXPECT_STR(out.buf, "x=%2B86%201", "appends");
	str_release(&out);
	EXPECT_ALL();
}

static void test_judge_status(void **state)
{
	(void)state;
	static const struct {
		long status;
		enum delivery want;
	} cases[] = {
	    {200, DELIVERY_OK},        {201, DELIVERY_OK},        {202, DELIVERY_OK},
	    {204, DELIVERY_OK},        {299, DELIVERY_OK},        {0, DELIVERY_RETRY},
	    {408, DELIVERY_RETRY},     {429, DELIVERY_RETRY},     {500, DELIVERY_RETRY},
	    {502, DELIVERY_RETRY},     {503, DELIVERY_RETRY},     {504, DELIVERY_RETRY},
	    {599, DELIVERY_RETRY},     {400, DELIVERY_PERMANENT}, {401, DELIVERY_PERMANENT},
	    {403, DELIVERY_PERMANENT}, {404, DELIVERY_PERMANENT}, {405, DELIVERY_PERMANENT},
	    {409, DELIVERY_PERMANENT}, {410, DELIVERY_PERMANENT}, {413, DELIVERY_PERMANENT},
	    {422, DELIVERY_PERMANENT}, {499, DELIVERY_PERMANENT}, {100, DELIVERY_PERMANENT},
	    {199, DELIVERY_PERMANENT}, {300, DELIVERY_PERMANENT}, {301, DELIVERY_PERMANENT},
	    {302, DELIVERY_PERMANENT}, {304, DELIVERY_PERMANENT}, {308, DELIVERY_PERMANENT},
	    {600, DELIVERY_PERMANENT}, {999, DELIVERY_PERMANENT}, {-1, DELIVERY_PERMANENT},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char what[32];
		snprintf(what, sizeof what, "status %ld", cases[i].status);
		EXPECT_INT(outbound_judge_status(cases[i].status), cases[i].want, what);
	}
	EXPECT_ALL();
}

static void test_outbound_refused(void **state)
{
	(void)state;
	static const char *const headers[] = {"X-A: 1", NULL};
	static const struct {
		const char *method, *url;
		const char *const *headers;
		const char *body;
		enum delivery want;
	} cases[] = {
	    {"POST", CLOSED_URL, headers, "{}", DELIVERY_RETRY},
	    {"GET", CLOSED_URL, NULL, NULL, DELIVERY_RETRY},
	    {"put", CLOSED_URL, NULL, "x", DELIVERY_RETRY},
	    {NULL, CLOSED_URL, NULL, NULL, DELIVERY_RETRY},
	    {"POST", "ftp://127.0.0.1:1/", NULL, "x", DELIVERY_PERMANENT},
	    {"POST", "file:///etc/passwd", NULL, "x", DELIVERY_PERMANENT},
	    {"POST", "127.0.0.1:1", NULL, "x", DELIVERY_PERMANENT},
	    {"POST", "", NULL, "x", DELIVERY_PERMANENT},
	    {"POST", NULL, NULL, "x", DELIVERY_PERMANENT},
	    {"POST", "http://", NULL, "x", DELIVERY_PERMANENT},
	    {"PO ST", CLOSED_URL, NULL, "x", DELIVERY_PERMANENT},
	    {"POST\r\nX: y", CLOSED_URL, NULL, "x", DELIVERY_PERMANENT},
	    {"", CLOSED_URL, NULL, "x", DELIVERY_RETRY}, /* no method: POST with a body */
	    /* Hosts not listed by --outbound-hosts are never called (SSRF). */
	    {"POST", "http://127.0.0.2:1/", NULL, "x", DELIVERY_PERMANENT},
	    {"POST", "http://localhost:1/", NULL, "x", DELIVERY_PERMANENT},
	    {"POST", "http://user@127.0.0.1:1/", NULL, "x", DELIVERY_PERMANENT},
	    {"POST", "http://127.0.0.1.evil.example/", NULL, "x", DELIVERY_PERMANENT},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct outbound_request q = {
		    .method = cases[i].method,
		    .url = cases[i].url,
		    .headers = cases[i].headers,
		    .body = cases[i].body,
		    .body_len = cases[i].body ? strlen(cases[i].body) : 0,
		    .timeout_ms = 3000,
		};
		struct outbound_answer a;
		char err[DELIVERY_ERROR_MAX] = "unchanged";
		enum delivery d = outbound_http(&q, &a, err, sizeof err);
		EXPECT_INT(d, cases[i].want, unit_esc(cases[i].url));
		EXPECT_INT(a.status, 0, "no status");
		EXPECT_INT(a.body.len, 0, "no body");
		EXPECT(*err && strcmp(err, "unchanged") != 0, "%s: a reason",
		       unit_esc(cases[i].url));
		str_release(&a.body);
	}
	/* A header line that would split into two is refused before anything is sent. */
	static const char *const split[] = {"X-A: 1\r\nX-B: 2", NULL};
	const struct outbound_request q = {
	    .method = "POST", .url = CLOSED_URL, .headers = split, .body = "x", .body_len = 1};
	struct outbound_answer a;
	char err[DELIVERY_ERROR_MAX];
	EXPECT_INT(outbound_http(&q, &a, err, sizeof err), DELIVERY_PERMANENT, "split header");
	str_release(&a.body);
	/* No room for the reason is fine. */
	EXPECT_INT(outbound_http(&q, &a, NULL, 0), DELIVERY_PERMANENT, "no err");
	str_release(&a.body);
	EXPECT_ALL();
}

static void test_send(void **state)
{
	(void)state;
	const struct sms_settings http = {
	    .adapter = "http",
	    .url = CLOSED_URL "send?to={{mobile}}",
	    .content_type = "application/json",
	    .body_template = "{\"text\":\"{{text}}\"}",
	    .auth_header = "Authorization: Bearer x",
	    .success_field = "code",
	    .success_value = "0",
	    .timeout_ms = 3000,
	};
	struct sms_settings s = http;
	char err[DELIVERY_ERROR_MAX];
	EXPECT_INT(sms_send(&s, "+8613800138000", "验证码 1", "outbox-1", err, sizeof err),
	           DELIVERY_RETRY, "gateway down");
	EXPECT(*err, "a reason when the gateway is down");
	s.method = "GET";
	s.body_template = NULL;
	EXPECT_INT(sms_send(&s, "+8613800138000", "t", "outbox-1", err, sizeof err), DELIVERY_RETRY,
	           "GET, gateway down");
	s.url = "ftp://127.0.0.1:1/{{mobile}}";
	EXPECT_INT(sms_send(&s, "+8613800138000", "t", "outbox-1", err, sizeof err),
	           DELIVERY_PERMANENT, "not http");
	s = http;
	s.auth_header = "Authorization: x\r\nX-Evil: 1";
	EXPECT_INT(sms_send(&s, "+8613800138000", "t", "outbox-1", err, sizeof err),
	           DELIVERY_PERMANENT, "split auth header");

	/* The development adapter logs and counts the message as sent. */
	const struct sms_settings logged = {.adapter = "log"};
	strcpy(err, "unchanged");
	EXPECT_INT(
	    sms_send(&logged, "+8613800138000", "验证码\n123456", "outbox-2", err, sizeof err),
	    DELIVERY_OK, "log");
	EXPECT_STR(err, "", "no reason when sent");

	const struct sms_settings unknown = {.adapter = "carrier-pigeon"};
	EXPECT_INT(sms_send(&unknown, "+8613800138000", "t", "outbox-3", err, sizeof err),
	           DELIVERY_PERMANENT, "unknown adapter");
	EXPECT(strstr(err, "carrier-pigeon"), "the adapter named: %s", err);
	const struct sms_settings none = {.adapter = NULL};
	EXPECT_INT(sms_send(&none, "+8613800138000", "t", "outbox-4", err, sizeof err),
	           DELIVERY_PERMANENT, "no adapter");
	EXPECT_ALL();
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* The closed port the tests call is on this host. */
	outbound_hosts_configure("127.0.0.1");
	log_threshold = LOG_INFO;
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_normalise),        UNIT_TEST(test_expand), UNIT_TEST(test_judge_status),
	    UNIT_TEST(test_outbound_refused), UNIT_TEST(test_send),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
