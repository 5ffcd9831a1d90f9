#include "notify.h"
#include "outbox.h"
#include "sms.h"
#include "templates.h"
#include "core/arena.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "mail.h"

#include <stdio.h>

const struct notify_event notify_events[] = {
    {"task.reminder", true, true, false},
    {"reminder", true, false, false},
    {"task.overdue", true, true, false},
    {"process.transition", true, true, false},
    {"approval.request", true, true, false},
    {"approval.approved", true, true, false},
    {"approval.rejected", true, true, false},
    {"task.assigned", true, true, false},
    {"customer.pool_warning", true, true, false},
    {"customer.returned", true, true, false},
    {"customer.handover_in", true, true, false},
    {"customer.handover_out", true, false, false},
    {"contact.birthday", true, true, false},
    {"record.comment", true, true, false},
    {NULL, false, false, false},
};

const struct notify_event *notify_event_find(const char *key)
{
	for (const struct notify_event *e = notify_events; e->key; e++)
		if (str_eq(e->key, key))
			return e;
	return NULL;
}

struct addressee {
	const char *name, *locale, *email, *mobile;
	bool in_app, mail, sms;
};

/* The user and what they chose for this event; DB_DONE if there is no such active user. */
static int addressee(struct db *db, struct arena *a, const struct notice *n,
                     const struct notify_event *ev, struct addressee *out)
{
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "SELECT COALESCE(display_name, username), COALESCE(locale, ''), "
	                    "COALESCE(email, ''), COALESCE(mobile, '') FROM users WHERE id = ? AND "
	                    "disabled = ?",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, n->user_id);
	db_bind_int(st, 2, 0);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->name = arena_strdup(a, db_column_text(st, 0, NULL));
		out->locale = arena_strdup(a, db_column_text(st, 1, NULL));
		out->email = arena_strdup(a, db_column_text(st, 2, NULL));
		out->mobile = arena_strdup(a, db_column_text(st, 3, NULL));
	}
	db_reset(st);
	if (rc != DB_ROW)
		return rc;
	out->in_app = ev->in_app;
	out->mail = ev->mail;
	out->sms = ev->sms;
	if ((rc = db_prepare(db,
	                     "SELECT in_app, mail, sms FROM notification_prefs WHERE user_id = ? "
	                     "AND event = ?",
	                     &st)))
		return rc;
	db_bind_int(st, 1, n->user_id);
	db_bind_texts(st, 2, ev->key);
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->in_app = db_column_int(st, 0) != 0;
		out->mail = db_column_int(st, 1) != 0;
		out->sms = db_column_int(st, 2) != 0;
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

static int put_in_app(struct db *db, const struct notice *n, const char *title, const char *body)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "INSERT INTO notifications (user_id, event, title, body, entity, "
	                    "record_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, n->user_id);
	db_bind_texts(st, 2, n->event);
	db_bind_texts(st, 3, title);
	db_bind_texts(st, 4, body);
	db_bind_texts(st, 5, n->entity);
	if (n->record_id)
		db_bind_int(st, 6, n->record_id);
	else
		db_bind_null(st, 6);
	db_bind_texts(st, 7, now);
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int notify(struct db *db, const struct notice *n)
{
	const struct notify_event *ev = notify_event_find(n->event);
	if (!ev)
		BUG("notify: unknown event");
	struct arena a;
	arena_init(&a, 2048);
	struct addressee to = {0};
	int rc = addressee(db, &a, n, ev, &to);
	if (rc) {
		arena_release(&a);
		return rc == DB_DONE ? DB_OK : rc;
	}
	struct template_text t;
	if ((rc = template_load(db, &a, n->event, to.locale, &t))) {
		arena_release(&a);
		return rc == DB_DONE ? DB_ERROR : rc;
	}
	json_t *vars = n->vars ? json_deep_copy(n->vars) : json_object();
	json_object_set_new(vars, "user", json_string(to.name));
	if (n->entity && n->record_id) {
		char link[1024];
		snprintf(link, sizeof link, "%s/e/%s/%lld", outbox_public_url(), n->entity,
		         (long long)n->record_id);
		json_object_set_new(vars, "link", json_string(link));
	}
	struct str subject = STR_INIT, text = STR_INIT, html = STR_INIT, body = STR_INIT;
	template_render(t.subject, vars, false, &subject);
	template_render(t.text, vars, false, &text);
	/* Variables left empty (no record to link to) leave blank lines at the end. */
	while (text.len && (text.buf[text.len - 1] == '\n' || text.buf[text.len - 1] == ' '))
		str_truncate(&text, text.len - 1);
	if (t.html)
		template_render(t.html, vars, true, &html);
	struct outbox_msg m = {.event = n->event,
	                       .entity = n->entity,
	                       .record_id = n->record_id,
	                       .user_id = n->user_id,
	                       .created_by = n->actor};
	if (to.in_app) {
		struct str brief = STR_INIT;
		template_render(t.brief ? t.brief : t.text, vars, false, &brief);
		rc = put_in_app(db, n, subject.buf, brief.buf);
		str_release(&brief);
	}
	if (!rc && to.mail && mail_address_valid(to.email)) {
		json_t *b = json_pack("{s:s, s:s, s:s}", "to_name", to.name, "subject", subject.buf,
		                      "text", text.buf);
		if (t.html)
			json_object_set_new(b, "html", json_string(html.buf));
		char *doc = json_dumps(b, JSON_COMPACT);
		m.channel = "mail";
		m.recipient = to.email;
		m.subject = subject.buf;
		m.body = doc;
		rc = outbox_put(db, &m, NULL);
		free(doc);
		json_decref(b);
	}
	char mobile[SMS_NUMBER_MAX];
	if (!rc && to.sms && sms_normalise(to.mobile, mobile)) {
		/* An SMS is short: the subject and the link. */
		str_adds(&body, subject.buf);
		/* The link to act with, when the notice has one (an approval), else the record's.
		 */
		json_t *link = json_object_get(vars, "act_link");
		if (!json_is_string(link))
			link = json_object_get(vars, "link");
		if (json_is_string(link))
			str_addf(&body, " %s", json_string_value(link));
		json_t *b = json_pack("{s:s}", "text", body.buf);
		char *doc = json_dumps(b, JSON_COMPACT);
		m.channel = "sms";
		m.recipient = mobile;
		m.subject = NULL;
		m.body = doc;
		rc = outbox_put(db, &m, NULL);
		free(doc);
		json_decref(b);
	}
	json_decref(vars);
	str_release(&subject);
	str_release(&text);
	str_release(&html);
	str_release(&body);
	arena_release(&a);
	return rc;
}
