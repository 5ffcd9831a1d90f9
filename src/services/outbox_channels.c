#include "outbox_channels.h"
#include "files.h"
#include "mail.h"
#include "settings.h"
#include "sms.h"
#include "webhook.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

static const char *member(json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));
	return s && *s ? s : NULL;
}

/* The host part of the public URL, for Message-IDs. */
static void url_host(const char *url, char *out, size_t n)
{
	const char *p = strstr(url ? url : "", "://");
	p = p ? p + 3 : "sextant.invalid";
	size_t k = strcspn(p, ":/");
	if (!k)
		p = "sextant.invalid", k = strlen(p);
	snprintf(out, n, "%.*s", (int)(k < n ? k : n - 1), p);
}

struct attachments {
	struct mail_attachment items[16];
	struct str data[16];
	size_t n;
};

static void attachments_release(struct attachments *a)
{
	for (size_t i = 0; i < a->n; i++)
		str_release(&a->data[i]);
}

/* The stored files a mail carries, read whole. */
static enum delivery load_attachments(struct db *db, json_t *list, struct attachments *a, char *err,
                                      size_t n)
{
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		if (a->n == ARRAY_SIZE(a->items)) {
			snprintf(err, n, "more than %zu attachments", ARRAY_SIZE(a->items));
			return DELIVERY_PERMANENT;
		}
		json_int_t id = json_integer_value(json_object_get(v, "file_id"));
		struct db_stmt *st;
		if (db_prepare(
		        db,
		        "SELECT name, content_type, storage, sha256, size FROM files WHERE id "
		        "= ? AND deleted_at IS NULL",
		        &st)) {
			snprintf(err, n, "the database could not be read");
			return DELIVERY_RETRY;
		}
		db_bind_int(st, 1, id);
		enum delivery d = DELIVERY_OK;
		if (db_step(st) != DB_ROW) {
			snprintf(err, n, "attachment file %lld is gone", (long long)id);
			d = DELIVERY_PERMANENT;
		} else {
			char storage[8], sha[65];
			snprintf(storage, sizeof storage, "%s", db_column_text(st, 2, NULL));
			snprintf(sha, sizeof sha, "%s", db_column_text(st, 3, NULL));
			struct mail_attachment *m = &a->items[a->n];
			struct str *data = &a->data[a->n];
			*data = (struct str)STR_INIT;
			m->name = xstrdup(db_column_text(st, 0, NULL));
			m->content_type = xstrdup(db_column_text(st, 1, NULL));
			struct file_ref ref = {.id = id,
			                       .storage = storage,
			                       .sha256 = sha,
			                       .size = (uint64_t)db_column_int(st, 4)};
			db_reset(st);
			st = NULL;
			a->n++;
			if (files_read_all(db, &ref, OUTBOX_ATTACHMENT_MAX, data)) {
				snprintf(err, n, "attachment file %lld cannot be read",
				         (long long)id);
				d = DELIVERY_RETRY;
			}
			m->data = data->buf;
			m->len = data->len;
		}
		if (st)
			db_reset(st);
		if (d)
			return d;
	}
	return DELIVERY_OK;
}

static enum delivery send_mail(const struct outbox_delivery *d, char *err, size_t n)
{
	json_t *cfg = NULL;
	if (settings_get(d->db, "mail", &cfg)) {
		snprintf(err, n, "the mail settings could not be read");
		return DELIVERY_RETRY;
	}
	struct mail_settings s = {.url = member(cfg, "url"),
	                          .tls = member(cfg, "tls"),
	                          .username = member(cfg, "username"),
	                          .password = member(cfg, "password"),
	                          .from_address = member(cfg, "from_address"),
	                          .from_name = member(cfg, "from_name"),
	                          .timeout_ms = d->timeout_ms};
	enum delivery r;
	if (!s.url || !s.from_address) {
		/* Kept and retried: once an administrator sets the server up, it goes. */
		snprintf(err, n, "no mail server is set up (settings: mail)");
		json_decref(cfg);
		return DELIVERY_RETRY;
	}
	char host[128], message_id[192];
	url_host(d->public_url, host, sizeof host);
	/* The same on every attempt, so a receiver can tell a repeat. */
	snprintf(message_id, sizeof message_id, "outbox-%lld.%lld@%s", (long long)d->id,
	         (long long)d->created_ms, host);
	struct attachments att = {.n = 0};
	r = load_attachments(d->db, json_object_get(d->body, "attachments"), &att, err, n);
	if (r == DELIVERY_OK) {
		struct mail_message m = {.to_address = d->recipient,
		                         .to_name = member(d->body, "to_name"),
		                         .subject = member(d->body, "subject"),
		                         .text = member(d->body, "text"),
		                         .html = member(d->body, "html"),
		                         .attachments = att.items,
		                         .n_attachments = att.n,
		                         .message_id = message_id,
		                         .date_ms = d->created_ms};
		if (!m.subject)
			m.subject = "";
		r = mail_send(&s, &m, err, n);
	}
	for (size_t i = 0; i < att.n; i++) {
		free((char *)att.items[i].name);
		free((char *)att.items[i].content_type);
	}
	attachments_release(&att);
	json_decref(cfg);
	return r;
}

