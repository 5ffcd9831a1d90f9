/* Uploads (docs/internals/FILES.md): the raw body or a multipart form, the name from the query
 * or the Content-Disposition, the content checked against the declared type, stored, audited. */
#include "files_internal.h"
#include "core/log.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/access.h"
#include "meta/audit.h"
#include "meta/crud.h"
#include "services/files.h"
#include "services/filescan.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define FILE_NAME_MAX 255

/* What an upload brings: the file's bytes (the spooled body, or a form's part), name, type. */
struct upload {
	int fd;
	bool own_fd; /* a form's part, taken out into a file of its own */
	const char *name;
	const char *declared;
};

/* Reading a multipart form: its one part "file" into a file of its own. */
struct form {
	struct req *r;
	int fd;
	uint64_t bytes, part_bytes;
	int files;
	const char *filename, *type, *unknown;
	bool write_failed, too_large;
};

static enum MHD_Result form_part(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *filename, const char *content_type,
                                 const char *transfer_encoding, const char *data, uint64_t off,
                                 size_t size)
{
	UNUSED(kind);
	UNUSED(transfer_encoding);
	struct form *f = cls;
	if (!key || strcmp(key, "file") != 0) {
		if (!f->unknown)
			f->unknown = arena_strdup(&f->r->arena, key ? key : "");
		return MHD_YES;
	}
	/* A new part starts at offset 0; MHD may call an empty part's start once with no data. */
	bool same_name =
	    !f->files || ((filename && f->filename && !strcmp(filename, f->filename)) ||
	                  (!filename && !f->filename));
	if (off == 0 && (f->files == 0 || f->part_bytes > 0 || !same_name)) {
		if (++f->files > 1)
			return MHD_NO;
		f->part_bytes = 0;
		f->filename = filename ? arena_strdup(&f->r->arena, filename) : NULL;
		f->type = content_type ? arena_strdup(&f->r->arena, content_type) : NULL;
	}
	f->part_bytes += size;
	f->bytes += size;
	if (f->bytes > (uint64_t)http_config->file_limit) {
		f->too_large = true;
		return MHD_NO;
	}
	while (size) {
		ssize_t w = write(f->fd, data, size);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			f->write_failed = true;
			return MHD_NO;
		}
		data += w;
		size -= (size_t)w;
	}
	return MHD_YES;
}

/* The part "file" of a multipart body, into u. False after answering. */
static bool read_form(struct req *r, struct upload *u)
{
	char path[] = "/tmp/sextant-part-XXXXXX";
	struct form f = {.r = r, .fd = mkstemp(path)};
	if (f.fd < 0) {
		resp_fault(r, "taking a file out of a form");
		return false;
	}
	unlink(path);
	u->fd = f.fd;
	u->own_fd = true;
	struct MHD_PostProcessor *pp = MHD_create_post_processor(r->conn, 64 * 1024, form_part, &f);
	bool ok = pp != NULL;
	char *buf = xmalloc(64 * 1024);
	for (uint64_t off = 0; ok;) {
		ssize_t n = pread(r->body_fd, buf, 64 * 1024, (off_t)off);
		if (n <= 0) {
			ok = n == 0;
			break;
		}
		ok = MHD_post_process(pp, buf, (size_t)n) == MHD_YES;
		off += (uint64_t)n;
	}
	free(buf);
	if (pp && MHD_destroy_post_processor(pp) != MHD_YES)
		ok = false;
	if (f.too_large) {
		resp_too_large(r, "file", http_config->file_limit);
		return false;
	}
	if (f.write_failed) {
		resp_error(r, 507, "db_full");
		return false;
	}
	if (f.unknown || f.files > 1)
		problem_add(&r->problem, f.unknown ? f.unknown : "file",
		            f.unknown ? "unknown_field" : "duplicate_parameter", NULL);
	else if (!ok)
		problem_add(&r->problem, "body", "invalid_multipart", NULL);
	else if (!f.files)
		problem_add(&r->problem, "file", "required", NULL);
	if (r->problem.n_errors) {
		resp_error(r, 400, "bad_request");
		return false;
	}
	u->declared = f.type;
	if (!u->name)
		u->name = f.filename;
	return true;
}

