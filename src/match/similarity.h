/*
 * How alike two normal forms (match/normalize.h) are, from 0 to 1: the larger of the Dice
 * coefficient of their character bigrams, which forgives words moved about, and one minus their
 * edit distance over the longer length, which forgives a typo in a short name (海韵游艇 and
 * 海运游艇 share one bigram of three but differ in one character of four).
 */
#ifndef SEXTANT_MATCH_SIMILARITY_H
#define SEXTANT_MATCH_SIMILARITY_H

#include <stddef.h>

/* Only the first MATCH_SIMILARITY_MAX characters of each count. */
#define MATCH_SIMILARITY_MAX 96

double match_similarity(const char *a, size_t an, const char *b, size_t bn);

#endif
