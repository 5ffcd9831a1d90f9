/*
 * Webhook subscriptions for administrators (services/webhook_events.h): a URL told about
 * records of one entity being created, updated, deleted or restored — a receiver of our own
 * signed calls (generic), or a WeCom or DingTalk group robot. The secret of a generic
 * subscription is made here when none is given and shown once.
 */
#include "api.h"
#include "body.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/audit.h"
#include "services/outbound_hosts.h"
#include "services/outbox.h"
#include "services/webhook_events.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define HOOK_COLUMNS                                                                           \
	"id, name, kind, url, entity, events, active, CASE WHEN secret IS NULL THEN 0 ELSE 1 " \
	"END, created_at, updated_at"

static const char *const hook_kinds[] = {"generic", "wecom", "dingtalk", NULL};

static void hook_json(struct db_stmt *st, struct str *out)
{
	json_add_row(
	    out, st,
	    "iid,tname,tkind,turl,tentity,tevents,bactive,bsecret_set,Tcreated_at,Tupdated_at");
	/* events as a list, not the stored comma-separated text */
	const char *events = db_column_text(st, 5, NULL);
	struct str list = STR_INIT;
	str_addc(&list, '[');
	for (const char *p = events; *p;) {
		size_t n = strcspn(p, ",");
		if (list.len > 1)
			str_addc(&list, ',');
		str_add_json(&list, p, n);
		p += n + (p[n] == ',');
	}
	str_addc(&list, ']');
	str_truncate(out, out->len - 1);
	str_adds(out, ",\"events\":");
	str_add(out, list.buf, list.len);
	str_addc(out, '}');
	str_release(&list);
}

static void hook_row(struct req *r, struct db_stmt *st, struct str *out)
{
	UNUSED(r);
	hook_json(st, out);
}

void api_webhooks_list(struct req *r)
{
	int64_t limit, cursor;
	if (!api_page_params(r, NULL, NULL, &limit, &cursor))
		return;
	struct db_stmt *st = NULL;
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	int rc = db_prepare(r->db,
	                    "SELECT " HOOK_COLUMNS " FROM webhooks WHERE deleted_at IS NULL AND "
	                    "(? = 0 OR id < ?) ORDER BY id DESC LIMIT ?",
	                    &st);
	if (!rc) {
		db_bind_int(st, 1, cursor);
		db_bind_int(st, 2, cursor);
		db_bind_int(st, 3, limit);
	}
	api_answer_list(r, rc, st, NULL, hook_row, limit, &out, "listing webhooks");
}

/* What a body sets; NULL members are not given. */
struct hook_in {
	const char *name, *kind, *url, *entity, *secret;
	char events[64];
	bool events_given, active, active_given, secret_given, secret_null;
};

static void read_hook(struct req *r, json_t *body, bool create, struct hook_in *in)
{
	body_allow(
	    r, body,
	    (const char *[]){"name", "kind", "url", "entity", "events", "active", "secret", NULL});
	body_text(r, body, "name", 100, create, &in->name);
	if (body_text(r, body, "kind", 16, false, &in->kind) == BM_VALUE &&
	    !str_in_list(in->kind, hook_kinds))
		problem_add(&r->problem, "kind", "invalid_option",
		            (const char *[]){"value", in->kind, NULL});
	if (body_text(r, body, "url", 1000, create, &in->url) == BM_VALUE &&
	    !outbound_url_allowed(in->url))
		problem_add(&r->problem, "url", "host_not_allowed", NULL);
	if (body_text(r, body, "entity", 64, create, &in->entity) == BM_VALUE &&
	    !(r->reg && registry_entity(r->reg, in->entity)))
		problem_add(&r->problem, "entity", "unknown_entity", NULL);
	in->active_given = body_bool(r, body, "active", &in->active) == BM_VALUE;
	enum body_member s = body_text(r, body, "secret", 200, false, &in->secret);
	in->secret_given = s == BM_VALUE;
	in->secret_null = s == BM_NULL;
	json_t *ev = json_object_get(body, "events");
	if (!ev && create)
		problem_add(&r->problem, "events", "required", NULL);
	if (!ev)
		return;
	in->events_given = true;
	size_t i;
	json_t *v;
	if (!json_is_array(ev) || !json_array_size(ev))
		problem_add(&r->problem, "events", "invalid_type",
		            (const char *[]){"expected", "a non-empty list", NULL});
	/* Stored in the canonical order, each once. */
	for (size_t k = 0; webhook_event_names[k]; k++) {
		bool on = false;
		json_array_foreach(ev, i, v) on |=
		    json_is_string(v) && str_eq(json_string_value(v), webhook_event_names[k]);
		if (on)
			snprintf(in->events + strlen(in->events),
			         sizeof in->events - strlen(in->events), "%s%s",
			         in->events[0] ? "," : "", webhook_event_names[k]);
	}
	json_array_foreach(ev, i, v)
	{
		if (!json_is_string(v) || !str_in_list(json_string_value(v), webhook_event_names))
			problem_add(&r->problem, arena_printf(&r->arena, "events[%zu]", i),
			            "invalid_option", NULL);
	}
}