/* %XX escapes decoded; NULL if one is broken or makes a NUL. */
static char *pct_decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[k++] = s[i];
			continue;
		}
		unsigned char b = 0;
		size_t got = 0;
		if (i + 2 >= n || sodium_hex2bin(&b, 1, s + i + 1, 2, NULL, &got, NULL) ||
		    got != 1 || b == 0)
			return NULL;
		out[k++] = (char)b;
		i += 2;
	}
	out[k] = '\0';
	return out;
}

/* An RFC 8187 value, charset'language'percent-encoded, if its charset is UTF-8. */
static const char *extended_value(struct req *r, const char *v)
{
	const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
	if (!q2 || (size_t)(q1 - v) != 5 || strncasecmp(v, "utf-8", 5) != 0)
		return NULL;
	return pct_decode(&r->arena, q2 + 1, strlen(q2 + 1));
}

/*
 * The file name of a Content-Disposition header: filename*=UTF-8''… (RFC 8187) rather than
 * filename="…" when both are given; NULL if there is none that can be read.
 */
static const char *disposition_name(struct req *r, const char *h)
{
	const char *plain = NULL, *extended = NULL;
	for (const char *p = strchr(h, ';'); p; p = strchr(p, ';')) {
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		const char *key = p;
		size_t klen = strcspn(p, "= \t;");
		const char *v = p + klen;
		while (*v == ' ' || *v == '\t')
			v++;
		p = v;
		if (*v != '=')
			continue;
		for (v++; *v == ' ' || *v == '\t'; v++)
			;
		struct str val = STR_INIT;
		if (*v == '"') {
			for (v++; *v && *v != '"'; v++) {
				if (*v == '\\' && v[1])
					v++;
				str_addc(&val, *v);
			}
		} else {
			size_t n = strcspn(v, ";");
			while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			str_add(&val, v, n);
		}
		if (klen == 8 && strncasecmp(key, "filename", 8) == 0)
			plain = arena_strndup(&r->arena, val.buf, val.len);
		else if (klen == 9 && strncasecmp(key, "filename*", 9) == 0)
			extended = extended_value(r, val.buf);
		str_release(&val);
		p = *v == '"' ? v + 1 : v;
	}
	return extended ? extended : plain;
}

/* Spaces (ASCII and ideographic) at p: their length. */
static size_t space_at(const char *p)
{
	if (*p == ' ' || *p == '\t')
		return 1;
	return strncmp(p, "\xe3\x80\x80", 3) == 0 ? 3 : 0;
}

/*
 * The name to keep: the last part of a path (as old browsers send), without the spaces around
 * it or trailing dots (which Windows drops). NULL after adding a problem naming "name".
 */
static const char *clean_name(struct req *r, const char *name)
{
	if (name && !utf8_valid(name, strlen(name))) {
		problem_add(&r->problem, "name", "invalid_utf8", NULL);
		return NULL;
	}
	const char *start = name ? name : "";
	for (const char *p = start; *p; p++)
		if (*p == '/' || *p == '\\')
			start = p + 1;
	for (size_t l; (l = space_at(start));)
		start += l;
	size_t n = strlen(start);
	for (bool more = true; n && more;) {
		more = start[n - 1] == '.' || start[n - 1] == ' ' || start[n - 1] == '\t';
		if (!more && n >= 3 && strncmp(start + n - 3, "\xe3\x80\x80", 3) == 0) {
			n -= 2;
			more = true;
		}
		n -= more;
	}
	if (n == 0) {
		problem_add(&r->problem, "name", "required", NULL);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)start[i] < 0x20 || start[i] == 0x7f) {
			problem_add(&r->problem, "name", "invalid_file_name", NULL);
			return NULL;
		}
	if (utf8_length(start, n) > FILE_NAME_MAX) {
		problem_add(&r->problem, "name", "too_long", (const char *[]){"max", "255", NULL});
		return NULL;
	}
	return arena_strndup(&r->arena, start, n);
}

