#include "modules/analysis.h"

#include "core/arena.h"
#include "core/util.h"
#include "meta/access.h"
#include "meta/crud.h"
#include "meta/registry.h"
#include "meta/sqlq.h"
#include "modules/report_sql.h"

#include <stdlib.h>
#include <string.h>

const char *const analysis_by_names[BY__MAX + 1] = {[BY_INDUSTRY] = "industry",
                                                    [BY_SIZE] = "size",
                                                    [BY_REGION] = "region",
                                                    [BY_PROVINCE] = "province",
                                                    [BY_SOURCE] = "source",
                                                    [BY_PURCHASE] = "purchase",
                                                    [BY__MAX] = NULL};

/* A band of a number: the key, its lower bound (inclusive) and label. */
struct band {
	const char *key;
	int64_t min;
	struct label label;
};

/*
 * Size by the staff total, as China's statistics bureau sizes enterprises by their people
 * (统计上大中小微型企业划分办法, the industrial thresholds): fewer than 20, 20–299, 300–999,
 * 1,000 and more.
 */
static const struct band sizes[] = {
    {"micro", 0, {{"微型（20人以下）", "Micro (under 20 staff)"}}},
    {"small", 20, {{"小型（20–299人）", "Small (20–299 staff)"}}},
    {"medium", 300, {{"中型（300–999人）", "Medium (300–999 staff)"}}},
    {"large", 1000, {{"大型（1000人及以上）", "Large (1,000 staff and more)"}}},
};

/*
 * Purchase amount: what the customer's won opportunities sum to in CNY, in fen. The bands follow
 * the boats: a tender or a refit below ¥1 M, a sport yacht ¥1–5 M, a flybridge or motor yacht
 * ¥5–20 M, a large motor yacht ¥20–100 M, a superyacht above.
 */
#define YUAN_M (100 * 1000 * 1000LL) /* ¥1 M in fen */
static const struct band purchases[] = {
    {"none", 0, {{"未成交", "No purchase"}}},
    {"under_1m", 1, {{"100万元以下", "Under ¥1 M"}}},
    {"1m_5m", 1 * YUAN_M, {{"100万–500万元", "¥1 M – 5 M"}}},
    {"5m_20m", 5 * YUAN_M, {{"500万–2000万元", "¥5 M – 20 M"}}},
    {"20m_100m", 20 * YUAN_M, {{"2000万–1亿元", "¥20 M – 100 M"}}},
    {"100m_plus", 100 * YUAN_M, {{"1亿元及以上", "¥100 M and more"}}},
};

/* Provinces as the customers' province field holds them (src/match/regions.txt), in English. */
static const struct label provinces[] = {
    {{"北京市", "Beijing"}},
    {{"天津市", "Tianjin"}},
    {{"河北省", "Hebei"}},
    {{"山西省", "Shanxi"}},
    {{"内蒙古自治区", "Inner Mongolia"}},
    {{"辽宁省", "Liaoning"}},
    {{"吉林省", "Jilin"}},
    {{"黑龙江省", "Heilongjiang"}},
    {{"上海市", "Shanghai"}},
    {{"江苏省", "Jiangsu"}},
    {{"浙江省", "Zhejiang"}},
    {{"安徽省", "Anhui"}},
    {{"福建省", "Fujian"}},
    {{"江西省", "Jiangxi"}},
    {{"山东省", "Shandong"}},
    {{"河南省", "Henan"}},
    {{"湖北省", "Hubei"}},
    {{"湖南省", "Hunan"}},
    {{"广东省", "Guangdong"}},
    {{"广西壮族自治区", "Guangxi"}},
    {{"海南省", "Hainan"}},
    {{"重庆市", "Chongqing"}},
    {{"四川省", "Sichuan"}},
    {{"贵州省", "Guizhou"}},
    {{"云南省", "Yunnan"}},
    {{"西藏自治区", "Tibet"}},
    {{"陕西省", "Shaanxi"}},
    {{"甘肃省", "Gansu"}},
    {{"青海省", "Qinghai"}},
    {{"宁夏回族自治区", "Ningxia"}},
    {{"新疆维吾尔自治区", "Xinjiang"}},
    {{"台湾省", "Taiwan"}},
    {{"香港特别行政区", "Hong Kong"}},
    {{"澳门特别行政区", "Macao"}},
};

