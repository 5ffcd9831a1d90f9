#include "mail.h"
#include "outbound_hosts.h"

#include "core/text.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/*
 * Header lines fold before this column: RFC 2047 caps lines holding encoded words at 76,
 * and keeping every header under it keeps one rule for all of them.
 */
#define LINE_SOFT 76
/* RFC 2047: an encoded word is at most 75 characters, 12 of them "=?UTF-8?B?" and "?=". */
#define WORD_MAX      75
#define WORD_OVERHEAD 12
#define WORD_BYTES    ((WORD_MAX - WORD_OVERHEAD) / 4 * 3)
/* 57 bytes are 76 base64 characters, RFC 2045's longest line. */
#define B64_LINE_BYTES 57
/*
 * An ASCII display name longer than this is sent as encoded words, which fold, so that no
 * quoted string can make a line past RFC 5322's 998.
 */
#define NAME_PLAIN_MAX 60
/*
 * filename*= stays one parameter (what every mailer reads) while it fits a line of 998; a
 * longer one (a name of a hundred Chinese characters) goes in RFC 2231 sections short enough
 * for a line of 76.
 */
#define PCT_ONE_MAX            900
#define PCT_SECTION_MAX        48
#define DEFAULT_TIMEOUT_MS     60000L
#define CONNECT_TIMEOUT_MAX_MS 10000L

/* A header being written, tracking its current line so that words can fold before LINE_SOFT. */
struct hdr {
	struct str *out;
	size_t line; /* offset of the current line's start in out */
	bool fresh;  /* no word on this line yet: folding here would leave it empty */
};

static bool is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

static bool has_line_break(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

static bool is_empty(const char *s)
{
	return !s || !*s;
}

/* A run of dot-separated atoms (RFC 5322 dot-atom-text), as the local part of an address. */
static bool dot_atom_valid(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !is_atext((unsigned char)s[i]))
			return false;
	}
	return true;
}

/*
 * Host names only (no address literals) and in ASCII: the message is sent without SMTPUTF8, so
 * an internationalised domain must arrive here already as punycode.
 */
static bool domain_valid(const char *s, size_t n)
{
	size_t label = 0;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = i < n ? (unsigned char)s[i] : '.';
		if (c == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		bool alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (c != '-' || label == 0))
			return false;
		label++;
	}
	return true;
}

bool mail_address_valid(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	const char *at = strrchr(s, '@');
	if (n > 254 || !at)
		return false;
	size_t local = (size_t)(at - s);
	return local <= 64 && dot_atom_valid(s, local) && domain_valid(at + 1, n - local - 1);
}

static void hdr_begin(struct hdr *h, struct str *out, const char *name)
{
	h->out = out;
	h->line = out->len;
	h->fresh = true;
	str_adds(out, name);
	str_addc(out, ':');
}

static size_t hdr_col(const struct hdr *h)
{
	return h->out->len - h->line;
}

static void hdr_fold(struct hdr *h)
{
	str_adds(h->out, "\r\n");
	h->line = h->out->len;
	h->fresh = true;
}

/* One word after a space; it starts a new line if it would not end before LINE_SOFT. */
static void hdr_word(struct hdr *h, const char *w, size_t n)
{
	if (!h->fresh && n && hdr_col(h) + 1 + n > LINE_SOFT)
		hdr_fold(h);
	str_addc(h->out, ' ');
	str_add(h->out, w, n);
	h->fresh = false;
}

static void hdr_end(struct hdr *h)
{
	str_adds(h->out, "\r\n");
}

/* The longest prefix of s within max bytes that ends between characters (a stray byte is one). */
static size_t utf8_prefix(const char *s, size_t n, size_t max)
{
	size_t i = 0;
	while (i < n) {
		size_t c = utf8_seq_len((const unsigned char *)s + i, n - i);
		if (!c)
			c = 1;
		if (i + c > max)
			break;
		i += c;
	}
	return i;
}

/* How much of s the next encoded word may hold if it goes on the current line. */
static size_t word_take(const struct hdr *h, const char *s, size_t n, size_t glued)
{
	size_t col = hdr_col(h) + 1 + glued;
	size_t room = col < LINE_SOFT ? LINE_SOFT - col : 0;
	if (room > WORD_MAX)
		room = WORD_MAX;
	if (room <= WORD_OVERHEAD)
		return 0;
	return utf8_prefix(s, n, (room - WORD_OVERHEAD) / 4 * 3);
}

/*
 * s (n > 0) as RFC 2047 B-encoded words. Every word holds whole characters, because some
 * readers decode word by word. open is glued before the first word and close after the last
 * (the quotes around a parameter value).
 */