/* 415: the content is not what was declared, or of a kind never accepted. */
static void refuse(struct req *r, enum file_verdict v, const char *declared, const char *found,
                   const char *name)
{
	const char *code = v == FILE_MISMATCH ? "content_type_mismatch" : "file_type_refused";
	const char *detected = v == FILE_REFUSED_NAME ? name : found;
	const char *params[] = {"declared", declared, "detected", detected, NULL};
	problem_add(&r->problem, v == FILE_REFUSED_NAME ? "name" : "file", code, params);
	problem_set(&r->problem, 415, code);
	memcpy(r->problem.params, params, sizeof params);
	struct str extra = STR_INIT;
	str_adds(&extra, "\"declared\":");
	str_add_jsons(&extra, declared);
	str_adds(&extra, ",\"detected\":");
	str_add_jsons(&extra, found);
	r->problem.extra = arena_strndup(&r->arena, extra.buf, extra.len);
	str_release(&extra);
	resp_problem(r);
}

/* The next version of a live document (its head row locked on PostgreSQL); DB_DONE if it has
 * been deleted meanwhile. */
static int next_version(struct req *r, int64_t group, int64_t *version)
{
	char g[24];
	snprintf(g, sizeof g, "%lld", (long long)group);
	int rc = DB_OK;
	if (db_kind(r->db) == DB_PG)
		rc = db_run(r->db, "SELECT id FROM files WHERE id = ? FOR UPDATE", 1,
		            (const char *[]){g});
	*version = 0;
	if (!rc)
		rc = db_query_int(
		    r->db,
		    "SELECT max(version) FROM files WHERE group_id = ? AND deleted_at IS NULL", 1,
		    (const char *[]){g}, version);
	if (!rc && !*version)
		rc = DB_DONE;
	(*version)++;
	return rc;
}

/* What a new version records and the trail repeats. */
struct new_file {
	int64_t id, group_id, version, record_id;
	const char *name, *type;
	const struct file_facts *facts;
};

static int insert_file(struct req *r, struct op *op, const struct new_file *n)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	int rc = db_prepare(r->db,
	                    "INSERT INTO files (id, entity, record_id, group_id, version, name, "
	                    "content_type, size, sha256, storage, created_by, created_at) "
	                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                    &st);
	if (rc)
		return rc;
	int i = 1;
	db_bind_int(st, i++, n->id);
	db_bind_texts(st, i++, op->e->name);
	db_bind_int(st, i++, n->record_id);
	db_bind_int(st, i++, n->group_id);
	db_bind_int(st, i++, n->version);
	db_bind_texts(st, i++, n->name);
	db_bind_texts(st, i++, n->type);
	db_bind_int(st, i++, (int64_t)n->facts->size);
	db_bind_texts(st, i++, n->facts->sha256);
	db_bind_texts(st, i++, files_storage());
	if (op->user_id)
		db_bind_int(st, i++, op->user_id);
	else
		db_bind_null(st, i++);
	db_bind_texts(st, i, now);
	rc = db_step(st);
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/*
 * Keep the content and its row, as version n->version of document n->group_id (0: a new one,
 * whose id is its own), with the trail's file_add on the record: one transaction. Content for
 * the folder is written before it (under its SHA-256: a rolled-back upload leaves at most a
 * file nothing names, which the same content later reuses).
 */
