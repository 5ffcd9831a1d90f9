#include "customer360.h"
#include "funnel.h"
#include "pool.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/access.h"
#include "meta/crud.h"
#include "meta/sqlq.h"
#include "meta/transition.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS     INT64_C(86400000)
#define DETAIL_MAX 300
#define COUNT_CAP  100000

/* The customer as the caller may read it (404 otherwise), parsed. */
static int load_customer(struct op *op, int64_t id, json_t **rec)
{
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_get(op, id, false, &out, &res);
	*rec = NULL;
	if (status >= 0) {
		json_error_t je;
		*rec = json_loadb(out.buf, out.len, 0, &je);
	}
	str_release(&out);
	return status < 0 ? status : *rec ? 200 : CRUD_FAULT;
}

/* A time member of rec in milliseconds, 0 if null. */
static int64_t time_member(json_t *rec, const char *name)
{
	const char *s = json_string_value(json_object_get(rec, name));
	int64_t ms = 0;
	return s && time_parse_datetime(s, strlen(s), &ms) ? ms : 0;
}

/* SELECT count(*) of sql with its parameters, capped. */
static int count_of(struct op *op, const char *sql, int n, const char *const *params,
                    int64_t *count)
{
	*count = 0;
	int rc = db_query_int(op->db, sql, n, params, count);
	return rc == DB_DONE ? DB_OK : rc;
}

/* When the customer goes back to the pool under today's rules (0: it does not). */
static int pool_due(struct op *op, json_t *rec, int64_t *due)
{
	*due = 0;
	if (!json_is_integer(json_object_get(rec, "owner_id")))
		return DB_OK;
	struct pool_rules rules;
	int rc = pool_rules_load(op->db, &rules);
	if (rc || !rules.enabled)
		return rc;
	const char *level = json_string_value(json_object_get(rec, "level"));
	double days = rules.default_days;
	for (size_t i = 0; level && i < rules.n_levels; i++)
		if (str_eq(rules.levels[i].level, level))
			days = rules.levels[i].days;
	if (days <= 0)
		return DB_OK;
	int64_t start = time_member(rec, "created_at");
	const char *clocks[] = {"owned_since", "last_followup_at"};
	for (size_t i = 0; i < ARRAY_SIZE(clocks); i++) {
		int64_t ms = time_member(rec, clocks[i]);
		if (ms > start)
			start = ms;
	}
	*due = start + (int64_t)(days * (double)DAY_MS);
	return DB_OK;
}

static void add_time(struct str *out, const char *name, int64_t ms)
{
	str_addf(out, ",\"%s\":", name);
	if (!ms) {
		str_adds(out, "null");
		return;
	}
	char iso[TIME_ISO_LEN];
	time_format_iso(ms, iso);
	str_addf(out, "\"%s\"", iso);
}

static void add_user(struct op *op, struct str *out, const char *name, int64_t user)
{
	str_addf(out, ",\"%s\":", name);
	if (!user) {
		str_adds(out, "null");
		return;
	}
	str_addf(out, "{\"id\":%" PRId64 ",\"name\":", user);
	str_add_jsons(out, user_name(op, user));
	str_addc(out, '}');
}

/* How many records of each related list the customer has, and the follow-ups of 90 days. */
static int add_counts(struct op *op, int64_t id, struct str *out)
{
	char cid[24], since[TIME_ISO_LEN], now[TIME_ISO_LEN];
	snprintf(cid, sizeof cid, "%" PRId64, id);
	int64_t now_ms = time_now_ms();
	time_format_iso(now_ms - 90 * DAY_MS, since);
	time_format_iso(now_ms, now);
	const struct entity *e = op->e;
	int rc = DB_OK;
	int64_t followups = 0, n;
	str_adds(out, ",\"related\":[");
	for (size_t i = 0; i < e->n_relations && !rc; i++) {
		const struct relation *r = &e->relations[i];
		char sql[300];
		snprintf(
		    sql, sizeof sql,
		    "SELECT count(*) FROM (SELECT 1 FROM \"%s\" WHERE \"%s\" = ? AND deleted_at "
		    "IS NULL LIMIT %d) x",
		    r->child->name, r->via->name, COUNT_CAP);
		if ((rc = count_of(op, sql, 1, (const char *[]){cid}, &n)))
			break;
		str_addf(out, "%s{\"relation\":", i ? "," : "");
		str_add_jsons(out, r->name);
		str_adds(out, ",\"label\":");
		str_add_jsons(out, label_get(&r->child->label_plural, op->lang));
		str_addf(out, ",\"count\":%" PRId64 "}", n);
		const struct timeline *t = r->child->timeline;
		if (t && t->followup && t->customer == r->via) {
			snprintf(
			    sql, sizeof sql,
			    "SELECT count(*) FROM \"%s\" WHERE \"%s\" = ? AND deleted_at IS NULL "
			    "AND \"%s\" >= ? AND \"%s\" <= ?",
			    r->child->name, r->via->name, t->at->name, t->at->name);
			if (!(rc = count_of(op, sql, 3, (const char *[]){cid, since, now}, &n)))
				followups += n;
		}
	}
	str_addc(out, ']');
	n = 0;
	if (!rc && registry_entity(op->reg, "tasks"))
		rc =
		    count_of(op,
		             "SELECT count(*) FROM tasks WHERE customer_id = ? AND status = 'open' "
		             "AND deleted_at IS NULL",
		             1, (const char *[]){cid}, &n);
	str_addf(out, ",\"open_tasks\":%" PRId64 ",\"followups_90d\":%" PRId64, n, followups);
	return rc ? rc : funnel_customer_json(op->db, op->reg, id, out);
}

