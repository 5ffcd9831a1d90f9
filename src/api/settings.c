/*
 * How mail and SMS go out (services/mail.h, services/sms.h), set by administrators: one
 * settings document each. Secrets (the SMTP password, the gateway's authentication header) are
 * written, never read back: GET says only whether one is set. A test message goes through the
 * outbox like every other, so it proves the whole path.
 */
#include "api.h"
#include "body.h"
#include "core/util.h"
#include "meta/audit.h"
#include "services/mail.h"
#include "services/outbound_hosts.h"
#include "services/outbox.h"
#include "services/settings.h"
#include "services/sms.h"
#include "services/templates.h"

#include <stdio.h>
#include <string.h>

/* A setting member: its name, longest text, whether it is a secret, and its options. */
struct member {
	const char *name;
	size_t max;
	bool secret;
	const char *const *options;
};

static const char *const tls_options[] = {"none", "starttls", "tls", NULL};
static const char *const adapters[] = {"log", "http", NULL};
static const char *const methods[] = {"POST", "GET", "PUT", NULL};

static const struct member mail_members[] = {
    {"url", 500, false, NULL},
    {"tls", 10, false, tls_options},
    {"username", 200, false, NULL},
    {"password", 200, true, NULL},
    {"from_address", 254, false, NULL},
    {"from_name", 100, false, NULL},
    {NULL, 0, false, NULL},
};
static const struct member sms_members[] = {
    {"adapter", 10, false, adapters},
    {"url", 1000, false, NULL},
    {"method", 10, false, methods},
    {"content_type", 200, false, NULL},
    {"body_template", 4000, false, NULL},
    {"auth_header", 1000, true, NULL},
    {"success_field", 200, false, NULL},
    {"success_value", 200, false, NULL},
    {NULL, 0, false, NULL},
};

static const struct member *members_of(struct req *r, const char *channel)
{
	if (str_eq(channel, "mail"))
		return mail_members;
	if (str_eq(channel, "sms"))
		return sms_members;
	resp_error(r, 404, "not_found");
	return NULL;
}

/* The document as GET shows it: secrets replaced by "<name>_set": true/false. */
static void shown(const struct member *m, json_t *doc, struct str *out)
{
	json_t *o = json_object();
	for (; m->name; m++) {
		json_t *v = json_object_get(doc, m->name);
		if (m->secret) {
			char key[64];
			snprintf(key, sizeof key, "%s_set", m->name);
			json_object_set_new(o, key, json_boolean(json_is_string(v)));
		} else {
			json_object_set(o, m->name, v ? v : json_null());
		}
	}
	char *text = json_dumps(o, JSON_COMPACT);
	str_adds(out, text);
	free(text);
	json_decref(o);
}

void api_channel_settings_get(struct req *r)
{
	const struct member *m = members_of(r, r->captures[0]);
	if (!m)
		return;
	json_t *doc;
	int rc = settings_get(r->db, r->captures[0], &doc);
	if (rc) {
		api_db_failure(r, rc, "reading settings");
		return;
	}
	struct str out = STR_INIT;
	shown(m, doc, &out);
	json_decref(doc);
	resp_json(r, 200, &out);
}

static bool http_url(const char *s)
{
	return s && (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8)) &&
	       !strpbrk(s, " \r\n");
}

/* What each channel needs beyond the members' own checks. */
static void check_mail(struct req *r, json_t *doc)
{
	const char *url = json_string_value(json_object_get(doc, "url"));
	const char *tls = json_string_value(json_object_get(doc, "tls"));
	const char *from = json_string_value(json_object_get(doc, "from_address"));
	if (url && strncmp(url, "smtp://", 7) && strncmp(url, "smtps://", 8))
		problem_add(&r->problem, "url", "invalid_smtp_url", NULL);
	if (url && tls && str_eq(tls, "tls") != !strncmp(url, "smtps://", 8))
		problem_add(&r->problem, "tls", "tls_mismatch", NULL);
	if (url && !from)
		problem_add(&r->problem, "from_address", "required", NULL);
	if (from && !mail_address_valid(from))
		problem_add(&r->problem, "from_address", "invalid_email", NULL);
}

