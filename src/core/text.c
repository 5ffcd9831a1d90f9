#include "text.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		/* Eight ASCII bytes at a time. */
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (w & 0x8080808080808080ULL)
				break;
			p += 8;
		}
		if (p >= end)
			break;
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t l = utf8_seq_len(p, (size_t)(end - p));
		if (!l)
			return false;
		p += l;
	}
	return true;
}

size_t utf8_length(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	return count;
}

/* Traditional → simplified, one character at a time (build/gen/t2s_table.c, tools/t2s.c). */
extern const uint32_t t2s_table[][2];
extern const size_t t2s_table_size;

static uint32_t t2s(uint32_t cp)
{
	if (cp < 0x3400)
		return cp;
	size_t lo = 0, hi = t2s_table_size;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t2s_table[mid][0] == cp)
			return t2s_table[mid][1];
		if (t2s_table[mid][0] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return cp;
}

/*
 * Most CRM text is ASCII, CJK ideographs, full-width forms and the ideographic space, for which
 * NFKC and case folding are simple: fold those here and leave utf8proc the rest. Returns false
 * (having appended nothing) if the text holds anything else.
 */
static bool fold_common(struct str *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t start = out->len;
	str_grow(out, n);
	while (p < end) {
		unsigned char c = *p;
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f) {
				/* Line breaks and tabs separate words, as utf8proc's STRIPCC makes
				 * them. */
				str_addc(out, ' ');
				p++;
				continue;
			}
			str_addc(out, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
			p++;
			continue;
		}
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p, end - p, &cp);
		if (l <= 0)
			goto other;
		if (cp >= 0xff01 && cp <= 0xff5e) {
			/* Full-width ASCII: （ → (, Ａ → a */
			int a = cp - 0xfee0;
			str_addc(out, (char)(a >= 'A' && a <= 'Z' ? a + 32 : a));
		} else if (cp == 0x3000) {
			str_addc(out, ' ');
		} else if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
		           (cp >= 0x3001 && cp <= 0x303f)) {
			utf8proc_uint8_t enc[4];
			utf8proc_ssize_t el =
			    utf8proc_encode_char((utf8proc_int32_t)t2s((uint32_t)cp), enc);
			str_add(out, enc, (size_t)el);
		} else {
			goto other;
		}
		p += l;
	}
	return true;
other:
	str_truncate(out, start);
	return false;
}

void text_fold(struct str *out, const char *s, size_t n)
{
	if (fold_common(out, s, n))
		return;
	utf8proc_uint8_t *folded = NULL;
	utf8proc_ssize_t len =
	    utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &folded,
	                 UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
	                     UTF8PROC_STRIPMARK | UTF8PROC_IGNORE | UTF8PROC_STRIPCC);
	if (len < 0) {
		/* Invalid UTF-8 never gets this far (requests are checked); keep what we have. */
		str_add(out, s, n);
		return;
	}
	str_grow(out, (size_t)len);
	const utf8proc_uint8_t *p = folded, *end = folded + len;
	while (p < end) {
		const utf8proc_uint8_t *run = p;
		while (p < end && *p < 0xe3)
			p++; /* nothing below U+3000 is Han */
		str_add(out, run, (size_t)(p - run));
		if (p >= end)
			break;
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p, end - p, &cp);
		if (l <= 0) {
			str_add(out, p, 1);
			p++;
			continue;
		}
		utf8proc_uint8_t enc[4];
		utf8proc_ssize_t el =
		    utf8proc_encode_char((utf8proc_int32_t)t2s((uint32_t)cp), enc);
		str_add(out, enc, (size_t)el);
		p += l;
	}
	free(folded);
}

enum cp_class { CP_SEP, CP_WORD, CP_CJK };

static enum cp_class classify(utf8proc_int32_t cp)
{
	if ((cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
	    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3ffff) ||
	    (cp >= 0x3040 && cp <= 0x30ff) || /* kana */
	    (cp >= 0xac00 && cp <= 0xd7af))   /* hangul syllables */
		return CP_CJK;
	switch (utf8proc_category(cp)) {
	case UTF8PROC_CATEGORY_LU:
	case UTF8PROC_CATEGORY_LL:
	case UTF8PROC_CATEGORY_LT:
	case UTF8PROC_CATEGORY_LM:
	case UTF8PROC_CATEGORY_LO:
	case UTF8PROC_CATEGORY_ND:
	case UTF8PROC_CATEGORY_NL:
	case UTF8PROC_CATEGORY_NO:
		return CP_WORD;
	default:
		return CP_SEP;
	}
}

bool text_is_word_char(int32_t cp)
{
	return classify(cp) != CP_SEP;
}

/* Walks folded text and reports tokens through a callback. */
typedef void (*token_fn)(void *ctx, const char *tok, size_t n, enum cp_class kind, bool last);

