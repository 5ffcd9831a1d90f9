#include "audit.h"
#include "access.h"
#include "crud.h"
#include "sqlq.h"
#include "core/csv.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int audit_write(struct op *op, const char *action, const char *entity, int64_t record_id,
                const char *changes)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               "INSERT INTO sys_audit (at, user_id, action, entity, record_id, changes, "
	               "request_id, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	               &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, now);
	if (op->user_id)
		db_bind_int(st, 2, op->user_id);
	else
		db_bind_null(st, 2);
	db_bind_texts(st, 3, action);
	db_bind_texts(st, 4, entity);
	if (record_id)
		db_bind_int(st, 5, record_id);
	else
		db_bind_null(st, 5);
	db_bind_texts(st, 6, changes);
	db_bind_texts(st, 7, op->request_id);
	db_bind_texts(st, 8, op->ip);
	db_bind_texts(st, 9, op->user_agent);
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int audit_write_many(struct op *op, const char *action, const char *entity, const int64_t *ids,
                     char *const *changes, size_t n)
{
	if (n == 0)
		return DB_OK;
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "INSERT INTO sys_audit (at, user_id, action, entity, record_id, changes, "
	             "request_id, ip, user_agent) VALUES ");
	for (size_t i = 0; i < n; i++) {
		sqlq_add(&s, i ? ", (" : "(");
		sqlq_texts(&s, now);
		sqlq_add(&s, ", ");
		sqlq_user(&s, op->user_id);
		sqlq_add(&s, ", ");
		sqlq_text(&s, action, strlen(action));
		sqlq_add(&s, ", ");
		sqlq_text(&s, entity, strlen(entity));
		sqlq_add(&s, ", ");
		sqlq_int(&s, ids[i]);
		sqlq_add(&s, ", ");
		if (changes[i])
			sqlq_text(&s, changes[i], strlen(changes[i]));
		else
			sqlq_null(&s);
		sqlq_add(&s, ", ");
		const char *const tail[] = {op->request_id, op->ip, op->user_agent};
		for (size_t k = 0; k < 3; k++) {
			if (k)
				sqlq_add(&s, ", ");
			if (tail[k])
				sqlq_text(&s, tail[k], strlen(tail[k]));
			else
				sqlq_null(&s);
		}
		sqlq_add(&s, ")");
	}
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, &s, &st);
	if (!rc) {
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	sqlq_release(&s);
	return rc;
}

/* What a search of the trail is for: a page of the administrators' search, its CSV export, or a
 * page of one record's history (paging alone: the record is fixed). */
enum audit_use { AU_PAGE, AU_EXPORT, AU_HISTORY };

/* The filters of a search of the trail (alias a) into s, after "WHERE 1 = 1". Problems go to
 * op->problem. */
static void audit_filters(struct op *op, const struct kv *params, size_t n, enum audit_use use,
                          struct sqlq *s, int64_t *limit)
{
	bool paged = use != AU_EXPORT, search = use != AU_HISTORY;
	for (size_t i = 0; i < n; i++) {
		const char *k = params[i].key, *v = params[i].value;
		int64_t x;
		if (search && (strcmp(k, "entity") == 0 || strcmp(k, "action") == 0)) {
			sqlq_addf(s, " AND a.%s = ", k);
			sqlq_text(s, v, strlen(v));
		} else if (search && (strcmp(k, "record_id") == 0 || strcmp(k, "user_id") == 0)) {
			if (!parse_int64(v, strlen(v), &x) || x <= 0) {
				problem_add(op->problem, k, "invalid_id", NULL);
				continue;
			}
			sqlq_addf(s, " AND a.%s = ", k);
			sqlq_int(s, x);
		} else if (search && (strcmp(k, "from") == 0 || strcmp(k, "to") == 0)) {
			/* A time range, start included and end excluded. */
			int64_t ms;
			char iso[TIME_ISO_LEN];
			if (!time_parse_datetime(v, strlen(v), &ms)) {
				problem_add(op->problem, k, "invalid_datetime", NULL);
				continue;
			}
			time_format_iso(ms, iso);
			sqlq_addf(s, " AND a.at %s ", k[0] == 'f' ? ">=" : "<");
			sqlq_texts(s, arena_strdup(op->arena, iso)); /* bound, not copied */
		} else if (strcmp(k, "cursor") == 0 && paged) {
			if (!parse_int64(v, strlen(v), &x) || x <= 0) {
				problem_add(op->problem, k, "invalid_cursor", NULL);
				continue;
			}
			sqlq_add(s, " AND a.id < ");
			sqlq_int(s, x);
		} else if (strcmp(k, "limit") == 0 && paged) {
			if (!parse_int64(v, strlen(v), limit) || *limit < 1 || *limit > 200) {
				const char *p[] = {"min", "1", "max", "200", NULL};
				problem_add(op->problem, k, "out_of_range", p);
			}
		} else if (strcmp(k, "format") != 0 || paged) {
			problem_add(op->problem, k, "unknown_parameter", NULL);
		}
	}
}

