#include "scorecard.h"

#include <inttypes.h>

int score_total(const struct score_factor *f, size_t n)
{
	int score = 0;
	for (size_t i = 0; i < n; i++)
		score += f[i].points;
	return score;
}

const struct score_level *score_level_of(const struct score_level *levels, int score)
{
	while (score < levels->min)
		levels++;
	return levels;
}

void score_factors_json(struct str *out, const struct score_factor *f, size_t n, enum lang lang)
{
	str_adds(out, ",\"factors\":[");
	for (size_t i = 0; i < n; i++) {
		str_addf(out, "%s{\"key\":\"%s\",\"label\":", i ? "," : "", f[i].key);
		str_add_jsons(out, label_get(&f[i].label, lang));
		if (f[i].value < 0)
			str_adds(out, ",\"value\":null");
		else
			str_addf(out, ",\"value\":%" PRId64, f[i].value);
		str_addf(out, ",\"points\":%d,\"max\":%d,\"rule\":", f[i].points, f[i].max);
		str_add_jsons(out, label_get(&f[i].rule, lang));
		str_addc(out, '}');
	}
	str_addc(out, ']');
}
