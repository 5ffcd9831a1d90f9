/* services/mail: addresses, the message as built (encoded words, alternatives, attachments with
 * Chinese names, line lengths, header injection) and a send to a port nobody listens on. */
#include "unit.h"

#include "core/text.h"
#include "core/util.h"
#include "services/mail.h"

#include <curl/curl.h>
#include <sodium.h>

static const struct mail_settings settings = {
    .url = "smtp://127.0.0.1:1",
    .tls = "none",
    .from_address = "crm@sextant.example",
    .from_name = "Sextant CRM",
    .timeout_ms = 5000,
};

/* 2026-11-27T01:09:16Z */
#define DATE_MS 1795741756000LL

static struct mail_message message(const char *subject)
{
	return (struct mail_message){
	    .to_address = "zhang.san@example.cn",
	    .to_name = "张三",
	    .subject = subject,
	    .text = "你好\n第二行",
	    .message_id = "outbox-42@sextant.example",
	    .date_ms = DATE_MS,
	};
}

/* The value of a header field, unfolded (the CRLF before each continuation line removed). */
static bool header(const char *msg, const char *name, struct str *out)
{
	str_reset(out);
	size_t nl = strlen(name);
	const char *end = strstr(msg, "\r\n\r\n");
	for (const char *p = msg; p && p < end; p = strstr(p, "\r\n"), p = p ? p + 2 : p) {
		if (strncmp(p, name, nl) != 0 || p[nl] != ':')
			continue;
		p += nl + 1;
		for (;;) {
			size_t n = strcspn(p, "\r");
			str_add(out, p, n);
			p += n + 2;
			if (*p != ' ' && *p != '\t')
				return true;
		}
	}
	return false;
}

static bool whole_characters(const unsigned char *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k) {
		k = utf8_seq_len(s + i, n - i);
		if (!k)
			return false;
	}
	return true;
}

/*
 * Decode a run of encoded words separated by spaces; false if something else is in it or a
 * word is longer than 75 or holds a broken character. *words gets how many there were.
 */