static void hdr_encoded(struct hdr *h, const char *s, size_t n, const char *open, const char *close)
{
	size_t i = 0;
	while (i < n) {
		/* The closing quote and the ';' after it stay within the line too. */
		size_t glued = (i == 0 ? strlen(open) : 0) + (*close ? strlen(close) + 1 : 0);
		size_t take = word_take(h, s + i, n - i, glued);
		if (!take) {
			if (!h->fresh)
				hdr_fold(h);
			take = utf8_prefix(s + i, n - i, WORD_BYTES);
		}
		char b64[sodium_base64_ENCODED_LEN(WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];
		sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + i, take,
		                  sodium_base64_VARIANT_ORIGINAL);
		str_addf(h->out, " %s=?UTF-8?B?%s?=", i == 0 ? open : "", b64);
		h->fresh = false;
		i += take;
	}
	str_adds(h->out, close);
}

/*
 * Whether s may stand as it is: printable ASCII, nothing a reader would take for an encoded
 * word, and no run without a space too long to fold.
 */
static bool plain_ascii(const char *s)
{
	size_t run = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p > 0x7e || (p[0] == '=' && p[1] == '?'))
			return false;
		run = *p == ' ' ? 0 : run + 1;
		if (run > LINE_SOFT - 10)
			return false;
	}
	return true;
}

/* Words separated by single spaces, each of atext only: a phrase that needs no quotes. */
static bool phrase_bare(const char *s)
{
	if (*s == ' ')
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == ' ' ? (p[1] == ' ' || p[1] == '\0') : !is_atext((unsigned char)*p))
			return false;
	}
	return true;
}

static void add_quoted(struct str *out, const char *s)
{
	str_addc(out, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			str_addc(out, '\\');
		str_addc(out, *s);
	}
	str_addc(out, '"');
}

/* "name" <addr>, the name bare, quoted or encoded as it needs; addr alone without a name. */
static void add_mailbox(struct str *out, const char *field, const char *name, const char *addr)
{
	struct hdr h;
	hdr_begin(&h, out, field);
	struct str tok = STR_INIT;
	if (is_empty(name)) {
		hdr_word(&h, addr, strlen(addr));
	} else {
		if (strlen(name) > NAME_PLAIN_MAX || !plain_ascii(name))
			hdr_encoded(&h, name, strlen(name), "", "");
		else if (phrase_bare(name))
			hdr_word(&h, name, strlen(name));
		else {
			add_quoted(&tok, name);
			hdr_word(&h, tok.buf, tok.len);
			str_reset(&tok);
		}
		str_addf(&tok, "<%s>", addr);
		hdr_word(&h, tok.buf, tok.len);
	}
	str_release(&tok);
	hdr_end(&h);
}

/* Split at spaces so that a long subject folds where it has them; unfolding gives it back. */
static void add_subject(struct str *out, const char *subject)
{
	struct hdr h;
	hdr_begin(&h, out, "Subject");
	if (!plain_ascii(subject)) {
		hdr_encoded(&h, subject, strlen(subject), "", "");
	} else if (*subject) {
		for (const char *p = subject;; p++) {
			size_t n = strcspn(p, " ");
			hdr_word(&h, p, n);
			p += n;
			if (!*p)
				break;
		}
	}
	hdr_end(&h);
}

/* Day and month names from tables: strftime's %a and %b follow the locale. */
static void add_date(struct str *out, int64_t ms)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	time_t t = ms > 0 ? (time_t)(ms / 1000) : time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	str_addf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
	         tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         tm.tm_sec);
}

static bool message_id_valid(const char *s)
{
	if (strlen(s) > 250 || !strchr(s, '@'))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x21 || *p > 0x7e || *p == '<' || *p == '>')
			return false;
	}
	return true;
}

/* An id of our own when the caller has none, in the sender's domain as RFC 5322 suggests. */
static void add_message_id(struct str *out, const char *id, const char *from)
{
	str_adds(out, "Message-ID: <");
	if (is_empty(id)) {
		unsigned char r[16];
		char hex[sizeof r * 2 + 1];
		randombytes_buf(r, sizeof r);
		str_adds(out, sodium_bin2hex(hex, sizeof hex, r, sizeof r));
		str_adds(out, strrchr(from, '@'));
	} else {
		str_adds(out, id);
	}
	str_adds(out, ">\r\n");
}