static int audit(struct req *r, const char *action, int64_t id)
{
	struct op op;
	req_op(r, NULL, &op);
	return audit_write(&op, action, "webhooks", id, NULL);
}

/* Answer with the subscription id, and the secret when it was made now (shown this once). */
static void answer(struct req *r, int status, int64_t id, const char *made_secret)
{
	if (!made_secret) {
		api_answer_row(r, status, "SELECT " HOOK_COLUMNS " FROM webhooks WHERE id = ?", id,
		               NULL, hook_row, "reading a webhook");
		return;
	}
	struct db_stmt *st;
	struct str out = STR_INIT;
	int rc = db_prepare(r->db, "SELECT " HOOK_COLUMNS " FROM webhooks WHERE id = ?", &st);
	if (!rc) {
		db_bind_int(st, 1, id);
		if ((rc = db_step(st)) == DB_ROW) {
			hook_json(st, &out);
			rc = DB_OK;
		}
		db_reset(st);
	}
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc == DB_DONE ? DB_ERROR : rc, "reading a webhook");
		return;
	}
	str_truncate(&out, out.len - 1);
	str_adds(&out, ",\"secret\":");
	str_add_jsons(&out, made_secret);
	str_addc(&out, '}');
	resp_json(r, status, &out);
}

void api_webhook_create(struct req *r)
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	struct hook_in in = {.active = true};
	read_hook(r, body, true, &in);
	if (!body_checked(r, body))
		return;
	const char *kind = in.kind ? in.kind : "generic";
	char made[48] = "";
	if (!in.secret_given && str_eq(kind, "generic")) {
		unsigned char raw[24];
		randombytes_buf(raw, sizeof raw);
		sodium_bin2base64(made, sizeof made, raw, sizeof raw,
		                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
		in.secret = made;
	}
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	int64_t id = 0;
	int rc = db_begin(r->db);
	if (!rc &&
	    !(rc = db_prepare(r->db,
	                      "INSERT INTO webhooks (name, kind, url, secret, entity, events, "
	                      "active, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, "
	                      "?, ?, ?, ?, ?, ?) RETURNING id",
	                      &st))) {
		db_bind_texts(st, 1, in.name);
		db_bind_texts(st, 2, kind);
		db_bind_texts(st, 3, in.url);
		db_bind_texts(st, 4, in.secret);
		db_bind_texts(st, 5, in.entity);
		db_bind_texts(st, 6, in.events);
		db_bind_int(st, 7, in.active);
		db_bind_int(st, 8, r->session.user_id);
		db_bind_texts(st, 9, now);
		db_bind_texts(st, 10, now);
		rc = db_step_id(st, &id);
	}
	if (!rc)
		rc = audit(r, "create", id);
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		api_db_failure(r, rc, "adding a webhook");
		return;
	}
	answer(r, 201, id, made[0] ? made : NULL);
	sodium_memzero(made, sizeof made);
}

