#include "sms.h"
#include "outbound.h"
#include "core/log.h"
#include "core/util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* More digits than any number has, with room for a "00" or "86" in front. */
#define DIGITS_MAX 20
/* Of a gateway's answer quoted in an error: enough to show its code and message. */

static const char form_type[] = "application/x-www-form-urlencoded";

/* ---- numbers ---- */

/* What people put between digits to make a number readable. */
static bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')' || c == '[' ||
	       c == ']';
}

/*
 * The digits of in into d (NUL-terminated) and whether a "+" came before them. False if
 * anything else is in it, a "+" comes after a digit or twice, or there are too many digits.
 */
static bool collect_digits(const char *in, char d[DIGITS_MAX + 1], size_t *len, bool *plus)
{
	size_t n = 0;
	*plus = false;
	for (; *in; in++) {
		if (*in >= '0' && *in <= '9') {
			if (n == DIGITS_MAX)
				return false;
			d[n++] = *in;
		} else if (*in == '+' && !n && !*plus) {
			*plus = true;
		} else if (!is_separator(*in)) {
			return false;
		}
	}
	d[n] = '\0';
	*len = n;
	return n > 0;
}

/* 11 digits, 1 then 3 to 9: the mobile ranges of mainland China (landlines start with 0). */
static bool mainland_mobile(const char *d, size_t len)
{
	return len == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

static bool starts_86(const char *d, size_t len)
{
	return len >= 2 && d[0] == '8' && d[1] == '6';
}

/* "+", the country code cc and the len digits at d into out. */
static bool put_number(char out[SMS_NUMBER_MAX], const char *cc, const char *d, size_t len)
{
	size_t c = strlen(cc);
	if (1 + c + len >= SMS_NUMBER_MAX)
		return false;
	out[0] = '+';
	memcpy(out + 1, cc, c);
	memcpy(out + 1 + c, d, len);
	out[1 + c + len] = '\0';
	return true;
}

/* e: the digits after the "+" or "00", country code first. */
static bool international(const char *e, size_t len, char out[SMS_NUMBER_MAX])
{
	/* China's own code is held to mainland mobiles, as if it had not been written. */
	if (starts_86(e, len) && !mainland_mobile(e + 2, len - 2))
		return false;
	/* No country code starts with 0; fewer than 8 digits is no subscriber's number. */
	if (e[0] == '0' || len < 8 || len > 15)
		return false;
	return put_number(out, "", e, len);
}

bool sms_normalise(const char *in, char out[SMS_NUMBER_MAX])
{
	char d[DIGITS_MAX + 1];
	size_t len;
	bool plus;
	if (!in || !collect_digits(in, d, &len, &plus))
		return false;
	if (plus)
		return international(d, len, out);
	if (len > 2 && d[0] == '0' && d[1] == '0')
		return international(d + 2, len - 2, out);
	if (mainland_mobile(d, len))
		return put_number(out, "86", d, len);
	/* "86" without a "+" is only taken before a mainland mobile, where it cannot be a trunk. */
	if (starts_86(d, len) && mainland_mobile(d + 2, len - 2))
		return international(d, len, out);
	return false;
}

/* ---- templates ---- */

/* Whether needle occurs in hay, ignoring ASCII case (content types are case-insensitive). */
static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

enum escape { ESC_RAW, ESC_JSON, ESC_URL };

static enum escape escape_for(const char *content_type)
{
	if (!content_type)
		return ESC_RAW;
	if (contains_nocase(content_type, "json"))
		return ESC_JSON;
	if (contains_nocase(content_type, form_type))
		return ESC_URL;
	return ESC_RAW;
}

static void add_escaped(struct str *out, const char *v, enum escape esc)
{
	switch (esc) {
	case ESC_JSON: {
		/* The template already holds the quotes around the place of the value. */
		struct str lit = STR_INIT;
		str_add_jsons(&lit, v);
		str_add(out, lit.buf + 1, lit.len - 2);
		str_release(&lit);
		break;
	}
	case ESC_URL:
		str_add_urlenc(out, v);
		break;
	case ESC_RAW:
		str_adds(out, v);
		break;
	}
}

void sms_expand(struct str *out, const char *tmpl, const char *content_type, const char *mobile,
                const char *text, const char *id)
{
	const struct {
		const char *name;
		const char *value;
	} vars[] = {
	    {"{{mobile}}", mobile ? mobile : ""},
	    {"{{text}}", text ? text : ""},
	    {"{{id}}", id ? id : ""},
	};
	enum escape esc = escape_for(content_type);
	const char *p = tmpl ? tmpl : "";
	const char *mark;
	while ((mark = strstr(p, "{{"))) {
		size_t i = 0;
		while (i < ARRAY_SIZE(vars) &&
		       strncmp(mark, vars[i].name, strlen(vars[i].name)) != 0)
			i++;
		str_add(out, p, (size_t)(mark - p));
		if (i == ARRAY_SIZE(vars)) {
			/* One brace only: "{{{mobile}}}" still holds a placeholder after it. */
			str_addc(out, '{');
			p = mark + 1;
			continue;
		}
		add_escaped(out, vars[i].value, esc);
		p = mark + strlen(vars[i].name);
	}
	str_adds(out, p);
}

/* ---- sending ---- */

/* The member at a dotted path ("result.code", "data.0.status"); NULL if there is none. */
static json_t *json_path(json_t *v, const char *path)
{
	while (v && *path) {
		size_t len = strcspn(path, ".");
		if (json_is_object(v)) {
			v = json_object_getn(v, path, len);
		} else if (json_is_array(v) && len && strspn(path, "0123456789") >= len) {
			v = json_array_get(v, strtoul(path, NULL, 10));
		} else {
			return NULL;
		}
		path += len;
		if (*path == '.')
			path++;
	}
	return v;
}

/* A real as short as it can be and still read back the same (200.0 → "200", 0.5 → "0.5"). */
static void add_real(struct str *out, double v)
{
	char buf[32];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	str_adds(out, buf);
}

/* A scalar as administrators would write it in success_value; false for objects and arrays. */
static bool scalar_text(const json_t *v, struct str *out)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		str_add(out, json_string_value(v), json_string_length(v));
		return true;
	case JSON_INTEGER:
		str_add_int(out, json_integer_value(v));
		return true;
	case JSON_REAL:
		add_real(out, json_real_value(v));
		return true;
	case JSON_TRUE:
		str_adds(out, "true");
		return true;
	case JSON_FALSE:
		str_adds(out, "false");
		return true;
	case JSON_NULL:
		str_adds(out, "null");
		return true;
	default:
		return false;
	}
}

