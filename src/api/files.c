/*
 * Files attached to records (docs/internals/FILES.md): a record's documents, a document's
 * versions, delete, and what the upload (files_upload.c) and the download (files_download.c)
 * share. Access is the owning record's: reading it to list and download,
 * changing it to upload and delete. A file whose record the caller cannot read is 404, as the
 * record is.
 */
#include "files_internal.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/access.h"
#include "meta/audit.h"
#include "meta/crud.h"
#include "services/files.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define FILES_LIST_MAX "1000" /* documents a record lists (written into SQL) */

void files_row_json(struct db_stmt *st, struct str *out)
{
	const char *type = db_column_text(st, 3, NULL);
	str_adds(out, "{\"id\":");
	str_add_int(out, db_column_int(st, 0));
	str_adds(out, ",\"document_id\":");
	str_add_int(out, db_column_int(st, 1));
	str_adds(out, ",\"name\":");
	str_add_jsons(out, db_column_text(st, 2, NULL));
	str_adds(out, ",\"content_type\":");
	str_add_jsons(out, type);
	str_adds(out, ",\"size\":");
	str_add_int(out, db_column_int(st, 4));
	str_adds(out, ",\"sha256\":");
	str_add_jsons(out, db_column_text(st, 5, NULL));
	str_adds(out, ",\"version\":");
	str_add_int(out, db_column_int(st, 6));
	str_adds(out, ",\"versions\":");
	str_add_int(out, db_column_int(st, 7));
	str_adds(out, ",\"previewable\":");
	str_adds(out, filetype_inline(type) ? "true" : "false");
	str_adds(out, ",\"created_by\":");
	json_add_int_column(out, st, 8);
	str_adds(out, ",\"created_by_name\":");
	json_add_text_column(out, st, 9);
	str_adds(out, ",\"created_at\":");
	json_add_time_column(out, st, 10);
	str_addc(out, '}');
}

