#include "validate.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool is_local_char(unsigned char c)
{
	return isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL;
}

bool validate_email(const char *s, size_t n, struct str *out)
{
	if (n < 3 || n > 254)
		return false;
	const char *at = memchr(s, '@', n);
	if (!at || memchr(at + 1, '@', n - (size_t)(at - s) - 1))
		return false;
	size_t local = (size_t)(at - s), dom = n - local - 1;
	if (local == 0 || local > 64 || dom < 3)
		return false;
	if (s[0] == '.' || s[local - 1] == '.')
		return false;
	for (size_t i = 0; i < local; i++) {
		if (!is_local_char((unsigned char)s[i]))
			return false;
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
	}
	/* Domain: labels of letters, digits and hyphens (UTF-8 allowed for IDN), at least
	 * two labels, the last one alphabetic-ish and two or more characters. */
	const char *d = at + 1, *end = s + n;
	size_t labels = 0, label_len = 0, last_len = 0;
	bool last_numeric = true;
	for (const char *p = d; p <= end; p++) {
		unsigned char c = p < end ? (unsigned char)*p : '.';
		if (c == '.') {
			if (label_len == 0 || label_len > 63 || p[-1] == '-')
				return false;
			labels++;
			last_len = label_len;
			label_len = 0;
			continue;
		}
		if (label_len == 0) {
			if (c == '-')
				return false;
			last_numeric = true;
		}
		if (!(isalnum(c) || c == '-' || c >= 0x80))
			return false;
		if (!isdigit(c))
			last_numeric = false;
		label_len++;
	}
	if (labels < 2 || last_len < 2 || last_numeric)
		return false;
	str_add(out, s, local + 1);
	for (const char *p = d; p < end; p++)
		str_addc(out, (char)tolower((unsigned char)*p));
	return true;
}

/* Collect the digits of a phone number, noting a leading + and where an extension starts. */
static bool phone_digits(const char *s, size_t n, char *dig, size_t *nd, bool *plus, char *ext,
                         size_t *next)
{
	*nd = *next = 0;
	*plus = false;
	bool in_ext = false;
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	if (i < n && s[i] == '+') {
		*plus = true;
		i++;
	}
	for (; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isdigit(c)) {
			if (in_ext) {
				if (*next >= 6)
					return false;
				ext[(*next)++] = (char)c;
			} else {
				if (*nd >= 20)
					return false;
				dig[(*nd)++] = (char)c;
			}
		} else if (c == ' ' || c == '(' || c == ')' || c == '.') {
			continue;
		} else if (c == '-') {
			/* A hyphen after a complete landline number starts an extension; decided
			 * by the caller from the digit count, so remember nothing here. */
			continue;
		} else if ((c == '#' || c == 'x' || c == 'X') && !in_ext) {
			in_ext = true;
		} else if (n - i >= 3 && memcmp(s + i, "转", 3) == 0 && !in_ext) {
			in_ext = true;
			i += 2;
		} else if (n - i >= 3 && strncmp(s + i, "ext", 3) == 0 && !in_ext) {
			in_ext = true;
			i += 2;
		} else {
			return false;
		}
	}
	return *nd > 0 && (!in_ext || *next > 0);
}

/* Area codes of two digits after the 0: Beijing 010 and 020-029. */
static size_t area_code_len(const char *d)
{
	if (d[1] == '1' && d[2] == '0')
		return 3;
	if (d[1] == '2')
		return 3;
	return 4;
}

static bool landline(const char *d, size_t nd, const char *ext, size_t next, struct str *out)
{
	if (nd < 10 || nd > 12 || d[0] != '0' || d[1] == '0')
		return false;
	size_t ac = area_code_len(d), local = nd - ac;
	/* Local numbers never start with 0; those starting with 1 are service numbers in theory,
	 * but people type them as examples and tests, and refusing them helps no one. */
	if (local < 7 || local > 8 || d[ac] == '0')
		return false;
	str_add(out, d, ac);
	str_addc(out, '-');
	str_add(out, d + ac, local);
	if (next) {
		str_addc(out, '-');
		str_add(out, ext, next);
	}
	return true;
}

/* The normal form of a number given as its digits (and an extension), if it is one we know. */
static bool phone_from_digits(const char *d, size_t nd, bool plus, const char *ext, size_t next,
                              struct str *out)
{
	const char *p = d;
	if (plus || (nd > 11 && strncmp(d, "0086", 4) == 0)) {
		if (!plus) {
			p += 2;
			nd -= 2;
		}
		if (nd >= 2 && p[0] == '8' && p[1] == '6') {
			p += 2;
			nd -= 2;
			/* +86 then a mobile, or a landline whose leading 0 is dropped. */
			if (nd == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9' && !next) {
				str_add(out, p, 11);
				return true;
			}
			char l[24];
			if (nd + 1 > sizeof l)
				return false;
			l[0] = '0';
			memcpy(l + 1, p, nd);
			return landline(l, nd + 1, ext, next, out);
		}
		if (nd < 7 || nd > 15 || p[0] == '0')
			return false;
		str_addc(out, '+');
		str_add(out, p, nd);
		if (next) {
			str_addc(out, '-');
			str_add(out, ext, next);
		}
		return true;
	}
	if (nd == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && !next) {
		str_add(out, d, 11);
		return true;
	}
	if (nd == 10 && (strncmp(d, "400", 3) == 0 || strncmp(d, "800", 3) == 0) && !next) {
		str_add(out, d, 3);
		str_addc(out, '-');
		str_add(out, d + 3, 3);
		str_addc(out, '-');
		str_add(out, d + 6, 4);
		return true;
	}
	return landline(d, nd, ext, next, out);
}