static void add_base64(struct str *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	char line[sodium_base64_ENCODED_LEN(B64_LINE_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	for (size_t i = 0; i < len; i += B64_LINE_BYTES) {
		size_t k = len - i < B64_LINE_BYTES ? len - i : B64_LINE_BYTES;
		sodium_bin2base64(line, sizeof line, p + i, k, sodium_base64_VARIANT_ORIGINAL);
		str_adds(out, line);
		str_adds(out, "\r\n");
	}
}

/* RFC 2046 wants text in canonical form, lines ending in CRLF, before it is encoded. */
static void add_text_part(struct str *out, const char *subtype, const char *text)
{
	str_addf(out,
	         "Content-Type: text/%s; charset=UTF-8\r\n"
	         "Content-Transfer-Encoding: base64\r\n\r\n",
	         subtype);
	struct str crlf = STR_INIT;
	for (const char *p = text; *p; p++) {
		if (*p == '\n' && (p == text || p[-1] != '\r'))
			str_addc(&crlf, '\r');
		str_addc(&crlf, *p);
	}
	add_base64(out, crlf.buf, crlf.len);
	str_release(&crlf);
}

/*
 * The delimiter takes the CRLF before it (RFC 2046), so each part's last line break stays its
 * own. Boundaries start with "=_", which base64 content cannot hold.
 */
static void add_delimiter(struct str *out, const char *boundary, bool last)
{
	str_addf(out, "\r\n--%s%s\r\n", boundary, last ? "--" : "");
}

/* The text and HTML as alternatives, or the one of them there is. */
static void add_content(struct str *out, const struct mail_message *m, const char *boundary)
{
	if (!m->text || !m->html) {
		add_text_part(out, m->text ? "plain" : "html", m->text ? m->text : m->html);
		return;
	}
	str_addf(out, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary);
	add_delimiter(out, boundary, false);
	add_text_part(out, "plain", m->text);
	add_delimiter(out, boundary, false);
	add_text_part(out, "html", m->html);
	add_delimiter(out, boundary, true);
}

static bool restricted_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$&-^_.+", c));
}

/*
 * type/subtype of RFC 6838's restricted-name characters, its parameters dropped; anything else
 * goes out as plain bytes, since a quote or a semicolon here could add parameters of its own.
 */
static void add_media_type(struct str *out, const char *type)
{
	size_t n = type ? strcspn(type, ";") : 0;
	while (n && type[n - 1] == ' ')
		n--;
	const char *slash = n ? memchr(type, '/', n) : NULL;
	bool ok = slash && slash != type && slash != type + n - 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = type + i == slash || restricted_char((unsigned char)type[i]);
	if (ok)
		str_add(out, type, n);
	else
		str_adds(out, "application/octet-stream");
}

/*
 * name="…" as the readers that predate RFC 2231 expect: quoted ASCII, or encoded words inside
 * the quotes (not standard, but what mailers send and read).
 */
static void add_name_param(struct hdr *h, const char *key, const char *name)
{
	struct str t = STR_INIT;
	if (plain_ascii(name)) {
		str_addf(&t, "%s=", key);
		add_quoted(&t, name);
		hdr_word(h, t.buf, t.len);
	} else {
		str_addf(&t, "%s=\"", key);
		hdr_encoded(h, name, strlen(name), t.buf, "\"");
	}
	str_release(&t);
}

/* RFC 2231 sections key*0*=UTF-8''…; key*1*=…, each ending between characters. */
static void add_ext_sections(struct hdr *h, const char *key, const char *name)
{
	struct str t = STR_INIT, pct = STR_INIT;
	size_t n = strlen(name), section = 0;
	for (size_t i = 0; i < n; section++) {
		str_reset(&pct);
		while (i < n) {
			char ch[5] = "";
			size_t k = utf8_prefix(name + i, n - i, 4), before = pct.len;
			memcpy(ch, name + i, k);
			str_add_urlenc(&pct, ch);
			if (before && pct.len > PCT_SECTION_MAX) {
				str_truncate(&pct, before);
				break;
			}
			i += k;
		}
		str_reset(&t);
		str_addf(&t, "%s*%zu*=%s%s%s", key, section, section ? "" : "UTF-8''", pct.buf,
		         i < n ? ";" : "");
		hdr_word(h, t.buf, t.len);
	}
	str_release(&pct);
	str_release(&t);
}

/* key*=UTF-8''… (RFC 2231), the form current readers prefer over the plain parameter. */
static void add_ext_param(struct hdr *h, const char *key, const char *name)
{
	struct str pct = STR_INIT, t = STR_INIT;
	str_add_urlenc(&pct, name);
	if (pct.len <= PCT_ONE_MAX) {
		str_addf(&t, "%s*=UTF-8''%s", key, pct.buf);
		hdr_word(h, t.buf, t.len);
	} else {
		add_ext_sections(h, key, name);
	}
	str_release(&t);
	str_release(&pct);
}

static void add_attachment(struct str *out, const struct mail_attachment *a)
{
	struct hdr h;
	struct str type = STR_INIT;
	add_media_type(&type, a->content_type);
	bool named = !is_empty(a->name);
	if (named)
		str_addc(&type, ';');
	hdr_begin(&h, out, "Content-Type");
	hdr_word(&h, type.buf, type.len);
	if (named)
		add_name_param(&h, "name", a->name);
	hdr_end(&h);
	hdr_begin(&h, out, "Content-Disposition");
	hdr_word(&h, named ? "attachment;" : "attachment", named ? 11 : 10);
	if (named) {
		add_name_param(&h, "filename", a->name);
		str_addc(out, ';');
		add_ext_param(&h, "filename", a->name);
	}
	hdr_end(&h);
	str_adds(out, "Content-Transfer-Encoding: base64\r\n\r\n");
	add_base64(out, a->data, a->len);
	str_release(&type);
}

/*
 * What makes m unsendable, or NULL. A header value with a line break is refused rather than
 * cleaned: it could only come from a bug or an attempt to add headers.
 */
static const char *check(const struct mail_settings *s, const struct mail_message *m)
{
	if (!mail_address_valid(s->from_address))
		return "invalid sender address";
	if (!mail_address_valid(m->to_address))
		return "invalid recipient address";
	if (!m->text && !m->html)
		return "no text and no html";
	if (has_line_break(s->from_name) || has_line_break(m->to_name) ||
	    has_line_break(m->subject))
		return "line break in a header value";
	if (!is_empty(m->message_id) && !message_id_valid(m->message_id))
		return "invalid message id";
	for (size_t i = 0; i < m->n_attachments; i++) {
		const struct mail_attachment *a = &m->attachments[i];
		if (has_line_break(a->name) || has_line_break(a->content_type))
			return "line break in an attachment's name or type";
		if (a->len && !a->data)
			return "attachment without data";
	}
	return NULL;
}

static void add_headers(struct str *out, const struct mail_settings *s,
                        const struct mail_message *m)
{
	add_date(out, m->date_ms);
	add_mailbox(out, "From", s->from_name, s->from_address);
	add_mailbox(out, "To", m->to_name, m->to_address);
	add_subject(out, m->subject ? m->subject : "");
	add_message_id(out, m->message_id, s->from_address);
	str_adds(out, "MIME-Version: 1.0\r\n");
}

static void add_body(struct str *out, const struct mail_message *m)
{
	unsigned char r[8];
	char hex[sizeof r * 2 + 1], mixed[40], alt[40];
	randombytes_buf(r, sizeof r);
	sodium_bin2hex(hex, sizeof hex, r, sizeof r);
	snprintf(mixed, sizeof mixed, "=_sextant_m_%s", hex);
	snprintf(alt, sizeof alt, "=_sextant_a_%s", hex);
	if (!m->n_attachments) {
		add_content(out, m, alt);
		return;
	}
	str_addf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", mixed);
	add_delimiter(out, mixed, false);
	add_content(out, m, alt);
	for (size_t i = 0; i < m->n_attachments; i++) {
		add_delimiter(out, mixed, false);
		add_attachment(out, &m->attachments[i]);
	}
	add_delimiter(out, mixed, true);
}

static int build(const struct mail_settings *s, const struct mail_message *m, struct str *out,
                 const char **why)
{
	*why = check(s, m);
	if (*why)
		return -1;
	size_t start = out->len;
	add_headers(out, s, m);
	add_body(out, m);
	if (out->toobig) {
		str_truncate(out, start);
		*why = "message too large";
		return -1;
	}
	return 0;
}

int mail_build(const struct mail_settings *s, const struct mail_message *m, struct str *out)
{
	const char *why;
	return build(s, m, out, &why);
}

/* The message as libcurl reads it. */
struct upload {
	const char *p;
	size_t left;
};

static size_t upload_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nitems < u->left ? size * nitems : u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/*
 * The server's last refusal (4xx, 5xx), for the error text; its "221 Bye" to the QUIT that
 * follows says nothing. Only what comes in is looked at: what goes out holds the credentials.
 */
static int keep_reply(CURL *c, curl_infotype type, char *data, size_t n, void *arg)
{
	(void)c;
	char *reply = arg;
	if (type != CURLINFO_HEADER_IN || n == 0 || (data[0] != '4' && data[0] != '5'))
		return 0;
	size_t k = 0;
	while (k < n && k < CURL_ERROR_SIZE - 1 && data[k] != '\r' && data[k] != '\n')
		k++;
	memcpy(reply, data, k);
	reply[k] = '\0';
	return 0;
}

/* CURLUSESSL_ALL for both TLS modes, so that a mistyped smtp:// URL never sends in clear. */
static bool tls_mode(const char *tls, long *use_ssl)
{
	if (is_empty(tls) || strcmp(tls, "none") == 0)
		*use_ssl = CURLUSESSL_NONE;
	else if (strcmp(tls, "starttls") == 0 || strcmp(tls, "tls") == 0)
		*use_ssl = CURLUSESSL_ALL;
	else
		return false;
	return true;
}

/* Settings no attempt can succeed with, whatever the server: final like a refused login. */
static const char *settings_problem(const struct mail_settings *s, long *use_ssl)
{
	if (is_empty(s->url))
		return "no url";
	if (strncasecmp(s->url, "smtp://", 7) != 0 && strncasecmp(s->url, "smtps://", 8) != 0)
		return "the url is not smtp:// or smtps://";
	if (!tls_mode(s->tls, use_ssl))
		return "unknown tls mode";
	return NULL;
}

static void set_options(CURL *c, const struct mail_settings *s, long use_ssl,
                        struct curl_slist *rcpt, const char *from)
{
	long timeout = s->timeout_ms > 0 ? s->timeout_ms : DEFAULT_TIMEOUT_MS;
	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	                 timeout < CONNECT_TIMEOUT_MAX_MS ? timeout : CONNECT_TIMEOUT_MAX_MS);
	/* Else libcurl times name look-ups out with SIGALRM, which a threaded server cannot take.
	 */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (outbound_tls_ca_file())
		curl_easy_setopt(c, CURLOPT_CAINFO, outbound_tls_ca_file());
	if (!is_empty(s->username)) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password ? s->password : "");
	}
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, keep_reply);
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
}