int customer_summary(struct op *op, int64_t id, struct str *out)
{
	json_t *rec;
	int status = load_customer(op, id, &rec);
	if (status < 0)
		return status;
	int64_t owner = json_integer_value(json_object_get(rec, "owner_id"));
	int64_t last = time_member(rec, "last_followup_at"), due = 0;
	str_addf(out, "{\"id\":%" PRId64 ",\"name\":", id);
	str_add_jsons(out, json_string_value(json_object_get(rec, "name")));
	add_user(op, out, "owner", owner);
	str_addf(out, ",\"in_pool\":%s", owner ? "false" : "true");
	static const char *const copied[] = {"lifecycle_stage", "level", "customer_type"};
	for (size_t i = 0; i < ARRAY_SIZE(copied); i++) {
		const char *v = json_string_value(json_object_get(rec, copied[i]));
		str_addf(out, ",\"%s\":", copied[i]);
		if (v)
			str_add_jsons(out, v);
		else
			str_adds(out, "null");
	}
	add_time(out, "last_followup_at", last);
	if (last)
		str_addf(out, ",\"days_since_followup\":%" PRId64, (time_now_ms() - last) / DAY_MS);
	else
		str_adds(out, ",\"days_since_followup\":null");
	add_time(out, "pool_entered_at", time_member(rec, "pool_entered_at"));
	int rc = pool_due(op, rec, &due);
	if (!rc) {
		add_time(out, "pool_due_at", due);
		rc = add_counts(op, id, out);
	}
	str_addc(out, '}');
	json_decref(rec);
	return rc ? crud_db_error(op, rc, "a customer's summary") : 200;
}

/* ---- the timeline ---- */

/* The labels of the customer's moves (customer_moves.action). */
static const struct {
	const char *action;
	struct label label;
} move_labels[] = {
    {"warned", {{"公海回收预警", "Warned before return to the pool"}}},
    {"returned", {{"退回公海", "Returned to the pool"}}},
    {"released", {{"放弃到公海", "Released to the pool"}}},
    {"claimed", {{"从公海领取", "Claimed from the pool"}}},
    {"assigned", {{"分配负责人", "Assigned"}}},
    {"handover", {{"客户移交", "Handed over"}}},
};

/* A time column as the SQL of a timestamp, whatever its type. */
static void at_expr(struct op *op, const struct field *f, struct str *q)
{
	if (f->type == FT_DATETIME)
		str_addf(q, "\"%s\"", f->name);
	else if (db_kind(op->db) == DB_PG)
		str_addf(q, "(CAST(\"%s\" AS timestamp) AT TIME ZONE 'UTC')", f->name);
	else
		str_addf(q, "(\"%s\" || 'T00:00:00.000Z')", f->name);
}

/* One part of the union: the records of e about the customer. */
static void source_sql(struct op *op, const struct entity *e, struct str *q)
{
	const struct timeline *t = e->timeline;
	str_addf(q, "SELECT '%s' AS src, id, ", e->name);
	at_expr(op, t->at, q);
	str_adds(q, " AS at, ");
	const struct field *title = e->title_field ? entity_field(e, e->title_field) : NULL;
	if (title && !(title->flags & FF_SENSITIVE))
		str_addf(q, "CAST(\"%s\" AS text)", title->name);
	else
		str_adds(q, "CAST(NULL AS text)");
	str_adds(q, " AS title, ");
	if (t->kind)
		str_addf(q, "\"%s\"", t->kind->name);
	else
		str_adds(q, "CAST(NULL AS text)");
	str_adds(q, " AS kind, ");
	if (t->detail)
		str_addf(q, "substr(\"%s\", 1, %d)", t->detail->name, DETAIL_MAX);
	else
		str_adds(q, "CAST(NULL AS text)");
	str_addf(q, " AS detail, %s AS who, ", e->owned ? "owner_id" : "created_by");
	if (t->contact)
		str_addf(q, "\"%s\"", t->contact->name);
	else
		str_adds(q, "CAST(NULL AS bigint)");
	str_addf(q,
	         " AS contact_id FROM \"%s\" WHERE \"%s\" = ? AND deleted_at IS NULL AND \"%s\" "
	         "IS NOT NULL",
	         e->name, t->customer->name, t->at->name);
}