static enum delivery send_sms(const struct outbox_delivery *d, char *err, size_t n)
{
	json_t *cfg = NULL;
	if (settings_get(d->db, "sms", &cfg)) {
		snprintf(err, n, "the SMS settings could not be read");
		return DELIVERY_RETRY;
	}
	const char *adapter = member(cfg, "adapter");
	struct sms_settings s = {.adapter = adapter ? adapter : "log",
	                         .url = member(cfg, "url"),
	                         .method = member(cfg, "method"),
	                         .content_type = member(cfg, "content_type"),
	                         .body_template = member(cfg, "body_template"),
	                         .auth_header = member(cfg, "auth_header"),
	                         .success_field = member(cfg, "success_field"),
	                         .success_value = member(cfg, "success_value"),
	                         .timeout_ms = d->timeout_ms};
	char id[32];
	snprintf(id, sizeof id, "outbox-%lld", (long long)d->id);
	const char *text = member(d->body, "text");
	enum delivery r = sms_send(&s, d->recipient, text ? text : "", id, err, n);
	json_decref(cfg);
	return r;
}

static enum delivery send_webhook(const struct outbox_delivery *d, char *err, size_t n)
{
	json_int_t hook = json_integer_value(json_object_get(d->body, "webhook_id"));
	struct db_stmt *st;
	if (db_prepare(d->db,
	               "SELECT kind, url, secret FROM webhooks WHERE id = ? AND deleted_at IS NULL",
	               &st)) {
		snprintf(err, n, "the database could not be read");
		return DELIVERY_RETRY;
	}
	db_bind_int(st, 1, hook);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		snprintf(err, n,
		         rc == DB_DONE ? "the webhook was deleted"
		                       : "the database could not be read");
		return rc == DB_DONE ? DELIVERY_PERMANENT : DELIVERY_RETRY;
	}
	char *kind = xstrdup(db_column_text(st, 0, NULL));
	char *url = xstrdup(db_column_text(st, 1, NULL));
	char *secret = xstrdup(db_column_text(st, 2, NULL));
	db_reset(st);
	char delivery[32];
	snprintf(delivery, sizeof delivery, "outbox-%lld", (long long)d->id);
	char *body = json_dumps(json_object_get(d->body, "payload"), JSON_COMPACT);
	struct webhook_call c = {.kind = kind,
	                         .url = url,
	                         .secret = secret,
	                         .event = member(d->body, "event"),
	                         .delivery = delivery,
	                         .body = body ? body : "{}",
	                         .timeout_ms = d->timeout_ms};
	enum delivery r = webhook_send(&c, err, n);
	free(body);
	free(kind);
	free(url);
	free(secret);
	return r;
}

enum delivery outbox_channel_send(const char *channel, const struct outbox_delivery *d, char *err,
                                  size_t n)
{
	if (str_eq(channel, "mail"))
		return send_mail(d, err, n);
	if (str_eq(channel, "sms"))
		return send_sms(d, err, n);
	if (str_eq(channel, "webhook"))
		return send_webhook(d, err, n);
	snprintf(err, n, "unknown channel '%s'", channel);
	return DELIVERY_PERMANENT;
}