static const struct label not_set = {{"未填写", "Not set"}};

/* What a customer's won opportunities sum to in CNY (fen), of row t. */
#define PURCHASE_CNY                                                                           \
	"(SELECT sum(o.amount) FROM opportunities o WHERE o.customer_id = t.id AND o.stage = " \
	"'won' AND o.deleted_at IS NULL AND coalesce(o.amount_currency, 'CNY') = 'CNY')"

/* One currency's part of a group's purchases. */
struct currency_sum {
	char code[8];
	int64_t won, amount;
};

struct group {
	const char *key;            /* NULL: not set */
	int64_t count, won, amount; /* won opportunities and their CNY amount */
	struct currency_sum *others;
	size_t n_others;
	int rank; /* the option's or band's place; provinces by count */
};

struct groups {
	struct group *at;
	size_t n, cap;
};

static struct group *group_of(struct groups *g, const char *key)
{
	for (size_t i = 0; i < g->n; i++)
		if (key ? g->at[i].key && strcmp(g->at[i].key, key) == 0 : !g->at[i].key)
			return &g->at[i];
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->at = xrealloc(g->at, g->cap * sizeof *g->at);
	}
	g->at[g->n] = (struct group){.key = key ? strdup(key) : NULL};
	return &g->at[g->n++];
}

static void groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free((char *)g->at[i].key);
		free(g->at[i].others);
	}
	free(g->at);
}

/* CASE giving the key of the band of value v (NULL stays NULL). */
static void add_band_case(struct sqlq *s, const struct band *b, size_t n, const char *v)
{
	sqlq_addf(s, "CASE WHEN %s IS NULL THEN NULL", v);
	for (size_t i = n; i-- > 1;)
		sqlq_addf(s, " WHEN %s >= %lld THEN '%s'", v, (long long)b[i].min, b[i].key);
	sqlq_addf(s, " ELSE '%s' END", b[0].key);
}

/* The caller's customers (alias t) by owner and unit, and those shared with them, with f's
 * owner and team: " AND …". The shared pool (no owner), which every list shows for claiming, is
 * the company's: counted for a scope of all only, not in a salesperson's analysis. */
static int add_scope(struct op *op, const struct funnel_filter *f, struct sqlq *s)
{
	bool shares = false;
	sqlq_add(s, " AND (");
	int rc = access_cond_owner_unit(op, ACT_READ, "t.", s, &shares);
	if (!rc && shares) {
		sqlq_add(s, " OR t.id IN (");
		access_add_shared_ids(op, ACT_READ, s);
		sqlq_add(s, ")");
	}
	sqlq_add(s, ")");
	report_add_people(s, "t.", f->owner_id, f->team_id);
	return rc;
}

/*
 * SELECT the group key of each customer as x.g and its id as x.id, as a derived table: the
 * purchase band needs the customer's sum first.
 */
static int add_keys(struct op *op, enum analysis_by by, const struct funnel_filter *f,
                    struct sqlq *s)
{
	sqlq_add(s, "(SELECT t.id AS id, ");
	switch (by) {
	case BY_SIZE:
		add_band_case(s, sizes, ARRAY_SIZE(sizes), "t.staff_total");
		break;
	case BY_PROVINCE:
		sqlq_add(s, "nullif(t.province, '')");
		break;
	case BY_PURCHASE:
		/* no won opportunity in CNY: the first band, not "not set" */
		add_band_case(s, purchases, ARRAY_SIZE(purchases), "coalesce(" PURCHASE_CNY ", 0)");
		break;
	default:
		sqlq_ident(s, "t.", analysis_by_names[by]);
	}
	sqlq_add(s, " AS g FROM customers t WHERE t.deleted_at IS NULL");
	int rc = add_scope(op, f, s);
	sqlq_add(s, ") x");
	return rc;
}