/*
 * 5xx is final by SMTP's own definition and so is refused authentication; everything else
 * (4xx, no answer, a lost connection, a time-out) may go through later.
 */
static enum delivery classify(CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		return DELIVERY_OK;
	if (rc == CURLE_LOGIN_DENIED || (code >= 500 && code <= 599))
		return DELIVERY_PERMANENT;
	return DELIVERY_RETRY;
}

static void describe(char *err, size_t n, CURLcode rc, const char *detail, const char *reply)
{
	snprintf(err, n, "%s%s%s (curl %d)%s%s", curl_easy_strerror(rc), *detail ? ": " : "",
	         detail, (int)rc, *reply ? "; server replied: " : "", reply);
}

static enum delivery transfer(const struct mail_settings *s, const struct mail_message *m,
                              long use_ssl, const struct str *msg, char *err, size_t n)
{
	char from[300], to[300], detail[CURL_ERROR_SIZE] = "", reply[CURL_ERROR_SIZE] = "";
	snprintf(from, sizeof from, "<%s>", s->from_address);
	snprintf(to, sizeof to, "<%s>", m->to_address);
	CURL *c = curl_easy_init();
	struct curl_slist *rcpt = curl_slist_append(NULL, to);
	if (!c || !rcpt) {
		curl_slist_free_all(rcpt);
		curl_easy_cleanup(c);
		snprintf(err, n, "cannot start libcurl");
		return DELIVERY_RETRY;
	}
	struct upload u = {msg->buf, msg->len};
	set_options(c, s, use_ssl, rcpt, from);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, reply);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	enum delivery d = classify(rc, code);
	if (d != DELIVERY_OK)
		describe(err, n, rc, detail, reply);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return d;
}

enum delivery mail_send(const struct mail_settings *s, const struct mail_message *m, char *err,
                        size_t n)
{
	char dummy[1];
	if (!err || !n) {
		err = dummy;
		n = sizeof dummy;
	}
	err[0] = '\0';
	long use_ssl;
	const char *bad = settings_problem(s, &use_ssl);
	if (bad) {
		snprintf(err, n, "mail settings: %s", bad);
		return DELIVERY_PERMANENT;
	}
	struct str msg = STR_INIT;
	const char *why;
	enum delivery d;
	if (build(s, m, &msg, &why) < 0) {
		snprintf(err, n, "message not built: %s", why);
		d = DELIVERY_PERMANENT;
	} else {
		d = transfer(s, m, use_ssl, &msg, err, n);
	}
	str_release(&msg);
	return d;
}