struct cursor_at {
	int64_t at_ms, id;
	char src[64];
};

static bool parse_cursor(const char *s, struct cursor_at *c)
{
	int used = 0;
	if (sscanf(s, "%" SCNd64 ":%63[a-z0-9_]:%" SCNd64 "%n", &c->at_ms, c->src, &c->id, &used) !=
	        3 ||
	    s[used] || c->at_ms < 0 || c->id <= 0)
		return false;
	return true;
}

/* The kind's label: an option of the source entity's kind field, or a move's. */
static const char *kind_label(struct op *op, const char *src, const char *kind)
{
	if (!kind)
		return NULL;
	if (str_eq(src, "moves")) {
		for (size_t i = 0; i < ARRAY_SIZE(move_labels); i++)
			if (str_eq(move_labels[i].action, kind))
				return label_get(&move_labels[i].label, op->lang);
		return kind;
	}
	const struct entity *e = registry_entity(op->reg, src);
	const struct field *f = e && e->timeline ? e->timeline->kind : NULL;
	for (size_t i = 0; f && i < f->n_options; i++)
		if (str_eq(f->options[i].key, kind))
			return label_get(&f->options[i].label, op->lang);
	return kind;
}

static void timeline_row(struct op *op, struct db_stmt *st, struct str *out)
{
	const char *src = db_column_text(st, 0, NULL);
	const char *kind = db_column_null(st, 4) ? NULL : db_column_text(st, 4, NULL);
	str_adds(out, "{\"source\":");
	str_add_jsons(out, src);
	str_addf(out, ",\"id\":%" PRId64 ",\"at\":", db_column_int(st, 1));
	json_add_time_column(out, st, 2);
	str_adds(out, ",\"title\":");
	if (str_eq(src, "moves"))
		str_add_jsons(out, kind_label(op, src, kind));
	else
		json_add_text_column(out, st, 3);
	str_adds(out, ",\"kind\":");
	json_add_text_column(out, st, 4);
	str_adds(out, ",\"kind_label\":");
	const char *kl = kind_label(op, src, kind);
	if (kl)
		str_add_jsons(out, kl);
	else
		str_adds(out, "null");
	str_adds(out, ",\"detail\":");
	json_add_text_column(out, st, 5);
	str_adds(out, ",\"who\":");
	if (db_column_null(st, 6)) {
		str_adds(out, "null");
	} else {
		str_addf(out, "{\"id\":%" PRId64 ",\"name\":", db_column_int(st, 6));
		json_add_text_column(out, st, 7);
		str_addc(out, '}');
	}
	str_adds(out, ",\"contact\":");
	if (db_column_null(st, 8)) {
		str_adds(out, "null");
	} else {
		str_addf(out, "{\"id\":%" PRId64 ",\"name\":", db_column_int(st, 8));
		json_add_text_column(out, st, 9);
		str_addc(out, '}');
	}
}

/* One item of a timeline page, its JSON written up to its last member. */
struct item {
	const char *src; /* in op's arena */
	int64_t id;
	bool openable;
	struct str json;
};

/*
 * Which items of the page the caller may open: whoever may read the customer sees its whole
 * timeline, but opening an item follows that record's own access, so the page links only
 * those (a salesperson who took a customer over sees the former owner's follow-ups, and cannot
 * open them unless shared). One query per entity on the page. Moves open nothing.
 */