static void tokenize(const char *s, size_t n, token_fn fn, void *ctx)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s, *end = p + n;
	/* Start offsets of the previous CJK character and of the current word run. */
	const utf8proc_uint8_t *prev_cjk = NULL, *word = NULL;
	size_t cjk_run = 0;
	while (p <= end) {
		utf8proc_int32_t cp = -1;
		utf8proc_ssize_t l = 0;
		enum cp_class c = CP_SEP;
		if (p < end) {
			l = utf8proc_iterate(p, end - p, &cp);
			if (l <= 0) {
				l = 1;
				cp = -1;
			} else {
				c = classify(cp);
			}
		}
		if (c != CP_WORD && word) {
			fn(ctx, (const char *)word, (size_t)(p - word), CP_WORD, false);
			word = NULL;
		}
		if (c == CP_CJK) {
			if (prev_cjk)
				fn(ctx, (const char *)prev_cjk, (size_t)(p + l - prev_cjk), CP_CJK,
				   false);
			prev_cjk = p;
			cjk_run++;
		} else {
			if (prev_cjk)
				fn(ctx, (const char *)prev_cjk, (size_t)(p - prev_cjk), CP_CJK,
				   cjk_run == 1 ? false : true);
			prev_cjk = NULL;
			cjk_run = 0;
			if (c == CP_WORD && !word)
				word = p;
		}
		if (p == end)
			break;
		p += l;
	}
}

/* Tokens already emitted, to drop duplicates: a small open-addressing set of (offset, len). */
struct token_sink {
	struct str *out;
	size_t start;
	uint32_t *slots; /* offset+1 into out->buf, 0 = empty */
	uint16_t *lens;
	size_t nslots, used;
};

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void sink_rehash(struct token_sink *k)
{
	size_t old_n = k->nslots;
	uint32_t *old_s = k->slots;
	uint16_t *old_l = k->lens;
	k->nslots = old_n ? old_n * 2 : 64;
	k->slots = xcalloc(k->nslots, sizeof *k->slots);
	k->lens = xcalloc(k->nslots, sizeof *k->lens);
	for (size_t i = 0; i < old_n; i++) {
		if (!old_s[i])
			continue;
		uint32_t h = hash_bytes(k->out->buf + old_s[i] - 1, old_l[i]);
		size_t j = h & (k->nslots - 1);
		while (k->slots[j])
			j = (j + 1) & (k->nslots - 1);
		k->slots[j] = old_s[i];
		k->lens[j] = old_l[i];
	}
	free(old_s);
	free(old_l);
}

static void sink_token(void *ctx, const char *tok, size_t n, enum cp_class kind, bool last)
{
	UNUSED(kind);
	UNUSED(last);
	struct token_sink *k = ctx;
	if (n == 0 || n > 200)
		return; /* a "word" that long is data, not something anyone searches for */
	if ((k->used + 1) * 2 > k->nslots)
		sink_rehash(k);
	uint32_t h = hash_bytes(tok, n);
	size_t j = h & (k->nslots - 1);
	while (k->slots[j]) {
		if (k->lens[j] == n && memcmp(k->out->buf + k->slots[j] - 1, tok, n) == 0)
			return;
		j = (j + 1) & (k->nslots - 1);
	}
	if (k->out->len > k->start)
		str_addc(k->out, ' ');
	k->slots[j] = (uint32_t)k->out->len + 1;
	k->lens[j] = (uint16_t)n;
	k->used++;
	str_add(k->out, tok, n);
}

void text_search_tokens(struct str *out, const char *s, size_t n)
{
	struct str folded = STR_INIT;
	text_fold(&folded, s, n);
	struct token_sink k = {.out = out, .start = out->len};
	/* Tokens point into out->buf, which may move as it grows: slots hold offsets. */
	tokenize(folded.buf, folded.len, sink_token, &k);
	free(k.slots);
	free(k.lens);
	str_release(&folded);
}

struct query_sink {
	struct search_term *terms;
	size_t n, max;
	size_t cjk_run; /* characters seen in the current CJK run */
};

static void query_token(void *ctx, const char *tok, size_t n, enum cp_class kind, bool last)
{
	struct query_sink *q = ctx;
	if (n == 0 || n > 200)
		return;
	bool prefix;
	if (kind == CP_CJK) {
		/* A lone character (a run of one) is a prefix term; the trailing single of a
		 * longer run is already covered by its bigram. */
		size_t chars = utf8_length(tok, n);
		if (chars == 1 && last)
			return;
		prefix = chars == 1;
	} else {
		prefix = true;
	}
	for (size_t i = 0; i < q->n; i++)
		if (strlen(q->terms[i].token) == n && memcmp(q->terms[i].token, tok, n) == 0 &&
		    q->terms[i].prefix == prefix)
			return;
	if (q->n == q->max)
		return;
	q->terms[q->n].token = xstrndup(tok, n);
	q->terms[q->n].prefix = prefix;
	q->n++;
}

size_t text_search_query(const char *s, size_t n, struct search_term *terms, size_t max)
{
	struct str folded = STR_INIT;
	text_fold(&folded, s, n);
	struct query_sink q = {.terms = terms, .max = max};
	tokenize(folded.buf, folded.len, query_token, &q);
	str_release(&folded);
	return q.n;
}

void text_search_terms_free(struct search_term *terms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(terms[i].token);
}

size_t utf8_prefix_chars(const char *s, size_t n, size_t chars)
{
	size_t end = 0;
	for (size_t k = 0; end < n && k < chars; k++) {
		size_t c = utf8_seq_len((const unsigned char *)s + end, n - end);
		end += c ? c : 1; /* a stray byte counts as one */
	}
	return end;
}
