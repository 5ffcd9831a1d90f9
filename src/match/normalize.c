#include "normalize.h"
#include "core/text.h"
#include "core/util.h"
#include "meta/embedded.h"

#include <ctype.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- Provinces and cities, from data/regions.txt, each in its full and its short form ---- */

struct place {
	const char *name;
	size_t len;
};
static struct place *places; /* longest first, so 广东省 goes before 广东 */
static size_t n_places;
static pthread_once_t places_once = PTHREAD_ONCE_INIT;

static void add_place(const char *s, size_t len)
{
	/* A short form of one character (none in the list, but a future one) would eat names. */
	if (utf8_length(s, len) < 2)
		return;
	places = xrealloc(places, (n_places + 1) * sizeof *places);
	places[n_places].name = xstrndup(s, len);
	places[n_places].len = len;
	n_places++;
}

static bool ends_with(const char *s, size_t len, const char *suffix, size_t *cut)
{
	size_t n = strlen(suffix);
	if (len <= n || memcmp(s + len - n, suffix, n) != 0)
		return false;
	*cut = len - n;
	return true;
}

/* The first three bytes of s (a CJK character's UTF-8), as one number: places are grouped by it. */
static uint32_t lead(const char *s, size_t len)
{
	uint32_t k = 0;
	for (size_t i = 0; i < 3; i++)
		k = k << 8 | (i < len ? (unsigned char)s[i] : 0);
	return k;
}

/* By first character, then longest first, so 广东省 is tried before 广东. */
static int by_lead_longest_first(const void *x, const void *y)
{
	const struct place *a = x, *b = y;
	uint32_t ka = lead(a->name, a->len), kb = lead(b->name, b->len);
	if (ka != kb)
		return ka < kb ? -1 : 1;
	return a->len != b->len ? (a->len < b->len ? 1 : -1) : strcmp(a->name, b->name);
}

static void load_places(void)
{
	/* The type words a short form drops: 广西壮族自治区 → 广西, 深圳市 → 深圳. Autonomous
	 * prefectures and counties keep their full names only: their short forms are ambiguous. */
	static const char *const province_types[] = {
	    "壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市", NULL};
	static const char *const city_types[] = {"市", "地区", "盟", "林区", NULL};
	for (size_t f = 0; f < embedded_regions_count; f++) {
		const char *p = embedded_regions[f].data, *end = p + embedded_regions[f].len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *line_end = nl ? nl : end;
			if (line_end - p > 2 && (p[0] == 'P' || p[0] == 'C') && p[1] == ' ') {
				const char *name = p + 2;
				size_t len = (size_t)(line_end - name), cut;
				add_place(name, len);
				const char *const *types =
				    p[0] == 'P' ? province_types : city_types;
				for (size_t t = 0; types[t]; t++)
					if (ends_with(name, len, types[t], &cut)) {
						add_place(name, cut);
						break;
					}
			}
			p = line_end + 1;
		}
	}
	qsort(places, n_places, sizeof *places, by_lead_longest_first);
}

/* The length of the place s starts with, or 0: a binary search for its first character, then
 * the few places that start with it, longest first. */
static size_t place_prefix(const char *s, size_t len)
{
	pthread_once(&places_once, load_places);
	uint32_t k = lead(s, len);
	size_t lo = 0, hi = n_places;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lead(places[mid].name, places[mid].len) < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < n_places && lead(places[i].name, places[i].len) == k; i++)
		if (places[i].len < len && memcmp(s, places[i].name, places[i].len) == 0)
			return places[i].len;
	return 0;
}

/* ---- Folding and compacting ---- */

/* Folded s with every bracketed part removed: (深圳) [ … ] 【…】 〔…〕, nested or not. */
static void fold_unbracketed(struct str *out, const char *s)
{
	struct str folded = STR_INIT;
	text_fold(&folded, s, strlen(s));
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(folded.buf ? folded.buf : ""),
	                       *end = p + folded.len;
	int depth = 0;
	while (p < end) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p, end - p, &cp);
		if (l <= 0)
			l = 1, cp = -1;
		bool open = cp == '(' || cp == '[' || cp == 0x3010 || cp == 0x3014;
		bool close = cp == ')' || cp == ']' || cp == 0x3011 || cp == 0x3015;
		if (open)
			depth++;
		else if (close && depth)
			depth--;
		else if (!depth && !close)
			str_add(out, p, (size_t)l);
		p += l;
	}
	str_release(&folded);
}