/*
 * A row's changes as stored, or with the values of sensitive fields masked ("[old, new]" each
 * masked as the API masks them): the trail shows that they changed, not what they hold. With
 * as_objects (a history's creates and updates), each [old, new] becomes {"old","new"}.
 */
static void changes_text(struct op *op, const char *entity, const char *changes, bool as_objects,
                         struct str *out)
{
	const struct entity *e = op->reg ? registry_entity(op->reg, entity) : NULL;
	bool any = false;
	for (size_t i = 0; e && i < e->n_fields && !any; i++)
		any = (e->fields[i].flags & FF_SENSITIVE) && strstr(changes, e->fields[i].name);
	json_t *j = any || as_objects ? json_loads(changes, 0, NULL) : NULL;
	if (!j) {
		str_adds(out, changes);
		return;
	}
	for (size_t i = 0; any && i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		json_t *pair = json_object_get(j, f->name);
		if (!(f->flags & FF_SENSITIVE) || !json_is_array(pair))
			continue;
		for (size_t k = 0; k < json_array_size(pair); k++) {
			json_t *v = json_array_get(pair, k);
			const char *text = json_string_value(v);
			struct value val = {.kind = json_is_null(v) ? V_NULL : V_TEXT,
			                    .s = text ? text : "",
			                    .n = text ? strlen(text) : 0};
			struct str m = STR_INIT;
			access_mask_json(f, &val, &m);
			json_array_set_new(pair, k,
			                   json_loadb(m.buf, m.len, JSON_DECODE_ANY, NULL));
			str_release(&m);
		}
	}
	if (as_objects) {
		json_t *o = json_object(), *v;
		const char *key;
		json_object_foreach(j, key, v)
		{
			bool pair = json_is_array(v) && json_array_size(v) == 2;
			json_object_set_new(o, key,
			                    pair ? json_pack("{sOsO}", "old", json_array_get(v, 0),
			                                     "new", json_array_get(v, 1))
			                         : json_incref(v));
		}
		json_decref(j);
		j = o;
	}
	char *dumped = json_dumps(j, JSON_COMPACT);
	str_adds(out, dumped);
	free(dumped);
	json_decref(j);
}

static const char *const audit_columns[] = {"id",     "at",         "user_id", "action",
                                            "entity", "record_id",  "changes", "request_id",
                                            "ip",     "user_agent", NULL};

#define AUDIT_SELECT                                                                               \
	"SELECT a.id, a.at, a.user_id, a.action, a.entity, a.record_id, a.changes, a.request_id, " \
	"a.ip, a.user_agent"

/*
 * One page of the trail, newest first: the search (record_id 0) or one record of op->e's
 * history, whose readers see neither the addresses nor the browsers unless administrators.
 */
