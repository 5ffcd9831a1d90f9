#include "loyalty.h"
#include "scorecard.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/crud.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define DAY_MS INT64_C(86400000)

/* What the business of one customer adds up to, over every entity that records business. */
struct tally {
	int64_t deals, years; /* years: distinct calendar years with business, summed per entity */
	int64_t first_ms, last_ms;
};

/* Milliseconds of a date or time column's text (either database's form), 0 if none. */
static int64_t column_ms(struct db_stmt *st, int col)
{
	size_t n;
	const char *s = db_column_text(st, col, &n);
	int64_t ms = 0;
	return s && time_parse_datetime_local(s, n, 0, &ms) ? ms : 0;
}

static int tally_entity(struct op *op, const struct entity *e, int64_t id, struct tally *t)
{
	const struct business *b = e->business;
	struct str q = STR_INIT;
	/* The year is the text's first four characters on both databases (PostgreSQL's sessions
	 * run in UTC: db.c). */
	str_addf(&q,
	         "SELECT count(*), count(DISTINCT substr(CAST(\"%s\" AS TEXT), 1, 4)), "
	         "min(\"%s\"), max(\"%s\") FROM \"%s\" WHERE \"%s\" = ? AND deleted_at IS NULL",
	         b->at->name, b->at->name, b->at->name, e->name, b->customer->name);
	if (b->counted.n_values) {
		str_addf(&q, " AND \"%s\" IN (", b->counted.field->name);
		for (size_t v = 0; v < b->counted.n_values; v++)
			str_adds(&q, v ? ", ?" : "?");
		str_addc(&q, ')');
	}
	struct db_stmt *st;
	int rc = db_prepare(op->db, q.buf, &st);
	str_release(&q);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	for (size_t v = 0; v < b->counted.n_values; v++)
		db_bind_texts(st, (int)v + 2, b->counted.values[v]);
	if ((rc = db_step(st)) == DB_ROW) {
		int64_t deals = db_column_int(st, 0);
		if (deals > 0) {
			int64_t first = column_ms(st, 2), last = column_ms(st, 3);
			t->deals += deals;
			t->years += db_column_int(st, 1);
			if (first && (!t->first_ms || first < t->first_ms))
				t->first_ms = first;
			if (last > t->last_ms)
				t->last_ms = last;
		}
		rc = DB_OK;
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Points for days since the last business: yachts are bought years apart, service and parts
 * in between, so the scale is years, not weeks. */
static int recency_points(int64_t days)
{
	return days < 0 ? 0 : days <= 365 ? 25 : days <= 730 ? 15 : days <= 1095 ? 5 : 0;
}

static int capped(int64_t n, int each, int max)
{
	return n <= 0 ? 0 : n * each > max ? max : (int)n * each;
}

static void add_time(struct str *out, const char *key, int64_t ms)
{
	char iso[TIME_ISO_LEN];
	str_addf(out, ",\"%s\":", key);
	if (ms) {
		time_format_iso(ms, iso);
		str_add_jsons(out, iso);
	} else {
		str_adds(out, "null");
	}
}

int customer_loyalty(struct op *op, int64_t id, struct str *out)
{
	/* Whoever may read the customer (crud_get says 404 or 403 otherwise). */
	struct str rec = STR_INIT;
	struct crud_result res = {0};
	int status = crud_get(op, id, false, &rec, &res);
	str_release(&rec);
	if (status < 0)
		return status;
	struct tally t = {0};
	str_addf(out, "{\"id\":%" PRId64, id);
	struct str sources = STR_INIT;
	str_addc(&sources, '[');
	int rc = DB_OK;
	for (size_t i = 0; i < op->reg->n_entities && !rc; i++) {
		const struct entity *e = &op->reg->entities[i];
		if (!e->business)
			continue;
		rc = tally_entity(op, e, id, &t);
		str_addf(&sources, "%s{\"entity\":\"%s\",\"label\":", sources.len > 1 ? "," : "",
		         e->name);
		str_add_jsons(&sources, label_get(&e->label_plural, op->lang));
		str_addc(&sources, '}');
	}
	str_addc(&sources, ']');
	if (rc) {
		str_release(&sources);
		return crud_db_error(op, rc, "a customer's loyalty");
	}
	int64_t days = t.last_ms ? (time_now_ms() - t.last_ms) / DAY_MS : -1;
	if (t.last_ms && days < 0)
		days = 0; /* business dated ahead (a delivery due) is as recent as can be */
	struct score_factor f[] = {
	    {"repeat",
	     {{"复购次数（首单之后的交易）", "Repeat business (deals after the first)"}},
	     {{"每次 15 分，至多 45", "15 each, at most 45"}},
	     t.deals ? t.deals - 1 : -1,
	     capped(t.deals - 1, 15, 45),
	     45},
	    {"years",
	     {{"有交易的年份", "Years with business"}},
	     {{"每年 10 分，至多 30", "10 a year, at most 30"}},
	     t.deals ? t.years : -1,
	     capped(t.years, 10, 30),
	     30},
	    {"recency",
	     {{"距最近一次交易（天）", "Days since the last deal"}},
	     {{"一年内 25 分，两年内 15，三年内 5，更久 0",
	       "Within a year 25, two years 15, three years 5, longer 0"}},
	     days,
	     recency_points(days),
	     25},
	};
	static const struct score_level levels[] = {{70, "loyal", {{"忠诚", "Loyal"}}},
	                                            {40, "steady", {{"稳定", "Steady"}}},
	                                            {15, "occasional", {{"偶尔", "Occasional"}}},
	                                            {0, "lapsing", {{"流失风险", "Lapsing"}}}};
	static const struct score_level none = {0, "none", {{"暂无交易", "No business yet"}}};
	int score = score_total(f, ARRAY_SIZE(f));
	const struct score_level *level = t.deals ? score_level_of(levels, score) : &none;
	str_addf(out, ",\"score\":%d,\"level\":\"%s\",\"level_label\":", score, level->key);
	str_add_jsons(out, label_get(&level->label, op->lang));
	str_addf(out, ",\"deals\":%" PRId64, t.deals);
	add_time(out, "first_at", t.first_ms);
	add_time(out, "last_at", t.last_ms);
	str_adds(out, ",\"sources\":");
	str_add(out, sources.buf, sources.len);
	str_release(&sources);
	score_factors_json(out, f, ARRAY_SIZE(f), op->lang);
	str_addc(out, '}');
	return 200;
}