static void check_sms(struct req *r, json_t *doc)
{
	const char *adapter = json_string_value(json_object_get(doc, "adapter"));
	const char *url = json_string_value(json_object_get(doc, "url"));
	const char *auth = json_string_value(json_object_get(doc, "auth_header"));
	if (adapter && str_eq(adapter, "http") && !url)
		problem_add(&r->problem, "url", "required", NULL);
	if (url && !http_url(url))
		problem_add(&r->problem, "url", "invalid_url", NULL);
	else if (url && !outbound_url_allowed(url))
		problem_add(&r->problem, "url", "host_not_allowed", NULL);
	if (auth && (!strchr(auth, ':') || strpbrk(auth, "\r\n")))
		problem_add(&r->problem, "auth_header", "invalid_header",
		            (const char *[]){"expected", "Name: value", NULL});
}

void api_channel_settings_put(struct req *r)
{
	const char *channel = r->captures[0];
	const struct member *members = members_of(r, channel);
	if (!members)
		return;
	json_t *body = api_json_body(r);
	if (!body)
		return;
	const char *allowed[16];
	size_t k = 0;
	for (const struct member *m = members; m->name; m++)
		allowed[k++] = m->name;
	allowed[k] = NULL;
	body_allow(r, body, allowed);
	json_t *old = NULL;
	int rc = settings_get(r->db, channel, &old);
	if (rc) {
		json_decref(body);
		api_db_failure(r, rc, "reading settings");
		return;
	}
	json_t *doc = json_object();
	for (const struct member *m = members; m->name; m++) {
		const char *v = NULL;
		enum body_member got = body_text(r, body, m->name, m->max, false, &v);
		if (got == BM_VALUE && m->options && !str_in_list(v, m->options))
			problem_add(&r->problem, m->name, "invalid_option",
			            (const char *[]){"value", v, NULL});
		if (got == BM_VALUE && !m->secret && strpbrk(v, "\r\n") &&
		    !str_eq(m->name, "body_template"))
			problem_add(&r->problem, m->name, "invalid_text", NULL);
		if (got == BM_VALUE)
			json_object_set_new(doc, m->name, json_string(v));
		else if (got == BM_ABSENT && m->secret && json_object_get(old, m->name))
			/* A secret not sent stays as it was: the form never holds it. */
			json_object_set(doc, m->name, json_object_get(old, m->name));
	}
	json_decref(old);
	if (str_eq(channel, "mail"))
		check_mail(r, doc);
	else
		check_sms(r, doc);
	if (!body_checked(r, body)) {
		json_decref(doc);
		return;
	}
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	struct op op;
	req_op(r, NULL, &op);
	rc = db_begin(r->db);
	if (!rc)
		rc = settings_put(r->db, channel, text, r->session.user_id);
	if (!rc)
		rc = audit_write(&op, "update", "settings", 0,
		                 str_eq(channel, "mail") ? "{\"settings\":\"mail\"}"
		                                         : "{\"settings\":\"sms\"}");
	if (!rc)
		rc = db_commit(r->db);
	if (rc)
		db_rollback(r->db);
	free(text);
	if (rc) {
		json_decref(doc);
		api_db_failure(r, rc, "saving settings");
		return;
	}
	struct str out = STR_INIT;
	shown(members, doc, &out);
	json_decref(doc);
	resp_json(r, 200, &out);
}