static int audit_page(struct op *op, int64_t record_id, const struct kv *params, size_t n,
                      struct str *out)
{
	enum audit_use use = record_id ? AU_HISTORY : AU_PAGE;
	bool where_from = op->admin;
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, AUDIT_SELECT ", u.username, u.display_name FROM sys_audit a "
	                          "LEFT JOIN users u ON u.id = a.user_id WHERE 1 = 1");
	if (use == AU_HISTORY) {
		sqlq_add(&s, " AND a.entity = ");
		sqlq_texts(&s, op->e->name);
		sqlq_add(&s, " AND a.record_id = ");
		sqlq_int(&s, record_id);
	}
	int64_t limit = 50;
	audit_filters(op, params, n, use, &s, &limit);
	if (op->problem->n_errors) {
		sqlq_release(&s);
		return problem_set(op->problem, 400, "bad_request");
	}
	sqlq_add(&s, " ORDER BY a.id DESC LIMIT ");
	sqlq_int(&s, limit + 1);
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, &s, &st);
	if (rc) {
		sqlq_release(&s);
		return crud_db_error(op, rc, "audit list");
	}
	str_adds(out, "{\"data\":[");
	int64_t count = 0, last = 0;
	bool more = false;
	static const struct field at_field = {.name = "at", .type = FT_DATETIME};
	while ((rc = db_step(st)) == DB_ROW) {
		if (count == limit) {
			more = true;
			break;
		}
		if (count++)
			str_addc(out, ',');
		last = db_column_int(st, 0);
		str_adds(out, "{\"id\":");
		str_add_int(out, last);
		str_adds(out, ",\"at\":");
		int col = 1;
		struct value at;
		value_from_column(&at_field, st, &col, &at);
		value_to_json(out, &at_field, &at);
		str_adds(out, ",\"user_id\":");
		json_add_int_column(out, st, 2);
		str_adds(out, ",\"username\":");
		json_add_text_column(out, st, 10);
		str_adds(out, ",\"display_name\":");
		json_add_text_column(out, st, 11);
		const char *action = db_column_text(st, 3, NULL);
		str_adds(out, ",\"action\":");
		str_add_jsons(out, action);
		str_adds(out, ",\"entity\":");
		str_add_jsons(out, db_column_text(st, 4, NULL));
		str_adds(out, ",\"record_id\":");
		json_add_int_column(out, st, 5);
		/* changes is JSON we wrote ourselves. */
		str_adds(out, ",\"changes\":");
		if (db_column_null(st, 6))
			str_adds(out, "null");
		else
			changes_text(op, db_column_text(st, 4, NULL), db_column_text(st, 6, NULL),
			             use == AU_HISTORY && (strcmp(action, "create") == 0 ||
			                                   strcmp(action, "update") == 0),
			             out);
		str_adds(out, ",\"request_id\":");
		json_add_text_column(out, st, 7);
		if (where_from) {
			str_adds(out, ",\"ip\":");
			json_add_text_column(out, st, 8);
			str_adds(out, ",\"user_agent\":");
			json_add_text_column(out, st, 9);
		}
		str_addc(out, '}');
	}
	db_reset(st);
	sqlq_release(&s);
	if (rc != DB_ROW && rc != DB_DONE)
		return crud_db_error(op, rc, "audit list");
	str_adds(out, "],\"next_cursor\":");
	if (more)
		str_addf(out, "\"%lld\"", (long long)last);
	else
		str_adds(out, "null");
	str_addc(out, '}');
	return 200;
}

int audit_list(struct op *op, const struct kv *params, size_t n, struct str *out)
{
	return audit_page(op, 0, params, n, out);
}

int audit_history(struct op *op, int64_t record_id, const struct kv *params, size_t n,
                  struct str *out)
{
	return audit_page(op, record_id, params, n, out);
}

int audit_export_csv(struct op *op, const struct kv *params, size_t n, struct str *out)
{
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, AUDIT_SELECT " FROM sys_audit a WHERE 1 = 1");
	int64_t unused = 0;
	audit_filters(op, params, n, AU_EXPORT, &s, &unused);
	if (op->problem->n_errors) {
		sqlq_release(&s);
		return problem_set(op->problem, 400, "bad_request");
	}
	sqlq_addf(&s, " ORDER BY a.id DESC LIMIT %d", AUDIT_EXPORT_MAX + 1);
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, &s, &st);
	if (rc) {
		sqlq_release(&s);
		return crud_db_error(op, rc, "audit export");
	}
	/* UTF-8 with a byte-order mark, as entity exports: Excel then reads Chinese right. */
	str_adds(out, "\xEF\xBB\xBF");
	for (size_t c = 0; audit_columns[c]; c++) {
		if (c)
			str_addc(out, ',');
		str_adds(out, audit_columns[c]);
	}
	str_add(out, "\r\n", 2);
	int64_t rows = 0;
	static const struct field at_field = {.name = "at", .type = FT_DATETIME};
	while ((rc = db_step(st)) == DB_ROW && ++rows <= AUDIT_EXPORT_MAX) {
		for (int c = 0; c < 10; c++) {
			if (c)
				str_addc(out, ',');
			if (c == 1) {
				int col = 1;
				struct value at;
				value_from_column(&at_field, st, &col, &at);
				struct str t = STR_INIT;
				value_to_text(&t, &at_field, &at, LANG_EN);
				csv_add_cell(out, t.buf ? t.buf : "", t.len, false);
				str_release(&t);
			} else if (c == 6 && !db_column_null(st, c)) {
				struct str t = STR_INIT;
				changes_text(op, db_column_text(st, 4, NULL),
				             db_column_text(st, 6, NULL), false, &t);
				csv_add_cell(out, t.buf, t.len, true);
				str_release(&t);
			} else if (!db_column_null(st, c)) {
				size_t len;
				const char *v = db_column_text(st, c, &len);
				/* Every cell is text someone may have typed: neutralised like any.
				 */
				csv_add_cell(out, v, len, true);
			}
		}
		str_add(out, "\r\n", 2);
	}
	db_reset(st);
	sqlq_release(&s);
	if (rc != DB_ROW && rc != DB_DONE)
		return crud_db_error(op, rc, "audit export");
	if (rows > AUDIT_EXPORT_MAX) {
		str_reset(out);
		problem_add(op->problem, "from", "too_many",
		            (const char *[]){"max", "100000", NULL});
		return problem_set(op->problem, 422, "validation_failed");
	}
	return 200;
}