static int store(struct req *r, struct op *op, int fd, struct new_file *n)
{
	if (strcmp(files_storage(), "dir") == 0 && files_put_folder(fd, n->facts->sha256))
		return errno == ENOSPC || errno == EDQUOT ? DB_EFULL : DB_ERROR;
	int rc = db_begin(r->db);
	if (!rc && n->group_id)
		rc = next_version(r, n->group_id, &n->version);
	if (!rc)
		rc = db_next_ids(r->db, "files", 1, &n->id);
	if (!rc) {
		n->group_id = n->group_id ? n->group_id : n->id;
		rc = insert_file(r, op, n);
	}
	if (!rc && strcmp(files_storage(), "db") == 0)
		rc = files_put_chunks(r->db, n->id, fd, n->facts->size);
	if (!rc)
		rc = files_audit(op, "file_add", n->record_id,
		                 json_pack("{s:I,s:I,s:s,s:s,s:I,s:s,s:I}", "file_id",
		                           (json_int_t)n->id, "document_id",
		                           (json_int_t)n->group_id, "name", n->name, "content_type",
		                           n->type, "size", (json_int_t)n->facts->size, "sha256",
		                           n->facts->sha256, "version", (json_int_t)n->version));
	if (!rc)
		rc = db_commit(r->db);
	if (rc && db_in_transaction(r->db))
		db_rollback(r->db);
	/* An erasure may have taken the same content out of the folder between the write above and
	 * the commit (files_forget_folder): put back, now that a row names it. */
	if (!rc && strcmp(files_storage(), "dir") == 0 && files_put_folder(fd, n->facts->sha256))
		log_error("keeping file %lld's content again failed: %s", (long long)n->id,
		          strerror(errno));
	return rc;
}

/* Answer with one file (a new upload: 201 and its Location). */
static void answer_file(struct req *r, int64_t id)
{
	struct db_stmt *st;
	struct str out = STR_INIT;
	int rc = db_prepare(r->db, FILE_SELECT " WHERE f.id = ?", &st);
	if (!rc) {
		db_bind_int(st, 1, id);
		if ((rc = db_step(st)) == DB_ROW)
			files_row_json(st, &out);
		db_reset(st);
	}
	if (rc != DB_ROW) {
		str_release(&out);
		api_db_failure(r, rc == DB_DONE ? DB_ERROR : rc, "reading a new file");
		return;
	}
	resp_json(r, 201, &out);
	char loc[64];
	snprintf(loc, sizeof loc, "/api/v1/files/%lld", (long long)id);
	resp_header(r, "Location", loc);
}

/* The virus scanner's word on an upload, when one is set up: false after answering 422 (found
 * something) or 503 (could not scan: the file is not kept unscanned). */
static bool scanned_clean(struct req *r, int fd, const char *name)
{
	const char *command = http_config->file_scan;
	if (!command || !*command)
		return true;
	char finding[256];
	enum scan_verdict v = files_scan(command, fd, finding, sizeof finding);
	if (v == SCAN_CLEAN)
		return true;
	if (v == SCAN_INFECTED) {
		log_warn("upload '%s' by user %lld refused by the virus scanner: %s", name,
		         (long long)r->session.user_id, finding);
		problem_add(&r->problem, "file", "file_infected",
		            (const char *[]){"finding", arena_strdup(&r->arena, finding), NULL});
		resp_error(r, 422, "validation_failed");
	} else {
		resp_error(r, 503, "scan_failed");
	}
	return false;
}

/* An upload to record_id of op->e, checked (name, size, type) and kept; doc: the document it is
 * a new version of, or NULL. */