/* Whether the answer's success field holds the success value. */
static bool answer_says_ok(const struct sms_settings *s, const struct str *body)
{
	json_t *root = json_loadb(body->buf, body->len, 0, NULL);
	json_t *v = root ? json_path(root, s->success_field) : NULL;
	struct str text = STR_INIT;
	bool ok = v && scalar_text(v, &text) &&
	          strcmp(text.buf, s->success_value ? s->success_value : "") == 0;
	str_release(&text);
	json_decref(root);
	return ok;
}

static enum delivery judge_answer(const struct sms_settings *s, const struct outbound_answer *a,
                                  char *err, size_t n)
{
	enum delivery d = outbound_judge_status(a->status);
	if (d != DELIVERY_OK) {
		delivery_error(err, n, "gateway answered %ld: %.*s", a->status,
		               outbound_excerpt_len(&a->body), a->body.buf);
		return d;
	}
	if (s->success_field && *s->success_field && !answer_says_ok(s, &a->body)) {
		delivery_error(err, n, "gateway refused: %.*s", outbound_excerpt_len(&a->body),
		               a->body.buf);
		return DELIVERY_PERMANENT;
	}
	return DELIVERY_OK;
}

static enum delivery send_http(const struct sms_settings *s, const char *mobile, const char *text,
                               const char *id, char *err, size_t n)
{
	struct str url = STR_INIT, body = STR_INIT, ctype = STR_INIT;
	sms_expand(&url, s->url, form_type, mobile, text, id);
	bool has_body = s->body_template && *s->body_template;
	if (has_body)
		sms_expand(&body, s->body_template, s->content_type, mobile, text, id);
	const char *headers[3] = {NULL};
	size_t nh = 0;
	if (has_body && s->content_type && *s->content_type) {
		str_addf(&ctype, "Content-Type: %s", s->content_type);
		headers[nh++] = ctype.buf;
	}
	if (s->auth_header && *s->auth_header)
		headers[nh++] = s->auth_header;
	const struct outbound_request q = {
	    .method = s->method && *s->method ? s->method : "POST",
	    .url = url.buf,
	    .headers = headers,
	    .body = has_body ? body.buf : NULL,
	    .body_len = body.len,
	    .timeout_ms = s->timeout_ms,
	};
	struct outbound_answer a;
	enum delivery d = outbound_http(&q, &a, err, n);
	if (d == DELIVERY_OK)
		d = judge_answer(s, &a, err, n);
	str_release(&a.body);
	str_release(&url);
	str_release(&body);
	str_release(&ctype);
	return d;
}

enum delivery sms_send(const struct sms_settings *s, const char *mobile, const char *text,
                       const char *id, char *err, size_t n)
{
	delivery_error(err, n, "%s", "");
	const char *adapter = s && s->adapter ? s->adapter : "";
	if (strcmp(adapter, "log") == 0) {
		/* Development only: the text is what a tester wants to read, codes included. */
		log_info("sms to '%s' (id '%s'): %s", mobile ? mobile : "", id ? id : "",
		         text ? text : "");
		return DELIVERY_OK;
	}
	if (strcmp(adapter, "http") == 0)
		return send_http(s, mobile, text, id, err, n);
	delivery_error(err, n, "unknown sms adapter '%.40s'", adapter);
	return DELIVERY_PERMANENT;
}
