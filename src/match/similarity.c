#include "similarity.h"

#include "core/util.h"
#include "meta/embedded.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
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

static double dice(const int32_t *a, size_t an, const int32_t *b, size_t bn,
                   match_gram_weight weight, void *ctx)
{
	if (an < 2 || bn < 2)
		return an == bn && an && a[0] == b[0] ? 1.0 : 0.0;
	/* Each bigram of a matched once at most in b: a multiset intersection. */
	unsigned char used[MATCH_SIMILARITY_MAX] = {0};
	double common = 0, total = 0;
	for (size_t i = 0; i + 1 < an; i++) {
		double w = weight ? weight(ctx, a[i], a[i + 1]) : 1.0;
		total += w;
		for (size_t j = 0; j + 1 < bn; j++)
			if (!used[j] && a[i] == b[j] && a[i + 1] == b[j + 1]) {
				used[j] = 1;
				common += w;
				break;
			}
	}
	for (size_t j = 0; j + 1 < bn; j++)
		total += weight ? weight(ctx, b[j], b[j + 1]) : 1.0;
	return total > 0 ? 2.0 * common / total : 0.0;
}

/* ---- The readings of CJK characters (src/match/pinyin.txt), as syllable numbers ---- */

#define CJK_FIRST    0x4E00
#define CJK_LAST     0x9FFF
#define READINGS_MAX 4
static uint16_t (*readings)[READINGS_MAX]; /* per character; 0: none */
static pthread_once_t readings_once = PTHREAD_ONCE_INIT;

static void load_readings(void)
{
	readings = xcalloc(CJK_LAST - CJK_FIRST + 1, sizeof *readings);
	/* Syllables numbered as first met: the same text, the same number. */
	char syllables[1024][8];
	size_t n_syllables = 0;
	for (size_t f = 0; f < embedded_pinyin_count; f++) {
		const char *p = embedded_pinyin[f].data, *end = p + embedded_pinyin[f].len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *line_end = nl ? nl : end;
			char *after;
			long cp = *p == '#' ? -1 : strtol(p, &after, 16);
			for (size_t k = 0; cp >= CJK_FIRST && cp <= CJK_LAST && k < READINGS_MAX;) {
				while (after < line_end && *after == ' ')
					after++;
				size_t len = 0;
				while (after + len < line_end && after[len] != ' ')
					len++;
				if (!len || len >= sizeof syllables[0])
					break;
				size_t id = 0;
				while (id < n_syllables && !(strlen(syllables[id]) == len &&
				                             !memcmp(syllables[id], after, len)))
					id++;
				if (id == n_syllables && n_syllables < ARRAY_SIZE(syllables)) {
					memcpy(syllables[id], after, len);
					syllables[id][len] = '\0';
					n_syllables++;
				}
				if (id < n_syllables)
					readings[cp - CJK_FIRST][k++] = (uint16_t)(id + 1);
				after += len;
			}
			p = line_end + 1;
		}
	}
}

/* Whether two characters can be read alike (韵 and 运 are both yun). */
static bool same_sound(int32_t a, int32_t b)
{
	if (a < CJK_FIRST || a > CJK_LAST || b < CJK_FIRST || b > CJK_LAST)
		return false;
	pthread_once(&readings_once, load_readings);
	const uint16_t *x = readings[a - CJK_FIRST], *y = readings[b - CJK_FIRST];
	for (size_t i = 0; i < READINGS_MAX && x[i]; i++)
		for (size_t j = 0; j < READINGS_MAX && y[j]; j++)
			if (x[i] == y[j])
				return true;
	return false;
}

/* What a character typed for another costs: nothing if it is the same, a little if it sounds
 * the same (a pinyin input method's slip), else a whole edit. */
#define SOUND_SLIP 0.25

static double edit_ratio(const int32_t *a, size_t an, const int32_t *b, size_t bn)
{
	double row[MATCH_SIMILARITY_MAX + 1];
	for (size_t j = 0; j <= bn; j++)
		row[j] = (double)j;
	for (size_t i = 1; i <= an; i++) {
		double diag = row[0];
		row[0] = (double)i;
		for (size_t j = 1; j <= bn; j++) {
			double up = row[j];
			double swap = a[i - 1] == b[j - 1]             ? 0.0
			              : same_sound(a[i - 1], b[j - 1]) ? SOUND_SLIP
			                                               : 1.0;
			double best = diag + swap;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t longer = an > bn ? an : bn;
	return longer ? 1.0 - row[bn] / (double)longer : 1.0;
}

double match_similarity_weighted(const char *a, size_t an, const char *b, size_t bn,
                                 match_gram_weight weight, void *ctx)
{
	int32_t x[MATCH_SIMILARITY_MAX], y[MATCH_SIMILARITY_MAX];
	size_t xn = decode(a, an, x), yn = decode(b, bn, y);
	if (!xn || !yn)
		return 0.0;
	if (an == bn && !memcmp(a, b, an))
		return 1.0;
	double d = dice(x, xn, y, yn, weight, ctx);
	/* The edit ratio is at most what the difference in length leaves (each character one
	 * has and the other lacks is a whole edit): not worth working out when that is no more
	 * than d. */
	size_t longer = xn > yn ? xn : yn, shorter = xn > yn ? yn : xn;
	if (d >= (double)shorter / (double)longer)
		return d;
	double e = edit_ratio(x, xn, y, yn);
	return d > e ? d : e;
}

double match_similarity(const char *a, size_t an, const char *b, size_t bn)
{
	return match_similarity_weighted(a, an, b, bn, NULL, NULL);
}
