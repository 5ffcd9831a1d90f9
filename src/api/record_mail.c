/*
 * Mail about a record, written by a user: to a customer or a colleague, with files attached to
 * the record (a brochure, a quotation). It goes through the outbox like every other message,
 * and the record's history says who sent what to whom.
 */
#include "api.h"
#include "body.h"
#include "files_internal.h"
#include "core/util.h"
#include "meta/audit.h"
#include "services/mail.h"
#include "services/outbox.h"
#include "services/outbox_channels.h"

#include <stdio.h>
#include <string.h>

#define RECORD_MAIL_FILES 10

/* The file_ids member: live files of this record, at most RECORD_MAIL_FILES, not too large
 * together. Their ids into ids, the names into names (a JSON array for the history). */
static int read_files(struct req *r, json_t *body, const struct entity *e, int64_t record,
                      int64_t *ids, size_t *n, json_t *names)
{
	json_t *list = json_object_get(body, "file_ids");
	*n = 0;
	if (!list || json_is_null(list))
		return DB_OK;
	if (!json_is_array(list) || json_array_size(list) > RECORD_MAIL_FILES) {
		problem_add(&r->problem, "file_ids", "invalid_type",
		            (const char *[]){"expected", "a list of at most 10 file ids", NULL});
		return DB_OK;
	}
	uint64_t total = 0;
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		const char *field = arena_printf(&r->arena, "file_ids[%zu]", i);
		struct file_row f;
		int64_t id = json_is_integer(v) ? json_integer_value(v) : 0;
		int rc = id > 0 ? files_load(r, id, &f) : DB_DONE;
		if (rc && rc != DB_DONE)
			return rc;
		/* Only this record's files: the caller's access to the record covers them. */
		if (rc == DB_DONE || f.deleted || f.record_id != record ||
		    !str_eq(f.entity, e->name)) {
			problem_add(&r->problem, field, "id_not_found",
			            (const char *[]){"id",
			                             arena_printf(&r->arena, "%lld", (long long)id),
			                             NULL});
			continue;
		}
		total += f.size;
		ids[(*n)++] = id;
		json_array_append_new(names, json_string(f.name));
	}
	if (total > OUTBOX_ATTACHMENT_MAX)
		problem_add(&r->problem, "file_ids", "attachments_too_large",
		            (const char *[]){"limit", "20 MiB", NULL});
	return DB_OK;
}

void api_record_mail(struct req *r)
{
	struct op op;
	int64_t id;
	json_t *body;
	if (!api_begin(r, &op, &id, &body))
		return;
	if (!files_record_access(r, &op, ACT_READ, id)) {
		json_decref(body);
		return;
	}
	body_allow(r, body, (const char *[]){"to", "to_name", "subject", "text", "file_ids", NULL});
	const char *to = NULL, *to_name = NULL, *subject = NULL, *text = NULL;
	if (body_text(r, body, "to", 254, true, &to) == BM_VALUE && !mail_address_valid(to))
		problem_add(&r->problem, "to", "invalid_email", NULL);
	if (body_text(r, body, "to_name", 100, false, &to_name) == BM_VALUE &&
	    strpbrk(to_name, "\r\n"))
		problem_add(&r->problem, "to_name", "invalid_text", NULL);
	if (body_text(r, body, "subject", 200, true, &subject) == BM_VALUE &&
	    strpbrk(subject, "\r\n"))
		problem_add(&r->problem, "subject", "invalid_text", NULL);
	body_text(r, body, "text", 20000, true, &text);
	int64_t files[RECORD_MAIL_FILES];
	size_t n_files = 0;
	json_t *names = json_array();
	int rc = read_files(r, body, op.e, id, files, &n_files, names);
	if (rc) {
		json_decref(body);
		json_decref(names);
		api_db_failure(r, rc, "reading files");
		return;
	}
	if (!body_checked(r, body)) {
		json_decref(names);
		return;
	}
	json_t *doc = json_pack("{s:s, s:s}", "subject", subject, "text", text);
	if (to_name)
		json_object_set_new(doc, "to_name", json_string(to_name));
	json_t *attachments = json_array();
	for (size_t i = 0; i < n_files; i++)
		json_array_append_new(attachments,
		                      json_pack("{s:I}", "file_id", (json_int_t)files[i]));
	json_object_set_new(doc, "attachments", attachments);
	char *text_doc = json_dumps(doc, JSON_COMPACT);
	json_t *changes =
	    json_pack("{s:s, s:s, s:O}", "to", to, "subject", subject, "files", names);
	char *changes_doc = json_dumps(changes, JSON_COMPACT);
	struct outbox_msg m = {.channel = "mail",
	                       .recipient = to,
	                       .subject = subject,
	                       .body = text_doc,
	                       .event = "record.mail",
	                       .entity = op.e->name,
	                       .record_id = id,
	                       .created_by = r->session.user_id};
	int64_t outbox_id = 0;
	rc = db_begin(r->db);
	if (!rc)
		rc = outbox_put(r->db, &m, &outbox_id);
	if (!rc)
		rc = audit_write(&op, "mail", op.e->name, id, changes_doc);
	if (!rc)
		rc = db_commit(r->db);
	if (rc)
		db_rollback(r->db);
	free(text_doc);
	free(changes_doc);
	json_decref(doc);
	json_decref(changes);
	json_decref(names);
	if (rc) {
		api_db_failure(r, rc, "queueing a mail");
		return;
	}
	struct str out = STR_INIT;
	str_addf(&out, "{\"outbox_id\":%lld}", (long long)outbox_id);
	resp_json(r, 202, &out);
}
