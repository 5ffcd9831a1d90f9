#include "str.h"
#include "text.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char str_empty_[1];

void str_init(struct str *s, size_t hint)
{
	*s = (struct str)STR_INIT;
	if (hint)
		str_grow(s, hint);
}

void str_release(struct str *s)
{
	if (s->cap)
		free(s->buf);
	size_t max = s->max;
	*s = (struct str)STR_INIT;
	s->max = max;
}

void str_reset(struct str *s)
{
	s->len = 0;
	s->toobig = false;
	if (s->cap)
		s->buf[0] = '\0';
}

/* Make room for `extra` more bytes plus the terminator; false if the cap forbids it. */
static inline bool str_room(struct str *s, size_t extra)
{
	/* The common case, checked first: room already there and no cap. */
	if (!s->max && s->len + extra < s->cap)
		return true;
	if (s->toobig)
		return false;
	if (s->max && (extra > s->max || s->len > s->max - extra)) {
		s->toobig = true;
		return false;
	}
	str_grow(s, extra);
	return true;
}

void str_grow(struct str *s, size_t extra)
{
	size_t need = s->len + extra + 1;
	if (need < s->len)
		die("string size overflow");
	if (need <= s->cap)
		return;
	size_t cap = s->cap ? s->cap : 64;
	while (cap < need)
		cap = cap * 2 < cap ? need : cap * 2;
	if (s->cap) {
		s->buf = xrealloc(s->buf, cap);
	} else {
		s->buf = xmalloc(cap);
		s->buf[0] = '\0';
	}
	s->cap = cap;
}

char *str_detach(struct str *s, size_t *len)
{
	if (len)
		*len = s->len;
	char *r = s->cap ? s->buf : xstrdup("");
	size_t max = s->max;
	*s = (struct str)STR_INIT;
	s->max = max;
	return r;
}

void str_truncate(struct str *s, size_t len)
{
	if (len < s->len) {
		s->len = len;
		s->buf[len] = '\0';
	}
}

void str_add(struct str *s, const void *data, size_t n)
{
	if (!n || !str_room(s, n))
		return;
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

void str_adds(struct str *s, const char *z)
{
	str_add(s, z, strlen(z));
}

void str_addc(struct str *s, char c)
{
	if (!str_room(s, 1))
		return;
	s->buf[s->len++] = c;
	s->buf[s->len] = '\0';
}

void str_vaddf(struct str *s, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	char tmp[256];
	int n = vsnprintf(tmp, sizeof tmp, fmt, cp);
	va_end(cp);
	if (n < 0)
		die("vsnprintf failed");
	if ((size_t)n < sizeof tmp) {
		str_add(s, tmp, (size_t)n);
		return;
	}
	if (!str_room(s, (size_t)n))
		return;
	vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
	s->len += (size_t)n;
}

void str_addf(struct str *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	str_vaddf(s, fmt, ap);
	va_end(ap);
}

void str_add_int(struct str *s, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	str_add(s, p, (size_t)(tmp + sizeof tmp - p));
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if it is not valid. */
size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void str_add_json(struct str *s, const char *z, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)z, *end = p + n;
	str_grow(s, n + 2);
	str_addc(s, '"');
	while (p < end) {
		/* Copy the longest run that needs no escaping (valid UTF-8 included) in one go. */
		const unsigned char *run = p;
		while (p < end) {
			unsigned char c = *p;
			if (c < 0x80) {
				if (c < 0x20 || c == '"' || c == '\\')
					break;
				p++;
				continue;
			}
			size_t l = utf8_seq_len(p, (size_t)(end - p));
			if (!l)
				break;
			p += l;
		}
		if (p > run)
			str_add(s, run, (size_t)(p - run));
		if (p >= end)
			break;
		unsigned char c = *p++;
		switch (c) {
		case '"':
			str_add(s, "\\\"", 2);
			break;
		case '\\':
			str_add(s, "\\\\", 2);
			break;
		case '\n':
			str_add(s, "\\n", 2);
			break;
		case '\r':
			str_add(s, "\\r", 2);
			break;
		case '\t':
			str_add(s, "\\t", 2);
			break;
		default:
			if (c >= 0x80) {
				str_add(s, "\\ufffd", 6); /* not UTF-8 */
			} else {
				char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
				str_add(s, e, 6);
			}
		}
	}
	str_addc(s, '"');
}

void str_add_urlenc(struct str *s, const char *z)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			str_addc(s, (char)*p);
		} else {
			str_addc(s, '%');
			str_addc(s, hex[*p >> 4]);
			str_addc(s, hex[*p & 15]);
		}
	}
}