/* Counts per group, then (amounts) the won opportunities per group and currency. */
static int gather(struct op *op, enum analysis_by by, const struct funnel_filter *f, bool amounts,
                  struct groups *g)
{
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT x.g, count(*) FROM ");
	int rc = add_keys(op, by, f, &s);
	sqlq_add(&s, " GROUP BY x.g");
	struct db_stmt *st;
	if (!rc && !(rc = sqlq_prepare(op->db, &s, &st))) {
		while ((rc = db_step(st)) == DB_ROW)
			group_of(g, db_column_null(st, 0) ? NULL : db_column_text(st, 0, NULL))
			    ->count = db_column_int(st, 1);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	if (!rc && amounts) {
		sqlq_reset(&s);
		sqlq_add(&s, "SELECT x.g, coalesce(o.amount_currency, 'CNY'), count(*), "
		             "sum(coalesce(o.amount, 0)) FROM ");
		rc = add_keys(op, by, f, &s);
		sqlq_add(&s,
		         " JOIN opportunities o ON o.customer_id = x.id AND o.stage = 'won' AND "
		         "o.deleted_at IS NULL GROUP BY 1, 2");
		if (!rc && !(rc = sqlq_prepare(op->db, &s, &st))) {
			while ((rc = db_step(st)) == DB_ROW) {
				struct group *gr = group_of(
				    g, db_column_null(st, 0) ? NULL : db_column_text(st, 0, NULL));
				const char *cur = db_column_text(st, 1, NULL);
				int64_t n = db_column_int(st, 2), amount = db_column_int(st, 3);
				gr->won += n;
				if (strcmp(cur, "CNY") == 0) {
					gr->amount += amount;
					continue;
				}
				gr->others =
				    xrealloc(gr->others, (gr->n_others + 1) * sizeof *gr->others);
				struct currency_sum *c = &gr->others[gr->n_others++];
				*c = (struct currency_sum){.won = n, .amount = amount};
				snprintf(c->code, sizeof c->code, "%s", cur);
			}
			db_reset(st);
			rc = rc == DB_DONE ? DB_OK : rc;
		}
	}
	sqlq_release(&s);
	return rc;
}

/* ---- labels and order ---- */

static const char *band_label(const struct band *b, size_t n, const char *key, enum lang lang,
                              int *rank)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(b[i].key, key) == 0) {
			*rank = (int)i;
			return label_get(&b[i].label, lang);
		}
	return key;
}

static const char *province_label(const char *name, enum lang lang)
{
	for (size_t i = 0; i < ARRAY_SIZE(provinces); i++)
		if (strcmp(provinces[i].text[LANG_ZH], name) == 0)
			return label_get(&provinces[i], lang);
	return name; /* not one of the list (typed by hand, or abroad): as it is */
}

/* The group's label, and its rank in the order groups are given. */
static const char *group_label(struct op *op, enum analysis_by by, struct group *gr)
{
	gr->rank = 1 << 20; /* after the known ones */
	if (!gr->key) {
		gr->rank = 1 << 21; /* last */
		return label_get(&not_set, op->lang);
	}
	switch (by) {
	case BY_SIZE:
		return band_label(sizes, ARRAY_SIZE(sizes), gr->key, op->lang, &gr->rank);
	case BY_PURCHASE:
		return band_label(purchases, ARRAY_SIZE(purchases), gr->key, op->lang, &gr->rank);
	case BY_PROVINCE:
		gr->rank = 0; /* by count */
		return province_label(gr->key, op->lang);
	default: {
		const struct field *fd = entity_field(op->e, analysis_by_names[by]);
		for (size_t i = 0; fd && i < fd->n_options; i++)
			if (strcmp(fd->options[i].key, gr->key) == 0) {
				gr->rank = (int)i;
				return label_get(&fd->options[i].label, op->lang);
			}
		return gr->key; /* an option since removed */
	}
	}
}

static int by_rank(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->key && y->key ? strcmp(x->key, y->key) : 0;
}

/*
 * The list's query parameters that pick the group's customers, as a JSON object, or null when
 * the list cannot (a purchase band is computed, not a field).
 */
