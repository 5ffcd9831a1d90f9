/*
 * Recently viewed records: the client tells which record the user opened; each user keeps the
 * last RECENT_MAX, one row a record (opening it again moves it to the top). The list shows
 * each record's title as it is now, and leaves out what was deleted or can no longer be read.
 */
#include "api.h"
#include "body.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/access.h"

#include <stdio.h>
#include <string.h>

#define RECENT_MAX      30
#define RECENT_MAX_TEXT "30" /* the same, written into SQL and messages */

void api_recent_add(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	static const char *const allowed[] = {"entity", "id", NULL};
	body_allow(r, body, allowed);
	const char *name = NULL;
	int64_t id = 0;
	const struct entity *e = NULL;
	if (body_text(r, body, "entity", 64, true, &name) == BM_VALUE &&
	    !(e = r->reg ? registry_entity(r->reg, name) : NULL))
		problem_add(&r->problem, "entity", "unknown_entity", NULL);
	body_id(r, body, "id", true, &id);
	if (!body_checked(r, body))
		return;
	struct op op;
	req_op(r, e, &op);
	char user[24], record[24], now[TIME_ISO_LEN];
	snprintf(user, sizeof user, "%lld", (long long)r->session.user_id);
	snprintf(record, sizeof record, "%lld", (long long)id);
	time_now_iso(now);
	/* Only what the caller may read, and as GET answers it: 404 otherwise. */
	int rc = access_find_record(&op, ACT_READ, id);
	if (!rc)
		rc = db_begin(r->db);
	/* A new row, so that the id orders the list; then the oldest beyond the limit go. */
	if (!rc)
		rc = db_run(r->db,
		            "DELETE FROM recent_records WHERE user_id = ? AND entity = ? AND "
		            "record_id = ?",
		            3, (const char *[]){user, e->name, record});
	if (!rc)
		rc = db_run(r->db,
		            "INSERT INTO recent_records (user_id, entity, record_id, viewed_at) "
		            "VALUES (?, ?, ?, ?)",
		            4, (const char *[]){user, e->name, record, now});
	if (!rc)
		rc = db_run(
		    r->db,
		    "DELETE FROM recent_records WHERE user_id = ? AND id NOT IN (SELECT id "
		    "FROM recent_records WHERE user_id = ? ORDER BY id DESC LIMIT " RECENT_MAX_TEXT
		    ")",
		    2, (const char *[]){user, user});
	if (!rc)
		rc = db_commit(r->db);
	if (rc && db_in_transaction(r->db))
		db_rollback(r->db);
	/* The same record opened at the same moment in another tab: recorded by that one. */
	body_answer_done(r, rc == DB_ECONSTRAINT ? DB_OK : rc, "recording a view");
}

/* One recently viewed record: where it is, when, and its title once found readable. */
struct recent {
	const struct entity *e;
	int64_t id;
	const char *viewed_at;
	const char *title; /* JSON; NULL: deleted or unreadable (left out) */
};

/* The titles of the rows of entity e (those not yet found) the caller may still read. */
static int find_titles(struct op *op, struct recent *rows, size_t n, const struct entity *e)
{
	const struct field *title = e->title_field ? entity_field(e, e->title_field) : NULL;
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT t.\"id\"");
	if (title)
		sqlq_field(&s, ", t.", title);
	sqlq_addf(&s, " FROM \"%s\" t WHERE t.\"deleted_at\" IS NULL AND t.\"id\" IN (", e->name);
	for (size_t i = 0, k = 0; i < n; i++)
		if (rows[i].e == e) {
			sqlq_add(&s, k++ ? ", " : "");
			sqlq_int(&s, rows[i].id);
		}
	sqlq_add(&s, ")");
	op->e = e;
	op->shared = 0;
	int rc = access_where(op, ACT_READ, &s);
	struct db_stmt *st;
	if (!rc && !(rc = sqlq_prepare(op->db, &s, &st))) {
		while ((rc = db_step(st)) == DB_ROW) {
			int64_t id = db_column_int(st, 0);
			struct str t = STR_INIT;
			if (title) {
				int col = 1;
				struct value v;
				value_from_column(title, st, &col, &v);
				if (title->flags & FF_SENSITIVE)
					access_mask_json(title, &v, &t);
				else
					value_to_json(&t, title, &v);
			} else {
				str_adds(&t, "null");
			}
			for (size_t i = 0; i < n; i++)
				if (rows[i].e == e && rows[i].id == id)
					rows[i].title = arena_strndup(op->arena, t.buf, t.len);
			str_release(&t);
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	sqlq_release(&s);
	return rc;
}

void api_recent_list(struct req *r)
{
	int64_t limit = 10;
	for (size_t i = 0; i < r->n_query; i++) {
		const char *k = r->query[i].key, *v = r->query[i].value;
		if (strcmp(k, "limit") != 0)
			problem_add(&r->problem, k, "unknown_parameter", NULL);
		else if (!parse_int64(v, strlen(v), &limit) || limit < 1 || limit > RECENT_MAX)
			problem_add(&r->problem, "limit", "out_of_range",
			            (const char *[]){"min", "1", "max", RECENT_MAX_TEXT, NULL});
	}
	if (r->problem.n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	struct recent rows[RECENT_MAX];
	size_t n = 0;
	struct db_stmt *st;
	int rc = db_prepare(r->db,
	                    "SELECT entity, record_id, viewed_at FROM recent_records "
	                    "WHERE user_id = ? ORDER BY id DESC LIMIT " RECENT_MAX_TEXT,
	                    &st);
	if (!rc) {
		db_bind_int(st, 1, r->session.user_id);
		while (n < RECENT_MAX && (rc = db_step(st)) == DB_ROW) {
			const struct entity *e =
			    r->reg ? registry_entity(r->reg, db_column_text(st, 0, NULL)) : NULL;
			int64_t ms = 0;
			if (!e || !db_column_time(st, 2, &ms))
				continue;
			char *at = arena_alloc(&r->arena, TIME_ISO_LEN);
			time_format_iso(ms, at);
			rows[n++] =
			    (struct recent){.e = e, .id = db_column_int(st, 1), .viewed_at = at};
		}
		db_reset(st);
		rc = rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
	}
	/* One query per entity among them. */
	struct op op;
	req_op(r, NULL, &op);
	for (size_t i = 0; i < n && !rc; i++) {
		bool first = true;
		for (size_t k = 0; k < i; k++)
			first &= rows[k].e != rows[i].e;
		if (first)
			rc = find_titles(&op, rows, n, rows[i].e);
	}
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	for (size_t i = 0, shown = 0; i < n && shown < (size_t)limit; i++) {
		if (!rows[i].title)
			continue;
		str_adds(&out, shown++ ? ",{\"entity\":" : "{\"entity\":");
		str_add_jsons(&out, rows[i].e->name);
		str_adds(&out, ",\"id\":");
		str_add_int(&out, rows[i].id);
		str_adds(&out, ",\"title\":");
		str_adds(&out, rows[i].title);
		str_adds(&out, ",\"viewed_at\":");
		str_add_jsons(&out, rows[i].viewed_at);
		str_addc(&out, '}');
	}
	str_addc(&out, ']');
	api_answer_data(r, rc, &out, "listing recent records");
}
