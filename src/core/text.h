/*
 * Text handling: UTF-8 checks, normalisation for matching, and the search tokens that make
 * full-text search work for Chinese (docs/internals/SEARCH.md).
 */
#ifndef SEXTANT_TEXT_H
#define SEXTANT_TEXT_H

#include "str.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if it is not valid UTF-8. */
size_t utf8_seq_len(const unsigned char *p, size_t n);
bool utf8_valid(const char *s, size_t n);
/* Number of code points in valid UTF-8. */
size_t utf8_length(const char *s, size_t n);
/* How many bytes of s (n bytes) its first `chars` characters take. */
size_t utf8_prefix_chars(const char *s, size_t n, size_t chars);

/*
 * Normalise for matching: NFKC, case folded, marks stripped, traditional Chinese characters
 * turned into simplified ones (OpenCC's t2s table, one character at a time) so 海韻 matches
 * 海韵. Appends to out.
 */
void text_fold(struct str *out, const char *s, size_t n);
/* Whether code point cp is part of a word (a letter, a digit, a CJK character) rather than a
 * space, punctuation or a symbol: what search tokens and duplicate checks keep. */
bool text_is_word_char(int32_t cp);

/*
 * Append the search tokens of s to out, separated by single spaces, no duplicates among
 * the tokens this call appends:
 * - a run of CJK characters gives its overlapping bigrams and its last character alone
 *   ("上海海韵" → "上海 海海 海韵 韵"), so a one-character query can match by prefix;
 * - a run of letters and digits gives one word;
 * - everything else separates.
 */
void text_search_tokens(struct str *out, const char *s, size_t n);

/* One term of a search query: match `token` exactly, or as a prefix. */
struct search_term {
	char *token;
	bool prefix;
};

/*
 * Turn a user's query into terms that must all match: CJK runs of two or more characters give
 * their bigrams, a single CJK character and Latin words match as prefixes. Returns the number
 * of terms (at most max); 0 if the query has nothing to search for. Tokens are malloc'd.
 */
size_t text_search_query(const char *q, size_t n, struct search_term *terms, size_t max);
void text_search_terms_free(struct search_term *terms, size_t n);

#endif
