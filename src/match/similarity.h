/*
 * How alike two normal forms (match/normalize.h) are, from 0 to 1: the larger of the Dice
 * coefficient of their character bigrams, which forgives words moved about, and one minus their
 * edit distance over the longer length, which forgives a typo in a short name (海韵游艇 and
 * 海运游艇 share one bigram of three but differ in one character of four). A character typed for
 * another that sounds the same (韵 → 运, the slip a pinyin input method makes) costs a quarter of
 * an edit, so 海运游艇 is 0.94 like 海韵游艇 while 蓝洋游艇 stays 0.75 like 蓝海游艇.
 */
#ifndef SEXTANT_MATCH_SIMILARITY_H
#define SEXTANT_MATCH_SIMILARITY_H

#include <stddef.h>
#include <stdint.h>

/* Only the first MATCH_SIMILARITY_MAX characters of each count. */
#define MATCH_SIMILARITY_MAX 96

double match_similarity(const char *a, size_t an, const char *b, size_t bn);

/*
 * The same with each bigram of the Dice coefficient weighted by weight(ctx, first, second), from
 * 0 to 1: how much sharing it says. The duplicate check gives the bigrams many names share
 * (游艇, 俱乐) little weight, so 游艇俱乐部 is not 0.8 like 蓝湾游艇俱乐部 for sharing only its
 * trade.
 */
typedef double (*match_gram_weight)(void *ctx, int32_t first, int32_t second);
double match_similarity_weighted(const char *a, size_t an, const char *b, size_t bn,
                                 match_gram_weight weight, void *ctx);

#endif
