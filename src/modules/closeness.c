#include "closeness.h"
#include "scorecard.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/crud.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define DAY_MS INT64_C(86400000)

/* Kinds of follow-up that meet the person (activities.kind). */
static const char *const face_to_face[] = {"visit",     "meeting",       "sea_trial",
                                           "boat_show", "product_intro", NULL};

/* Points for days since the last contact: the sooner, the more. */
static int recency_points(int64_t days)
{
	return days < 0      ? 0
	       : days <= 7   ? 40
	       : days <= 30  ? 30
	       : days <= 90  ? 20
	       : days <= 180 ? 10
	                     : 0;
}

/* Follow-ups with contact id in [since, now] of every follow-up entity; face: only meetings. */
static int count_followups(struct op *op, int64_t id, int64_t since_ms, bool face, int64_t *n)
{
	char cid[24], since[TIME_ISO_LEN], now[TIME_ISO_LEN];
	snprintf(cid, sizeof cid, "%" PRId64, id);
	time_format_iso(since_ms, since);
	time_now_iso(now);
	*n = 0;
	for (size_t i = 0; i < op->reg->n_entities; i++) {
		const struct entity *e = &op->reg->entities[i];
		const struct timeline *t = e->timeline;
		if (!t || !t->followup || !t->contact)
			continue;
		struct str q = STR_INIT;
		str_addf(&q,
		         "SELECT count(*) FROM \"%s\" WHERE \"%s\" = ? AND deleted_at IS NULL AND "
		         "\"%s\" >= ? AND \"%s\" <= ?",
		         e->name, t->contact->name, t->at->name, t->at->name);
		if (face && t->kind) {
			str_addf(&q, " AND \"%s\" IN (", t->kind->name);
			for (size_t k = 0; face_to_face[k]; k++)
				str_addf(&q, "%s'%s'", k ? ", " : "", face_to_face[k]);
			str_addc(&q, ')');
		}
		int64_t c = 0;
		int rc = db_query_int(op->db, q.buf, 3, (const char *[]){cid, since, now}, &c);
		str_release(&q);
		if (rc && rc != DB_DONE)
			return rc;
		*n += c;
	}
	return DB_OK;
}

int contact_closeness(struct op *op, int64_t id, struct str *out)
{
	struct str rec = STR_INIT;
	struct crud_result res = {0};
	int status = crud_get(op, id, false, &rec, &res);
	json_t *j = NULL;
	if (status >= 0) {
		json_error_t je;
		j = json_loadb(rec.buf, rec.len, 0, &je);
	}
	str_release(&rec);
	if (status < 0)
		return status;
	const char *last = json_string_value(json_object_get(j, "last_contacted_at"));
	int64_t now = time_now_ms(), last_ms = 0, days = -1;
	if (last && time_parse_datetime(last, strlen(last), &last_ms))
		days = (now - last_ms) / DAY_MS;
	json_decref(j);
	int64_t in90 = 0, face = 0;
	int rc = count_followups(op, id, now - 90 * DAY_MS, false, &in90);
	if (!rc)
		rc = count_followups(op, id, now - 365 * DAY_MS, true, &face);
	if (rc)
		return crud_db_error(op, rc, "closeness");
	struct score_factor f[] = {
	    {"recency",
	     {{"最近一次联系", "Last contact"}},
	     {{"7 天内 40 分，30 天内 30，90 天内 20，180 天内 10，更久 0",
	       "Within 7 days 40, 30 days 30, 90 days 20, 180 days 10, longer 0"}},
	     days,
	     recency_points(days),
	     40},
	    {"frequency",
	     {{"近 90 天联系次数", "Contacts in 90 days"}},
	     {{"每次 8 分，至多 40", "8 each, at most 40"}},
	     in90,
	     in90 * 8 > 40 ? 40 : (int)in90 * 8,
	     40},
	    {"face_to_face",
	     {{"近一年见面次数（拜访、会议、试航、船展、产品介绍）",
	       "Meetings in a year (visits, meetings, sea trials, boat shows, introductions)"}},
	     {{"每次 5 分，至多 20", "5 each, at most 20"}},
	     face,
	     face * 5 > 20 ? 20 : (int)face * 5,
	     20},
	};
	static const struct score_level levels[] = {{70, "close", {{"紧密", "Close"}}},
	                                            {40, "warm", {{"良好", "Warm"}}},
	                                            {15, "cool", {{"一般", "Cool"}}},
	                                            {0, "cold", {{"疏远", "Cold"}}}};
	int score = score_total(f, ARRAY_SIZE(f));
	const struct score_level *level = score_level_of(levels, score);
	str_addf(out, "{\"id\":%" PRId64 ",\"score\":%d,\"level\":\"%s\",\"level_label\":", id,
	         score, level->key);
	str_add_jsons(out, label_get(&level->label, op->lang));
	score_factors_json(out, f, ARRAY_SIZE(f), op->lang);
	str_addc(out, '}');
	return 200;
}
