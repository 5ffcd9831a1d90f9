/*
 * The user's notification centre (services/notify.h): their notifications, newest first, with
 * the unread count; marking one or all read; and which events reach them by which channel.
 */
#include "api.h"
#include "body.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "services/notify.h"
#include "services/templates.h"

#include <stdio.h>
#include <string.h>

void api_notifications_list(struct req *r)
{
	static const struct page_filter filters[] = {{"unread", api_bool_options}, {0}};
	const char *v[1];
	int64_t limit, cursor;
	if (!api_page_params(r, filters, v, &limit, &cursor))
		return;
	bool unread = v[0] && str_eq(v[0], "true");
	int64_t count = 0;
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)r->session.user_id);
	int rc = db_query_int(r->db,
	                      "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS "
	                      "NULL",
	                      1, (const char *[]){uid}, &count);
	struct str sql = STR_INIT;
	str_adds(&sql, "SELECT id, event, title, body, entity, record_id, read_at, created_at FROM "
	               "notifications WHERE user_id = ?");
	if (unread)
		str_adds(&sql, " AND read_at IS NULL");
	if (cursor)
		str_adds(&sql, " AND id < ?");
	str_adds(&sql, " ORDER BY id DESC LIMIT ?");
	struct str out = STR_INIT;
	str_addf(&out, "{\"unread\":%lld,\"data\":[", (long long)count);
	struct db_stmt *st = NULL;
	if (!rc)
		rc = db_prepare(r->db, sql.buf, &st);
	str_release(&sql);
	if (!rc) {
		int i = 1;
		db_bind_int(st, i++, r->session.user_id);
		if (cursor)
			db_bind_int(st, i++, cursor);
		db_bind_int(st, i, limit);
	}
	api_answer_list(r, rc, st,
	                "iid,tevent,ttitle,tbody,tentity,irecord_id,Tread_at,Tcreated_at", NULL,
	                limit, &out, "listing notifications");
}

void api_notification_read(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	char now[TIME_ISO_LEN], sid[24], uid[24];
	time_now_iso(now);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	snprintf(uid, sizeof uid, "%lld", (long long)r->session.user_id);
	int64_t mine = 0;
	int rc =
	    db_query_int(r->db, "SELECT count(*) FROM notifications WHERE id = ? AND user_id = ?",
	                 2, (const char *[]){sid, uid}, &mine);
	if (!rc && !mine) {
		/* Someone else's is as unknown as one that does not exist. */
		resp_error(r, 404, "not_found");
		return;
	}
	if (!rc)
		rc = db_run(r->db,
		            "UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND "
		            "read_at IS NULL",
		            3, (const char *[]){now, sid, uid});
	body_answer_done(r, rc, "marking a notification read");
}

void api_notifications_read_all(struct req *r)
{
	char now[TIME_ISO_LEN], uid[24];
	time_now_iso(now);
	snprintf(uid, sizeof uid, "%lld", (long long)r->session.user_id);
	int rc = db_run(
	    r->db, "UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL", 2,
	    (const char *[]){now, uid});
	body_answer_done(r, rc, "marking notifications read");
}

/* Every event with the caller's choice, or its default. */
static int prefs_json(struct req *r, struct str *out)
{
	str_adds(out, "{\"data\":[");
	for (const struct notify_event *e = notify_events; e->key; e++) {
		bool in_app = e->in_app, mail = e->mail, sms = e->sms;
		struct db_stmt *st;
		int rc =
		    db_prepare(r->db,
		               "SELECT in_app, mail, sms FROM notification_prefs WHERE user_id = "
		               "? AND event = ?",
		               &st);
		if (rc)
			return rc;
		db_bind_int(st, 1, r->session.user_id);
		db_bind_texts(st, 2, e->key);
		rc = db_step(st);
		if (rc == DB_ROW) {
			in_app = db_column_int(st, 0) != 0;
			mail = db_column_int(st, 1) != 0;
			sms = db_column_int(st, 2) != 0;
		}
		db_reset(st);
		if (rc != DB_ROW && rc != DB_DONE)
			return rc;
		const struct template_def *t = template_find(e->key);
		if (e != notify_events)
			str_addc(out, ',');
		str_adds(out, "{\"event\":");
		str_add_jsons(out, e->key);
		str_adds(out, ",\"label\":");
		str_add_jsons(out, t ? (r->lang == LANG_EN ? t->label_en : t->label_zh) : e->key);
		str_addf(out, ",\"in_app\":%s,\"mail\":%s,\"sms\":%s}", in_app ? "true" : "false",
		         mail ? "true" : "false", sms ? "true" : "false");
	}
	str_adds(out, "]}");
	return DB_OK;
}

void api_notification_prefs_get(struct req *r)
{
	struct str out = STR_INIT;
	int rc = prefs_json(r, &out);
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "reading notification preferences");
		return;
	}
	resp_json(r, 200, &out);
}

/* PUT {"data":[{"event","in_app","mail","sms"}…]}: the events named are set, others kept. */
void api_notification_prefs_put(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	body_allow(r, body, (const char *[]){"data", NULL});
	json_t *list = json_object_get(body, "data");
	if (!json_is_array(list))
		problem_add(&r->problem, "data", "invalid_type",
		            (const char *[]){"expected", "array", NULL});
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
	{
		char f[64];
		const char *key = json_string_value(json_object_get(item, "event"));
		snprintf(f, sizeof f, "data[%zu].event", i);
		if (!json_is_object(item) || !key || !notify_event_find(key))
			problem_add(&r->problem, arena_strdup(&r->arena, f), "invalid_option",
			            NULL);
		static const char *const channels[] = {"in_app", "mail", "sms", NULL};
		for (size_t c = 0; c < 3; c++) {
			snprintf(f, sizeof f, "data[%zu].%s", i, channels[c]);
			if (!json_is_boolean(json_object_get(item, channels[c])))
				problem_add(&r->problem, arena_strdup(&r->arena, f), "invalid_bool",
				            NULL);
		}
		const char *k;
		json_t *v;
		json_object_foreach(item, k, v)
		{
			if (!str_eq(k, "event") && !str_in_list(k, channels)) {
				snprintf(f, sizeof f, "data[%zu].%s", i, k);
				problem_add(&r->problem, arena_strdup(&r->arena, f),
				            "unknown_field", NULL);
			}
		}
	}
	if (r->problem.n_errors) {
		json_decref(body);
		resp_error(r, 422, "validation_failed");
		return;
	}
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)r->session.user_id);
	int rc = db_begin(r->db);
	json_array_foreach(list, i, item)
	{
		if (rc)
			break;
		const char *key = json_string_value(json_object_get(item, "event"));
		const char *p[] = {uid, key,
		                   json_is_true(json_object_get(item, "in_app")) ? "1" : "0",
		                   json_is_true(json_object_get(item, "mail")) ? "1" : "0",
		                   json_is_true(json_object_get(item, "sms")) ? "1" : "0"};
		rc = db_run(r->db, "DELETE FROM notification_prefs WHERE user_id = ? AND event = ?",
		            2, p);
		if (!rc)
			rc = db_run(
			    r->db,
			    "INSERT INTO notification_prefs (user_id, event, in_app, mail, sms) "
			    "VALUES (?, ?, ?, ?, ?)",
			    5, p);
	}
	if (!rc)
		rc = db_commit(r->db);
	if (rc)
		db_rollback(r->db);
	json_decref(body);
	if (rc) {
		api_db_failure(r, rc, "saving notification preferences");
		return;
	}
	api_notification_prefs_get(r);
}