/* Only the letters, digits and CJK characters of s (no spaces, punctuation or symbols). */
static void compact(struct str *out, const char *s, size_t n)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s, *end = p + n;
	while (p < end) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p, end - p, &cp);
		if (l <= 0) {
			p++;
			continue;
		}
		if (text_is_word_char(cp))
			str_add(out, p, (size_t)l);
		p += l;
	}
}

/* The length of s without its trailing English legal-form words ("Haiyun Yachts Co., Ltd."). */
static size_t without_english_forms(const char *s, size_t len)
{
	static const char *const forms[] = {
	    "co",      "ltd", "limited", "inc",   "incorporated", "corp", "corporation",
	    "company", "llc", "gmbh",    "group", "plc",          NULL};
	for (;;) {
		size_t end = len;
		while (end && !isalnum((unsigned char)s[end - 1]) &&
		       (unsigned char)s[end - 1] < 0x80)
			end--;
		size_t start = end;
		while (start && isalnum((unsigned char)s[start - 1]))
			start--;
		bool form = false;
		for (size_t i = 0; forms[i] && !form; i++)
			form = end - start == strlen(forms[i]) &&
			       !memcmp(s + start, forms[i], end - start);
		/* Never the whole name: "Group" alone stays a name. */
		if (!form || !start)
			return len;
		len = start;
	}
}

/* Take the Chinese legal forms off the end of a compacted name, as often as they are there
 * (海韵集团有限公司 → 海韵). */
static size_t without_chinese_forms(const char *s, size_t len)
{
	static const char *const forms[] = {
	    "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "股份公司",
	    "集团公司",     "合伙企业",     "有限合伙",     "普通合伙", "总公司",
	    "分公司",       "集团",         "公司",         NULL};
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; forms[i] && !again; i++) {
			size_t cut;
			if (ends_with(s, len, forms[i], &cut)) {
				len = cut;
				again = true;
			}
		}
	}
	return len;
}

/* Provinces and cities off the front: at most two (广东省深圳市…), and never so much that fewer
 * than two characters are left (深圳市 stays itself, not 市). */
static size_t without_places(const char *s, size_t len, size_t *start)
{
	*start = 0;
	for (int i = 0; i < 2; i++) {
		size_t n = place_prefix(s + *start, len - *start);
		if (!n || utf8_length(s + *start + n, len - *start - n) < 2)
			break;
		*start += n;
	}
	return len - *start;
}

bool match_name(struct str *out, const char *s)
{
	if (!s)
		return false;
	struct str folded = STR_INIT, core = STR_INIT;
	fold_unbracketed(&folded, s);
	size_t len = folded.buf ? without_english_forms(folded.buf, folded.len) : 0;
	compact(&core, folded.buf ? folded.buf : "", len);
	const char *c = core.buf ? core.buf : "";
	size_t n = without_chinese_forms(c, core.len), start;
	n = without_places(c, n, &start);
	/* A name that is nothing but a place and a legal form keeps what it has. */
	if (!n) {
		start = 0;
		n = core.len;
	}
	str_add(out, c + start, n);
	str_release(&folded);
	str_release(&core);
	return n > 0;
}

bool match_address(struct str *out, const char *s)
{
	if (!s)
		return false;
	struct str folded = STR_INIT, core = STR_INIT;
	fold_unbracketed(&folded, s);
	compact(&core, folded.buf ? folded.buf : "", folded.len);
	size_t start, n = core.len ? without_places(core.buf, core.len, &start) : 0;
	if (n)
		str_add(out, core.buf + start, n);
	str_release(&folded);
	str_release(&core);
	return n > 0;
}

/* ---- Numbers and addresses of the internet ---- */