bool validate_phone(const char *s, size_t n, struct str *out)
{
	char d[24], ext[8], trail[8];
	size_t nd, next;
	bool plus;
	if (n > 64 || !phone_digits(s, n, d, &nd, &plus, ext, &next))
		return false;
	/* "0755-12345678-123": a landline with a hyphenated extension, the usual form in China.
	 * A last group of 1-6 digits after two hyphens may be an extension — or the second half of
	 * a grouped number ("010-8888-6666"): try the extension first, then the whole. */
	if (!next && !plus && d[0] == '0') {
		const char *h1 = memchr(s, '-', n);
		const char *h2 = h1 ? memchr(h1 + 1, '-', n - (size_t)(h1 + 1 - s)) : NULL;
		if (h2 && !memchr(h2 + 1, '-', n - (size_t)(h2 + 1 - s))) {
			size_t tn = 0;
			for (const char *p = h2 + 1; p < s + n; p++)
				if (isdigit((unsigned char)*p) && tn < sizeof trail)
					trail[tn++] = *p;
			size_t start = out->len;
			if (tn >= 1 && tn <= 6 && nd > tn &&
			    phone_from_digits(d, nd - tn, false, trail, tn, out))
				return true;
			str_truncate(out, start);
		}
	}
	return phone_from_digits(d, nd, plus, ext, next, out);
}

bool validate_url(const char *s, size_t n, struct str *out)
{
	if (n == 0 || n > 2000)
		return false;
	size_t start = out->len;
	const char *rest;
	size_t rn;
	if (n > 8 && strncasecmp(s, "https://", 8) == 0) {
		str_add(out, "https://", 8);
		rest = s + 8;
		rn = n - 8;
	} else if (n > 7 && strncasecmp(s, "http://", 7) == 0) {
		str_add(out, "http://", 7);
		rest = s + 7;
		rn = n - 7;
	} else if (memchr(s, ':', n) &&
	           !memchr(s, '.', (size_t)((const char *)memchr(s, ':', n) - s))) {
		return false; /* another scheme (javascript:, ftp:, data: …) */
	} else {
		str_add(out, "https://", 8);
		rest = s;
		rn = n;
	}
	/* Host: up to the first / ? # ; letters, digits, dots, hyphens, UTF-8, optional port. */
	size_t h = 0;
	bool dot = false;
	while (h < rn && rest[h] != '/' && rest[h] != '?' && rest[h] != '#') {
		unsigned char c = (unsigned char)rest[h];
		if (!(isalnum(c) || c == '.' || c == '-' || c == ':' || c >= 0x80))
			goto bad;
		dot |= c == '.';
		h++;
	}
	bool localhost = h >= 9 && strncasecmp(rest, "localhost", 9) == 0;
	if (h == 0 || (!dot && !localhost) || rest[0] == '.' || rest[0] == '-')
		goto bad;
	for (size_t i = h; i < rn; i++) {
		unsigned char c = (unsigned char)rest[i];
		if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\')
			goto bad;
	}
	for (size_t i = 0; i < h; i++)
		str_addc(out, (char)tolower((unsigned char)rest[i]));
	str_add(out, rest + h, rn - h);
	return true;
bad:
	str_truncate(out, start);
	return false;
}

bool validate_postcode(const char *s, size_t n, struct str *out)
{
	if (n != 6)
		return false;
	for (size_t i = 0; i < 6; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	str_add(out, s, 6);
	return true;
}

bool validate_uscc(const char *s, size_t n, struct str *out)
{
	/* GB 32100-2015: 17 characters and a check character over the alphabet below. */
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
	                                29, 25, 13, 8,  24, 10, 30, 28};
	if (n != 18)
		return false;
	char up[18];
	int sum = 0;
	for (size_t i = 0; i < 18; i++) {
		up[i] = (char)toupper((unsigned char)s[i]);
		const char *pos = up[i] ? strchr(alphabet, up[i]) : NULL;
		if (!pos)
			return false;
		if (i < 17)
			sum += (int)(pos - alphabet) * weights[i];
	}
	int check = 31 - sum % 31;
	if (check == 31)
		check = 0;
	if (alphabet[check] != up[17])
		return false;
	str_add(out, up, 18);
	return true;
}

bool validate_currency(const char *s, size_t n)
{
	return n == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
	       isupper((unsigned char)s[2]);
}