static void upload(struct req *r, struct op *op, int64_t record_id, const struct file_row *doc)
{
	struct upload u = {.fd = r->body_fd, .name = req_query(r, "name")};
	struct file_facts facts;
	char stored[FILETYPE_MAX], declared[FILETYPE_MAX];
	if (req_content_type_is(r, "multipart/form-data")) {
		if (!read_form(r, &u))
			goto out;
	} else {
		const char *cd = req_header(r, "Content-Disposition");
		u.declared = req_header(r, "Content-Type");
		if (!u.name && cd)
			u.name = disposition_name(r, cd);
	}
	if (!u.name && doc) { /* a new version keeps the document's name unless it brings one */
		struct db_stmt *st;
		int rc =
		    db_prepare(r->db,
		               "SELECT name FROM files WHERE group_id = ? ORDER BY version DESC "
		               "LIMIT 1",
		               &st);
		if (!rc) {
			db_bind_int(st, 1, doc->group_id);
			if (db_step(st) == DB_ROW)
				u.name = arena_strdup(&r->arena, db_column_text(st, 0, NULL));
			db_reset(st);
		}
	}
	const char *name = clean_name(r, u.name);
	if (!name) {
		resp_error(r, 422, "validation_failed");
		goto out;
	}
	if (files_inspect(u.fd, &facts)) {
		resp_fault(r, "reading an upload");
		goto out;
	}
	if (facts.size > (uint64_t)http_config->file_limit) {
		resp_too_large(r, "file", http_config->file_limit);
		goto out;
	}
	if (facts.size == 0) {
		problem_add(&r->problem, "file", "file_empty", NULL);
		resp_error(r, 422, "validation_failed");
		goto out;
	}
	enum file_verdict v =
	    filetype_judge(u.declared, name, facts.type, facts.script, stored, declared);
	if (v != FILE_ACCEPTED) {
		refuse(r, v, declared, facts.type, name);
		goto out;
	}
	if (!scanned_clean(r, u.fd, name))
		goto out;
	struct new_file n = {.group_id = doc ? doc->group_id : 0,
	                     .version = 1,
	                     .record_id = record_id,
	                     .name = name,
	                     .type = stored,
	                     .facts = &facts};
	int rc = store(r, op, u.fd, &n);
	if (rc == DB_DONE)
		resp_error(r, 404, "not_found"); /* the document was deleted meanwhile */
	else if (rc)
		api_db_failure(r, rc, "keeping a file");
	else
		answer_file(r, n.id);
out:
	if (u.own_fd)
		close(u.fd);
}

/* POST /api/v1/{entity}/{id}/files[?name=…][&replaces={file id}] */
void api_files_upload(struct req *r)
{
	struct op op;
	int64_t id, replaces = 0;
	if (!api_begin(r, &op, &id, NULL) ||
	    !files_only_params(r, (const char *const[]){"name", "replaces", NULL}))
		return;
	const char *rep = req_query(r, "replaces");
	if (rep && (!parse_int64(rep, strlen(rep), &replaces) || replaces <= 0)) {
		problem_add(&r->problem, "replaces", "invalid_id", NULL);
		resp_error(r, 400, "bad_request");
		return;
	}
	if (!files_record_access(r, &op, ACT_UPDATE, id))
		return;
	struct file_row doc;
	int rc = replaces ? files_load(r, replaces, &doc) : DB_OK;
	if (replaces && !rc &&
	    (doc.deleted || strcmp(doc.entity, op.e->name) != 0 || doc.record_id != id))
		rc = DB_DONE;
	if (rc == DB_DONE) {
		problem_add(&r->problem, "replaces", "reference_not_found", NULL);
		resp_error(r, 422, "validation_failed");
	} else if (rc) {
		api_db_failure(r, rc, "reading a file");
	} else {
		upload(r, &op, id, replaces ? &doc : NULL);
	}
}

/* POST /api/v1/files/{id}/versions[?name=…] */
void api_file_version_add(struct req *r)
{
	struct file_row doc;
	struct op op;
	if (files_only_params(r, (const char *const[]){"name", NULL}) &&
	    files_reachable(r, ACT_UPDATE, &doc, &op))
		upload(r, &op, doc.record_id, &doc);
}

/* DELETE /api/v1/files/{id}: the document, every version of it (restorable in the database). */