void api_webhook_update(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	json_t *body = api_json_body(r);
	if (!body)
		return;
	struct hook_in in = {0};
	read_hook(r, body, false, &in);
	if (!body_checked(r, body))
		return;
	char now[TIME_ISO_LEN], sid[24];
	time_now_iso(now);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	/* COALESCE keeps what is not given; the secret is set, removed, or kept. */
	const char *p[] = {in.name,
	                   in.kind,
	                   in.url,
	                   in.entity,
	                   in.events_given ? in.events : NULL,
	                   in.active_given ? (in.active ? "1" : "0") : NULL,
	                   in.secret_null ? "1" : "0",
	                   in.secret,
	                   now,
	                   sid};
	int rc = db_begin(r->db);
	if (!rc)
		rc = db_run_one(
		    r->db,
		    "UPDATE webhooks SET name = COALESCE(?, name), kind = COALESCE(?, kind), "
		    "url = COALESCE(?, url), entity = COALESCE(?, entity), events = "
		    "COALESCE(?, events), active = COALESCE(?, active), secret = CASE WHEN "
		    "? = '1' THEN NULL ELSE COALESCE(?, secret) END, updated_at = ? WHERE "
		    "id = ? AND deleted_at IS NULL",
		    10, p);
	if (!rc)
		rc = audit(r, "update", id);
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		if (rc == DB_DONE)
			resp_error(r, 404, "not_found");
		else
			api_db_failure(r, rc, "changing a webhook");
		return;
	}
	answer(r, 200, id, NULL);
}

void api_webhook_delete(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	char now[TIME_ISO_LEN], sid[24];
	time_now_iso(now);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	int rc = db_begin(r->db);
	if (!rc)
		rc = db_run_one(
		    r->db,
		    "UPDATE webhooks SET deleted_at = ?, updated_at = ? WHERE id = ? AND "
		    "deleted_at IS NULL",
		    3, (const char *[]){now, now, sid});
	if (!rc)
		rc = audit(r, "delete", id);
	if (!rc)
		rc = db_commit(r->db);
	if (rc)
		db_rollback(r->db);
	if (rc == DB_DONE) {
		resp_error(r, 404, "not_found");
		return;
	}
	body_answer_done(r, rc, "deleting a webhook");
}

/* A "ping" call, through the outbox like every other. */
void api_webhook_test(struct req *r)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return;
	struct db_stmt *st;
	char kind[16] = "", url[1024] = "";
	int rc = db_prepare(
	    r->db, "SELECT kind, url FROM webhooks WHERE id = ? AND deleted_at IS NULL", &st);
	if (!rc) {
		db_bind_int(st, 1, id);
		if ((rc = db_step(st)) == DB_ROW) {
			snprintf(kind, sizeof kind, "%s", db_column_text(st, 0, NULL));
			snprintf(url, sizeof url, "%s", db_column_text(st, 1, NULL));
			rc = DB_OK;
		}
		db_reset(st);
	}
	if (rc == DB_DONE) {
		resp_error(r, 404, "not_found");
		return;
	}
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	json_t *payload =
	    str_eq(kind, "generic") ? json_pack("{s:s, s:I, s:s}", "event", "ping", "webhook_id",
	                                        (json_int_t)id, "occurred_at", now)
	    : str_eq(kind, "wecom") ? json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text",
	                                        "content", "[Sextant] 测试消息：机器人已连通。")
	                            : json_pack("{s:s, s:{s:s}}", "msgtype", "text", "text",
	                                        "content", "[Sextant] 测试消息：机器人已连通。");
	json_t *body = json_pack("{s:I, s:s, s:o}", "webhook_id", (json_int_t)id, "event", "ping",
	                         "payload", payload);
	char *doc = json_dumps(body, JSON_COMPACT);
	int64_t out_id = 0;
	struct outbox_msg m = {.channel = "webhook",
	                       .recipient = url,
	                       .subject = "ping",
	                       .body = doc,
	                       .event = "ping",
	                       .created_by = r->session.user_id};
	if (!rc)
		rc = outbox_put(r->db, &m, &out_id);
	free(doc);
	json_decref(body);
	if (rc) {
		api_db_failure(r, rc, "queueing a test call");
		return;
	}
	struct str out = STR_INIT;
	str_addf(&out, "{\"outbox_id\":%lld}", (long long)out_id);
	resp_json(r, 202, &out);
}