/* Queue the "test" template to `to` on channel, in the caller's language. */
static int queue_test(struct req *r, const char *channel, const char *to, int64_t *id)
{
	struct template_text t;
	const char *locale = r->lang == LANG_EN ? "en" : "zh-CN";
	int rc = template_load(r->db, &r->arena, "test", locale, &t);
	if (rc)
		return rc == DB_DONE ? DB_ERROR : rc;
	json_t *vars =
	    json_pack("{s:s, s:s}", "user",
	              r->session.display_name ? r->session.display_name : r->session.username,
	              "channel", channel);
	struct str subject = STR_INIT, text = STR_INIT;
	template_render(t.subject, vars, false, &subject);
	template_render(t.text, vars, false, &text);
	json_t *b = str_eq(channel, "mail")
	                ? json_pack("{s:s, s:s}", "subject", subject.buf, "text", text.buf)
	                : json_pack("{s:s}", "text", text.buf);
	char *doc = json_dumps(b, JSON_COMPACT);
	struct outbox_msg m = {.channel = channel,
	                       .recipient = to,
	                       .subject = str_eq(channel, "mail") ? subject.buf : NULL,
	                       .body = doc,
	                       .event = "test",
	                       .user_id = r->session.user_id,
	                       .created_by = r->session.user_id};
	rc = outbox_put(r->db, &m, id);
	free(doc);
	json_decref(b);
	json_decref(vars);
	str_release(&subject);
	str_release(&text);
	return rc;
}

void api_channel_settings_test(struct req *r)
{
	const char *channel = r->captures[0];
	if (!members_of(r, channel))
		return;
	json_t *body = api_json_body(r);
	if (!body)
		return;
	bool mail = str_eq(channel, "mail");
	const char *field = mail ? "to" : "mobile";
	body_allow(r, body, (const char *[]){field, NULL});
	const char *to = NULL;
	char mobile[SMS_NUMBER_MAX];
	if (body_text(r, body, field, 254, true, &to) == BM_VALUE) {
		if (mail && !mail_address_valid(to))
			problem_add(&r->problem, field, "invalid_email", NULL);
		else if (!mail && !sms_normalise(to, mobile))
			problem_add(&r->problem, field, "invalid_phone", NULL);
		else if (!mail)
			to = arena_strdup(&r->arena, mobile);
	}
	if (!body_checked(r, body))
		return;
	int64_t id = 0;
	int rc = queue_test(r, channel, to, &id);
	if (rc) {
		api_db_failure(r, rc, "queueing a test message");
		return;
	}
	struct str out = STR_INIT;
	str_addf(&out, "{\"outbox_id\":%lld}", (long long)id);
	resp_json(r, 202, &out);
}

int api_settings_merge(struct req *r, const char *key, const json_t *body)
{
	/* What is sent over what is stored: a partial document changes only its members, and an
	 * object member only the members it has ({"weights": {"phone": 0.9}}). */
	json_t *doc = NULL;
	int rc = settings_get(r->db, key, &doc);
	if (rc)
		return rc;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)body, k, v)
	{
		json_t *have = json_object_get(doc, k);
		if (json_is_object(have) && json_is_object(v))
			json_object_update(have, v);
		else
			json_object_set(doc, k, v);
	}
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	struct op op;
	req_op(r, NULL, &op);
	char changes[96];
	snprintf(changes, sizeof changes, "{\"settings\":\"%s\"}", key);
	if (!(rc = db_begin(r->db))) {
		if (!(rc = settings_put(r->db, key, text, r->session.user_id)) &&
		    !(rc = audit_write(&op, "update", "settings", 0, changes)))
			rc = db_commit(r->db);
		if (rc)
			db_rollback(r->db);
	}
	free(text);
	return rc;
}

void api_settings_answer(struct req *r, int rc, json_t *doc)
{
	if (rc) {
		json_decref(doc);
		api_db_failure(r, rc, "reading settings");
		return;
	}
	char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(6));
	json_decref(doc);
	struct str out = STR_INIT;
	str_adds(&out, text);
	free(text);
	resp_json(r, 200, &out);
}

void api_settings_put(struct req *r, const char *key,
                      int (*check)(struct req *r, const json_t *body), void (*get)(struct req *r))
{
	json_t *body = api_json_body(r);
	if (!body)
		return;
	int checked = check(r, body);
	if (checked) {
		json_decref(body);
		if (checked != -2) /* -2: the check answered already (its database failed) */
			resp_error(r, 422, "validation_failed");
		return;
	}
	int rc = api_settings_merge(r, key, body);
	json_decref(body);
	if (rc) {
		api_db_failure(r, rc, "saving settings");
		return;
	}
	get(r);
}