bool match_phone(struct str *out, const char *s)
{
	if (!s)
		return false;
	char digits[32];
	size_t n = 0;
	/* The number ends where an extension starts: 转, ext, x, #, or a second number. */
	for (const char *p = s; *p && n < sizeof digits - 1; p++) {
		if (isdigit((unsigned char)*p))
			digits[n++] = *p;
		else if (*p == '#' || *p == ',' || *p == '/' || *p == ';' || *p == 'x' ||
		         *p == 'X' || !strncmp(p, "转", strlen("转")) || !strncasecmp(p, "ext", 3))
			break;
	}
	size_t from = 0;
	if (n >= 4 && !memcmp(digits, "0086", 4))
		from = 4;
	else if (n >= 2 && !memcmp(digits, "86", 2) && (*s == '+' || (n == 13 && digits[2] == '1')))
		from = 2; /* +86 …, or 86 13812345678 written without the plus */
	if (from < n && digits[from] == '0')
		from++; /* the trunk prefix of an area code: 0755 → 755 */
	if (n - from < 7)
		return false;
	str_adds(out, "+86");
	str_add(out, digits + from, n - from);
	return true;
}

bool match_email(struct str *out, const char *s)
{
	if (!s)
		return false;
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	const char *at = memchr(s, '@', n);
	if (!at || at == s || at == s + n - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		str_addc(out, (char)tolower((unsigned char)s[i]));
	return true;
}

/* Mail providers anyone may use: sharing one says nothing about being one company. */
static bool free_mail(const char *domain)
{
	static const char *const providers[] = {
	    "qq.com",    "foxmail.com", "163.com",     "126.com",     "yeah.net",       "sina.com",
	    "sina.cn",   "sohu.com",    "139.com",     "189.cn",      "aliyun.com",     "tom.com",
	    "21cn.com",  "gmail.com",   "hotmail.com", "outlook.com", "live.com",       "msn.com",
	    "yahoo.com", "icloud.com",  "me.com",      "proton.me",   "protonmail.com", NULL};
	return str_in_list(domain, providers);
}

bool match_domain(struct str *out, const char *s)
{
	if (!s)
		return false;
	const char *at = strrchr(s, '@');
	const char *host = at ? at + 1 : s;
	const char *scheme = at ? NULL : strstr(host, "://");
	if (scheme)
		host = scheme + 3;
	size_t n = strcspn(host, "/?#:");
	const char *user = memchr(host, '@', n);
	if (user) {
		n -= (size_t)(user + 1 - host);
		host = user + 1;
	}
	char h[256];
	if (!n || n >= sizeof h)
		return false;
	for (size_t i = 0; i < n; i++)
		h[i] = (char)tolower((unsigned char)host[i]);
	while (n && h[n - 1] == '.')
		n--;
	h[n] = '\0';
	if (!strchr(h, '.') || strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789-.") != n)
		return false;
	/* The registrable domain: the last two labels, or three under a country's second level
	 * (haiyun.com.cn, haiyun.co.uk). */
	static const char *const second_levels[] = {"com", "net", "org", "gov",
	                                            "edu", "ac",  "co",  NULL};
	const char *labels[8];
	size_t k = 0;
	for (char *p = h; k < 8;) {
		labels[k++] = p;
		char *dot = strchr(p, '.');
		if (!dot)
			break;
		p = dot + 1;
	}
	size_t keep = 2;
	if (k >= 3 && strlen(labels[k - 1]) == 2) {
		char second[16];
		size_t len = (size_t)(labels[k - 1] - labels[k - 2] - 1);
		if (len < sizeof second) {
			memcpy(second, labels[k - 2], len);
			second[len] = '\0';
			if (str_in_list(second, second_levels))
				keep = 3;
		}
	}
	const char *domain = k >= keep ? labels[k - keep] : h;
	if (free_mail(domain))
		return false;
	str_adds(out, domain);
	return true;
}

bool match_tax_id(struct str *out, const char *s)
{
	if (!s)
		return false;
	size_t start = out->len;
	for (const char *p = s; *p; p++)
		if (isalnum((unsigned char)*p))
			str_addc(out, (char)toupper((unsigned char)*p));
	/* Old registration numbers have 15 characters, social credit codes 18. */
	if (out->len - start < 15) {
		str_truncate(out, start);
		return false;
	}
	return true;
}