static void add_list_filter(enum analysis_by by, const struct group *gr, struct str *out)
{
	const char *field = by == BY_SIZE ? "staff_total" : analysis_by_names[by];
	if (by == BY_PURCHASE) {
		str_adds(out, "null");
		return;
	}
	str_addc(out, '{');
	if (!gr->key) {
		str_addf(out, "\"%s__null\":\"true\"}", field);
		return;
	}
	if (by != BY_SIZE) {
		str_add_jsons(out, field);
		str_addc(out, ':');
		str_add_jsons(out, gr->key);
		str_addc(out, '}');
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		if (strcmp(sizes[i].key, gr->key) == 0) {
			str_addf(out, "\"staff_total__gte\":\"%lld\"", (long long)sizes[i].min);
			if (i + 1 < ARRAY_SIZE(sizes))
				str_addf(out, ",\"staff_total__lt\":\"%lld\"",
				         (long long)sizes[i + 1].min);
		}
	str_addc(out, '}');
}

static void add_amounts(const struct group *gr, bool amounts, struct str *out)
{
	if (!amounts) {
		str_adds(out, ",\"won\":null,\"amount\":null,\"other_currencies\":[]");
		return;
	}
	str_addf(out, ",\"won\":%lld,\"amount\":%lld,\"other_currencies\":[", (long long)gr->won,
	         (long long)gr->amount);
	for (size_t i = 0; i < gr->n_others; i++) {
		str_adds(out, i ? ",{\"currency\":" : "{\"currency\":");
		str_add_jsons(out, gr->others[i].code);
		str_addf(out, ",\"won\":%lld,\"amount\":%lld}", (long long)gr->others[i].won,
		         (long long)gr->others[i].amount);
	}
	str_addc(out, ']');
}

static void add_json(struct op *op, enum analysis_by by, struct groups *g, bool amounts,
                     struct str *out)
{
	const char **labels = ARENA_NEW_ARRAY(op->arena, const char *, g->n + 1);
	for (size_t i = 0; i < g->n; i++)
		labels[i] = arena_strdup(op->arena, group_label(op, by, &g->at[i]));
	struct group total = {0};
	str_adds(out, "{\"by\":");
	str_add_jsons(out, analysis_by_names[by]);
	str_adds(out, ",\"currency\":\"CNY\",\"groups\":[");
	size_t *order = ARENA_NEW_ARRAY(op->arena, size_t, g->n + 1);
	for (size_t i = 0; i < g->n; i++)
		order[i] = i;
	for (size_t i = 1; i < g->n; i++) /* insertion sort of the indexes: a few dozen groups */
		for (size_t j = i; j > 0 && by_rank(&g->at[order[j]], &g->at[order[j - 1]]) < 0;
		     j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	bool first = true;
	for (size_t k = 0; k < g->n; k++) {
		const struct group *gr = &g->at[order[k]];
		if (!gr->count)
			continue; /* a group of no customers has no purchases either */
		total.count += gr->count;
		total.won += gr->won;
		total.amount += gr->amount;
		str_adds(out, first ? "{\"key\":" : ",{\"key\":");
		first = false;
		if (gr->key)
			str_add_jsons(out, gr->key);
		else
			str_adds(out, "null");
		str_adds(out, ",\"label\":");
		str_add_jsons(out, labels[order[k]]);
		str_addf(out, ",\"count\":%lld", (long long)gr->count);
		add_amounts(gr, amounts, out);
		str_adds(out, ",\"list\":");
		add_list_filter(by, gr, out);
		str_addc(out, '}');
	}
	str_addf(out, "],\"total\":{\"count\":%lld", (long long)total.count);
	if (amounts)
		str_addf(out, ",\"won\":%lld,\"amount\":%lld}}", (long long)total.won,
		         (long long)total.amount);
	else
		str_adds(out, ",\"won\":null,\"amount\":null}}");
}

int analysis_customers_json(struct op *op, enum analysis_by by, const struct funnel_filter *f,
                            bool may_amounts, struct str *out)
{
	if (by == BY_PURCHASE && !may_amounts)
		return problem_set(op->problem, 403, "forbidden");
	if (by != BY_SIZE && by != BY_PURCHASE && !entity_field(op->e, analysis_by_names[by]))
		return problem_set(op->problem, 404, "not_found"); /* a field since removed */
	struct groups g = {0};
	int rc = gather(op, by, f, may_amounts, &g);
	if (!rc)
		add_json(op, by, &g, may_amounts, out);
	groups_free(&g);
	return rc ? crud_db_error(op, rc, "the customer analysis") : 200;
}
