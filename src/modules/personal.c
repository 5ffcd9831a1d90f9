#include "personal.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/access.h"
#include "meta/audit.h"
#include "meta/crud.h"
#include "meta/members.h"
#include "services/files.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#define RELATED_MAX 1000

/* What an erased person keeps: the business facts, not the person (docs/internals/PERSONAL.md). */
static const char *const kept[] = {
    "customer_id",   "contact_role",  "sequence",        "department", "position",
    "reports_to_id", "decision_role", "influence_level", "attitude",   NULL};

#define ERASED_NAME "（已删除）"

/* 404 if the caller may not read the record, 403 if they may not see its personal data. */
static int may_handle(struct op *op, int64_t id, enum action also)
{
	int rc = access_find_record(op, ACT_READ, id);
	if (rc == DB_DONE)
		return problem_set(op->problem, 404, "not_found");
	if (!rc)
		rc = access_find_record(op, ACT_SENSITIVE, id);
	if (!rc && also != ACT_READ)
		rc = access_find_record(op, also, id);
	if (rc == DB_DONE)
		return problem_set(op->problem, 403, "forbidden");
	return rc ? crud_db_error(op, rc, "personal data") : 0;
}

/* The live ids of child whose field via refers to id (at most RELATED_MAX). */
static int child_ids(struct op *op, const struct relation *rel, int64_t id, int64_t **ids,
                     size_t *n)
{
	char sql[256];
	snprintf(sql, sizeof sql,
	         "SELECT id FROM \"%s\" WHERE \"%s\" = ? AND deleted_at IS NULL ORDER BY id LIMIT "
	         "%d",
	         rel->child->name, rel->via->name, RELATED_MAX);
	struct db_stmt *st;
	int rc = db_prepare(op->db, sql, &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	*ids = ARENA_NEW_ARRAY(op->arena, int64_t, RELATED_MAX);
	*n = 0;
	while ((rc = db_step(st)) == DB_ROW)
		(*ids)[(*n)++] = db_column_int(st, 0);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

int personal_export(struct op *op, int64_t id, struct str *out)
{
	int status = may_handle(op, id, ACT_READ);
	if (status)
		return status;
	struct op shown = *op;
	shown.reveal = true; /* each record read so is audited as a reveal */
	struct crud_result res = {0};
	struct str rec = STR_INIT;
	status = crud_get(&shown, id, false, &rec, &res);
	if (status < 0) {
		str_release(&rec);
		return status;
	}
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	str_addf(out, "{\"exported_at\":\"%s\",\"entity\":", now);
	str_add_jsons(out, op->e->name);
	str_addf(out, ",\"id\":%" PRId64 ",\"record\":", id);
	str_add(out, rec.buf, rec.len);
	str_release(&rec);
	str_adds(out, ",\"related\":{");
	int rc = DB_OK;
	for (size_t i = 0; i < op->e->n_relations && !rc; i++) {
		const struct relation *r = &op->e->relations[i];
		int64_t *ids;
		size_t n;
		if ((rc = child_ids(op, r, id, &ids, &n)))
			break;
		str_addf(out, "%s", i ? "," : "");
		str_add_jsons(out, r->name);
		str_adds(out, ":[");
		struct op child = shown;
		child.e = r->child;
		child.shared = 0;
		size_t written = 0;
		for (size_t k = 0; k < n; k++) {
			struct str one = STR_INIT;
			/* What the caller may read of it, personal fields shown where they may. */
			child.reveal = access_find_record(&child, ACT_SENSITIVE, ids[k]) == DB_OK;
			problem_init(child.problem, child.arena);
			if (crud_get(&child, ids[k], false, &one, &res) >= 0) {
				str_adds(out, written++ ? "," : "");
				str_add(out, one.buf, one.len);
			}
			str_release(&one);
		}
		problem_init(op->problem, op->arena);
		str_addc(out, ']');
	}
	str_adds(out, "},\"files\":[");
	struct db_stmt *st = NULL;
	if (!rc)
		rc = db_prepare(op->db,
		                "SELECT id, name, content_type, size, created_at FROM files WHERE "
		                "entity = ? AND record_id = ? AND deleted_at IS NULL ORDER BY id",
		                &st);
	if (!rc) {
		db_bind_texts(st, 1, op->e->name);
		db_bind_int(st, 2, id);
		size_t n = 0;
		while ((rc = db_step(st)) == DB_ROW) {
			str_adds(out, n++ ? "," : "");
			json_add_row(out, st, "iid,tname,tcontent_type,isize,Tcreated_at");
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	str_adds(out, "]}");
	if (!rc)
		rc = audit_write(op, "personal_export", op->e->name, id, NULL);
	return rc ? crud_db_error(op, rc, "a personal data export") : 200;
}

/* The record's old values out of the audit trail: an erasure must not leave them there. */
static int scrub_audit(struct op *op, const char *entity, int64_t id)
{
	char rid[24];
	snprintf(rid, sizeof rid, "%" PRId64, id);
	return db_run(op->db,
	              "UPDATE sys_audit SET changes = '{\"erased\":true}' WHERE entity = ? AND "
	              "record_id = ? AND changes IS NOT NULL",
	              2, (const char *[]){entity, rid});
}

/* Every field but the kept ones emptied, the name replaced. */
static json_t *erasing_patch(const struct entity *e)
{
	json_t *patch = json_object();
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		bool title = e->title_field && str_eq(f->name, e->title_field);
		/* Links to other records and people (the owner) and what a record cannot be
		 * without (a relation's kind) are not about the person; the title names them, so
		 * it is replaced. */
		if (!field_visible(f) || !field_writable(f) || str_in_list(f->name, kept) ||
		    f->type == FT_REFERENCE || f->type == FT_USER ||
		    ((f->flags & FF_REQUIRED) && !title))
			continue;
		json_object_set_new(patch, f->name, title ? json_string(ERASED_NAME) : json_null());
	}
	return patch;
}

/* Delete the records about the person that hold personal data of their own (their family,
 * their related people: entities with sensitive fields), scrubbing their trail too. */
static int erase_related(struct op *op, int64_t id, int64_t *deleted)
{
	*deleted = 0;
	for (size_t i = 0; i < op->e->n_relations; i++) {
		const struct relation *r = &op->e->relations[i];
		bool personal = false;
		for (size_t f = 0; f < r->child->n_fields; f++)
			personal |= (r->child->fields[f].flags & FF_SENSITIVE) != 0;
		if (!personal)
			continue; /* business records (activities, tasks) stay, pointing at the
			             erased */
		int64_t *ids;
		size_t n;
		int rc = child_ids(op, r, id, &ids, &n);
		if (rc)
			return crud_db_error(op, rc, "an erasure");
		struct op sys = op_as_system(op);
		sys.e = r->child;
		sys.erasing = true;
		for (size_t k = 0; k < n; k++) {
			struct crud_result res = {0};
			struct str out = STR_INIT;
			json_t *patch = erasing_patch(r->child);
			int status = crud_update_in_tx(&sys, ids[k], patch, -1, &out, &res);
			json_decref(patch);
			str_release(&out);
			if (status < 0 || (status = crud_delete_in_tx(&sys, ids[k], -1)) < 0)
				return status;
			if ((rc = scrub_audit(op, r->child->name, ids[k])))
				return crud_db_error(op, rc, "an erasure");
		}
		*deleted += (int64_t)n;
	}
	return 0;
}

/* The SHA-256s of the person's versions kept in the folder, into *out (op's arena). */
static int folder_contents(struct op *op, const char *rid, const char ***out, size_t *n)
{
	struct db_stmt *st;
	int rc = db_prepare(op->db,
	                    "SELECT DISTINCT sha256 FROM files WHERE entity = ? AND record_id = ? "
	                    "AND storage = 'dir'",
	                    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, op->e->name);
	db_bind_texts(st, 2, rid);
	size_t cap = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			const char **grown = ARENA_NEW_ARRAY(op->arena, const char *, cap);
			if (*n)
				memcpy(grown, *out, *n * sizeof *grown);
			*out = grown;
		}
		(*out)[(*n)++] = arena_strdup(op->arena, db_column_text(st, 0, NULL));
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/*
 * The person's files: their content removed (chunks deleted; the folder's content listed in
 * *folder for after the commit, as no row names it any longer), their names and hashes too, the
 * rows deleted.
 */
static int erase_files(struct op *op, int64_t id, int64_t *n, const char ***folder,
                       size_t *n_folder)
{
	char rid[24], now[TIME_ISO_LEN], by[24];
	snprintf(rid, sizeof rid, "%" PRId64, id);
	snprintf(by, sizeof by, "%" PRId64, op->user_id);
	time_now_iso(now);
	int rc = folder_contents(op, rid, folder, n_folder);
	if (!rc)
		rc = db_run(op->db,
		            "DELETE FROM file_chunks WHERE file_id IN (SELECT id FROM files WHERE "
		            "entity = ? AND record_id = ?)",
		            2, (const char *[]){op->e->name, rid});
	if (!rc)
		rc = db_run(op->db,
		            "UPDATE files SET name = 'erased', sha256 = '', deleted_at = "
		            "COALESCE(deleted_at, ?), deleted_by = COALESCE(deleted_by, ?) WHERE "
		            "entity = ? AND record_id = ?",
		            4, (const char *[]){now, op->user_id ? by : NULL, op->e->name, rid});
	*n = rc ? 0 : db_changes(op->db);
	return rc;
}

int personal_erase(struct op *op, int64_t id, const json_t *body, struct str *out)
{
	static const char *const members[] = {"reason", NULL};
	members_check(op, body, members);
	const char *reason = member_reason(op, body, true);
	if (op->problem->n_errors)
		return problem_set(op->problem, 422, "validation_failed");
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "an erasure");
	int status = may_handle(op, id, ACT_UPDATE);
	int64_t related = 0, files = 0;
	const char **folder = NULL; /* content in the folder to take out after the commit */
	size_t n_folder = 0;
	if (!status) {
		/* As the system: personal fields are emptied whoever may set them. */
		struct op sys = op_as_system(op);
		sys.erasing = true;
		json_t *patch = erasing_patch(op->e);
		struct crud_result res = {0};
		struct str rec = STR_INIT;
		status = crud_update_in_tx(&sys, id, patch, -1, &rec, &res);
		json_decref(patch);
		str_release(&rec);
	}
	if (status >= 0)
		status = erase_related(op, id, &related);
	if (status >= 0 && ((rc = scrub_audit(op, op->e->name, id)) ||
	                    (rc = erase_files(op, id, &files, &folder, &n_folder))))
		status = crud_db_error(op, rc, "an erasure");
	if (status >= 0) {
		json_t *note = json_pack("{s:s, s:I, s:I}", "reason", reason, "related_deleted",
		                         (json_int_t)related, "files_deleted", (json_int_t)files);
		char *text = json_dumps(note, JSON_COMPACT);
		json_decref(note);
		if ((rc = audit_write(op, "erase", op->e->name, id, text)) ||
		    (rc = db_commit(op->db)))
			status = crud_db_error(op, rc, "an erasure");
		free(text);
	}
	if (status < 0) {
		db_rollback(op->db);
		return status;
	}
	for (size_t i = 0; i < n_folder; i++)
		files_forget_folder(op->db, folder[i]);
	struct crud_result res = {0};
	return crud_get(op, id, false, out, &res) < 0 ? -1 : 200;
}
