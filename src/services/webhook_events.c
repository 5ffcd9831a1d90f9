#include "webhook_events.h"
#include "outbox.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

const char *const webhook_event_names[] = {"created", "updated", "deleted", "restored", NULL};
static const char *const event_labels_zh[] = {"新建", "更新", "删除", "恢复"};

static size_t event_index(const char *action)
{
	size_t i = 0;
	while (webhook_event_names[i] && !str_eq(webhook_event_names[i], action))
		i++;
	return webhook_event_names[i] ? i : 0;
}

/* The robots' message, in Chinese (the team's group chat): what happened, which fields. */
static void robot_text(const struct entity *e, const char *action, int64_t id, const char *changes,
                       struct str *out)
{
	str_addf(out, "**[Sextant] %s #%lld %s**", label_get(&e->label, LANG_ZH), (long long)id,
	         event_labels_zh[event_index(action)]);
	json_error_t err;
	json_t *c = changes ? json_loads(changes, 0, &err) : NULL;
	if (json_object_size(c)) {
		str_adds(out, "\n> 变更字段：");
		const char *key;
		json_t *v;
		size_t n = 0;
		json_object_foreach(c, key, v)
		{
			const struct field *f = entity_field(e, key);
			str_adds(out, n++ ? "、" : "");
			str_adds(out, f ? label_get(&f->label, LANG_ZH) : key);
		}
	}
	json_decref(c);
	if (!str_eq(action, "deleted"))
		str_addf(out, "\n[在 Sextant 中打开](%s/e/%s/%lld)", outbox_public_url(), e->name,
		         (long long)id);
}

json_t *webhook_events_payload(const char *kind, const struct entity *e, const char *action,
                               int64_t id, int64_t actor, const char *changes,
                               const char *occurred_at)
{
	if (str_eq(kind, "wecom") || str_eq(kind, "dingtalk")) {
		struct str text = STR_INIT;
		robot_text(e, action, id, changes, &text);
		json_t *p =
		    str_eq(kind, "wecom")
		        ? json_pack("{s:s, s:{s:s}}", "msgtype", "markdown", "markdown", "content",
		                    text.buf)
		        : json_pack("{s:s, s:{s:s, s:s}}", "msgtype", "markdown", "markdown",
		                    "title", label_get(&e->label, LANG_ZH), "text", text.buf);
		str_release(&text);
		return p;
	}
	char event[128];
	snprintf(event, sizeof event, "%s.%s", e->name, action);
	json_error_t err;
	json_t *c = changes ? json_loads(changes, 0, &err) : NULL;
	return json_pack("{s:s, s:s, s:I, s:s, s:s, s:o?, s:o}", "event", event, "entity", e->name,
	                 "id", (json_int_t)id, "action", action, "occurred_at", occurred_at,
	                 "actor_id", actor ? json_integer(actor) : NULL, "changes",
	                 c ? c : json_null());
}

struct hook {
	int64_t id;
	char kind[16];
	char *url;
};

int webhook_events_record(struct op *op, const char *action, int64_t id, const char *changes)
{
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db,
	               "SELECT id, kind, url, events FROM webhooks WHERE entity = ? AND active "
	               "= ? AND deleted_at IS NULL ORDER BY id",
	               &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, op->e->name);
	db_bind_int(st, 2, 1);
	struct hook *hooks = NULL;
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		/* events is a comma-separated list of webhook_event_names. */
		const char *events = db_column_text(st, 3, NULL);
		size_t len = strlen(action);
		bool wanted = false;
		for (const char *p = events; *p && !wanted; p += strcspn(p, ","), p += *p == ',')
			wanted = strncmp(p, action, len) == 0 && (p[len] == ',' || !p[len]);
		if (!wanted)
			continue;
		hooks = xrealloc(hooks, (n + 1) * sizeof *hooks);
		hooks[n].id = db_column_int(st, 0);
		snprintf(hooks[n].kind, sizeof hooks[n].kind, "%s", db_column_text(st, 1, NULL));
		hooks[n].url = arena_strdup(op->arena, db_column_text(st, 2, NULL));
		n++;
	}
	db_reset(st);
	if (rc != DB_DONE) {
		free(hooks);
		return rc;
	}
	char now[TIME_ISO_LEN], event[128];
	time_now_iso(now);
	snprintf(event, sizeof event, "%s.%s", op->e->name, action);
	rc = DB_OK;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *body = json_pack("{s:I, s:s, s:o}", "webhook_id", (json_int_t)hooks[i].id,
		                         "event", event, "payload",
		                         webhook_events_payload(hooks[i].kind, op->e, action, id,
		                                                op->user_id, changes, now));
		char *doc = json_dumps(body, JSON_COMPACT);
		struct outbox_msg m = {.channel = "webhook",
		                       .recipient = hooks[i].url,
		                       .subject = event,
		                       .body = doc,
		                       .event = event,
		                       .entity = op->e->name,
		                       .record_id = id,
		                       .created_by = op->user_id};
		rc = outbox_put(op->db, &m, NULL);
		free(doc);
		json_decref(body);
	}
	free(hooks);
	return rc;
}