int files_load(struct req *r, int64_t id, struct file_row *f)
{
	struct db_stmt *st;
	int rc = db_prepare(r->db, FILE_SELECT " WHERE f.id = ?", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW) {
		struct arena *a = &r->arena;
		*f = (struct file_row){
		    .id = db_column_int(st, 0),
		    .group_id = db_column_int(st, 1),
		    .name = arena_strdup(a, db_column_text(st, 2, NULL)),
		    .type = arena_strdup(a, db_column_text(st, 3, NULL)),
		    .size = (uint64_t)db_column_int(st, 4),
		    .sha256 = arena_strdup(a, db_column_text(st, 5, NULL)),
		    .version = db_column_int(st, 6),
		    .entity = arena_strdup(a, db_column_text(st, 11, NULL)),
		    .record_id = db_column_int(st, 12),
		    .storage = arena_strdup(a, db_column_text(st, 13, NULL)),
		    .deleted = !db_column_null(st, 14),
		};
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

/*
 * Whether the caller may read the live record id of op->e and, for ACT_UPDATE, change it. False
 * after answering: 404 when it cannot be read (as its GET), 403 when it cannot be changed.
 */
bool files_record_access(struct req *r, struct op *op, enum action act, int64_t id)
{
	int rc = access_find_record(op, ACT_READ, id);
	if (!rc && act == ACT_UPDATE && (rc = access_check_record(op, ACT_UPDATE, id)) == DB_DONE) {
		resp_error(r, 403, "forbidden");
		return false;
	}
	if (rc == DB_DONE)
		resp_error(r, 404, "not_found");
	else if (rc)
		api_db_failure(r, rc, "checking access to a record");
	return rc == DB_OK;
}

/* The live file of the path, reachable as files_record_access says (404 for a deleted one). */
bool files_reachable(struct req *r, enum action act, struct file_row *f, struct op *op)
{
	int64_t id;
	if (!api_id(r, r->captures[0], &id))
		return false;
	int rc = files_load(r, id, f);
	const struct entity *e = !rc && r->reg ? registry_entity(r->reg, f->entity) : NULL;
	if (rc == DB_DONE || (!rc && (f->deleted || !e))) {
		resp_error(r, 404, "not_found");
		return false;
	}
	if (rc) {
		api_db_failure(r, rc, "reading a file");
		return false;
	}
	req_op(r, e, op);
	return files_record_access(r, op, act, f->record_id);
}

/* Answer a list of files: the rows of a prepared statement as {"data":[…]}. */
static void answer_files(struct req *r, int rc, struct db_stmt *st)
{
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	if (!rc) {
		for (size_t n = 0; (rc = db_step(st)) == DB_ROW; n++) {
			if (n)
				str_addc(&out, ',');
			files_row_json(st, &out);
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	str_addc(&out, ']');
	api_answer_data(r, rc, &out, "listing files");
}

/* Query parameters: only those named (NULL-terminated), each once; false after answering 400. */
bool files_only_params(struct req *r, const char *const *known)
{
	for (size_t i = 0; i < r->n_query; i++) {
		const char *key = r->query[i].key;
		bool ok = false, again = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(key, *k) == 0;
		for (size_t j = 0; j < i && !again; j++)
			again = strcmp(r->query[j].key, key) == 0;
		if (!ok || again)
			problem_add(&r->problem, key,
			            ok ? "duplicate_parameter" : "unknown_parameter", NULL);
	}
	if (r->problem.n_errors)
		resp_error(r, 400, "bad_request");
	return !r->problem.n_errors;
}

/* GET /api/v1/{entity}/{id}/files: the latest version of each live document, newest first. */
void api_files_list(struct req *r)
{
	struct op op;
	int64_t id;
	if (!api_begin(r, &op, &id, NULL) || !files_only_params(r, (const char *const[]){NULL}) ||
	    !files_record_access(r, &op, ACT_READ, id))
		return;
	struct db_stmt *st;
	int rc =
	    db_prepare(r->db,
	               FILE_SELECT " WHERE f.entity = ? AND f.record_id = ? AND "
	                           "f.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM files n "
	                           "WHERE n.group_id = f.group_id AND n.version > f.version) "
	                           "ORDER BY f.id DESC LIMIT " FILES_LIST_MAX,
	               &st);
	if (!rc) {
		db_bind_texts(st, 1, op.e->name);
		db_bind_int(st, 2, id);
	}
	answer_files(r, rc, st);
}

/* GET /api/v1/files/{id}/versions: every version of the document, newest first. */
void api_file_versions(struct req *r)
{
	struct file_row f;
	struct op op;
	if (!files_only_params(r, (const char *const[]){NULL}) ||
	    !files_reachable(r, ACT_READ, &f, &op))
		return;
	struct db_stmt *st;
	int rc =
	    db_prepare(r->db, FILE_SELECT " WHERE f.group_id = ? ORDER BY f.version DESC", &st);
	if (!rc)
		db_bind_int(st, 1, f.group_id);
	answer_files(r, rc, st);
}

int files_audit(struct op *op, const char *action, int64_t record_id, json_t *changes)
{
	char *text = json_dumps(changes, JSON_COMPACT);
	json_decref(changes);
	int rc = audit_write(op, action, op->e->name, record_id, text);
	free(text);
	return rc;
}

void api_file_delete(struct req *r)
{
	struct file_row f;
	struct op op;
	if (!files_only_params(r, (const char *const[]){NULL}) ||
	    !files_reachable(r, ACT_UPDATE, &f, &op))
		return;
	char now[TIME_ISO_LEN], user[24], group[24];
	time_now_iso(now);
	snprintf(user, sizeof user, "%lld", (long long)op.user_id);
	snprintf(group, sizeof group, "%lld", (long long)f.group_id);
	int rc = db_begin(r->db);
	if (!rc)
		rc =
		    db_run_one(r->db,
		               "UPDATE files SET deleted_at = ?, deleted_by = ? WHERE group_id = ? "
		               "AND deleted_at IS NULL",
		               3, (const char *[]){now, op.user_id ? user : NULL, group});
	if (!rc)
		rc = files_audit(&op, "file_delete", f.record_id,
		                 json_pack("{s:I,s:I,s:s,s:I}", "file_id", (json_int_t)f.id,
		                           "document_id", (json_int_t)f.group_id, "name", f.name,
		                           "versions", (json_int_t)db_changes(r->db)));
	if (!rc)
		rc = db_commit(r->db);
	if (rc && db_in_transaction(r->db))
		db_rollback(r->db);
	if (rc == DB_DONE)
		resp_error(r, 404, "not_found");
	else if (rc)
		api_db_failure(r, rc, "deleting a file");
	else
		resp_empty(r, 204);
}