static int mark_openable(struct op *op, struct item *items, size_t n)
{
	for (size_t i = 0; i < op->reg->n_entities; i++) {
		const struct entity *e = &op->reg->entities[i];
		bool on_page = false;
		for (size_t k = 0; k < n && !on_page; k++)
			on_page = str_eq(items[k].src, e->name);
		if (!e->timeline || !on_page)
			continue; /* access_where may ask the database: only for entities on the
			             page */
		struct sqlq s;
		sqlq_init(&s);
		sqlq_addf(&s, "SELECT t.\"id\" FROM \"%s\" t WHERE t.\"deleted_at\" IS NULL",
		          e->name);
		struct op target = *op;
		target.e = e;
		target.shared = 0;
		int rc = access_where(&target, ACT_READ, &s);
		sqlq_add(&s, " AND t.\"id\" IN (");
		size_t asked = 0;
		for (size_t k = 0; k < n; k++)
			if (str_eq(items[k].src, e->name)) {
				sqlq_add(&s, asked++ ? ", " : "");
				sqlq_int(&s, items[k].id);
			}
		sqlq_add(&s, ")");
		struct db_stmt *st;
		if (!rc && !(rc = sqlq_prepare(op->db, &s, &st))) {
			while ((rc = db_step(st)) == DB_ROW) {
				int64_t id = db_column_int(st, 0);
				for (size_t k = 0; k < n; k++)
					if (items[k].id == id && str_eq(items[k].src, e->name))
						items[k].openable = true;
			}
			db_reset(st);
			rc = rc == DB_DONE ? DB_OK : rc;
		}
		sqlq_release(&s);
		if (rc)
			return rc;
	}
	return DB_OK;
}

int customer_timeline(struct op *op, int64_t id, const char *cursor, int64_t limit, struct str *out)
{
	struct cursor_at after = {0};
	if (cursor && !parse_cursor(cursor, &after)) {
		problem_add(op->problem, "cursor", "invalid_cursor", NULL);
		return problem_set(op->problem, 400, "bad_request");
	}
	json_t *rec;
	int status = load_customer(op, id, &rec);
	json_decref(rec);
	if (status < 0)
		return status;
	struct str q = STR_INIT;
	size_t n_sources = 0;
	str_adds(&q, "SELECT x.src, x.id, x.at, x.title, x.kind, x.detail, x.who, "
	             "COALESCE(u.display_name, u.username), x.contact_id, c.name FROM (");
	for (size_t i = 0; i < op->reg->n_entities; i++) {
		const struct entity *e = &op->reg->entities[i];
		if (!e->timeline)
			continue;
		source_sql(op, e, &q);
		str_adds(&q, " UNION ALL ");
		n_sources++;
	}
	str_adds(&q,
	         "SELECT 'moves', id, at, CAST(NULL AS text), action, reason, by_user_id, "
	         "CAST(NULL AS bigint) FROM customer_moves WHERE customer_id = ?) x "
	         "LEFT JOIN users u ON u.id = x.who LEFT JOIN contacts c ON c.id = x.contact_id");
	char at[TIME_ISO_LEN];
	if (cursor) {
		time_format_iso(after.at_ms, at);
		str_adds(&q,
		         " WHERE (x.at < ? OR (x.at = ? AND (x.src > ? OR (x.src = ? AND x.id < "
		         "?))))");
	}
	str_adds(&q, " ORDER BY x.at DESC, x.src, x.id DESC LIMIT ?");
	struct db_stmt *st;
	int rc = db_prepare(op->db, q.buf, &st);
	str_release(&q);
	if (rc)
		return crud_db_error(op, rc, "a customer's timeline");
	int p = 1;
	for (size_t i = 0; i <= n_sources; i++)
		db_bind_int(st, p++, id);
	if (cursor) {
		db_bind_texts(st, p++, at);
		db_bind_texts(st, p++, at);
		db_bind_texts(st, p++, after.src);
		db_bind_texts(st, p++, after.src);
		db_bind_int(st, p++, after.id);
	}
	db_bind_int(st, p, limit);
	struct item *items = ARENA_NEW_ARRAY(op->arena, struct item, (size_t)limit);
	int64_t n = 0, last_at = 0, last_id = 0;
	char last_src[64] = "";
	while (n < limit && (rc = db_step(st)) == DB_ROW) {
		struct item *it = &items[n++];
		it->src = arena_strdup(op->arena, db_column_text(st, 0, NULL));
		it->id = db_column_int(st, 1);
		it->json = (struct str)STR_INIT;
		timeline_row(op, st, &it->json);
		db_column_time(st, 2, &last_at);
		last_id = it->id;
		snprintf(last_src, sizeof last_src, "%s", it->src);
	}
	db_reset(st);
	if (rc == DB_DONE || rc == DB_ROW)
		rc = mark_openable(op, items, (size_t)n);
	str_adds(out, "{\"data\":[");
	for (int64_t i = 0; i < n; i++) {
		str_add(out, items[i].json.buf, items[i].json.len);
		str_addf(out, ",\"openable\":%s}%s", items[i].openable ? "true" : "false",
		         i + 1 < n ? "," : "");
		str_release(&items[i].json);
	}
	if (rc)
		return crud_db_error(op, rc, "a customer's timeline");
	str_adds(out, "],\"next_cursor\":");
	if (n == limit)
		str_addf(out, "\"%" PRId64 ":%s:%" PRId64 "\"", last_at, last_src, last_id);
	else
		str_adds(out, "null");
	str_addc(out, '}');
	return 200;
}