static bool decode_words(const char *v, struct str *out, size_t *words)
{
	str_reset(out);
	*words = 0;
	while (*v) {
		while (*v == ' ')
			v++;
		size_t n = strcspn(v, " ");
		if (n > 75 || n < 12 || strncmp(v, "=?UTF-8?B?", 10) != 0 || v[n - 2] != '?' ||
		    v[n - 1] != '=')
			return false;
		unsigned char bin[64];
		size_t len;
		if (sodium_base642bin(bin, sizeof bin, v + 10, n - 12, NULL, &len, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    !whole_characters(bin, len))
			return false;
		str_add(out, bin, len);
		(*words)++;
		v += n;
	}
	return true;
}

/* Every line ends in CRLF and is at most 998 characters long; lines with encoded words ≤ 76. */
static void check_lines(const char *msg, const char *what)
{
	size_t line = 1;
	for (const char *p = msg; *p; line++) {
		size_t n = strcspn(p, "\n");
		EXPECT(p[n] == '\n' && n > 0 && p[n - 1] == '\r', "%s: line %zu without CRLF", what,
		       line);
		EXPECT(n - 1 <= 998, "%s: line %zu has %zu characters", what, line, n - 1);
		const char *ew = strstr(p, "=?UTF-8?B?");
		if (ew && ew < p + n)
			EXPECT(n - 1 <= 76, "%s: line %zu with encoded words has %zu characters",
			       what, line, n - 1);
		p += n + (p[n] == '\n');
	}
}

/* The decoded body of the first part after `marker` (base64 up to the next boundary line). */
static bool part_body(const char *msg, const char *marker, struct str *out)
{
	str_reset(out);
	const char *p = strstr(msg, marker);
	p = p ? strstr(p, "\r\n\r\n") : NULL;
	if (!p)
		return false;
	struct str b64 = STR_INIT;
	for (p += 4; *p && strncmp(p, "--", 2) != 0; p += strcspn(p, "\n") + 1) {
		size_t n = strcspn(p, "\r");
		EXPECT(n <= 76, "base64 line of %zu", n);
		str_add(&b64, p, n);
		if (!p[strcspn(p, "\n")])
			break;
	}
	size_t cap = b64.len / 4 * 3 + 3, len = 0;
	str_grow(out, cap);
	int rc = sodium_base642bin((unsigned char *)out->buf, cap, b64.buf, b64.len, NULL, &len,
	                           NULL, sodium_base64_VARIANT_ORIGINAL);
	out->len = rc == 0 ? len : 0;
	out->buf[out->len] = '\0';
	str_release(&b64);
	return rc == 0;
}

static void test_address(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
	    {"a@b.c", true},
	    {"zhang.san@example.cn", true},
	    {"first.last+tag@sub.example.com", true},
	    {"o'brien@example.ie", true},
	    {"x_y-z=1@a-b.example", true},
	    {"root@localhost", true},
	    {"UPPER@EXAMPLE.COM", true},
	    {NULL, false},
	    {"", false},
	    {"plain", false},
	    {"@example.com", false},
	    {"a@", false},
	    {"a@@example.com", false},
	    {"a@b@example.com", false},
	    {"a b@example.com", false},
	    {"a@exa mple.com", false},
	    {"<a@example.com>", false},
	    {"a@example.com>", false},
	    {"\"a\"@example.com", false},
	    {".a@example.com", false},
	    {"a.@example.com", false},
	    {"a..b@example.com", false},
	    {"a@.example.com", false},
	    {"a@example.com.", false},
	    {"a@example..com", false},
	    {"a@-example.com", false},
	    {"a@example-.com", false},
	    {"a@[127.0.0.1]", false},
	    {"张三@example.cn", false},
	    {"a@例子.中国", false},
	    {"a@example.com\r\nBcc: x@y.z", false},
	    {"a,b@example.com", false},
	    {"a@exa_mple.com", false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT(mail_address_valid(cases[i].s) == cases[i].ok, "%s: want %s",
		       unit_esc(cases[i].s), cases[i].ok ? "valid" : "invalid");

	/* Lengths: 64 for the local part, 254 in all. */
	char a[300];
	memset(a, 'x', 64);
	strcpy(a + 64, "@example.com");
	EXPECT(mail_address_valid(a), "local part of 64");
	memset(a, 'x', 65);
	strcpy(a + 65, "@example.com");
	EXPECT(!mail_address_valid(a), "local part of 65");
	strcpy(a, "x@");
	for (int i = 0; i < 4; i++)
		strcat(a, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(a, "com");
	EXPECT_INT(strlen(a), 253, "long address");
	EXPECT(mail_address_valid(a), "address of 253");
	strcat(a, "x");
	EXPECT(mail_address_valid(a), "address of 254");
	strcat(a, "x");
	EXPECT(!mail_address_valid(a), "address of 255");
	char label[80] = "a@";
	memset(label + 2, 'b', 64);
	strcpy(label + 66, ".com");
	EXPECT(!mail_address_valid(label), "label of 64");
	EXPECT_ALL();
}

static void test_headers(void **state)
{
	(void)state;
	struct mail_message m = message("Hello");
	struct str out = STR_INIT, v = STR_INIT;
	assert_int_equal(mail_build(&settings, &m, &out), 0);
	check_lines(out.buf, "plain headers");
	EXPECT(header(out.buf, "Date", &v), "Date");
	EXPECT_STR(v.buf, " Fri, 27 Nov 2026 01:09:16 +0000", "Date");
	EXPECT(header(out.buf, "From", &v), "From");
	EXPECT_STR(v.buf, " Sextant CRM <crm@sextant.example>", "From");
	EXPECT(header(out.buf, "Subject", &v), "Subject");
	EXPECT_STR(v.buf, " Hello", "Subject");
	EXPECT(header(out.buf, "Message-ID", &v), "Message-ID");
	EXPECT_STR(v.buf, " <outbox-42@sextant.example>", "Message-ID");
	EXPECT(header(out.buf, "MIME-Version", &v), "MIME-Version");
	EXPECT_STR(v.buf, " 1.0", "MIME-Version");
	/* One part only: it is the message's own content, no multipart. */
	EXPECT(header(out.buf, "Content-Type", &v), "Content-Type");
	EXPECT_STR(v.buf, " text/plain; charset=UTF-8", "Content-Type");
	EXPECT(!strstr(out.buf, "multipart"), "no multipart");
	EXPECT(part_body(out.buf, "Content-Type: text/plain", &v), "text body");
	EXPECT_STR(v.buf, "你好\r\n第二行", "text in canonical form");

	/* ASCII names that need quotes get them, with their quotes escaped. */
	static const struct {
		const char *name, *want;
	} names[] = {
	    {"Smith, John", " \"Smith, John\" <crm@sextant.example>"},
	    {"A \"B\" \\C", " \"A \\\"B\\\" \\\\C\" <crm@sextant.example>"},
	    {"a  b", " \"a  b\" <crm@sextant.example>"},
	    {" lead", " \" lead\" <crm@sextant.example>"},
	    {"O'Brien", " O'Brien <crm@sextant.example>"},
	    {"", " crm@sextant.example"},
	    {NULL, " crm@sextant.example"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct mail_settings s = settings;
		s.from_name = names[i].name;
		str_reset(&out);
		assert_int_equal(mail_build(&s, &m, &out), 0);
		header(out.buf, "From", &v);
		EXPECT_STR(v.buf, names[i].want, unit_esc(names[i].name));
	}

	/* Long ASCII subjects fold at their spaces and unfold to themselves. */
	const char *longsub = "Quarterly report for the northern region sales team, with the "
	                      "figures of October, November and December  (two spaces)";
	m.subject = longsub;
	str_reset(&out);
	assert_int_equal(mail_build(&settings, &m, &out), 0);
	check_lines(out.buf, "long ASCII subject");
	header(out.buf, "Subject", &v);
	EXPECT(v.buf[0] == ' ' && strcmp(v.buf + 1, longsub) == 0, "long subject: [%s]", v.buf);
	EXPECT(strstr(out.buf, "\r\nSubject: Quarterly") && strstr(out.buf, " the\r\n figures of"),
	       "long subject folded");

	/* No date: now. No id: one of our own in the sender's domain. */
	m.date_ms = 0;
	m.message_id = NULL;
	str_reset(&out);
	assert_int_equal(mail_build(&settings, &m, &out), 0);
	header(out.buf, "Message-ID", &v);
	EXPECT(v.len == 1 + 1 + 32 + 16 + 1 && strstr(v.buf, "@sextant.example>"), "own id: [%s]",
	       v.buf);
	header(out.buf, "Date", &v);
	EXPECT(!strstr(v.buf, "1970"), "date now: [%s]", v.buf);
	str_release(&out);
	str_release(&v);
	EXPECT_ALL();
}

static void test_chinese_subject(void **state)
{
	(void)state;
	/* 3-byte characters, a 4-byte one, and ASCII, so no word splits a character. */
	const char *subject =
	    "关于二〇二六年第四季度华东区销售目标调整及客户回访安排的通知（请于本周五前"
	    "确认）😀 Sextant CRM 上海海韵贸易有限公司";
	struct mail_message m = message(subject);
	struct str out = STR_INIT, v = STR_INIT, dec = STR_INIT;
	assert_int_equal(mail_build(&settings, &m, &out), 0);
	check_lines(out.buf, "Chinese subject");
	EXPECT(header(out.buf, "Subject", &v), "Subject");
	size_t words = 0;
	EXPECT(decode_words(v.buf, &dec, &words), "subject words: [%s]", v.buf);
	EXPECT_STR(dec.buf, subject, "subject round trip");
	EXPECT(words >= 3, "%zu encoded words", words);
	EXPECT(strstr(out.buf, "\r\nSubject: =?UTF-8?B?"), "subject starts on its line");

	/* Every split point, from one character to many. */
	char s[400] = "";
	for (int i = 0; i < 40; i++) {
		strcat(s, i % 7 == 3 ? "a" : "中");
		m.subject = s;
		str_reset(&out);
		assert_int_equal(mail_build(&settings, &m, &out), 0);
		header(out.buf, "Subject", &v);
		EXPECT(decode_words(v.buf, &dec, &words) && strcmp(dec.buf, s) == 0,
		       "subject of %d characters: [%s]", i + 1, v.buf);
		check_lines(out.buf, s);
	}

	/* Names, the sender's and the recipient's. */
	struct mail_settings st = settings;
	st.from_name = "上海海韵贸易有限公司销售部";
	m.to_name = "张三（华东区经理）";
	m.subject = "你好";
	str_reset(&out);
	assert_int_equal(mail_build(&st, &m, &out), 0);
	check_lines(out.buf, "Chinese names");
	header(out.buf, "From", &v);
	const char *lt = strstr(v.buf, " <");
	EXPECT(lt && strcmp(lt, " <crm@sextant.example>") == 0, "From address: [%s]", v.buf);
	if (lt)
		str_truncate(&v, (size_t)(lt - v.buf));
	EXPECT(decode_words(v.buf, &dec, &words), "From words: [%s]", v.buf);
	EXPECT_STR(dec.buf, st.from_name, "From name");
	header(out.buf, "To", &v);
	lt = strstr(v.buf, " <");
	EXPECT(lt && strcmp(lt, " <zhang.san@example.cn>") == 0, "To address: [%s]", v.buf);
	if (lt)
		str_truncate(&v, (size_t)(lt - v.buf));
	EXPECT(decode_words(v.buf, &dec, &words), "To words: [%s]", v.buf);
	EXPECT_STR(dec.buf, m.to_name, "To name");

	/* ASCII that looks like an encoded word is encoded, not sent for a reader to decode. */
	m.subject = "=?UTF-8?B?5Lit?=";
	str_reset(&out);
	assert_int_equal(mail_build(&settings, &m, &out), 0);
	header(out.buf, "Subject", &v);
	EXPECT(decode_words(v.buf, &dec, &words) && strcmp(dec.buf, m.subject) == 0,
	       "encoded-word lookalike: [%s]", v.buf);
	str_release(&out);
	str_release(&v);
	str_release(&dec);
	EXPECT_ALL();
}

static void test_alternative(void **state)
{
	(void)state;
	struct mail_message m = message("报价单");
	m.text = "您好，\n\n附件是报价单。\n";
	m.html = "<p>您好，</p>\n<p>附件是<b>报价单</b>。</p>";
	struct str out = STR_INIT, v = STR_INIT;
	assert_int_equal(mail_build(&settings, &m, &out), 0);
	check_lines(out.buf, "alternative");
	header(out.buf, "Content-Type", &v);
	EXPECT(strncmp(v.buf, " multipart/alternative; boundary=\"=_sextant_", 44) == 0,
	       "Content-Type: [%s]", v.buf);
	const char *b = strstr(v.buf, "boundary=\"");
	char boundary[80] = "";
	if (b)
		snprintf(boundary, sizeof boundary, "\r\n--%.*s", (int)strcspn(b + 10, "\""),
		         b + 10);
	const char *text = strstr(out.buf, "Content-Type: text/plain; charset=UTF-8");
	const char *html = strstr(out.buf, "Content-Type: text/html; charset=UTF-8");
	EXPECT(text && html && text < html, "text before html");
	EXPECT(part_body(out.buf, "Content-Type: text/plain", &v), "text body");
	EXPECT_STR(v.buf, "您好，\r\n\r\n附件是报价单。\r\n", "text");
	EXPECT(part_body(out.buf, "Content-Type: text/html", &v), "html body");
	EXPECT_STR(v.buf, "<p>您好，</p>\r\n<p>附件是<b>报价单</b>。</p>", "html");
	/* Three delimiters, the last one closing, and the boundary nowhere else. */
	size_t count = 0;
	for (const char *p = out.buf; (p = strstr(p, boundary)); p++)
		count++;
	EXPECT_INT(count, 3, "delimiters");
	strcat(boundary, "--\r\n");
	EXPECT(strstr(out.buf, boundary), "closing delimiter");
	EXPECT(!strstr(out.buf, "multipart/mixed"), "no mixed without attachments");

	/* HTML alone. */
	m.text = NULL;
	str_reset(&out);
	assert_int_equal(mail_build(&settings, &m, &out), 0);
	header(out.buf, "Content-Type", &v);
	EXPECT_STR(v.buf, " text/html; charset=UTF-8", "HTML alone");
	str_release(&out);
	str_release(&v);
	EXPECT_ALL();
}

static void test_attachment(void **state)
{
	(void)state;
	unsigned char pdf[300];
	for (size_t i = 0; i < sizeof pdf; i++)
		pdf[i] = (unsigned char)(i * 7);
	char longname[1024] = "";
	for (int i = 0; i < 250; i++)
		strcat(longname, "报");
	strcat(longname, ".pdf");
	const struct mail_attachment att[] = {
	    {"季度报告.pdf", "application/pdf", pdf, sizeof pdf},
	    {"notes \"v2\".txt", "text/plain; charset=UTF-8", "hi\n", 3},
	    {longname, "application/x-evil\"; name=\"x.exe", "", 0},
	};
	struct mail_message m = message("附件");
	m.html = "<p>见附件</p>";
	m.attachments = att;
	m.n_attachments = ARRAY_SIZE(att);
	struct str out = STR_INIT, v = STR_INIT, dec = STR_INIT;
	assert_int_equal(mail_build(&settings, &m, &out), 0);
	check_lines(out.buf, "attachments");
	header(out.buf, "Content-Type", &v);
	EXPECT(strncmp(v.buf, " multipart/mixed; boundary=\"=_sextant_", 38) == 0,
	       "Content-Type: [%s]", v.buf);
	EXPECT(strstr(out.buf, "Content-Type: multipart/alternative"), "alternative inside");

	const char *first = strstr(out.buf, "Content-Type: application/pdf;");
	EXPECT(first != NULL, "pdf part");
	EXPECT(strstr(out.buf, "filename*=UTF-8''%E5%AD%A3%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf\r\n"),
	       "RFC 2231 name");
	EXPECT(part_body(out.buf, "filename*=UTF-8''%E5%AD%A3", &dec), "pdf body");
	EXPECT(dec.len == sizeof pdf && memcmp(dec.buf, pdf, sizeof pdf) == 0, "pdf bytes");
	/* The plain fallbacks: encoded words inside quotes. */
	if (first) {
		header(first, "Content-Type", &v);
		const char *q = strstr(v.buf, "name=\"");
		EXPECT(q && v.buf[v.len - 1] == '"', "name param: [%s]", v.buf);
		size_t words;
		if (q) {
			str_truncate(&v, v.len - 1);
			EXPECT(decode_words(q + 6, &dec, &words), "name words: [%s]", q);
			EXPECT_STR(dec.buf, "季度报告.pdf", "name param");
		}
		header(first, "Content-Disposition", &v);
		EXPECT(strncmp(v.buf, " attachment; filename=\"=?UTF-8?B?", 33) == 0,
		       "Content-Disposition: [%s]", v.buf);
	}
	EXPECT(strstr(out.buf, "Content-Type: text/plain; name=\"notes \\\"v2\\\".txt\""),
	       "ASCII name quoted, parameters of the type dropped");
	EXPECT(strstr(out.buf, "filename*=UTF-8''notes%20%22v2%22.txt"), "ASCII name in 2231");
	EXPECT(part_body(out.buf, "filename*=UTF-8''notes", &dec), "text attachment body");
	EXPECT_STR(dec.buf, "hi\n", "attachment bytes as they are");

	/* A type that would add parameters goes out as bytes; a very long name in sections. */
	EXPECT(!strstr(out.buf, "x-evil") && !strstr(out.buf, "x.exe"), "type refused");
	const char *sect = strstr(out.buf, "filename*0*=UTF-8''%E6%8A%A5");
	EXPECT(sect != NULL, "RFC 2231 sections");
	if (sect) {
		header(strstr(out.buf, "Content-Type: application/octet-stream"),
		       "Content-Disposition", &v);
		struct str pct = STR_INIT;
		const char *p = v.buf;
		for (int i = 0;; i++) {
			char key[32];
			snprintf(key, sizeof key, i ? "filename*%d*=" : "filename*%d*=UTF-8''", i);
			p = strstr(p, key);
			if (!p)
				break;
			p += strlen(key);
			str_add(&pct, p, strcspn(p, "; "));
		}
		struct str want = STR_INIT;
		str_add_urlenc(&want, longname);
		EXPECT_STR(pct.buf, want.buf, "sections joined");
		str_release(&want);
		str_release(&pct);
	}
	str_release(&out);
	str_release(&v);
	str_release(&dec);
	EXPECT_ALL();
}

static void test_refused(void **state)
{
	(void)state;
	const struct mail_attachment bad_name[] = {{"a\r\nb.pdf", "application/pdf", "x", 1}};
	const struct mail_attachment bad_type[] = {{"a.pdf", "text/plain\nX: y", "x", 1}};
	const struct mail_attachment no_data[] = {{"a.pdf", "application/pdf", NULL, 5}};
	static const char *const what[] = {
	    "CRLF in subject",     "LF in subject",        "CR in to name",
	    "LF in from name",     "bad recipient",        "no recipient",
	    "bad sender",          "no text nor html",     "message id with space",
	    "message id brackets", "attachment name CRLF", "attachment type LF",
	    "attachment no data",
	};
	struct str out = STR_INIT;
	str_adds(&out, "kept");
	for (size_t i = 0; i < ARRAY_SIZE(what); i++) {
		struct mail_settings s = settings;
		struct mail_message m = message("ok");
		switch (i) {
		case 0:
			m.subject = "Hi\r\nBcc: victim@example.com";
			break;
		case 1:
			m.subject = "Hi\nthere";
			break;
		case 2:
			m.to_name = "张三\r";
			break;
		case 3:
			s.from_name = "CRM\nBcc: x@example.com";
			break;
		case 4:
			m.to_address = "zhang san@example.cn";
			break;
		case 5:
			m.to_address = NULL;
			break;
		case 6:
			s.from_address = "crm";
			break;
		case 7:
			m.text = NULL;
			break;
		case 8:
			m.message_id = "a b@c";
			break;
		case 9:
			m.message_id = "<a@c>";
			break;
		case 10:
			m.attachments = bad_name;
			m.n_attachments = 1;
			break;
		case 11:
			m.attachments = bad_type;
			m.n_attachments = 1;
			break;
		case 12:
			m.attachments = no_data;
			m.n_attachments = 1;
			break;
		}
		EXPECT_INT(mail_build(&s, &m, &out), -1, what[i]);
		EXPECT_STR(out.buf, "kept", what[i]);
		char err[DELIVERY_ERROR_MAX] = "";
		EXPECT_INT(mail_send(&s, &m, err, sizeof err), DELIVERY_PERMANENT, what[i]);
		EXPECT(strncmp(err, "message not built: ", 19) == 0, "%s: [%s]", what[i], err);
	}

	/* A size cap on out: refused, out as it was. */
	struct mail_message m = message("big");
	char big[4096];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	m.text = big;
	out.max = 1000;
	EXPECT_INT(mail_build(&settings, &m, &out), -1, "too large");
	EXPECT_STR(out.buf, "kept", "too large");
	str_release(&out);
	EXPECT_ALL();
}

static void test_send(void **state)
{
	(void)state;
	struct mail_message m = message("你好");
	char err[DELIVERY_ERROR_MAX] = "";
	/* Nobody listens on port 1: try again later. */
	EXPECT_INT(mail_send(&settings, &m, err, sizeof err), DELIVERY_RETRY, "port 1");
	EXPECT(err[0] != '\0' && strstr(err, "(curl 7)"), "reason: [%s]", err);

	/* Settings that can never work are final. */
	struct mail_settings s = settings;
	s.tls = "sometimes";
	EXPECT_INT(mail_send(&s, &m, err, sizeof err), DELIVERY_PERMANENT, "unknown tls");
	EXPECT(strstr(err, "tls"), "reason: [%s]", err);
	s = settings;
	s.url = NULL;
	EXPECT_INT(mail_send(&s, &m, err, sizeof err), DELIVERY_PERMANENT, "no url");
	s.url = "http://127.0.0.1:1/";
	EXPECT_INT(mail_send(&s, &m, err, sizeof err), DELIVERY_PERMANENT, "other protocol");
	EXPECT(strstr(err, "smtp://"), "reason: [%s]", err);
	/* A short buffer is still terminated. */
	char tiny[8];
	EXPECT_INT(mail_send(&settings, &m, tiny, sizeof tiny), DELIVERY_RETRY, "tiny err");
	EXPECT_INT(strlen(tiny), 7, "tiny err");
	EXPECT_ALL();
}

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	curl_global_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_address),
	    UNIT_TEST(test_headers),
	    UNIT_TEST(test_chinese_subject),
	    UNIT_TEST(test_alternative),
	    UNIT_TEST(test_attachment),
	    UNIT_TEST(test_refused),
	    UNIT_TEST(test_send),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
