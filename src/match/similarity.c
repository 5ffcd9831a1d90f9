#include "similarity.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

/* The code points of s (at most MATCH_SIMILARITY_MAX); their count. */
static size_t decode(const char *s, size_t n, int32_t *cp)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s, *end = p + n;
	size_t k = 0;
	while (p < end && k < MATCH_SIMILARITY_MAX) {
		utf8proc_int32_t c;
		utf8proc_ssize_t l = utf8proc_iterate(p, end - p, &c);
		if (l <= 0) {
			l = 1;
			c = *p;
		}
		cp[k++] = c;
		p += l;
	}
	return k;
}

static double dice(const int32_t *a, size_t an, const int32_t *b, size_t bn)
{
	if (an < 2 || bn < 2)
		return an == bn && an && a[0] == b[0] ? 1.0 : 0.0;
	/* Each bigram of a matched once at most in b: a multiset intersection. */
	unsigned char used[MATCH_SIMILARITY_MAX] = {0};
	size_t common = 0;
	for (size_t i = 0; i + 1 < an; i++)
		for (size_t j = 0; j + 1 < bn; j++)
			if (!used[j] && a[i] == b[j] && a[i + 1] == b[j + 1]) {
				used[j] = 1;
				common++;
				break;
			}
	return 2.0 * (double)common / (double)(an - 1 + bn - 1);
}

static double edit_ratio(const int32_t *a, size_t an, const int32_t *b, size_t bn)
{
	size_t row[MATCH_SIMILARITY_MAX + 1];
	for (size_t j = 0; j <= bn; j++)
		row[j] = j;
	for (size_t i = 1; i <= an; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= bn; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t longer = an > bn ? an : bn;
	return longer ? 1.0 - (double)row[bn] / (double)longer : 1.0;
}

double match_similarity(const char *a, size_t an, const char *b, size_t bn)
{
	int32_t x[MATCH_SIMILARITY_MAX], y[MATCH_SIMILARITY_MAX];
	size_t xn = decode(a, an, x), yn = decode(b, bn, y);
	if (!xn || !yn)
		return 0.0;
	double d = dice(x, xn, y, yn), e = edit_ratio(x, xn, y, yn);
	return d > e ? d : e;
}
